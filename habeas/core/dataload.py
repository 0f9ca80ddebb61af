"""Load documented records, each with its citations, from a YAML or JSON data file.

The file holds a mapping with ``default_source`` (the key of a source record in the file) and
``records``, a list of entries::

    - model: registry.person          # app_label.model
      key: roza-tuletaeva              # optional; other entries refer to this record by it
      fields: {label: Roza Tuletaeva, sex: f, home_locality: "geonames:607610"}
      cite:                            # at least one; each needs a locator
        - {section: "Roza Tuletaeva"}
        - {section: "Roza Tuletaeva", field: sex, source: other-source-key}

References: a foreign key or many-to-many value is the key of an earlier entry, ``geonames:<id>``
for a locality from the gazetteer, or ``method:<code>`` for a method of ill-treatment.
Fuzzy dates are written at their precision: ``2011-12-16T14:00`` (exact), ``2011-12-16`` (day),
``2011-12`` (month), ``2011`` (year), ``~2011`` (about 2011); the precision field is set from it.

Loading is all or nothing: any error rolls back everything and names the file, line and field.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import yaml
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction

from habeas.accounts.services import audit_record
from habeas.core.dates import Precision
from habeas.core.errors import LoadError
from habeas.core.models import PRECISION_SUFFIX
from habeas.evidence.models import Citation, Source
from habeas.reports.search import search_index

ENTRY_KEYS = {"model", "key", "fields", "cite"}
CITE_KEYS = {"source", "field", "section", "page", "paragraph", "note"}
DATE_PATTERN = re.compile(
    r"^(?P<approx>~)?(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})(?:T(?P<hour>\d{2}):(?P<minute>\d{2}))?)?)?$"
)
BATCH = 1000  # citations written by one INSERT

Row = tuple[int, str, models.Model]  # a record's number in the file (from 1), its description, and the instance


class _Located(dict[str, Any]):
    line = 0


class _LocatingLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping."""


def _construct_located(loader: _LocatingLoader, node: yaml.MappingNode) -> Iterator[_Located]:
    data = _Located()
    data.line = node.start_mark.line + 1
    yield data
    data.update({str(k): v for k, v in loader.construct_mapping(node).items()})


_LocatingLoader.add_constructor("tag:yaml.org,2002:map", _construct_located)


# Dates stay text, so that their precision can be read from how they are written.
def _construct_text(loader: _LocatingLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_LocatingLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)


@dataclass(frozen=True)
class LoadSummary:
    counts: dict[str, int]
    citations: int


def parse_fuzzy(text: str, *, with_time: bool) -> tuple[dt.date | dt.datetime, str]:
    """Read a date written at its precision; returns the value and the precision."""
    match = DATE_PATTERN.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date: write 2011-12-16, 2011-12, 2011, ~2011 or 2011-12-16T14:00")
    parts = match.groupdict()
    year, month, day = int(parts["year"]), int(parts["month"] or 1), int(parts["day"] or 1)
    if parts["approx"]:
        if parts["month"]:
            raise ValueError(f"{text!r}: an approximate date is a year, such as ~2011")
        precision = Precision.APPROXIMATE
    elif parts["hour"]:
        precision = Precision.EXACT
    elif parts["day"]:
        precision = Precision.DAY
    elif parts["month"]:
        precision = Precision.MONTH
    else:
        precision = Precision.YEAR
    if precision == Precision.EXACT and not with_time:
        raise ValueError(f"{text!r}: this field is a date without a time")
    try:
        if with_time:
            value: dt.date | dt.datetime = dt.datetime(
                year, month, day, int(parts["hour"] or 0), int(parts["minute"] or 0), tzinfo=dt.UTC
            )
        else:
            value = dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date ({exc})") from None
    return value, precision


class _Loader:
    def __init__(self, path: Path, text: str, data: Any, team: Any = None) -> None:
        self.path = path
        self.text = text
        self.data = data
        self.team = team
        self.objects: dict[str, models.Model] = {}
        self.created: list[models.Model] = []  # every record the load wrote, for the search index
        self.counts: dict[str, int] = {}
        self.citations = 0
        self.pending: list[tuple[int, str, models.Model, Any]] = []
        self.batch: list[tuple[int, str, Citation]] = []  # citations checked, to be written together
        self.writing: Sequence[Row] = ()  # the rows of the write under way, which explain() names
        self.existing: set[tuple[Any, Any]] = set()  # (field, value): rows this load has written or found

    def line(self, index: int) -> int:
        """The line on which record ``index`` begins."""
        if self.path.suffix.lower() == ".json":
            return _json_record_lines(self.text)[index - 1]
        return getattr(self.data["records"][index - 1], "line", 0)

    def fail(self, index: int, message: str) -> LoadError:
        return LoadError(f"{self.path}, line {self.line(index)}: {message}")

    def run(self) -> LoadSummary:
        if not isinstance(self.data, dict) or not isinstance(self.data.get("records"), list):
            raise LoadError(f"{self.path}: expected a mapping with a list under 'records'")
        unknown = set(self.data) - {"default_source", "records"}
        if unknown:
            raise LoadError(f"{self.path}: unknown top-level entry {sorted(unknown)[0]!r}")
        default_source = self.data.get("default_source")
        for index, entry in enumerate(self.data["records"], start=1):
            if not isinstance(entry, dict):
                raise self.fail(index, f"record {index} is not a mapping")
            named = f" {entry['key']!r}" if "key" in entry else ""
            where = f"record {index} ({entry.get('model', '?')}{named})"
            with self.located(index, where):
                self.load_entry(entry, index, where)
        # Citations come last, so that a record may cite a source defined further down the file.
        for index, where, instance, cite in self.pending:
            try:
                with self.located(index, where):
                    self.add_citation(instance, cite, default_source, (index, where))
            except LoadError:
                self.write_citations()  # a citation further up that the database refuses is the first error
                raise
        self.write_citations()
        return LoadSummary(counts=self.counts, citations=self.citations)

    @contextmanager
    def located(self, index: int, where: str) -> Iterator[None]:
        try:
            yield
        except ValidationError as exc:
            raise self.fail(index, f"{where}: {_describe(exc)}") from None
        except (ValueError, LookupError, TypeError) as exc:
            raise self.fail(index, f"{where}: {exc}") from None

    def load_entry(self, entry: dict[str, Any], index: int, where: str) -> None:
        unknown = set(entry) - ENTRY_KEYS
        if unknown:
            raise ValueError(f"unknown entry {sorted(unknown)[0]!r}; an entry has model, key, fields and cite")
        try:
            model = apps.get_model(str(entry.get("model", "")))
        except (LookupError, ValueError):
            raise ValueError(f"unknown model {entry.get('model')!r}") from None
        key = entry.get("key")
        if key is not None and key in self.objects:
            raise ValueError(f"the key {key!r} is used twice")
        fields = entry.get("fields") or {}
        if not isinstance(fields, dict):
            raise ValueError("'fields' must be a mapping")
        instance = model()
        if self.team is not None and any(f.name == "team" for f in model._meta.fields):
            instance.team = self.team
        if key is not None and "key" not in fields and any(f.name == "key" for f in model._meta.fields):
            instance.key = key  # e.g. a source's stable key
        many: dict[str, list[models.Model]] = {}
        for name, value in fields.items():
            self.set_field(instance, model, str(name), value, many)
        self.check(instance)
        self.write([(index, where, instance)], instance.save)
        self.created.append(instance)
        for name, targets in many.items():
            getattr(instance, name).set(targets)
        cites = entry.get("cite") or []
        if isinstance(cites, dict):
            cites = [cites]
        if not cites:
            raise ValueError("every record needs at least one citation under 'cite'")
        self.pending.extend((index, where, instance, cite) for cite in cites)
        if key is not None:
            self.objects[str(key)] = instance
        label = model._meta.label_lower
        self.counts[label] = self.counts.get(label, 0) + 1

    def set_field(
        self,
        instance: models.Model,
        model: type[models.Model],
        name: str,
        value: Any,
        many: dict[str, list[models.Model]],
    ) -> None:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            raise ValueError(f"unknown field {name!r} for {model._meta.label_lower}") from None
        if field.auto_created or (not field.editable and not field.many_to_many):
            raise ValueError(f"field {name!r} cannot be set")
        if field.many_to_many:
            if not isinstance(value, list):
                raise ValueError(f"field {name!r}: expected a list of references")
            many[name] = [self.resolve(name, item, field.related_model) for item in value]  # type: ignore[arg-type]
            return
        if field.is_relation:
            setattr(instance, name, None if value is None else self.resolve(name, value, field.related_model))  # type: ignore[arg-type]
            return
        precision_name = name + PRECISION_SUFFIX
        if isinstance(field, models.DateField) and hasattr(instance, precision_name):
            if value is None:
                return
            try:
                parsed, precision = parse_fuzzy(str(value), with_time=isinstance(field, models.DateTimeField))
            except ValueError as exc:
                raise ValueError(f"field {name!r}: {exc}") from None
            setattr(instance, name, parsed)
            setattr(instance, precision_name, precision)
            return
        setattr(instance, name, value)

    def resolve(self, name: str, reference: Any, target: type[models.Model]) -> models.Model:
        text = str(reference)
        if text.startswith("geonames:"):
            from habeas.registry.services import locality_from_gazetteer

            try:
                found: models.Model = locality_from_gazetteer(int(text.removeprefix("geonames:")))
            except ValueError:
                raise ValueError(f"field {name!r}: {text!r} is not a GeoNames id") from None
        elif text.startswith("method:"):
            method = apps.get_model("cases", "Method")
            code = text.removeprefix("method:")
            found = method.objects.filter(code=code).first()
            if found is None:
                raise ValueError(f"field {name!r}: unknown method {code!r}")
        elif text in self.objects:
            found = self.objects[text]
        else:
            raise ValueError(f"field {name!r}: {text!r} does not name an earlier record")
        if not isinstance(found, target):
            raise ValueError(
                f"field {name!r}: {text!r} is a {found._meta.verbose_name}, not a {target._meta.verbose_name}"
            )
        return found

    def add_citation(self, instance: models.Model, cite: Any, default_source: str | None, at: tuple[int, str]) -> None:
        if not isinstance(cite, dict):
            raise ValueError("each citation must be a mapping with a section, page or paragraph")
        unknown = set(cite) - CITE_KEYS
        if unknown:
            raise ValueError(f"unknown citation entry {sorted(unknown)[0]!r}")
        source_key = cite.get("source", default_source)
        if source_key is None:
            raise ValueError("a citation needs a source (or a default_source for the file)")
        source = self.objects.get(str(source_key))
        if source is None:
            source = Source.objects.filter(key=source_key).first()
        if not isinstance(source, Source):
            raise ValueError(f"citation: {source_key!r} is not a source")
        citation = Citation(
            source=source,
            content_type=ContentType.objects.get_for_model(instance),
            object_id=instance.pk,
            **{k: str(v) for k, v in cite.items() if k != "source"},
        )
        self.check(citation)
        self.batch.append((*at, citation))
        self.citations += 1
        if len(self.batch) == BATCH:
            self.write_citations()

    def write_citations(self) -> None:
        if self.batch:
            self.write(self.batch, lambda: Citation.objects.bulk_create([row[2] for row in self.batch]))
            self.batch = []

    def check(self, instance: models.Model) -> None:
        """Validate as ``full_clean()`` does, less two kinds of query: whether the rows that foreign keys point
        to exist, when this load has written or found them already, and check constraints, which the database
        applies as the row is written (``explain()`` then names the one it refused)."""
        keys = [
            (f, (f.target_field, getattr(instance, f.attname)))
            for f in instance._meta.concrete_fields
            if isinstance(f, models.ForeignKey)
        ]
        known = {f.name for f, target in keys if target in self.existing and not f.remote_field.limit_choices_to}
        try:
            instance.clean_fields(exclude=known)
            instance.clean()
            instance.validate_unique()
            for model, constraints in instance.get_constraints():
                for constraint in constraints:
                    if not isinstance(constraint, models.CheckConstraint):
                        constraint.validate(model, instance)  # type: ignore[attr-defined]  # not in django-stubs
        except ValidationError:
            instance.full_clean()  # says all that is wrong with the record, as it always has
            raise
        self.existing.update(target for _, target in keys if target[1] is not None)

    def write(self, rows: Sequence[Row], save: Callable[[], Any]) -> None:
        self.writing = rows
        save()
        self.writing = ()
        self.existing.update((instance._meta.pk, instance.pk) for _, _, instance in rows if instance.pk is not None)

    def explain(self, error: IntegrityError) -> NoReturn:
        """Name the row and the constraint of a write the database refused, as ``full_clean()`` would have;
        called once the load is rolled back, since a check constraint depends on the row's values alone."""
        if not self.writing:
            raise error
        for index, where, instance in self.writing:
            with self.located(index, where):
                instance.validate_constraints()
        index, where, _ = self.writing[0]
        raise self.fail(index, f"{where}: the database refused it ({error})")


def _describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        parts = []
        for field, messages in error.message_dict.items():
            text = "; ".join(messages)
            parts.append(text if field == "__all__" else f"field {field!r}: {text}")
        return "; ".join(parts)
    return "; ".join(error.messages)


def _json_record_lines(text: str) -> list[int]:
    """The line on which each entry under "records" of a JSON document begins. ``json.loads`` does not say, so
    only an error message needs this walk through the top level of the document."""
    decoder = json.JSONDecoder()

    def skip(i: int, marks: str = "") -> int:  # past white space, and past one of marks if it comes next
        while text[i] in " \t\n\r":
            i += 1
        return skip(i + 1) if text[i] in marks else i

    lines: list[int] = []
    i = skip(0, "{")
    while text[i] != "}":
        key, i = decoder.raw_decode(text, i)
        i = skip(i, ":")
        if key != "records":
            i = skip(decoder.raw_decode(text, i)[1], ",")
            continue
        lines, line, counted = [], 1, 0
        i = skip(i, "[")
        while text[i] != "]":
            line, counted = line + text.count("\n", counted, i), i
            lines.append(line)
            i = skip(decoder.raw_decode(text, i)[1], ",")
        i = skip(i + 1, ",")
    return lines


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoadError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise LoadError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise LoadError(f"{path}: cannot be read ({exc.strerror})") from None


def _parse(path: Path, text: str) -> Any:
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise LoadError(f"{path}, line {exc.lineno}, column {exc.colno}: malformed JSON: {exc.msg}") from None
    if suffix not in (".yaml", ".yml"):
        raise LoadError(f"{path}: expected a .yaml, .yml or .json file")
    try:
        return yaml.load(text, Loader=_LocatingLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise LoadError(f"{path}{where}: malformed YAML: {exc.problem}") from None


def read_data_file(path: Path) -> Any:
    return _parse(path, _read_text(path))


def records_load(*, path: Path, team: Any = None) -> LoadSummary:
    """Load every record of a data file in one transaction: all of them, or none. With ``team``, the records
    belong to that team."""
    text = _read_text(path)
    loader = _Loader(path, text, _parse(path, text), team)
    try:
        with transaction.atomic():
            summary = loader.run()
            search_index(loader.created)
            audit_record(
                action="import",
                target_type="file",
                target_id=str(path)[-64:],
                summary=f"loaded {path.name}",
                details={"counts": summary.counts, "citations": summary.citations},
            )
    except IntegrityError as error:
        loader.explain(error)  # now that the load is rolled back
    return summary
