from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from habeas.registry.models import Group

pytestmark = pytest.mark.django_db


def test_it_rejects_a_negative_size_and_names_the_field():
    with pytest.raises(ValidationError) as caught:
        Group(label="defendants", size=-37).full_clean()
    assert "size" in caught.value.message_dict


def test_the_database_refuses_a_negative_size():
    with pytest.raises(IntegrityError), transaction.atomic():
        Group.objects.create(label="defendants", size=-1)


def test_a_group_without_a_size_must_say_the_number_is_unknown():
    with pytest.raises(ValidationError, match="give a size, or say the number is unknown"):
        Group(label="detainees", size=None).full_clean()
    Group(label="detainees", size=None, size_qualifier="unknown").full_clean()


def test_the_size_is_shown_with_its_qualifier():
    assert Group(label="detainees", size=700, size_qualifier="up_to").size_text() == "up to 700"
    assert Group(label="defendants", size=37).size_text() == "37"
