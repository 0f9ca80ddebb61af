from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "habeas.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from habeas.accounts import pagecache

        pagecache.connect()
