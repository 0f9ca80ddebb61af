"""The workplace's pages of the registry app."""

from __future__ import annotations

from django.urls import URLPattern, path

from habeas.registry import views_places

urlpatterns: list[URLPattern] = [
    path("places/", views_places.place_list, name="place_list"),
    path("places/map/", views_places.place_map, name="place_map"),
    path("places/<int:pk>/", views_places.place_detail, name="place_detail"),
]
