"""Which state is party to which instrument, and since when: the table that decides whether a treaty's rules apply
to facts in a state at a date. Shipped as data (``treaties.yaml``, with its sources), seeded by a data migration and
editable by administrators."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.accounts.services import audit_record

TREATIES_FILE = Path(__file__).with_name("treaties.yaml")


class Instrument(models.TextChoices):
    CAT = "CAT", _("Convention against Torture")
    CAT_22 = "CAT-22", _("Convention against Torture, declaration under art. 22 (individual communications)")
    OPCAT = "OPCAT", _("Optional Protocol to the Convention against Torture")
    ICCPR = "ICCPR", _("International Covenant on Civil and Political Rights")
    ICCPR_OP1 = "ICCPR-OP1", _("(First) Optional Protocol to the International Covenant on Civil and Political Rights")
    ECHR = "ECHR", _("European Convention on Human Rights")


#: states that are or were members of the Council of Europe, the only states that may be party to the ECHR
#: (Russia ceased to be a party on 16 September 2022)
COUNCIL_OF_EUROPE = frozenset(
    [
        "AD",
        "AL",
        "AM",
        "AT",
        "AZ",
        "BA",
        "BE",
        "BG",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GB",
        "GE",
        "GR",
        "HR",
        "HU",
        "IE",
        "IS",
        "IT",
        "LI",
        "LT",
        "LU",
        "LV",
        "MC",
        "MD",
        "ME",
        "MK",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "RS",
        "RU",
        "SE",
        "SI",
        "SK",
        "SM",
        "TR",
        "UA",
    ]
)
OPEN_TO: dict[str, frozenset[str]] = {Instrument.ECHR: COUNCIL_OF_EUROPE}


class Ratification(models.Model):
    """One state's participation in one instrument: the date it entered into force for the state (and ceased to
    be in force, after a denunciation or expulsion), with its reservations and declarations. A state with no row
    for an instrument is not party to it, and no rule of that instrument applies to facts in it."""

    state = models.CharField(_("state (ISO country code)"), max_length=2)
    instrument = models.CharField(_("instrument"), max_length=10, choices=Instrument.choices)
    in_force_on = models.DateField(_("in force for the state from"))
    ceased_on = models.DateField(_("ceased to be in force on"), null=True, blank=True)
    reservations = models.TextField(_("reservations"), blank=True)
    declarations = models.TextField(_("declarations"), blank=True)
    source = models.CharField(
        _("source"), max_length=300, help_text=_("e.g. United Nations Treaty Collection, status of treaties, ch. IV.9")
    )

    class Meta:
        verbose_name = _("ratification")
        verbose_name_plural = _("ratifications")
        ordering = ["state", "instrument"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "instrument"],
                name="standards_ratification_one_per_state_and_instrument",
                violation_error_message="this state's participation in this instrument is already recorded",
            ),
            models.CheckConstraint(
                condition=models.Q(ceased_on__isnull=True) | models.Q(ceased_on__gte=models.F("in_force_on")),
                name="standards_ratification_ceased_after_in_force",
                violation_error_message="ceased to be in force must not be before in force from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state}: {self.instrument} from {self.in_force_on:%Y-%m-%d}"

    def clean(self) -> None:
        super().clean()
        self.state = (self.state or "").upper()
        errors: dict[str, str] = {}
        if len(self.state) != 2 or not self.state.isalpha():
            errors["state"] = f"state {self.state!r} is not a two-letter ISO country code"
        elif self.instrument in OPEN_TO and self.state not in OPEN_TO[self.instrument]:
            errors["instrument"] = f"{self.instrument} is not open to {self.state}: no ratification is possible"
        today = timezone.now().date()
        if self.in_force_on and self.in_force_on > today:
            errors["in_force_on"] = f"in force from {self.in_force_on:%Y-%m-%d} is in the future"
        if self.ceased_on and self.ceased_on > today:
            errors["ceased_on"] = f"ceased to be in force on {self.ceased_on:%Y-%m-%d} is in the future"
        if errors:
            raise ValidationError(errors)


def ratifications_seed(model: Any = Ratification, path: Path = TREATIES_FILE) -> int:
    """Add the rows of the shipped table that are not recorded yet (an administrator's edit is kept); returns
    how many were added. ``model`` is a migration's historical model, or the current one."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    added = 0
    for state, instruments in (data.get("states") or {}).items():
        for instrument, entry in instruments.items():
            if model.objects.filter(state=state, instrument=instrument).exists():
                continue
            row = model(
                state=state,
                instrument=instrument,
                in_force_on=_date(entry["in_force"]),
                ceased_on=_date(entry.get("ceased")),
                reservations=entry.get("reservations", ""),
                declarations=entry.get("declarations", ""),
                source=entry.get("source") or data["sources"][instrument],
            )
            row.save()
            added += 1
    return added


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


@dataclass(frozen=True)
class Parties:
    """The ratification table, read once for a check: whether an instrument was in force for a state on a day."""

    periods: dict[tuple[str, str], tuple[dt.date, dt.date | None]]

    @classmethod
    def read(cls) -> Parties:
        return cls(
            {
                (state, instrument): (start, end)
                for state, instrument, start, end in Ratification.objects.values_list(
                    "state", "instrument", "in_force_on", "ceased_on"
                )
            }
        )

    def in_force(self, state: str, instrument: str, on: dt.date | None) -> bool:
        """In force for the state on that day; with no day known, whether the state is (or was) party at all."""
        period = self.periods.get((state, instrument))
        if period is None:
            return False
        start, end = period
        if on is None:
            return True
        return start <= on and (end is None or on < end)


def ratification_record(*, user: Any, **fields: Any) -> Ratification:
    """Add or correct one state's participation in an instrument (administrators only: the table decides where
    every treaty rule applies). Refused, naming the field: a date in the future, an instrument not open to the
    state."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction

    if not (getattr(user, "is_superuser", False) and user.is_active):
        raise PermissionDenied("only administrators may change the table of ratifications")
    with transaction.atomic():
        row = Ratification.objects.filter(
            state=str(fields.get("state", "")).upper(), instrument=fields.get("instrument")
        ).first()
        row = row or Ratification()
        for name, value in fields.items():
            setattr(row, name, value)
        row.full_clean()
        row.save()
        audit_record(action="update", actor=user, target=row, summary=str(row), details={"changed": sorted(fields)})
    return row
