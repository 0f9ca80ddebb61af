"""The workplace's pages of the counting app."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
