"""The set-based form of a rule gives the same findings as the per-record form, on random data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from habeas.custody.models import CustodyEpisode
from habeas.registry.models import Person
from habeas.standards.gather.custody import custody_candidates
from habeas.standards.rules import rules_by_code
from habeas.standards.services import evaluate, profile_get

pytestmark = pytest.mark.django_db
START = dt.datetime(2016, 6, 1, 6, 0, tzinfo=dt.UTC)
PRECISIONS = st.sampled_from(["exact", "exact", "exact", "day", "month", "year"])
episodes = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5 * 365 * 24),  # apprehension, hours after START
        PRECISIONS,
        st.one_of(st.none(), st.integers(min_value=0, max_value=200)),  # hours until the judge
        PRECISIONS,
        st.one_of(st.none(), st.integers(min_value=0, max_value=200)),  # hours until release
        PRECISIONS,
    ),
    min_size=1,
    max_size=25,
)


def results(profile, rules, records=None):
    found = evaluate(profile, rules, now=START, records=records)
    return {(r.rule.code, r.facts.record, r.outcome.status, r.outcome.summary) for r in found}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=episodes)
def test_the_custody_deadline_rules_agree_in_both_forms(rows):
    profile = profile_get("kz")
    rules = rules_by_code(["ICCPR-09-3-PROMPT-JUDGE-48H", "KZ-CPC-DETENTION-48H"])
    with transaction.atomic():
        person = Person.objects.create(label="Someone")
        for start, p1, judge, p2, release, p3 in rows:
            apprehended = START + dt.timedelta(hours=start)
            episode = CustodyEpisode(
                person=person,
                apprehended_at=apprehended,
                apprehended_at_precision=p1,
                first_judge_at=None if judge is None else apprehended + dt.timedelta(hours=judge),
                first_judge_at_precision=p2,
                released_at=None if release is None else apprehended + dt.timedelta(hours=release),
                released_at_precision=p3,
            )
            episode.clean()  # normalises the dates to their precision, as every write does
            episode.save()
        ids = set(CustodyEpisode.objects.values_list("id", flat=True))
        per_record = results(profile, rules, records={"custody": ids})
        set_based = results(profile, rules)
        assert set_based == per_record
        assert set(custody_candidates(48)) <= ids
        transaction.set_rollback(True)
