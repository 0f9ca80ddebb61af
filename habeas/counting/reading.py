"""Reading a list's file: CSV in UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark,
Windows-1251 or KOI8-R — detected, or declared by the user — and XLSX workbooks (the first sheet).

Legacy Cyrillic encodings cannot be told apart by validity (every byte is a letter in both), so the choice
between Windows-1251 and KOI8-R is made by which decoding reads as Russian or Kazakh text: the frequencies of
its letters, and whether its words are written in lower case, upper case or with a capital first letter (a
wrong decoding swaps case inside words: "кЕНЖЕБАЕВ"). A file whose rows are in different encodings (lists
pasted together from several sources) is refused, naming the rows, rather than half of it read as gibberish.

Nothing here touches the database: the result is a header and the rows' cells as text, or the problems found.

A list's file is untrusted input. It is read within limits (``MAX_ROWS``, ``MAX_COLUMNS``, ``MAX_SECONDS``; for a
workbook ``MAX_UNPACKED``), each refused with one problem naming the file and the limit before the limit is
passed; a workbook's XML is parsed by defusedxml (openpyxl uses it when installed), which refuses entities, and a
CSV file whose quote is never closed is refused with the line the quote opens on.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import Final

from django.conf import settings
from django.utils.translation import gettext


def _(text: str) -> str:
    """A problem in the language of the page (or job) reading the file; in English where Django is not set up
    (``habeas link`` reads lists without a database)."""
    return gettext(text) if settings.configured else text


CSV: Final = "csv"
XLSX: Final = "xlsx"
LEGACY: Final = ("cp1251", "koi8_r")
DELIMITERS: Final = ",;\t"
ENCODING_NAMES: Final = {"utf-8": "UTF-8", "utf-16": "UTF-16", "cp1251": "Windows-1251", "koi8_r": "KOI8-R"}

#: the most rows (the header included) and columns a list's file may have: a national list is some tens of
#: thousands of people, described in a few tens of columns
MAX_ROWS: Final = 500_000
MAX_COLUMNS: Final = 200
#: the most rows without any cell one after another in a workbook (a stray cell far below the list)
MAX_GAP: Final = 1000
#: the most a workbook may unpack to (bytes): 100,000 rows of ten columns are about 30 MB of XML
MAX_UNPACKED: Final = 200 * 1024 * 1024
#: the longest a file may take to read (seconds); 500,000 rows of a workbook take about a minute
MAX_SECONDS: Final = 180

# How often each letter occurs in Russian text, in percent (the usual published table; Kazakh names written in
# Russian letters follow it closely enough to tell a right decoding from a wrong one).
_LETTER_PERCENT: Final = {
    "о": 10.97, "е": 8.45, "а": 8.01, "и": 7.35, "н": 6.70, "т": 6.26, "с": 5.47, "р": 4.73, "в": 4.54,
    "л": 4.40, "к": 3.49, "м": 3.21, "д": 2.98, "п": 2.81, "у": 2.62, "я": 2.01, "ы": 1.90, "ь": 1.74,
    "г": 1.70, "з": 1.65, "б": 1.59, "ч": 1.44, "й": 1.21, "х": 0.97, "ж": 0.94, "ш": 0.73, "ю": 0.64,
    "ц": 0.48, "щ": 0.36, "э": 0.32, "ф": 0.26, "ъ": 0.04, "ё": 0.04,
}  # fmt: skip
_LETTER_SCORE: Final = {letter: math.log(percent / 100) for letter, percent in _LETTER_PERCENT.items()}
_ODD_CHARACTER: Final = -8.0  # a character that is neither ASCII, a Russian letter nor usual punctuation
_MIXED_CASE_WORD: Final = -6.0  # a word like "кЕНЖЕБАЕВ"
_USUAL_PUNCTUATION: Final = set("№«»—–’‘“”„…•·°\u00a0")
_CYRILLIC_WORD: Final = re.compile(r"[а-яёА-ЯЁ]+")
#: a row must prefer the other legacy encoding by this much (about three letters' worth) to be called mixed
_MIXED_MARGIN: Final = 12.0


@dataclass(frozen=True)
class Problem:
    """Why a row (or the file: row 0, or the header: row 1) cannot be imported, and in which column."""

    row: int
    column: str
    problem: str

    def __str__(self) -> str:
        where = "the file" if self.row == 0 else f"row {self.row}"
        return f"{where}, column {self.column!r}: {self.problem}" if self.column else f"{where}: {self.problem}"


@dataclass(frozen=True)
class Sheet:
    """A file's header and its non-empty rows, each with its row number (the header is row 1)."""

    file_format: str
    encoding: str  # "" for a workbook
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


class ReadError(ValueError):
    """A file that cannot be read; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


class _Limits:
    """The limits of reading one file: each check refuses with one problem naming the file and the limit."""

    def __init__(self, name: str) -> None:
        self.name = f"“{name}”" if name else _("the file")
        self.deadline = time.monotonic() + MAX_SECONDS

    def refuse(self, problem: str) -> ReadError:
        return ReadError([Problem(0, "", problem)])

    def row(self, number: int, cells: int) -> None:
        if number > MAX_ROWS:
            raise self.refuse(
                _("%(name)s has more than %(limit)s rows, the most a list may have: split it into several lists")
                % {"name": self.name, "limit": f"{MAX_ROWS:,}"}
            )
        if cells > MAX_COLUMNS:
            raise self.refuse(
                _("%(name)s has %(cells)s columns in row %(row)s; a list may have at most %(limit)s")
                % {"name": self.name, "row": f"{number:,}", "cells": f"{cells:,}", "limit": MAX_COLUMNS}
            )
        if number % 1000 == 0 and time.monotonic() > self.deadline:
            raise self.refuse(
                _("reading %(name)s took longer than %(limit)s seconds, the most allowed: split it into several lists")
                % {"name": self.name, "limit": MAX_SECONDS}
            )


def legacy_score(text: str) -> float:
    """How much ``text`` reads as Russian or Kazakh in Cyrillic letters (higher is better)."""
    score = 0.0
    for char in text:
        lower = char.lower()
        if lower in _LETTER_SCORE:
            score += _LETTER_SCORE[lower]
        elif ord(char) >= 128 and char not in _USUAL_PUNCTUATION:
            score += _ODD_CHARACTER
    for word in _CYRILLIC_WORD.findall(text):
        if not (word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())):
            score += _MIXED_CASE_WORD
    return score


def encoding_name(encoding: str) -> str:
    return ENCODING_NAMES.get(encoding, encoding)


def _declared(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ReadError(
            [
                Problem(
                    0,
                    "",
                    _("unknown encoding %(encoding)s: use utf-8, cp1251 or koi8-r") % {"encoding": repr(encoding)},
                )
            ]
        ) from None
    return {"utf_8": "utf-8", "utf-8": "utf-8", "windows-1251": "cp1251", "koi8-r": "koi8_r"}.get(name, name)


def _bad_lines(lines: list[bytes], encoding: str) -> list[Problem]:
    problems = []
    for number, line in enumerate(lines, start=1):
        try:
            line.decode(encoding)
        except UnicodeDecodeError as exc:
            byte = line[exc.start]
            problems.append(
                Problem(
                    number,
                    "",
                    _("not %(encoding)s text (byte 0x%(byte)02X at position %(position)s)")
                    % {"encoding": encoding_name(encoding), "byte": byte, "position": exc.start + 1},
                )
            )
    return problems


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """The text of a CSV file and its encoding: ``declared`` if given (every row must decode with it), else
    detected. Raises ``ReadError`` naming the rows that do not decode, or that are in another encoding."""
    if declared:
        encoding = _declared(declared)
        if encoding == "utf-8" and data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            raise ReadError(_bad_lines(data.split(b"\n"), encoding)) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ReadError(
                [Problem(0, "", _("not UTF-16 text (byte %(position)s)") % {"position": exc.start + 1})]
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    utf8_rows, other_rows = [], []
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_rows.append(number)
        except UnicodeDecodeError:
            other_rows.append(number)
    if utf8_rows:
        example = utf8_rows[0]
        return_problems = [
            Problem(n, "", _("mixed encodings: row %(row)s is UTF-8 but this row is not") % {"row": example})
            for n in other_rows
        ]
        raise ReadError(return_problems)
    scores = {encoding: legacy_score(data.decode(encoding, errors="replace")) for encoding in LEGACY}
    encoding = max(LEGACY, key=lambda e: (scores[e], e == "cp1251"))
    other = LEGACY[1] if encoding == LEGACY[0] else LEGACY[0]
    problems = []
    for number in other_rows:
        line = lines[number - 1]
        margin = legacy_score(line.decode(other, errors="replace")) - legacy_score(
            line.decode(encoding, errors="replace")
        )
        if margin >= _MIXED_MARGIN:
            problems.append(
                Problem(
                    number,
                    "",
                    _("mixed encodings: the file reads as %(encoding)s but this row as %(other)s")
                    % {"encoding": encoding_name(encoding), "other": encoding_name(other)},
                )
            )
    if problems:
        raise ReadError(problems)
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        raise ReadError(_bad_lines(lines, encoding)) from None


def _check_header(header: list[str]) -> tuple[tuple[str, ...], list[Problem]]:
    names = [cell.strip() or f"column {i}" for i, cell in enumerate(header, start=1)]
    problems, seen = [], set()
    for name in names:
        if name in seen:
            problems.append(Problem(1, name, _("the column name occurs twice in the header")))
        seen.add(name)
    return tuple(names), problems


def _tabulate(file_format: str, encoding: str, raw_rows: list[tuple[int, list[str]]]) -> Sheet:
    if not raw_rows:
        raise ReadError([Problem(0, "", _("the file is empty: it has no header row"))])
    (_number, header_cells), *body = raw_rows
    header, problems = _check_header(header_cells)
    rows = []
    for number, cells in body:
        if not any(cell.strip() for cell in cells):
            continue
        extra = [c for c in cells[len(header) :] if c.strip()]
        if extra:
            problems.append(
                Problem(
                    number,
                    "",
                    _("the row has %(cells)s cells but the header only %(header)s")
                    % {"cells": len(cells), "header": len(header)},
                )
            )
            continue
        cells = (cells + [""] * len(header))[: len(header)]
        rows.append((number, tuple(cells)))
    if problems:
        raise ReadError(problems)
    return Sheet(file_format, encoding, header, tuple(rows))


def read_csv(data: bytes, declared: str | None = None, *, name: str = "") -> Sheet:
    limits = _Limits(name)
    text, encoding = decode(data, declared)
    first = text.split("\n", 1)[0]
    limits.row(1, max(first.count(d) for d in DELIMITERS) + 1)  # before sniffing, which a wide line slows
    try:
        delimiter = csv.Sniffer().sniff(first, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    raw_rows: list[tuple[int, list[str]]] = []
    line = 1  # the line the row being read begins on
    try:
        for cells in reader:
            raw_rows.append((len(raw_rows) + 1, cells))
            limits.row(len(raw_rows), len(cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        if str(exc) == "unexpected end of data":  # within quotes: the quote opened in this row is never closed
            raise ReadError(
                [
                    Problem(
                        0,
                        "",
                        _('line %(line)s of %(name)s: a quote (") opens a cell that is never closed')
                        % {"name": limits.name, "line": f"{line:,}"},
                    )
                ]
            ) from None
        raise ReadError([Problem(len(raw_rows) + 1, "", _("not CSV (%(error)s)") % {"error": exc})]) from None
    return _tabulate(CSV, encoding, raw_rows)


def cell_text(value: object) -> str:
    """A workbook cell as the text a person would type: dates as ISO dates, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(data: bytes, *, name: str = "") -> Sheet:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    limits = _Limits(name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())  # what reading yields at most
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ReadError([Problem(0, "", _("not an XLSX workbook (%(error)s)") % {"error": exc})]) from None
    if unpacked > MAX_UNPACKED:
        raise limits.refuse(
            _("%(name)s unpacks to %(size)s MB, more than the %(limit)s MB a list's workbook may hold")
            % {"name": limits.name, "size": f"{unpacked // (1024 * 1024):,}", "limit": MAX_UNPACKED // (1024 * 1024)}
        )
    raw_rows = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            rows, columns = sheet.max_row or 0, sheet.max_column or 0  # the size the sheet declares
            if rows > MAX_ROWS or columns > MAX_COLUMNS:
                raise limits.refuse(
                    _("%(name)s reaches cell %(cell)s; a list may have at most %(rows)s rows and %(columns)s columns")
                    % {
                        "name": limits.name,
                        "cell": f"{get_column_letter(columns)}{rows}",
                        "rows": f"{MAX_ROWS:,}",
                        "columns": MAX_COLUMNS,
                    }
                )
            sheet.reset_dimensions()  # and the rows are counted as read, in case it declares less than it holds
            gap = 0  # rows without a cell since the last with one
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                limits.row(number, len(values))
                gap = 0 if values else gap + 1
                if gap > MAX_GAP:
                    raise limits.refuse(
                        _(
                            "%(name)s has more than %(limit)s empty rows one after another, from row %(row)s: delete "
                            "the cells below the list"
                        )
                        % {"name": limits.name, "limit": f"{MAX_GAP:,}", "row": f"{number - gap + 1:,}"}
                    )
                raw_rows.append((number, [cell_text(v) for v in values]))
        finally:
            workbook.close()
    except ReadError:
        raise
    except Exception as exc:  # whatever the workbook's XML makes the parser raise: entities, bad markup, …
        raise ReadError([Problem(0, "", _("not an XLSX workbook (%(error)s)") % {"error": exc})]) from None
    while raw_rows and not any(c.strip() for c in raw_rows[0][1]):  # blank rows above the header
        raw_rows.pop(0)
    if raw_rows:  # a workbook's header may carry empty cells at its end
        number, header = raw_rows[0]
        while header and not header[-1].strip():
            header.pop()
        raw_rows[0] = (number, header)
    return _tabulate(XLSX, "", raw_rows)


def read_list(data: bytes, *, name: str = "", declared: str | None = None) -> Sheet:
    """Read a list's file: a workbook (judged by its content) or CSV text."""
    suffix = PurePath(name).suffix.lower()
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data, name=name)
    if suffix == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError([Problem(0, "", _("an old Excel (.xls) workbook: save it as XLSX or CSV"))])
    if not data.strip():
        raise ReadError([Problem(0, "", _("the file is empty"))])
    return read_csv(data, declared, name=name)
