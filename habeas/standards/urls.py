"""The workplace's pages of the standards app."""

from __future__ import annotations

from django.urls import path

from habeas.standards.views import check_start

urlpatterns = [path("check/", check_start, name="check_start")]
