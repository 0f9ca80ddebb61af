from __future__ import annotations

from django.apps import AppConfig


class CountingConfig(AppConfig):
    name = "habeas.counting"
    label = "counting"
    verbose_name = "Counting"
