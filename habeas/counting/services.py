"""Writes of the counting app: keeping an uploaded list (encrypted) until its import, importing a list, running
linkage, deciding review pairs, running estimates.

Each service checks that the user may write in the team concerned, validates before saving, runs in one
transaction and records an audit event in it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import math
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePath
from typing import Any, Final

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from habeas.accounts.access import can_analyse, can_write_in, default_team
from habeas.accounts.models import Team
from habeas.accounts.services import audit_record
from habeas.accounts.viewer import viewer_for
from habeas.core import crypto
from habeas.core.dates import Precision, normalise, parse_fuzzy
from habeas.counting.models import ClusterMember, EstimateRun, LinkageRun, ListRow, ReviewPair, SourceList
from habeas.counting.reading import Problem, ReadError, encoding_name, read_list
from habeas.counting.selectors import NOT_RECORDED, rows_of_lists, run_histories, run_labels, run_uncertain_links
from habeas.evidence.models import Source
from habeas.evidence.services import file_write
from habeas.stats.estimation.linkage_uncertainty import DEFAULT_DRAWS, MAX_DRAWS, estimate_over_linkage
from habeas.stats.estimation.run import EstimateError, package_versions

#: the fields a list's columns can be mapped to
FIELDS: Final = (
    "record_id",
    "given_name",
    "patronymic",
    "surname",
    "sex",
    "born_on",
    "birth_year",
    "region",
    "national_id",
    "event_on",
    "event_place",
    "stratum",
)
EARLIEST_YEAR: Final = 1850
_DOTTED_DATE: Final = re.compile(r"^(?P<day>\d{1,2}|\?\?|xx)\.(?P<month>\d{1,2}|\?\?|xx)\.(?P<year>\d{4})$", re.I)
_DOTTED_MONTH: Final = re.compile(r"^(?P<month>\d{1,2})\.(?P<year>\d{4})$")
_ISO_WITH_TIME: Final = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(:\d{2})?$")


class ListImportError(ValueError):
    """A file that was not imported: every problem found, each naming its row and column."""

    def __init__(self, name: str, problems: Sequence[Problem]) -> None:
        self.name = name
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{name}: {count} problem{'s' if count != 1 else ''}; nothing was stored:\n{lines}")


def problem_words(problem: Problem) -> str:
    """A problem of a list, in words for its user: where it is (the file, or a row and column), then what is
    wrong."""
    where = _("the file") if problem.row == 0 else _("row %(row)s") % {"row": problem.row}
    if problem.column:
        return _("%(where)s, column “%(column)s”: %(problem)s") % {
            "where": where,
            "column": problem.column,
            "problem": problem.problem,
        }
    return f"{where}: {problem.problem}"


class LinkageRunError(ValueError):
    """Lists that cannot be linked; the message says why."""


# ------------------------------------------------------------------------------------------- access


def _require_write(user: Any, team_id: int | None, what: str) -> None:
    if not can_write_in(viewer_for(user), team_id):
        raise PermissionDenied(f"{user} may not {what} in this team")


def _require_analysis(user: Any, team_id: int | None, what: str, *, identities: bool = False) -> None:
    """Analysts may link and estimate; deciding whether two rows are one person also needs their names."""
    viewer = viewer_for(user)
    if not can_analyse(viewer, team_id):
        raise PermissionDenied(f"{user} may not {what} in this team")
    if identities and team_id in viewer.hidden:
        raise PermissionDenied(f"{user} sees this team's lists pseudonymised and so may not {what}")


# ------------------------------------------------------------------------------------------- import


def parse_list_date(text: str) -> tuple[dt.date, str]:
    """A date as lists write it, with its precision: ISO (2011-12-16, 2011-12, 2011, ~2011), day first with
    dots (16.12.2011, ??.12.2011, 12.2011), or a workbook's date and time (the time is dropped)."""
    text = text.strip()
    if match := _ISO_WITH_TIME.match(text):
        text = match.group(1)
    if match := _DOTTED_DATE.match(text):
        day, month, year = match.group("day"), match.group("month"), int(match.group("year"))
        precision: str
        if not day.isdigit() and month.isdigit():
            value, precision = _real_date(text, year, int(month), 1), Precision.MONTH
        elif not month.isdigit():
            if day.isdigit():
                raise ValueError(_("%(text)s: a day without a month cannot be read") % {"text": repr(text)})
            value, precision = dt.date(year, 1, 1), Precision.YEAR
        else:
            value, precision = _real_date(text, year, int(month), int(day)), Precision.DAY
        return value, precision
    if match := _DOTTED_MONTH.match(text):
        return _real_date(text, int(match.group("year")), int(match.group("month")), 1), Precision.MONTH
    try:
        value, precision = parse_fuzzy(text, with_time=False)
    except ValueError:
        raise ValueError(
            _("%(text)s is not a date: write 2011-12-16, 16.12.2011, 2011-12, 12.2011, 2011 or ~2011")
            % {"text": repr(text)}
        ) from None
    assert isinstance(value, dt.date)
    return value, precision


def _real_date(text: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(_("%(text)s is not a real date (%(error)s)") % {"text": repr(text), "error": exc}) from None


def _plausible_year(year: int, today: dt.date) -> bool:
    return EARLIEST_YEAR <= year <= today.year


class _RowReader:
    """Turns one row's cells into a ``ListRow``, collecting every problem of the row."""

    def __init__(self, header: tuple[str, ...], mapping: Mapping[str, str], today: dt.date) -> None:
        self.header = header
        self.index = {column: header.index(column) for column in mapping.values()}
        self.mapping = mapping
        self.today = today

    def cell(self, cells: tuple[str, ...], field: str) -> str:
        column = self.mapping.get(field)
        return cells[self.index[column]].strip() if column is not None else ""

    def read(self, number: int, cells: tuple[str, ...]) -> tuple[ListRow, list[Problem]]:
        from habeas.stats.linkage.normalise import normalise_sex

        problems: list[Problem] = []

        def problem(field: str, text: str) -> None:
            problems.append(Problem(number, self.mapping[field], text))

        row = ListRow(
            row_number=number,
            original={column: cells[i] for i, column in enumerate(self.header)},
            record_id=self.cell(cells, "record_id"),
            given_name=self.cell(cells, "given_name"),
            patronymic=self.cell(cells, "patronymic"),
            surname=self.cell(cells, "surname"),
            region=self.cell(cells, "region"),
            national_id=self.cell(cells, "national_id"),
            event_place=self.cell(cells, "event_place"),
            stratum=self.cell(cells, "stratum"),
        )
        if not row.given_name and not row.surname:
            field = "surname" if "surname" in self.mapping else "given_name"
            problem(field, _("no name: a row needs a surname or a given name"))
        if sex := self.cell(cells, "sex"):
            sex_value = normalise_sex(sex)
            if sex_value is None:
                problem(
                    "sex",
                    _("cannot read the sex %(sex)s: write m or f (м/ж, муж/жен, male/female …)") % {"sex": repr(sex)},
                )
            row.sex = sex_value or ""
        for field, target in (("born_on", "born_on"), ("event_on", "event_on")):
            if text := self.cell(cells, field):
                try:
                    when, precision = parse_list_date(text)
                except ValueError as exc:
                    problem(field, str(exc))
                    continue
                if not _plausible_year(when.year, self.today) or when > self.today:
                    problem(
                        field,
                        _("%(text)s is not a plausible date (before %(year)s or in the future)")
                        % {"text": repr(text), "year": EARLIEST_YEAR},
                    )
                    continue
                setattr(row, target, normalise(when, precision))
                setattr(row, f"{target}_precision", precision)
        if year_text := self.cell(cells, "birth_year"):
            if not year_text.isdigit() or len(year_text) != 4 or not _plausible_year(int(year_text), self.today):
                problem(
                    "birth_year",
                    _("%(text)s is not a year of birth (four digits, %(year)s or later)")
                    % {"text": repr(year_text), "year": EARLIEST_YEAR},
                )
            elif row.born_on is None:
                row.born_on, row.born_on_precision = dt.date(int(year_text), 1, 1), Precision.YEAR
            elif row.born_on.year != int(year_text) and row.born_on_precision != Precision.APPROXIMATE:
                problem(
                    "birth_year",
                    _("the year %(year)s disagrees with the date of birth (%(born)s)")
                    % {"year": year_text, "born": f"{row.born_on:%Y}"},
                )
        return row, problems


def _check_mapping(mapping: Mapping[str, str], header: tuple[str, ...]) -> list[Problem]:
    problems = []
    for field, column in mapping.items():
        if field not in FIELDS:
            problems.append(
                Problem(
                    0,
                    column,
                    _("unknown field %(field)s in the mapping; fields: %(fields)s")
                    % {"field": repr(field), "fields": ", ".join(FIELDS)},
                )
            )
        elif column not in header:
            problems.append(
                Problem(
                    1,
                    column,
                    _("the mapping names column %(column)s (for %(field)s), which the file does not have")
                    % {"column": repr(column), "field": field},
                )
            )
    if not {"surname", "given_name"} & set(mapping):
        problems.append(Problem(0, "", _("the mapping needs a column for the surname or the given name")))
    return problems


def _field_problems(row: ListRow, mapping: Mapping[str, str], error: ValidationError) -> list[Problem]:
    out = []
    for field, messages in error.message_dict.items():
        base = field.removesuffix("_precision")
        column = mapping.get(base, mapping.get("birth_year", "") if base == "born_on" else "")
        out += [Problem(row.row_number, column, message) for message in messages]
    return out


def list_import(
    *,
    source: Source,
    path: Path | None = None,
    content: bytes | None = None,
    name: str = "",
    mapping: Mapping[str, str],
    team: Team,
    user: Any,
    encoding: str | None = None,
    title: str = "",
    event: str = "",
    stratum: str = "",
    illustrative: bool = False,
    now: dt.datetime | None = None,
) -> SourceList:
    """Import a list of named people from a CSV or XLSX file, all or nothing: the file at ``path``, or its
    ``content`` (an upload kept encrypted, opened in memory) with the ``name`` it was uploaded under;
    ``illustrative`` for a list of synthetic names, marked as such wherever it is shown.

    ``mapping`` takes each field (see ``FIELDS``) to the file's column that holds it. The text encoding of a
    CSV file is ``encoding`` if given, else detected (UTF-8, UTF-16 with a byte-order mark, Windows-1251,
    KOI8-R). Every row keeps its original text. Raises ``ListImportError`` with every problem found (each
    with its row and column) and stores nothing when any row is refused.
    """
    _require_write(user, team.pk, "import lists")
    now = now or timezone.now()
    if content is not None:
        data, name = content, name or "list"
    elif path is not None:
        path = Path(path)
        name = path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ListImportError(
                name, [Problem(0, "", _("cannot be read (%(error)s)") % {"error": exc.strerror or exc})]
            ) from None
    else:
        raise TypeError("list_import needs the path of the file or its content")
    if source.team_id not in (None, team.pk):
        raise ListImportError(
            name, [Problem(0, "", _("the source %(source)s belongs to another team") % {"source": repr(source.key)})]
        )
    try:
        sheet = read_list(data, name=name, declared=encoding)
    except ReadError as exc:
        raise ListImportError(name, exc.problems) from None
    problems = _check_mapping(mapping, sheet.header)
    if problems:
        raise ListImportError(name, problems)

    reader = _RowReader(sheet.header, mapping, now.date())
    rows: list[ListRow] = []
    first_with_id: dict[str, int] = {}
    for number, cells in sheet.rows:
        row, row_problems = reader.read(number, cells)
        if row.record_id:
            if row.record_id in first_with_id:
                row_problems.append(
                    Problem(
                        number,
                        mapping["record_id"],
                        _("duplicate record id %(id)s (first on row %(row)s)")
                        % {"id": repr(row.record_id), "row": first_with_id[row.record_id]},
                    )
                )
            else:
                first_with_id[row.record_id] = number
        if not row_problems:
            try:  # uniqueness is checked above for the whole file, not a query per row
                row.full_clean(exclude=["source_list"], validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                row_problems += _field_problems(row, mapping, exc)
        problems += row_problems
        rows.append(row)
    if not rows and not problems:
        problems.append(Problem(0, "", _("the file has a header but no rows")))
    if problems:
        raise ListImportError(name, problems)

    source_list = SourceList(
        team=team,
        source=source,
        title=title or PurePath(name).stem,
        event=event,
        stratum=stratum,
        imported_at=now,
        imported_by=user if getattr(user, "pk", None) else None,
        original_name=name,
        file_format=sheet.file_format,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=sheet.encoding,
        encoding_declared=bool(encoding) and sheet.file_format == "csv",
        mapping=dict(mapping),
        row_count=len(rows),
        illustrative=illustrative,
    )
    try:
        source_list.full_clean()
    except ValidationError as exc:
        raise ListImportError(name, [Problem(0, "", m) for m in exc.messages]) from None
    with transaction.atomic():
        source_list.save()
        for row in rows:
            row.source_list = source_list
        ListRow.objects.bulk_create(rows, batch_size=1000)
        how = "declared" if source_list.encoding_declared else "detected"
        audit_record(
            action="import",
            actor=user,
            target=source_list,
            summary=f"list {source_list.pk} of source {source.key}: {len(rows)} rows from {name}",
            details={
                "source": source.pk,
                "file": name,
                "sha256": source_list.sha256,
                "format": sheet.file_format,
                "encoding": f"{encoding_name(sheet.encoding)} ({how})" if sheet.encoding else "",
                "mapping": dict(mapping),
                "rows": len(rows),
            },
        )
    return source_list


# ------------------------------------------------------------------------------------------- uploads

#: how long an uploaded list is kept when its import is never started
UPLOAD_KEPT: Final = dt.timedelta(days=1)
_UPLOAD_TOKEN: Final = re.compile(r"[0-9a-f]{32}")


class ListUploadMissing(LookupError):
    """No upload of this user under this token: never made, made by someone else, or already removed."""


@dataclasses.dataclass(frozen=True)
class ListUpload:
    """A list uploaded from the web, kept encrypted until its import job ends, and what the import needs."""

    token: str
    user_id: int
    name: str
    source_id: int
    team_id: int
    title: str
    encoding: str
    event: str
    stratum: str
    content: bytes
    #: what the worker read of the file (``list_upload_read``): its format, encoding, header, number of rows and
    #: first rows, shown beside the mapping form; None until it has read it
    sheet: dict[str, Any] | None = None


#: how many of a file's first rows the mapping form shows
PREVIEW_ROWS: Final = 5


def list_uploads_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "list-uploads"


def _upload_path(token: str) -> Path:
    if not _UPLOAD_TOKEN.fullmatch(token):
        raise ListUploadMissing(token)
    return list_uploads_dir() / token


def _upload_aad(token: str, user_id: int) -> bytes:
    """Binds the sealed file to its token and its user: nobody else's upload opens for them."""
    return f"habeas list upload {token} {user_id}".encode("ascii")


def list_uploads_sweep(*, now: dt.datetime | None = None) -> int:
    """Remove the uploads older than ``UPLOAD_KEPT`` (an import never started); returns how many."""
    limit = ((now or timezone.now()) - UPLOAD_KEPT).timestamp()
    removed = 0
    folder = list_uploads_dir()
    for path in folder.iterdir() if folder.is_dir() else ():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # removed meanwhile by its job
            pass
    return removed


def list_upload_store(
    *,
    content: bytes,
    name: str,
    source: Source,
    user: Any,
    title: str = "",
    encoding: str = "",
    event: str = "",
    stratum: str = "",
) -> str:
    """Keep an uploaded list until its import job ends, sealed (AES-256-GCM under the data key, bound to the
    user) in the data folder: its names never sit on disk in clear. Returns the token that names it."""
    team_id = source.team_id or default_team(viewer_for(user))
    if team_id is None:
        raise PermissionDenied(f"the source {source.key!r} belongs to no team, and {user} writes in none")
    _require_write(user, team_id, "import lists")
    list_uploads_sweep()
    token = secrets.token_hex(16)
    header = {
        "name": name,
        "source": source.pk,
        "team": team_id,
        "title": title,
        "encoding": encoding,
        "event": event,
        "stratum": stratum,
    }
    _upload_seal(token, user, header, content, replace=False)
    return token


def _upload_seal(token: str, user: Any, header: dict[str, Any], content: bytes, *, replace: bool) -> None:
    plain = json.dumps(header, ensure_ascii=True).encode("ascii") + b"\n" + content
    sealed = crypto.seal_bytes(plain, aad=_upload_aad(token, user.pk)).encode("ascii")
    file_write(_upload_path(token), sealed, replace=replace)  # whole or not at all, readable by this user only


def list_upload_read(*, token: str, user: Any) -> ListUpload:
    """Read the user's upload (in the worker, within the limits of ``habeas.counting.reading``) and keep what the
    mapping form shows of it beside it, sealed as the file is. ``ListImportError`` names every problem that
    stops the file being read; ``ListUploadMissing`` if there is no such upload."""
    upload = list_upload_get(token=token, user=user)
    try:
        sheet = read_list(upload.content, name=upload.name, declared=upload.encoding or None)
    except ReadError as exc:
        raise ListImportError(upload.name, exc.problems) from None
    summary = {
        "file_format": sheet.file_format,
        "encoding": sheet.encoding,
        "header": list(sheet.header),
        "rows": len(sheet.rows),
        "preview": [[number, list(cells)] for number, cells in sheet.rows[:PREVIEW_ROWS]],
    }
    header = {
        "name": upload.name,
        "source": upload.source_id,
        "team": upload.team_id,
        "title": upload.title,
        "encoding": upload.encoding,
        "event": upload.event,
        "stratum": upload.stratum,
        "sheet": summary,
    }
    _upload_seal(token, user, header, upload.content, replace=True)
    return dataclasses.replace(upload, sheet=summary)


def list_upload_get(*, token: str, user: Any) -> ListUpload:
    """The user's upload under ``token``; ``ListUploadMissing`` if there is none (or it is someone else's)."""
    path = _upload_path(token)
    try:
        sealed = path.read_bytes().decode("ascii")
        plain = crypto.open_bytes(sealed, aad=_upload_aad(token, user.pk), what="an uploaded list")
    except (FileNotFoundError, UnicodeDecodeError, crypto.KeyringError):
        raise ListUploadMissing(token) from None
    line, _newline, content = plain.partition(b"\n")
    header = json.loads(line)
    return ListUpload(
        token=token,
        user_id=user.pk,
        name=header["name"],
        source_id=header["source"],
        team_id=header["team"],
        title=header["title"],
        encoding=header["encoding"],
        event=header["event"],
        stratum=header["stratum"],
        content=content,
        sheet=header.get("sheet"),
    )


def list_upload_delete(*, token: str) -> None:
    """Remove an upload (its import has ended, imported or refused)."""
    with contextlib.suppress(ListUploadMissing):
        _upload_path(token).unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------- linkage


def _dob(row: ListRow) -> tuple[str | None, int | None]:
    """A row's date of birth as linkage reads it: the text at its precision, or the year alone. An approximate
    year is left out, so that it counts neither for nor against a match."""
    if row.born_on is None or row.born_on_precision == Precision.APPROXIMATE:
        return None, None
    if row.born_on_precision == Precision.YEAR:
        return None, row.born_on.year
    if row.born_on_precision == Precision.MONTH:
        return f"{row.born_on:%Y-%m}", row.born_on.year
    return row.born_on.isoformat(), row.born_on.year


def records_frame(rows: Iterable[ListRow]) -> pd.DataFrame:
    """The records of ``rows`` in the columns ``habeas.stats.link`` reads (``record_id`` = the row's id,
    ``source`` = ``list_<id>``), names decrypted in memory only."""
    out: list[dict[str, object]] = []
    for row in rows:
        dob, year = _dob(row)
        out.append(
            {
                "record_id": str(row.pk),
                "source": row.source_list.label,
                "first_name": row.given_name or None,
                "patronymic": row.patronymic or None,
                "surname": row.surname or None,
                "sex": row.sex or None,
                "dob": dob,
                "birth_year": year,
                "region": row.region or None,
                "national_id": row.national_id or None,
                "stratum": row.stratum or row.source_list.stratum or None,
                "event_place": row.event_place or None,
                "event_year": str(row.event_on.year) if row.event_on else None,
            }
        )
    frame = pd.DataFrame(out)
    frame["birth_year"] = frame["birth_year"].astype("Int64") if len(frame) else frame.get("birth_year")
    return frame


def _config(config: Any) -> Any:
    from habeas.stats.linkage import LinkageConfig

    if config is None:
        return LinkageConfig()
    if isinstance(config, LinkageConfig):
        return config
    known = {f.name for f in dataclasses.fields(LinkageConfig)}
    unknown = sorted(set(config) - known)
    if unknown:
        raise LinkageRunError(f"unknown linkage setting {unknown[0]!r}; settings: {', '.join(sorted(known))}")
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in config.items()}
    return LinkageConfig(**values)


def _json_safe(value: Any) -> Any:
    """Plain JSON (PostgreSQL's jsonb takes no NaN or infinity): numpy scalars as numbers, non-finite floats as
    the strings "inf", "-inf", "nan", tuples as lists."""
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def review_decisions(*, team_id: int, lists: Sequence[SourceList]) -> dict[tuple[int, int], bool]:
    """The decisions (same person: True) on pairs of rows of these lists, from any run of the team, queued or
    by hand: the latest on each pair, newest first, each kept only if it agrees with those already kept. A
    newer decision thus overrides older ones it contradicts (rows split after being linked through a third)."""
    decided = (
        ReviewPair.objects.filter(run__team_id=team_id, row_a__source_list__in=lists, row_b__source_list__in=lists)
        .exclude(state=ReviewPair.State.PENDING)
        .order_by("-decided_at", "-pk")
        .values_list("row_a_id", "row_b_id", "state")
    )
    group: dict[int, int] = {}

    def root(row: int) -> int:
        while group.setdefault(row, row) != row:
            row = group[row]
        return row

    kept: dict[tuple[int, int], bool] = {}
    apart: list[tuple[int, int]] = []
    for a, b, state in decided:
        if (a, b) in kept:
            continue
        same = state == ReviewPair.State.SAME
        ra, rb = root(a), root(b)
        if same:
            joined = {ra, rb}
            if any({root(x), root(y)} == joined for x, y in apart):
                continue
            group[ra] = rb
        elif ra == rb:
            continue
        else:
            apart.append((a, b))
        kept[(a, b)] = same
    return kept


def linkage_run(
    *,
    lists: Sequence[SourceList],
    user: Any,
    seed: int = 0,
    config: Any = None,
    now: dt.datetime | None = None,
    follows: LinkageRun | None = None,
) -> LinkageRun:
    """Link the rows of ``lists`` (one team's) into people with ``habeas.stats.link``, applying every review
    decision already made on their pairs, and store the clusters and the new review queue, the pairs whose
    decision could change the count most first.

    ``config`` is a ``LinkageConfig`` or a mapping of its settings; ``follows`` the run this one re-links after a
    decision. A run that fails is stored as failed (with the error) and ``LinkageRunError`` raised.
    """
    from habeas.stats.linkage import LinkageError, ReviewedPair, link

    chosen = sorted({lst.pk: lst for lst in lists}.values(), key=lambda lst: lst.pk)
    if not chosen:
        raise LinkageRunError("give at least one list")
    teams = {lst.team_id for lst in chosen}
    if len(teams) != 1:
        raise LinkageRunError("the lists belong to different teams: link one team's lists at a time")
    team_id = teams.pop()
    if team_id is None:
        raise LinkageRunError("the lists belong to no team: give them one first")
    _require_analysis(user, team_id, "link lists")
    if seed < 0:
        raise LinkageRunError(f"the seed must be a non-negative whole number, not {seed}")
    settings = _config(config)
    started = now or timezone.now()
    rows = list(rows_of_lists(chosen))
    decisions = review_decisions(team_id=team_id, lists=chosen)
    reviewed = [ReviewedPair(str(a), str(b), same) for (a, b), same in sorted(decisions.items())]
    run = LinkageRun(
        team_id=team_id,
        config=_json_safe(dataclasses.asdict(settings)),
        seed=seed,
        started_at=started,
        versions=package_versions("habeas", "splink", "duckdb", "pandas", "numpy"),
        illustrative=any(lst.illustrative for lst in chosen),
        created_by=user if getattr(user, "pk", None) else None,
        follows=follows,
    )
    try:
        result = link(records_frame(rows), config=settings, reviewed=reviewed, seed=seed)
    except LinkageError as exc:
        run.status, run.error, run.finished_at = LinkageRun.Status.FAILED, str(exc), timezone.now()
        _save_run(run, chosen, user)
        raise LinkageRunError(f"linkage run {run.pk} failed: {exc}") from None
    summary = result.summary
    run.status = LinkageRun.Status.DONE
    run.finished_at = now or timezone.now()
    run.records, run.people, run.links = summary.records, summary.people, summary.links
    run.pairs_to_review, run.reviewed_applied = summary.review_queue, summary.reviewed_applied
    run.summary = _json_safe(dataclasses.asdict(summary))
    run.model = _json_safe(dict(result.model))
    members = [
        ClusterMember(row_id=int(rid), cluster=int(cluster))
        for rid, cluster in zip(result.clusters["record_id"], result.clusters["cluster_id"], strict=True)
    ]
    pairs = []
    for left, right, probability, weight, priority in result.review_queue[
        ["record_id_l", "record_id_r", "match_probability", "match_weight", "priority"]
    ].itertuples(index=False):
        a, b = sorted((int(left), int(right)))
        finite = weight is not None and math.isfinite(float(weight))
        pairs.append(
            ReviewPair(
                row_a_id=a,
                row_b_id=b,
                match_probability=float(probability),
                match_weight=float(weight) if finite else None,
                priority=float(priority),
            )
        )
    _save_run(run, chosen, user, members=members, pairs=pairs)
    return run


#: runs of at most this many records are re-linked at once after a decision, in the request; larger ones by
#: the worker
RELINK_AT_ONCE: Final = 5000


def linkage_relink(*, run: LinkageRun, user: Any, now: dt.datetime | None = None) -> LinkageRun:
    """Link ``run``'s lists again with its seed and settings, applying every decision made so far, and
    estimate the new clusters again with each method (and stratification) the old run was estimated with."""
    again = linkage_run(
        lists=list(run.lists.all()), user=user, seed=run.seed, config=run.config or None, now=now, follows=run
    )
    done: set[tuple[str, str]] = set()
    for estimate in run.estimates.order_by("-pk"):
        if (estimate.method, estimate.strata) in done:
            continue
        done.add((estimate.method, estimate.strata))
        estimate_run(
            linkage=again, user=user, method=estimate.method, seed=estimate.seed, strata=estimate.strata or None
        )
    return again


def _save_run(
    run: LinkageRun,
    lists: Sequence[SourceList],
    user: Any,
    *,
    members: Sequence[ClusterMember] = (),
    pairs: Sequence[ReviewPair] = (),
) -> None:
    run.full_clean()
    with transaction.atomic():
        run.save()
        run.lists.set(lists)
        for member in members:
            member.run = run
        for pair in pairs:
            pair.run = run
            pair.clean_fields(exclude=["run", "row_a", "row_b"])
        ClusterMember.objects.bulk_create(members, batch_size=2000)
        ReviewPair.objects.bulk_create(pairs, batch_size=1000)
        outcome = (
            f"{run.records} records, {run.people} people, {run.pairs_to_review} pairs to review"
            if run.status == LinkageRun.Status.DONE
            else f"failed: {run.error}"
        )
        audit_record(
            action="create",
            actor=user,
            target=run,
            summary=f"linkage run {run.pk} over lists {', '.join(str(lst.pk) for lst in lists)}: {outcome}",
            details={
                "lists": [lst.pk for lst in lists],
                "seed": run.seed,
                "status": run.status,
                "records": run.records,
                "people": run.people,
                "links": run.links,
                "pairs_to_review": run.pairs_to_review,
                "reviewed_applied": run.reviewed_applied,
            },
        )


def review_decide(
    *, pair: ReviewPair, decision: str, reason: str, user: Any, now: dt.datetime | None = None
) -> ReviewPair:
    """Decide a review pair: "same" (one person) or "different". Later runs over both rows apply the decision."""
    _require_analysis(user, pair.run.team_id, "decide review pairs", identities=True)
    if decision not in (ReviewPair.State.SAME, ReviewPair.State.DIFFERENT):
        raise ValidationError({"state": f"decide 'same' or 'different', not {decision!r}"})
    if not reason.strip():
        raise ValidationError({"reason": "give the reason for the decision"})
    old = pair.state
    pair.state = decision
    pair.reason = reason.strip()
    pair.decided_by = user if getattr(user, "pk", None) else None
    pair.decided_at = now or timezone.now()
    pair.full_clean()
    with transaction.atomic():
        pair.save()
        audit_record(
            action="update",
            actor=user,
            target=pair,
            summary=f"review pair {pair.pk} of linkage run {pair.run_id}: {decision} ({pair.reason})",
            details={"run": pair.run_id, "rows": [pair.row_a_id, pair.row_b_id], "old": old, "new": decision},
        )
    return pair


def review_by_hand(
    *, run: LinkageRun, rows: Sequence[int], decision: str, reason: str, user: Any, now: dt.datetime | None = None
) -> list[ReviewPair]:
    """A reviewer's own decision on rows of ``run`` that the queue did not offer: "same" links them all into one
    person, "different" makes every two of them different people. Kept like a queued decision, with who, when
    and why, and applied by every later run over these rows."""
    _require_analysis(user, run.team_id, "link or split rows by hand", identities=True)
    if decision not in (ReviewPair.State.SAME, ReviewPair.State.DIFFERENT):
        raise ValidationError({"decision": f"decide 'same' or 'different', not {decision!r}"})
    if not reason.strip():
        raise ValidationError({"reason": "give the reason for the decision"})
    chosen = sorted(set(rows))
    if len(chosen) < 2:
        raise ValidationError({"rows": "choose at least two rows"})
    known = set(ClusterMember.objects.filter(run=run, row_id__in=chosen).values_list("row_id", flat=True))
    if known != set(chosen):
        raise ValidationError({"rows": f"rows {sorted(set(chosen) - known)} are not in linkage run {run.pk}"})
    if decision == ReviewPair.State.SAME:
        pairs = [(chosen[0], other) for other in chosen[1:]]
    else:
        pairs = [(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1 :]]
    when = now or timezone.now()
    decided: list[ReviewPair] = []
    with transaction.atomic():
        for a, b in pairs:
            pair = ReviewPair.objects.filter(run=run, row_a_id=a, row_b_id=b).first() or ReviewPair(
                run=run, row_a_id=a, row_b_id=b, by_hand=True
            )
            old, existed = pair.state, pair.pk is not None
            pair.state, pair.reason, pair.decided_at = decision, reason.strip(), when
            pair.decided_by = user if getattr(user, "pk", None) else None
            pair.full_clean()
            pair.save()
            audit_record(
                action="update" if existed else "create",
                actor=user,
                target=pair,
                summary=f"rows {a} and {b} of linkage run {run.pk} decided by hand: {decision} ({pair.reason})",
                details={"run": run.pk, "rows": [a, b], "old": old, "new": decision, "by_hand": True},
            )
            decided.append(pair)
    return decided


# ------------------------------------------------------------------------------------------- estimates

ESTIMATE_OPTIONS: Final = ("model", "chains", "burn_in", "samples", "thin")


#: methods whose estimate is not drawn over the linkage unless asked: a run of LCMCR's chains takes minutes, and
#: twenty of them would hold the worker for an hour
SLOW_METHODS: Final = frozenset({"lcmcr"})


def linkage_draws_default(method: str) -> int:
    """How many clusterings an estimate is drawn over when the user does not say (docs/methodology.md)."""
    return 0 if method in SLOW_METHODS else DEFAULT_DRAWS


def _table_rows(table: Any) -> list[list[int]]:
    return [[*map(int, p), int(c)] for p, c in zip(table.patterns.tolist(), table.counts.tolist(), strict=True)]


def estimate_run(
    *,
    linkage: LinkageRun,
    user: Any,
    method: str = "loglinear",
    seed: int | None = None,
    strata: str | None = None,
    options: Mapping[str, Any] | None = None,
    linkage_draws: int | None = None,
) -> EstimateRun:
    """Estimate the total number of people from the capture histories of ``linkage`` with one method
    (``options``: ``model``, ``chains``, ``burn_in``, ``samples``, ``thin``, as ``habeas.stats.estimate`` takes
    them), and store each result with its provenance: the capture table itself and its SHA-256, the lists, the
    method and parameters, the seed (drawn and recorded when not given) and the package versions.

    With ``strata`` (a column of ``STRATA_COLUMNS``) the histories are split by the person's stratum and
    ``habeas.stats.estimate_strata`` estimates each stratum and their total (with the unstratified estimate
    beside it), all in one run.

    ``linkage_draws`` clusterings are drawn from the run's pairs still to review, and the estimate combines
    them, so that its interval includes the uncertainty of the linkage
    (``habeas.stats.estimation.linkage_uncertainty``); None is the method's default (``linkage_draws_default``),
    0 takes the run's clustering as certain. Not with strata yet.
    """
    import habeas.stats as stats
    from habeas.stats.linkage.capture import capture_table

    if linkage.status != LinkageRun.Status.DONE:
        raise LinkageRunError(f"linkage run {linkage.pk} failed: it has no capture histories")
    _require_analysis(user, linkage.team_id, "run estimates")
    options = dict(options or {})
    unknown = sorted(set(options) - set(ESTIMATE_OPTIONS))
    if unknown:
        raise LinkageRunError(f"unknown estimate option {unknown[0]!r}; options: {', '.join(ESTIMATE_OPTIONS)}")
    if seed is None:
        seed = secrets.randbits(63)
    if seed < 0:
        raise LinkageRunError(f"the seed must be a non-negative whole number, not {seed}")
    draws = linkage_draws_default(method) if linkage_draws is None else linkage_draws
    if draws and strata is not None:
        if linkage_draws:
            raise LinkageRunError(
                "the linkage's uncertainty is not yet combined with strata: estimate without strata, or with 0 "
                "clusterings drawn"
            )
        draws = 0
    if not 0 <= draws <= MAX_DRAWS:
        raise LinkageRunError(f"the clusterings drawn must number between 0 and {MAX_DRAWS}, not {draws}")
    histories = run_histories(run=linkage, strata=strata)
    lists = run_labels(linkage)
    base = {"lists": lists, "linkage_run": linkage.pk, "strata": strata or ""}
    pooled = capture_table(histories, lists)
    if strata is None and draws:
        people, on, pairs = run_uncertain_links(run=linkage)
        try:
            result, spread = estimate_over_linkage(
                people, on, lists, pairs, method=method, draws=draws, seed=seed, **options
            )
        except EstimateError as exc:
            raise LinkageRunError(str(exc)) from None
        payload = result.as_dict()
        payload["linkage_uncertainty"] = spread.as_dict() if spread else {"draws": draws, "uncertain_pairs": 0}
        summary = posterior_summary(result.posterior)
    elif strata is None:
        (result,) = stats.estimate(pooled, method=method, seed=seed, **options)
        payload = result.as_dict()
        summary = posterior_summary(result.posterior)
    else:
        values = sorted(histories[strata].unique().tolist(), key=lambda v: (v == NOT_RECORDED, v))
        tables = {value: capture_table(histories, lists, {strata: value}) for value in values}
        tables = {value: table for value, table in tables.items() if table.observed}
        stratified = stats.estimate_strata(tables, method=method, seed=seed, **options)
        payload = stratified.as_dict()
        payload["provenance"] = {**payload["provenance"], "tables": {k: _table_rows(t) for k, t in tables.items()}}
        summary = posterior_summary(total_posterior(stratified))
    if summary is not None:
        payload["posterior"] = summary
    run = _estimate_record(linkage, user, payload, pooled, seed, strata=strata or "", base=base)
    with transaction.atomic():
        run.save()
        audit_record(
            action="create",
            actor=user,
            target=run,
            summary=f"estimate run {run.pk} ({run.method}) of linkage run {linkage.pk}"
            + (f", stratified by {run.strata}" if run.strata else ""),
            details={
                "linkage_run": linkage.pk,
                "method": run.method,
                "seed": run.seed,
                "table_sha256": run.table_sha256,
                "estimate": run.estimate,
            },
        )
    return run


def _finite(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _estimate_record(
    linkage: LinkageRun,
    user: Any,
    payload: dict[str, Any],
    table: Any,
    seed: int,
    *,
    strata: str,
    base: dict[str, Any],
) -> EstimateRun:
    payload = _json_safe(payload)
    provenance = {
        **payload.get("provenance", {}),
        **base,
        "table": {"lists": list(table.lists), "rows": _table_rows(table)},
    }
    provenance.setdefault("data_sha256", table.digest())
    payload["provenance"] = provenance
    interval = payload.get("ci95")
    run = EstimateRun(
        team_id=linkage.team_id,
        linkage=linkage,
        lists=list(table.lists),
        table_sha256=table.digest(),
        method=str(payload["method"]),
        model_name=str(payload.get("model") or payload.get("interval") or "")[:300],
        parameters=_json_safe({k: v for k, v in provenance.get("parameters", {}).items()}),
        seed=seed,
        strata=strata,
        observed=int(payload["observed"]),
        estimate=_finite(payload.get("total", payload.get("estimate"))),
        ci_low=_finite(interval[0]) if interval else None,
        ci_high=_finite(interval[1]) if interval else None,
        result=payload,
        provenance=provenance,
        illustrative=linkage.illustrative,
        created_by=user if getattr(user, "pk", None) else None,
    )
    run.full_clean()
    return run


#: the levels at which a Bayesian estimate's posterior of N is summarised, and the bins of its histogram
POSTERIOR_LEVELS: Final = (0.005, 0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975, 0.995)
POSTERIOR_BINS: Final = 40


def posterior_summary(posterior: Any, *, bins: int = POSTERIOR_BINS) -> dict[str, Any] | None:
    """A compact summary of the posterior of N of a Bayesian estimate, stored with it so that its page can
    plot it without keeping thousands of draws: quantiles at ``POSTERIOR_LEVELS`` and a histogram of the
    probability in at most ``bins`` equal bins between the 0.5% and 99.5% quantiles (``outside``: the
    probability beyond them, in the tails); whole-number values get bins of whole widths. None for a method
    without a posterior."""
    if posterior is None:
        return None
    values = np.asarray(posterior.values, dtype=np.float64)
    if posterior.probabilities is None:
        weights = np.full(values.size, 1.0 / max(values.size, 1))
        kind = "draws"
    else:
        weights = np.asarray(posterior.probabilities, dtype=np.float64)
        kind = "grid"
    keep = np.isfinite(values) & (weights > 0)
    values, weights = values[keep], weights[keep]
    if not values.size:
        return None
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    cumulative = np.cumsum(weights) / weights.sum()

    def quantile(level: float) -> float:  # the smallest value whose distribution function reaches the level
        return float(values[min(int(np.searchsorted(cumulative, level - 1e-12)), values.size - 1)])

    quantiles = {f"{level:g}": quantile(level) for level in POSTERIOR_LEVELS}
    low, high = quantiles["0.005"], quantiles["0.995"]
    if np.all(values == np.round(values)):  # whole numbers: bins of whole widths, centred on them (no aliasing)
        width = max(1, math.ceil((high - low + 1) / bins))
        bins = math.ceil((high - low + 1) / width)
        low, high = low - 0.5, low - 0.5 + bins * width
    elif high <= low:
        low, high = low - 0.5, high + 0.5
    mass, edges = np.histogram(values, bins=bins, range=(low, high), weights=weights / weights.sum())
    return {
        "kind": kind,
        "size": int(values.size),
        "quantiles": quantiles,
        "histogram": {"edges": [round(float(e), 3) for e in edges], "mass": [float(m) for m in mass]},
        "outside": max(0.0, 1.0 - float(mass.sum())),
    }


def total_posterior(stratified: Any) -> Any:
    """The posterior of the total of a stratified Bayesian estimate, as ``estimate_strata`` combines it: the
    draw-wise sums of the strata's draws (LCMCR) or the strata's exact posteriors convolved (DGA). None when a
    stratum has no posterior or they cannot be added."""
    from habeas.stats.estimation.run import Posterior
    from habeas.stats.estimation.strata import _convolve

    posteriors = [result.posterior for result in stratified.strata.values()]
    if not posteriors or any(p is None for p in posteriors):
        return None
    if len(posteriors) == 1:
        return posteriors[0]
    if all(p.probabilities is None for p in posteriors):
        if len({p.values.size for p in posteriors}) != 1:
            return None
        return Posterior(np.sum([p.values for p in posteriors], axis=0))
    if any(p.probabilities is None for p in posteriors):
        return None
    values, probabilities = _convolve(posteriors)
    return Posterior(values.astype(np.float64), probabilities)
