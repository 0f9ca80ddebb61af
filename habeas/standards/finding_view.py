"""A finding as every page, the briefing and the command line show it: one frozen value (``FindingView``) built in
bulk from stored findings (``finding_views``), which ``visibility.findings_visible`` then filters and
pseudonymises for a reader."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext

from habeas.standards.models import Finding
from habeas.standards.rules import CATALOGUE, standards_shown


@dataclass(frozen=True)
class CitedSource:
    """A source of the facts a finding used, and where in it. ``title`` and ``section`` are empty where they are
    withheld (a title or a section heading can name a person): the source is then named by its key."""

    key: str
    title: str = ""
    section: str = ""
    page: str = ""
    paragraph: str = ""
    field: str = ""

    @property
    def locator(self) -> str:
        """Where in the source: its section (while shown), page and paragraph."""
        parts = [
            gettext("section “%(section)s”") % {"section": self.section} if self.title and self.section else "",
            gettext("p. %(page)s") % {"page": self.page} if self.page else "",
            gettext("para. %(paragraph)s") % {"paragraph": self.paragraph} if self.paragraph else "",
        ]
        return ", ".join(p for p in parts if p)

    @property
    def cited(self) -> str:
        """The source and where in it, in one line: by its title while shown, else by its key."""
        named = self.title or gettext("source %(key)s") % {"key": self.key}
        return ", ".join(p for p in (named, self.locator) if p)


def sources_cited(sources: Iterable[CitedSource]) -> str:
    """Sources in one line, each once, as pages and the briefing's notes give them."""
    return "; ".join(dict.fromkeys(source.cited for source in sources))


@dataclass(frozen=True)
class RecordRef:
    """The record a finding is about: its model's label ("cases.allegation") and primary key."""

    model: str
    pk: int


@dataclass(frozen=True)
class FindingView:
    """What is shown of a finding: the rule and every standard it cites, the status and severity (codes: pages
    style by them in any language), the sentence in the reader's language, the sources, the record it is
    about (``subject`` names it, or is its pseudonym), the review and the dates. ``pk`` and the dates are
    empty for a finding computed and not stored (a what-if check)."""

    pk: int | None
    profile: str
    rule: str
    rule_version: int
    rules: tuple[str, ...]
    topic: str
    standard: str
    status: str
    severity: str
    severity_rank: int
    record: RecordRef
    subject: str
    summary: str
    sources: tuple[CitedSource, ...]
    review: str
    first_found_at: dt.datetime | None
    changed_at: dt.datetime | None
    facts: Mapping[str, Any]
    parameters: Mapping[str, Any]

    @property
    def rule_name(self) -> str:
        """The lead rule's title, in the reader's language (its code for a rule no longer in the catalogue)."""
        rule = CATALOGUE.get(self.rule)
        return gettext(rule.title) if rule else self.rule

    @property
    def status_label(self) -> str:
        return str(Finding.Status(self.status).label)

    @property
    def severity_label(self) -> str:
        return str(Finding.Severity(self.severity_rank).label)

    @property
    def cited(self) -> str:
        """Its sources in one line, each once."""
        return sources_cited(self.sources)

    @property
    def ref(self) -> tuple[str, int]:
        return (self.record.model, self.record.pk)

    def plain(self) -> dict[str, Any]:
        """As plain data, for the command line's JSON and CSV (the record as its type and id)."""
        return {
            "rule": self.rule,
            "rule_version": self.rule_version,
            "rules": list(self.rules),
            "topic": self.topic,
            "status": self.status,
            "severity": self.severity,
            "record": {"type": self.record.model, "id": self.record.pk},
            "subject": self.subject,
            "summary": self.summary,
            "standard": self.standard,
            "review": self.review or None,
            "parameters": dict(self.parameters),
            "facts": dict(self.facts),
            "sources": [
                {"source": s.title, "key": s.key, "section": s.section, "page": s.page, "paragraph": s.paragraph}
                for s in self.sources
            ],
        }


def finding_views(findings: Iterable[Finding]) -> list[FindingView]:
    """The findings as they are shown, in their order, without a query of their own (the kinds of record come from
    the content types' cache). Sentences and standards are in the active language. Pass the result through
    ``visibility.findings_visible`` before showing it to anyone but a superuser."""
    return [_view(finding) for finding in findings]


def _view(finding: Finding) -> FindingView:
    content_type = ContentType.objects.get_for_id(finding.content_type_id)
    severity = Finding.Severity(finding.severity)
    return FindingView(
        pk=finding.pk,
        profile=finding.profile,
        rule=finding.rule,
        rule_version=finding.rule_version,
        rules=tuple(c["rule"] for c in finding.standards) or (finding.rule,),
        topic=finding.topic,
        standard=standards_shown(finding.rule, finding.standard, finding.standards),
        status=finding.status,
        severity=severity.name.lower(),
        severity_rank=severity.value,
        record=RecordRef(f"{content_type.app_label}.{content_type.model}", finding.object_id),
        subject=finding.subject,
        summary=finding.summary_shown(),
        sources=tuple(cited_source(s) for s in finding.sources),
        review=finding.review,
        first_found_at=finding.first_found_at,
        changed_at=finding.changed_at,
        facts=finding.facts,
        parameters=finding.parameters,
    )


def cited_source(stored: Mapping[str, Any]) -> CitedSource:
    """A source as findings keep it (``evidence.selectors.citation_shown``), as it is shown."""
    return CitedSource(
        key=str(stored.get("key") or ""),
        title=str(stored.get("source") or ""),
        section=str(stored.get("section") or ""),
        page=str(stored.get("page") or ""),
        paragraph=str(stored.get("paragraph") or ""),
        field=str(stored.get("field") or ""),
    )
