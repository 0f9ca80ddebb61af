"""Teams in the admin: a record's team is chosen once, among the teams its author writes in; a form links only
records of the record's own team, whatever a crafted POST names; shared reference data is the instance
administrators'; a source key is unique within a team only; moving records between teams is an
administrator's audited operation, after a recent password, that takes findings along."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from habeas.accounts.models import AuditEvent, Membership, Role, Team
from habeas.accounts.reauth import SESSION_KEY
from habeas.accounts.viewer import viewer_for
from habeas.cases.models import Method
from habeas.custody.models import CustodyEpisode, FamilyContact, Notification, RestrictiveMeasure
from habeas.evidence.models import Citation, Source
from habeas.registry.models import Locality, Organisation, Person
from habeas.registry.selectors import persons_named
from habeas.standards.models import Finding
from habeas.standards.services import findings_evaluate
from tests import factories

pytestmark = pytest.mark.django_db


def team(name: str) -> Team:
    return Team.objects.get(name=name)


def join(user: Any, name: str, role: str) -> Any:
    Membership.objects.create(user=user, team=team(name), role=role)
    return user


def tian() -> Person:
    return persons_named("Dmitri Tian", exact=True).get()


def form_data(client: Any, url: str) -> dict[str, Any]:
    """What the admin page at ``url`` would post back unchanged (its inlines left as they are)."""
    context = client.get(url).context
    form = context["adminform"].form
    data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
    for inline in context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


# A record's team -------------------------------------------------------------------------------------------


def test_a_new_records_team_is_chosen_among_the_teams_the_user_writes_in(client, world):
    client.force_login(join(world["member"], "B", Role.READ_ONLY))
    field = client.get(reverse("admin:registry_organisation_add")).context["adminform"].form.fields["team"]
    assert [t.name for t in field.queryset] == ["A"]
    assert field.initial == team("A").pk  # the only choice; a writer of several teams must choose


@pytest.mark.parametrize("role_in_b", [None, Role.READ_ONLY, Role.ANALYST])
def test_a_record_is_not_created_in_a_team_where_its_author_does_not_write(client, world, role_in_b):
    member = world["member"]
    if role_in_b:
        join(member, "B", role_in_b)
    client.force_login(member)
    url = reverse("admin:registry_organisation_add")
    data = {**form_data(client, url), "name": "Forged ministry", "kind": "ministry", "team": team("B").pk}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Organisation.objects.filter(name="Forged ministry").exists()


def test_a_record_is_not_created_without_a_team(client, world):
    client.force_login(join(world["member"], "B", Role.RESEARCHER))
    url = reverse("admin:registry_organisation_add")
    response = client.post(url, {**form_data(client, url), "name": "Ministry of nowhere", "kind": "ministry"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Organisation.objects.filter(name="Ministry of nowhere").exists()


def test_a_writer_of_one_team_creates_in_it_without_choosing(client, world):
    client.force_login(world["member"])
    url = reverse("admin:registry_organisation_add")
    response = client.post(url, {**form_data(client, url), "name": "Ministry of tests", "kind": "ministry"})
    assert response.status_code == 302
    assert Organisation.objects.get(name="Ministry of tests").team == team("A")


def test_an_existing_records_team_is_not_offered_for_change(client, world):
    client.force_login(join(world["member"], "B", Role.RESEARCHER))
    organisation = Organisation.objects.filter(team=team("A")).order_by("pk").first()
    url = reverse("admin:registry_organisation_change", args=[organisation.pk])
    data = form_data(client, url)
    assert "team" not in data
    response = client.post(url, {**data, "team": team("B").pk})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.team == team("A")


# Links within a team ---------------------------------------------------------------------------------------


def test_a_user_of_two_teams_cannot_link_one_teams_person_into_the_others_record(client, world):
    client.force_login(join(world["member"], "B", Role.RESEARCHER))
    url = reverse("admin:custody_custodyepisode_add")
    data = {**form_data(client, url), "team": team("B").pk, "person": tian().pk, "status": "detained"}
    before = CustodyEpisode.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Choose a record of the same team as this one." in response.content.decode()
    assert CustodyEpisode.objects.count() == before


def test_a_post_naming_a_record_of_a_team_the_user_only_reads_is_refused(client, world):
    client.force_login(join(world["outsider"], "A", Role.READ_ONLY))
    url = reverse("admin:custody_custodyepisode_add")
    data = {**form_data(client, url), "team": team("B").pk, "person": tian().pk, "status": "detained"}
    before = CustodyEpisode.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert CustodyEpisode.objects.count() == before


def test_an_inline_row_cannot_cite_another_teams_source(client, world):
    client.force_login(join(world["member"], "B", Role.RESEARCHER))
    theirs = factories.saved(Source(key="b-report", title="B's report", kind="document", team=team("B")))
    organisation = Organisation.objects.filter(team=team("A")).order_by("pk").first()
    url = reverse("admin:registry_organisation_change", args=[organisation.pk])
    prefix = "evidence-citation-content_type-object_id"
    data = {
        **form_data(client, url),
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-0-source": theirs.pk,
        f"{prefix}-0-page": "3",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Choose a record of the same team as this one." in response.content.decode()
    assert not Citation.objects.filter(source=theirs).exists()


def test_the_autocomplete_offers_only_records_the_user_may_write(client, world):
    query = {"app_label": "custody", "model_name": "custodyepisode", "field_name": "person", "term": "Tian"}
    client.force_login(world["member"])
    found = client.get(reverse("admin:autocomplete"), query).json()["results"]
    assert str(tian().pk) in [row["id"] for row in found]
    client.force_login(join(world["outsider"], "A", Role.READ_ONLY))
    assert client.get(reverse("admin:autocomplete"), query).json()["results"] == []


# Shared reference data and source keys ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "member"])
def test_shared_reference_data_is_changed_by_instance_administrators_only(client, world, persona):
    locality = Locality.objects.order_by("pk").first()
    client.force_login(world[persona])
    url = reverse("admin:registry_locality_change", args=[locality.pk])
    assert client.post(url, {**form_data(client, url), "name": "Renamed"}).status_code == 403
    assert client.get(reverse("admin:cases_method_add")).status_code == 403
    locality.refresh_from_db()
    assert locality.name != "Renamed"
    client.force_login(world["superuser"])
    assert client.post(url, {**form_data(client, url), "name": "Renamed"}).status_code == 302
    locality.refresh_from_db()
    assert locality.name == "Renamed"
    assert Method.objects.exists()


def test_a_source_key_used_by_another_team_is_not_refused(client, world):
    used = Source.objects.filter(team=team("A")).order_by("pk").first().key
    client.force_login(world["outsider"])
    url = reverse("admin:evidence_source_add")
    data = {**form_data(client, url), "key": used, "title": "Our own report", "kind": "document", "team": team("B").pk}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    assert Source.objects.filter(key=used).count() == 2


def test_a_source_key_is_unique_within_its_team(client, world):
    used = Source.objects.filter(team=team("A")).order_by("pk").first().key
    client.force_login(world["member"])
    url = reverse("admin:evidence_source_add")
    data = {**form_data(client, url), "key": used, "title": "Again", "kind": "document", "team": team("A").pk}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Your team has a source with this key already." in response.content.decode()
    assert Source.objects.filter(key=used).count() == 1


# Moving records to another team ----------------------------------------------------------------------------


@pytest.fixture
def detainee(world):
    """A person of team A held in solitary confinement for two years, with the finding it breeds."""
    a = team("A")
    person = factories.person("Aron Atabek", team=a)
    episode = factories.custody(person, team=a)
    measure = factories.saved(
        RestrictiveMeasure(
            custody=episode, kind="solitary", started_on=dt.date(2012, 11, 1), ended_on=dt.date(2014, 11, 1), team=a
        )
    )
    findings_evaluate(
        profile_name="international",
        codes=["MANDELA-44-PROLONGED-SOLITARY"],
        now=dt.datetime(2015, 1, 1, tzinfo=dt.UTC),
    )
    assert Finding.objects.get(object_id=measure.pk, rule="MANDELA-44-PROLONGED-SOLITARY").team == a
    return person, episode, measure


def move(client: Any, people: list[Person], to: Team) -> Any:
    return client.post(
        reverse("admin:registry_person_changelist"),
        {"action": "move_to_team", ACTION_CHECKBOX_NAME: [p.pk for p in people], "team": to.pk},
    )


def test_an_administrator_of_both_teams_moves_a_person_with_their_custody_and_findings(client, world, detainee):
    person, episode, measure = detainee
    client.force_login(join(world["owner"], "B", Role.ADMINISTRATOR))
    assert move(client, [person], team("B")).status_code == 302
    for record in (person, episode, measure):
        record.refresh_from_db()
        assert record.team == team("B")
    assert Finding.objects.get(object_id=measure.pk, rule="MANDELA-44-PROLONGED-SOLITARY").team == team("B")
    event = AuditEvent.objects.get(target_type="registry.person", target_id=str(person.pk), action="update")
    assert event.details == {"team": {"old": team("A").pk, "new": team("B").pk}}
    assert event.actor == world["owner"]


def test_moving_needs_a_recently_confirmed_password(client, world, detainee):
    person, _, _ = detainee
    client.force_login(join(world["owner"], "B", Role.ADMINISTRATOR))
    session = client.session
    session[SESSION_KEY] = (timezone.now() - dt.timedelta(hours=1)).timestamp()
    session.save()
    response = move(client, [person], team("B"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("reauth"))
    person.refresh_from_db()
    assert person.team == team("A")


@pytest.mark.parametrize("role_in_b", [Role.RESEARCHER, Role.ADMINISTRATOR])
def test_only_an_administrator_of_both_teams_moves_records(client, world, detainee, role_in_b):
    person, _, _ = detainee
    client.force_login(join(world["member"], "B", role_in_b))  # a researcher of A
    move(client, [person], team("B"))
    person.refresh_from_db()
    assert person.team == team("A")


def test_a_record_linked_with_one_that_stays_is_not_moved(client, world):
    client.force_login(join(world["owner"], "B", Role.ADMINISTRATOR))
    response = move(client, [tian()], team("B"))
    assert response.status_code == 302
    assert tian().team == team("A")
    assert Person.objects.filter(team=team("B")).count() == 0


def test_a_new_team_for_an_edited_record_is_refused_by_the_service(world):
    from django.core.exceptions import ValidationError

    from habeas.accounts.records import record_update

    organisation = Organisation.objects.filter(team=team("A")).order_by("pk").first()
    organisation.team = team("B")
    with pytest.raises(ValidationError, match="moves to another team"):
        record_update(record=organisation, user=world["superuser"])


# Findings on the admin's pages, as analysts see them --------------------------------------------------------


@pytest.mark.parametrize("model", [FamilyContact, Notification, RestrictiveMeasure], ids=lambda m: m._meta.model_name)
def test_an_analyst_without_identities_sees_no_finding_summary_on_a_records_page(client, world, model):
    findings_evaluate(profile_name="kz")
    record = next(
        r
        for r in model.objects.order_by("pk")
        if Finding.objects.filter(object_id=r.pk, content_type__model=model._meta.model_name, active=True).exists()
    )
    summaries = [
        escape(finding.summary_shown())
        for finding in Finding.objects.filter(object_id=record.pk, content_type__model=model._meta.model_name)
    ]
    url = reverse(f"admin:custody_{model._meta.model_name}_change", args=[record.pk])
    client.force_login(world["analyst"])
    page = client.get(url).content.decode()
    assert "Findings against the standards" in page
    assert not [summary for summary in summaries if summary in page]
    client.force_login(world["analyst_named"])
    page = client.get(url).content.decode()
    assert all(summary in page for summary in summaries)


def test_a_source_key_changed_to_one_its_team_uses_is_refused_with_a_message(client, world):
    first = Source.objects.filter(team=team("A")).order_by("pk").first()
    second = factories.saved(Source(key="a-second-report", title="A second report", kind="document", team=team("A")))
    client.force_login(world["member"])
    url = reverse("admin:evidence_source_change", args=[second.pk])
    response = client.post(url, {**form_data(client, url), "key": first.key})
    assert response.status_code == 200
    assert "Your team has a source with this key already." in response.content.decode()
    second.refresh_from_db()
    assert second.key != first.key


# The workplace's forms and services ------------------------------------------------------------------------


def test_a_visit_is_planned_only_at_places_of_a_team_the_user_writes_in(world):
    from habeas.monitoring.forms import VisitPlanForm
    from habeas.registry.models import Place

    outsider = join(world["outsider"], "A", Role.READ_ONLY)
    form = VisitPlanForm(data={"place": Place.objects.filter(team=team("A")).first().pk}, viewer=viewer_for(outsider))
    assert not form.fields["place"].queryset.filter(team=team("A")).exists()
    assert not form.is_valid() and "place" in form.errors


def test_an_intake_offers_only_places_sources_and_units_of_the_team_its_records_go_to(world):
    from habeas.cases.forms import PerpetratorForm, SourceForm, WhenForm

    outsider = join(world["outsider"], "A", Role.RESEARCHER)  # writes in both; new records go to A
    b = team("B")
    factories.place("Prison of B", team=b, authority=factories.organisation("Service of B", "prison", team=b))
    factories.saved(Source(key="b-report", title="B's report", kind="document", team=b))
    offered = [
        WhenForm(viewer=viewer_for(outsider)).fields["place"].queryset,
        SourceForm(viewer=viewer_for(outsider)).fields["source"].queryset,
        PerpetratorForm(viewer=viewer_for(outsider)).fields["unit"].queryset,
    ]
    assert all(not choices.exclude(team=team("A")).exists() for choices in offered)
    assert all(choices.exists() for choices in offered)


def test_a_source_is_not_cited_for_a_record_of_another_team(world):
    from django.core.exceptions import ValidationError

    from habeas.evidence.services import citation_add

    member = join(world["member"], "B", Role.RESEARCHER)
    theirs = factories.saved(Source(key="b-report", title="B's report", kind="document", team=team("B")))
    with pytest.raises(ValidationError, match="another team than the source"):
        citation_add(source=theirs, record=tian(), user=member, page="3")
    assert not Citation.objects.filter(source=theirs).exists()


# A moved record's sources: a source cited by the moved records alone goes with them; one cited by records
# that stay stays, and the move is refused naming it (the other team would read its title).


def cite(source: Source, record: Any) -> Citation:
    return factories.saved(Citation(source=source, record=record, page="1"))


def test_a_source_cited_by_nothing_else_moves_with_the_record_that_cites_it(world, detainee):
    from habeas.accounts.records import record_move

    person, episode, _ = detainee
    testimony = factories.saved(
        Source(key="atabek-letter", title="Letter from Aron Atabek", kind="interview", team=team("A"))
    )
    cite(testimony, episode)
    record_move(records=[person], team=team("B"), user=world["superuser"])
    testimony.refresh_from_db()
    assert testimony.team == team("B")
    assert AuditEvent.objects.filter(target_type="evidence.source", target_id=str(testimony.pk)).exists()


def test_a_record_citing_a_source_that_stays_is_not_moved_and_the_source_is_named(world, detainee):
    from django.core.exceptions import ValidationError

    from habeas.accounts.records import record_move

    person, episode, _ = detainee
    report = factories.saved(
        Source(key="ombudsman-2014", title="Ombudsman's report 2014", kind="document", team=team("A"))
    )
    cite(report, episode)
    cite(report, tian())  # a record of A that stays
    with pytest.raises(ValidationError, match="ombudsman-2014"):
        record_move(records=[person], team=team("B"), user=world["superuser"])
    for record in (person, episode, report):
        record.refresh_from_db()
        assert record.team == team("A")


def test_a_source_cited_by_a_record_that_stays_is_not_moved(world):
    from django.core.exceptions import ValidationError

    from habeas.accounts.records import record_move

    report = factories.saved(
        Source(key="ombudsman-2015", title="Ombudsman's report 2015", kind="document", team=team("A"))
    )
    cite(report, tian())
    with pytest.raises(ValidationError, match=r"ombudsman-2015.*stays"):
        record_move(records=[report], team=team("B"), user=world["superuser"])
    report.refresh_from_db()
    assert report.team == team("A")
