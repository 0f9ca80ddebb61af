"""The demo's illustrative lists of the people detained in Zhanaozen (synthetic names): three kinds of source,
linked and estimated, and marked illustrative on every page that shows them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from habeas.accounts.models import Team
from habeas.counting.models import EstimateRun, LinkageRun, SourceList
from habeas.demo.lists import demo_lists

pytestmark = pytest.mark.django_db
MARK = "illustrative: synthetic names"


@pytest.fixture
def estimate(world):
    return demo_lists(team=Team.objects.get(name="A"), user=world["owner"])


def test_three_kinds_of_list_are_linked_and_estimated_with_an_interval(estimate):
    lists = SourceList.objects.filter(illustrative=True)
    assert lists.count() == 3 and all(lst.team.name == "A" for lst in lists)
    assert estimate.linkage.status == "done" and estimate.illustrative
    assert estimate.linkage.people < estimate.linkage.records  # the lists name some people more than once
    assert estimate.observed == estimate.linkage.people
    assert estimate.ci_low <= estimate.estimate <= estimate.ci_high
    assert estimate.estimate > estimate.observed  # people no list recorded


def test_every_page_that_shows_them_marks_them_illustrative(client, world, estimate):
    client.force_login(world["member"])
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "No estimates yet" not in dashboard and MARK in dashboard
    workspace = client.get(reverse("counting")).content.decode()
    assert workspace.count(MARK) >= 3 + 1 + 1  # each list, the run, the estimate
    for url in (
        reverse("linkage_run_detail", args=[estimate.linkage.pk]),
        reverse("estimate_detail", args=[estimate.pk]),
        reverse("review_queue", args=[estimate.linkage.pk]),
    ):
        assert MARK in client.get(url).content.decode(), url


def test_real_lists_are_not_marked(client, world, estimate):
    for model in (SourceList, LinkageRun, EstimateRun):
        model.objects.update(illustrative=False)
    client.force_login(world["member"])
    assert MARK not in client.get(reverse("counting")).content.decode()
