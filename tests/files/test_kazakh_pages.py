"""Kazakh, the state language of Kazakhstan: a person's and a place's file read in Kazakh, facts, standards and
findings included, with no English left around the records' own words."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from habeas.accounts.models import Team
from habeas.registry.models import Person, Place
from habeas.standards.services import findings_evaluate

pytestmark = pytest.mark.django_db
SEVERITIES = {"info", "low", "medium", "high", "critical"}
KAZAKH = re.compile(r"[әғқңөұүһі]", re.IGNORECASE)  # letters Kazakh has and Russian has not


def test_on_kazakh_pages_facts_standards_and_findings_are_in_kazakh(client, world, settings):
    findings_evaluate(profile_name="kz")
    client.force_login(world["member"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    team = Team.objects.get(name="A")
    pages = [
        reverse("person_detail", args=[pk]) for pk in Person.objects.filter(team=team).values_list("pk", flat=True)
    ]
    pages += [reverse("place_detail", args=[pk]) for pk in Place.objects.filter(team=team).values_list("pk", flat=True)]
    summaries = []
    for url in pages:
        page = client.get(url).content.decode()
        assert '<html lang="kk"' in page, url
        assert not re.findall(r"<dt>[A-Za-z][^<]*</dt>", page), url  # no fact of any record named in English
        assert "Mandela Rules" not in page and "Convention against Torture" not in page, url
        assert "Нельсон Мандела ережелері" in page or "Конвенция" not in page, url
        summaries += re.findall(r'<div class="finding [a-z]+">.*?<p>(.*?)</p>', page, re.DOTALL)
    assert len(summaries) > 20
    for summary in summaries:  # what each finding found, in Kazakh around the records' own words
        english = re.search(r"\b(limit|days?|hours?|learned|consecutive|allowed|recorded|ago)\b", summary)
        assert KAZAKH.search(summary) and not english, summary


def test_the_dashboard_and_lists_are_in_kazakh(client, world, settings):
    client.force_login(world["member"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    for name in ("dashboard", "person_list", "place_list", "visit_list", "recommendation_list"):
        page = client.get(reverse(name)).content.decode()
        nav = re.search(r"<nav.*?</nav>", page, re.DOTALL)
        assert nav and "Басқару тақтасы" in nav.group(0) and "Dashboard" not in nav.group(0), name
        assert 'value="kk" lang="kk" title="Қазақша"' in page, name  # the language can be chosen


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_methods_of_torture_are_named_in_the_readers_language(client, world, settings, language):
    from django.utils import translation

    from habeas.cases.models import Allegation

    allegation = Allegation.objects.filter(victim__isnull=False, methods__isnull=False).distinct().first()
    methods = list(allegation.methods.all())
    client.force_login(world["member"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("person_detail", args=[allegation.victim_id])).content.decode()
    with translation.override(language):
        shown = [str(method) for method in methods]
    for method, name in zip(methods, shown, strict=True):
        assert name != method.name and name in page, method.name


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_severity_styles_do_not_depend_on_the_language(client, world, settings, language):
    findings_evaluate(profile_name="kz")
    client.force_login(world["member"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    team = Team.objects.get(name="A")
    levels = set()
    for pk in Place.objects.filter(team=team).values_list("pk", flat=True):
        page = client.get(reverse("place_detail", args=[pk])).content.decode()
        levels |= set(re.findall(r'<span class="badge (\w+)">', page))
    for pk in Person.objects.filter(team=team).order_by("pk").values_list("pk", flat=True)[:40]:
        page = client.get(reverse("person_detail", args=[pk])).content.decode()
        levels |= set(re.findall(r'<span class="badge (\w+)">', page))
    assert {"critical", "high"} & levels and levels <= {"breach", "possible", "alleged", "gap", *SEVERITIES}, levels
