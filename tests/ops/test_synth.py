"""`habeas synth`: a synthetic dataset, the same for the same seed."""

from __future__ import annotations

import pytest
from django.db import transaction

from habeas.accounts.models import Team
from habeas.custody.models import CustodyEpisode, RestrictiveMeasure
from habeas.ops.synth import OWNED, Sizes, synth
from habeas.registry.models import Person

pytestmark = pytest.mark.django_db


def snapshot(seed: int) -> tuple[int, list, list]:
    with transaction.atomic():
        sizes = synth(scale=0.002, seed=seed)
        episodes = list(
            CustodyEpisode.objects.order_by("pk").values_list(
                "person__label", "apprehended_at", "first_judge_at", "first_judge_at_precision"
            )
        )
        measures = list(RestrictiveMeasure.objects.order_by("pk").values_list("kind", "started_on", "ended_on"))
        assert len(episodes) == sizes.episodes == 2000
        assert Person.objects.count() == sizes.people
        transaction.set_rollback(True)
    return sizes.episodes, episodes, measures


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    first, second, other = snapshot(7), snapshot(7), snapshot(8)
    assert first == second
    assert first[1] != other[1]


def test_the_records_can_belong_to_a_team():
    team = Team.objects.create(name="Synthetic monitors")
    synth(scale=0.001, seed=3, team=team)
    for model in OWNED:
        assert model.objects.exists(), model
        assert not model.objects.exclude(team=team).exists(), model


def test_scale_one_is_national_scale():
    sizes = Sizes.at(1)
    assert (sizes.episodes, sizes.measures, sizes.allegations, sizes.places) == (1_000_000, 100_000, 50_000, 500)


def test_a_scale_that_is_not_positive_is_refused():
    with pytest.raises(ValueError, match="--scale must be positive"):
        synth(scale=0, seed=1)
