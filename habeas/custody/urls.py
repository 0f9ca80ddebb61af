"""The workplace's pages of the custody app: adding and changing a custody and its parts."""

from __future__ import annotations

from django.urls import URLPattern

from habeas.accounts.web import record_urls
from habeas.custody import views

urlpatterns: list[URLPattern] = [
    *record_urls("custody", views.EPISODE, new="persons/<int:parent>/custody/new/", change="custody/<int:pk>/change/"),
    *record_urls(
        "custody_stage", views.STAGE, new="custody/<int:parent>/stages/new/", change="custody/stages/<int:pk>/"
    ),
    *record_urls(
        "placement", views.PLACEMENT, new="custody/<int:parent>/placements/new/", change="custody/placements/<int:pk>/"
    ),
    *record_urls(
        "transfer", views.TRANSFER, new="custody/<int:parent>/transfers/new/", change="custody/transfers/<int:pk>/"
    ),
    *record_urls(
        "measure", views.MEASURE, new="custody/<int:parent>/measures/new/", change="custody/measures/<int:pk>/"
    ),
    *record_urls(
        "extension",
        views.EXTENSION,
        new="custody/measures/<int:parent>/extensions/new/",
        change="custody/extensions/<int:pk>/",
    ),
    *record_urls(
        "notification",
        views.NOTIFICATION,
        new="custody/<int:parent>/notifications/new/",
        change="custody/notifications/<int:pk>/",
    ),
    *record_urls(
        "family_contact", views.CONTACT, new="custody/<int:parent>/contacts/new/", change="custody/contacts/<int:pk>/"
    ),
    *record_urls("death", views.DEATH, new="custody/<int:parent>/death/new/", change="custody/deaths/<int:pk>/"),
]
