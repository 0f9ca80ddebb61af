"""Findings in the admin: on the record's own page, in a filterable list, and reviewed with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from habeas.accounts.models import Team
from habeas.custody.models import RestrictiveMeasure
from habeas.standards.models import Finding
from habeas.standards.services import findings_evaluate
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding():
    team = Team.objects.create(name="Monitors")  # a record links only to records of its own team
    service = factories.organisation("Prison service", "prison", team=team)
    place = factories.place("Arqalyk prison", authority=service, team=team)
    episode = factories.custody(factories.person("Aron Atabek", team=team), team=team)
    measure = factories.saved(
        RestrictiveMeasure(
            custody=episode,
            place=place,
            kind="solitary",
            started_on=dt.date(2012, 11, 1),
            ended_on=dt.date(2014, 11, 1),
            team=team,
        )
    )
    findings_evaluate(
        profile_name="international",
        codes=["MANDELA-44-PROLONGED-SOLITARY"],
        now=dt.datetime(2015, 1, 1, tzinfo=dt.UTC),
    )
    return measure, Finding.objects.get()


def test_the_record_page_shows_its_findings(client, finding):
    measure, _ = finding
    client.force_login(factories.superuser())
    page = client.get(reverse("admin:custody_restrictivemeasure_change", args=[measure.pk])).content.decode()
    assert "Findings against the standards" in page
    assert "730 consecutive days; the limit set by Nelson Mandela Rules, rule 44 is 15 days" in page


@pytest.mark.parametrize(
    "query",
    [
        {"rule": "MANDELA-44-PROLONGED-SOLITARY"},
        {"severity__exact": "4"},
        {"status__exact": "breach"},
        {"place__id__exact": "PLACE"},
        {"organisation__id__exact": "ORG"},
        {"team__id__exact": "TEAM"},
    ],
)
def test_the_findings_list_filters_by_rule_severity_status_place_organisation_and_team(client, finding, query):
    _, found = finding
    client.force_login(factories.superuser())
    ids = {"PLACE": str(found.place_id), "ORG": str(found.organisation_id), "TEAM": str(found.team_id)}
    query = {k: ids.get(v, v) for k, v in query.items()}
    page = client.get(reverse("admin:standards_finding_changelist"), query)
    assert page.status_code == 200
    assert "Aron Atabek" in page.content.decode()


def test_a_reviewer_dismisses_a_finding_with_a_reason(client, finding):
    _, found = finding
    reviewer = factories.superuser()
    client.force_login(reviewer)
    url = reverse("admin:standards_finding_change", args=[found.pk])
    response = client.post(url, {"review": "dismissed", "review_reason": "The measure was lifted earlier."})
    assert response.status_code == 302
    found.refresh_from_db()
    assert (found.review, found.reviewed_by) == ("dismissed", reviewer)


def test_a_review_without_a_reason_is_refused_with_a_message(client, finding):
    _, found = finding
    client.force_login(factories.superuser())
    response = client.post(reverse("admin:standards_finding_change", args=[found.pk]), {"review": "confirmed"})
    assert response.status_code == 200
    assert "a review decision needs a reason" in response.content.decode()


def test_saving_a_record_in_the_admin_re_checks_it(client, finding, django_capture_on_commit_callbacks):
    measure, found = finding
    client.force_login(factories.superuser("editor"))
    url = reverse("admin:custody_restrictivemeasure_change", args=[measure.pk])
    page = client.get(url).context
    form = page["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"ended_on": "2012-11-10", "ended_on_precision": "day"})
    for inline in page["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    found.refresh_from_db()
    assert not found.active  # nine days: no longer prolonged solitary confinement
