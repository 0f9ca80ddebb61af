from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from habeas.cases.models import Allegation
from habeas.registry.models import Group
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_allegation_needs_a_victim():
    with pytest.raises(ValidationError, match="give exactly one victim"):
        Allegation(summary="beaten").full_clean()


def test_an_allegation_cannot_name_both_a_person_and_a_group_as_victim():
    group = Group.objects.create(label="defendants", size=37)
    with pytest.raises(ValidationError, match="give exactly one victim"):
        Allegation(summary="beaten", victim=factories.person(), victim_group=group).full_clean()
