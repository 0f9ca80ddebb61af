"""The monitoring pages with the demo data of Amnesty International's 2013 briefing: the visits and the
recommendations tracker, what each persona may open, what an analyst without identities sees, bad input in
every form, and a number of queries that does not grow with the records."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from habeas.accounts.models import AuditEvent, Team
from habeas.monitoring.models import Recommendation, RecommendationStatus, Visit
from habeas.registry.models import Organisation, Place
from tests.accounts.test_security_headers import inline_code
from tests.monitoring.pages import PAGES, URL_ARGUMENTS
from tests.pages import assert_queries_bounded

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert('x')</script>"
SQL = "'; DROP TABLE monitoring_visit; --"


def url(name: str) -> str:
    return reverse(name, kwargs=URL_ARGUMENTS[name]() if name in URL_ARGUMENTS else None)


def un_visit() -> Visit:
    return Visit.objects.get(pk=URL_ARGUMENTS["visit_detail"]()["pk"])


def counts() -> tuple[int, ...]:
    return (Visit.objects.count(), Recommendation.objects.count(), RecommendationStatus.objects.count())


def test_every_persona_gets_what_the_matrix_says_and_the_pages_need_nothing_inline(client, world):
    for persona, user in [("anonymous", None), *world.items()]:
        client.logout()
        if user is not None:
            client.force_login(user)
        got = {name: client.get(url(name)).status_code for name in PAGES}
        assert got == {name: statuses[persona] for name, statuses in PAGES.items()}, persona
        if persona == "member":
            for name in PAGES:
                assert inline_code(client.get(url(name)).content.decode()) == [], name
    client.force_login(world["member"])
    client.cookies["django_language"] = "ru"  # the pages render in Russian too (dates at their precision)
    assert {name: client.get(url(name)).status_code for name in PAGES} == dict.fromkeys(PAGES, 200)
    assert "июль 2012" in client.get(url("visit_detail")).content.decode().lower()
    del client.cookies["django_language"]
    client.force_login(world["readonly"])
    pk = URL_ARGUMENTS["recommendation_detail"]()["pk"]
    response = client.post(reverse("recommendation_detail", args=[pk]), {"status": "accepted", "recorded_on": "2013"})
    assert response.status_code == 403
    assert client.post(reverse("visit_plan"), {}).status_code == 403
    client.force_login(world["outsider"])
    assert client.post(reverse("visit_record", args=[un_visit().pk]), {}).status_code == 404


def test_the_tracker_shows_amnesty_recommendations_to_kazakhstan_authorities_with_their_status(client, world):
    client.force_login(world["member"])
    page = client.get(reverse("recommendation_list"))
    html = page.content.decode()
    for text in [
        "Amnesty International",
        "President of Kazakhstan",
        "General Prosecutor&#x27;s Office",
        "Ministry of Internal Affairs",
        "UN High Commissioner for Human Rights",
        "Set up an effective National Preventive Mechanism",
        "issued, no response",
        "<svg",
    ]:
        assert text in html, text
    assert page.context["page"].paginator.count == 9
    amnesty = Organisation.objects.get(name="Amnesty International")
    mia = Organisation.objects.get(name="Ministry of Internal Affairs")
    assert client.get(reverse("recommendation_list"), {"issuer": amnesty.pk}).context["page"].paginator.count == 8
    filtered = client.get(reverse("recommendation_list"), {"issuer": amnesty.pk, "addressee": mia.pk})
    assert filtered.context["page"].paginator.count == 2
    assert "Keep solitary confinement to a minimum" in filtered.content.decode()
    assert "Set up an effective National Preventive Mechanism" not in filtered.content.decode()
    assert client.get(reverse("recommendation_list"), {"status": "accepted"}).context["page"].paginator.count == 0
    # an htmx request gets the table partial only
    partial = client.get(reverse("recommendation_list"), {"addressee": mia.pk}, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="results">') and "<html" not in body and "Keep solitary" in body
    # the UN High Commissioner's recommendation, with its history at its precision
    detail = client.get(url("recommendation_detail")).content.decode()
    assert "independent international investigation" in detail and "July 2012" in detail
    assert detail.count('class="date"') == 2 and "Not implemented at the time of the briefing" in detail
    assert "Torture remains commonplace" in detail  # its source
    # a response due in the past with none yet is flagged overdue
    rec = Recommendation.objects.get(pk=URL_ARGUMENTS["recommendation_detail"]()["pk"])
    Recommendation.objects.filter(pk=rec.pk).update(
        response_due_on=dt.date(2012, 10, 1), response_due_on_precision="month"
    )
    overdue = client.get(reverse("recommendation_list"), {"overdue": "on"})
    assert overdue.context["page"].paginator.count == 1 and 'class="overdue"' in overdue.content.decode()
    assert "response overdue" in client.get(url("recommendation_detail")).content.decode()
    # the outsider sees none of them
    client.force_login(world["outsider"])
    assert client.get(reverse("recommendation_list")).context["page"].paginator.count == 0
    assert "Amnesty International" not in client.get(reverse("recommendation_list")).content.decode()
    assert client.get(url("recommendation_detail")).status_code == 404


def test_the_visits_show_what_was_refused_and_the_reads_are_audited(client, world):
    client.force_login(world["member"])
    html = client.get(reverse("visit_list")).content.decode()
    assert "UN High Commissioner for Human Rights" in html and "July 2012" in html
    assert "Private interviews with detainees; free access to places of detention." in html
    assert "Access to the police stations where people detained" in html
    visit = un_visit()
    detail = client.get(url("visit_detail")).content.decode()
    assert "Hold an independent international investigation" in detail and "Zhanaozen violations" in detail
    assert AuditEvent.objects.filter(action="read", target_type="monitoring.visit", target_id=str(visit.pk)).exists()
    planned = client.get(reverse("visit_list"), {"state": "done"}, headers={"HX-Request": "true"})
    assert (
        planned.content.decode().lstrip().startswith('<div id="results">') and "July 2012" in planned.content.decode()
    )
    assert client.get(reverse("visit_list"), {"state": "planned"}).context["page"].paginator.count == 0
    client.force_login(world["outsider"])
    assert client.get(reverse("visit_list")).context["page"].paginator.count == 0


def test_an_analyst_without_identities_sees_no_protected_text(client, world, django_user_model):
    analyst = world["analyst"]  # sees pseudonyms
    client.force_login(analyst)
    for name in ["recommendation_list", "recommendation_detail", "visit_list", "visit_detail"]:
        html = client.get(url(name)).content.decode()
        for secret in [
            "independent international investigation",
            "Private interviews with detainees",
            "Zhanaozen violations",
        ]:
            assert secret not in html, (name, secret)
    listing = client.get(reverse("recommendation_list")).content.decode()
    assert "Recommendation " in listing and "Amnesty International" in listing  # pseudonyms, not text


def test_planning_and_recording_a_visit_through_the_pages(client, world):
    client.force_login(world["member"])
    place = Place.objects.get(team__name="A", name="High-security prison in Arqalyk")
    monitors = Organisation.objects.get(team__name="A", name="Independent public monitors")
    before = counts()
    # bad input: no place, an impossible date, another team's place; what was typed is kept
    foreign = Place.objects.create(name="B's place", kind="prison", team=Team.objects.get(name="B"))
    for data, field, message in [
        ({"visited_on": "2030-02-30", "body": monitors.pk}, "visited_on", "is not a real date"),
        ({"visited_on": "next week", "body": monitors.pk}, "visited_on", "Write the date as"),
        ({"visited_on": "2030-03-01", "place": foreign.pk, "body": monitors.pk}, "place", "Unknown place"),
        ({"visited_on": "2030-03-01", "place": place.pk}, "body", "Choose the monitoring body"),
        ({"visited_on": "", "place": place.pk, "body": monitors.pk}, "visited_on", "Give the date of the visit"),
    ]:
        data = {"announced": "no", "visitors": "Ann & Bob", **data}
        response = client.post(reverse("visit_plan"), data)
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors[field]), (data, response.context["form"].errors)
        assert (
            f'value="{data["visited_on"]}"' in response.content.decode()
            and "Ann &amp; Bob" in response.content.decode()
        )
    assert counts() == before
    # a good plan, with hostile text stored as typed and shown escaped
    response = client.post(
        reverse("visit_plan"),
        {
            "place": place.pk,
            "body": monitors.pk,
            "visited_on": "2030-03-01",
            "announced": "no",
            "visitors": SCRIPT + SQL,
        },
    )
    visit = Visit.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("visit_detail", args=[visit.pk])
    assert visit.announced is False and visit.visitors == SCRIPT + SQL
    page = client.get(response["Location"]).content.decode()
    assert SCRIPT not in page and "&lt;script&gt;" in page and "planned" in page
    listing = client.get(reverse("visit_list")).content.decode().split("<tbody>")[1]
    assert listing.index("High-security prison in Arqalyk") < listing.index("UN High Commissioner")  # planned first
    # recording it before the day comes, and with a recommendation without text, is refused; nothing stored
    record = reverse("visit_record", args=[visit.pk])
    mia = Organisation.objects.get(team__name="A", name="Ministry of Internal Affairs")
    form = {
        "visited_on": "2030-03-01",
        "announced": "no",
        "access_granted": "yes",
        "private_interviews": "no",
        "refused": "A private interview with a detainee was refused.",
        "findings": "",
        "accompanied_by": "",
        "recommendations-TOTAL_FORMS": "1",
        "recommendations-INITIAL_FORMS": "0",
        "recommendations-0-issuer": str(monitors.pk),
        "recommendations-0-addressee": str(mia.pk),
        "recommendations-0-text": "",
        "recommendations-0-issued_on": "",
        "recommendations-0-response_due_on": "2013-01",
    }
    before = counts()
    refused = client.post(record, form)
    assert "after today" in " ".join(refused.context["form"].errors["visited_on"])
    assert "its text is empty" in " ".join(refused.context["formset"].forms[0].errors["text"])
    assert "A private interview with a detainee was refused." in refused.content.decode()
    assert counts() == before and Visit.objects.get(pk=visit.pk).access_granted is None
    # "add another recommendation" gives a second row and keeps the first as typed
    more = client.post(record, {**form, "recommendations-0-text": "Keep it", "more": "1"})
    assert len(more.context["formset"].forms) == 2 and "Keep it" in more.content.decode() and counts() == before
    # a response due (January 2013) before the recommendation was issued (on the day of the visit, May 2013)
    late = client.post(record, {**form, "visited_on": "2013-05-20", "recommendations-0-text": "Allow it"})
    assert "must not be before" in " ".join(late.context["formset"].forms[0].errors["response_due_on"])
    assert counts() == before
    # the date corrected (the visit happened) and a recommendation written: stored together
    done = client.post(
        record,
        {**form, "visited_on": "2012-11-20", "recommendations-0-text": "Allow private interviews" + SCRIPT},
    )
    assert done.status_code == 302, done.context["form"].errors if done.context else done
    visit.refresh_from_db()
    assert (visit.access_granted, visit.private_interviews) == (True, False)
    [recommendation] = visit.recommendations.all()
    assert recommendation.issued_on == dt.date(2012, 11, 20) and recommendation.addressee == mia
    page = client.get(reverse("visit_detail", args=[visit.pk])).content.decode()
    assert "A private interview with a detainee was refused." in page and "&lt;script&gt;" in page
    assert "overdue" in page  # due January 2013, no response
    # a status without a date is refused with the field to fix; a good one is added to the history
    detail = reverse("recommendation_detail", args=[recommendation.pk])
    before = counts()
    missing = client.post(detail, {"status": "accepted", "recorded_on": "", "response": "We agree"})
    assert (
        "Give the date" in " ".join(missing.context["form"].errors["recorded_on"])
        and "We agree" in missing.content.decode()
    )
    assert counts() == before
    assert (
        client.post(detail, {"status": "accepted", "recorded_on": "2013-06", "response": "We agree"}).status_code == 302
    )
    page = client.get(detail).content.decode()
    assert "June 2013" in page and "We agree" in page and "response overdue" not in page


def test_the_number_of_queries_does_not_grow_with_the_records(client, world):
    client.force_login(world["member"])
    team = Team.objects.get(name="A")
    visit = un_visit()
    recommendation = Recommendation.objects.get(pk=URL_ARGUMENTS["recommendation_detail"]()["pk"])
    place = Place.objects.filter(team=team).first()
    issuers = list(Organisation.objects.filter(team=team)[:4])

    def grow() -> None:
        for i, issuer in enumerate(issuers):
            other = Visit.objects.create(
                team=team, body=issuer, place=place, visited_on=dt.date(2013, 1, 1 + i), refused="x"
            )
            for target in (visit, other):
                added = Recommendation.objects.create(
                    team=team,
                    issuer=issuer,
                    addressee=issuers[0],
                    text=f"more {i}",
                    visit=target,
                    issued_on=dt.date(2013, 2, 1),
                )
                RecommendationStatus.objects.create(
                    team=team, recommendation=added, status="accepted", recorded_on=dt.date(2013, 3, 1)
                )
            RecommendationStatus.objects.create(
                team=team,
                recommendation=recommendation,
                status="partly",
                recorded_on=dt.date(2013, 4, 1 + i),
                response="r",
            )

    for name in ["visit_list", "recommendation_list", "visit_detail", "recommendation_detail", "visit_record"]:
        assert assert_queries_bounded(client, url(name), grow) < 40, name


def test_the_plan_page_makes_as_many_queries_with_more_places_and_bodies_to_choose_from(client, world):
    client.force_login(world["member"])
    team = Team.objects.get(name="A")
    grown = iter(range(100))

    def grow() -> None:
        n = next(grown)
        for i in range(5):
            Place.objects.create(team=team, name=f"Grown prison {n}-{i}", kind="prison")
            Organisation.objects.create(team=team, name=f"Grown monitors {n}-{i}", kind="ngo")

    assert assert_queries_bounded(client, reverse("visit_plan"), grow) < 30
    page = client.get(reverse("visit_plan")).content.decode()
    assert page.count("Grown prison ") == 5 and page.count("Grown monitors ") == 5


def selected(page: str, value: object) -> bool:
    """Whether the option of ``value`` is the one selected in ``page``."""
    return re.search(rf'<option value="{value}"[^>]*\bselected\b', page) is not None


def test_a_bad_visit_filter_says_what_to_fix_beside_its_field_and_keeps_the_other_filters(client, world):
    client.force_login(world["member"])
    body = un_visit().body
    response = client.get(reverse("visit_list"), {"state": SCRIPT, "body": body.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert "is not one of the available choices" in " ".join(form.errors["state"]) and "body" not in form.errors
    page = response.content.decode()
    assert 'id="id_state_errors"' in page and "&lt;script&gt;" in page and SCRIPT not in page
    assert selected(page, body.pk)  # the body chosen is kept
    response = client.get(reverse("visit_list"), {"state": "done", "body": "nine", "place": "-1"})
    form = response.context["form"]
    assert set(form.errors) == {"body", "place"}
    assert "Select a valid choice" in " ".join(form.errors["body"])
    page = response.content.decode()
    assert 'id="id_body_errors"' in page and 'id="id_place_errors"' in page and selected(page, "done")


def test_a_bad_recommendation_filter_says_what_to_fix_beside_its_field_and_keeps_the_other_filters(client, world):
    client.force_login(world["member"])
    amnesty = Organisation.objects.get(team__name="A", name="Amnesty International")
    response = client.get(
        reverse("recommendation_list"), {"status": "forgotten", "issuer": amnesty.pk, "overdue": "on"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"status"}
    assert "forgotten is not one of the available choices" in " ".join(form.errors["status"])
    page = response.content.decode()
    assert 'id="id_status_errors"' in page and selected(page, amnesty.pk)
    assert re.search(r'<input type="checkbox" name="overdue"[^>]*\bchecked\b', page)
    other = Organisation.objects.create(team=Team.objects.get(name="B"), name="B's office", kind="ngo")
    response = client.get(reverse("recommendation_list"), {"addressee": other.pk, "status": "accepted"})
    form = response.context["form"]
    assert set(form.errors) == {"addressee"} and "Select a valid choice" in " ".join(form.errors["addressee"])
    page = response.content.decode()
    assert 'id="id_addressee_errors"' in page and selected(page, "accepted") and "B&#x27;s office" not in page
