"""Capture-history tables: the input of every multiple systems estimation method."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray


class CaptureTableError(ValueError):
    """A capture-history file or table that cannot be used; the message names the row and column."""


@dataclass(frozen=True)
class CaptureTable:
    """Observed counts of each capture pattern over K lists.

    ``patterns`` is an (m, K) array of 0/1 with no duplicate rows and no all-zero row;
    ``counts`` holds the number of people seen with each pattern (0 for a sampling zero).
    """

    lists: tuple[str, ...]
    patterns: NDArray[np.int8]
    counts: NDArray[np.int64]
    structural_zeros: tuple[tuple[int, ...], ...] = field(default=())

    def __post_init__(self) -> None:
        k = len(self.lists)
        if k < 1:
            raise CaptureTableError("a capture table needs at least one list")
        if self.patterns.ndim != 2 or self.patterns.shape[1] != k:
            raise CaptureTableError(f"patterns must have {k} columns, one per list")
        if self.counts.shape != (self.patterns.shape[0],):
            raise CaptureTableError("there must be one count per pattern")
        if np.any((self.patterns != 0) & (self.patterns != 1)):
            raise CaptureTableError("patterns must be 0 or 1")
        if np.any(self.counts < 0):
            raise CaptureTableError("counts must not be negative")
        if np.any(self.patterns.sum(axis=1) == 0):
            raise CaptureTableError("the all-zero pattern (people seen on no list) cannot be observed")
        if len({tuple(row) for row in self.patterns.tolist()}) != self.patterns.shape[0]:
            raise CaptureTableError("each capture pattern may appear only once")

    @property
    def k(self) -> int:
        return len(self.lists)

    @property
    def observed(self) -> int:
        return int(self.counts.sum())

    def full_counts(self) -> NDArray[np.int64]:
        """Counts of all 2**K - 1 observable patterns, indexed by the pattern read as a binary number
        (list 1 is the most significant bit), minus one."""
        out = np.zeros(2**self.k - 1, dtype=np.int64)
        weights = 2 ** np.arange(self.k - 1, -1, -1)
        out[self.patterns.astype(np.int64) @ weights - 1] += self.counts
        return out

    def digest(self) -> str:
        """A SHA-256 of the table's content, for provenance."""
        h = hashlib.sha256()
        h.update(",".join(self.lists).encode())
        order = np.lexsort(self.patterns.T[::-1])
        h.update(np.ascontiguousarray(self.patterns[order]).tobytes())
        h.update(np.ascontiguousarray(self.counts[order]).tobytes())
        h.update(repr(self.structural_zeros).encode())
        return h.hexdigest()

    @classmethod
    def from_rows(cls, lists: Sequence[str], rows: Iterable[tuple[Sequence[int], int]]) -> CaptureTable:
        """Build a table from (pattern, count) pairs; repeated patterns are added up."""
        totals: dict[tuple[int, ...], int] = {}
        for pattern, count in rows:
            key = tuple(int(v) for v in pattern)
            totals[key] = totals.get(key, 0) + int(count)
        keys = sorted(totals)
        patterns = np.array(keys, dtype=np.int8).reshape(len(keys), len(lists))
        counts = np.array([totals[key] for key in keys], dtype=np.int64)
        return cls(lists=tuple(lists), patterns=patterns, counts=counts)

    @classmethod
    def from_csv(cls, path: str | Path) -> CaptureTable:
        """Read a CSV with one 0/1 column per list and either a ``count`` column (one row per
        pattern) or none (one row per person)."""
        path = Path(path)
        reader = csv.DictReader(io.StringIO(read_utf8(path), newline=""))
        header = reader.fieldnames or []
        if not header:
            raise CaptureTableError(f"{path}: the file is empty")
        lists = [name for name in header if name != "count"]
        if not lists:
            raise CaptureTableError(f"{path}: no list columns (expected 0/1 columns and an optional 'count')")
        rows: list[tuple[list[int], int]] = []
        for line, record in enumerate(reader, start=2):
            hint = (
                f"Every column but 'count' is read as a list ({', '.join(lists)}); if '{{column}}' is not a list, "
                "remove it, or estimate each of its values on its own (--strata {column})"
            )
            row = capture_row(record, lists, header, where=f"{path}, row {line}", hint=hint)
            if row is not None:
                rows.append(row)
        return cls.from_rows(lists, rows)


def read_utf8(path: Path) -> str:
    """The text of a UTF-8 file (a byte-order mark is allowed); a file that cannot be read or is not UTF-8 is
    refused with a CaptureTableError naming the file, and the row, column and byte that are not UTF-8."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CaptureTableError(f"{path}: cannot be read ({exc.strerror})") from exc
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    try:
        return raw[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(path, raw, len(bom) + exc.start) from None


def not_utf8(path: Path, raw: bytes, offset: int) -> CaptureTableError:
    """The error for a file whose byte at ``offset`` is not UTF-8: its row (line) and CSV column."""
    row = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    index = len(_cells(raw[start:offset])) - 1
    if row > 1:
        header = _cells(raw[: raw.find(b"\n")].removeprefix(b"\xef\xbb\xbf"))
        column = f"column '{header[index]}'" if index < len(header) else f"column {index + 1}"
    else:
        column = f"column {index + 1} of the header"
    return CaptureTableError(
        f"{path}, row {row}, {column}: the file is not UTF-8 (byte 0x{raw[offset]:02X} at offset {offset}); "
        "save it as UTF-8 (it may be in a legacy encoding such as Windows-1251 or KOI8-R)"
    )


def _cells(line: bytes) -> list[str]:
    """The CSV fields of the start of a line, read leniently (undecodable bytes replaced)."""
    text = line.decode("utf-8", errors="replace").rstrip("\r")
    try:
        return next(csv.reader([text]), [""]) or [""]
    except csv.Error:
        return text.split(",")


def capture_row(
    record: Mapping[str, str | None], lists: Sequence[str], header: Sequence[str], *, where: str, hint: str = ""
) -> tuple[list[int], int] | None:
    """One row of a capture-history file: its pattern over ``lists`` and its count (1 without a ``count``
    column); None for a row of no list counted 0. ``where`` (the file and row) begins every error, ``hint`` ends
    the one about a value that is not 0 or 1 (with ``{column}`` standing for the column's name)."""
    pattern = []
    for name in lists:
        value = (record.get(name) or "").strip()
        if value not in ("0", "1"):
            raise CaptureTableError(
                f"{where}, column '{name}': expected 0 or 1, found {value!r}"
                + (". " + hint.replace("{column}", name) if hint else "")
            )
        pattern.append(int(value))
    count = 1
    if "count" in header:
        raw = (record.get("count") or "").strip()
        try:
            count = int(raw)
        except ValueError:
            raise CaptureTableError(f"{where}, column 'count': expected a whole number, found {raw!r}") from None
        if count < 0:
            raise CaptureTableError(f"{where}, column 'count': a count cannot be negative ({count})")
    if sum(pattern) == 0:
        if count == 0:
            return None
        raise CaptureTableError(f"{where}: a person on no list cannot be observed (all list columns are 0)")
    return pattern, count
