"""Search across persons, places, allegations and documents, although their text is encrypted at rest.

The index (``SearchEntry``) holds no word in clear: each word of a record becomes its phonetic key (the key that
makes "Кенжебаев", "Kenzhebaev" and "Kenjebayev" one, ``habeas.stats.linkage.normalise.phonetic_key``), and
the key its keyed hash (``crypto.digest``). A query goes through the same two steps, and the database's own
full-text index finds the entries holding every word's hash — under any key of the key file, so that search
keeps working while a key rotation runs: SQLite's FTS5, or PostgreSQL's GIN index on a ``tsvector`` (see the
migration), behind one selector, :func:`search`, with one query over the index whatever the kinds.

The index is kept up to date by what writes records — services, the admin, ``habeas load`` — through
:func:`search_index`; it is rebuilt whole (:func:`search_reindex`, ``habeas search reindex``) after a restore, a
synthetic dataset or a key rotation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Expression, F, Model, Q
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from habeas.accounts.records import Write
from habeas.accounts.viewer import Viewer
from habeas.cases.models import Allegation
from habeas.core import crypto
from habeas.core.fields import prefix_keys, word_or_start
from habeas.registry.models import PersonName
from habeas.reports.models import SearchEntry

Kind = SearchEntry.Kind
KINDS = [Kind.PERSON, Kind.PLACE, Kind.ALLEGATION, Kind.DOCUMENT]
#: the kinds whose searchable words include protected text: users who see identities search their protected
#: entries (every word); analysts without identities only the entries of their words in clear
PROTECTED_KINDS = {Kind.PERSON, Kind.ALLEGATION, Kind.DOCUMENT}
#: at most this many distinct words per entry (a longer document gets several parts): PostgreSQL's tsvector
#: holds at most 1 MB
PART_SIZE = 10_000
LIMIT = 50

_WORD_RE = re.compile(r"[^\W\d_]+|\d+")


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """The words of ``text`` (runs of letters, or of digits) with their positions."""
    for match in _WORD_RE.finditer(text):
        yield match.start(), match.end(), match.group(0)


def word_key(word: str) -> str:
    """The normalised key of one word: its phonetic key (any script, any transliteration), a number as it is;
    empty for a single character (an initial, a stray letter)."""
    if len(word) < 2:
        return ""
    if word.isdigit():
        return word
    from habeas.stats.linkage.normalise import phonetic_key

    return phonetic_key(word)


def word_keys(text: str) -> set[str]:
    return {key for _, _, word in words(text) if (key := word_key(word))}


# ------------------------------------------------------------------------------------------------- entries


@dataclass
class Indexed:
    """The words of one record: those of its fields in clear, and those of its protected fields."""

    kind: str
    object_id: int
    team_id: int | None
    clear: set[str] = field(default_factory=set)
    protected: set[str] = field(default_factory=set)

    def add(self, text: Any, *, protected: bool, starts: bool = False) -> None:
        """Add the words of ``text``; with ``starts`` (a name), the starts of its words too."""
        if text:
            keys = word_keys(str(text))
            (self.protected if protected else self.clear).update(keys | (prefix_keys(keys) if starts else set()))


def _entries(indexed: Indexed, digest: Callable[[str], str]) -> list[SearchEntry]:
    levels = []
    if indexed.kind in PROTECTED_KINDS and (indexed.clear or indexed.protected):
        levels.append((True, indexed.clear | indexed.protected))
    if indexed.clear:
        levels.append((False, indexed.clear))
    out = []
    for protected, keys in levels:
        tokens = sorted({digest(key) for key in keys})
        for part, start in enumerate(range(0, len(tokens), PART_SIZE)):
            out.append(
                SearchEntry(
                    kind=indexed.kind,
                    object_id=indexed.object_id,
                    protected=protected,
                    part=part,
                    team_id=indexed.team_id,
                    tokens=" ".join(tokens[start : start + PART_SIZE]),
                )
            )
    return out


def _persons(objects: list[Any]) -> list[Indexed]:

    found = {p.pk: Indexed(Kind.PERSON, p.pk, p.team_id) for p in objects}
    for person in objects:
        found[person.pk].add(person.label, protected=True, starts=True)
    names = PersonName.objects.filter(person_id__in=list(found)).only(
        "person_id", "full_name", "given_name", "patronymic", "family_name"
    )
    for name in names:
        for text in (name.full_name, name.given_name, name.patronymic, name.family_name):
            found[name.person_id].add(text, protected=True, starts=True)
    return list(found.values())


def _places(objects: list[Any]) -> list[Indexed]:
    out = []
    for place in objects:
        indexed = Indexed(Kind.PLACE, place.pk, place.team_id)
        indexed.add(place.name, protected=False, starts=True)
        indexed.add(place.address, protected=False)
        if place.locality is not None:
            indexed.add(place.locality.name, protected=False, starts=True)
            indexed.add(place.locality.local_names, protected=False, starts=True)
        out.append(indexed)
    return out


def _allegations(objects: list[Any]) -> list[Indexed]:

    found = {a.pk: Indexed(Kind.ALLEGATION, a.pk, a.team_id) for a in objects}
    for allegation in objects:
        indexed = found[allegation.pk]
        for text in (allegation.circumstances, allegation.purpose):
            indexed.add(text, protected=False)
        for text in (allegation.summary, allegation.injuries, allegation.notes):
            indexed.add(text, protected=True)
    through = Allegation.methods.through.objects.filter(allegation_id__in=list(found))
    for allegation_id, name in through.values_list("allegation_id", "method__name"):
        found[allegation_id].add(name, protected=False)
    return list(found.values())


def _documents(objects: list[Any]) -> list[Indexed]:
    out = []
    for document in objects:
        indexed = Indexed(Kind.DOCUMENT, document.pk, document.source.team_id)
        indexed.add(document.text, protected=True)
        indexed.add(document.original_name, protected=True)
        out.append(indexed)
    return out


@dataclass(frozen=True)
class _Source:
    kind: str
    model: Callable[[], type[Model]]
    related: tuple[str, ...]
    read: Callable[[list[Any]], list[Indexed]]


def _model(label: str) -> Callable[[], type[Model]]:
    def get() -> type[Model]:
        from django.apps import apps

        return apps.get_model(label)

    return get


SOURCES = {
    Kind.PERSON: _Source(Kind.PERSON, _model("registry.Person"), (), _persons),
    Kind.PLACE: _Source(Kind.PLACE, _model("registry.Place"), ("locality",), _places),
    Kind.ALLEGATION: _Source(Kind.ALLEGATION, _model("cases.Allegation"), (), _allegations),
    Kind.DOCUMENT: _Source(Kind.DOCUMENT, _model("evidence.Document"), ("source",), _documents),
}


def _kind_of(obj: Model) -> str | None:
    label = obj._meta.label_lower
    return {
        "registry.person": Kind.PERSON,
        "registry.place": Kind.PLACE,
        "cases.allegation": Kind.ALLEGATION,
        "evidence.document": Kind.DOCUMENT,
    }.get(label)


def _write(kind: str, object_ids: Iterable[int], entries: list[SearchEntry], *, above: int | None = None) -> None:
    """Replace the entries of these records (and, with ``above``, of every record of the kind with a larger
    id, such as deleted ones)."""
    with transaction.atomic():
        gone = SearchEntry.objects.filter(kind=kind)
        gone = gone.filter(object_id__gt=above) if above is not None else gone.filter(object_id__in=list(object_ids))
        gone.delete()
        SearchEntry.objects.bulk_create(entries, batch_size=1000)


def search_index(objects: Iterable[Model], *, batch: int = 2000) -> int:
    """Index these records again, after a service, the admin or a load wrote them (inside its transaction). A
    person's name, a source (whose team its documents follow) and other records that feed an entry are followed
    to it; records of other kinds are ignored. Returns the number of records indexed."""
    ids: dict[str, set[int]] = {kind: set() for kind in KINDS}
    for obj in objects:
        label = obj._meta.label_lower
        if label == "registry.personname":
            ids[Kind.PERSON].add(obj.person_id)  # type: ignore[attr-defined]
        elif label == "evidence.source":
            ids[Kind.DOCUMENT].update(obj.documents.values_list("pk", flat=True))  # type: ignore[attr-defined]
        elif (kind := _kind_of(obj)) is not None and obj.pk is not None:
            ids[kind].add(obj.pk)
    digest = lru_cache(maxsize=1 << 16)(crypto.digest)  # a load repeats words: hash each once
    for kind, wanted in ids.items():
        source = SOURCES[Kind(kind)]
        ordered = sorted(wanted)
        for start in range(0, len(ordered), batch):
            chunk = ordered[start : start + batch]
            fresh = list(source.model()._base_manager.select_related(*source.related).filter(pk__in=chunk))
            entries = [e for indexed in source.read(fresh) for e in _entries(indexed, digest)]
            _write(kind, chunk, entries)
    return sum(len(wanted) for wanted in ids.values())


def search_index_remove(obj: Model) -> None:
    """Remove a record's entries (an entry of a deleted record finds nothing anyway: results are read from the
    records themselves)."""
    kind = _kind_of(obj)
    if kind is not None:
        SearchEntry.objects.filter(kind=kind, object_id=obj.pk).delete()


def search_follow(write: Write) -> None:
    """What follows a write for the search index (registered with ``follow_writes``): a deleted record's entries
    go; a created, changed or moved record is indexed again."""
    if write.action == "delete":
        for record in write.records:
            search_index_remove(record)
    else:
        search_index(write.records)


def search_reindex(*, batch: int = 2000, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Rebuild the whole index under the current key (after a load, a restore or a key rotation), a batch
    of records per transaction; searches keep working meanwhile. Returns the number of records indexed per
    kind."""
    say = progress or (lambda text: None)
    ring = crypto.keyring(fresh=True)

    @lru_cache(maxsize=1 << 16)
    def digest(key: str) -> str:
        return crypto.digest(key, kid=ring.current)

    counts: dict[str, int] = {}
    for kind, source in SOURCES.items():
        objects = source.model()._base_manager.select_related(*source.related).order_by("pk")
        last, count = 0, 0
        while chunk := list(objects.filter(pk__gt=last)[:batch]):
            entries = [e for indexed in source.read(chunk) for e in _entries(indexed, digest)]
            with transaction.atomic():
                SearchEntry.objects.filter(kind=kind, object_id__gt=last, object_id__lte=chunk[-1].pk).delete()
                SearchEntry.objects.bulk_create(entries, batch_size=1000)
            last, count = chunk[-1].pk, count + len(chunk)
        _write(kind, (), [], above=last)
        counts[kind] = count
        say(f"search index: {count:,} {kind}s")
    with connection.cursor() as cursor:  # fresh statistics, or the planner may scan the index instead of using
        cursor.execute(f"ANALYZE {SearchEntry._meta.db_table}")  # the full-text index (300 ms, not 4, for 700,000)
    return counts


# --------------------------------------------------------------------------------------------------- query


class TokensMatch(Expression):
    """The condition that a ``SearchEntry`` holds, for each group of digests, at least one of them: through
    FTS5 on SQLite, through the GIN-indexed tsvector on PostgreSQL."""

    conditional = True

    def __init__(self, groups: list[list[str]], id_: Any = None, tokens: Any = None) -> None:
        super().__init__(output_field=BooleanField())
        self.groups = groups
        self.id_ = id_ if id_ is not None else F("id")
        self.tokens = tokens if tokens is not None else F("tokens")

    def get_source_expressions(self) -> list[Any]:
        return [self.id_, self.tokens]

    def set_source_expressions(self, exprs: Any) -> None:
        self.id_, self.tokens = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        if connection.vendor == "postgresql":
            sql, params = compiler.compile(self.tokens)
            query = " & ".join("(" + " | ".join(f"'{d}'" for d in group) + ")" for group in self.groups)
            return f"array_to_tsvector(string_to_array({sql}, ' ')) @@ %s::tsquery", [*params, query]
        if connection.vendor == "sqlite":
            sql, params = compiler.compile(self.id_)
            query = " AND ".join("(" + " OR ".join(f'"{d}"' for d in group) + ")" for group in self.groups)
            fts = "reports_searchentry_fts"
            return f"{sql} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)", [*params, query]
        raise NotImplementedError(f"search is not implemented for {connection.vendor}")


@dataclass
class Hits:
    """The records of one kind that match, at most ``LIMIT`` of them; ``more`` when there were more."""

    kind: str
    rows: list[Any]
    more: bool


@dataclass
class SearchResults:
    text: str
    kind: str | None
    keys: set[str]
    hits: dict[str, Hits]
    names_hidden: bool  # some teams' names (and protected text) were not searched: an analyst's
    total: int = 0


@dataclass(frozen=True)
class _Scope:
    """The teams whose records the user searches (None: every team, for a superuser), and among them those
    whose identities are hidden from the user."""

    teams: list[int] | None
    hidden: list[int]

    @classmethod
    def of(cls, viewer: Viewer) -> _Scope:
        if viewer.superuser:
            return cls(None, [])
        teams = set(viewer.roles)
        return cls(sorted(teams), sorted(viewer.hidden & teams))


def _matching(scope: _Scope, kinds: list[Kind], groups: list[list[str]]) -> Any:
    """The entries of records of ``kinds`` that the user may search and that match every group."""
    full = Q(protected=True, kind__in=[k for k in kinds if k in PROTECTED_KINDS]) | Q(
        protected=False, kind__in=[k for k in kinds if k not in PROTECTED_KINDS]
    )
    entries = SearchEntry.objects.filter(TokensMatch(groups), kind__in=kinds)
    if scope.teams is None:
        return entries.filter(full)
    condition = full & Q(team_id__in=[t for t in scope.teams if t not in scope.hidden])
    if scope.hidden:
        condition |= Q(protected=False, team_id__in=scope.hidden)
    return entries.filter(condition)


def _matches(scope: _Scope, kinds: list[Kind], groups: list[list[str]], cap: int) -> dict[str, set[int]] | None:
    """The ids of the matching records of each kind, in one query over the index; None when the entries are
    more than ``cap`` (a word as common as a first name): the records are then found kind by kind."""
    rows = list(_matching(scope, kinds, groups).values_list("kind", "object_id")[: cap + 1])
    if len(rows) > cap:
        return None
    found: dict[str, set[int]] = {kind: set() for kind in kinds}
    for kind, object_id in rows:
        found[kind].add(object_id)  # a long document's parts are entries of one record
    return found


def _visible(scope: _Scope, kind: str) -> Any:
    """The records of ``kind`` the user may see (as ``access.visible`` selects them), ready to show."""
    model = SOURCES[Kind(kind)].model()
    rows = model._default_manager.all()
    team = "source__team_id" if kind == Kind.DOCUMENT else "team_id"
    if scope.teams is not None:
        rows = rows.filter(**{f"{team}__in": scope.teams})
    if kind == Kind.PERSON:
        return rows.order_by("pk")
    if kind == Kind.PLACE:
        return rows.select_related("locality").order_by("name", "pk")
    if kind == Kind.ALLEGATION:
        return rows.select_related("victim", "victim_group", "place").order_by("-happened_on", "pk")
    # analysts without identities may not open documents: none of their hidden teams' documents is shown
    return rows.select_related("source").exclude(source__team_id__in=scope.hidden).order_by("-uploaded_at", "pk")


def search(viewer: Viewer, text: str, kind: str | None = None, *, limit: int = LIMIT) -> SearchResults:
    """The persons, places, allegations and documents the user may see whose words include every word of
    ``text`` (in any script or transliteration; a name's word also by its start, from three letters), at most
    ``limit`` of each kind in the kind's order (``more`` says there were more); ``kind`` to search only one. One
    query over the index finds the records of every kind, and one per kind found reads them; for a word too
    common for that, one query per kind. Analysts without identities search only the words in clear of their
    hidden teams' records: no names, no protected text, no documents."""
    keys = word_keys(text)
    kinds = [Kind(kind)] if kind in Kind.values else KINDS
    scope = _Scope.of(viewer)
    results = SearchResults(
        text=text, kind=kind if kind in Kind.values else None, keys=keys, hits={}, names_hidden=bool(scope.hidden)
    )
    if not keys:
        return results
    groups = [word_or_start(key) for key in sorted(keys)]
    found = _matches(scope, kinds, groups, cap=len(kinds) * (limit + 1))
    for each in kinds:
        if found is not None and not found[each]:
            results.hits[each] = Hits(kind=each, rows=[], more=False)
            continue
        ids = found[each] if found is not None else _matching(scope, [each], groups).values("object_id")
        rows = list(_visible(scope, each).filter(pk__in=ids)[: limit + 1])
        results.hits[each] = Hits(kind=each, rows=rows[:limit], more=len(rows) > limit)
        results.total += len(results.hits[each].rows)
    return results


def snippet(text: str, keys: set[str], *, width: int = 90) -> tuple[SafeString, int | None]:
    """Where the first word of ``text`` with one of ``keys`` stands: the text around it, escaped, with the
    word marked; and the page it is on when the text has pages (separated by form feeds)."""
    for start, end, word in words(text):
        if word_key(word) in keys:
            page = text.count("\f", 0, start) + 1 if "\f" in text else None
            before = text[max(0, start - width) : start].split("\f")[-1]
            after = text[end : end + width].split("\f")[0]
            html = format_html(
                "{}{}<mark>{}</mark>{}{}",
                "…" if start - len(before) > 0 else "",
                _flat(before),
                text[start:end],
                _flat(after),
                "…" if end + len(after) < len(text) else "",
            )
            return html, page
    return mark_safe(escape(_flat(text[: 2 * width]))), None


def _flat(text: str) -> str:
    return _SPACE_RE.sub(" ", text)


_SPACE_RE = re.compile(r"\s+")
