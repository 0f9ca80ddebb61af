"""Exchange between organisations: a partner's signed export loaded as records of a new source.

The export is verified against the sender's public key before anything is read from it. Its records become
records of the importing team, each cited to one new source per sender and export (whose description holds
the provenance: the sender, the export's date, its SHA-256, who imported it and when). Persons keep the
pseudonyms the export gives them as their names, since a partner export holds no names in clear.

Each imported record is remembered by the sender (the fingerprint of their key) and the stable reference the
sender's exports give it (``ExchangeRecord``), so that a newer export of the same sender updates the records it
imported before instead of adding them again. Findings are not imported: the importing Habeas draws its own
from the records. The import is one transaction (all the records or none) and one audit event.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from habeas.accounts.models import Team
from habeas.accounts.services import audit_record
from habeas.core.errors import CommandError
from habeas.core.models import PRECISION_SUFFIX
from habeas.evidence.models import Citation, Source
from habeas.ops.dataload import SHARED, load_team, loadable, parse_fuzzy
from habeas.registry.models import Locality, PersonName
from habeas.reports.models import ExchangeRecord
from habeas.reports.redaction import PUBLIC_NAMES
from habeas.reports.search import search_index
from habeas.reports.selectors import PERSON
from habeas.reports.signing import export_verify

#: kinds of an export that are not records of the sender's: the importing Habeas draws its own findings
NOT_IMPORTED = {"standards.finding"}


class ExchangeError(CommandError):
    """An export that cannot be imported as it is; nothing was stored."""


@dataclass
class ImportSummary:
    source: Source
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    #: references to what neither the export nor this Habeas holds (a locality missing from its gazetteer)
    unmatched: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


_WAIT = object()  # a reference to a record of the export not stored yet


def key_fingerprint(trust: str) -> str:
    """A short stable name of a public key: the first 16 hexadecimal digits of the SHA-256 of its bytes."""
    try:
        raw = base64.b64decode(trust.strip(), validate=True)
    except binascii.Error:
        raw = trust.strip().encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def export_import(
    *, path: Path, trust: str, user: Any, team: Team | None = None, sender: str = "", now: dt.datetime | None = None
) -> ImportSummary:
    """Verify the export at ``path`` against the sender's public key ``trust``, then load its records into
    ``team`` (or the one team ``user`` writes in) as records of a new source, updating those a former export of
    the same sender brought. All or nothing, and one audit event of ``user``'s."""
    content = path.read_bytes()
    export_verify(path, trust=trust, content=content)  # a changed or unsigned export is refused before it is read
    team = load_team(user=user, team=team)
    sha256 = hashlib.sha256(content).hexdigest()
    try:
        document = json.loads(content.decode("utf-8"))
        tables = document["records"]
        if not isinstance(tables, dict) or not all(isinstance(rows, list) for rows in tables.values()):
            raise TypeError
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise ExchangeError(
            _("%(path)s is not a JSON export of Habeas: ask the sender for `habeas export --format json --sign`")
            % {"path": path}
        ) from None
    fingerprint = key_fingerprint(trust)
    now = now or timezone.now()
    made_on = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).date()
    with transaction.atomic():
        source = _source(
            team=team, sender=sender, fingerprint=fingerprint, sha256=sha256, made_on=made_on, user=user, now=now
        )
        summary = _Importer(team=team, source=source, sender=fingerprint, tables=tables).run()
        audit_record(
            action="import",
            actor=user,
            target=source,
            summary=f"imported a signed export of {sender or fingerprint}: {summary.total} records",
            details={
                "team": team.pk,
                "sender": sender,
                "fingerprint": fingerprint,
                "sha256": sha256,
                "file": path.name,
                "profile": document.get("profile", ""),
                "created": summary.created,
                "updated": summary.updated,
                "unmatched": sorted(summary.unmatched),
            },
            now=now,
        )
    return summary


def _source(
    *, team: Team, sender: str, fingerprint: str, sha256: str, made_on: dt.date, user: Any, now: dt.datetime
) -> Source:
    name = sender or _("the holder of the key %(key)s") % {"key": fingerprint}
    key = f"{slugify(sender)[:40] or fingerprint}-{sha256[:16]}"
    if Source.objects.filter(team=team, key=key).exists():
        raise ExchangeError(
            _("this export (SHA-256 %(sha)s) was imported into %(team)s already, as the source %(key)s")
            % {"sha": sha256, "team": team.name, "key": key}
        )
    source = Source(
        team=team,
        key=key,
        title=_("Signed export of %(sender)s of %(date)s") % {"sender": name, "date": made_on.isoformat()},
        kind=Source.Kind.DOCUMENT,
        reference=sha256,
        published_on=made_on,
        published_on_precision="day",
        description=_(
            "Sent by %(sender)s, signed with the key %(key)s; the export was made on %(date)s; its SHA-256 is "
            "%(sha)s. Imported by %(user)s on %(now)s."
        )
        % {
            "sender": name,
            "key": fingerprint,
            "date": made_on.isoformat(),
            "sha": sha256,
            "user": user.get_username(),
            "now": now.strftime("%Y-%m-%d %H:%M UTC"),
        },
    )
    source.full_clean()
    source.save()
    return source


def _fill_withheld(instance: models.Model, label: str, reference: str) -> None:
    """Give the text a record needs and the export withholds (a person's or a group's name, an allegation's
    summary) the record's reference: a person is named by their pseudonym ("Person 7KQ2M4XAB3"), other
    records by their kind and reference ("Group HDK5UKK65T"). A text the team wrote since is kept."""
    kind = str(instance._meta.verbose_name).capitalize()
    for found in instance._meta.concrete_fields:
        text = isinstance(found, models.CharField | models.TextField)
        if text and not found.blank and not found.has_default() and not getattr(instance, found.attname):
            setattr(instance, found.attname, reference if label == PERSON else f"{kind} {reference}")


def _name(person: Any, reference: str) -> None:
    """A person's name as the export gives it: their pseudonym, or the name of an official the sender shows."""
    cyrillic = any("\u0400" <= char <= "\u04ff" for char in reference)
    latin = all(char.isascii() for char in reference)
    script = PersonName.Script.CYRILLIC if cyrillic else PersonName.Script.LATIN if latin else PersonName.Script.OTHER
    name = PersonName(person=person, full_name=reference, script=script)
    name.full_clean()
    name.save()


class _Importer:
    def __init__(self, *, team: Team, source: Source, sender: str, tables: dict[str, list[Any]]) -> None:
        self.team = team
        self.source = source
        self.sender = sender
        self.tables = {label: rows for label, rows in tables.items() if label not in NOT_IMPORTED}
        self.models: dict[str, type[models.Model]] = {}
        for label in self.tables:
            try:
                model = apps.get_model(label)
            except (LookupError, ValueError):
                unknown = _("the export holds records of an unknown kind %(kind)s") % {"kind": repr(label)}
                raise ExchangeError(unknown) from None
            if not loadable(model) or label in SHARED:  # shared data is this instance's, never a partner's
                raise ExchangeError(_("records of the kind %(kind)s cannot be imported") % {"kind": repr(label)})
            self.models[label] = model
        #: the references each kind's rows have in the export, and the names of those referred to by name
        self.references = {label: {str(row.get("id")) for row in rows} for label, rows in self.tables.items()}
        self.names = {
            label: {row.get(PUBLIC_NAMES[label]): str(row.get("id")) for row in rows}
            for label, rows in self.tables.items()
            if label in PUBLIC_NAMES
        }
        self.stored: dict[str, dict[str, models.Model]] = {label: {} for label in self.tables}
        self.known = {
            (row.kind, row.reference): row.object_id for row in ExchangeRecord.objects.filter(team=team, sender=sender)
        }
        self.shared: dict[tuple[str, str], models.Model | None] = {}
        self.summary = ImportSummary(source=source)

    def run(self) -> ImportSummary:
        pending = [(label, row) for label, rows in self.tables.items() for row in rows]
        while pending:
            waiting = [(label, row) for label, row in pending if not self.store(label, row)]
            if len(waiting) == len(pending):
                label, row = waiting[0]
                raise ExchangeError(
                    _("%(kind)s %(ref)s refers to records of the export that refer back to it")
                    % {
                        "kind": label,
                        "ref": row.get("id"),
                    }
                )
            pending = waiting
        search_index(record for stored in self.stored.values() for record in stored.values())
        return self.summary

    def store(self, label: str, row: Any) -> bool:
        """Create or update the record of ``row``; False if it refers to a record of the export not stored yet."""
        if not isinstance(row, dict) or not row.get("id"):
            raise ExchangeError(_("a record of the kind %(kind)s has no reference") % {"kind": label})
        model = self.models[label]
        reference = str(row["id"])
        pk = self.known.get((label, reference))
        instance = model._default_manager.filter(pk=pk).first() if pk is not None else None
        new = instance is None
        if instance is None:
            instance = model()
            if any(f.name == "team" for f in model._meta.fields):
                instance.team = self.team  # type: ignore[attr-defined]
        many: dict[str, list[models.Model]] = {}
        for name, value in row.items():
            if name != "id" and not self.set_field(instance, model, name, value, many):
                return False
        _fill_withheld(instance, label, reference)
        try:
            instance.full_clean()
        except ValidationError as error:
            problems = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            told = "; ".join(f"{name} {' '.join(texts)}".strip() for name, texts in problems.items())
            raise ExchangeError(f"{label} {reference}: {told}") from None
        instance.save()
        if label == PERSON and not PersonName.objects.filter(person_id=instance.pk).exists():
            _name(instance, reference)
        for name, targets in many.items():
            getattr(instance, name).set(targets)
        content_type = ContentType.objects.get_for_model(model)
        if new:
            ExchangeRecord.objects.update_or_create(
                team=self.team,
                sender=self.sender,
                kind=label,
                reference=reference,
                defaults={"content_type": content_type, "object_id": instance.pk},
            )
        counts = self.summary.created if new else self.summary.updated
        counts[label] = counts.get(label, 0) + 1
        citation = Citation(source=self.source, content_type=content_type, object_id=instance.pk)
        citation.section = f"{label} {reference}"[:300]
        citation.full_clean()
        citation.save()
        self.stored[label][reference] = instance
        return True

    def set_field(
        self, instance: models.Model, model: type[models.Model], name: str, value: Any, many: dict[str, list[Any]]
    ) -> bool:
        try:
            found: Any = model._meta.get_field(name)
        except FieldDoesNotExist:
            raise ExchangeError(
                _("%(kind)s has no field %(field)s: the export was made by another version of Habeas")
                % {"kind": model._meta.label_lower, "field": repr(name)}
            ) from None
        if name == "team" or found.auto_created or (not found.editable and not found.many_to_many):
            raise ExchangeError(_("the field %(field)s cannot be imported") % {"field": repr(name)})
        target: Any = found.related_model
        if found.many_to_many:
            resolved = [self.resolve(target, item) for item in value or []]
            if any(item is _WAIT for item in resolved):
                return False
            many[name] = [item for item in resolved if item is not None]
            return True
        if found.is_relation:
            resolved_one = None if value is None else self.resolve(target, value)
            if resolved_one is _WAIT:
                return False
            setattr(instance, name, resolved_one)
            return True
        if isinstance(found, models.DateField) and value is not None:
            text = str(value)
            text = f"~{text[:-1]}" if text.endswith("~") else text  # EDTF's "about 1961" as the loader writes it
            try:
                date, precision = parse_fuzzy(text, with_time=isinstance(found, models.DateTimeField))
            except ValueError as error:
                raise ExchangeError(f"{model._meta.label_lower} {name}: {error}") from None
            setattr(instance, name, date)
            if hasattr(instance, name + PRECISION_SUFFIX):
                setattr(instance, name + PRECISION_SUFFIX, precision)
            return True
        if value is None and found.null is False:
            value = found.get_default()
        setattr(instance, name, value)
        return True

    def resolve(self, target: type[models.Model], value: Any) -> Any:
        """The record a reference of the export names: one of the export's (``_WAIT`` if not stored yet), or a
        locality or method this Habeas holds; None (and counted) if there is none."""
        text = str(value)
        label = target._meta.label_lower
        if label not in self.tables:
            found = self.shared_record(target, text)
            if found is None:
                self.summary.unmatched.add(f"{label} {text}")
            return found
        reference = self.names[label].get(text) if label in self.names else text
        if reference in self.stored[label]:
            return self.stored[label][reference]
        if reference in self.references[label]:
            return _WAIT
        self.summary.unmatched.add(f"{label} {text}")
        return None

    def shared_record(self, target: type[models.Model], text: str) -> models.Model | None:
        """A locality (by its name) or a method (by its code), shared by every team."""
        label = target._meta.label_lower
        if (label, text) not in self.shared:
            if target is Locality:
                self.shared[(label, text)] = Locality.objects.filter(name=text).order_by("-kind", "pk").first()
            elif label in PUBLIC_NAMES and label == "cases.method":
                self.shared[(label, text)] = target._default_manager.filter(code=text).first()
            else:
                self.shared[(label, text)] = None
        return self.shared[(label, text)]
