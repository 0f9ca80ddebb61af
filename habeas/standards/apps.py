from __future__ import annotations

from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "habeas.standards"
    label = "standards"
    verbose_name = "Standards"

    def ready(self) -> None:
        # imported here, once the models are ready (the one place an app imports inside a function)
        from habeas.accounts.records import follow_writes
        from habeas.standards.services import findings_follow

        follow_writes(findings_follow)
