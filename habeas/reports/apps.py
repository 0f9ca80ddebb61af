from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "habeas.reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        # imported here, once the models are ready (the one place an app imports inside a function)
        from habeas.accounts.records import follow_writes
        from habeas.reports.search import search_follow

        follow_writes(search_follow)
