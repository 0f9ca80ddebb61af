from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from habeas.accounts.reauth import reauth
from habeas.accounts.views import job_detail, job_start_again
from habeas.api.main import api
from habeas.api.views import api_tokens

handler500 = "habeas.accounts.views.server_error"

urlpatterns = [
    path("", include("habeas.reports.urls")),
    path("", include("habeas.files.urls")),
    path("", include("habeas.cases.urls")),
    path("", include("habeas.custody.urls")),
    path("", include("habeas.monitoring.urls")),
    path("", include("habeas.evidence.urls")),
    path("", include("habeas.counting.urls")),
    path("", include("habeas.standards.urls")),
    path("jobs/<int:pk>/", job_detail, name="job_detail"),
    path("jobs/<int:pk>/again/", job_start_again, name="job_start_again"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("reauth/", reauth, name="reauth"),
    path("api/", api.urls),
    path("api-tokens/", api_tokens, name="api_tokens"),
]
