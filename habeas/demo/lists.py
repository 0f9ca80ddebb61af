"""Illustrative lists for the demo: the people detained in Zhanaozen in December 2011, as three kinds of source
would list them — the authorities' official list, relatives' and lawyers' lists, and journalists' list.

The briefing's central complaint is that nobody established how many were detained: the General Prosecutor's
Office spoke of 16 arrested and over 130 detained, while other sources put up to 700 names on the list of the
town's central police station. The demo has no real list, so these are made up (``habeas.stats.linkage.synthetic``,
seed 2011): every name is SYNTHETIC, each list is marked illustrative on every page that shows it and on the
estimates made from it, and no figure they give is a finding about Zhanaozen. They show a newcomer the whole
workflow — lists in Cyrillic and in several Latin transliterations, linked into people, and the number nobody
recorded estimated with its interval.
"""

from __future__ import annotations

from typing import Any

from habeas.counting.models import EstimateRun
from habeas.counting.services import estimate_run, linkage_run, list_import
from habeas.evidence.services import source_create
from habeas.stats.linkage.synthetic import SourceProfile, generate_lists

SEED = 2011
#: about as many rows as three such lists would hold for a few hundred people detained
RECORDS = 330
EVENT = "Zhanaozen, 16–17 December 2011 (illustrative lists: synthetic names)"
#: how each kind of source sees and writes people; dates of birth without the typing errors that make them
#: impossible (an import refuses a list with one until it is corrected)
SOURCES = (
    SourceProfile(
        "official", 0.45, (("cyrillic", 1.0),), kazakh_letters=0.3, dob=(0.9, 0.05, 0.05, 0.0), patronymic=0.95,
        kazakh_patronymic=0.1, typo=0.03, national_id=0.7, region=0.95, sex=0.95, dob_typo=0.0,
    ),
    SourceProfile(
        "relatives_lawyers", 0.4, (("cyrillic", 0.7), ("icao", 0.3)), kazakh_letters=0.6, dob=(0.5, 0.1, 0.3, 0.1),
        patronymic=0.7, kazakh_patronymic=0.5, diminutive=0.15, swap=0.05, typo=0.06, national_id=0.3, region=0.7,
        sex=0.7, dob_typo=0.0,
    ),
    SourceProfile(
        "journalists", 0.3, (("english", 0.5), ("bgn", 0.2), ("kazakh2021", 0.3)), dob=(0.2, 0.0, 0.3, 0.5),
        patronymic=0.2, kazakh_patronymic=0.3, diminutive=0.1, swap=0.1, typo=0.08, region=0.5, sex=0.3, dob_typo=0.0,
    ),
)  # fmt: skip
#: each list's source: its key and title
TITLES = {
    "official": ("illustrative-official-list", "Illustrative official list of people detained (synthetic names)"),
    "relatives_lawyers": (
        "illustrative-relatives-lawyers-list",
        "Illustrative list of relatives and lawyers (synthetic names)",
    ),
    "journalists": ("illustrative-journalists-list", "Illustrative list of journalists (synthetic names)"),
}
#: the generator's columns → the fields of a list
MAPPING = {
    "record_id": "record_id",
    "given_name": "first_name",
    "patronymic": "patronymic",
    "surname": "surname",
    "sex": "sex",
    "born_on": "dob",
    "birth_year": "birth_year",
    "region": "region",
    "national_id": "national_id",
}


def demo_lists(*, team: Any, user: Any) -> EstimateRun:
    """Import the three illustrative lists into ``team`` as ``user``, link them and estimate the total (log-linear
    models): the estimate the demo's dashboard shows."""
    rows = generate_lists(RECORDS, seed=SEED, sources=SOURCES).records.drop(columns=["person_id"])
    lists = []
    for profile in SOURCES:
        key, title = TITLES[profile.name]
        source = source_create(user=user, team_id=team.pk, key=key, title=title, kind="document", reliability="unknown")
        content = rows[rows["source"] == profile.name].drop(columns=["source"]).to_csv(index=False).encode("utf-8")
        lists.append(
            list_import(
                source=source,
                content=content,
                name=f"{key}.csv",
                mapping=MAPPING,
                team=team,
                user=user,
                encoding="utf-8",
                title=title,
                event=EVENT,
                illustrative=True,
            )
        )
    run = linkage_run(lists=lists, user=user, seed=SEED)
    return estimate_run(linkage=run, user=user, method="loglinear", seed=SEED)
