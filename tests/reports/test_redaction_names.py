"""Redaction by what is known: a known person's name found in the text of a partner or public export (another
record's name, a finding's sentence, a source's title or section) is replaced by the person's pseudonym, in
whichever script or transliteration it was typed; and the findings keep their sentence and their sources."""

from __future__ import annotations

import pytest

from habeas.accounts.models import Team
from habeas.registry.models import Organisation, Person, PersonName
from habeas.reports.redaction_names import KnownNames
from habeas.reports.selectors import person_pseudonym
from habeas.standards.services import findings_evaluate
from tests import factories
from tests.protected import leaks, protected_texts
from tests.reports.conftest import export, records, unzip

PROFILES = ["public", "partner"]


def person(label: str) -> Person:
    return next(p for p in Person.objects.all() if p.label == label)


def rename_organisation(name: str) -> Organisation:
    organisation = Organisation.objects.filter(team__name="A").order_by("pk").first()
    Organisation.objects.filter(pk=organisation.pk).update(name=name)
    return organisation


@pytest.mark.parametrize("profile", PROFILES)
def test_a_victims_name_typed_into_an_organisations_name_does_not_reach_the_export(world, profile):
    rename_organisation("Tuletaeva, Roza — support committee")
    blob, _ = export(world["member"], profile, "csv")
    organisations = unzip(blob)["registry.organisation.csv"]
    assert leaks(organisations.encode(), {"Tuletaeva", "Roza"}) == []
    assert f"{person_pseudonym(person('Roza Tuletaeva').pk)} — support committee" in organisations


def test_a_latin_transliteration_of_a_cyrillic_name_is_caught(world):
    victim = factories.person("Жанар Ахметова", team=Team.objects.get(name="A"))
    factories.saved(
        PersonName(person=victim, full_name="Жанар Ахметова", given_name="Жанар", family_name="Ахметова", script="Cyrl")
    )
    rename_organisation("Zhanar Akhmetova Foundation")
    blob, _ = export(world["member"], "public")
    names = [row["name"] for row in records(blob)["registry.organisation"]]
    assert f"{person_pseudonym(victim.pk)} Foundation" in names
    assert leaks(blob, {"Zhanar", "Akhmetova", "Жанар", "Ахметова"}) == []


def test_officials_named_by_the_profile_keep_their_names_in_text(world):
    official = next(p for p in Person.objects.filter(team__name="A") if p.position and p.names.exists())
    name = official.names.order_by("pk").first().full_name
    rename_organisation(f"Office of {name}")
    blob, _ = export(world["member"], "public")
    assert f"Office of {name}" in [row["name"] for row in records(blob)["registry.organisation"]]


def test_two_words_of_one_name_are_a_name_and_a_lone_word_or_words_of_two_people_are_not(world):
    tian = person("Dmitri Tian")
    known = KnownNames(["Dmitri Tian", "Roza Street", "Roza Tian"])
    assert known.redact("the case of Dmitri Tian, in court") == f"the case of {person_pseudonym(tian.pk)}, in court"
    assert known.redact("Tian, Dmitri") == person_pseudonym(tian.pk)
    assert known.redact("Roza Street") == "Roza Street"
    assert known.redact("Roza Tian") == "Roza Tian"  # one word of each of two people


@pytest.mark.parametrize("profile", PROFILES)
def test_findings_keep_their_sentence_and_sources_with_no_protected_name(world, profile):
    findings_evaluate(profile_name="kz")
    blob, _ = export(world["member"], profile)
    findings = records(blob)["standards.finding"]
    assert findings and all(row["summary"] for row in findings)
    cited = [source for row in findings for source in row["sources"]]
    title = "Old habits: the routine use of torture and other ill-treatment in Kazakhstan"
    assert cited and all(source.startswith(title + " — ") for source in cited)
    assert any(person_pseudonym(person("Roza Tuletaeva").pk) in source for source in cited)  # the section
    assert leaks(blob, protected_texts()) == []


def test_the_findings_sentences_are_in_the_language_chosen(world):
    findings_evaluate(profile_name="kz")
    english = records(export(world["member"], "partner")[0])["standards.finding"]
    from io import BytesIO

    from habeas.reports.services import export_write

    out = BytesIO()
    export_write(user=world["member"], profile="partner", format="json", out=out, language="ru")
    russian = records(out.getvalue())["standards.finding"]
    assert [row["id"] for row in russian] == [row["id"] for row in english]
    assert any(a["summary"] != b["summary"] for a, b in zip(russian, english, strict=True))
    assert any(any("а" <= letter <= "я" for letter in row["summary"]) for row in russian)
