from __future__ import annotations

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from habeas.accounts.reauth import reauth
from habeas.reports.views import export

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("reauth/", reauth, name="reauth"),
    path("export/", export, name="export"),
]
