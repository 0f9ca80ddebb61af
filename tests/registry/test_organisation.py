from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests import factories

pytestmark = pytest.mark.django_db


def test_a_unit_knows_the_ministry_it_belongs_to():
    ministry = factories.organisation("Ministry of Internal Affairs", "ministry")
    service = factories.organisation("Internal Security Service", "service", parent=ministry)
    unit = factories.organisation("Regional team", "unit", parent=service)
    assert unit.agency() == ministry
    assert [o.name for o in unit.chain()] == [
        "Regional team",
        "Internal Security Service",
        "Ministry of Internal Affairs",
    ]


def test_an_organisation_cannot_be_part_of_itself():
    ministry = factories.organisation()
    ministry.parent = ministry
    with pytest.raises(ValidationError, match="cannot be part of itself"):
        ministry.full_clean()
