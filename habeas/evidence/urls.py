"""The workplace's pages of the evidence app."""

from __future__ import annotations

from django.urls import path

from habeas.evidence import views

urlpatterns = [
    path("sources/", views.source_list, name="source_list"),
    path("sources/new/", views.source_add, name="source_add"),
    path("sources/<int:pk>/", views.source_detail, name="source_detail"),
    path("sources/<int:pk>/upload/", views.source_upload, name="source_upload"),
    path("sources/documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("sources/documents/<int:pk>/download/", views.document_download_page, name="document_download"),
]
