"""A custody that ends in death, its causes as each source states them, the stages of a custody and the safeguards
at apprehension: what the model refuses, naming the field, and what it accepts."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from django.core.exceptions import ValidationError

from habeas.accounts.models import Team
from habeas.cases.models import Event, Investigation
from habeas.core.errors import LoadError
from habeas.custody.models import CustodyStage, Death, DeathCause
from habeas.custody.services import custody_stage_add, death_cause_add, death_record, safeguards_record
from habeas.evidence.models import Source
from habeas.ops.dataload import records_load
from habeas.registry.models import Person
from tests import factories

pytestmark = pytest.mark.django_db

ARREST = dt.datetime(2011, 12, 16, 14, 0, tzinfo=dt.UTC)


def arrested(**fields):
    return factories.custody(apprehended_at=ARREST, apprehended_at_precision="exact", **fields)


def test_a_death_dated_by_day_on_the_day_of_a_timed_arrest_is_not_before_it():
    admin = factories.superuser()
    death = death_record(
        user=admin, custody=arrested(), died_at=dt.datetime(2011, 12, 16, tzinfo=dt.UTC), died_at_precision="day"
    )
    assert Death.objects.get(pk=death.pk).date_text("died_at") == "16 December 2011"


def test_a_death_the_day_before_a_timed_arrest_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as caught:
        death_record(
            user=factories.superuser(),
            custody=arrested(),
            died_at=dt.datetime(2011, 12, 15, tzinfo=dt.UTC),
            died_at_precision="day",
        )
    assert list(caught.value.message_dict) == ["died_at"]
    assert "must not be before the apprehension" in caught.value.message_dict["died_at"][0]
    assert not Death.objects.exists()


def test_a_death_after_the_release_is_not_a_death_in_custody():
    custody = arrested(released_at=dt.datetime(2012, 1, 5, tzinfo=dt.UTC), released_at_precision="day")
    with pytest.raises(ValidationError, match="after the release"):
        Death(custody=custody, died_at=dt.datetime(2012, 2, 1, tzinfo=dt.UTC), died_at_precision="month").full_clean()


def test_each_source_s_account_of_the_cause_is_kept_beside_the_others():
    admin = factories.superuser()
    death = death_record(user=admin, custody=arrested(), died_at=ARREST + dt.timedelta(days=2))
    ngo = Source.objects.create(key="ngo", title="NGO report", kind="document")
    prison = Source.objects.create(key="prison", title="Prison statement", kind="document")
    death_cause_add(user=admin, death=death, source=prison, stated_by="the prison", kind="suicide", by_authorities=True)
    death_cause_add(user=admin, death=death, source=ngo, stated_by="the family", kind="officials")
    assert sorted(death.causes.values_list("kind", flat=True)) == ["officials", "suicide"]
    with pytest.raises(ValidationError, match="already recorded"):
        death_cause_add(user=admin, death=death, source=ngo, stated_by="the family", kind="illness")
    assert DeathCause.objects.count() == 2


def test_a_linked_investigation_cannot_go_with_a_statement_that_none_was_opened():
    event = factories.saved(Event(name="Protest", kind="other"))
    investigation = factories.saved(Investigation(kind="criminal", subject="the death", event=event))
    death = Death(custody=arrested(), died_at=ARREST, investigated=False, investigation=investigation)
    with pytest.raises(ValidationError, match="an investigation is linked"):
        death.full_clean()


def test_a_stage_of_custody_before_the_apprehension_is_refused_naming_the_field():
    custody = arrested()
    admin = factories.superuser()
    custody_stage_add(user=admin, custody=custody, basis="admin", started_at=ARREST)
    with pytest.raises(ValidationError) as caught:
        custody_stage_add(user=admin, custody=custody, basis="remand", started_at=ARREST - dt.timedelta(days=3))
    assert list(caught.value.message_dict) == ["started_at"]
    assert CustodyStage.objects.count() == 1


def test_safeguards_are_recorded_and_a_date_of_a_refused_one_is_refused():
    admin = factories.superuser()
    custody = arrested()
    safeguards_record(user=admin, custody=custody, lawyer_requested=True, lawyer_granted=False, reasons_told=False)
    custody.refresh_from_db()
    assert (custody.lawyer_requested, custody.lawyer_granted, custody.reasons_told) == (True, False, False)
    with pytest.raises(ValidationError, match="told the reasons"):
        safeguards_record(user=admin, custody=custody, reasons_told_at=ARREST + dt.timedelta(hours=1))
    custody.refresh_from_db()
    assert custody.reasons_told_at is None


def test_a_data_file_with_a_death_before_the_arrest_names_file_line_and_field_and_stores_nothing(tmp_path):
    path = tmp_path / "death.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            default_source: report
            records:
              - model: evidence.source
                key: report
                fields: {title: A report, kind: document}
                cite: {section: title}
              - model: registry.person
                key: victim
                fields: {label: Victim}
                cite: {section: victim}
              - model: custody.custodyepisode
                key: custody
                fields: {person: victim, apprehended_at: "2011-12-16T14:00"}
                cite: {section: arrest}
              - model: custody.death
                fields: {custody: custody, died_at: "2011-12-15"}
                cite: {section: death}
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(LoadError) as caught:
        records_load(path=path, user=factories.superuser("loader"), team=Team.objects.create(name="T"))
    message = str(caught.value)
    assert "death.yaml, line 15" in message
    assert "field 'died_at'" in message
    assert not Person.objects.exists()
