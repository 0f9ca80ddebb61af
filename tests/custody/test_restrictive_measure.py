from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from habeas.custody.models import RestrictiveMeasure
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_rejects_more_than_24_hours_of_confinement_a_day():
    measure = RestrictiveMeasure(custody=factories.custody(), kind="solitary", hours_confined_per_day=25)
    with pytest.raises(ValidationError, match="cannot exceed 24"):
        measure.full_clean()


def test_it_rejects_an_end_before_the_start():
    measure = RestrictiveMeasure(
        custody=factories.custody(),
        kind="solitary",
        started_on=dt.date(2012, 11, 1),
        ended_on=dt.date(2012, 1, 1),
    )
    with pytest.raises(ValidationError) as caught:
        measure.full_clean()
    assert "ended_on" in caught.value.message_dict


def test_a_year_precise_end_may_share_the_year_of_its_start():
    measure = RestrictiveMeasure(
        custody=factories.custody(),
        kind="solitary",
        started_on=dt.date(2010, 1, 1),
        started_on_precision="year",
        ended_on=dt.date(2010, 1, 1),
        ended_on_precision="year",
    )
    measure.full_clean()
