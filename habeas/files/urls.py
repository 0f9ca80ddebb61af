"""The workplace's pages of persons, groups, places and visits."""

from __future__ import annotations

from django.urls import URLPattern, path

from habeas.accounts.web import record_urls
from habeas.files import views, views_places, views_visits

urlpatterns: list[URLPattern] = [
    path("persons/", views.person_list, name="person_list"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("places/", views_places.place_list, name="place_list"),
    path("places/map/", views_places.place_map, name="place_map"),
    path("places/<int:pk>/", views_places.place_detail, name="place_detail"),
    path("visits/<int:pk>/", views_visits.visit_detail, name="visit_detail"),
    *record_urls("place", views_places.PLACE, new="places/new/", change="places/<int:pk>/change/"),
    *record_urls(
        "organisation", views_places.ORGANISATION, new="organisations/new/", change="organisations/<int:pk>/change/"
    ),
]
