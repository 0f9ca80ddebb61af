"""The demo records in team A, and one user per persona, for the export tests."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from habeas.accounts.models import Membership, Role, Team
from habeas.core.dataload import records_load
from habeas.demo import DATA_FILE
from habeas.registry.services import gazetteer_seed
from habeas.reports.services import ExportSummary, export_write

PASSWORD = "a-long-test-password"


@pytest.fixture
def world(db):
    """The demo records in team A; a superuser, an owner, a member, a read-only member and an outsider (B)."""
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


def export(user: Any, profile: Any = "public", fmt: str = "json") -> tuple[bytes, ExportSummary]:
    out = io.BytesIO()
    summary = export_write(user=user, profile=profile, format=fmt, out=out)
    return out.getvalue(), summary


def records(blob: bytes) -> dict[str, list[dict[str, Any]]]:
    return json.loads(blob)["records"]


def unzip(blob: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
