"""The workplace's pages of the cases app: the intake, and adding and changing the records of a case."""

from __future__ import annotations

from django.urls import path

from habeas.accounts.web import record_urls
from habeas.cases import views
from habeas.cases.views import intake, intake_step

urlpatterns = [
    path("intake/", intake, name="intake"),
    path("intake/<int:pk>/<slug:step>/", intake_step, name="intake_step"),
    *record_urls(
        "complaint", views.COMPLAINT, new="allegations/<int:parent>/complaints/new/", change="complaints/<int:pk>/"
    ),
    *record_urls(
        "investigation",
        views.INVESTIGATION,
        new="allegations/<int:parent>/investigations/new/",
        change="investigations/<int:pk>/",
    ),
    *record_urls(
        "investigation_step",
        views.STEP,
        new="investigations/<int:parent>/steps/new/",
        change="investigations/steps/<int:pk>/",
    ),
    *record_urls("proceeding", views.PROCEEDING, new="proceedings/new/", change="proceedings/<int:pk>/"),
    *record_urls("charge", views.CHARGE, new="proceedings/<int:parent>/charges/new/", change="charges/<int:pk>/"),
    *record_urls("hearing", views.HEARING, new="proceedings/<int:parent>/hearings/new/", change="hearings/<int:pk>/"),
    *record_urls("verdict", views.VERDICT, new="proceedings/<int:parent>/verdicts/new/", change="verdicts/<int:pk>/"),
    *record_urls("sentence", views.SENTENCE, new="verdicts/<int:parent>/sentences/new/", change="sentences/<int:pk>/"),
    *record_urls(
        "reparation", views.REPARATION, new="allegations/<int:parent>/reparations/new/", change="reparations/<int:pk>/"
    ),
]
