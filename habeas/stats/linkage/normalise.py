"""Normalisation of named-person records written in Cyrillic or in any Latin transliteration.

Every name goes through three steps before it is compared:

1. **Script.** Cyrillic is written in Latin letters with the ICAO passport table (``_translit``);
   Latin text keeps its letters, with the diacritics of the Kazakh 2021, BGN/PCGN and Czech-style
   schemes spelt out (ş → sh, ç → ch, ž → zh, ğ → g, ñ → n, ä/ö/ü/ū/ı → a/o/u/u/i).
2. **Phonetic key** (:func:`phonetic_key`). A small rewriting system that makes the spellings of one
   Cyrillic name under the different schemes collide: the hushing consonants ж/ш/щ (zh, sh, shch,
   sch, schtsch, j, dzh) become one symbol ``J``; ч (ch, tsch) becomes ``C``; х/һ (kh, h, German ch)
   becomes ``H``; the hissing consonants з/с/ц (z, s, ts, tz, German z) become ``s``; w → v, q → k,
   x → ks, gh → g, ng → n; ё written yo/io/jo becomes e (as in ICAO); the glides й/ь/ъ before a vowel
   (i, y, German j) are dropped, so that ya/ia/ja, ye/ie/je and the -yev/-iev/-jew endings all collapse;
   a remaining y is the vowel i; doubled letters are collapsed. A final j after a vowel is й (Sergej,
   Dmitrij) in any scheme; otherwise whether j and ch are read the German way (glide j, ch = х) is decided
   per record (:func:`looks_german`: a w or sch in any of its names), since that is where German spellings
   show.
   Кенжебаев, Kenzhebaev, Kenzhebayev, Kenjebayev and Kenschebajew all have the key ``kenJebaev``.
3. **Structure.** Patronymics are recognised in both scripts and both traditions (:func:`split_patronymic`:
   Russian -ович/-евич/-ич, -овна/-евна/-ична and Latin -ovich, -owitsch, -ovna …; Kazakh -ұлы/-қызы,
   separate ұлы/қызы, Latin -uly, -kyzy, -qyzy …) and reduced to the father's name, so that
   Серикович, Серікұлы and Serik uly all give the patronymic key ``serik``. Given and family names that
   were entered in each other's fields are swapped back when the given name has a family-name ending
   and the surname has none (:func:`parse_name`). Given names are mapped through a table of diminutives
   and variants to a canonical full name (:func:`canonical_given`: Дима, Dima, Mitya → Dmitrii).

Dates of birth may be full, year-month or year only (:func:`parse_partial_date`), from ISO, Russian
(DD.MM.YYYY) or compact (YYYYMMDD) writing, or from a separate birth-year column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

import pandas as pd

from habeas.stats.linkage._names import GIVEN_NAME_GROUPS
from habeas.stats.linkage._translit import has_cyrillic, transliterate

Sex = Literal["m", "f"]

# ---------------------------------------------------------------------------------------------- script

_LATIN_DIACRITICS: Final[dict[str, str]] = {
    "ş": "sh", "ș": "sh", "š": "sh", "ç": "ch", "č": "ch", "ž": "zh", "ğ": "g", "ñ": "n", "ä": "a", "ö": "o",
    "ü": "u", "ū": "u", "ı": "i", "ī": "i", "ë": "e", "é": "e", "ß": "ss",
}  # fmt: skip
_DIACRITIC_RE: Final = re.compile("|".join(_LATIN_DIACRITICS))


@lru_cache(maxsize=1 << 16)
def to_latin(text: str) -> str:
    """Lower-case ASCII letters of ``text``: Cyrillic transliterated (ICAO), Latin diacritics spelt out (kept
    for the names most recently seen: lists repeat names a great deal)."""
    low = text.lower()
    if has_cyrillic(low):
        low = transliterate(low, "icao")
    low = _DIACRITIC_RE.sub(lambda m: _LATIN_DIACRITICS[m.group(0)], low)
    low = unicodedata.normalize("NFKD", low)
    return "".join(c for c in low if "a" <= c <= "z")


def looks_german(*texts: str) -> bool:
    """True when any of the Latin ``texts`` is written the German way (a ``w`` or ``sch``)."""
    for text in texts:
        if text and not has_cyrillic(text):
            latin = to_latin(text)
            if "w" in latin or "sch" in latin:
                return True
    return False


# ---------------------------------------------------------------------------------------- phonetic key

_GERMAN_STEPS: Final = (("schtsch", "J"), ("tsch", "C"), ("sch", "J"), ("ch", "H"), ("j", "y"))
_OTHER_STEPS: Final = (("shch", "J"), ("dzh", "J"), ("zh", "J"), ("sh", "J"), ("ch", "C"), ("j", "J"))
_COMMON_STEPS: Final = (
    ("kh", "H"), ("gh", "g"), ("h", "H"), ("ts", "s"), ("tz", "s"), ("x", "ks"), ("q", "k"), ("w", "v"),
    ("ck", "k"), ("gg", "g"), ("ng", "n"), ("z", "s"),
)  # fmt: skip
_FINAL_J_RE: Final = re.compile(r"(?<=[aeiouy])j$")
_SOFT_C_RE: Final = re.compile(r"c(?=[eiy])")
_YO_RE: Final = re.compile(r"[iy]+o")
_GLIDE_RE: Final = re.compile(r"[iy]+(?=[aeou])")
_DOUBLE_RE: Final = re.compile(r"(.)\1+")


@lru_cache(maxsize=1 << 18)
def phonetic_key(text: str, german: bool | None = None) -> str:
    """The canonical key of one name (see the module docstring); ``german=None`` decides from ``text``."""
    if german is None:
        german = looks_german(text)
    s = _FINAL_J_RE.sub("i", to_latin(text))
    for old, new in _GERMAN_STEPS if german else _OTHER_STEPS:
        s = s.replace(old, new)
    for old, new in _COMMON_STEPS:
        s = s.replace(old, new)
    s = _SOFT_C_RE.sub("s", s).replace("c", "k")
    s = _GLIDE_RE.sub("", _YO_RE.sub("e", s)).replace("y", "i")
    return _DOUBLE_RE.sub(r"\1", s)


def consonant_skeleton(key: str) -> str:
    """A phonetic key without its vowels (kasimbaev → ksmbv): typos in vowels and vowel swaps keep it."""
    return key.translate(_NO_VOWELS)


_NO_VOWELS: Final = str.maketrans("", "", "aeiou")

# ------------------------------------------------------------------------------------------ given names


@lru_cache(maxsize=1)
def _given_name_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for group in GIVEN_NAME_GROUPS:
        canonical = phonetic_key(group[0])
        for form in group:
            mapping.setdefault(phonetic_key(form), canonical)
    return mapping


def canonical_given(key: str) -> str:
    """The key of the canonical full name for a given-name ``key`` (a diminutive's full name, else itself)."""
    return _given_name_map().get(key, key)


# ------------------------------------------------------------------------------------------ patronymics


@dataclass(frozen=True)
class Patronymic:
    """A recognised patronymic: the father's name it is made from, the bearer's sex and its tradition."""

    root: str
    sex: Sex
    tradition: Literal["russian", "kazakh"]


_PATRONYMIC_SUFFIXES: Final[tuple[tuple[str, Sex, Literal["russian", "kazakh"]], ...]] = (
    # Longest first within each script so that the longest suffix is stripped.
    ("инична", "f", "russian"), ("овна", "f", "russian"), ("евна", "f", "russian"), ("ёвна", "f", "russian"),
    ("ична", "f", "russian"), ("ович", "m", "russian"), ("евич", "m", "russian"), ("ёвич", "m", "russian"),
    ("ич", "m", "russian"), ("қызы", "f", "kazakh"), ("кызы", "f", "kazakh"), ("гызы", "f", "kazakh"),
    ("оглы", "m", "kazakh"), ("углы", "m", "kazakh"), ("ұлы", "m", "kazakh"), ("улы", "m", "kazakh"),
    ("itschna", "f", "russian"), ("inichna", "f", "russian"), ("ichna", "f", "russian"), ("ovna", "f", "russian"),
    ("evna", "f", "russian"), ("owna", "f", "russian"), ("ewna", "f", "russian"), ("owitsch", "m", "russian"),
    ("ewitsch", "m", "russian"), ("ovitch", "m", "russian"), ("evitch", "m", "russian"), ("ovich", "m", "russian"),
    ("evich", "m", "russian"), ("itsch", "m", "russian"), ("ovic", "m", "russian"), ("evic", "m", "russian"),
    ("itch", "m", "russian"), ("ich", "m", "russian"), ("kyzy", "f", "kazakh"), ("qyzy", "f", "kazakh"),
    ("gyzy", "f", "kazakh"), ("kyzi", "f", "kazakh"), ("qizi", "f", "kazakh"), ("kizi", "f", "kazakh"),
    ("kysy", "f", "kazakh"), ("ogly", "m", "kazakh"), ("oglu", "m", "kazakh"), ("ugly", "m", "kazakh"),
    ("uly", "m", "kazakh"),
    ("uli", "m", "kazakh"),
)  # fmt: skip
_PARTICLES: Final = frozenset(
    {"ұлы", "улы", "қызы", "кызы", "оглы", "uly", "uli", "kyzy", "qyzy", "qizi", "kizi", "kysy", "ogly", "oglu"}
)
_ICH_ROOTS: Final = ("ил", "иль", "кузьм", "фом", "лук", "никит", "савв", "il", "kuzm", "fom", "luk", "nikit", "savv")


def _fold_latin_keep_case(token: str) -> str:
    low = _DIACRITIC_RE.sub(lambda m: _LATIN_DIACRITICS[m.group(0)], token.lower())
    return "".join(c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c))


@lru_cache(maxsize=1 << 16)
def split_patronymic(token: str) -> Patronymic | None:
    """Recognise ``token`` (one word, either script) as a patronymic and return the father's name in it.

    A bare -ич/-ich ending is accepted only after the few roots that take it (Ильич, Фомич, Лукич …),
    since many family names end in -ич too.
    """
    low = token.lower() if has_cyrillic(token) else _fold_latin_keep_case(token)
    low = low.replace("-", "")
    for suffix, sex, tradition in _PATRONYMIC_SUFFIXES:
        if low.endswith(suffix) and len(low) - len(suffix) >= 2:
            root = low[: -len(suffix)]
            if suffix in ("ич", "ich", "itch", "itsch") and not root.endswith(_ICH_ROOTS):
                continue
            return Patronymic(root=root, sex=sex, tradition=tradition)
    return None


def patronymic_key(text: str, german: bool | None = None) -> str:
    """Key of the father's name in a patronymic (or of ``text`` itself when it is just a name), with final
    vowels dropped so that Сергеевич (root Серге-) and Sergeyuly (root Sergey-) agree."""
    parsed = split_patronymic(text.replace(" ", ""))
    root = parsed.root if parsed is not None else text
    return phonetic_key(root, german).rstrip("aeiou") or phonetic_key(root, german)


# ----------------------------------------------------------------------------------------- name order

_SURNAME_ENDING_RE: Final = re.compile(r"(?:ov|ev|ova|eva|ow|ew|owa|ewa|skii|skiy|sky|ski|skaya|skaia|skaja|enko)$")


def looks_like_surname(text: str) -> bool:
    """True when ``text`` has a Russian or Russified Kazakh family-name ending (-ов, -ева, -ский, -енко …)."""
    return bool(_SURNAME_ENDING_RE.search(to_latin(text)))


@dataclass(frozen=True)
class NameParts:
    """One person's names after patronymic extraction and order normalisation."""

    given: str
    patronymic: str
    surname: str
    swapped: bool
    patronymic_sex: Sex | None


def _tokens(text: str) -> list[str]:
    words = text.split()
    merged: list[str] = []
    for word in words:
        if merged and word.lower() in _PARTICLES:
            merged[-1] += word
        else:
            merged.append(word)
    return merged


def parse_name(first_name: str, patronymic: str, surname: str) -> NameParts:
    """Split a person's name fields into given name, patronymic and surname.

    A patronymic written after the given name or after the surname in its field is moved out; when only
    the surname field is filled with several words, it is read in Russian order (Surname Given Patronymic).
    Given and surname fields are swapped when the given name has a family-name ending and the surname
    has none.
    """
    given_tokens, patronymic_tokens, surname_tokens = _tokens(first_name), _tokens(patronymic), _tokens(surname)
    if not given_tokens and len(surname_tokens) >= 2:
        given_tokens = [surname_tokens[1]]
        patronymic_tokens = patronymic_tokens or surname_tokens[2:]
        surname_tokens = surname_tokens[:1]
    if not patronymic_tokens:
        for tokens in (given_tokens, surname_tokens):
            if len(tokens) >= 2 and split_patronymic(tokens[-1]) is not None:
                patronymic_tokens = [tokens.pop()]
                break
    given, surname = " ".join(given_tokens), " ".join(surname_tokens)
    swapped = bool(given and surname and looks_like_surname(given) and not looks_like_surname(surname))
    if swapped:
        given, surname = surname, given
    patronymic_text = "".join(patronymic_tokens)
    parsed = split_patronymic(patronymic_text) if patronymic_text else None
    return NameParts(
        given=given,
        patronymic=patronymic_text,
        surname=surname,
        swapped=swapped,
        patronymic_sex=parsed.sex if parsed is not None else None,
    )


# ------------------------------------------------------------------------------------------------ dates


@dataclass(frozen=True)
class PartialDate:
    """A date of birth of which only some parts may be known."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    digits: str | None = None  # "YYYYMMDD" as written, even when not a valid calendar date


_MIN_YEAR: Final = 1880
_MAX_YEAR: Final = 2030
_ISO_RE: Final = re.compile(r"^(\d{4})(?:[-/.](\d{1,2}|\?\?|xx)(?:[-/.](\d{1,2}|\?\?|xx))?)?$", re.IGNORECASE)
_DMY_RE: Final = re.compile(r"^(?:(\d{1,2}|\?\?|xx)[./-])?(\d{1,2}|\?\?|xx)[./-](\d{4})$", re.IGNORECASE)
_COMPACT_RE: Final = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _component(text: str | None, low: int, high: int) -> int | None:
    if text is None or not text.isdigit():
        return None
    value = int(text)
    return value if low <= value <= high else None


def _from_parts(year: str, month: str | None, day: str | None) -> PartialDate:
    y = _component(year, _MIN_YEAR, _MAX_YEAR)
    if y is None:
        return PartialDate()
    m = _component(month, 1, 12)
    d = _component(day, 1, 31) if m is not None else None
    written = month is not None and day is not None and month.isdigit() and day.isdigit()
    digits = f"{year}{month:0>2}{day:0>2}" if written else None
    return PartialDate(y, m, d, digits)


@lru_cache(maxsize=1 << 16)
def _parse_date_text(text: str) -> PartialDate:
    if match := _COMPACT_RE.match(text):
        return _from_parts(*match.groups())
    if match := _ISO_RE.match(text):
        return _from_parts(*match.groups())
    if match := _DMY_RE.match(text):
        day, month, year = match.groups()
        return _from_parts(year, month, day)
    return PartialDate()


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def parse_partial_date(value: object, birth_year: object = None) -> PartialDate:
    """Read a date of birth that may be full, year-month or year only, with ``birth_year`` as fallback.

    Accepted: dates and timestamps; ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (``/`` or ``.`` also),
    ``DD.MM.YYYY``, ``MM.YYYY``, ``YYYYMMDD``; unknown parts as ``??`` or ``xx``. A ``birth_year`` is used
    when the date gives no year.
    """
    parsed = PartialDate()
    if isinstance(value, dt.date):
        parsed = PartialDate(value.year, value.month, value.day, value.strftime("%Y%m%d"))
    elif not _is_missing(value):
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
        parsed = _parse_date_text(text)
    if parsed.year is None and not _is_missing(birth_year):
        text = str(birth_year).strip()
        text = text[:-2] if text.endswith(".0") else text
        year = _component(text, _MIN_YEAR, _MAX_YEAR)
        parsed = PartialDate(year=year)
    return parsed


# ------------------------------------------------------------------------------------------ other fields

_SEX_VALUES: Final[dict[str, Sex]] = {
    "m": "m", "male": "m", "man": "m", "м": "m", "муж": "m", "мужской": "m", "ер": "m", "еркек": "m",
    "f": "f", "female": "f", "woman": "f", "w": "f", "ж": "f", "жен": "f", "женский": "f", "әйел": "f",
}  # fmt: skip
_FEMALE_SURNAME_RE: Final = re.compile(r"(?:ova|eva|ina|yna|skaya|skaia|skaja|owa|ewa)$")
_MALE_SURNAME_RE: Final = re.compile(r"(?:ov|ev|in|yn|skii|skiy|sky|ow|ew)$")
_REGION_WORDS_RE: Final = re.compile(
    r"\b(?:oblast|oblysy|region|district|raion|rayon|audany|област\w*|облысы|район\w*|ауданы)\b", re.IGNORECASE
)
_ADJECTIVE_ENDING_RE: Final = re.compile(r"(?:ska|ski|sko|skoe|skii|skai|skaia)$")


def normalise_sex(value: object) -> Sex | None:
    """'m', 'f' or None from the spellings of sex found on lists (M/F, male, м/ж, муж/жен, ер/әйел …)."""
    if _is_missing(value):
        return None
    return _SEX_VALUES.get(str(value).strip().lower().rstrip("."))


def sex_from_surname(surname: str) -> Sex | None:
    """The sex a Russian or Russified Kazakh surname ending implies (-ова → f, -ов → m), if any."""
    latin = to_latin(surname)
    if _FEMALE_SURNAME_RE.search(latin):
        return "f"
    if _MALE_SURNAME_RE.search(latin):
        return "m"
    return None


def region_key(value: object) -> str | None:
    """A key for a region name: generic words (oblast, облысы, район …) and adjective endings (-ская) dropped."""
    if _is_missing(value):
        return None
    words = _REGION_WORDS_RE.sub(" ", str(value)).split()
    key = "".join(_ADJECTIVE_ENDING_RE.sub("", phonetic_key(word)) for word in words)
    return key or None


def national_id(value: object) -> str | None:
    """Digits and letters of an identity number (IIN), upper-cased; None when empty."""
    if _is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "".join(c for c in str(value).upper() if c.isalnum())
    return text or None


# ------------------------------------------------------------------------------------------- the frame

NORMALISED_COLUMNS: Final = (
    "unique_id", "given_key", "given_canon", "given_init", "surname_key", "surname_init", "surname_skeleton",
    "patronymic_key", "by", "bm", "bd", "dob_digits", "sex", "region_key", "national_id", "order_swapped",
)  # fmt: skip


def _text(value: object) -> str:
    return "" if _is_missing(value) else str(value).strip()


def _map_unique(values: list[Hashable], func: Callable[..., object]) -> list[object]:
    """``func`` applied once per distinct value, empty results as None; lists repeat names a great deal."""
    lookup: dict[Hashable, object] = {}
    out: list[object] = []
    for value in values:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            out.append(None)
            continue
        if value not in lookup:
            lookup[value] = (func(*value) if isinstance(value, tuple) else func(value)) or None
        out.append(lookup[value])
    return out


def _string_column(values: list[object]) -> pd.Series:
    """Arrow-backed strings (missing as NA): a fraction of the memory of Python string objects."""
    return pd.Series(values, dtype="string[pyarrow]")


def normalise_records(records: pd.DataFrame) -> pd.DataFrame:
    """The comparison fields of each record, one row per input row, in input order.

    ``records`` carries the standard columns (``first_name``, ``patronymic``, ``surname``, ``sex``,
    ``dob``, ``birth_year``, ``region``, ``national_id``; any may be absent). The result has
    :data:`NORMALISED_COLUMNS`, with ``unique_id`` = row position; missing values are NA.
    """
    n = len(records)

    def column(name: str) -> list[object]:
        return records[name].tolist() if name in records.columns else [None] * n

    given: list[Hashable] = []
    surname: list[Hashable] = []
    patronymic: list[Hashable] = []
    swapped: list[bool] = []
    patronymic_sex: list[Sex | None] = []
    surname_text: list[Hashable] = []
    for first, patr, sur in zip(column("first_name"), column("patronymic"), column("surname"), strict=True):
        first_text, patr_text, sur_text = _text(first), _text(patr), _text(sur)
        german = looks_german(first_text, patr_text, sur_text)
        parts = parse_name(first_text, patr_text, sur_text)
        given.append((parts.given, german) if parts.given else None)
        surname.append((parts.surname, german) if parts.surname else None)
        patronymic.append((parts.patronymic, german) if parts.patronymic else None)
        swapped.append(parts.swapped)
        patronymic_sex.append(parts.patronymic_sex)
        surname_text.append(parts.surname or None)

    given_key = _map_unique(given, phonetic_key)
    given_canon = _map_unique(given_key, canonical_given)
    surname_key = _map_unique(surname, phonetic_key)
    out = pd.DataFrame({"unique_id": pd.RangeIndex(n).to_numpy()})
    out["given_key"] = _string_column(given_key)
    out["given_canon"] = _string_column(given_canon)
    out["given_init"] = _string_column([k[:1] if isinstance(k, str) else None for k in given_canon])
    out["surname_key"] = _string_column(surname_key)
    out["surname_init"] = _string_column([k[:1] if isinstance(k, str) else None for k in surname_key])
    out["surname_skeleton"] = _string_column(_map_unique(surname_key, consonant_skeleton))
    out["patronymic_key"] = _string_column(_map_unique(patronymic, patronymic_key))

    dates = [parse_partial_date(d, y) for d, y in zip(column("dob"), column("birth_year"), strict=True)]
    out["by"] = pd.array([d.year for d in dates], dtype="Int64")
    out["bm"] = pd.array([d.month for d in dates], dtype="Int64")
    out["bd"] = pd.array([d.day for d in dates], dtype="Int64")
    out["dob_digits"] = _string_column([d.digits for d in dates])

    # Sex as stated, else as the patronymic says (-овна, -қызы), else as the surname ending says (-ова).
    stated = _map_unique(column("sex"), normalise_sex)
    by_surname = _map_unique(surname_text, sex_from_surname)
    out["sex"] = _string_column([s or p or t for s, p, t in zip(stated, patronymic_sex, by_surname, strict=True)])
    out["region_key"] = _string_column(_map_unique(column("region"), region_key))
    out["national_id"] = _string_column(_map_unique(column("national_id"), national_id))
    out["order_swapped"] = swapped
    return out[list(NORMALISED_COLUMNS)]
