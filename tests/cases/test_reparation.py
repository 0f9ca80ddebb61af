from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from habeas.cases.models import Reparation

pytestmark = pytest.mark.django_db


def test_an_amount_needs_its_currency():
    with pytest.raises(ValidationError, match="an amount needs its currency"):
        Reparation(kind="moral", amount=Decimal(1_000_000)).full_clean()


def test_a_negative_amount_is_rejected_with_the_field_named():
    with pytest.raises(ValidationError) as caught:
        Reparation(kind="moral", amount=Decimal(-5), currency="KZT").full_clean()
    assert "amount" in caught.value.message_dict


def test_an_unpaid_reparation_has_no_payment_date():
    with pytest.raises(ValidationError, match="unpaid reparation has no payment date"):
        Reparation(
            kind="moral", status="unpaid", ordered_on=dt.date(2012, 5, 17), paid_on=dt.date(2013, 1, 1)
        ).full_clean()
