"""Redaction profiles: declared data files that say what a redacted export may contain.

A profile (``habeas/reports/redaction/<name>.yaml``) names the records (models) that are exported and, per
model, the fields; the finest date precision; how persons and officials are shown; how finely localities are
given; and the rule for free text. It is read and checked here, before anything is exported, and every
mistake is reported with the file and the key that holds it, so that a profile can only say what the code
can honour. Protected text (an encrypted field) cannot be exported by any profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.db import models

from habeas.core.dates import Precision
from habeas.core.errors import CommandError
from habeas.core.fields import EncryptedTextField, NameDigestsField
from habeas.core.models import PRECISION_SUFFIX

PROFILE_DIR = Path(__file__).resolve().parent / "redaction"

#: date precisions from finest to coarsest; a date is never shown finer than it is stored
PRECISION_ORDER = [Precision.EXACT, Precision.DAY, Precision.MONTH, Precision.YEAR, Precision.APPROXIMATE]
PROFILE_PRECISIONS = ("day", "month", "year")
#: locality levels from coarsest to finest
LOCALITY_LEVELS = ("country", "region", "settlement")
PERSONS = ("pseudonym",)
OFFICIALS = ("keep", "pseudonym")
FREE_TEXT = ("drop",)
TOP_KEYS = {"name", "description", "dates", "persons", "officials", "free_text", "localities", "models"}
MODEL_KEYS = {"fields", "text", "dates"}

#: a text field this short holds a code (a country, a currency), not free text
CODE_LENGTH = 3
#: records held by no team, and the field through which their team is known
VISIBLE_THROUGH = {"cases.perpetrator": "allegation"}
#: fields that are not columns but that an export computes
VIRTUAL_FIELDS = {
    "standards.finding": {
        "record": "the record the finding is about, as a pseudonymous reference",
        "summary": "what the rule found, as a sentence in the export's language, known names redacted",
        "sources": "the sources the finding rests on (title, and where in it), known names redacted",
    }
}
#: models whose rows are a public vocabulary or public bodies: a reference to one is given by its name
PUBLIC_NAMES = {"registry.place": "name", "registry.organisation": "name", "cases.method": "code"}
#: references that are never exported
REFUSED_TARGETS = {
    "accounts.team": "the team that holds a record is internal",
    "auth.user": "user accounts are internal",
    "contenttypes.contenttype": "an internal reference",
}


class ProfileError(CommandError):
    """A redaction profile that does not exist or cannot be honoured; the message names the file and key."""


@dataclass(frozen=True)
class ModelRule:
    """What one model contributes to an export."""

    label: str
    model: type[models.Model]
    fields: tuple[str, ...]
    text: tuple[str, ...] = ()
    dates: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        return ("id", *self.fields, *self.text)


@dataclass(frozen=True)
class Profile:
    name: str
    path: Path
    description: str
    dates: str
    persons: str
    officials: str
    free_text: str
    localities: str
    models: dict[str, ModelRule]

    def date_precision(self, rule: ModelRule, name: str) -> str:
        """The finest precision a date field may be shown at under this profile."""
        return rule.dates.get(name, self.dates)


def profiles(directory: Path = PROFILE_DIR) -> list[str]:
    """The names of the declared profiles."""
    return sorted(p.stem for p in directory.glob("*.yaml"))


def profile_load(name: str, *, directory: Path = PROFILE_DIR) -> Profile:
    """The profile called ``name``, read and checked."""
    known = profiles(directory)
    if name not in known:
        listed = ", ".join(known) or "none"
        raise ProfileError(f"unknown redaction profile {name!r}; the profiles are: {listed}")
    return profile_read(directory / f"{name}.yaml")


def profile_read(path: Path) -> Profile:
    """Read and check a profile file; any mistake raises ``ProfileError`` naming the file and the key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"{path}: cannot be read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: is not valid YAML: {exc}") from None
    return _Checker(path).profile(data)


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, message: str) -> ProfileError:
        return ProfileError(f"{self.path}: {key}: {message}")

    def choice(self, data: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
        if key not in data:
            raise self.fail(key, f"is missing; give one of: {', '.join(allowed)}")
        value = data[key]
        if value not in allowed:
            raise self.fail(key, f"{value!r} is not one of: {', '.join(allowed)}")
        return str(value)

    def profile(self, data: Any) -> Profile:
        if not isinstance(data, dict):
            raise self.fail("(top)", "a profile is a mapping of keys (name, dates, persons, …, models)")
        unknown = sorted(set(data) - TOP_KEYS)
        if unknown:
            raise self.fail(unknown[0], f"unknown key; the keys are: {', '.join(sorted(TOP_KEYS))}")
        name = data.get("name")
        if name != self.path.stem:
            raise self.fail("name", f"must be {self.path.stem!r}, the name of the file (found {name!r})")
        tables = data.get("models")
        if not isinstance(tables, dict) or not tables:
            raise self.fail("models", "give the models to export, each with its fields")
        profile_dates = self.choice(data, "dates", PROFILE_PRECISIONS)
        return Profile(
            name=name,
            path=self.path,
            description=str(data.get("description", "")).strip(),
            dates=profile_dates,
            persons=self.choice(data, "persons", PERSONS),
            officials=self.choice(data, "officials", OFFICIALS),
            free_text=self.choice(data, "free_text", FREE_TEXT),
            localities=self.choice(data, "localities", LOCALITY_LEVELS),
            models={label: self.model_rule(label, spec, profile_dates) for label, spec in tables.items()},
        )

    def model_rule(self, label: Any, spec: Any, profile_dates: str) -> ModelRule:
        key = f"models.{label}"
        try:
            model = apps.get_model(str(label))
        except (LookupError, ValueError):
            raise self.fail(key, "unknown model; write it as app.model, e.g. custody.custodyepisode") from None
        label = model._meta.label_lower
        owned = any(f.name == "team" for f in model._meta.fields)
        if not owned and label not in VISIBLE_THROUGH:
            raise self.fail(key, "cannot be exported: no team holds its records, so who may see them is unknown")
        if not isinstance(spec, dict) or not isinstance(spec.get("fields"), list):
            raise self.fail(f"{key}.fields", "give the list of fields to export")
        unknown = sorted(set(spec) - MODEL_KEYS)
        if unknown:
            raise self.fail(f"{key}.{unknown[0]}", f"unknown key; the keys are: {', '.join(sorted(MODEL_KEYS))}")
        fields = tuple(str(f) for f in spec["fields"])
        text = tuple(str(f) for f in spec.get("text") or ())
        for name in fields:
            self.check_field(model, label, f"{key}.fields", name, text=False)
        for name in text:
            self.check_field(model, label, f"{key}.text", name, text=True)
        seen = [*fields, *text]
        if len(set(seen)) != len(seen):
            raise self.fail(key, "a field is listed twice")
        dates = spec.get("dates") or {}
        if not isinstance(dates, dict):
            raise self.fail(f"{key}.dates", "a mapping of date field to precision, e.g. {born_on: year}")
        for name, precision in dates.items():
            if name not in fields or not _is_date(model, name):
                raise self.fail(f"{key}.dates.{name}", "is not a date field exported by this model")
            if precision not in PROFILE_PRECISIONS:
                raise self.fail(f"{key}.dates.{name}", f"{precision!r} is not one of: {', '.join(PROFILE_PRECISIONS)}")
            if _rank(precision) < _rank(profile_dates):
                raise self.fail(f"{key}.dates.{name}", f"may only coarsen the profile's dates ({profile_dates})")
        return ModelRule(label=label, model=model, fields=fields, text=text, dates=dict(dates))

    def check_field(self, model: type[models.Model], label: str, key: str, name: str, *, text: bool) -> None:
        where = f"{key}.{name}"
        if name in VIRTUAL_FIELDS.get(label, {}) and not text:
            return
        if name == "id":
            raise self.fail(where, "every row has a stable pseudonymous id already; do not list it")
        if name.endswith(PRECISION_SUFFIX):
            raise self.fail(where, "a date's precision is part of the exported date; list the date instead")
        try:
            found = model._meta.get_field(name)
        except Exception:
            raise self.fail(where, f"unknown field of {label}") from None
        if not found.concrete and not found.many_to_many:
            raise self.fail(where, f"is not a field of {label} (a reverse relation?)")
        if isinstance(found, EncryptedTextField | NameDigestsField):
            raise self.fail(where, "is protected text (encrypted at rest) and is never exported")
        if name in ("notes", "team", "created_at", "updated_at"):
            raise self.fail(where, "is internal record-keeping and is not exported")
        if isinstance(found, models.JSONField):
            raise self.fail(where, "is structured data that may hold names or text; it is not exported")
        target = found.related_model
        if target is not None and target != "self":
            target_label = target._meta.label_lower  # type: ignore[union-attr]
            if target_label in REFUSED_TARGETS:
                raise self.fail(where, REFUSED_TARGETS[target_label])
        is_code = isinstance(found, models.CharField) and (found.max_length or 0) <= CODE_LENGTH
        is_text = isinstance(found, models.CharField | models.TextField) and not found.choices and not is_code
        if text and not is_text:
            raise self.fail(where, "is not a text field; list it under fields")
        if is_text and not text:
            raise self.fail(
                where,
                "is free text, which this profile drops; list it under text only if it holds the public name "
                "of something (an offence, a legal basis), never a description of a person or what happened",
            )


def _is_date(model: type[models.Model], name: str) -> bool:
    try:
        found = model._meta.get_field(name)
    except Exception:
        return False
    return isinstance(found, models.DateField)  # DateTimeField is a DateField


def _rank(precision: str) -> int:
    return PRECISION_ORDER.index(Precision(precision))
