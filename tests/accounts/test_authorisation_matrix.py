"""Every URL of the project, as every role and as an outsider: the status each should get.

URLs are enumerated from the URL resolver, so a new page is covered without touching this test. A record of
another team does not exist for the user (404); a page the role may only read refuses writes (403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from habeas.accounts.recordadmin import RolePermissions, SharedDataAdmin
from tests.accounts import pages as accounts_pages
from tests.api import pages as api_pages
from tests.cases import pages as cases_pages
from tests.conftest import PERSONAS, READERS
from tests.counting import pages as counting_pages
from tests.custody import pages as custody_pages
from tests.evidence import pages as evidence_pages
from tests.files import pages as files_pages
from tests.monitoring import pages as monitoring_pages
from tests.pages import MEMBER_PAGE
from tests.reports import pages as reports_pages

pytestmark = pytest.mark.django_db
SKIPPED = {"admin:view_on_site", "admin:autocomplete"}
#: personas who may add records: the writing roles (of team A, or of team B for the outsider)
WRITERS = [
    p for p in PERSONAS if p not in (*READERS, "anonymous", "superuser")
]  # redirects to a record's public page; a JSON helper


def named_urls(resolver: URLResolver, namespace: str = "") -> list[tuple[str, URLPattern]]:
    out = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            out += named_urls(pattern, inner)
        elif pattern.name:
            out.append((f"{namespace}{pattern.name}", pattern))
    return out


def target(name: str) -> tuple[type | None, str]:
    """The model an admin URL name is about, and the kind of page."""
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model, name.removeprefix(prefix)
    return None, name.removeprefix("admin:")


def expected(persona: str, model: type | None, kind: str, has_object: bool) -> int:
    if persona == "anonymous":
        return 200 if kind == "login" else 302
    if model is None:
        return {"login": 302, "logout": 405, "app_list": 200}.get(kind, 200)
    model_admin = admin.site._registry[model]
    role_based = isinstance(model_admin, RolePermissions)
    owned = any(f.name == "team" for f in model._meta.fields)
    if persona == "superuser":
        request = _Request(persona)
        allowed = {"add": model_admin.has_add_permission(request), "delete": model_admin.has_delete_permission(request)}
        return 200 if allowed.get(kind, True) else 403
    if not role_based:
        return 403
    if model_admin.has_module_permission(_Request(persona)) is False:
        return 403
    if kind == "changelist":
        return 200
    shared = isinstance(model_admin, SharedDataAdmin)  # localities, methods: the instance administrators'
    if kind == "add":
        return 200 if persona in WRITERS and not shared else 403
    if owned and persona == "outsider":
        return 404
    if kind in ("change", "history"):
        return 200
    if kind == "delete":
        return 200 if persona == "owner" and not shared else 403
    raise AssertionError(kind)


class _Request:
    def __init__(self, persona: str) -> None:
        self.user = get_user_model().objects.get(username=persona)


#: the project's own pages outside the admin: the status each persona gets. A new page fails
#: ``test_every_page_outside_the_admin_has_its_expectations`` until it is listed here or in its app's
#: ``tests/<app>/pages.py``.
OWN_PAGES: dict[str, dict[str, int]] = {
    # confirming one's password: for anyone logged in; anonymous visitors are sent to log in
    "reauth": MEMBER_PAGE,
    # switching the language: a POST form; a GET changes nothing and goes back to the dashboard
    "set_language": dict.fromkeys(PERSONAS, 302),
}
#: the arguments of the pages whose URL has some: a record of team A from the demo data
URL_ARGUMENTS: dict[str, Callable[[], dict[str, Any]]] = {}
for _app in (
    accounts_pages,
    cases_pages,
    counting_pages,
    custody_pages,
    evidence_pages,
    files_pages,
    monitoring_pages,
    reports_pages,
):
    OWN_PAGES.update(_app.PAGES)
    URL_ARGUMENTS.update(_app.URL_ARGUMENTS)
OWN_PAGES.update(api_pages.PAGES)  # the API's URLs, which answer a browser's session 401
URL_ARGUMENTS.update(api_pages.URL_ARGUMENTS)


def own_pages() -> list[str]:
    return sorted(name for name, _ in named_urls(get_resolver()) if not name.startswith("admin:"))


def test_every_page_outside_the_admin_has_its_expectations():
    assert set(own_pages()) == set(OWN_PAGES)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_outside_the_admin_as_every_persona(client, world, persona):
    if persona != "anonymous":
        client.force_login(world[persona])
    statuses = {
        name: client.get(reverse(name, kwargs=URL_ARGUMENTS[name]() if name in URL_ARGUMENTS else None)).status_code
        for name in own_pages()
    }
    assert statuses == {name: OWN_PAGES[name][persona] for name in own_pages()}


def url_cases():
    cases = []
    for name, pattern in named_urls(get_resolver()):
        if not name.startswith("admin:") or name in SKIPPED:
            continue
        model, kind = target(name)
        cases.append((name, model, kind, bool(getattr(pattern.pattern, "converters", {}))))
    return cases


def test_the_matrix_covers_every_admin_page():
    kinds = {kind for _, _, kind, _ in url_cases()}
    assert {"changelist", "add", "change", "delete", "history", "index", "login"} <= kinds


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_as_every_persona(client, world, persona):
    if persona != "anonymous":
        client.force_login(world[persona])
    failures = []
    for name, model, kind, has_object in url_cases():
        if kind == "app_list":
            for app_label in {m._meta.app_label for m in admin.site._registry}:
                status = client.get(reverse(name, kwargs={"app_label": app_label})).status_code
                if persona == "anonymous":
                    want = 302
                elif persona == "superuser":
                    want = 200
                else:
                    visible = [
                        m
                        for m, a in admin.site._registry.items()
                        if m._meta.app_label == app_label and a.has_module_permission(_Request(persona))
                    ]
                    want = 200 if visible else 404
                if status != want:
                    failures.append(f"{name}[{app_label}]: {status}, expected {want}")
            continue
        if has_object:
            instance = model._default_manager.order_by("pk").first() if model else None
            if instance is None:
                continue  # no record of this kind in the demo data
            url = reverse(name, args=[instance.pk])
        else:
            try:
                url = reverse(name)
            except Exception:
                failures.append(f"{name}: cannot build the URL")
                continue
        status = client.get(url).status_code
        want = expected(persona, model, kind, has_object)
        if status != want:
            failures.append(f"{name} ({url}): {status}, expected {want}")
    assert failures == []


@pytest.mark.parametrize("persona", ["readonly", "outsider"])
def test_a_write_the_role_may_not_make_is_refused(client, world, persona):
    from habeas.registry.models import Person

    client.force_login(world[persona])
    person = Person.objects.order_by("pk").first()
    response = client.post(reverse("admin:registry_person_change", args=[person.pk]), {"label": "changed"})
    assert response.status_code == (403 if persona == "readonly" else 404)
    person.refresh_from_db()
    assert person.label != "changed"


# The admin's forms: a new record's team and every record it may link to are among those the user may write;
# a POST naming another team's record is refused on that field. Users of two teams included.

#: who writes in which team, beside the personas' own memberships: (persona, team, role) added
TWO_TEAMS = {
    "member+readonly of B": ("member", "B", "read_only"),
    "member+analyst of B": ("member", "B", "analyst"),
    "member+researcher of B": ("member", "B", "researcher"),
    "outsider+readonly of A": ("outsider", "A", "read_only"),
}


def _owned(model: Any) -> bool:
    return any(f.name == "team" for f in model._meta.fields)


def _forms(user: Any) -> list[tuple[str, Any, Callable[[dict[str, Any]], Any]]]:
    """Every add form of the admin the user may open, and the form of its inline rows: (name, an unbound form,
    a function that binds such a form to data — an inline row in its formset, for a record of team B)."""
    from django.test import RequestFactory

    from habeas.accounts.models import Team

    request = RequestFactory().get("/")
    request.user = user
    found: list[tuple[str, Any, Callable[[dict[str, Any]], Any]]] = []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, RolePermissions) or not model_admin.has_add_permission(request):
            continue
        form_class = model_admin.get_form(request, None, change=False)
        found.append((model._meta.label_lower, form_class(), lambda data, f=form_class: f(data=data)))
        for inline in model_admin.get_inline_instances(request, None):
            formset = inline.get_formset(request)

            def row(data: dict[str, Any], formset: Any = formset, parent: Any = model) -> Any:
                prefix = formset.get_default_prefix()
                rows = {f"{prefix}-0-{k}": v for k, v in data.items() if k != "team"}
                management = {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0"}
                bound = formset(data={**management, **rows}, instance=parent(team=Team.objects.get(name="B")))
                bound.is_valid()
                return bound.forms[0]

            name = f"{model._meta.label_lower} / {inline.model._meta.label_lower}"
            # a row's link to its record is the record itself, not a choice: the empty row leaves it out
            found.append((name, formset(instance=model()).empty_form, row))
    return found


def _persona(world: Any, case: str) -> Any:
    from habeas.accounts.models import Membership, Team

    if case in TWO_TEAMS:
        persona, team, role = TWO_TEAMS[case]
        Membership.objects.create(user=world[persona], team=Team.objects.get(name=team), role=role)
        return world[persona]
    return world[case]


@pytest.mark.parametrize("case", [*WRITERS, "superuser", *TWO_TEAMS])
def test_every_admin_form_offers_only_the_teams_and_records_the_user_may_write(world, case):
    from django import forms

    from habeas.accounts.access import writable_team_ids
    from habeas.accounts.models import Team
    from habeas.accounts.viewer import viewer_for

    user = _persona(world, case)
    writable = writable_team_ids(viewer_for(user))
    teams = set(Team.objects.values_list("pk", flat=True)) if writable is None else set(writable)
    offered = []
    for name, form, _ in _forms(user):
        for field_name, field in form.fields.items():
            if not isinstance(field, forms.ModelChoiceField) or field_name == form._meta.model._meta.pk.name:
                continue  # a row's own id is looked up among its record's rows only
            if field_name == "team" and field.queryset.model is Team:
                assert field.required or len(teams) == 1, name  # a writer of one team needs not choose it
                offered.append(set(field.queryset.values_list("pk", flat=True)) == teams)
            elif _owned(field.queryset.model):
                assert not field.queryset.exclude(team_id__in=teams).exists(), f"{name}.{field_name}"
    assert offered and all(offered)


@pytest.mark.parametrize("case", ["outsider", "outsider+readonly of A", "member+researcher of B"])
def test_every_admin_form_refuses_a_post_naming_a_record_of_another_team(world, case):
    """Each form is given a team-B record with, in each of its choices of a record, one of team A: every such
    choice has its error (not offered to one who may not write in A; of another team than the record's for a
    writer of both)."""
    from django import forms

    from habeas.accounts.models import Team

    user = _persona(world, case)
    b = Team.objects.get(name="B")
    checked = 0
    for name, form, bind in _forms(user):
        for field_name, field in form.fields.items():
            model = field.queryset.model if isinstance(field, forms.ModelChoiceField) else None
            if model is None or field_name in ("team", form._meta.model._meta.pk.name) or not _owned(model):
                continue
            theirs = model._default_manager.filter(team__name="A").order_by("pk").first()
            if theirs is None:
                continue
            value = [theirs.pk] if isinstance(field, forms.ModelMultipleChoiceField) else theirs.pk
            bound = bind({"team": b.pk, field_name: value})
            assert field_name in bound.errors, f"{name}.{field_name} accepts team A's {model._meta.label_lower}"
            checked += 1
    assert checked > 20
