"""The workplace's pages of the counting app."""

from __future__ import annotations

from django.urls import URLPattern, path

from habeas.counting import views

urlpatterns: list[URLPattern] = [
    path("counting/", views.counting, name="counting"),
    path("counting/lists/import/", views.list_import_start, name="list_import_start"),
    path("counting/lists/import/<slug:token>/", views.list_import_map, name="list_import_map"),
    path("counting/runs/<int:pk>/", views.linkage_run_detail, name="linkage_run_detail"),
    path("counting/runs/<int:pk>/review/", views.review_queue_page, name="review_queue"),
    path("counting/runs/<int:pk>/people/", views.run_people_page, name="run_people"),
    path("counting/estimates/<int:pk>/", views.estimate_detail, name="estimate_detail"),
]
