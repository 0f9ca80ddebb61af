"""What must never be found in clear in a copy of the database: the names of the demo's victims, witnesses and
their relatives, the text of testimonies and allegations, and what is said of a person's disability — in any
of the encodings a thief would try."""

from __future__ import annotations

import yaml

from habeas.demo import DATA_FILE

ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "cp1251", "koi8-r")


def protected_texts() -> set[str]:
    """From the demo data file: the names of every person who is not an official (officials have a position),
    the single words of those names that are long enough not to occur by chance in random ciphertext, and the
    free text of statements and allegations."""
    records = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))["records"]
    private = {r["key"] for r in records if r["model"] == "registry.person" and "position" not in r["fields"]}
    texts: set[str] = set()
    for record in records:
        fields = record["fields"]
        if record["model"] == "registry.person" and record["key"] in private:
            texts.add(fields["label"])
        if record["model"] == "registry.personname" and fields["person"] in private:
            texts.add(fields["full_name"])
            texts |= {fields[f] for f in ("given_name", "family_name") if len(fields.get(f, "")) >= 6}
        if record["model"] in ("cases.statement", "cases.allegation"):
            texts |= {fields[f] for f in ("text", "retraction_reason", "summary", "injuries") if fields.get(f)}
        if record["model"] == "registry.disability" and fields.get("description"):
            texts.add(fields["description"])  # health: protected, and once copied into a finding's facts
    return texts


def variants(text: str) -> set[bytes]:
    """The text as it could appear in a file: in each encoding, in lower and upper case, and escaped as JSON
    escapes non-ASCII letters."""
    out: set[bytes] = set()
    for form in {text, text.lower(), text.upper()}:
        for encoding in ENCODINGS:
            try:
                out.add(form.encode(encoding))
            except UnicodeEncodeError:
                continue
        escaped = form.encode("ascii", "backslashreplace").replace(b"\\x", b"\\u00")
        out |= {escaped, escaped.lower()}
    return out


def leaks(blob: bytes, texts: set[str]) -> list[str]:
    """The protected texts found in ``blob`` in clear."""
    return sorted(text for text in texts if any(form in blob for form in variants(text)))
