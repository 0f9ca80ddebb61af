"""Personas, a source and lists of named people for the counting tests.

The three lists name the same people in different scripts, as real lists do: an official register in Cyrillic
(a Windows-1251 CSV with semicolons), a lawyers' list in Latin letters (a UTF-8 CSV) and a families' list in a
workbook, mixing both. Beside the people the tests look for (Кенжебаев / Kenzhebaev / Kenjebayev and
Тян / Tian / Tyan) they hold people drawn by the synthetic generator, so that the linkage model has enough
pairs to learn from.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from habeas.accounts.models import Role, Team
from habeas.accounts.services import membership_grant
from habeas.counting.models import SourceList
from habeas.counting.services import list_import, parse_list_date
from habeas.evidence.models import Source

HEADER_RU = ["№", "Фамилия", "Имя", "Отчество", "Пол", "Дата рождения", "Регион"]
HEADER_EN = ["ID", "Surname", "Given name", "Patronymic", "Sex", "Born", "Region"]
MAP_RU = {
    "record_id": "№",
    "surname": "Фамилия",
    "given_name": "Имя",
    "patronymic": "Отчество",
    "sex": "Пол",
    "born_on": "Дата рождения",
    "region": "Регион",
}
MAP_EN = dict(zip(MAP_RU, HEADER_EN, strict=True))

#: the people the linkage tests look for, as each list writes them (id, surname, given, patronymic, sex, born)
OFFICIAL = [
    ("K-1", "Кенжебаев", "Ерлан", "Серикович", "м", "02.03.1975", "Жанаозен"),
    ("T-1", "Тян", "Дмитрий", "Александрович", "м", "1980", "Актау"),
]
LAWYERS = [
    ("k1", "Kenzhebaev", "Erlan", "Serikovich", "M", "1975-03-02", "Zhanaozen"),
    ("t1", "Tian", "Dmitriy", "", "M", "1980", "Aktau"),
]
FAMILIES = [
    ("f-k", "Kenjebayev", "Erlan", "", "M", "1975", "Zhanaozen"),
    ("f-t", "Тян", "Дмитрий", "", "м", "", "Актау"),
]
SOURCE_OF = {"official_register": 0, "lawyers": 1, "families": 2}
#: Kazakh letters that Windows-1251 lacks, as lists in that encoding write them
RUSSIFIED = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")


def make_user(name: str, team: Team | None = None, role: str = Role.RESEARCHER) -> Any:
    user = get_user_model().objects.create_user(name, "", "a-long-test-password")
    if team is not None:
        membership_grant(team=team, user=user, role=role, actor=None)
    return user


@pytest.fixture
def team() -> Team:
    return Team.objects.create(name="A")


@pytest.fixture
def other_team() -> Team:
    return Team.objects.create(name="B")


@pytest.fixture
def member(team) -> Any:
    return make_user("member", team)


@pytest.fixture
def outsider(other_team) -> Any:
    return make_user("outsider", other_team)


@pytest.fixture
def source(team) -> Source:
    return Source.objects.create(key="register", title="Official register", kind="official", team=team)


def csv_bytes(
    header: list[str], rows: list[tuple[str, ...]], *, encoding: str = "utf-8", delimiter: str = ","
) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(header: list[str], rows: list[tuple[Any, ...]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filler() -> list[list[tuple[str, ...]]]:
    """People of the synthetic generator on the three lists, their dates readable (the generator also writes
    garbled dates, which an import rightly refuses)."""
    from habeas.stats.linkage.synthetic import generate_lists

    out: list[list[tuple[str, ...]]] = [[], [], []]
    records = generate_lists(400, seed=3).records
    for record in records.itertuples(index=False):
        if record.source not in SOURCE_OF:
            continue
        born = "" if record.dob is None else str(record.dob)
        try:
            if born:
                parse_list_date(born)
        except ValueError:
            born = ""

        def text(value: object) -> str:
            return "" if value is None or value != value else str(value)

        row = (
            record.record_id,
            text(record.surname),
            text(record.first_name),
            text(record.patronymic),
            text(record.sex),
            born,
            text(record.region),
        )
        which = SOURCE_OF[record.source]
        out[which].append(tuple(cell.translate(RUSSIFIED) for cell in row) if which == 0 else row)
    return out


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture
def three_lists(tmp_path, team, member, source) -> list[SourceList]:
    official, lawyers, families = filler()
    paths = [
        write(tmp_path, "register.csv", csv_bytes(HEADER_RU, OFFICIAL + official, encoding="cp1251", delimiter=";")),
        write(tmp_path, "lawyers.csv", csv_bytes(HEADER_EN, LAWYERS + lawyers)),
        write(tmp_path, "families.xlsx", xlsx_bytes(HEADER_EN, FAMILIES + families)),
    ]
    mappings = [MAP_RU, MAP_EN, MAP_EN]
    return [
        list_import(source=source, path=path, mapping=mapping, team=team, user=member)
        for path, mapping in zip(paths, mappings, strict=True)
    ]
