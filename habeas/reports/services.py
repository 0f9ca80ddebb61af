"""Writes of redacted exports: the file, and its audit event in the same transaction.

JSON is one document with a key per model. CSV is a zip archive holding one CSV file per model: an export
is one file, so that it can be downloaded from the web, hashed once for the audit trail and handed on
whole; a directory of loose files can be neither. Both are byte for byte the same for the same records, the
same profile and the same key file (no timestamps inside), so two exports can be compared by their SHA-256.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction

from habeas.accounts.services import audit_record
from habeas.core.errors import CommandError
from habeas.core.spreadsheet import formula_safe
from habeas.reports.redaction import Profile, profile_load
from habeas.reports.selectors import Value, export_rows

FORMATS = ("json", "csv")
#: the time stamped on every member of a CSV archive, so that the same data gives the same bytes
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class ExportError(CommandError):
    """An export that cannot be made as asked (an unknown format, say)."""


@dataclass(frozen=True)
class ExportSummary:
    profile: str
    format: str
    counts: dict[str, int]
    sha256: str
    size: int
    filename: str

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def export_filename(profile: str, format: str) -> str:
    return f"habeas-{profile}.{'zip' if format == 'csv' else 'json'}"


def export_write(
    *, user: Any, profile: str | Profile, format: str, out: IO[bytes], destination: str = ""
) -> ExportSummary:
    """Write the records ``user`` may see, redacted by ``profile``, to ``out`` in ``format`` (json or csv),
    and record the export (profile, counts, SHA-256 of the bytes written) as an audit event. ``destination``
    says in the audit trail where the file went (a path, or "download")."""
    if format not in FORMATS:
        raise ExportError(f"unknown export format {format!r}; the formats are: {', '.join(FORMATS)}")
    chosen = profile if isinstance(profile, Profile) else profile_load(profile)
    with transaction.atomic():
        tables = export_rows(user=user, profile=chosen)
        blob = _json(chosen, tables) if format == "json" else _zip(chosen, tables)
        summary = ExportSummary(
            profile=chosen.name,
            format=format,
            counts={label: len(rows) for label, rows in tables.items()},
            sha256=hashlib.sha256(blob).hexdigest(),
            size=len(blob),
            filename=export_filename(chosen.name, format),
        )
        audit_record(
            action="export",
            actor=user,
            target_type="reports.export",
            target_id=chosen.name,
            summary=f"redacted export, profile {chosen.name} ({format}): {summary.total} records",
            details={
                "profile": chosen.name,
                "format": format,
                "counts": summary.counts,
                "sha256": summary.sha256,
                "bytes": summary.size,
                "destination": destination,
            },
        )
        out.write(blob)  # inside the transaction: a failed write leaves no audit event behind
    return summary


def _json(profile: Profile, tables: dict[str, list[dict[str, Value]]]) -> bytes:
    document = {"profile": profile.name, "records": tables}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _zip(profile: Profile, tables: dict[str, list[dict[str, Value]]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for label, rows in tables.items():
            columns = profile.models[label].columns
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")  # RFC 4180: a line break within a cell is quoted
            writer.writerow([formula_safe(c) for c in columns])
            for row in rows:
                writer.writerow([_cell(row.get(c)) for c in columns])
            member = zipfile.ZipInfo(f"{label}.csv", date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            archive.writestr(member, text.getvalue().encode("utf-8"))
    return buffer.getvalue()


def _cell(value: Value) -> str:
    """A value as a CSV cell: text never as a spreadsheet formula (numbers stay numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return formula_safe("; ".join(value))
    if isinstance(value, str):
        return formula_safe(value)
    return str(value)
