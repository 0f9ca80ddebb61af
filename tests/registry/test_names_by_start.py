"""A name is found by the start of any of its words, in either script ("Туле" and "Tulet" find Roza Tuletaeva):
in the people list, and for names stored before word starts were kept, once the migration has run."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from habeas.core import crypto
from habeas.core.fields import name_keys
from habeas.registry.models import Person, PersonName
from habeas.registry.selectors import persons_named

pytestmark = pytest.mark.django_db


def test_the_people_list_finds_a_person_by_the_start_of_a_name(client, world):
    client.force_login(world["member"])
    for start in ("Туле", "Tulet", "Roz Tul"):
        listed = client.get(reverse("person_list"), {"name": start}).content.decode()
        assert "Roza Tuletaeva" in listed, start
    assert "Roza Tuletaeva" not in client.get(reverse("person_list"), {"name": "Tu"}).content.decode()


def test_the_migration_adds_the_starts_of_words_to_names_stored_without_them(world):
    person = persons_named("Roza Tuletaeva", exact=True).get()
    whole_words = " ".join(sorted(crypto.digest(key) for key in name_keys(person.label)))
    Person.objects.filter(pk=person.pk).update(name_digests=whole_words)  # as stored before
    PersonName.objects.filter(person=person).update(name_digests="")
    assert not persons_named("Tulet").filter(pk=person.pk).exists()
    importlib.import_module("habeas.registry.migrations.0009_name_word_starts").add_word_starts(apps, None)
    assert persons_named("Tulet").filter(pk=person.pk).exists()
    assert persons_named("Roza Tuletaeva", exact=True).get() == person
