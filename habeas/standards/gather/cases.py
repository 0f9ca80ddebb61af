"""Facts about cases: allegations and their investigations, statements, complaints, intimidation, courts' handling
of torture claims, penalties, reparation and redress."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import F, Q

from habeas.cases.models import (
    Allegation,
    Charge,
    Complaint,
    Disclosure,
    Intimidation,
    Investigation,
    InvestigationStep,
    Proceeding,
    Reparation,
    Sentence,
    Statement,
    TortureClaimRuling,
    Verdict,
)
from habeas.core.wording import listed, say
from habeas.custody.models import (
    MedicalExamination,
    Placement,
)
from habeas.registry.models import StaffAssignment
from habeas.standards import facts as f
from habeas.standards.facts import CourtClaimFacts, IntimidationFacts, PenaltyFacts, RedressFacts, When
from habeas.standards.gather.common import Context, _day, _in, _label, chunked, countries, ref, when


def _forensic(rows: list[dict[str, Any]]) -> dict[int, bool]:
    """Whether a forensic medical examination was done in each investigation, as a source states it: a forensic
    step taken (True) or recorded as not taken (False), or a forensic examination of the victim recorded in the
    custody the allegation is about, performed (True) or not (False). An investigation no source speaks of is
    left out: not known."""
    done: dict[int, bool] = {}
    for chunk in chunked(r["id"] for r in rows):
        for investigation, taken in InvestigationStep.objects.filter(
            investigation_id__in=chunk, kind="forensic"
        ).values_list("investigation_id", "done"):
            done[investigation] = done.get(investigation, False) or taken
    custody_of = {
        r["id"]: custody
        for r in rows
        if (custody := r.get("allegation__custody_id") or r.get("complaint__allegation__custody_id")) is not None
    }
    examined: dict[int, bool] = {}
    for chunk in chunked(set(custody_of.values())):
        for custody, performed in MedicalExamination.objects.filter(custody_id__in=chunk, kind="forensic").values_list(
            "custody_id", "performed"
        ):
            examined[custody] = examined.get(custody, False) or performed
    for investigation, custody in custody_of.items():
        if custody in examined and not done.get(investigation):
            done[investigation] = examined[custody]
    return done


def _charged(rows: list[dict[str, Any]]) -> set[int]:
    """The investigations in which, as a source states, charges were brought."""
    out: set[int] = set()
    for chunk in chunked(r["id"] for r in rows):
        out |= set(
            InvestigationStep.objects.filter(investigation_id__in=chunk, kind="charge", done=True).values_list(
                "investigation_id", flat=True
            )
        )
    return out


def _investigations(ctx: Context, allegation_ids: set[int]) -> dict[int, list[f.InvestigationSummary]]:
    """The investigations of each allegation: those opened on it directly or on a complaint about it."""
    out: dict[int, list[f.InvestigationSummary]] = defaultdict(list)
    for chunk in chunked(allegation_ids):
        by_complaint = dict(Complaint.objects.filter(allegation_id__in=chunk).values_list("id", "allegation_id"))
        rows: list[dict[str, Any]] = [
            dict(r)
            for r in Investigation.objects.filter(Q(allegation_id__in=chunk) | Q(complaint_id__in=list(by_complaint)))
            .values(
                "id",
                "allegation_id",
                "complaint_id",
                "body_id",
                "opened_on",
                "opened_on_precision",
                "outcome",
                "assigned_by_id",
                "allegation__custody_id",
                "complaint__allegation__custody_id",
            )
            .distinct()
        ]
        forensic, charged = _forensic(rows), _charged(rows)
        for r in rows:
            summary = summarise(ctx, r, forensic.get(r["id"]), r["id"] in charged)
            for allegation_id in {r["allegation_id"], by_complaint.get(r["complaint_id"])} - {None}:
                out[allegation_id].append(summary)
    return out


def summarise(ctx: Context, row: dict[str, Any], forensic_done: bool | None, charged: bool) -> f.InvestigationSummary:
    return f.InvestigationSummary(
        record=ref(Investigation, row["id"]),
        opened=when(row["opened_on"], row["opened_on_precision"]),
        outcome=row["outcome"],
        body=ctx.org_name(row["body_id"]),
        body_chain=ctx.chain(row["body_id"]),
        forensic_done=forensic_done,
        assigned_by=ctx.org_name(row["assigned_by_id"]),
        charged=charged,
    )


def _perpetrators(ctx: Context, allegation_ids: set[int]) -> dict[int, tuple[list[tuple[int, ...]], list[str]]]:
    out: dict[int, tuple[list[tuple[int, ...]], list[str]]] = defaultdict(lambda: ([], []))
    rows = (
        row
        for chunk in chunked(allegation_ids)
        for row in Allegation.objects.filter(id__in=chunk).values(
            "id",
            "perpetrators__organisation_id",
            "perpetrators__person__organisation_id",
            "perpetrators__person__label",
        )
    )
    for r in rows:
        chains, names = out[r["id"]]
        for org in (r["perpetrators__organisation_id"], r["perpetrators__person__organisation_id"]):
            if org is not None and ctx.chain(org) not in chains:
                chains.append(ctx.chain(org))
                names.append(ctx.org_name(org))
        if r["perpetrators__person__label"] and not r["perpetrators__person__organisation_id"]:
            names.append(r["perpetrators__person__label"])
    return out


def allegations(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.AllegationFacts]:
    rows = list(
        Allegation.objects.filter(_in("id", ids)).values(
            "id",
            "victim_id",
            "victim__label",
            "victim_group__label",
            "custody_id",
            "place_id",
            "happened_on",
            "happened_on_precision",
            "kind",
        )
    )
    allegation_ids = {r["id"] for r in rows}
    disclosures: dict[int, list[tuple[str, f.When]]] = defaultdict(list)
    for d in (
        row
        for chunk in chunked(allegation_ids)
        for row in Disclosure.objects.filter(allegation_id__in=chunk).values(
            "allegation_id", "audience", "disclosed_on", "disclosed_on_precision"
        )
    ):
        moment = when(d["disclosed_on"], d["disclosed_on_precision"])
        if moment:
            disclosures[d["allegation_id"]].append((d["audience"], moment))
    investigations = _investigations(ctx, allegation_ids)
    perpetrators = _perpetrators(ctx, allegation_ids)
    reparations: dict[int, int] = defaultdict(int)
    for chunk in chunked(allegation_ids):
        for allegation_id in Reparation.objects.filter(allegation_id__in=chunk).values_list("allegation_id", flat=True):
            reparations[allegation_id] += 1
    held: dict[int, set[int]] = defaultdict(set)  # custody episode → places
    for chunk in chunked({r["custody_id"] for r in rows} - {None}):
        for custody_id, place_id in Placement.objects.filter(custody_id__in=chunk).values_list(
            "custody_id", "place_id"
        ):
            held[custody_id].add(place_id)
    postings: dict[int, list[tuple[str, int, f.When | None, f.When | None]]] = defaultdict(list)
    for chunk in chunked(allegation_ids):
        for p in StaffAssignment.objects.filter(
            person__alleged_acts__allegation_id__in=chunk, place__isnull=False
        ).values(
            "person__alleged_acts__allegation_id",
            "person__label",
            "place_id",
            "started_on",
            "started_on_precision",
            "ended_on",
            "ended_on_precision",
            "suspended_on",
            "suspended_on_precision",
        ):
            until = when(p["suspended_on"], p["suspended_on_precision"]) or when(p["ended_on"], p["ended_on_precision"])
            postings[p["person__alleged_acts__allegation_id"]].append(
                (p["person__label"], p["place_id"], when(p["started_on"], p["started_on_precision"]), until)
            )
    for r in rows:
        made = sorted(disclosures.get(r["id"], []), key=lambda item: f.moment(item[1].lo))
        in_court = [moment for audience, moment in made if audience == Disclosure.Audience.COURT]
        happened = when(r["happened_on"], r["happened_on_precision"])
        chains, names = perpetrators.get(r["id"], ([], []))
        yield f.AllegationFacts(
            record=ref(Allegation, r["id"]),
            subject=r["victim__label"] or r["victim_group__label"] or "",
            place_id=r["place_id"],
            kind=r["kind"],
            kind_label=str(Allegation.Kind(r["kind"]).label),
            happened=happened,
            raised=made[0][1] if made else happened,
            raised_in_court=in_court[0] if in_court else None,
            victim_places=tuple({r["place_id"], *held.get(r["custody_id"], ())} - {None}),
            perpetrator_postings=tuple(postings.get(r["id"], ())),
            in_custody=bool(r["custody_id"] or r["place_id"]),
            perpetrator_chains=tuple(chains),
            perpetrators=", ".join(names),
            investigations=tuple(investigations.get(r["id"], ())),
            reparations=reparations.get(r["id"], 0),
        )


def investigations(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.InvestigationFacts]:
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in Investigation.objects.filter(_in("id", ids)).values(
            "id",
            "allegation_id",
            "complaint__allegation_id",
            "allegation__custody_id",
            "complaint__allegation__custody_id",
            "body_id",
            "assigned_by_id",
            "opened_on",
            "opened_on_precision",
            "outcome",
            "subject",
            "allegation__victim_id",
            "allegation__victim__label",
            "allegation__victim_group__label",
            "complaint__allegation__victim_id",
            "complaint__allegation__victim__label",
            "complaint__allegation__victim_group__label",
        )
    ]
    forensic, charged = _forensic(rows), _charged(rows)
    about = {r["allegation_id"] or r["complaint__allegation_id"] for r in rows} - {None}
    perpetrators = _perpetrators(ctx, about)
    for r in rows:
        allegation_id = r["allegation_id"] or r["complaint__allegation_id"]
        chains, names = perpetrators.get(allegation_id, ([], []))
        victim = (
            r["allegation__victim__label"]
            or r["complaint__allegation__victim__label"]
            or r["allegation__victim_group__label"]
            or r["complaint__allegation__victim_group__label"]
            or ""
        )
        yield f.InvestigationFacts(
            record=ref(Investigation, r["id"]),
            subject=victim or r["subject"],
            refs=(ref(Allegation, allegation_id),) if allegation_id else (),
            organisation_id=r["body_id"],
            summary=summarise(ctx, r, forensic.get(r["id"]), r["id"] in charged),
            perpetrator_chains=tuple(chains),
            perpetrators=", ".join(names),
        )


def statements(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.StatementFacts]:
    rows = list(
        Statement.objects.filter(_in("id", ids)).values(
            "id",
            "person_id",
            "person__label",
            "group__label",
            "kind",
            "retracted",
            "retracted_on",
            "retracted_on_precision",
            "coercion_alleged_id",
            "used_in__title",
            "used_in__torture_claims_examined",
        )
    )
    investigations = _investigations(ctx, {r["coercion_alleged_id"] for r in rows} - {None})
    for r in rows:
        retracted = when(r["retracted_on"], r["retracted_on_precision"])
        yield f.StatementFacts(
            record=ref(Statement, r["id"]),
            subject=r["person__label"] or r["group__label"] or "",
            refs=(ref(Allegation, r["coercion_alleged_id"]),) if r["coercion_alleged_id"] else (),
            kind=str(Statement.Kind(r["kind"]).label),
            retracted=retracted,
            retracted_undated=r["retracted"] and retracted is None,
            coercion_alleged=r["coercion_alleged_id"] is not None,
            investigations=tuple(investigations.get(r["coercion_alleged_id"], ())),
            used_in=r["used_in__title"] or "",
            claims_examined=r["used_in__torture_claims_examined"],
        )


def complaints(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.ComplaintFacts]:
    for r in Complaint.objects.filter(_in("id", ids)).values(
        "id",
        "allegation_id",
        "complainant__label",
        "complainant_group__label",
        "allegation__victim__label",
        "allegation__victim_group__label",
        "lodged_with_id",
        "lodged_on",
        "lodged_on_precision",
        "decided_on",
        "decided_on_precision",
        "outcome",
    ):
        yield f.ComplaintFacts(
            record=ref(Complaint, r["id"]),
            subject=r["complainant__label"]
            or r["complainant_group__label"]
            or r["allegation__victim__label"]
            or r["allegation__victim_group__label"]
            or "",
            refs=(ref(Allegation, r["allegation_id"]),),
            organisation_id=r["lodged_with_id"],
            lodged=when(r["lodged_on"], r["lodged_on_precision"]),
            decided=when(r["decided_on"], r["decided_on_precision"]),
            lodged_with=ctx.org_name(r["lodged_with_id"]),
            outcome=r["outcome"],
        )


def intimidations(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[IntimidationFacts]:
    where = countries(ctx)
    for r in Intimidation.objects.filter(_in("id", ids)).values(
        "id",
        "target__label",
        "target__home_locality_id",
        "role",
        "kind",
        "forum",
        "happened_on",
        "happened_on_precision",
        "by_organisation_id",
        "by_person__label",
        "by_officials",
        "established",
        "complaint_withdrawn",
        "communication",
        "complaint_id",
        "allegation_id",
        "allegation__place_id",
        "complaint__allegation__place_id",
        "visit__place_id",
    ):
        happened = when(r["happened_on"], r["happened_on_precision"])
        place = r["visit__place_id"] or r["allegation__place_id"] or r["complaint__allegation__place_id"]
        officials = r["by_officials"]
        if officials is None and r["by_organisation_id"] is not None:
            officials = True  # an agency named as the author: its officials
        yield IntimidationFacts(
            record=ref(Intimidation, r["id"]),
            subject=r["target__label"],
            on=_day(happened),
            refs=(ref(Complaint, r["complaint_id"]),) if r["complaint_id"] else (),
            place_id=place,
            organisation_id=r["by_organisation_id"],
            country=where.of(place=place, org=r["by_organisation_id"])
            or where.of(locality=r["target__home_locality_id"]),
            role=_label(Intimidation, r["role"], "role"),
            kind=_label(Intimidation, r["kind"]),
            forum=r["forum"],
            happened=happened,
            by_officials=officials,
            by=ctx.org_name(r["by_organisation_id"]) or r["by_person__label"] or "",
            established=r["established"],
            withdrawn=r["complaint_withdrawn"],
            communication=r["communication"],
            complaint=r["complaint_id"] is not None,
        )


def court_claims(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[CourtClaimFacts]:
    where = countries(ctx)
    for r in TortureClaimRuling.objects.filter(_in("id", ids)).values(
        "id",
        "proceeding_id",
        "proceeding__court_id",
        "proceeding__locality_id",
        "raised_by__label",
        "allegation__victim__label",
        "statement__person__label",
        "raised_on",
        "raised_on_precision",
        "decided_on",
        "decided_on_precision",
        "examined",
        "evidence_relied_on",
        "evidence_excluded",
    ):
        raised = when(r["raised_on"], r["raised_on_precision"])
        decided = when(r["decided_on"], r["decided_on_precision"])

        yield CourtClaimFacts(
            record=ref(TortureClaimRuling, r["id"]),
            subject=r["raised_by__label"] or r["allegation__victim__label"] or r["statement__person__label"] or "",
            on=_day(decided or raised),
            refs=(ref(Proceeding, r["proceeding_id"]),),
            organisation_id=r["proceeding__court_id"],
            country=where.of(locality=r["proceeding__locality_id"], org=r["proceeding__court_id"]),
            court=ctx.org_name(r["proceeding__court_id"]),
            raised=raised,
            decided=decided,
            examined=r["examined"],
            relied_on=r["evidence_relied_on"],
            excluded=r["evidence_excluded"],
        )


#: the verdict outcomes that leave a conviction standing
CONVICTIONS = ("convicted", "dismissed", "reduced", "increased")


def penalties(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[PenaltyFacts]:
    """Verdicts convicting a defendant charged for acts alleged as torture or ill-treatment, or charged with
    torture itself."""
    where = countries(ctx)
    charged: dict[tuple[int, int], list[tuple[str, str, str, bool]]] = defaultdict(list)
    for proceeding, defendant, qualification, article, offence, allegation_kind in (
        Charge.objects.filter(defendant__isnull=False)
        .exclude(allegation__isnull=True, qualification__in=["", "other"])
        .values_list("proceeding_id", "defendant_id", "qualification", "article", "offence", "allegation__kind")
    ):
        charged[(proceeding, defendant)].append((qualification, article, offence, allegation_kind == "torture"))
    verdicts = Verdict.objects.filter(_in("id", ids)).filter(outcome__in=CONVICTIONS, defendant__isnull=False)
    rows = [
        r
        for r in verdicts.values(
            "id",
            "proceeding_id",
            "proceeding__court_id",
            "proceeding__locality_id",
            "defendant_id",
            "defendant__label",
            "decided_on",
            "decided_on_precision",
        )
        if (r["proceeding_id"], r["defendant_id"]) in charged
    ]
    sentences: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for chunk in chunked(r["id"] for r in rows):
        for verdict, kind, months in Sentence.objects.filter(verdict_id__in=chunk).values_list(
            "verdict_id", "kind", "months"
        ):
            sentences[verdict].append((kind, months))
    for r in rows:
        decided = when(r["decided_on"], r["decided_on_precision"])
        yield PenaltyFacts(
            record=ref(Verdict, r["id"]),
            subject=r["defendant__label"],
            on=_day(decided),
            organisation_id=r["proceeding__court_id"],
            country=where.of(locality=r["proceeding__locality_id"], org=r["proceeding__court_id"]),
            decided=decided,
            charges=tuple(charged[(r["proceeding_id"], r["defendant_id"])]),
            sentences=tuple(sentences.get(r["id"], ())),
        )


def reparations(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.ReparationFacts]:
    for r in Reparation.objects.filter(_in("id", ids)).select_related("beneficiary"):
        amount = (
            listed([round(r.amount), r.currency] if r.currency else [round(r.amount)], " ")
            if r.amount is not None
            else say("an unstated amount")
        )
        yield f.ReparationFacts(
            record=ref(Reparation, r.pk),
            subject=r.beneficiary.label if r.beneficiary else r.beneficiary_text,
            organisation_id=r.ordered_by_id,
            kind=r.get_kind_display(),
            ordered=when(r.ordered_on, r.ordered_on_precision),
            due=when(r.due_on, r.due_on_precision),
            status=r.status,
            as_of=when(r.status_on, r.status_on_precision),
            amount=amount,
            paid=when(r.paid_on, r.paid_on_precision),
        )


def redress(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[RedressFacts]:
    """Reparation refused (or stated as never given) for an allegation, with what established the ill-treatment."""
    where = countries(ctx)
    rows = list(
        Reparation.objects.filter(_in("id", ids))
        .filter(status=Reparation.Status.DENIED, allegation__isnull=False)
        .values(
            "id",
            "allegation_id",
            "allegation__victim__label",
            "allegation__victim_group__label",
            "allegation__place_id",
            "allegation__locality_id",
            "beneficiary__label",
            "ordered_by_id",
            "kind",
            "status_on",
            "status_on_precision",
            "ordered_on",
            "ordered_on_precision",
        )
    )
    allegations = {r["allegation_id"] for r in rows}
    convicted: dict[int, When] = {}
    upheld: dict[int, When] = {}
    for chunk in chunked(allegations):
        # a verdict convicting, in the proceeding of a charge for the acts alleged, the official so charged
        for allegation, decided, precision in (
            Verdict.objects.filter(
                outcome__in=CONVICTIONS,
                proceeding__charges__allegation_id__in=chunk,
                proceeding__charges__defendant_id=F("defendant_id"),
            )
            .order_by("decided_on")
            .values_list("proceeding__charges__allegation_id", "decided_on", "decided_on_precision")
        ):
            found = when(decided, precision)
            if found is not None:
                convicted.setdefault(allegation, found)
        for allegation, decided, precision in Complaint.objects.filter(
            allegation_id__in=chunk, outcome=Complaint.Outcome.UPHELD
        ).values_list("allegation_id", "decided_on", "decided_on_precision"):
            found = when(decided, precision)
            if found is not None:
                upheld.setdefault(allegation, found)

    for r in rows:
        refused = when(r["status_on"], r["status_on_precision"]) or when(r["ordered_on"], r["ordered_on_precision"])
        yield RedressFacts(
            record=ref(Reparation, r["id"]),
            subject=r["beneficiary__label"]
            or r["allegation__victim__label"]
            or r["allegation__victim_group__label"]
            or "",
            on=_day(refused),
            refs=(ref(Allegation, r["allegation_id"]),),
            place_id=r["allegation__place_id"],
            organisation_id=r["ordered_by_id"],
            country=where.of(place=r["allegation__place_id"], locality=r["allegation__locality_id"]),
            kind=_label(Reparation, r["kind"]),
            refused=refused,
            convicted=convicted.get(r["allegation_id"]),
            upheld=upheld.get(r["allegation_id"]),
        )
