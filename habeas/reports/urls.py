"""The workplace's pages across the domains: the dashboard, search and the redacted export."""

from __future__ import annotations

from django.urls import path

from habeas.reports.views import clock_subscription, dashboard, export
from habeas.reports.views_briefing import briefing_download, briefings
from habeas.reports.views_search import search

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("search/", search, name="search"),
    path("export/", export, name="export"),
    path("clock/e-mail/", clock_subscription, name="clock_subscription"),
    path("briefings/", briefings, name="briefings"),
    path("briefings/<int:pk>/", briefing_download, name="briefing_download"),
]
