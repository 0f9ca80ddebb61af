"""The table of ratifications: shipped with its sources, refusing a date in the future or an instrument not open to
the state, and deciding where and from when a treaty's rules apply."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from django.core.exceptions import ValidationError

from habeas.accounts.models import Team
from habeas.core.errors import LoadError
from habeas.ops.dataload import records_load
from habeas.standards.applicability import treaty_of
from habeas.standards.rules import CATALOGUE
from habeas.standards.treaties import Parties, Ratification, ratification_record
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_shipped_table_says_when_opcat_entered_into_force_for_kazakhstan_and_cites_the_un():
    row = Ratification.objects.get(state="KZ", instrument="OPCAT")
    assert row.in_force_on == dt.date(2008, 11, 21)
    assert "United Nations Treaty Collection" in row.source and "IV.9.b" in row.source


def test_a_ratification_in_the_future_is_refused_naming_the_field():
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        ratification_record(
            user=factories.superuser(), state="UZ", instrument="OPCAT", in_force_on=tomorrow, source="test"
        )
    assert list(caught.value.message_dict) == ["in_force_on"]
    assert not Ratification.objects.filter(state="UZ", instrument="OPCAT").exists()


def test_an_instrument_not_open_to_the_state_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as caught:
        ratification_record(
            user=factories.superuser(), state="KZ", instrument="ECHR", in_force_on=dt.date(2010, 1, 1), source="test"
        )
    assert list(caught.value.message_dict) == ["instrument"]


def test_a_data_file_with_a_ratification_in_the_future_names_file_line_and_field(tmp_path):
    path = tmp_path / "treaty.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            default_source: report
            records:
              - model: evidence.source
                key: report
                fields: {{title: A report, kind: document}}
                cite: {{section: title}}
              - model: standards.ratification
                fields: {{state: TJ, instrument: OPCAT, in_force_on: "{dt.date.today().year + 1}-01-01", source: x}}
                cite: {{section: status}}
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(LoadError) as caught:
        records_load(path=path, user=factories.superuser("loader"), team=Team.objects.create(name="T"))
    assert "treaty.yaml, line 7" in str(caught.value)
    assert "field 'in_force_on'" in str(caught.value)


def test_a_treaty_is_in_force_for_a_state_from_its_date_until_it_ceased():
    parties = Parties.read()
    assert not parties.in_force("KZ", "OPCAT", dt.date(2008, 11, 20))
    assert parties.in_force("KZ", "OPCAT", dt.date(2008, 11, 21))
    assert not parties.in_force("RU", "OPCAT", dt.date(2015, 1, 1))  # not party
    assert parties.in_force("RU", "ECHR", dt.date(2022, 9, 15))
    assert not parties.in_force("RU", "ECHR", dt.date(2022, 9, 16))


def test_treaty_rules_need_their_treaty_and_soft_law_applies_everywhere():
    assert treaty_of(CATALOGUE["OPCAT-21-NO-REPRISALS"]) == "OPCAT"
    assert treaty_of(CATALOGUE["CAT-22-NO-PRESSURE-ON-COMMUNICATION"]) == "CAT-22"
    assert treaty_of(CATALOGUE["OP-ICCPR-01-NO-PRESSURE-ON-COMMUNICATION"]) == "ICCPR-OP1"
    assert treaty_of(CATALOGUE["ICCPR-09-2-REASONS-AT-ARREST"]) == "ICCPR"
    assert treaty_of(CATALOGUE["BOP-17-18-ACCESS-TO-LAWYER"]) is None
    assert treaty_of(CATALOGUE["MANDELA-44-PROLONGED-SOLITARY"]) is None


def test_seeding_again_adds_what_is_missing_and_keeps_an_administrators_correction():
    from habeas.standards.treaties import ratifications_seed

    Ratification.objects.filter(state="KZ", instrument="OPCAT").update(source="corrected by an administrator")
    Ratification.objects.filter(state="UA", instrument="CAT").delete()
    assert ratifications_seed() == 1
    assert Ratification.objects.get(state="KZ", instrument="OPCAT").source == "corrected by an administrator"
    assert Ratification.objects.get(state="UA", instrument="CAT").in_force_on == dt.date(1987, 6, 26)
