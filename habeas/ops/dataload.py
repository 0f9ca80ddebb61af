"""Load documented records, each with its citations, from a YAML or JSON data file.

The file holds a mapping with ``version`` (the format's version, 1 if left out), ``default_source`` (the key of
a source record in the file) and ``records``, a list of entries::

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

A file holds only the records of the domain (see ``loadable``), written as a named user into one of their teams:
users, teams, memberships, audit events, keys, jobs and findings are never read from a file. A file is
untrusted input: its size, the depth of its nesting, YAML aliases (which expand a small file into a huge
document), repeated keys and control characters are refused before anything is built from it.
"""

from __future__ import annotations

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
from django.utils.translation import gettext as _

from habeas.accounts.access import can_write_in
from habeas.accounts.models import WRITING_ROLES, Team
from habeas.accounts.services import audit_record
from habeas.accounts.viewer import viewer_for
from habeas.core.dates import parse_fuzzy
from habeas.core.errors import LoadError
from habeas.core.models import PRECISION_SUFFIX, Record
from habeas.evidence.models import Citation, Source
from habeas.registry.services import locality_from_gazetteer
from habeas.reports.search import search_index

#: the version of the data-file format this Habeas writes and reads; a file without ``version`` is of version 1
FORMAT_VERSION = 1
#: what each version of the format renamed, so that files of earlier versions still load: version → {old name:
#: new name}, a name being a model's label ("registry.person") or a field's ("registry.person.label"). A file of
#: version v has the renames of every version after v applied, in order, to its models, fields and citations.
RENAMED: dict[int, dict[str, str]] = {}

#: the largest data file read (bytes): the demo's is 0.1 MB, a national import of 100,000 people about 40 MB
MAX_BYTES = 64 * 1024 * 1024
#: the deepest nesting of mappings and lists: a record is at depth 3 and its deepest value (a citation, a list
#: of references) at 6; 20 leaves room for any record while refusing files made to exhaust the parser's stack
MAX_DEPTH = 20
#: characters no text of a record holds (tab, line feed and carriage return are allowed): C0 and C1 controls
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: apps whose records are made by their own commands, never from a data file (lists, linkage, estimates)
NOT_FROM_FILES = {"counting"}
#: reference data every team shares: only an instance administrator adds it (a locality, a state's ratification of
#: a treaty)
SHARED = {"registry.locality", "standards.ratification"}

ENTRY_KEYS = {"model", "key", "fields", "cite"}
TOP_KEYS = {"version", "default_source", "records"}
CITE_KEYS = {"source", "field", "section", "page", "paragraph", "note"}
BATCH = 1000  # citations written by one INSERT

Row = tuple[int, str, models.Model]  # a record's number in the file (from 1), its description, and the instance


class _Located(dict[str, Any]):
    line = 0


class _LocatingLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping, and refuses aliases, nesting deeper than
    ``MAX_DEPTH``, a key given twice in a mapping and control characters in a value."""

    path = Path()
    depth = 0

    def refuse(self, mark: yaml.Mark, problem: str) -> NoReturn:
        raise LoadError(f"{self.path}, line {mark.line + 1}: {problem}")

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):  # expanded later, it can make gigabytes of a small file
            self.refuse(
                self.peek_event().start_mark,
                _("a YAML alias (*name): write the value out in full, aliases are not allowed in data files"),
            )
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                self.refuse(
                    self.peek_event().start_mark,
                    _("nested deeper than %(depth)s mappings and lists, the most a data file may hold")
                    % {"depth": MAX_DEPTH},
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_scalar(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        value = super().construct_scalar(node)
        if isinstance(value, str) and CONTROL.search(value):
            self.refuse(node.start_mark, _control(value))
        return value


def _control(text: str) -> str:
    char = CONTROL.search(text)
    code = ord(char.group()) if char else 0
    return _("a control character (U+%(code)04X), which no record holds") % {"code": code}


def _twice(key: str) -> str:
    return _("the key %(key)s is given twice in this mapping: a record's field has one value") % {"key": repr(key)}


def _construct_located(loader: _LocatingLoader, node: yaml.MappingNode) -> Iterator[_Located]:
    data = _Located()
    data.line = node.start_mark.line + 1
    yield data
    seen: set[str] = set()
    for key_node, _value in node.value:
        key = str(loader.construct_object(key_node))
        if key in seen:
            loader.refuse(key_node.start_mark, _twice(key))
        seen.add(key)
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


class _Loader:
    def __init__(self, path: Path, text: str, data: Any, team: Team, user: Any) -> None:
        self.path = path
        self.text = text
        self.data = data
        self.team = team
        self.user = user
        self.version = FORMAT_VERSION
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
        unknown = set(self.data) - TOP_KEYS
        if unknown:
            raise LoadError(f"{self.path}: unknown top-level entry {sorted(unknown)[0]!r}")
        self.version = self.data.get("version", 1)
        if not isinstance(self.version, int) or isinstance(self.version, bool) or self.version < 1:
            raise LoadError(
                _("%(path)s: the version of the format must be a whole number, such as %(version)s")
                % {"path": self.path, "version": FORMAT_VERSION}
            )
        if self.version > FORMAT_VERSION:
            raise LoadError(
                _(
                    "%(path)s: the file is of format version %(version)s, but this Habeas reads versions up to "
                    "%(latest)s: load it with a newer Habeas"
                )
                % {"path": self.path, "version": self.version, "latest": FORMAT_VERSION}
            )
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
        label = self.renamed(str(entry.get("model", "")))
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            raise ValueError(f"unknown model {entry.get('model')!r}") from None
        if not loadable(model):
            raise ValueError(
                _(
                    "%(model)s cannot be loaded from a data file: users, teams, audit events, keys and jobs are "
                    "managed by administrators, and a data file holds documented records only"
                )
                % {"model": repr(model._meta.label_lower)}
            )
        if model._meta.label_lower in SHARED and not (self.user.is_superuser and self.user.is_active):
            raise ValueError(
                _(
                    "%(model)s is shared by every team: only an instance administrator may add one (a locality of "
                    "the gazetteer is named geonames:<id>)"
                )
                % {"model": repr(model._meta.label_lower)}
            )
        key = entry.get("key")
        if key is not None and key in self.objects:
            raise ValueError(f"the key {key!r} is used twice")
        fields = entry.get("fields") or {}
        if not isinstance(fields, dict):
            raise ValueError("'fields' must be a mapping")
        fields = {self.renamed(f"{label}.{name}").rpartition(".")[2]: value for name, value in fields.items()}
        instance = model()
        if any(f.name == "team" for f in model._meta.fields):
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

    def renamed(self, name: str) -> str:
        """A model's or field's name in the current format (see ``RENAMED``), from the file's version."""
        for version in range(self.version + 1, FORMAT_VERSION + 1):
            name = RENAMED.get(version, {}).get(name, name)
        return name

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
        if name == "team":
            raise ValueError(_("field 'team' cannot be set: the records go to the team the load is made into"))
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
        if source is None:  # a source of the team already stored; another team's is not known here
            source = Source.objects.filter(key=str(source_key), team=self.team).first()
        if not isinstance(source, Source):
            raise ValueError(f"citation: {source_key!r} is not a source")
        citation = Citation(
            source=source,
            content_type=ContentType.objects.get_for_model(instance),
            object_id=instance.pk,
            **{k: str(v) for k, v in cite.items() if k not in ("source", "field")},
        )
        if "field" in cite:
            citation.field = self.renamed(f"{instance._meta.label_lower}.{cite['field']}").rpartition(".")[2]
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


def _line_of(text: str | bytes, position: int) -> int:
    return (text.count("\n", 0, position) if isinstance(text, str) else text.count(b"\n", 0, position)) + 1


def _read_text(path: Path) -> str:
    """The file's text, refused if it is larger than ``MAX_BYTES``, not UTF-8 or holds a control character."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise LoadError(f"{path}: no such file") from None
    except OSError as exc:
        raise LoadError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(data) > MAX_BYTES:
        raise LoadError(
            _("%(path)s: larger than %(limit)s MB, the largest data file read: split it into several files")
            % {"path": path, "limit": MAX_BYTES // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(
            _("%(path)s, line %(line)s: not UTF-8 text (byte %(byte)s)")
            % {"path": path, "line": _line_of(data, exc.start), "byte": exc.start + 1}
        ) from None
    control = CONTROL.search(text)
    if control:
        raise LoadError(f"{path}, line {_line_of(text, control.start())}: {_control(control.group())}")
    return text


class _Refused(Exception):
    """A key given twice in a JSON mapping, or nesting deeper than ``MAX_DEPTH``, found by the quick pass;
    ``_locate_json`` finds its line."""


class _Mapping(dict[str, Any]):
    """A JSON mapping and its height: how many mappings and lists it holds nested, itself included."""

    __slots__ = ("height",)
    height: int


def _height(value: Any) -> int:
    """How deep mappings and lists nest in ``value``: a mapping's height is known already (``_unique_pairs``
    made it), so only lists within lists are walked, without recursion."""
    if isinstance(value, _Mapping):
        return value.height
    if not isinstance(value, list):
        return 0
    height, stack = 0, [(value, 1)]
    while stack:
        items, level = stack.pop()
        height = max(height, level)
        for item in items:
            if isinstance(item, list):
                stack.append((item, level + 1))
            elif isinstance(item, _Mapping):
                height = max(height, level + item.height)
    return height


def _unique_pairs(pairs: list[tuple[str, Any]]) -> _Mapping:
    """A JSON mapping, refused if a key is given twice or if it nests deeper than ``MAX_DEPTH``."""
    data = _Mapping(pairs)
    if len(data) != len(pairs):
        raise _Refused
    height = 1
    for value in data.values():
        if type(value) is _Mapping:
            height = max(height, value.height + 1)
        elif type(value) is list:
            height = max(height, _height(value) + 1)
    if height > MAX_DEPTH:
        raise _Refused
    data.height = height
    return data


#: a control character written as an escape (\u0000); it is one if an even number of backslashes precede it
_ESCAPED_CONTROL = re.compile(r"\\u00(?:0[0-8bcef]|1[0-9a-f]|7f|[89][0-9a-f])", re.IGNORECASE)


def _escaped_control(text: str) -> bool:
    for match in _ESCAPED_CONTROL.finditer(text):
        start = before = match.start()
        while before and text[before - 1] == "\\":  # the backslashes just before it
            before -= 1
        if (start - before) % 2 == 0:
            return True
    return False


_JSON_OBJECT = json.decoder.JSONObject  # type: ignore[attr-defined]  # the pure-Python parts of the JSON reader


def _locate_json(path: Path, text: str) -> NoReturn:
    """Read the document again with Python's own JSON scanner, which says where it is, to name the line of what
    the quick pass refused: nesting deeper than ``MAX_DEPTH``, a key given twice, a control character."""
    decoder = json.JSONDecoder()
    depth = 0

    def refuse(position: int, problem: str) -> NoReturn:
        raise LoadError(f"{path}, line {_line_of(text, position)}: {problem}")

    def nested(parse: Callable[..., tuple[Any, int]]) -> Callable[..., tuple[Any, int]]:
        def parse_nested(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
            nonlocal depth
            depth += 1
            try:
                if depth > MAX_DEPTH:
                    refuse(
                        s_and_end[1],
                        _("nested deeper than %(depth)s mappings and lists, the most a data file may hold")
                        % {"depth": MAX_DEPTH},
                    )
                value, end = parse(s_and_end, *args)
            finally:
                depth -= 1
            if isinstance(value, list) and parse is _JSON_OBJECT:  # the pairs of a mapping
                seen: set[str] = set()
                for key, _value in value:
                    if key in seen:
                        refuse(s_and_end[1], _twice(key) + _(" (the mapping that begins on this line)"))
                    if CONTROL.search(key):
                        refuse(s_and_end[1], _control(key))
                    seen.add(key)
                value = dict(value)
            return value, end

        return parse_nested

    def string(document: str, end: int, strict: bool = True) -> tuple[str, int]:
        value, after = json.decoder.scanstring(document, end, strict)  # type: ignore[attr-defined]
        if CONTROL.search(value):
            refuse(end, _control(value))
        return value, after

    decoder.parse_object = nested(_JSON_OBJECT)  # type: ignore[attr-defined]
    decoder.parse_array = nested(json.decoder.JSONArray)  # type: ignore[attr-defined]
    decoder.parse_string = string  # type: ignore[attr-defined]
    decoder.object_pairs_hook = list  # keep the pairs, to find a key given twice
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"{path}, line {exc.lineno}, column {exc.colno}: malformed JSON: {exc.msg}") from None
    raise LoadError(_("%(path)s: cannot be read as a data file") % {"path": path})


def _parse_json(path: Path, text: str) -> Any:
    try:
        data = json.loads(text, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as exc:
        raise LoadError(f"{path}, line {exc.lineno}, column {exc.colno}: malformed JSON: {exc.msg}") from None
    except (_Refused, RecursionError):
        _locate_json(path, text)
    if _height(data) > MAX_DEPTH or _escaped_control(text):
        _locate_json(path, text)  # which names the line
    return data


def _parse_yaml(path: Path, text: str) -> Any:
    try:
        loader = _LocatingLoader(text)
        loader.path = path
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise LoadError(f"{path}{where}: malformed YAML: {exc.problem}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, such as U+FFFE
        raise LoadError(
            f"{path}, line {_line_of(text, exc.position)}: malformed YAML: character U+{exc.character:04X}"
            if isinstance(exc.character, int)
            else f"{path}: malformed YAML: {exc}"
        ) from None
    except ValueError as exc:  # a number of more than 4,300 digits
        raise LoadError(f"{path}: malformed YAML: {exc}") from None


def _parse(path: Path, text: str) -> Any:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _parse_json(path, text)
    if suffix not in (".yaml", ".yml"):
        raise LoadError(f"{path}: expected a .yaml, .yml or .json file")
    return _parse_yaml(path, text)


def read_data_file(path: Path) -> Any:
    return _parse(path, _read_text(path))


def loadable(model: type[models.Model]) -> bool:
    """Whether a data file may hold records of this model: the documented records (every model deriving from
    ``Record``), the parts of a record that are deleted with it (a person's names, an allegation's
    perpetrators), sources, and the shared localities (``SHARED``, for instance administrators only)."""
    if model._meta.app_label in NOT_FROM_FILES:
        return False
    if issubclass(model, Record) or model is Source or model._meta.label_lower in SHARED:
        return True
    return any(
        isinstance(field, models.ForeignKey)
        and not field.null
        and field.remote_field.on_delete is models.CASCADE
        and issubclass(field.related_model, Record)  # type: ignore[arg-type]
        for field in model._meta.fields
    )


def load_team(*, user: Any, team: Team | None) -> Team:
    """The team a load by ``user`` writes into: ``team``, if the user may write in it, or else the one team the
    user writes in."""
    if not getattr(user, "is_active", False):
        raise LoadError(_("the account %(user)s is inactive: it may not add records") % {"user": user})
    if team is None:
        writing = [pk for pk, role in viewer_for(user).roles.items() if role in WRITING_ROLES]
        if len(writing) != 1:
            raise LoadError(
                _("%(user)s writes in several teams: say which one with --team NAME") % {"user": user}
                if writing
                else _("%(user)s is not a writing member of any team: say which team with --team NAME") % {"user": user}
            )
        return Team.objects.get(pk=writing[0])
    if not can_write_in(viewer_for(user), team.pk):
        raise LoadError(
            _("%(user)s may not add records to the team %(team)s") % {"user": user, "team": repr(team.name)}
        )
    return team


def records_load(*, path: Path, user: Any, team: Team | None = None) -> LoadSummary:
    """Load every record of a data file in one transaction, as ``user`` into ``team`` (or the one team the user
    writes in): all of them, or none. Only documented records are read (``loadable``); each is validated as
    ``full_clean()`` does, and the load is one audit event of the user's."""
    team = load_team(user=user, team=team)
    text = _read_text(path)
    loader = _Loader(path, text, _parse(path, text), team, user)
    try:
        with transaction.atomic():
            summary = loader.run()
            search_index(loader.created)
            audit_record(
                action="import",
                actor=user,
                target_type="file",
                target_id=str(path)[-64:],
                summary=f"loaded {path.name}",
                details={"team": team.pk, "counts": summary.counts, "citations": summary.citations},
            )
    except IntegrityError as error:
        loader.explain(error)  # now that the load is rolled back
    return summary
