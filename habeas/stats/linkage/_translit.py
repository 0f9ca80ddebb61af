"""Cyrillic → Latin transliteration of Russian and Kazakh names under the schemes found on real lists.

The tables are written from the published descriptions of each scheme:

``icao``
    ICAO Doc 9303 (7th ed., part 3), used in Russian passports since 2013: й → i, х → kh, ц → ts,
    ъ → ie, ю → iu, я → ia, ё → e, ь omitted. Kazakh letters are folded to their base letters the way
    Kazakhstan passports wrote them (ә → a, ғ → g, қ → k, ң → n, ө → o, ұ/ү → u, һ → h, і → i).
``bgn``
    BGN/PCGN (Russian 1947, Kazakh 1979): е/ё written ye/yë at the start of a word and after a vowel,
    ъ or ь; й → y; ю → yu; я → ya; soft and hard signs dropped (the apostrophes are not kept);
    Kazakh ә → ä, ғ → gh, қ → q, ң → ng, ө → ö, ұ → ū, ү → ü, һ → h, і → ī.
``english``
    The informal "English" spelling of newspapers and NGOs: like BGN but ye only at the start of a
    word, ё → yo, final -ий/-ый → y, Kazakh letters folded as on passports.
``kazakh2021``
    The Kazakh Latin alphabet of 2021: ж → j, и/й → i, і → ı, ы → y, ш → ş, ч → ç, ғ → ğ, қ → q,
    ң → ñ, ө → ö, ұ → ū, ү → ü, ә → ä, х/һ → h; Russian-only letters as ц → ts, щ → şş, ю → iu, я → ia.
``german``
    Duden (German press): в → w, ж → sch, з → s, с → ss between vowels, х → ch, ц → z, ч → tsch,
    ш → sch, щ → schtsch, й → i, final -ий → i, е → je / ё → jo at the start of a word and after a
    vowel, ю → ju, я → ja, кс → x; Kazakh ә/ө/ү → ä/ö/ü.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

Scheme = Literal["icao", "bgn", "english", "kazakh2021", "german"]
SCHEMES: Final[tuple[Scheme, ...]] = ("icao", "bgn", "english", "kazakh2021", "german")

_RUSSIAN_ICAO: Final[dict[str, str]] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y",
    "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip
_KAZAKH_FOLDED: Final[dict[str, str]] = {
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
}  # fmt: skip

_TABLES: Final[dict[Scheme, dict[str, str]]] = {
    "icao": {**_RUSSIAN_ICAO, **_KAZAKH_FOLDED},
    "bgn": {
        **_RUSSIAN_ICAO, "ё": "ë", "й": "y", "ъ": "", "ю": "yu", "я": "ya",
        "ә": "ä", "ғ": "gh", "қ": "q", "ң": "ng", "ө": "ö", "ұ": "ū", "ү": "ü", "һ": "h", "і": "ī",
    },
    "english": {**_RUSSIAN_ICAO, **_KAZAKH_FOLDED, "ё": "yo", "й": "y", "ъ": "", "ю": "yu", "я": "ya"},
    "kazakh2021": {
        **_RUSSIAN_ICAO, "ё": "io", "ж": "j", "х": "h", "ч": "ç", "ш": "ş", "щ": "şş", "ъ": "",
        "ә": "ä", "ғ": "ğ", "қ": "q", "ң": "ñ", "ө": "ö", "ұ": "ū", "ү": "ü", "һ": "h", "і": "ı",
    },
    "german": {
        **_RUSSIAN_ICAO, "в": "w", "ё": "o", "ж": "sch", "з": "s", "х": "ch", "ц": "z", "ч": "tsch",
        "ш": "sch", "щ": "schtsch", "ъ": "", "ю": "ju", "я": "ja",
        "ә": "ä", "ғ": "g", "қ": "k", "ң": "ng", "ө": "ö", "ұ": "u", "ү": "ü", "һ": "h", "і": "i",
    },
}  # fmt: skip

_VOWELS: Final = frozenset("аеёиоуыэюяәөұүі")
_SIGNS: Final = frozenset("ъь")
_SIBILANTS: Final = frozenset("жчшщ")


def _is_cyrillic_letter(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def _contextual(scheme: Scheme, word: str, i: int) -> str | None:
    """The spelling of ``word[i]`` where the scheme depends on its neighbours, else None."""
    char = word[i]
    prev = word[i - 1] if i > 0 else ""
    nxt = word[i + 1] if i + 1 < len(word) else ""
    after_vowel_or_sign = not prev or prev in _VOWELS or prev in _SIGNS
    at_end = not nxt or not _is_cyrillic_letter(nxt)
    if scheme == "bgn" and char in "её" and after_vowel_or_sign:
        return "ye" if char == "е" else "yë"
    if scheme == "english":
        if char == "е" and not prev:
            return "ye"
        if char == "й" and prev in ("и", "ы") and at_end:
            return ""
        if char in "иы" and nxt == "й" and (i + 2 >= len(word) or not _is_cyrillic_letter(word[i + 2])):
            return "y"
    if scheme == "german":
        if char in "её" and after_vowel_or_sign:
            return "je" if char == "е" else "jo"
        if char == "ё" and prev not in _SIBILANTS:
            return "jo"
        if char == "с" and prev in _VOWELS and nxt in _VOWELS:
            return "ss"
        if char == "к" and nxt == "с":
            return "x"
        if char == "с" and prev == "к":
            return ""
        if char == "й" and prev in ("и", "ы") and at_end:
            return ""
        if char == "ь" and nxt in ("о", "и"):
            return "j"
    return None


def _apply_case(latin: str, source: str, neighbours: str, scheme: Scheme) -> str:
    """Case ``latin`` like ``source``: all capitals inside an all-capital word, else only the first letter."""
    if not source.isupper() or not latin:
        return latin
    whole_word_upper = any(c.isupper() for c in neighbours)
    if scheme == "kazakh2021":
        # Turkic casing: dotted i ↔ İ, dotless ı ↔ I.
        head = {"i": "İ", "ı": "I"}.get(latin[0], latin[0].upper())
        tail = latin[1:]
        if whole_word_upper:
            tail = "".join({"i": "İ", "ı": "I"}.get(c, c.upper()) for c in tail)
        return head + tail
    return latin.upper() if whole_word_upper else latin[0].upper() + latin[1:]


def transliterate(text: str, scheme: Scheme) -> str:
    """Write Cyrillic ``text`` in Latin letters under ``scheme``; Latin letters and punctuation pass through."""
    table: Mapping[str, str] = _TABLES[scheme]
    out: list[str] = []
    lower = text.lower()
    for i, char in enumerate(text):
        low = lower[i]
        if low not in table:
            out.append(char)
            continue
        special = _contextual(scheme, lower, i)
        latin = table[low] if special is None else special
        out.append(_apply_case(latin, char, text[max(i - 1, 0) : i] + text[i + 1 : i + 2], scheme))
    return "".join(out)


def has_cyrillic(text: str) -> bool:
    """True when ``text`` contains at least one Cyrillic letter."""
    return any(_is_cyrillic_letter(c) for c in text)
