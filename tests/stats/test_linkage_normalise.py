"""Normalisation of names and dates for record linkage (habeas.stats.linkage.normalise)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from habeas.stats.linkage import (
    SCHEMES,
    PartialDate,
    canonical_given,
    normalise_records,
    parse_name,
    parse_partial_date,
    phonetic_key,
    split_patronymic,
    transliterate,
)
from habeas.stats.linkage.normalise import consonant_skeleton, looks_german, patronymic_key, region_key


def test_kenzhebaev_spellings_share_one_key() -> None:
    spellings = ["Кенжебаев", "Kenzhebaev", "Kenjebayev", "Kenschebajew", "Kenzhebayev", "KENZHEBAEV", "Kenjebaev"]
    assert {phonetic_key(s) for s in spellings} == {"kenJebaev"}


@pytest.mark.parametrize(
    ("variants"),
    [
        ["Дмитрий", "Dmitry", "Dmitrii", "Dmitriy", "Dmitri", "Dmitrij"],
        ["Мария", "Mariya", "Mariia", "Maria"],
        ["Сергеев", "Sergeyev", "Sergeev", "Sergejew"],
        ["Алиев", "Aliyev", "Aliev", "Alijew"],
        ["Фёдор", "Fyodor", "Fedor"],
        ["Шыңғыс", "Shyngys", "Şyñğys", "Shyngghys"],
        ["Қайрат", "Kairat", "Qayrat", "Kayrat", "Qairat"],
        ["Ахметов", "Akhmetov", "Achmetow", "Ahmetov"],
    ],
)
def test_variants_collide(variants: list[str]) -> None:
    assert len({phonetic_key(v) for v in variants}) == 1, {v: phonetic_key(v) for v in variants}


# Sample names as each scheme writes them (passports, gazetteers, press), from the schemes' rules.
SAMPLES = [
    ("Кенжебаев", "icao", "Kenzhebaev"),
    ("Юрий", "icao", "Iurii"),
    ("Наталья", "icao", "Natalia"),
    ("Щукин", "icao", "Shchukin"),
    ("Хабибуллин", "icao", "Khabibullin"),
    ("Елена", "bgn", "Yelena"),
    ("Кенжебаев", "bgn", "Kenzhebayev"),
    ("Қайрат", "bgn", "Qayrat"),
    ("Жаңаөзен", "bgn", "Zhangaözen"),
    ("Андреевич", "bgn", "Andreyevich"),
    ("Дмитрий", "english", "Dmitry"),
    ("Юрий", "english", "Yury"),
    ("Алексей", "english", "Aleksey"),
    ("Фёдор", "english", "Fyodor"),
    ("Ержан", "english", "Yerzhan"),
    ("Кенжебаев", "kazakh2021", "Kenjebaev"),
    ("Шыңғыс", "kazakh2021", "Şyñğys"),
    ("Қайрат", "kazakh2021", "Qairat"),
    ("Нұрсұлтан", "kazakh2021", "Nūrsūltan"),
    ("Шоқан", "kazakh2021", "Şoqan"),
    ("Кенжебаев", "german", "Kenschebajew"),
    ("Юрий", "german", "Juri"),
    ("Сергеевич", "german", "Sergejewitsch"),
    ("Жуков", "german", "Schukow"),
    ("Василий", "german", "Wassili"),
    ("Алексей", "german", "Alexei"),
]


@pytest.mark.parametrize(("cyrillic", "scheme", "latin"), SAMPLES)
def test_transliteration_tables_round_trip_samples(cyrillic: str, scheme: str, latin: str) -> None:
    assert scheme in SCHEMES
    assert transliterate(cyrillic, scheme) == latin  # type: ignore[arg-type]
    # ... and back through the key: the Latin form and its Cyrillic original are the same name.
    assert phonetic_key(latin, scheme == "german") == phonetic_key(cyrillic)


def test_transliteration_keeps_case_and_other_characters() -> None:
    assert transliterate("ШАХ-АХМЕДОВ", "icao") == "SHAKH-AKHMEDOV"
    assert transliterate("Ильин, Ёлкин", "english") == "Ilin, Yolkin"
    assert transliterate("ИЛИЯС", "kazakh2021") == "İLİİAS"
    assert transliterate("Smith", "german") == "Smith"


def test_german_spelling_is_detected_per_record() -> None:
    assert looks_german("Kenschebajew")
    assert looks_german("Jurij", "", "Iwanow")
    assert not looks_german("Yuri", "Ivanov")
    assert not looks_german("Кенжебаев")
    assert phonetic_key("Jurij", german=True) == phonetic_key("Юрий")
    assert phonetic_key("Marija", german=True) == phonetic_key("Мария")


@pytest.mark.parametrize(
    ("token", "root", "sex", "tradition"),
    [
        ("Серикович", "серик", "m", "russian"),
        ("Сергеевна", "серге", "f", "russian"),
        ("Ильич", "иль", "m", "russian"),
        ("Никитична", "никит", "f", "russian"),
        ("Серікұлы", "серік", "m", "kazakh"),
        ("Серикулы", "серик", "m", "kazakh"),
        ("Бауыржанқызы", "бауыржан", "f", "kazakh"),
        ("Serikovich", "serik", "m", "russian"),
        ("Sergejewitsch", "sergej", "m", "russian"),
        ("Akhmetovna", "akhmet", "f", "russian"),
        ("Serikuly", "serik", "m", "kazakh"),
        ("Serikūly", "serik", "m", "kazakh"),
        ("Aidosqyzy", "aidos", "f", "kazakh"),
        ("Samatkysy", "samat", "f", "kazakh"),
        ("Mammadoglu", "mammad", "m", "kazakh"),
    ],
)
def test_patronymics_recognised_in_both_scripts(token: str, root: str, sex: str, tradition: str) -> None:
    parsed = split_patronymic(token)
    assert parsed is not None
    assert (parsed.root, parsed.sex, parsed.tradition) == (root, sex, tradition)


@pytest.mark.parametrize("token", ["Бабич", "Ахметов", "Kenzhebaev", "Nurlan", "Ич"])
def test_non_patronymics_are_not_taken_for_patronymics(token: str) -> None:
    assert split_patronymic(token) is None


def test_patronymic_forms_share_the_fathers_key() -> None:
    forms = ["Серикович", "Серікұлы", "Serik uly", "Serikovich", "Serikuly", "Серик"]
    assert {patronymic_key(f) for f in forms} == {"serik"}
    assert patronymic_key("Сергеевич") == patronymic_key("Sergeyuly") == patronymic_key("Сергей")


def test_parse_name_moves_patronymics_and_restores_order() -> None:
    inline = parse_name("Нурлан Серикович", "", "Ахметов")
    assert (inline.given, inline.patronymic, inline.surname) == ("Нурлан", "Серикович", "Ахметов")
    particle = parse_name("Нурлан Серік ұлы", "", "Ахметов")
    assert particle.patronymic == "Серікұлы"
    assert particle.patronymic_sex == "m"
    russian_order = parse_name("", "", "Ахметова Айгуль Сериковна")
    assert (russian_order.surname, russian_order.given, russian_order.patronymic) == (
        "Ахметова",
        "Айгуль",
        "Сериковна",
    )
    swapped = parse_name("Kenzhebaev", "", "Zhomart")
    assert swapped.swapped
    assert (swapped.given, swapped.surname) == ("Zhomart", "Kenzhebaev")
    assert not parse_name("Амин", "", "Ахметов").swapped


@pytest.mark.parametrize(
    ("form", "full"),
    [
        ("Дима", "Дмитрий"),
        ("Dima", "Дмитрий"),
        ("Mitya", "Дмитрий"),
        ("Саша", "Александр"),
        ("Sasha", "Александр"),
        ("Kolya", "Николай"),
        ("Серёжа", "Сергей"),
        ("Наташа", "Наталья"),
        ("Бауке", "Бауыржан"),
        ("Bauyrzhan", "Бауыржан"),
        ("Магомед", "Мухаммед"),
        ("Гуля", "Гульнара"),
    ],
)
def test_diminutives_map_to_the_full_name(form: str, full: str) -> None:
    assert canonical_given(phonetic_key(form)) == phonetic_key(full)


def test_names_without_diminutives_are_their_own_canonical_form() -> None:
    assert canonical_given(phonetic_key("Нурлан")) == phonetic_key("Нурлан")
    assert canonical_given(phonetic_key("Дмитрий")) == phonetic_key("Dmitry")


@pytest.mark.parametrize(
    ("value", "birth_year", "expected"),
    [
        ("1985-03-12", None, PartialDate(1985, 3, 12, "19850312")),
        ("12.03.1985", None, PartialDate(1985, 3, 12, "19850312")),
        ("19850312", None, PartialDate(1985, 3, 12, "19850312")),
        ("1985-03", None, PartialDate(1985, 3, None, None)),
        ("03.1985", None, PartialDate(1985, 3, None, None)),
        ("1985", None, PartialDate(1985, None, None, None)),
        (1985, None, PartialDate(1985, None, None, None)),
        ("1985-??-12", None, PartialDate(1985, None, None, None)),
        ("19851312", None, PartialDate(1985, None, None, "19851312")),
        (dt.date(1985, 3, 12), None, PartialDate(1985, 3, 12, "19850312")),
        (pd.Timestamp("1985-03-12"), None, PartialDate(1985, 3, 12, "19850312")),
        (None, 1985, PartialDate(1985, None, None, None)),
        (float("nan"), "1985", PartialDate(1985, None, None, None)),
        ("unknown", None, PartialDate()),
        ("0985", None, PartialDate()),
    ],
)
def test_partial_dates(value: object, birth_year: object, expected: PartialDate) -> None:
    assert parse_partial_date(value, birth_year) == expected


def test_region_and_skeleton_keys() -> None:
    assert region_key("Мангистауская область") == region_key("Mangystau oblysy") == region_key("Маңғыстау")
    assert region_key(None) is None
    assert consonant_skeleton("kasimbaev") == consonant_skeleton("kasimabev") == "ksmbv"


def test_normalise_records_builds_the_comparison_fields() -> None:
    records = pd.DataFrame(
        {
            "first_name": ["Нурлан", "Nurlan", None],
            "patronymic": ["Серикович", "Serik uly", None],
            "surname": ["Ахметов", "Akhmetov", "Ахметова"],
            "sex": ["м", None, None],
            "dob": ["12.03.1985", "1985-03", None],
            "birth_year": [None, None, 1990],
            "national_id": ["850312 300 123", None, None],
        }
    )
    out = normalise_records(records)
    assert list(out["unique_id"]) == [0, 1, 2]
    assert out.loc[0, "surname_key"] == out.loc[1, "surname_key"] == "aHmetov"
    assert out.loc[0, "patronymic_key"] == out.loc[1, "patronymic_key"] == "serik"
    assert list(out["sex"]) == ["m", "m", "f"]  # stated, from the patronymic, from the surname ending
    assert out.loc[1, "bd"] is pd.NA and out.loc[2, "by"] == 1990
    assert out.loc[0, "national_id"] == "850312300123"
    assert pd.isna(out.loc[2, "given_key"]) and pd.isna(out.loc[2, "region_key"])
