from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from habeas.custody.models import Transfer
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_rejects_a_transfer_to_the_same_place():
    prison = factories.place()
    transfer = Transfer(custody=factories.custody(), from_place=prison, to_place=prison)
    with pytest.raises(ValidationError, match="to place equals from place"):
        transfer.full_clean()


def test_it_rejects_an_arrival_before_the_departure_and_names_the_field():
    transfer = Transfer(
        custody=factories.custody(),
        from_place=factories.place("A"),
        to_place=factories.place("B"),
        departed_on=dt.date(2010, 11, 20),
        arrived_on=dt.date(2010, 11, 2),
    )
    with pytest.raises(ValidationError) as caught:
        transfer.full_clean()
    assert "arrived_on" in caught.value.message_dict
