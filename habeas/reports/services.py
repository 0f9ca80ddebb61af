"""Writes of the reports: redacted exports (the file, and its audit event in the same transaction), and the
live clock's e-mails (``clock_notify``).

JSON is one document with a key per model. CSV is a zip archive holding one CSV file per model, each beginning
with UTF-8's byte-order mark (without it Excel and LibreOffice read Cyrillic as a Windows code page): an export
is one file, so that it can be downloaded from the web, hashed once for the audit trail and handed on
whole; a directory of loose files can be neither. Both are byte for byte the same for the same records, the
same profile and the same key file (no timestamps inside), so two exports can be compared by their SHA-256.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, ngettext

from habeas.accounts.models import Membership
from habeas.accounts.services import audit_record
from habeas.accounts.viewer import viewer_for
from habeas.core.errors import CommandError
from habeas.core.spreadsheet import formula_safe
from habeas.reports.clock import Item, clock_items
from habeas.reports.models import ClockNotice
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
    *,
    user: Any,
    profile: str | Profile,
    format: str,
    out: IO[bytes],
    destination: str = "",
    language: str = "en",
) -> ExportSummary:
    """Write the records ``user`` may see, redacted by ``profile``, to ``out`` in ``format`` (json or csv),
    with the findings' sentences in ``language``, and record the export (profile, counts, SHA-256 of the bytes
    written) as an audit event. ``destination`` says in the audit trail where the file went (a path, or
    "download")."""
    if format not in FORMATS:
        raise ExportError(f"unknown export format {format!r}; the formats are: {', '.join(FORMATS)}")
    if language not in dict(settings.LANGUAGES):
        known = ", ".join(dict(settings.LANGUAGES))
        raise ExportError(f"unknown language {language!r}; the languages are: {known}")
    chosen = profile if isinstance(profile, Profile) else profile_load(profile)
    with transaction.atomic():
        tables = export_rows(user=user, profile=chosen, language=language)
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
                "language": language,
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
            archive.writestr(member, text.getvalue().encode("utf-8-sig"))  # the BOM: spreadsheets read it as UTF-8
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


# The live clock's e-mails ----------------------------------------------------------------------------------


def clock_notify(*, now: dt.datetime) -> int:
    """E-mail each member who asked to be told (``Membership.notify_clock``) what needs attention now among their
    team's records and has not been told to them yet: one e-mail per member with the new items, each item told
    once for its deadline (``ClockNotice``). The e-mail names no one: it says what kind of item, by when, and
    links to its page, where the reader sees what their role allows. Returns the number of e-mails sent."""
    teams: dict[Any, set[int]] = {}
    for membership in Membership.objects.filter(notify_clock=True, user__is_active=True).select_related("user"):
        if membership.user.email:
            teams.setdefault(membership.user, set()).add(membership.team_id)
    sent = 0
    for user, team_ids in teams.items():
        told = set(ClockNotice.objects.filter(user=user).values_list("kind", "record_id", "due"))
        items = clock_items(viewer_for(user), now=now, shown=None).items
        new = [item for item in items if item.team_id in team_ids and (item.kind, item.record_id, item.due) not in told]
        if not new:
            continue
        with transaction.atomic():  # a failed sending leaves nothing recorded: the next run tries again
            for item in new:
                notice = ClockNotice(user=user, kind=item.kind, record_id=item.record_id, due=item.due, sent_at=now)
                notice.full_clean()
                notice.save()
            audit_record(
                action="create",
                target_type="reports.clocknotice",
                target_id=str(user.pk),
                summary=f"the live clock e-mailed {len(new)} item(s) to {user.get_username()}",
                details={"items": [list(item.key) for item in new]},
                now=now,
            )
            subject, body = _clock_mail(new)
            send_mail(subject, body, None, [user.email])
        sent += 1
    return sent


def clock_subscribe(*, user: Any, team_id: int, notify: bool) -> Membership:
    """A member chooses whether to be e-mailed what needs attention among their team's records."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(user=user, team_id=team_id)
        if membership.notify_clock != notify:
            membership.notify_clock = notify
            membership.full_clean()
            membership.save(update_fields=["notify_clock"])
            audit_record(
                action="update",
                actor=user,
                target=membership,
                summary=f"{user.get_username()} {'asked for' if notify else 'stopped'} the live clock's e-mails "
                f"about {membership.team.name}",
                details={"notify_clock": notify},
            )
    return membership


def _clock_mail(items: list[Item]) -> tuple[str, str]:
    """The subject and text of an e-mail of the live clock, in the site's language, with no names."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = ngettext(
            "Habeas: %(n)s deadline needs attention", "Habeas: %(n)s deadlines need attention", len(items)
        ) % {"n": len(items)}
        lines = [gettext("These deadlines of your team's records are running out or have run out:"), ""]
        for item in items:
            lines.append(
                gettext("%(what)s: %(time)s (due %(due)s)")
                % {"what": item.what.capitalize(), "time": item.time_text, "due": item.due_text}
            )
            lines.append(f"  {settings.HABEAS_SITE_URL}{item.url}")
        stop = gettext("You are told once for each deadline; to stop these e-mails, turn them off on the dashboard.")
        lines += ["", stop]
    return subject, "\n".join(lines) + "\n"
