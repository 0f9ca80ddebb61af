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


@pytest.mark.parametrize(
    ("language", "months", "months_max", "ends"),
    [
        ("en", 1, None, "1 month"),
        ("en", 300, None, "300 months"),
        ("en", 60, 84, "60–84 months"),
        ("ru", 21, None, "21 месяц"),
        ("ru", 3, None, "3 месяца"),
        ("ru", 300, None, "300 месяцев"),
        ("ru", 60, 84, "60–84 месяца"),
    ],
)
def test_a_term_is_written_in_the_readers_language(language, months, months_max, ends):
    from django.utils import translation

    sentence = Sentence(kind="prison", months=months, months_max=months_max)
    with translation.override(language):
        text = str(sentence)
        assert text == f"{Sentence.Kind.IMPRISONMENT.label}, {ends}"
