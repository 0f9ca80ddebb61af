"""The pages the load test requests (a person's file, a place's, the dashboard and a search) and the people list
make at most a fixed number of queries: each page's cost is mostly its queries, and one added by mistake shows here."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from habeas.registry.models import Place
from habeas.registry.selectors import persons_named

pytestmark = pytest.mark.django_db


def test_the_pages_under_load_make_at_most_their_number_of_queries(client, world):
    client.force_login(world["member"])
    person = persons_named("Dmitri Tian", exact=True).get()
    place = Place.objects.get(name="High-security prison in Arqalyk")
    pages = {
        "person": reverse("person_detail", args=[person.pk]),
        "place": reverse("place_detail", args=[place.pk]),
        "dashboard": reverse("dashboard"),
        "search": reverse("search") + "?q=Tian",
        "people": reverse("person_list") + "?role=victim",
    }
    for url in pages.values():
        client.get(url)  # content types and the like, read once per process
    made = {}
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, name
        made[name] = len(captured)
    bounds = {"person": 38, "place": 32, "dashboard": 15, "search": 11, "people": 7}
    # before December 8th: 42, 37, 20, 12 and 7 (the people's roles now read for the page alone, in one query)
    assert {name: n for name, n in made.items() if n > bounds[name]} == {}
