from __future__ import annotations

from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "habeas.standards"
    label = "standards"
    verbose_name = "Standards"
