"""The pages of places of detention: the register, a place's page and the map, for the demo records of
Amnesty International's briefing (team A)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from habeas.accounts.models import AuditEvent
from habeas.custody.models import CustodyEpisode, Placement, RestrictiveMeasure, Transfer
from habeas.monitoring.models import Recommendation, RecommendationStatus, Visit
from habeas.registry.models import Locality, Organisation, Person, Place
from habeas.standards.geo import geodesic_km
from habeas.standards.services import findings_evaluate
from tests.pages import assert_queries_bounded

pytestmark = pytest.mark.django_db

ARQALYK = "High-security prison in Arqalyk"
KOSTANAI_A = "Prison A in Kostanai province (not named in the briefing)"
KOSTANAI_B = "Prison B in Kostanai province (not named in the briefing)"


def place(name: str) -> Place:
    return Place.objects.get(name=name)


def text(response) -> str:
    """The page's text without tags, spaces collapsed."""
    return text_of(response.content.decode())


def section(response, name: str) -> str:
    """The text of one section of a page (``<section id=name>``)."""
    html = response.content.decode()
    start = html.index(f'id="{name}"')
    return text_of(html[start : html.index("</section>", start)])


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_register_lists_the_places_with_their_people_and_findings_and_filters_them(client, world):
    findings_evaluate(profile_name="kz")
    client.force_login(world["member"])
    page = text(client.get(reverse("place_list")))
    for name in (ARQALYK, KOSTANAI_A, KOSTANAI_B, "Zhanaozen main police station"):
        assert name in page
    # Arqalyk: one person (Aron Atabek, two placements), high-security, run by the prison administration, with
    # the open findings of its measures, its placements and itself: one per failure (Mandela 44 and the national
    # month of solitary are one finding), gaps (no source on its inspections or the safeguards) apart
    row = re.search(rf"{ARQALYK} high-security prison Prison administration Arkalyk — (\d+) (\d+)", page)
    assert row and row.groups() == ("1", "5")

    prisons = client.get(reverse("place_list"), {"kind": "prison"}).content.decode()
    assert KOSTANAI_A in prisons and KOSTANAI_B in prisons and ARQALYK not in prisons
    police = Organisation.objects.get(name="Zhanaozen police")
    by_authority = client.get(reverse("place_list"), {"authority": police.pk}).content.decode()
    assert "Zhanaozen main police station" in by_authority and KOSTANAI_A not in by_authority
    assert ARQALYK in client.get(reverse("place_list"), {"q": "arqalyk"}).content.decode()

    # htmx asks for the register alone
    fragment = client.get(reverse("place_list"), {"kind": "prison"}, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="register">') and "<html" not in fragment

    # another team sees an empty register
    client.force_login(world["outsider"])
    assert ARQALYK not in client.get(reverse("place_list")).content.decode()


def test_bad_filters_get_a_message_and_keep_what_was_typed(client, world):
    client.force_login(world["member"])
    before = Place.objects.count()
    response = client.get(reverse("place_list"), {"kind": "castle", "q": "<script>alert(1)</script>' OR 1=1 --"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is no type of place called “castle”" in body
    assert 'class="field error"' in body
    assert "<script>alert(1)</script>" not in body
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;&#x27; OR 1=1 --"' in body  # kept, escaped
    assert "No place of detention matches." in body  # the name filter still applies

    other = Organisation.objects.create(name="Someone else's prisons", kind="prison", team=None)
    for params in ({"authority": other.pk}, {"authority": "nine"}, {"page": "-3"}, {"kind": "x" * 5000}):
        response = client.get(reverse("place_list"), params)
        assert response.status_code == 200, params
        assert response.status_code == 200 and client.get(reverse("place_map"), params).status_code == 200
    assert "That authority is not one that runs a place you can see" in text(
        client.get(reverse("place_list"), {"authority": other.pk})
    )
    assert Place.objects.count() == before


def test_a_place_with_a_hostile_name_is_shown_escaped(client, world):
    hostile = '<script>alert("place")</script>'
    Place.objects.create(
        name=hostile, kind="police", team=place(ARQALYK).team, locality=Locality.objects.get(name="Almaty")
    )
    client.force_login(world["member"])
    for url in (
        reverse("place_list"),
        reverse("place_map"),
        reverse("place_detail", args=[Place.objects.get(name=hostile).pk]),
    ):
        body = client.get(url).content.decode()
        assert hostile not in body and "&lt;script&gt;" in body, url


def test_a_place_page_shows_its_people_measures_findings_and_visits(client, world):
    findings_evaluate(profile_name="kz")
    arqalyk = place(ARQALYK)
    body = Organisation.objects.create(name="National preventive mechanism", kind="monitor", team=arqalyk.team)
    visit = Visit.objects.create(
        team=arqalyk.team,
        body=body,
        place=arqalyk,
        visited_on="2013-03-01",
        visited_on_precision="month",
        announced=False,
        access_granted=True,
        private_interviews=False,
        refused="Interviews in private with the prisoners in solitary confinement.",
    )
    recommendation = Recommendation.objects.create(
        team=arqalyk.team,
        issuer=body,
        addressee=arqalyk.authority,
        visit=visit,
        text="End solitary confinement beyond 15 days.",
    )
    RecommendationStatus.objects.create(team=arqalyk.team, recommendation=recommendation, status="rejected")
    client.force_login(world["member"])
    events = AuditEvent.objects.count()
    page = text(client.get(reverse("place_detail", args=[arqalyk.pk])))
    assert AuditEvent.objects.filter(action="read", target_type="registry.place", target_id=str(arqalyk.pk)).exists()
    assert AuditEvent.objects.count() == events + 1

    assert "Aron Atabek" in page and "2010" in page and "Almaty" in page
    almaty, arkalyk = Locality.objects.get(name="Almaty"), arqalyk.locality
    km = geodesic_km(almaty.latitude, almaty.longitude, arkalyk.latitude, arkalyk.longitude)
    assert f"{km:,.0f} km" in page and "1,650 km" in page  # geodesic (1,089) and as the briefing states it
    assert "solitary confinement" in page and "two years" in page
    assert "MANDELA-44-PROLONGED-SOLITARY" in page and "KZ-PEC-SERVE-NEAR-RESIDENCE" in page
    assert "March 2013" in page and "National preventive mechanism" in page
    assert "Interviews in private with the prisoners" in page
    assert "End solitary confinement beyond 15 days." in page and "rejected" in page
    assert "submarine lost in the steppe" not in page  # a measure's conditions belong to the person's file

    svg = client.get(reverse("place_detail", args=[arqalyk.pk])).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in svg and "Almaty" in svg

    # the Kostanai prisons: Dmitri Tian in A (his transfer and placement are one stay), Oleg Evloev in B, far
    # from his father's home in Astana; the province has no coordinates, so the distance is approximate
    tian = section(client.get(reverse("place_detail", args=[place(KOSTANAI_A).pk])), "people")
    assert "Dmitri Tian" in tian and "November 2010" in tian and tian.count("Dmitri Tian") == 1
    evloev = text(client.get(reverse("place_detail", args=[place(KOSTANAI_B).pk])))
    assert "Oleg Evloev" in evloev and "Astana (family's)" in evloev and "800 km" in evloev
    assert re.search(r"≈ \d{3} km", evloev)
    assert "position on the map approximate" in evloev

    zhanaozen = text(client.get(reverse("place_detail", args=[place("Zhanaozen main police station").pk])))
    assert "Bazarbai Kenzhebaev" in zhanaozen


def test_another_team_gets_404_and_an_analyst_without_identities_sees_pseudonyms(client, world, django_user_model):
    arqalyk = place(ARQALYK)
    client.force_login(world["outsider"])
    assert client.get(reverse("place_detail", args=[arqalyk.pk])).status_code == 404
    assert client.get(reverse("place_detail", args=[10**9])).status_code == 404
    assert "Aron Atabek" not in client.get(reverse("place_map")).content.decode()

    Visit.objects.create(team=arqalyk.team, place=arqalyk, body_text="monitors", refused="Talking to Aron Atabek.")
    analyst = world["analyst"]  # of team A, which holds Arqalyk; sees pseudonyms
    findings_evaluate(profile_name="kz")
    client.force_login(analyst)
    for url in (reverse("place_detail", args=[arqalyk.pk]), reverse("place_map")):
        body = client.get(url).content.decode()
        assert "Aron Atabek" not in body and "Atabek" not in body, url
        assert "Person " in body, url  # the pseudonym: "Person <code>"
    detail = client.get(reverse("place_detail", args=[arqalyk.pk])).content.decode()
    assert "submarine" not in detail and "1,650 km from his home town" not in detail  # encrypted notes left out
    assert "MANDELA-44-PROLONGED-SOLITARY" in detail  # findings, about a pseudonym


def grow_people(at: Place, *, team, n: int = 3) -> None:
    """More people held at ``at``: placements, transfers in and out, measures, a visit with a recommendation."""
    almaty = Locality.objects.get(name="Almaty")
    elsewhere = Place.objects.exclude(pk=at.pk).filter(team=team).first()
    for i in range(n):
        person = Person.objects.create(team=team, label=f"Grown person {i}", home_locality=almaty if i % 2 else None)
        episode = CustodyEpisode.objects.create(team=team, person=person)
        Placement.objects.create(
            team=team, custody=episode, place=at, started_on=f"201{i}-01-01", stated_distance_km=900
        )
        Transfer.objects.create(team=team, custody=episode, from_place=elsewhere, to_place=at, departed_on="2009-01-01")
        Transfer.objects.create(team=team, custody=episode, from_place=at, to_place=elsewhere, departed_on="2015-01-01")
        RestrictiveMeasure.objects.create(
            team=team, custody=episode, place=at, kind="solitary", started_on="2012-01-01"
        )
        visit = Visit.objects.create(team=team, place=at, body_text=f"monitors {i}", announced=True)
        recommendation = Recommendation.objects.create(
            team=team, issuer=at.authority, addressee=at.authority, visit=visit, text=f"Recommendation {i}"
        )
        RecommendationStatus.objects.create(team=team, recommendation=recommendation, status="issued")


def test_the_pages_make_a_fixed_number_of_queries(client, world):
    arqalyk = place(ARQALYK)
    team = arqalyk.team
    grow_people(arqalyk, team=team, n=2)  # every kind of row (with a home and without), so that every list is drawn
    findings_evaluate(profile_name="kz")
    client.force_login(world["member"])

    def grow() -> None:
        grow_people(arqalyk, team=team, n=4)
        for i in range(3):
            Place.objects.create(
                team=team,
                name=f"Grown place {i}",
                kind="prison",
                authority=arqalyk.authority,
                locality=arqalyk.locality,
            )
        findings_evaluate(profile_name="kz")

    detail = reverse("place_detail", args=[arqalyk.pk])
    for url in (reverse("place_list"), reverse("place_map"), detail):
        assert_queries_bounded(client, url, grow)
    assert "Grown person 3" in client.get(detail).content.decode()
