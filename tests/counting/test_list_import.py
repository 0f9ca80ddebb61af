"""Importing a list: CSV in UTF-8, Windows-1251 or KOI8-R (detected or declared) and XLSX, each row kept with its
original text; bad input refused with every problem named by row and column, and nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from habeas.accounts.models import AuditEvent
from habeas.counting.models import ListRow, SourceList
from habeas.counting.services import ListImportError, list_import
from tests.counting.conftest import HEADER_EN, HEADER_RU, MAP_EN, MAP_RU, csv_bytes, make_user, write, xlsx_bytes

pytestmark = pytest.mark.django_db

ROWS_RU = [
    ("1", "Кенжебаев", "Ерлан", "Серикович", "м", "02.03.1975", "Жанаозен"),
    ("2", "Тулетаева", "Роза", "Ахметовна", "ж", "??.05.1961", "Актау"),
    ("3", "Тян", "Дмитрий", "", "", "1980", ""),
]

#: KOI8-R has no "№"
HEADER_KOI = ["Номер", *HEADER_RU[1:]]
MAP_KOI = {**MAP_RU, "record_id": "Номер"}


def imported(tmp_path, source, team, user, name, data, mapping=MAP_RU, **options) -> SourceList:
    return list_import(
        source=source, path=write(tmp_path, name, data), mapping=mapping, team=team, user=user, **options
    )


def refused(tmp_path, source, team, user, name, data, mapping=MAP_RU, **options) -> ListImportError:
    with pytest.raises(ListImportError) as caught:
        imported(tmp_path, source, team, user, name, data, mapping, **options)
    assert not SourceList.objects.exists() and not ListRow.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()
    return caught.value


def test_a_utf8_csv_is_imported_with_its_fields_and_original_text(tmp_path, source, team, member):
    data = csv_bytes(HEADER_RU, ROWS_RU)
    listed = imported(tmp_path, source, team, member, "register.csv", data, title="Register", stratum="Mangystau")
    assert (listed.encoding, listed.encoding_declared, listed.file_format, listed.row_count) == (
        "utf-8",
        False,
        "csv",
        3,
    )
    assert listed.team == team and listed.imported_by == member and listed.original_name == "register.csv"
    assert listed.mapping == MAP_RU and len(listed.sha256) == 64
    first, second, third = ListRow.objects.filter(source_list=listed).order_by("row_number")
    assert (first.row_number, first.record_id, first.surname, first.given_name, first.patronymic) == (
        2,
        "1",
        "Кенжебаев",
        "Ерлан",
        "Серикович",
    )
    assert (first.sex, first.born_on, first.born_on_precision, first.region) == (
        "m",
        dt.date(1975, 3, 2),
        "day",
        "Жанаозен",
    )
    assert (second.sex, second.born_on, second.born_on_precision) == ("f", dt.date(1961, 5, 1), "month")
    assert (third.born_on, third.born_on_precision, third.sex) == (dt.date(1980, 1, 1), "year", "")
    assert first.original == dict(zip(HEADER_RU, ROWS_RU[0], strict=True))


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r"])
def test_a_legacy_cyrillic_csv_is_detected_and_read(tmp_path, source, team, member, encoding):
    data = csv_bytes(HEADER_KOI, ROWS_RU, encoding=encoding, delimiter=";")
    listed = imported(tmp_path, source, team, member, "legacy.csv", data, mapping=MAP_KOI)
    assert (listed.encoding, listed.encoding_declared) == (encoding, False)
    assert [r.surname for r in ListRow.objects.filter(source_list=listed)] == ["Кенжебаев", "Тулетаева", "Тян"]


def test_a_declared_encoding_is_used_and_recorded(tmp_path, source, team, member):
    data = csv_bytes(HEADER_KOI, ROWS_RU, encoding="koi8-r")
    listed = imported(tmp_path, source, team, member, "legacy.csv", data, mapping=MAP_KOI, encoding="KOI8-R")
    assert (listed.encoding, listed.encoding_declared) == ("koi8_r", True)
    assert ListRow.objects.filter(source_list=listed).first().given_name == "Ерлан"


def test_a_declared_encoding_the_file_is_not_in_is_refused_by_row(tmp_path, source, team, member):
    data = csv_bytes(HEADER_RU, ROWS_RU, encoding="cp1251")
    error = refused(tmp_path, source, team, member, "legacy.csv", data, encoding="utf-8")
    assert "row 1: not UTF-8 text" in str(error)


def test_an_xlsx_workbook_is_imported_with_its_dates_and_numbers(tmp_path, source, team, member):
    rows = [
        (17, "Kenzhebaev", "Erlan", "Serikovich", "M", dt.datetime(1975, 3, 2), "Zhanaozen"),
        (18, "Tian", "Dmitriy", None, "m", 1980, None),
    ]
    listed = imported(tmp_path, source, team, member, "lawyers.xlsx", xlsx_bytes(HEADER_EN, rows), mapping=MAP_EN)
    assert (listed.file_format, listed.encoding, listed.row_count) == ("xlsx", "", 2)
    first, second = ListRow.objects.filter(source_list=listed)
    assert (first.record_id, first.born_on, first.born_on_precision) == ("17", dt.date(1975, 3, 2), "day")
    assert (second.record_id, second.born_on, second.born_on_precision, second.patronymic) == (
        "18",
        dt.date(1980, 1, 1),
        "year",
        "",
    )


def test_every_bad_row_is_named_in_one_error_and_nothing_is_stored(tmp_path, source, team, member):
    rows = [
        ("1", "Кенжебаев", "Ерлан", "", "м", "02.03.1975", ""),
        ("1", "Тян", "Дмитрий", "", "м", "1980", ""),  # the same id again
        ("3", "Тулетаева", "Роза", "", "ж", "31.02.1961", ""),  # no such day
        ("4", "Досанов", "Максат", "", "x", "-1961", ""),  # unreadable sex, a negative year
        ("5", "", "", "", "", "", ""),  # no name (but an id: not a blank line)
    ]
    error = refused(tmp_path, source, team, member, "bad.csv", csv_bytes(HEADER_RU, rows))
    found = {(p.row, p.column) for p in error.problems}
    assert found == {(3, "№"), (4, "Дата рождения"), (5, "Пол"), (5, "Дата рождения"), (6, "Фамилия")}
    text = str(error)
    assert "bad.csv: 5 problems; nothing was stored" in text
    assert "row 3, column '№': duplicate record id '1' (first on row 2)" in text
    assert "row 4, column 'Дата рождения': '31.02.1961' is not a real date" in text


def test_a_garbled_birth_year_is_refused(tmp_path, source, team, member):
    header = ["Фамилия", "Имя", "Год рождения"]
    data = csv_bytes(header, [("Тян", "Дмитрий", "19б1"), ("Кенжебаев", "Ерлан", "-5"), ("Ахметов", "Ерлан", "1961")])
    mapping = {"surname": "Фамилия", "given_name": "Имя", "birth_year": "Год рождения"}
    error = refused(tmp_path, source, team, member, "years.csv", data, mapping=mapping)
    assert {(p.row, p.column) for p in error.problems} == {(2, "Год рождения"), (3, "Год рождения")}


def test_a_mapping_that_names_an_unknown_column_or_field_is_refused(tmp_path, source, team, member):
    mapping = {**MAP_RU, "surname": "Фамилия ", "nickname": "Имя"}
    error = refused(tmp_path, source, team, member, "register.csv", csv_bytes(HEADER_RU, ROWS_RU), mapping=mapping)
    text = str(error)
    assert (
        "row 1, column 'Фамилия ': the mapping names column 'Фамилия ' (for surname), which the file does not have"
        in text
    )
    assert "unknown field 'nickname'" in text


def test_a_file_with_rows_in_two_encodings_is_refused_naming_the_rows(tmp_path, source, team, member):
    data = (
        csv_bytes(HEADER_RU, ROWS_RU[:2], encoding="cp1251")
        + csv_bytes(["x"], [ROWS_RU[2]], encoding="koi8-r").split(b"\r\n", 1)[1]
    )
    data = data.replace(b"\r\n\r\n", b"\r\n")
    error = refused(tmp_path, source, team, member, "mixed.csv", data)
    assert [p.row for p in error.problems] == [4]
    assert "mixed encodings" in str(error)


def test_utf8_rows_beside_legacy_rows_are_mixed_encodings(tmp_path, source, team, member):
    data = csv_bytes(HEADER_RU, ROWS_RU[:2]) + ";".join(ROWS_RU[2]).encode("cp1251") + b"\r\n"
    error = refused(tmp_path, source, team, member, "mixed.csv", data)
    assert [(p.row, p.problem) for p in error.problems] == [(4, "mixed encodings: row 1 is UTF-8 but this row is not")]


def test_the_same_file_is_not_imported_twice_for_one_source(tmp_path, source, team, member):
    data = csv_bytes(HEADER_RU, ROWS_RU)
    imported(tmp_path, source, team, member, "register.csv", data)
    with pytest.raises(ListImportError, match="already imported"):
        imported(tmp_path, source, team, member, "again.csv", data)
    assert SourceList.objects.count() == 1


def test_names_and_original_rows_are_encrypted_at_rest(tmp_path, source, team, member):
    imported(tmp_path, source, team, member, "register.csv", csv_bytes(HEADER_RU, ROWS_RU))
    with connection.cursor() as cursor:
        cursor.execute("SELECT surname, given_name, patronymic, original FROM counting_listrow")
        stored = cursor.fetchall()
        cursor.execute("SELECT title, original_name FROM counting_sourcelist")
        stored += cursor.fetchall()
    values = [value for row in stored for value in row if value]
    assert values and all(value.startswith("hb1:") for value in values)
    assert not any("Кенжебаев" in value or "register" in value for value in values)


def test_an_import_is_an_audit_event(tmp_path, source, team, member):
    listed = imported(tmp_path, source, team, member, "register.csv", csv_bytes(HEADER_RU, ROWS_RU))
    event = AuditEvent.objects.get(action="import", target_type="counting.sourcelist", target_id=str(listed.pk))
    assert event.actor == member and event.details["rows"] == 3 and event.details["sha256"] == listed.sha256


def test_a_read_only_member_or_an_outsider_may_not_import(tmp_path, source, team, outsider):
    reader = make_user("reader", team, role="readonly")
    for user in (reader, outsider):
        with pytest.raises(PermissionDenied):
            imported(tmp_path, source, team, user, "register.csv", csv_bytes(HEADER_RU, ROWS_RU))
    assert not SourceList.objects.exists()


def test_a_source_of_another_team_is_refused(tmp_path, source, other_team, outsider):
    error = refused(tmp_path, source, other_team, outsider, "register.csv", csv_bytes(HEADER_RU, ROWS_RU))
    assert "belongs to another team" in str(error)
