from __future__ import annotations

from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "habeas.evidence"
    label = "evidence"
    verbose_name = "Evidence"

    def ready(self) -> None:
        # imported here, once the models are ready (the one place an app imports inside a function)
        from habeas.accounts.records import plan_moves
        from habeas.accounts.web import cite_with
        from habeas.evidence.forms import RecordSourceForm
        from habeas.evidence.moves import sources_planned

        plan_moves(sources_planned)
        cite_with(RecordSourceForm)
