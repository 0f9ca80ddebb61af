"""Persons, places of detention and events in the CSV that HURIDOCS Uwazi reads and writes for entities, both ways.

The format, as Uwazi's own code reads and writes it (``app/api/csv/`` of huridocs/uwazi): one CSV file per
template, the first row naming the columns. Uwazi's importer turns each header into a property name (trimmed,
every character but a-z and 0-9 made ``_``, lower-cased: "Date of birth" is ``date_of_birth``), so a file may
name its columns by the properties' labels (as Uwazi's export does) or by their names (as Habeas writes). A
header ending in ``__<language>`` (``title__en``, ``title__ru``) holds the property in that language. Several
values in one cell (a multiselect, a relationship) are joined by ``|``; a geolocation is ``lat|lon``; a
relationship names the related entities by title. Commas or semicolons separate the cells. Uwazi's export adds
columns of its own ("Date added", "Template", "Documents", "Attachments", "Published"): Habeas reads past them.

Habeas writes UTF-8 with a byte-order mark (so that spreadsheets read Cyrillic), a text cell that a spreadsheet
would take for a formula with a leading ``'`` (removed again on import), and dates at their precision
(``2011-12-16``, ``2011-12``, ``2011``, ``1961~`` for "about 1961"), ISO 8601 being the form Uwazi's exporter
writes by default and its importer reads. On import a date is read at its precision in those forms and in those
of Uwazi's date settings (``yyyy/MM/dd``, ``dd/MM/yyyy``, ``MM/dd/yyyy``).

The mapping of fields to properties is ``COLUMNS`` (the table in docs/operations.md). An export is of the
records the reader may see, at a redaction level: internal (the team's own view; an analyst not granted
identities gets pseudonyms and no protected text), or a redaction profile (partner, public) read as the other
exports read it (``reports.selectors.export_rows``: pseudonyms, coarsened dates and localities, known names
replaced in what text is left). An import is all or nothing: every row is checked, every problem named by file,
row and column, and the records are written through the write path, each cited to one new source for the file.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from habeas.accounts import access
from habeas.accounts.models import Team
from habeas.accounts.records import record_create
from habeas.accounts.services import audit_record
from habeas.accounts.viewer import viewer_for
from habeas.cases.models import Event
from habeas.core.dates import Precision
from habeas.core.errors import CommandError
from habeas.core.models import PRECISION_SUFFIX
from habeas.core.spreadsheet import FORMULA_STARTS, formula_safe
from habeas.evidence.models import Source
from habeas.evidence.services import citation_add
from habeas.ops.dataload import CONTROL, MAX_BYTES, load_team
from habeas.registry.models import Locality, Organisation, Person, PersonName, Place
from habeas.reports.briefing import REDACTIONS
from habeas.reports.redaction import profile_load
from habeas.reports.selectors import coarsen, export_rows, person_pseudonym

M = TypeVar("M", bound=models.Model)
KINDS = {"persons": "registry.person", "places": "registry.place", "events": "cases.event"}
MODELS: dict[str, type[models.Model]] = {"persons": Person, "places": Place, "events": Event}
#: the template each kind is in Uwazi (the "Template" column of Uwazi's export)
TEMPLATES = {"persons": "Person", "places": "Place of detention", "events": "Event"}
DATE_FORMATS = ("yyyy/MM/dd", "dd/MM/yyyy", "MM/dd/yyyy")
#: Uwazi's export's own columns (by property name), not properties of a template: read past on import
UWAZI_COMMON = {"date_added", "template", "documents", "attachments", "published", "id", "file"}
#: the most rows an import reads (a national register of places or events is far smaller)
MAX_ROWS = 100_000
#: the longest cell (characters): the longest text a property here holds, with room
MAX_CELL = 20_000
MAX_COLUMNS = 200
#: the most problems listed in the refusal (all are counted)
MAX_LISTED = 100
SEPARATOR = "|"
_LANGUAGE = re.compile(r"^(?P<name>.+?)__(?P<language>[a-z]{2,3})$")


@dataclass(frozen=True)
class Column:
    """A property of the Uwazi template and the Habeas field it holds. ``field`` is the model's field, or
    ``names`` (a person's names); ``type`` is the Uwazi property type; ``protected``: shown only to a reader of
    the team's identities, under the internal level."""

    name: str
    field: str
    type: str
    protected: bool = False


COLUMNS: dict[str, tuple[Column, ...]] = {
    "persons": (
        Column("title", "label", "text", protected=True),
        Column("names", "names", "text", protected=True),
        Column("sex", "sex", "select"),
        Column("date_of_birth", "born_on", "date"),
        Column("date_of_death", "died_on", "date"),
        Column("circumstances_of_death", "death_circumstances", "markdown", protected=True),
        Column("home_locality", "home_locality", "select"),
        Column("nationality", "nationality", "text"),
        Column("occupation", "occupation", "text"),
        Column("works_for", "organisation", "relationship"),
        Column("position", "position", "text"),
    ),
    "places": (
        Column("title", "name", "text"),
        Column("kind", "kind", "select"),
        Column("operating_authority", "authority", "relationship"),
        Column("locality", "locality", "select"),
        Column("geolocation_geolocation", "geolocation", "geolocation"),
        Column("official_capacity", "capacity", "numeric"),
        Column("address", "address", "text"),
    ),
    "events": (
        Column("title", "name", "text"),
        Column("kind", "kind", "select"),
        Column("start_date", "started_on", "date"),
        Column("end_date", "ended_on", "date"),
        Column("locality", "locality", "select"),
        Column("part_of", "parent", "relationship"),
        Column("description", "description", "markdown", protected=True),
    ),
}


class UwaziError(CommandError):
    """A file or a request that Habeas refuses; nothing was stored."""


@dataclass(frozen=True)
class Problem:
    """A rejected cell or row: where (file, row as a spreadsheet numbers it, column) and why."""

    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = _("%(file)s, row %(row)s") % {"file": self.file, "row": self.row}
        if self.column:
            where += ", " + _("column %(column)s") % {"column": self.column}
        return f"{where}: {self.reason}"


class UwaziImportError(UwaziError):
    """An import refused for the problems it lists (every one found, up to ``MAX_LISTED``)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [str(problem) for problem in problems[:MAX_LISTED]]
        if len(problems) > MAX_LISTED:
            lines.append(_("and %(count)s more") % {"count": len(problems) - MAX_LISTED})
        heading = _("nothing was imported: %(count)s problems") % {"count": len(problems)}
        super().__init__("\n  ".join([heading, *lines]))


@dataclass
class ExportSummary:
    kind: str
    redaction: str
    rows: int
    sha256: str
    size: int


@dataclass
class ImportSummary:
    source: Source
    created: dict[str, int] = field(default_factory=dict)


def safe_name(header: str) -> str:
    """A header as Uwazi's importer names the property it holds ("Date of birth" → ``date_of_birth``)."""
    return re.sub(r"[^a-z0-9]", "_", header.strip(), flags=re.IGNORECASE).lower()


def _choice_label(model: type[models.Model], name: str, code: str) -> str:
    found: Any = model._meta.get_field(name)
    with translation.override("en"):
        return str(dict(found.choices).get(code, code)) if code else ""


# Export ------------------------------------------------------------------------------------------------------


def uwazi_export(*, user: Any, kind: str, redaction: str, out: IO[bytes], destination: str = "") -> ExportSummary:
    """Write the ``kind`` records ``user`` may see as Uwazi's CSV, at the ``redaction`` level, to ``out``, and
    record the export (kind, level, rows, SHA-256) as an audit event."""
    if kind not in KINDS:
        raise UwaziError(
            _("unknown kind %(kind)s; choose one of: %(kinds)s") % {"kind": kind, "kinds": ", ".join(KINDS)}
        )
    if redaction not in REDACTIONS:
        raise UwaziError(
            _("unknown redaction %(level)s; choose one of: %(levels)s")
            % {"level": redaction, "levels": ", ".join(REDACTIONS)}
        )
    with transaction.atomic():
        columns, rows = _internal(user, kind) if redaction == "internal" else _redacted(user, kind, redaction)
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([column.name for column in columns])
        for row in rows:
            writer.writerow([_shown_cell(column, row.get(column.name) or "") for column in columns])
        blob = text.getvalue().encode("utf-8-sig")
        summary = ExportSummary(
            kind=kind, redaction=redaction, rows=len(rows), sha256=hashlib.sha256(blob).hexdigest(), size=len(blob)
        )
        audit_record(
            action="export",
            actor=user,
            target_type="ops.uwazi",
            target_id=kind,
            summary=f"Uwazi CSV of {kind}, {redaction}: {len(rows)} records",
            details={
                "kind": kind,
                "redaction": redaction,
                "rows": len(rows),
                "sha256": summary.sha256,
                "bytes": summary.size,
                "destination": destination,
            },
        )
        out.write(blob)
    return summary


def _shown_cell(column: Column, text: str) -> str:
    """A cell as written: text never as a spreadsheet formula; a number or coordinates (which Habeas writes, and
    which may begin with a minus) as they are."""
    return text if column.type in ("numeric", "geolocation") else formula_safe(text)


def _date(record: models.Model, name: str) -> str:
    return coarsen(getattr(record, name), getattr(record, name + PRECISION_SUFFIX), Precision.DAY) or ""


def _internal(user: Any, kind: str) -> tuple[tuple[Column, ...], list[dict[str, str]]]:
    """Every field of the records the user may see; a team whose identities are hidden from the user gives
    pseudonyms and no protected text."""
    model = MODELS[kind]
    viewer = viewer_for(user)
    hidden = viewer.hidden
    related = {"persons": ["home_locality", "organisation"], "places": ["authority", "locality"]}.get(
        kind, ["locality", "parent"]
    )
    queryset = access.visible(model, viewer).select_related(*related).order_by("pk")
    names: dict[int, list[str]] = {}
    if kind == "persons":
        for person_id, full_name in (
            PersonName.objects.filter(person__in=queryset.values("pk"))
            .order_by("pk")
            .values_list("person_id", "full_name")
        ):
            names.setdefault(person_id, []).append(full_name)
    out = []
    for record in queryset:
        shown = record.team_id not in hidden  # type: ignore[attr-defined]
        row: dict[str, str] = {}
        for column in COLUMNS[kind]:
            if column.protected and not shown:
                value = person_pseudonym(record.pk) if column.name == "title" and kind == "persons" else ""
            elif column.field == "names":
                value = SEPARATOR.join(names.get(record.pk, []))
            elif column.type == "date":
                value = _date(record, column.field)
            elif column.type == "select" and column.field in ("sex", "kind"):
                value = _choice_label(model, column.field, getattr(record, column.field))
            elif column.type == "geolocation":
                locality = record.locality  # type: ignore[attr-defined]
                has_point = locality is not None and locality.latitude is not None
                value = f"{locality.latitude}{SEPARATOR}{locality.longitude}" if has_point else ""
            else:
                value = getattr(record, column.field)
                value = "" if value is None else getattr(value, "name", value)
            row[column.name] = str(value)
        out.append(row)
    return COLUMNS[kind], out


def _redacted(user: Any, kind: str, redaction: str) -> tuple[tuple[Column, ...], list[dict[str, str]]]:
    """The records as the profile's export gives them, in the template's columns: only the fields the profile
    lists (a person's title is their pseudonym, or an official's name the profile keeps)."""
    profile = profile_load(redaction)
    label = KINDS[kind]
    rule = profile.models[label]
    profile = dataclasses.replace(profile, models={label: rule})
    rows = export_rows(user=user, profile=profile)[label]
    listed = {*rule.fields, *rule.text}
    columns = tuple(c for c in COLUMNS[kind] if c.name == "title" or c.field in listed)
    event_names = {row["id"]: row.get("name") for row in rows} if kind == "events" else {}
    model = MODELS[kind]
    out = []
    for row in rows:
        shown: dict[str, str] = {}
        for column in columns:
            value: Any = row["id"] if kind == "persons" and column.name == "title" else row.get(column.field)
            if column.field == "parent":
                value = event_names.get(value)
            elif column.type == "select" and column.field in ("sex", "kind"):
                value = _choice_label(model, column.field, value or "")
            shown[column.name] = "" if value is None else str(value)
        out.append(shown)
    return columns, out


# Import ------------------------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    values: dict[str, str]  # property name → the cell (in the import's language)
    other_languages: list[str]  # a title's values in the other languages


def _read(path: Path) -> tuple[str, str]:
    """The file's text (a byte-order mark removed) and its SHA-256; refused if too large, not UTF-8 or holding a
    control character."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UwaziError(_("%(path)s cannot be read (%(why)s)") % {"path": path, "why": exc.strerror}) from None
    if len(data) > MAX_BYTES:
        raise UwaziError(
            _("%(path)s is larger than %(limit)s MB: split it into several files")
            % {"path": path, "limit": MAX_BYTES // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UwaziError(
            _("%(path)s, line %(line)s: not UTF-8 text; save the CSV as UTF-8") % {"path": path, "line": line}
        ) from None
    control = CONTROL.search(text)
    if control:
        line = text[: control.start()].count("\n") + 1
        raise UwaziError(
            _("%(path)s, line %(line)s: a control character (code %(code)s) no text holds")
            % {"path": path, "line": line, "code": ord(control.group())}
        )
    return text, hashlib.sha256(data).hexdigest()


def _cell(text: str) -> str:
    """A cell as read: trimmed, and the ``'`` Habeas puts before a formula's first character taken off."""
    text = text.strip()
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _rows(path: Path, text: str, kind: str, language: str) -> Iterator[_Row | Problem]:
    """The rows of the file, or the problems of its header and rows."""
    name = path.name
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    known = {column.name for column in COLUMNS[kind]}
    try:
        header = next(reader, None)
    except csv.Error as exc:
        yield Problem(name, 1, "", _("not a CSV file: %(why)s") % {"why": exc})
        return
    if not header:
        yield Problem(name, 1, "", _("the file is empty: the first row names the columns"))
        return
    if len(header) > MAX_COLUMNS:
        yield Problem(name, 1, "", _("more than %(count)s columns") % {"count": MAX_COLUMNS})
        return
    # property → [(language or "", index)]
    places: dict[str, list[tuple[str, int]]] = {}
    for index, cell in enumerate(header):
        prop, lang = safe_name(cell), ""
        matched = _LANGUAGE.match(prop)
        if matched and matched["name"] in known | UWAZI_COMMON:
            prop, lang = matched["name"], matched["language"]
        if prop in UWAZI_COMMON:
            continue
        if f"{prop}_geolocation" in known:  # Uwazi's export heads a geolocation by its label, without the suffix
            prop = f"{prop}_geolocation"
        if prop not in known:
            yield Problem(
                name,
                1,
                cell.strip(),
                _("no property of this name in the %(template)s template; the properties are: %(known)s")
                % {"template": TEMPLATES[kind], "known": ", ".join(column.name for column in COLUMNS[kind])},
            )
            continue
        if any(other == lang for other, _index in places.get(prop, [])):
            yield Problem(name, 1, cell.strip(), _("the column is given twice"))
            continue
        places.setdefault(prop, []).append((lang, index))
    for prop, found in places.items():
        if len(found) > 1 and any(not lang for lang, _index in found):
            yield Problem(name, 1, prop, _("give this property in one column, or in one column per language"))
    if "title" not in places:
        yield Problem(name, 1, "title", _("the title column is missing: it holds each record's name"))
    count = 0
    number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Problem(name, number + 1, "", _("not a CSV row: %(why)s") % {"why": exc})
            return
        number += 1
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            yield Problem(name, number, "", _("more than %(count)s rows: split the file") % {"count": MAX_ROWS})
            return
        if len(cells) > len(header):
            yield Problem(name, number, "", _("more cells than the header has columns"))
            continue
        cells += [""] * (len(header) - len(cells))
        if any(len(cell) > MAX_CELL for cell in cells):
            yield Problem(name, number, "", _("a cell longer than %(count)s characters") % {"count": MAX_CELL})
            continue
        values: dict[str, str] = {}
        others: list[str] = []
        for prop, found in places.items():
            by_language = {lang: _cell(cells[index]) for lang, index in found}
            chosen = (
                by_language.get(language)
                or by_language.get("")
                or next((value for _lang, value in sorted(by_language.items()) if value), "")
            )
            values[prop] = chosen
            if prop == "title":
                others = [value for _lang, value in sorted(by_language.items()) if value and value != chosen]
        yield _Row(number, values, others)


def parse_date(text: str, date_format: str) -> tuple[dt.date, str]:
    """A date at its precision, in the forms Habeas writes (``2011-12-16``, ``2011-12``, ``2011``, ``1961~``,
    ``~1961``) or in the form of the Uwazi instance's date setting (``yyyy/MM/dd``, ``dd/MM/yyyy``,
    ``MM/dd/yyyy``, with ``/``, ``-``, ``.`` or spaces between the parts)."""
    value = text.strip()
    about = value.startswith("~") or value.endswith("~")
    value = value.strip("~")
    iso = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value)
    parts = re.fullmatch(r"(\d{1,4})[/.\- ](\d{1,2})[/.\- ](\d{1,4})", value)
    if iso:
        year, month, day = int(iso[1]), iso[2] and int(iso[2]), iso[3] and int(iso[3])
    elif parts and not about:
        order = {"yyyy/MM/dd": "ymd", "dd/MM/yyyy": "dmy", "MM/dd/yyyy": "mdy"}[date_format]
        if len(parts[1]) == 4:
            order = "ymd"  # a year first is read as year, month, day whatever the setting
        found = dict(zip(order, (int(parts[1]), int(parts[2]), int(parts[3])), strict=True))
        year, month, day = found["y"], found["m"], found["d"]
        if year < 1000:
            raise ValueError(_("write the year with four digits"))
    else:
        raise ValueError(
            _("not a date: write 2011-12-16, 2011-12, 2011 or 1961~ (about 1961), or as the date setting (%(format)s)")
            % {"format": date_format}
        )
    if about and (month or day):
        raise ValueError(_("an approximate date is a year, such as 1961~"))
    try:
        if month == 0 or day == 0:
            raise ValueError
        date = dt.date(year, month or 1, day or 1)
    except ValueError:
        raise ValueError(_("there is no such day")) from None
    if about:
        return date, Precision.APPROXIMATE
    return date, Precision.DAY if day else Precision.MONTH if month else Precision.YEAR


def _choice(model: type[models.Model], name: str, text: str) -> str:
    """The stored code of a choice given by its code or its label in English, Russian or Kazakh."""
    found: Any = model._meta.get_field(name)
    wanted = text.strip().casefold()
    for code, label in found.choices:
        if wanted == str(code).casefold():
            return str(code)
        for language in ("en", "ru", "kk"):
            with translation.override(language):
                if wanted == str(label).casefold():
                    return str(code)
    with translation.override("en"):
        labels = ", ".join(str(label) for code, label in found.choices if code)
    raise ValueError(_("not one of: %(labels)s") % {"labels": labels})


def _script(name: str) -> str:
    if any("\u0400" <= char <= "\u04ff" for char in name):
        return PersonName.Script.CYRILLIC
    return PersonName.Script.LATIN if name.isascii() else PersonName.Script.OTHER


class _Importer:
    def __init__(self, *, path: Path, kind: str, user: Any, team: Team, source: Source, date_format: str) -> None:
        self.file = path.name
        self.kind = kind
        self.model = MODELS[kind]
        self.user = user
        self.team = team
        self.source = source
        self.date_format = date_format
        self.problems: list[Problem] = []
        self.organisations: dict[str, Organisation | None] = {}
        self.localities: dict[str, Locality | None] = {}
        self.summary = ImportSummary(source=source)

    def problem(self, row: _Row, column: str, reason: str) -> None:
        self.problems.append(Problem(self.file, row.number, column, reason))

    def locality(self, row: _Row, column: str, name: str) -> Locality | None:
        if name not in self.localities:
            found = Locality.objects.filter(name=name).order_by("-kind", "pk").first()
            self.localities[name] = found or Locality.objects.filter(name__iexact=name).order_by("-kind", "pk").first()
        if self.localities[name] is None:
            self.problem(row, column, _("no locality %(name)s in the gazetteer") % {"name": repr(name)})
        return self.localities[name]

    def organisation(self, row: _Row, name: str) -> Organisation | None:
        """The team's organisation of this name; a new one (of the kind "other") if the team has none."""
        if name not in self.organisations:
            found = Organisation.objects.filter(team=self.team, name=name).order_by("pk").first()
            if found is None:
                found = self.create(row, Organisation(team=self.team, name=name, kind=Organisation.Kind.OTHER))
            self.organisations[name] = found
        return self.organisations[name]

    def create(self, row: _Row, record: M, parent: models.Model | None = None) -> M | None:
        """The record written through the write path and cited to the file's source; None (and the problems
        noted) if it is refused."""
        columns = {column.field: column.name for column in COLUMNS[self.kind]}
        if isinstance(record, PersonName):
            columns = dict.fromkeys(("full_name", "script", "__all__"), "names" if "names" in row.values else "title")
        try:
            record_create(record=record, user=self.user, parent=parent)
            if parent is None:
                citation_add(
                    source=self.source, record=record, user=self.user, section=f"{self.file}, row {row.number}"
                )
                label = record._meta.label_lower
                self.summary.created[label] = self.summary.created.get(label, 0) + 1
        except ValidationError as error:
            problems = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            for name, texts in problems.items():
                self.problem(row, columns.get(name, name if name != "__all__" else ""), " ".join(texts))
            return None
        except PermissionDenied as error:
            self.problem(row, "", str(error))
            return None
        return record

    def record(self, row: _Row, pending: dict[str, list[models.Model]]) -> models.Model | bool | None:
        """Build and write the record of ``row``; False if it is part of an event of the file not written yet."""
        values: dict[str, Any] = {}
        names: list[str] = []
        for column in COLUMNS[self.kind]:
            text = row.values.get(column.name, "")
            if not text or column.type == "geolocation":  # the locality's name decides where a place is
                continue
            try:
                if column.field == "names":
                    names = list(dict.fromkeys(name.strip() for name in text.split(SEPARATOR) if name.strip()))
                elif column.type == "date":
                    values[column.field], values[column.field + PRECISION_SUFFIX] = parse_date(text, self.date_format)
                elif column.field in ("sex", "kind"):
                    values[column.field] = _choice(self.model, column.field, text)
                elif column.field in ("home_locality", "locality"):
                    values[column.field] = self.locality(row, column.name, text)
                elif column.field == "parent":
                    if text in pending:
                        if not pending[text]:
                            return False
                        values["parent"] = pending[text][0]
                    else:
                        parent = Event.objects.filter(team=self.team, name=text).order_by("pk").first()
                        if parent is None:
                            raise ValueError(_("no event %(name)s in the file or the team") % {"name": repr(text)})
                        values["parent"] = parent
                elif column.type == "relationship":
                    values[column.field] = self.organisation(row, text.split(SEPARATOR)[0].strip())
                elif column.type == "numeric":
                    if not text.isdigit():
                        raise ValueError(_("not a whole number"))
                    values[column.field] = int(text)
                else:
                    values[column.field] = text
            except ValueError as error:
                self.problem(row, column.name, str(error))
        if self.kind in ("places", "events") and "kind" not in values:
            values["kind"] = "other"
        record = self.create(row, self.model(team=self.team, **values))
        if isinstance(record, Person):
            # a file with a names column (as Habeas writes) gives them there; else (as Uwazi writes) the title is the
            # name, in each language it is given in
            given = (
                names if "names" in row.values else dict.fromkeys([row.values.get("title", ""), *row.other_languages])
            )
            for name in given:
                self.create(row, PersonName(person=record, full_name=name, script=_script(name)), parent=record)
        return record

    def run(self, rows: list[_Row]) -> ImportSummary:
        # events of the file by title, so that a part names the whole it belongs to, whatever their order
        # (in any language the file gives them in)
        pending: dict[str, list[models.Model]] = {}
        if self.kind == "events":
            for row in rows:
                written: list[models.Model] = []
                for title in (row.values.get("title", ""), *row.other_languages):
                    pending.setdefault(title, written)
        waiting = rows
        while waiting:
            left = []
            for row in waiting:
                done = self.record(row, pending)
                if done is False:
                    left.append(row)
                elif done is not None and self.kind == "events":
                    pending[row.values.get("title", "")].append(done)  # type: ignore[arg-type]
            if len(left) == len(waiting):
                refused = bool(self.problems)  # a part of an event that was refused waits for it in vain
                for row in left:
                    reason = (
                        _("the event it is part of is refused (see its row)")
                        if refused
                        else _("the events are each part of another, in a circle")
                    )
                    self.problem(row, "part_of", reason)
                break
            waiting = left
        return self.summary


def uwazi_import(
    *,
    path: Path,
    kind: str,
    user: Any,
    source_title: str,
    team: Team | None = None,
    language: str = "en",
    date_format: str = DATE_FORMATS[0],
    now: dt.datetime | None = None,
) -> ImportSummary:
    """Read ``kind`` records from the Uwazi CSV at ``path`` into ``team`` (or the one team ``user`` writes in),
    each cited to a new source titled ``source_title`` for the file; ``language``: the language of the columns
    to read when a property is given in several. All the records or none; every problem is named."""
    if kind not in KINDS:
        raise UwaziError(
            _("unknown kind %(kind)s; choose one of: %(kinds)s") % {"kind": kind, "kinds": ", ".join(KINDS)}
        )
    if date_format not in DATE_FORMATS:
        raise UwaziError(_("the date format is one of: %(formats)s") % {"formats": ", ".join(DATE_FORMATS)})
    if not source_title.strip():
        raise UwaziError(_("give the source's title: what the file is and where it comes from"))
    text, sha256 = _read(path)
    team = load_team(user=user, team=team)
    read = list(_rows(path, text, kind, language))
    problems = [item for item in read if isinstance(item, Problem)]
    if problems:
        raise UwaziImportError(problems)
    rows = [item for item in read if isinstance(item, _Row)]
    now = now or timezone.now()
    key = f"uwazi-{kind}-{sha256[:16]}"
    if Source.objects.filter(team=team, key=key).exists():
        raise UwaziError(
            _("this file (SHA-256 %(sha)s) was imported into %(team)s already, as the source %(key)s")
            % {"sha": sha256, "team": team.name, "key": key}
        )
    with transaction.atomic():
        source = Source(
            team=team,
            key=key,
            title=source_title.strip()[:500],
            kind=Source.Kind.DOCUMENT,
            reference=sha256,
            description=_("The Uwazi CSV file %(file)s (%(kind)s), SHA-256 %(sha)s, imported by %(user)s on %(now)s.")
            % {
                "file": path.name,
                "kind": kind,
                "sha": sha256,
                "user": user.get_username(),
                "now": now.strftime("%Y-%m-%d %H:%M UTC"),
            },
        )
        record_create(record=source, user=user)
        importer = _Importer(path=path, kind=kind, user=user, team=team, source=source, date_format=date_format)
        summary = importer.run(rows)
        if importer.problems:  # raised inside the transaction: every record written is rolled back
            raise UwaziImportError(sorted(importer.problems, key=lambda p: (p.row, p.column)))
        audit_record(
            action="import",
            actor=user,
            target=source,
            summary=f"imported an Uwazi CSV of {kind}: {sum(summary.created.values())} records",
            details={"team": team.pk, "kind": kind, "file": path.name, "sha256": sha256, "created": summary.created},
            now=now,
        )
    return summary
