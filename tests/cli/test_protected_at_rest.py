"""A copy of the demo's SQLite database file, taken as a thief would, shows no protected name or testimony."""

from __future__ import annotations

import shutil

from tests.protected import leaks, protected_texts


def test_a_copy_of_the_database_file_holds_no_protected_name_or_testimony_in_clear(demo_dir, tmp_path):
    texts = protected_texts()
    assert {"Dmitri Tian", "Дмитрий Тян", "Roza Tuletaeva", "wife of Aron Atabek"} <= texts  # the test has teeth
    stolen = tmp_path / "stolen.sqlite3"
    shutil.copy(demo_dir / "demo.sqlite3", stolen)
    blob = stolen.read_bytes()
    assert b"hb1:" in blob  # the values are there, sealed
    assert leaks(blob, texts) == []


def test_the_check_finds_a_name_written_in_clear(tmp_path):
    """The search itself works: a name in any of the encodings is found."""
    for encoding in ("utf-8", "utf-16-le", "cp1251", "koi8-r"):
        assert leaks("-- Дмитрий Тян --".encode(encoding), {"Дмитрий Тян"}) == ["Дмитрий Тян"]
    assert leaks(
        b'{"name": "\\u0414\\u043c\\u0438\\u0442\\u0440\\u0438\\u0439 \\u0422\\u044f\\u043d"}', {"Дмитрий Тян"}
    )
