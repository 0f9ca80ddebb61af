"""Small lists typed by hand the way an NGO keeps them, with the truth of who is who.

Each set is a CSV text: ``person`` is the truth (the same number is the same person), the other columns are
what a list holds. Names are in Cyrillic (with or without the Kazakh letters) or in Latin under whatever
spelling the typist used; patronymics are there or not; dates are full, a year, or missing; there are
typing errors, namesakes, and fathers and sons of the same name born decades apart.
"""

from __future__ import annotations

import io

import pandas as pd

# Three lists after a strike: the official one, the relatives', the journalists'. 13 people.
ZHANAOZEN = """\
record_id,source,first_name,patronymic,surname,dob,person
o1,official,Ерлан,Серикович,Кенжебаев,12.03.1978,1
o2,official,Нурлан,Маратович,Досжанов,02.07.1985,2
o3,official,Асхат,Болатович,Исмагулов,1990,3
o4,official,Берик,Каримович,Оспанов,20.11.1969,4
o5,official,Гульнара,Ахметовна,Сапарова,05.01.1982,5
o6,official,Марат,Ахметович,Жумабаев,10.04.1961,6
o7,official,Серик,,Ахметов,1972,12
o8,official,Руслан,,Ибрагимов,1993,8
o9,official,Талгат,Ерикович,Омаров,06.06.1980,11
r1,relatives,Erlan,,Kenjebayev,1978,1
r2,relatives,Берик,Каримович,Оспанов,20.11.1969,4
r3,relatives,Gulnara,,Saparova,,5
r4,relatives,Marat,,Zhumabaev,15.09.1987,7
r5,relatives,Серік,,Ахметов,15.05.1972,12
r6,relatives,Айгүл,,Нұржанова,,9
r7,relatives,Бауыржан,,Сейтов,1975,10
r8,relatives,Асхат,,Исмагулов,,3
j1,journalists,Erlan,,Kenzhebaev,,1
j2,journalists,Nurlan,,Doszhanov,1985-07-02,2
j3,journalists,Askhat,,Ismagulov,1990,3
j4,journalists,Aigul,,Nurzhanova,28.02.1988,9
j5,journalists,Bauyrzhan,,Seitov,1975,10
j6,journalists,Тлагат,,Омаров,1980,11
j7,journalists,Serik,,Akhmetov,1999,13
j8,journalists,Марат,Маратович,Жумабаев,,7
j9,journalists,Берик,,Оспанов,,4
"""

# Two NGO lists and a lawyers' list with many namesakes: a father and son, a mother and daughter, two men of
# one name and patronymic born 25 years apart, diminutives, swapped name fields, typing errors. 18 people.
NAMESAKES = """\
record_id,source,first_name,patronymic,surname,dob,person
a1,ngo_a,Сергей,Петрович,Иванов,15.01.1970,1
a2,ngo_a,Сергей,Петрович,Иванов,03.08.1995,2
a3,ngo_a,Анна,,Петрова,,3
a4,ngo_a,Дима,,Смирнов,1979,4
a5,ngo_a,Виктор,,Ким,,5
a6,ngo_a,Ержан,,Кожахметов,,7
a7,ngo_a,Нурсултан,,Абенов,2001,8
a8,ngo_a,Канат,Ерланович,Мусин,1958,9
a9,ngo_a,Жанар,,Серикова,1960,11
a10,ngo_a,Тулегенов,,Ербол,1977,12
a11,ngo_a,Алексей,Иванович,Кузнецов,21.02.1990,13
a12,ngo_a,Алексей,Николаевич,Кузнецов,09.09.1964,14
a13,ngo_a,Гульмира,,Тасова,1986,15
b1,ngo_b,Sergey,,Ivanov,1970,1
b2,ngo_b,Sergei,Petrovich,Ivanov,1995,2
b3,ngo_b,Anna,Ivanovna,Petrova,01.12.1983,3
b4,ngo_b,Дмитрий,Олегович,Смирнов,11.04.1979,4
b5,ngo_b,Viktor,,Kim,1966,5
b6,ngo_b,Yerzhan,,Kozhakhmetov,10.10.1984,7
b7,ngo_b,Ерлан,Канатович,Мусин,1983,10
b8,ngo_b,Zhanar,,Serikova,1986,16
b9,ngo_b,Yerbol,,Tulegenov,1977,12
b10,ngo_b,Aleksei,Ivanovich,Kuznetsov,1990,13
b11,ngo_b,Асель,,Нурова,1992,17
b12,ngo_b,Gulmira,,Tasova,,15
c1,lawyers,Сергей,Петрович,Иванов,15.01.1970,1
c2,lawyers,Анна,Ивановна,Петрова,1983,3
c3,lawyers,Жанар,Болатовна,Серикова,12.02.1986,16
c4,lawyers,Жанар,Муратовна,Серикова,1960,11
c5,lawyers,Қожахметов,,Ержан,1984,7
c6,lawyers,Канат,,Мусин,1958,9
c7,lawyers,Алексей,Николаевич,Кузнецов,1964,14
c8,lawyers,Assel,,Nurova,1992,17
c9,lawyers,Nursultan,,Abenow,,8
c10,lawyers,Рустем,,Жаксылыков,1998,18
"""

# A relatives' list that repeats people, and a monitors' list in German and Kazakh Latin spellings, with
# typing errors and a brother pair (same surname and patronymic, different given names). 12 people.
SPELLINGS = """\
record_id,source,first_name,patronymic,surname,dob,person
f1,families,Жандос,Кайратович,Бекмуханов,1991,1
f2,families,Жандос,Кайратович,Бекмуханов,1991,1
f3,families,Даурен,Кайратович,Бекмуханов,1994,2
f4,families,Мейрам,,Шарипов,1973,3
f5,families,Наталья,,Щербакова,30.06.1981,4
f6,families,Олжас,,Жакупов,,5
f7,families,Жомарт,,Сарсенбаев,1988,6
f8,families,Мадина,,Уразова,1996,7
f9,families,Бакыт,,Касымов,1962,8
f10,families,Бакыт,,Касымов,1987,9
f11,families,Ельдар,,Юсупов,,10
f12,families,Саят,,Нургалиев,1979,11
m1,monitors,Schandos,,Bekmuchanow,1991,1
m2,monitors,Dauren,Qairatuly,Bekmukhanov,,2
m3,monitors,Meiram,,Sharipov,1973,3
m4,monitors,Natalja,,Schtscherbakowa,1981,4
m5,monitors,Olzhas,,Zhakupov,1985,5
m6,monitors,Jomart,,Sarsenbaev,1988,6
m7,monitors,Madina,,Urazova,,7
m8,monitors,Bakyt,,Kasymov,1987,9
m9,monitors,Yeldar,,Yusupov,1990,10
m10,monitors,Сайат,,Нургалиев,,11
m11,monitors,Ерлан,,Абдуллаев,1970,12
"""

SETS = {"zhanaozen": ZHANAOZEN, "namesakes": NAMESAKES, "spellings": SPELLINGS}


def load(name: str) -> pd.DataFrame:
    """One set as a frame (every column text; empty cells missing)."""
    return pd.read_csv(io.StringIO(SETS[name]), dtype=str, keep_default_na=False).replace("", None)
