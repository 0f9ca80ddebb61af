"""The rules engine's core: rules, jurisdiction profiles and their parameters, and outcomes.

Nothing here touches the database. A rule is a declared object with a pure evaluation over facts that
the gatherers (``gather``) read; a profile supplies the parameters, each date-versioned and cited.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from habeas.core.wording import Words, english
from habeas.standards.facts import When

PROFILE_DIR = Path(__file__).with_name("profiles")


class StandardsError(ValueError):
    """A profile, rule code or parameter that cannot be used; the message names it."""


class Severity(enum.IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4


class Status(enum.StrEnum):
    """What a rule found. ``breach`` and ``possible`` judge facts against a limit; ``alleged`` is a violation a
    source alleges, for a reviewer to confirm; ``gap`` is a fact the rule needs that no source states — a
    question for the researcher, never a breach."""

    BREACH = "breach"
    POSSIBLE = "possible"
    ALLEGED = "alleged"
    GAP = "gap"


class LegalForce(enum.StrEnum):
    TREATY = "treaty"
    SOFT = "soft law"
    INTERPRETATION = "treaty-body interpretation"
    GUIDANCE = "guidance"
    NATIONAL = "national law"
    HEURISTIC = "heuristic"


@dataclass(frozen=True)
class Cited:
    """A value and where it comes from: the standard that sets it (``set_by``), or, for a working threshold
    Habeas chose where the standard gives no figure, the reason (``working``)."""

    value: Any
    citation: str
    set_by: str = ""
    working: str = ""


@dataclass(frozen=True)
class Params:
    """The parameters of one profile, resolved at one date."""

    profile: str
    values: dict[str, Cited]
    as_of: dt.datetime = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)  # the date of the check
    known: When | None = None  # the date the record's facts are known up to, when before ``as_of``

    def until(self) -> When:
        """The date an open situation (no investigation yet, no answer yet) is measured to: the date the record's
        facts are known up to (its latest source or review), else the day of the check."""
        return self.known if self.known is not None else When.day_of(self.as_of)

    def __getitem__(self, name: str) -> Any:
        return self.cited(name).value

    def cited(self, name: str) -> Cited:
        try:
            return self.values[name]
        except KeyError:
            raise StandardsError(f"profile {self.profile!r} has no value for parameter {name}") from None


@dataclass(frozen=True)
class Outcome:
    """What a rule found on one record: its status, a one-sentence summary with the figures (as words any
    language can render: ``wording``), the facts it used (by name) and the limit it compared them with."""

    status: Status
    wording: Words
    facts: dict[str, Any] = field(default_factory=dict)
    topic: str = ""  # the failure judged, when it is not the rule's own topic (a rule judging two failures)

    @property
    def summary(self) -> str:
        return english(self.wording)


@dataclass(frozen=True)
class Rule:
    code: str
    version: int
    title: str
    instrument: str
    article: str
    legal_force: LegalForce
    severity: Severity
    verified: str  # V, K or U, as the catalogue grades it
    subject: str  # the kind of facts it reads: see gather.SUBJECTS
    parameters: tuple[str, ...]
    evaluate: Callable[[Any, Params], Outcome | None]
    #: rules judging the same failure (e.g. a missing investigation under CAT 12, the Istanbul Protocol and
    #: Mandela 71(2)) share a topic: their outcomes on one record make one finding citing each standard
    topic: str = ""
    other_topics: tuple[str, ...] = ()  # failures its outcomes may judge besides its topic (``Outcome.topic``)
    jurisdiction: str = ""  # empty for international standards
    #: the period its source was in force: facts dated (by ``dated``, else the facts' own date) outside it are
    #: not judged by it
    in_force_from: dt.date | None = None
    in_force_until: dt.date | None = None
    dated: Callable[[Any], When | None] | None = None  # facts → the date the in-force period is judged against

    def applies(self, facts: Any) -> bool:
        """Whether the rule's source was in force on the date of the facts it judges: certainly so, when the
        date is uncertain; a rule with no period applies always."""
        if self.in_force_from is None and self.in_force_until is None:
            return True
        if self.dated is not None:
            moment = self.dated(facts)
            if moment is None:
                return False
            lo, hi = moment.lo, moment.hi
        elif facts.on is None:
            return False
        else:
            lo = hi = facts.on
        lo = lo.date() if isinstance(lo, dt.datetime) else lo
        hi = hi.date() if isinstance(hi, dt.datetime) else hi
        if self.in_force_from is not None and lo < self.in_force_from:
            return False
        return self.in_force_until is None or hi < self.in_force_until

    @property
    def citation(self) -> str:
        return f"{self.instrument}, {self.article}"

    @property
    def topics(self) -> tuple[str, ...]:
        """The failures its findings are filed under."""
        return (self.topic or self.code, *self.other_topics)


@dataclass(frozen=True)
class ParameterVersion:
    value: Any
    citation: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    set_by: str = ""  # the standard that sets this figure
    working: str = ""  # or why Habeas chose it where the standard sets none


@dataclass(frozen=True)
class Profile:
    """A jurisdiction profile: which rules apply, and the parameters they use, with citations."""

    name: str
    title: str
    jurisdiction: str
    parameters: dict[str, tuple[ParameterVersion, ...]]
    rules: tuple[str, ...]

    def params(self, on: dt.date | None = None, *, as_of: dt.datetime | None = None) -> Params:
        """The parameters in force on a date (the latest version when no date is given)."""
        values: dict[str, Cited] = {}
        for name, versions in self.parameters.items():
            chosen = None
            for version in versions:
                starts_ok = version.valid_from is None or on is None or version.valid_from <= on
                ends_ok = version.valid_until is None or on is None or on < version.valid_until
                if starts_ok and ends_ok:
                    chosen = version
            if chosen is not None:
                values[name] = Cited(chosen.value, chosen.citation, chosen.set_by, chosen.working)
        if as_of is None:
            return Params(profile=self.name, values=values)
        return Params(profile=self.name, values=values, as_of=as_of)


def _date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise StandardsError(f"{where}: {value!r} is not a date (write YYYY-MM-DD)") from None


def load_profile(name: str, *, directory: Path = PROFILE_DIR, known_rules: Iterable[Rule] = ()) -> Profile:
    """Read and check a profile file. A profile may extend another (``extends: international``)."""
    path = directory / f"{name}.yaml"
    if not path.exists():
        available = sorted(p.stem for p in directory.glob("*.yaml"))
        raise StandardsError(f"unknown profile {name!r}; available: {', '.join(available)}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise StandardsError(f"{path}: malformed YAML: {exc}") from None
    if not isinstance(data, dict):
        raise StandardsError(f"{path}: expected a mapping")
    rules = {rule.code: rule for rule in known_rules}
    parameters: dict[str, tuple[ParameterVersion, ...]] = {}
    codes: list[str] = []
    if data.get("extends"):
        base = load_profile(str(data["extends"]), directory=directory, known_rules=rules.values())
        parameters.update(base.parameters)
        codes.extend(base.rules)
    for pname, versions in (data.get("parameters") or {}).items():
        if not isinstance(versions, list) or not versions:
            raise StandardsError(f"{path}: parameter {pname}: expected a list of dated values")
        parsed = []
        for i, version in enumerate(versions, start=1):
            where = f"{path}: parameter {pname}, value {i}"
            if not isinstance(version, dict) or "value" not in version:
                raise StandardsError(f"{where}: missing 'value'")
            if not version.get("citation"):
                raise StandardsError(f"{where}: missing 'citation'")
            value = version["value"]
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise StandardsError(f"{where}: {value!r} is not a non-negative number")
            valid_from, valid_until = _date(version.get("from"), where), _date(version.get("until"), where)
            set_by, working = str(version.get("set_by") or ""), str(version.get("working") or "")
            if bool(set_by) == bool(working):
                raise StandardsError(
                    f"{where}: say either which standard sets the figure ('set_by') or why Habeas chose it where "
                    "the standard sets none ('working'), not both"
                )
            parsed.append(
                ParameterVersion(
                    value=value,
                    citation=str(version["citation"]),
                    valid_from=valid_from,
                    valid_until=valid_until,
                    set_by=set_by,
                    working=working,
                )
            )
        parameters[str(pname)] = tuple(parsed)
    for code in data.get("rules") or []:
        if rules and code not in rules:
            raise StandardsError(f"{path}: unknown rule code {code!r}")
        if code not in codes:
            codes.append(str(code))
    for code in codes:
        rule = rules.get(code)
        if rule is None:
            continue
        missing = [p for p in rule.parameters if p not in parameters]
        if missing:
            raise StandardsError(f"{path}: rule {code} needs parameter {missing[0]}, which the profile does not set")
    return Profile(
        name=name,
        title=str(data.get("title", name)),
        jurisdiction=str(data.get("jurisdiction", "")),
        parameters=parameters,
        rules=tuple(codes),
    )
