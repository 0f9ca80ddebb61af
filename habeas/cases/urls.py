"""The workplace's pages of the cases app."""

from __future__ import annotations

from django.urls import path

from habeas.cases.views import intake, intake_step

urlpatterns = [
    path("intake/", intake, name="intake"),
    path("intake/<int:pk>/<slug:step>/", intake_step, name="intake_step"),
]
