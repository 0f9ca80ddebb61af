"""A synthetic population of Kazakh and Russian detainees and the source lists that name them.

It stands in for the lists gathered after events such as Zhanaozen 2011 (an official register, released
detainees, families, lawyers, journalists) so that linkage accuracy can be measured against a known truth.
Each person has a Cyrillic given name, patronymic (from the father's name), surname, sex, date of birth,
region and national id (IIN). Each list sees a person with its own probability (times a per-person
visibility, so lists overlap unevenly) and writes the entry its own way:

* script: Cyrillic with or without the Kazakh letters (Нұрлан / Нурлан), or a Latin scheme (ICAO,
  BGN/PCGN, English, Kazakh 2021, German);
* patronymic: Russian (-ович/-овна) or Kazakh (-ұлы/-қызы, sometimes a separate word) form, in its own
  field or after the given name, or missing;
* given name replaced by a diminutive; given name and surname swapped; one typing error in a name;
* date of birth full (ISO or DD.MM.YYYY), year-month, year only (in ``dob`` or ``birth_year``) or missing,
  sometimes with a typing error; national id present or not, sometimes with a typing error;
* a few entries repeated within a list.

Everything is drawn from one ``random.Random(seed)``, so a seed gives the same lists every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import pandas as pd

from habeas.stats.linkage._names import GIVEN_NAME_GROUPS
from habeas.stats.linkage._translit import SCHEMES, Scheme, has_cyrillic, transliterate


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


KAZAKH_MALE: Final = _words(
    "Нұрлан Ерлан Серік Бауыржан Асхат Данияр Ержан Қайрат Марат Талғат Жандос Ербол Нұрсұлтан Ахмет Мұхтар Ғалым "
    "Бекзат Әлібек Арман Руслан Нұрбол Ерболат Дәурен Қанат Айдос Аслан Бақыт Берік Болат Дархан Ерік Жасұлан "
    "Жомарт Қуаныш Мақсат Мейрам Нұржан Олжас Рүстем Сәкен Самат Сұлтан Тимур Төлеген Ұлан Шыңғыс Азамат Абай "
    "Әділет Ғани Еркебұлан Жанболат Қасым Мұрат Нұрлыбек Саят Сержан Хамит Ілияс Мұхаммед"
)
KAZAKH_FEMALE: Final = _words(
    "Айгүл Гүлнар Жанар Динара Әсел Айгерім Ботагөз Гүлмира Дана Жазира Зарина Индира Камила Ләззат Мадина Назгүл "
    "Салтанат Сәуле Толқын Ұлжан Айжан Ақмарал Бибігүл Гаухар Жұлдыз Меруерт Роза Сымбат Шынар Гульнара"
)
RUSSIAN_MALE: Final = _words(
    "Александр Алексей Андрей Антон Борис Валерий Василий Виктор Владимир Вячеслав Геннадий Григорий Дмитрий "
    "Евгений Иван Игорь Константин Михаил Николай Олег Павел Пётр Роман Сергей Станислав Юрий Анатолий Виталий "
    "Леонид Максим Артём Денис Илья Кирилл Фёдор"
)
RUSSIAN_FEMALE: Final = _words(
    "Анна Галина Екатерина Елена Ирина Ксения Людмила Мария Надежда Наталья Ольга Светлана Татьяна Юлия Анастасия "
    "Вера Валентина Любовь Марина Оксана"
)
KAZAKH_SURNAME_ROOTS: Final = _words(
    "Кенже Серік Ахмет Жұма Тілеу Есен Нұр Оспан Омар Сейіт Төле Әбіш Ораз Сапар Дос Қожа Мұса Ибрагим Ысқақ "
    "Мақаш Рақым Шәріп Қасым Құдай Айт Ізбасар Тұрсын Иса Қуан Сыздық Мәмбет Ақыл Әли Нәби Қыдыр Бөкей Жақсы Қали "
    "Сағын Ермек Тоқ Бала Қара Ақ Сары Алтын Күміс Темір Жан Ер Бақ Дәулет Мырза Ота Сұлтан Шайх Ұзақ Әлім Жолдас "
    "Байтұр Қазы Мақсұт Сәрсен Тұяқ Үсен Хасен Шоқан"
)
KAZAKH_SURNAME_MIDDLES: Final = (
    "", "бай", "бек", "жан", "ғали", "тай", "бол", "құл", "мұрат", "хан", "қали", "жар", "пейіс", "сейіт", "нияз",
    "бер", "тұр", "ғазы", "ақын",
)  # fmt: skip
RUSSIAN_SURNAMES: Final = _words(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков Алексеев "
    "Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин Захаров Зайцев Соловьёв "
    "Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв "
    "Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов "
    "Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов "
    "Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов "
    "Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов Родионов Коновалов Лазарев "
    "Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников Трофимов "
    "Леонов Соболев Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов "
    "Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов Ерёмин Тихомиров Галкин "
    "Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев Харитонов Князев Цветков Левин Митрофанов "
    "Воронов Аксёнов Софронов Мальцев Логинов Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков Сафонов "
    "Плотников Дёмин Хохлов Жданов Городецкий Вишневский Ковальчук Шевченко Бондаренко Ткаченко Кравченко"
)
REGIONS: Final = (
    "Жаңаөзен",
    "Ақтау",
    "Шетпе",
    "Бейнеу",
    "Маңғыстау облысы",
    "Атырау",
    "Алматы",
    "Астана",
    "Теңге",
    "Форт-Шевченко",
)
_RUSSIFY: Final = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")
_CYRILLIC_LETTERS: Final = "абвгдежзийклмнопрстуфхцчшщыьэюя"
_LATIN_LETTERS: Final = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class SourceProfile:
    """How one list sees and writes people (probabilities of each habit)."""

    name: str
    capture: float
    scripts: tuple[tuple[str, float], ...]  # "cyrillic" or a transliteration scheme, with weights
    kazakh_letters: float = 0.5  # Cyrillic entries keeping ә, ғ, қ … rather than а, г, к …
    dob: tuple[float, float, float, float] = (0.8, 0.1, 0.05, 0.05)  # full, year-month, year, missing
    patronymic: float = 0.8
    kazakh_patronymic: float = 0.3
    patronymic_in_given: float = 0.05
    diminutive: float = 0.0
    swap: float = 0.0
    typo: float = 0.04
    dob_typo: float = 0.02
    national_id: float = 0.0
    region: float = 0.8
    sex: float = 0.9
    duplicate: float = 0.02


ZHANAOZEN_SOURCES: Final[tuple[SourceProfile, ...]] = (
    SourceProfile(
        "official_register", 0.55, (("cyrillic", 1.0),), kazakh_letters=0.3, dob=(0.92, 0.04, 0.04, 0.0),
        patronymic=0.95, kazakh_patronymic=0.1, typo=0.03, national_id=0.7, region=0.95, sex=0.95,
    ),
    SourceProfile(
        "released_detainees", 0.35, (("icao", 0.6), ("cyrillic", 0.4)), dob=(0.7, 0.1, 0.1, 0.1),
        patronymic=0.5, diminutive=0.05, swap=0.05, typo=0.05, national_id=0.3,
    ),
    SourceProfile(
        "families", 0.4, (("cyrillic", 0.8), ("english", 0.2)), kazakh_letters=0.6, dob=(0.3, 0.0, 0.4, 0.3),
        patronymic=0.6, kazakh_patronymic=0.6, diminutive=0.3, swap=0.1, typo=0.08, national_id=0.05, region=0.6,
        sex=0.5,
    ),
    SourceProfile(
        "lawyers", 0.3, (("cyrillic", 0.7), ("icao", 0.3)), dob=(0.8, 0.1, 0.1, 0.0), patronymic=0.9,
        kazakh_patronymic=0.2, typo=0.03, national_id=0.5,
    ),
    SourceProfile(
        "journalists", 0.3, (("english", 0.45), ("bgn", 0.2), ("german", 0.15), ("kazakh2021", 0.2)),
        dob=(0.2, 0.0, 0.3, 0.5), patronymic=0.2, kazakh_patronymic=0.3, diminutive=0.15, swap=0.15, typo=0.08,
        region=0.5, sex=0.3, duplicate=0.03,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    person_id: int
    kazakh: bool
    sex: str
    given: str
    father: str
    surname: str
    year: int
    month: int
    day: int
    region: str
    iin: str
    visibility: float


@dataclass(frozen=True)
class SyntheticLists:
    """The generated records (standard columns plus ``person_id``, the truth) and the people behind them."""

    records: pd.DataFrame
    people: int


def _feminine_surname(surname: str) -> str:
    for male, female in (
        ("ский", "ская"),
        ("цкий", "цкая"),
        ("ов", "ова"),
        ("ев", "ева"),
        ("ёв", "ёва"),
        ("ин", "ина"),
    ):
        if surname.endswith(male):
            return surname[: -len(male)] + female
    return surname


def _russian_patronymic(father: str, sex: str) -> str:
    if father.endswith(("ий", "ей", "ай")):
        stem = father[:-2] + ("и" if father.endswith("ий") else father[-2])
        return stem + ("евич" if sex == "m" else "евна")
    if father.endswith(("а", "я")):
        stem = father[:-1]
        return stem + ("ич" if sex == "m" else "ична")
    return father + ("ович" if sex == "m" else "овна")


@lru_cache(maxsize=1 << 16)
def _write(text: str, script: str, keep_kazakh: bool) -> str:
    cyrillic = text if keep_kazakh else text.translate(_RUSSIFY)
    if script == "cyrillic":
        return cyrillic
    return transliterate(text, _SCHEME_BY_NAME[script])


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 3:
        return text
    letters = _CYRILLIC_LETTERS if has_cyrillic(text) else _LATIN_LETTERS
    i = rng.randrange(1, len(text))
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + rng.choice(letters) + text[i:]
    if kind == 2:
        return text[:i] + rng.choice(letters) + text[i + 1 :]
    if i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text


def _digit_typo(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text))
    return text[:i] + str((int(text[i]) + rng.randrange(1, 10)) % 10) + text[i + 1 :]


_SCHEME_BY_NAME: Final[dict[str, Scheme]] = {s: s for s in SCHEMES}


def _variants() -> dict[str, tuple[str, ...]]:
    """For each name in the diminutive table, the other forms of its group, without the derived feminine
    full names the table also lists (Александра beside Александр)."""
    out: dict[str, tuple[str, ...]] = {}
    for group in GIVEN_NAME_GROUPS:
        full = group[0]
        forms = [f for f in group if not (f != full and f.startswith(full[:-1]) and len(f) > len(full))]
        for name in forms:
            out[name] = tuple(f for f in forms if f != name)
    return out


_DIMINUTIVES: Final = _variants()


def _people(n: int, rng: random.Random) -> list[Person]:
    kazakh_surnames = [root + middle for root in KAZAKH_SURNAME_ROOTS for middle in KAZAKH_SURNAME_MIDDLES]
    weights_k = [1.0 / (1 + i) ** 0.5 for i in range(len(kazakh_surnames))]
    rng.shuffle(kazakh_surnames)
    weights_r = [1.0 / (1 + i) ** 0.5 for i in range(len(RUSSIAN_SURNAMES))]
    people = []
    for pid in range(n):
        kazakh = rng.random() < 0.8
        sex = "m" if rng.random() < 0.85 else "f"
        if kazakh:
            given = rng.choice(KAZAKH_MALE if sex == "m" else KAZAKH_FEMALE)
            father = rng.choice(KAZAKH_MALE)
            root = rng.choices(kazakh_surnames, weights_k)[0]
            surname = root + ("ев" if root[-1] in "аеиоуыэюяәөұүі" or root.endswith("й") else "ов")
            surname = surname.replace("йев", "ев")
        else:
            given = rng.choice(RUSSIAN_MALE if sex == "m" else RUSSIAN_FEMALE)
            father = rng.choice(RUSSIAN_MALE)
            surname = rng.choices(RUSSIAN_SURNAMES, weights_r)[0]
        if sex == "f":
            surname = _feminine_surname(surname)
        year = min(1995, max(1945, round(rng.gauss(1978, 10))))
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        century = ("3" if year < 2000 else "5") if sex == "m" else ("4" if year < 2000 else "6")
        iin = f"{year % 100:02d}{month:02d}{day:02d}{century}{rng.randrange(10**5):05d}"
        people.append(
            Person(
                pid, kazakh, sex, given, father, surname, year, month, day, rng.choice(REGIONS), iin,
                visibility=min(2.5, rng.lognormvariate(0.0, 0.5)),
            )
        )  # fmt: skip
    return people


def _record(person: Person, source: SourceProfile, rng: random.Random) -> dict[str, object]:
    script = rng.choices([s for s, _ in source.scripts], [w for _, w in source.scripts])[0]
    keep = person.kazakh and rng.random() < source.kazakh_letters
    given = person.given
    if rng.random() < source.diminutive and _DIMINUTIVES.get(given):
        given = rng.choice(_DIMINUTIVES[given])
    patronymic = ""
    if rng.random() < source.patronymic:
        if person.kazakh and rng.random() < source.kazakh_patronymic:
            particle = "ұлы" if person.sex == "m" else "қызы"
            patronymic = person.father + (" " if rng.random() < 0.3 else "") + particle
        else:
            patronymic = _russian_patronymic(person.father.translate(_RUSSIFY).replace("ё", "е"), person.sex)
    first, patr, sur = (_write(t, script, keep) if t else "" for t in (given, patronymic, person.surname))
    if rng.random() < source.typo:
        sur = _typo(sur, rng)
    if rng.random() < source.typo:
        first = _typo(first, rng)
    if patr and rng.random() < source.patronymic_in_given:
        first, patr = f"{first} {patr}", ""
    if rng.random() < source.swap:
        first, sur = sur, first
    record: dict[str, object] = {"first_name": first, "patronymic": patr or None, "surname": sur}
    kind = rng.choices(range(4), source.dob)[0]
    dob: str | None = None
    birth_year: int | None = None
    if kind == 0:
        digits = f"{person.year:04d}{person.month:02d}{person.day:02d}"
        if rng.random() < source.dob_typo:
            digits = _digit_typo(digits, rng)
        dob = (
            f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
            if rng.random() < 0.5
            else f"{digits[6:]}.{digits[4:6]}.{digits[:4]}"
        )
    elif kind == 1:
        dob = f"{person.year:04d}-{person.month:02d}"
    elif kind == 2:
        if rng.random() < 0.5:
            dob = str(person.year)
        else:
            birth_year = person.year
    record["dob"] = dob
    record["birth_year"] = birth_year
    cyrillic = script == "cyrillic"
    record["sex"] = (
        (("м" if person.sex == "m" else "ж") if cyrillic else person.sex.upper()) if rng.random() < source.sex else None
    )
    record["region"] = _write(person.region, script, keep) if rng.random() < source.region else None
    iin = None
    if rng.random() < source.national_id:
        iin = _digit_typo(person.iin, rng) if rng.random() < 0.02 else person.iin
    record["national_id"] = iin
    record["person_id"] = person.person_id
    return record


def generate_lists(
    n_records: int, *, seed: int = 0, sources: tuple[SourceProfile, ...] = ZHANAOZEN_SOURCES
) -> SyntheticLists:
    """About ``n_records`` records (exactly, unless the people drawn give fewer) on ``sources``, shuffled,
    with ``record_id``, ``source``, the standard name/date/id columns and the true ``person_id``."""
    rng = random.Random(seed)
    per_person = sum(s.capture * (1 + s.duplicate) for s in sources)
    people = _people(int(n_records / per_person * 1.15) + 10, rng)
    rows: list[dict[str, object]] = []
    for person in people:
        for source in sources:
            if rng.random() < min(0.98, source.capture * person.visibility):
                copies = 2 if rng.random() < source.duplicate else 1
                for _ in range(copies):
                    rows.append({"source": source.name, **_record(person, source, rng)})
    rng.shuffle(rows)
    rows = rows[:n_records]
    frame = pd.DataFrame(rows)
    frame.insert(0, "record_id", [f"r{i:07d}" for i in range(len(frame))])
    frame["birth_year"] = frame["birth_year"].astype("Int64")
    return SyntheticLists(records=frame, people=int(frame["person_id"].nunique()))
