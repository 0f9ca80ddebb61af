"""Storing findings: one transaction per run, review decisions that survive re-evaluation, and
re-checking one edited record touches only its findings; between checks, a finding follows its record to
another team and is retired when the record is deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from habeas.accounts.viewer import viewer_for
from habeas.custody.models import RestrictiveMeasure
from habeas.standards import services, store
from habeas.standards.engine import StandardsError
from habeas.standards.models import Finding
from tests import factories

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2013, 7, 1, tzinfo=dt.UTC)
RULE = "MANDELA-44-PROLONGED-SOLITARY"


def measure(label: str, days: int) -> RestrictiveMeasure:
    episode = factories.custody(factories.person(label))
    return factories.saved(
        RestrictiveMeasure(
            custody=episode,
            kind="solitary",
            started_on=dt.date(2012, 1, 1),
            ended_on=dt.date(2012, 1, 1) + dt.timedelta(days=days),
        )
    )


def run(**kwargs):
    return services.findings_evaluate(profile_name="international", codes=[RULE], now=NOW, **kwargs)


def test_a_finding_names_rule_record_facts_limit_and_standard():
    long_one = measure("Prisoner A", 40)
    run()
    finding = Finding.objects.get()
    assert (finding.rule, finding.object_id, finding.status) == (RULE, long_one.pk, "breach")
    assert finding.subject == "Prisoner A"
    assert finding.summary == (
        "solitary confinement for 40 consecutive days; the limit set by Nelson Mandela Rules, rule 44 is 15 days"
    )
    assert finding.facts["limit_days"] == 15
    assert "Mandela Rules" in finding.standard and "rules 43(1)(b) and 44" in finding.standard
    assert finding.parameters["P_PROLONGED_SOLITARY_D"]["value"] == 15


def test_a_review_survives_re_evaluation_even_when_the_facts_change():
    long_one = measure("Prisoner A", 40)
    run()
    finding = Finding.objects.get()
    services.finding_review(
        finding=finding, decision="dismissed", reason="Duplicate of another record.", user=None, now=NOW
    )
    long_one.ended_on = dt.date(2012, 3, 1)
    long_one.save()
    run()
    finding.refresh_from_db()
    assert finding.review == "dismissed" and finding.review_reason == "Duplicate of another record."
    assert "60 consecutive days" in finding.summary


def test_changed_findings_are_written_in_one_statement_sealed_and_current_again():
    measures = [measure(f"Prisoner {n}", 40 + n) for n in range(5)]
    run()
    Finding.objects.filter(object_id=measures[0].pk).update(active=False)
    for m in measures:
        m.ended_on += dt.timedelta(days=30)
        m.save()
    later = NOW + dt.timedelta(days=1)
    with CaptureQueriesContext(connection) as queries:
        result = services.findings_evaluate(profile_name="international", codes=[RULE], now=later)
    assert result.changed == 5
    writes = [q["sql"] for q in queries if 'UPDATE "standards_finding"' in q["sql"]]
    assert writes == [writes[0]] and writes[0].startswith("5 times: ")  # one statement, for the five
    for m, finding in zip(measures, Finding.objects.order_by("object_id"), strict=True):
        assert finding.active and finding.changed_at == later
        assert f"{(m.ended_on - m.started_on).days} consecutive days" in finding.summary
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject FROM standards_finding")
        assert not any("Prisoner" in subject for (subject,) in cursor.fetchall())  # still sealed


def test_a_review_needs_a_reason():
    measure("Prisoner A", 40)
    run()
    with pytest.raises(ValidationError, match="a review decision needs a reason"):
        services.finding_review(finding=Finding.objects.get(), decision="confirmed", reason="  ", user=None)


def test_re_checking_one_edited_record_updates_only_its_findings():
    first, second = measure("Prisoner A", 40), measure("Prisoner B", 50)
    run()
    before = {f.object_id: f.changed_at for f in Finding.objects.all()}
    first.ended_on = dt.date(2012, 1, 10)  # now 9 days: no longer a breach
    first.save()
    later = NOW + dt.timedelta(days=1)
    result = services.findings_evaluate(
        profile_name="international", codes=[RULE], now=later, records={"measure": {first.pk}}
    )
    assert (result.created, result.changed, result.retired) == (0, 0, 1)
    retired = Finding.objects.get(object_id=first.pk)
    assert not retired.active
    untouched = Finding.objects.get(object_id=second.pk)
    assert untouched.active and untouched.changed_at == before[second.pk]


def test_an_unchanged_database_changes_no_finding():
    measure("Prisoner A", 40)
    run()
    assert (run().created, run().changed, run().retired) == (0, 0, 0)


def test_a_failure_while_writing_leaves_the_stored_findings_as_they_were(monkeypatch):
    first = measure("Prisoner A", 40)
    run()
    before = list(Finding.objects.values_list("id", "fingerprint", "wording", "active"))
    first.ended_on = dt.date(2012, 3, 1)  # its finding will be updated first…
    first.save()
    measure("Prisoner B", 50)  # …then this one created, which fails

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away half-way")

    monkeypatch.setattr(store, "insert", fail)
    with pytest.raises(RuntimeError, match="half-way"):
        run()
    assert list(Finding.objects.values_list("id", "fingerprint", "wording", "active")) == before


def test_a_rule_outside_the_profile_is_refused():
    with pytest.raises(StandardsError, match="KZ-CPC-DETENTION-48H is not part of profile 'international'"):
        services.findings_evaluate(profile_name="international", codes=["KZ-CPC-DETENTION-48H"], now=NOW)


def test_a_finding_keeps_the_team_of_its_record_and_follows_it_to_another():
    from habeas.accounts.models import Membership, Role, Team
    from habeas.reports.dashboard import open_findings

    first, second = Team.objects.create(name="First"), Team.objects.create(name="Second")
    long_one = measure("Prisoner A", 40)
    RestrictiveMeasure.objects.filter(pk=long_one.pk).update(team=first)
    run()
    assert Finding.objects.get().team == first
    from django.contrib.auth import get_user_model

    reader = get_user_model().objects.create_user("reader", "", "a-long-test-password")
    Membership.objects.create(user=reader, team=second, role=Role.RESEARCHER)
    assert not open_findings(viewer_for(reader)).exists()
    RestrictiveMeasure.objects.filter(pk=long_one.pk).update(team=second)
    run(records={"measure": {long_one.pk}})
    assert Finding.objects.get().team == second
    assert open_findings(viewer_for(reader)).count() == 1


def test_between_checks_a_finding_follows_its_record_to_another_team_and_is_retired_with_it():
    from django.contrib.auth import get_user_model

    from habeas.accounts.models import Membership, Role, Team
    from habeas.accounts.records import record_delete, record_move
    from habeas.reports.dashboard import open_findings

    first, second = Team.objects.create(name="First"), Team.objects.create(name="Second")
    users = get_user_model().objects
    old, new = users.create_user("old", "", "a-long-test-password"), users.create_user("new", "", "a-long-test-pw")
    Membership.objects.create(user=old, team=first, role=Role.ADMINISTRATOR)
    Membership.objects.create(user=old, team=second, role=Role.ADMINISTRATOR)
    Membership.objects.create(user=new, team=second, role=Role.RESEARCHER)
    episode = factories.custody(factories.person("Prisoner A", team=first), team=first)
    long_one = factories.saved(
        RestrictiveMeasure(
            custody=episode, kind="solitary", started_on=dt.date(2012, 1, 1), ended_on=dt.date(2012, 2, 10), team=first
        )
    )
    run()
    assert open_findings(viewer_for(new)).count() == 0
    record_move(records=[episode.person], team=second, user=old)  # the measure goes with the person; no re-check
    long_one.refresh_from_db()
    assert open_findings(viewer_for(new)).count() == 1
    record_delete(record=long_one, user=old)
    assert not open_findings(viewer_for(new)).exists()
    assert not Finding.objects.get().active  # kept, with any review, as a re-check would keep it
