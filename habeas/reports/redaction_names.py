"""Redaction by what is known, not by field name: the names of known persons found in the text an export
gives (another record's name, a finding's sentence, a source's title or section) are replaced by the person's
pseudonym, in any script or transliteration.

A text's words are put into the phonetic keys of search and linkage (``habeas.core.fields.name_keys``:
"Тулетаева" and "Tuletaeva" have one key), and each key's keyed hash is looked for among the hashes that every
person's name keeps (``PersonName.name_digests``), so that no name is decrypted. Two or more words in a row
(apart by spaces or punctuation only) that are all words of one person's names are that person: "Roza
Tuletaeva", "Tuletaeva, Roza", "Роза Тулетаева". A lone word is left: most single words of names are also
ordinary words or the names of many others ("Roza Street"), and a name written with none of its other words
next to it is not caught. A person's label is not used: for a person whose name is not known it describes
them ("judge in the trial of …"), and its words are ordinary words.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from habeas.accounts.identity import pseudonymous_ref
from habeas.core import crypto
from habeas.registry.models import Person, PersonName
from habeas.stats.linkage.normalise import phonetic_key

_WORD = re.compile(r"[^\W\d_]+")
#: what may stand between two words of one name: spaces, a comma, a full stop, a hyphen or an apostrophe
_JOIN = re.compile(r"[\s,.'’‐-]{1,3}")


class KnownNames:
    """The known persons whose names occur in ``texts``; ``redact`` replaces them. ``kept``: the persons whose
    names an export shows (officials, under a profile that names them)."""

    def __init__(self, texts: Iterable[str], *, kept: Collection[int] = ()) -> None:
        keys = {key for text in texts for word in _WORD.findall(text) if (key := phonetic_key(word))}
        wanted = {digest: key for key in keys for digest in crypto.digests(key)}
        self.owners: dict[str, set[int]] = {}
        if not wanted:
            return
        for person_id, digests in PersonName.objects.values_list("person_id", "name_digests").iterator(chunk_size=5000):
            if person_id in kept:
                continue
            for digest in digests.split():
                if digest in wanted:
                    self.owners.setdefault(wanted[digest], set()).add(person_id)

    def redact(self, text: str) -> str:
        """``text`` with every known person's name replaced by their pseudonym."""
        words = [(m.start(), m.end(), self.owners.get(phonetic_key(m.group()), set())) for m in _WORD.finditer(text)]
        out: list[str] = []
        done = 0
        i = 0
        while i < len(words):
            start, _, people = words[i]
            j = i
            while people and j + 1 < len(words) and _JOIN.fullmatch(text[words[j][1] : words[j + 1][0]]):
                both = people & words[j + 1][2]
                if not both:
                    break
                people, j = both, j + 1
            if j > i:
                out += [text[done:start], pseudonymous_ref(Person, min(people))]
                done = words[j][1]
            i = j + 1
        return "".join([*out, text[done:]])
