"""Each step of the intake makes as many queries however many records it offers to choose from: people found
by the search, places, localities, units, custody episodes of the victim, methods and sources."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from habeas.accounts.models import Team
from habeas.cases.forms import STEPS
from habeas.cases.models import Method
from habeas.cases.services import intake_draft_start
from habeas.evidence.models import Source
from habeas.registry.models import Locality, Organisation, Person, PersonName, Place
from habeas.registry.selectors import persons_named
from tests import factories
from tests.pages import assert_queries_bounded

pytestmark = pytest.mark.django_db


def test_every_intake_step_makes_as_many_queries_with_more_records_to_choose_from(client, world):
    member = world["member"]
    team = Team.objects.get(name="A")
    tian = persons_named("Dmitri Tian", exact=True).get()
    draft = intake_draft_start(user=member)
    # the victim searched for and picked (so that the steps offer their custody episodes), a few rows typed
    draft.data = {
        "who": {"search": ["Grown"], "person": [str(tian.pk)]},
        "perpetrators": {"form-TOTAL_FORMS": ["2"], "form-INITIAL_FORMS": ["0"]},
        "witnesses": {"form-TOTAL_FORMS": ["2"], "form-INITIAL_FORMS": ["0"]},
    }
    draft.save()
    client.force_login(member)
    counter = itertools.count()

    def grow() -> None:
        for _ in range(4):
            n = next(counter)
            person = Person.objects.create(team=team, label=f"Grown Person {n}")
            PersonName.objects.create(person=person, full_name=f"Grown Person {n}", script="Latn")
            Place.objects.create(team=team, name=f"Grown prison {n}", kind="prison")
            Locality.objects.create(name=f"Grown town {n}")
            Organisation.objects.create(team=team, name=f"Grown unit {n}", kind="unit")
            Source.objects.create(team=team, key=f"grown-{n}", title=f"Grown report {n}", kind="media")
            Method.objects.create(code=f"grown-{n}", name=f"Grown method {n}", category="Grown")
            factories.custody(tian, team=team)

    grow()  # something of each kind to choose from before the first count
    counts = {}
    for step in STEPS:
        url = reverse("intake_step", kwargs={"pk": draft.pk, "step": step.slug})
        counts[step.slug] = assert_queries_bounded(client, url, grow)
    assert max(counts.values()) < 40, counts
    # what was grown is offered
    who = client.get(reverse("intake_step", kwargs={"pk": draft.pk, "step": "who"})).content.decode()
    assert "Grown Person 0" in who
    when = client.get(reverse("intake_step", kwargs={"pk": draft.pk, "step": "when"})).content.decode()
    assert "Grown prison 0" in when and "Grown town 0" in when
