from __future__ import annotations

from django.apps import AppConfig


class CustodyConfig(AppConfig):
    name = "habeas.custody"
    label = "custody"
    verbose_name = "Custody"
