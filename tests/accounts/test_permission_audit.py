"""Changes of who may do what are permission events: granting, changing and revoking a team membership
(through the services, and through the admin's team and user pages), and a user's superuser, staff and
active flags, groups and permissions. Each change is exactly one event, with the old and the new value."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from habeas.accounts.models import AuditEvent, Membership, Role, Team
from habeas.accounts.services import (
    audit_verify,
    membership_change,
    membership_grant,
    membership_revoke,
    user_access_change,
)
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


class FormData(HTMLParser):
    """The values a browser would submit from the page's main form (checked boxes, selected options)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "select" and name and "disabled" not in a:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value") or "")
        elif tag == "textarea" and name and "disabled" not in a:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][0] += data


def form_of(client, url: str) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    parser = FormData()
    parser.feed(response.content.decode())
    data = {k: v for k, v in parser.data.items() if k != "csrfmiddlewaretoken"}
    return data


def permission_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="permission").order_by("seq"))


@pytest.fixture
def world():
    model = get_user_model()
    return {
        "root": factories.superuser("root"),
        "team": Team.objects.create(name="A"),
        "lawyer": model.objects.create_user("lawyer1", "", PASSWORD, is_staff=True),
    }


@pytest.fixture
def root_client(client, world):
    client.force_login(world["root"])
    return client


# The services


def test_a_grant_is_one_event_with_the_user_team_and_new_role(world):
    membership = membership_grant(team=world["team"], user=world["lawyer"], role=Role.LAWYER, actor=world["root"])
    [event] = permission_events()
    assert event.actor == world["root"] and event.target_id == str(membership.pk)
    assert event.details == {
        "user": "lawyer1",
        "user_id": world["lawyer"].pk,
        "team": "A",
        "team_id": world["team"].pk,
        "old_role": None,
        "new_role": "lawyer",
        "identities": {"old": None, "new": False},
    }


def test_a_change_records_the_old_and_the_new_role(world):
    membership = membership_grant(team=world["team"], user=world["lawyer"], role=Role.LAWYER, actor=world["root"])
    membership_change(membership=membership, role=Role.READ_ONLY, actor=world["root"])
    event = permission_events()[-1]
    assert (event.details["old_role"], event.details["new_role"]) == ("lawyer", "readonly")
    assert Membership.objects.get(pk=membership.pk).role == Role.READ_ONLY


def test_granting_an_analyst_identities_is_a_permission_event(world):
    membership = membership_grant(team=world["team"], user=world["lawyer"], role=Role.ANALYST, actor=world["root"])
    membership_change(membership=membership, role=Role.ANALYST, identities=True, actor=world["root"])
    event = permission_events()[-1]
    assert event.details["identities"] == {"old": False, "new": True}
    assert "granted identities" in event.summary
    assert Membership.objects.get(pk=membership.pk).identities is True


def test_a_change_to_the_same_role_records_nothing(world):
    membership = membership_grant(team=world["team"], user=world["lawyer"], role=Role.LAWYER, actor=world["root"])
    membership_change(membership=membership, role=Role.LAWYER, actor=world["root"])
    assert len(permission_events()) == 1


def test_a_revocation_removes_the_membership_and_records_the_role_it_had(world, django_capture_on_commit_callbacks):
    membership = membership_grant(team=world["team"], user=world["lawyer"], role=Role.LAWYER, actor=world["root"])
    with django_capture_on_commit_callbacks(execute=True):  # the audit checkpoint is written on commit
        membership_revoke(membership=membership, actor=world["root"])
    assert not Membership.objects.exists()
    event = permission_events()[-1]
    assert (event.details["user"], event.details["team"]) == ("lawyer1", "A")
    assert (event.details["old_role"], event.details["new_role"]) == ("lawyer", None)
    assert audit_verify().intact


def test_a_grant_that_is_refused_records_nothing(world):
    membership_grant(team=world["team"], user=world["lawyer"], role=Role.LAWYER, actor=world["root"])
    with pytest.raises(ValidationError):
        membership_grant(team=world["team"], user=world["lawyer"], role=Role.ANALYST, actor=world["root"])
    assert len(permission_events()) == 1


def test_a_change_of_flags_and_groups_is_one_event_with_old_and_new_values(world):
    group = Group.objects.create(name="auditors")
    user_access_change(
        user=world["lawyer"], actor=world["root"], flags={"is_superuser": True, "is_active": True}, groups=[group]
    )
    [event] = permission_events()
    assert event.details["changes"] == {
        "is_superuser": {"old": False, "new": True},
        "groups": {"old": [], "new": ["auditors"]},
    }
    world["lawyer"].refresh_from_db()
    assert world["lawyer"].is_superuser and list(world["lawyer"].groups.all()) == [group]


def test_a_name_that_is_not_an_account_flag_is_refused(world):
    with pytest.raises(ValueError, match="not an account flag"):
        user_access_change(user=world["lawyer"], actor=world["root"], flags={"is_admin": True})


# The admin's team page


def team_url(team: Team) -> str:
    return reverse("admin:accounts_team_change", args=[team.pk])


def add_member(data: dict[str, list[str]], team: Team, user, role: str) -> None:
    index = int(data["memberships-TOTAL_FORMS"][0])
    data["memberships-TOTAL_FORMS"] = [str(index + 1)]
    data.update(
        {
            f"memberships-{index}-team": [str(team.pk)],
            f"memberships-{index}-user": [str(user.pk)],
            f"memberships-{index}-role": [role],
        }
    )


def test_adding_a_member_in_the_admin_is_exactly_one_permission_event(root_client, world):
    data = form_of(root_client, team_url(world["team"]))
    add_member(data, world["team"], world["lawyer"], Role.LAWYER)
    before = AuditEvent.objects.count()
    response = root_client.post(team_url(world["team"]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Membership.objects.get(user=world["lawyer"]).role == Role.LAWYER
    [event] = permission_events()
    assert event.details["new_role"] == "lawyer" and event.details["old_role"] is None
    actions = list(AuditEvent.objects.filter(seq__gt=before).values_list("action", "target_type"))
    assert ("create", "accounts.membership") not in actions  # the service's event, not a second one


def test_changing_a_role_in_the_admin_is_exactly_one_permission_event(root_client, world):
    membership_grant(team=world["team"], user=world["lawyer"], role=Role.LAWYER, actor=world["root"])
    data = form_of(root_client, team_url(world["team"]))
    data["memberships-0-role"] = [Role.READ_ONLY]
    assert root_client.post(team_url(world["team"]), data).status_code == 302
    events = permission_events()
    assert len(events) == 2
    assert (events[-1].details["old_role"], events[-1].details["new_role"]) == ("lawyer", "readonly")
    assert not AuditEvent.objects.filter(action="update", target_type="accounts.membership").exists()


def test_saving_the_team_unchanged_records_no_permission_event(root_client, world):
    membership_grant(team=world["team"], user=world["lawyer"], role=Role.LAWYER, actor=world["root"])
    data = form_of(root_client, team_url(world["team"]))
    assert root_client.post(team_url(world["team"]), data).status_code == 302
    assert len(permission_events()) == 1


def test_removing_a_member_in_the_admin_is_exactly_one_permission_event(root_client, world):
    membership_grant(team=world["team"], user=world["lawyer"], role=Role.LAWYER, actor=world["root"])
    data = form_of(root_client, team_url(world["team"]))
    data["memberships-0-DELETE"] = ["on"]
    assert root_client.post(team_url(world["team"]), data).status_code == 302
    assert not Membership.objects.exists()
    events = permission_events()
    assert len(events) == 2 and events[-1].details["new_role"] is None
    assert not AuditEvent.objects.filter(action="delete", target_type="accounts.membership").exists()


def test_an_existing_member_cannot_be_moved_to_another_user(root_client, world):
    other = get_user_model().objects.create_user("other", "", PASSWORD)
    membership = membership_grant(team=world["team"], user=world["lawyer"], role=Role.LAWYER, actor=world["root"])
    data = form_of(root_client, team_url(world["team"]))
    data["memberships-0-user"] = [str(other.pk)]  # the field is disabled: the posted value is ignored
    root_client.post(team_url(world["team"]), data)
    assert Membership.objects.get(pk=membership.pk).user == world["lawyer"]


def test_only_superusers_manage_teams(client, world):
    membership_grant(team=world["team"], user=world["lawyer"], role=Role.ADMINISTRATOR, actor=world["root"])
    client.force_login(world["lawyer"])
    assert client.get(reverse("admin:accounts_team_changelist")).status_code == 403
    assert client.get(team_url(world["team"])).status_code == 403
    assert client.get(reverse("admin:auth_user_change", args=[world["lawyer"].pk])).status_code == 403


# The admin's user page


def user_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


@pytest.mark.parametrize(("flag", "value"), [("is_superuser", True), ("is_staff", False), ("is_active", False)])
def test_changing_a_flag_in_the_admin_is_exactly_one_permission_event(root_client, world, flag, value):
    data = form_of(root_client, user_url(world["lawyer"]))
    if value:
        data[flag] = ["on"]
    else:
        data.pop(flag, None)
    data["first_name"] = ["Lawyer"]
    response = root_client.post(user_url(world["lawyer"]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    world["lawyer"].refresh_from_db()
    assert getattr(world["lawyer"], flag) is value and world["lawyer"].first_name == "Lawyer"
    [event] = permission_events()
    assert event.target_id == str(world["lawyer"].pk) and event.actor == world["root"]
    assert event.details["changes"] == {flag: {"old": not value, "new": value}}


def test_saving_a_user_with_the_same_flags_records_no_permission_event(root_client, world):
    data = form_of(root_client, user_url(world["lawyer"]))
    data["last_name"] = ["Changed"]
    assert root_client.post(user_url(world["lawyer"]), data).status_code == 302
    assert permission_events() == []
    assert AuditEvent.objects.filter(action="update", target_type="auth.user").exists()


def test_a_group_given_in_the_admin_is_a_permission_event(root_client, world):
    group = Group.objects.create(name="auditors")
    data = form_of(root_client, user_url(world["lawyer"]))
    data["groups"] = [str(group.pk)]
    assert root_client.post(user_url(world["lawyer"]), data).status_code == 302
    assert list(world["lawyer"].groups.all()) == [group]
    [event] = permission_events()
    assert event.details["changes"] == {"groups": {"old": [], "new": ["auditors"]}}


def test_a_team_given_on_the_user_page_is_exactly_one_permission_event(root_client, world):
    data = form_of(root_client, user_url(world["lawyer"]))
    index = int(data["memberships-TOTAL_FORMS"][0])
    data["memberships-TOTAL_FORMS"] = [str(index + 1)]
    data[f"memberships-{index}-user"] = [str(world["lawyer"].pk)]
    data[f"memberships-{index}-team"] = [str(world["team"].pk)]
    data[f"memberships-{index}-role"] = [Role.ANALYST]
    assert root_client.post(user_url(world["lawyer"]), data).status_code == 302
    [event] = permission_events()
    assert (event.details["team"], event.details["new_role"]) == ("A", "analyst")


def test_deleting_a_user_revokes_their_memberships_as_permission_events(
    root_client, world, django_capture_on_commit_callbacks
):
    membership_grant(team=world["team"], user=world["lawyer"], role=Role.LAWYER, actor=world["root"])
    with django_capture_on_commit_callbacks(execute=True):  # the audit checkpoint is written on commit
        response = root_client.post(reverse("admin:auth_user_delete", args=[world["lawyer"].pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(username="lawyer1").exists()
    events = permission_events()
    assert len(events) == 2 and events[-1].details["old_role"] == "lawyer"
    assert AuditEvent.objects.filter(action="delete", target_type="auth.user").exists()
    assert audit_verify().intact
