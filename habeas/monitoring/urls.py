"""The workplace's pages of the monitoring app: visits (the OPCAT cycle) and the recommendations tracker."""

from __future__ import annotations

from django.urls import URLPattern, path

from habeas.monitoring import views

urlpatterns: list[URLPattern] = [
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_plan, name="visit_plan"),
    path("visits/<int:pk>/record/", views.visit_record, name="visit_record"),
    path("recommendations/", views.recommendation_list, name="recommendation_list"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation_detail"),
]
