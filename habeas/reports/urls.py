"""The workplace's pages across the domains: the dashboard, search and the redacted export."""

from __future__ import annotations

from django.urls import path

from habeas.reports.views import dashboard, export

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("export/", export, name="export"),
]
