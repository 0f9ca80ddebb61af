"""A hearing recorded on its page (in Kazakh too): a first appearance or a detention hearing that rules on a
custody is that custody's appearance before a judge, for the live clock and for the rules on a prompt
appearance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from habeas.accounts.models import Membership, Role, Team
from habeas.accounts.viewer import viewer_for
from habeas.cases.models import Hearing, Proceeding
from habeas.custody.models import CustodyEpisode
from habeas.reports.clock import clock_items
from habeas.standards.models import Finding
from habeas.standards.services import findings_evaluate
from tests import factories
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def typed(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


def test_a_first_appearance_recorded_as_a_hearing_stops_the_clock_and_removes_the_finding(
    client, django_capture_on_commit_callbacks
):
    team = Team.objects.create(name="A")
    member = get_user_model().objects.create_user("member", "", PASSWORD)
    Membership.objects.create(user=member, team=team, role=Role.LAWYER)
    now = timezone.now().replace(microsecond=0)
    apprehended = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)
    released = factories.custody(
        factories.person("Marat Test", team=team),
        team=team,
        apprehended_at=apprehended,
        apprehended_at_precision="exact",
        released_at=dt.datetime(2026, 3, 15, 17, 0, tzinfo=dt.UTC),
        released_at_precision="exact",
    )
    held = factories.custody(
        factories.person("Aigul Test", team=team),
        team=team,
        apprehended_at=now - dt.timedelta(hours=47),
        apprehended_at_precision="exact",
        status=CustodyEpisode.Status.POLICE,
    )
    trial = factories.saved(Proceeding(team=team, kind="criminal", title="The case of Marat Test"))
    judge = factories.person("Judge Test", team=team)
    court = factories.organisation("Zhanaozen city court", kind="court", team=team)
    findings_evaluate(profile_name="international", codes=["ICCPR-09-3-PROMPT-JUDGE-48H"], now=now)
    custody_type = ContentType.objects.get_for_model(CustodyEpisode)
    breach = Finding.objects.get(
        content_type=custody_type, object_id=released.pk, rule="ICCPR-09-3-PROMPT-JUDGE-48H", active=True
    )
    assert breach.status == "breach"
    assert [item.record_id for item in clock_items(viewer_for(member), now=now).items] == [held.pk]
    client.force_login(member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("hearing_add", args=[trial.pk]),
            {
                "kind": "first",
                "held_at": typed(apprehended + dt.timedelta(hours=23)),
                "court": str(court.pk),
                "judge": str(judge.pk),
                "custody": str(released.pk),
                "detainee_present": "true",
                "lawyer_present": "false",
                "outcome": "detention refused",
                **factories.CITED,
            },
        )
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("person_detail", args=[released.person_id])
    breach.refresh_from_db()
    assert not breach.active
    assert not Finding.objects.filter(content_type=custody_type, object_id=released.pk, active=True).exists()

    client.post(
        reverse("hearing_add", args=[trial.pk]),
        {
            "kind": "detention",
            "held_at": typed(now - dt.timedelta(hours=30)),
            "custody": str(held.pk),
            **factories.CITED,
        },
    )
    assert clock_items(viewer_for(member), now=now).items == []
    assert Hearing.objects.filter(custody=held, kind="detention").exists()
    # the person's file lists the hearing with its judge and court, and links to change it and to add another
    trial.defendants.add(released.person)
    hearing = Hearing.objects.get(custody=released)
    html = client.get(reverse("person_detail", args=[released.person_id])).content.decode()
    assert "First appearance before a judge" in html and "Judge Test" in html and "Zhanaozen city court" in html
    assert reverse("hearing_change", args=[hearing.pk]) in html and reverse("hearing_add", args=[trial.pk]) in html


def test_a_hearing_ruling_on_a_custody_must_be_an_appearance_and_not_before_the_apprehension(client, settings):
    team = Team.objects.create(name="A")
    member = get_user_model().objects.create_user("member", "", PASSWORD)
    Membership.objects.create(user=member, team=team, role=Role.LAWYER)
    custody = factories.custody(
        factories.person("Marat Test", team=team),
        team=team,
        apprehended_at=dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC),
        apprehended_at_precision="exact",
    )
    trial = factories.saved(Proceeding(team=team, kind="criminal", title="The case of Marat Test"))
    client.force_login(member)
    url = reverse("hearing_add", args=[trial.pk])
    trial_hearing = client.post(
        url, {"kind": "trial", "held_at": "2026", "custody": str(custody.pk), **factories.CITED}
    )
    early = client.post(url, {"kind": "first", "held_at": "01.03.2026", "custody": str(custody.pk), **factories.CITED})
    assert trial_hearing.status_code == early.status_code == 200
    assert trial_hearing.context["form"].errors["custody"] == [
        "only a first appearance or a detention hearing rules on a custody: leave it empty"
    ]
    assert early.context["form"].errors["held_at"] == ["the hearing cannot be before the apprehension"]
    assert early.context["form"]["held_at"].value() == "01.03.2026"
    assert not Hearing.objects.exists()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    kazakh = client.get(url).content.decode()
    assert "Сот отырысы" in kazakh and "судья алдына алғаш келу" in kazakh and "Дереккөздің қай жерінде" in kazakh
