"""Fixtures shared by the tests of the pages and of the access rules: the demo records and one user per
persona."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from habeas.accounts.models import Membership, Role, Team
from habeas.core.dataload import records_load
from habeas.demo import DATA_FILE
from habeas.registry.services import gazetteer_seed

PASSWORD = "a-long-test-password"
PERSONAS = ["anonymous", "superuser", "owner", "member", "readonly", "outsider"]


@pytest.fixture
def world(db):
    """The demo records in team A; a superuser, an owner (administrator), a member (researcher), a read-only
    member of A, and an outsider (a researcher of team B)."""
    gazetteer_seed(country="KZ")
    team_a, team_b = Team.objects.create(name="A"), Team.objects.create(name="B")
    records_load(path=DATA_FILE, team=team_a)
    model = get_user_model()
    users = {"superuser": model.objects.create_superuser("superuser", "", PASSWORD)}
    for name, team, role in [
        ("owner", team_a, Role.ADMINISTRATOR),
        ("member", team_a, Role.RESEARCHER),
        ("readonly", team_a, Role.READ_ONLY),
        ("outsider", team_b, Role.RESEARCHER),
    ]:
        users[name] = model.objects.create_user(name, "", PASSWORD, is_staff=True)
        Membership.objects.create(user=users[name], team=team, role=role)
    return users
