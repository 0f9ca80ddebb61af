"""What a finding may claim: the act itself is an alleged violation; one failure is one finding citing every
standard it breaches; a limit is worded as the standard's or as Habeas's working threshold; an open situation
is measured to the date the facts are known up to; a rule judges only facts from when its source was in force;
a fact no source states is a gap, not a breach; and a complaint's outcome is worded as it was."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType

from habeas.accounts.viewer import viewer_for
from habeas.cases.models import Allegation, Complaint, Disclosure, Investigation
from habeas.core.dates import Precision
from habeas.evidence.models import Citation, Source
from habeas.standards import services
from habeas.standards.engine import StandardsError, Status, load_profile
from habeas.standards.facts import AllegationFacts, ComplaintFacts, InvestigationSummary, PlaceFacts
from habeas.standards.gather.common import when
from habeas.standards.models import Finding, Follow
from habeas.standards.rules import CATALOGUE
from tests import factories

KZ = services.profile_get("kz")
CHECKED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PROMPT = (
    "CAT-12-PROMPT-IMPARTIAL-INVESTIGATION",
    "IP-PROMPT-INVESTIGATION",
    "IMP-01-NO-INVESTIGATION-WITHIN-N-DAYS",
    "MANDELA-71-2-REPORT-TORTURE-WITHOUT-COMPLAINT",
)


def day(y: int, m: int, d: int, precision: str = Precision.DAY):
    return when(dt.date(y, m, d), precision)


def params(as_of: dt.datetime = CHECKED):
    return KZ.params(None, as_of=as_of)


def never_opened() -> InvestigationSummary:
    """An investigation a source says was never opened."""
    return InvestigationSummary(
        record=("cases.investigation", 1), opened=None, outcome="never", body="", body_chain=(), forensic_done=False
    )


def allegation(**fields) -> AllegationFacts:
    fields.setdefault("raised", day(2012, 3, 1))
    return AllegationFacts(record=("cases.allegation", 1), subject="P", **fields)


def judged(code: str, facts, as_of: dt.datetime = CHECKED):
    return CATALOGUE[code].evaluate(facts, params(as_of))


# 1. The act itself


def test_an_allegation_of_torture_is_an_alleged_violation_of_cat_1_2_and_16_and_iccpr_7():
    found = judged("CAT-1-2-ALLEGED-TORTURE", allegation(kind="torture", kind_label="torture or other ill-treatment"))
    assert found is not None and found.status == Status.ALLEGED
    assert "for a reviewer to confirm" in found.summary
    assert "arts. 1, 2 and 16" in CATALOGUE["CAT-1-2-ALLEGED-TORTURE"].citation
    assert "art. 7" in CATALOGUE["CAT-1-2-ALLEGED-TORTURE"].citation
    assert judged("CAT-16-ALLEGED-ILL-TREATMENT", allegation(kind="torture")) is None


def test_other_ill_treatment_is_alleged_under_cat_16_not_as_torture():
    facts = allegation(kind="ill", kind_label="cruel, inhuman or degrading treatment (not torture)")
    assert judged("CAT-16-ALLEGED-ILL-TREATMENT", facts).status == Status.ALLEGED
    assert judged("CAT-1-2-ALLEGED-TORTURE", facts) is None
    assert judged("CAT-16-ALLEGED-ILL-TREATMENT", allegation(kind="threats")) is None


@pytest.mark.django_db
def test_a_reviewer_confirms_an_alleged_violation():
    victim = factories.person("P")
    factories.saved(Allegation(victim=victim, kind="torture", summary="Beaten in custody."))
    services.findings_evaluate(profile_name="international", codes=["CAT-1-2-ALLEGED-TORTURE"], now=CHECKED)
    finding = Finding.objects.get(rule="CAT-1-2-ALLEGED-TORTURE")
    assert finding.status == Finding.Status.ALLEGED
    services.finding_review(finding=finding, decision="confirmed", reason="Medical report corroborates it.", user=None)
    assert Finding.objects.get().review == "confirmed"


# 2. One breach, one finding


def test_the_rules_on_a_missing_investigation_judge_one_failure_strictest_first():
    facts = allegation(in_custody=True, investigations=(never_opened(),))
    results = [
        services.Result(CATALOGUE[code], facts, judged(code, facts), params())
        for code in PROMPT
        if judged(code, facts) is not None
    ]
    (finding,) = services.folded(results)
    assert finding.topic == "investigation-prompt"
    # the 24-hour limit of Mandela 71(2) is stricter than the 7 days of the others; at 7 days the treaty first
    assert [r.rule.code for r in finding.results] == [
        "MANDELA-71-2-REPORT-TORTURE-WITHOUT-COMPLAINT",
        "CAT-12-PROMPT-IMPARTIAL-INVESTIGATION",
        "IP-PROMPT-INVESTIGATION",
        "IMP-01-NO-INVESTIGATION-WITHIN-N-DAYS",
    ]


def stated_allegation(*, raised: dt.date, published: dt.date | None = None, in_court: dt.date | None = None):
    """An allegation of torture in custody whose investigation a source says was never opened."""
    victim = factories.person("P")
    record = factories.saved(
        Allegation(
            victim=victim,
            kind="torture",
            summary="Beaten.",
            happened_on=raised,
            happened_on_precision="day",
            place=factories.place("Police station", kind="police"),
        )
    )
    factories.saved(Investigation(allegation=record, kind="criminal", subject="The beating", outcome="never"))
    if in_court:
        factories.saved(
            Disclosure(allegation=record, audience="court", disclosed_on=in_court, disclosed_on_precision="month")
        )
    if published:
        source = Source.objects.create(
            key="report", title="A report", kind="document", published_on=published, published_on_precision="day"
        )
        Citation.objects.create(
            source=source,
            content_type=ContentType.objects.get_for_model(Allegation),
            object_id=record.pk,
            paragraph="12",
        )
    return record


@pytest.mark.django_db
def test_one_allegation_with_no_investigation_makes_one_finding_citing_every_standard():
    record = stated_allegation(raised=dt.date(2012, 3, 1))
    evaluation = services.findings_evaluate(profile_name="international", codes=list(PROMPT), now=CHECKED)
    assert evaluation.found == 1
    finding = Finding.objects.get(object_id=record.pk)
    assert finding.topic == "investigation-prompt" and finding.status == "breach"
    assert {s["rule"] for s in finding.standards} == set(PROMPT)
    assert finding.standards[0]["rule"] == finding.rule


# 3. Limits honestly worded


def test_a_limit_the_standard_sets_is_worded_as_the_standards():
    from tests.standards.test_rule_boundaries import solitary

    found = judged("MANDELA-44-PROLONGED-SOLITARY", solitary(day(2012, 1, 1), day(2012, 3, 1)))
    assert "the limit set by Nelson Mandela Rules, rule 44 is 15 days" in found.summary


def test_a_working_threshold_is_worded_as_habeass_with_its_reason():
    found = judged("CAT-12-PROMPT-IMPARTIAL-INVESTIGATION", allegation(investigations=(never_opened(),)))
    assert (
        "Habeas's working threshold is 7 days, since CAT art. 12 requires a prompt investigation and gives no "
        "number" in found.summary
    )
    assert "the limit is" not in found.summary


def test_every_parameter_of_the_shipped_profiles_says_whose_figure_it_is():
    for name in services.profile_names():
        for pname, versions in services.profile_get(name).parameters.items():
            for version in versions:
                assert bool(version.set_by) != bool(version.working), (name, pname)
    assert KZ.params().cited("P_PROLONGED_SOLITARY_D").set_by == "Nelson Mandela Rules, rule 44"
    assert KZ.params().cited("P_INVESTIGATION_OPEN_D").working


def test_a_profile_value_that_does_not_say_whose_figure_it_is_is_refused(tmp_path: Path):
    (tmp_path / "x.yaml").write_text(
        "parameters:\n  P_A:\n    - value: 7\n      citation: 'CAT art. 12'\n", encoding="utf-8"
    )
    with pytest.raises(StandardsError, match=r"set_by.*working"):
        load_profile("x", directory=tmp_path)


# 4. Time


@pytest.mark.django_db
def test_a_2007_reports_open_situation_is_measured_to_its_date_not_to_today():
    record = stated_allegation(raised=dt.date(2006, 1, 10), published=dt.date(2007, 5, 1))
    services.findings_evaluate(profile_name="international", codes=list(PROMPT), now=CHECKED)
    finding = Finding.objects.get(object_id=record.pk)
    assert "as of 1 May 2007" in finding.summary
    assert "476 days after the allegation" in finding.summary  # 10 January 2006 to 1 May 2007
    assert finding.facts["as_of"] == "2007-05-01"


@pytest.mark.django_db
def test_a_record_under_active_monitoring_runs_to_the_day_of_the_check():
    record = stated_allegation(raised=dt.date(2006, 1, 10), published=dt.date(2007, 5, 1))
    Follow.objects.create(content_type=ContentType.objects.get_for_model(Allegation), object_id=record.pk, active=True)
    services.findings_evaluate(profile_name="international", codes=list(PROMPT), now=CHECKED)
    assert "as of 1 January 2026" in Finding.objects.get(object_id=record.pk).summary


@pytest.mark.django_db
def test_following_a_record_re_checks_it_and_is_audited():
    from habeas.accounts.models import AuditEvent

    record = stated_allegation(raised=dt.date(2006, 1, 10), published=dt.date(2007, 5, 1))
    services.findings_evaluate(profile_name="international", codes=list(PROMPT), now=CHECKED)
    services.record_follow(record=record, active=True, reviewed_on=None, actor=None)
    assert "as of 1 May 2007" not in Finding.objects.get(object_id=record.pk, topic="investigation-prompt").summary
    assert AuditEvent.objects.filter(target_type="cases.allegation", target_id=str(record.pk)).exists()


@pytest.mark.django_db
def test_a_review_of_the_facts_moves_their_date_forward():
    record = stated_allegation(raised=dt.date(2006, 1, 10), published=dt.date(2007, 5, 1))
    Follow.objects.create(
        content_type=ContentType.objects.get_for_model(Allegation), object_id=record.pk, reviewed_on=dt.date(2010, 2, 1)
    )
    services.findings_evaluate(profile_name="international", codes=list(PROMPT), now=CHECKED)
    assert "as of 1 February 2010" in Finding.objects.get(object_id=record.pk).summary


@pytest.mark.django_db
def test_a_what_if_check_computes_and_stores_nothing():
    record = stated_allegation(raised=dt.date(2012, 3, 1))
    services.findings_evaluate(profile_name="international", now=CHECKED)
    stored = list(Finding.objects.order_by("pk").values())
    preview = services.findings_preview(profile_name="international", now=dt.datetime(2012, 3, 5, tzinfo=dt.UTC))
    assert list(Finding.objects.order_by("pk").values()) == stored
    # four days after the allegation nothing is late yet; the act itself is alleged all the same
    about = [view for view in preview if view.ref == ("cases.allegation", record.pk)]
    assert {view.topic for view in about} == {"the-act", "investigation-prompt"}
    assert {view.status for view in about if view.topic == "investigation-prompt"} == {"breach"}  # 24 hours


# 5. Applicability of national law versions


def test_the_resolution_of_december_2009_does_not_judge_a_claim_made_in_court_in_june_2009():
    rule = CATALOGUE["KZ-SC-NR7-2009-VERIFY-TORTURE-CLAIMS"]
    assert not rule.applies(allegation(raised_in_court=day(2009, 6, 1, Precision.MONTH)))
    assert not rule.applies(allegation(raised_in_court=day(2009, 1, 1, Precision.APPROXIMATE)))  # maybe before
    assert rule.applies(allegation(raised_in_court=day(2011, 6, 1, Precision.MONTH)))


@pytest.mark.django_db
def test_the_check_applies_a_national_rule_only_within_its_period():
    before = stated_allegation(raised=dt.date(2009, 1, 5), in_court=dt.date(2009, 6, 1))
    after = stated_allegation(raised=dt.date(2011, 1, 5), in_court=dt.date(2011, 6, 1))
    services.findings_evaluate(profile_name="kz", codes=["KZ-SC-NR7-2009-VERIFY-TORTURE-CLAIMS"], now=CHECKED)
    judged_ids = set(Finding.objects.filter(rule="KZ-SC-NR7-2009-VERIFY-TORTURE-CLAIMS").values_list("object_id"))
    assert judged_ids == {(after.pk,)} and before.pk not in {pk for (pk,) in judged_ids}


# 6. Absence of a record is not a breach


def test_no_investigation_recorded_is_a_question_and_one_stated_never_opened_a_breach():
    unknown = judged("CAT-12-PROMPT-IMPARTIAL-INVESTIGATION", allegation())
    assert unknown.status == Status.GAP
    assert "no source says whether an investigation was opened" in unknown.summary
    stated = judged("CAT-12-PROMPT-IMPARTIAL-INVESTIGATION", allegation(investigations=(never_opened(),)))
    assert stated.status == Status.BREACH and "as a source states" in stated.summary


def test_no_external_inspection_recorded_is_not_a_mandela_83_breach():
    found = judged("MANDELA-83-TWOFOLD-INSPECTION", PlaceFacts(record=("registry.place", 1), subject="Police station"))
    assert found.status == Status.GAP and "no source says when an external body last inspected" in found.summary


def test_a_retraction_or_a_courts_silence_no_source_states_is_a_question():
    from habeas.standards.facts import StatementFacts

    retracted = StatementFacts(
        record=("cases.statement", 1), subject="P", kind="confession", retracted=day(2012, 3, 1), coercion_alleged=True
    )
    assert judged("IMP-03-RETRACTED-CONFESSION-NOT-INVESTIGATED", retracted).status == Status.GAP
    stated = StatementFacts(
        record=("cases.statement", 1),
        subject="P",
        kind="confession",
        retracted=day(2012, 3, 1),
        coercion_alleged=True,
        investigations=(never_opened(),),
    )
    assert judged("IMP-03-RETRACTED-CONFESSION-NOT-INVESTIGATED", stated).status == Status.BREACH
    before_court = StatementFacts(
        record=("cases.statement", 1), subject="P", kind="confession", coercion_alleged=True, used_in="the trial"
    )
    assert judged("CAT-15-EXCLUSIONARY-RULE", before_court).status == Status.GAP


@pytest.mark.django_db
def test_gaps_are_listed_apart_from_findings_on_the_dashboard(client):
    from habeas.reports import dashboard

    factories.place("Police station", kind="police")
    services.findings_evaluate(profile_name="international", codes=["MANDELA-83-TWOFOLD-INSPECTION"], now=CHECKED)
    admin = factories.superuser()
    assert dashboard.findings_by_severity(viewer_for(admin)) == []
    assert dashboard.open_gaps(viewer_for(admin)) == 1


# 7. Complaint outcomes


def complaint(outcome: str, decided=None) -> ComplaintFacts:
    return ComplaintFacts(
        record=("cases.complaint", 1),
        subject="P",
        lodged=day(2012, 3, 1),
        decided=decided,
        lodged_with="the prosecutor",
        outcome=outcome,
    )


@pytest.mark.parametrize(
    ("outcome", "decided", "status", "words"),
    [
        ("refused", None, Status.BREACH, "refused without examination"),
        ("unregistered", None, Status.BREACH, "refused registration: never examined"),
        ("dismissed", day(2012, 6, 1), Status.BREACH, "dismissed 92 days after it was lodged"),
        ("forwarded", day(2012, 3, 5), None, ""),
        ("no_answer", None, Status.BREACH, "not answered as of 1 January 2026"),
        ("pending", None, Status.BREACH, "still pending as of 1 January 2026"),
        ("unknown", None, Status.GAP, "no source says whether or when it was answered"),
    ],
)
def test_a_complaints_outcome_is_worded_as_it_was(outcome, decided, status, words):
    found = judged("CAT-13-RIGHT-TO-COMPLAIN", complaint(outcome, decided))
    assert (None if found is None else found.status) == status
    if found is not None:
        assert words in found.summary and "undecided" not in found.summary


def test_the_complaint_model_tells_the_outcomes_apart():
    values = set(Complaint.Outcome.values)
    assert {"refused", "unregistered", "dismissed", "forwarded", "no_answer", "pending"} <= values
