from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from habeas.cases.models import Sentence
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_sentence_belongs_to_a_verdict():
    with pytest.raises(ValidationError) as caught:
        Sentence(kind="prison", months=60).full_clean()
    assert "verdict" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Sentence.objects.create(kind="prison", months=60)


def test_the_longest_term_of_a_range_is_not_shorter_than_the_term():
    with pytest.raises(ValidationError, match="longest term must not be shorter"):
        Sentence(verdict=factories.verdict(), kind="prison", months=84, months_max=60).full_clean()


def test_a_life_sentence_has_no_term():
    with pytest.raises(ValidationError, match="life sentence has no term"):
        Sentence(verdict=factories.verdict(), kind="life", months=300).full_clean()
