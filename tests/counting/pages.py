"""The counting app's workplace pages in the access matrix (tests/accounts/test_authorisation_matrix.py): the
status each persona gets on each page, and the URL arguments of the pages that take some.

The demo data of the ``world`` fixture has no lists, so ``counting_demo`` builds a small counting study for
team A the first time a page asks for it: three lists of a source, a linkage run with its clusters and two
pairs awaiting review (Кенжебаев / Kenzhebaev and Тян / Tian), and a log-linear estimate. The run is written
directly (no Splink) so that it is quick and its pairs are known.

Importing a list from the web is for those who may write in a team; its second step is the page of one upload,
which is its uploader's alone (``member_upload``): nobody else finds it."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from tests.conftest import PERSONAS, READERS
from tests.pages import MEMBER_PAGE, RECORD_PAGE, WRITE_PAGE

PAGES: dict[str, dict[str, int]] = {
    "counting": MEMBER_PAGE,
    "list_import_start": WRITE_PAGE,
    "list_import_map": {
        **dict.fromkeys(PERSONAS, 404),
        "anonymous": 302,
        "member": 200,
        **dict.fromkeys(READERS, 403),
    },
    "linkage_run_detail": RECORD_PAGE,
    "review_queue": RECORD_PAGE,
    "run_people": RECORD_PAGE,
    "estimate_detail": RECORD_PAGE,
}

#: how many people each capture pattern over the three lists holds, besides the two named people
PATTERNS: dict[tuple[int, int, int], int] = {
    (1, 0, 0): 20,
    (0, 1, 0): 15,
    (0, 0, 1): 12,
    (1, 1, 0): 8,
    (1, 0, 1): 6,
    (0, 1, 1): 5,
    (1, 1, 1): 2,
}
#: the named people, as each list writes them: (surname, given name, patronymic, sex, born, precision, region)
NAMED = [
    [
        ("Кенжебаев", "Ерлан", "Серикович", "m", dt.date(1975, 3, 2), "day", "Жанаозен"),
        ("Kenzhebaev", "Erlan", "Serikovich", "m", dt.date(1975, 3, 2), "day", "Zhanaozen"),
        ("Kenjebayev", "Erlan", "", "m", dt.date(1975, 1, 1), "year", "Zhanaozen"),
    ],
    [
        ("Тян", "Дмитрий", "Александрович", "m", dt.date(1980, 1, 1), "year", "Актау"),
        ("Tian", "Dmitriy", "", "m", dt.date(1981, 1, 1), "year", "Kostanai"),
        ("Тян", "Дмитрий", "", "m", None, "day", "Актау"),
    ],
]


def counting_demo() -> dict[str, Any]:
    """Team A's counting study (built once per test database): ``run``, ``estimate``, ``pairs`` (the two pending
    review pairs, Kenzhebaev's first), ``lists``."""
    from habeas.accounts.models import Team
    from habeas.counting.models import EstimateRun, LinkageRun, ReviewPair

    team = Team.objects.get(name="A")
    run = LinkageRun.objects.filter(team=team, config__demo=True).first()
    if run is None:
        run = build_run(team)
    return {
        "run": run,
        "lists": list(run.lists.order_by("pk")),
        "estimate": EstimateRun.objects.filter(linkage=run).order_by("pk").first(),
        "pairs": list(ReviewPair.objects.filter(run=run).order_by("pk")),
    }


def build_run(team: Any, *, estimate: bool = True) -> Any:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from habeas.counting.models import ClusterMember, LinkageRun, ListRow, ReviewPair, SourceList
    from habeas.counting.services import estimate_run
    from habeas.evidence.models import Source

    user = get_user_model().objects.filter(memberships__team=team, memberships__role="researcher").first()
    source, _ = Source.objects.get_or_create(
        key=f"counting-demo-{team.pk}", defaults={"title": "Lists of the detained", "kind": "official", "team": team}
    )
    now = timezone.now()
    titles = ["Official register", "Lawyers' list", "Families' list"]
    lists = [
        SourceList.objects.create(
            team=team,
            source=source,
            title=title,
            imported_at=now,
            imported_by=user,
            file_format="csv",
            sha256=secrets.token_hex(32),
            mapping={"surname": "surname"},
            row_count=0,
        )
        for title in titles
    ]
    rows: list[tuple[int, int, ListRow]] = []  # (cluster, list index, row)
    numbers = [0, 0, 0]

    def add(cluster: int, which: int, **fields: Any) -> None:
        numbers[which] += 1
        row = ListRow(source_list=lists[which], row_number=numbers[which] + 1, original={}, **fields)
        rows.append((cluster, which, row))

    for cluster, person in enumerate(NAMED):
        for which, (surname, given, patronymic, sex, born, precision, region) in enumerate(person):
            add(
                cluster,
                which,
                surname=surname,
                given_name=given,
                patronymic=patronymic,
                sex=sex,
                born_on=born,
                born_on_precision=precision,
                region=region,
            )
    cluster = len(NAMED)
    for pattern, count in PATTERNS.items():
        for _ in range(count):
            for which, on in enumerate(pattern):
                if on:
                    add(cluster, which, surname=f"Person {cluster}", given_name="A.", sex="f" if cluster % 3 else "m")
            cluster += 1
    ListRow.objects.bulk_create([row for _, _, row in rows])
    for which, lst in enumerate(lists):
        lst.row_count = numbers[which]
        lst.save(update_fields=["row_count"])
    run = LinkageRun.objects.create(
        team=team,
        config={"demo": True, "built_by": "tests.counting.pages"},
        seed=1,
        started_at=now,
        finished_at=now,
        status=LinkageRun.Status.DONE,
        records=len(rows),
        people=cluster,
        links=len(rows) - cluster,
        pairs_to_review=2,
        created_by=user,
    )
    run.lists.set(lists)
    ClusterMember.objects.bulk_create([ClusterMember(run=run, row=row, cluster=c) for c, _, row in rows])
    for person, probability in ((0, 0.62), (1, 0.55)):
        a, b = sorted(row.pk for c, which, row in rows if c == person and which < 2)
        ReviewPair.objects.create(run=run, row_a_id=a, row_b_id=b, match_probability=probability, match_weight=0.7)
    if estimate:
        estimate_run(linkage=run, user=user, method="loglinear", seed=1)
    return run


def member_upload() -> str:
    """The token of a small list that the member of team A uploaded and the worker read, not imported yet."""
    from django.contrib.auth import get_user_model

    from habeas.counting.services import list_upload_read, list_upload_store
    from habeas.evidence.models import Source

    source = Source.objects.filter(team__name="A").order_by("pk").first()
    assert source is not None
    content = "Фамилия,Имя\r\nТян,Дмитрий\r\n".encode()
    user = get_user_model().objects.get(username="member")
    token = list_upload_store(content=content, name="list.csv", source=source, user=user)
    list_upload_read(token=token, user=user)  # as the job started by the upload does
    return token


URL_ARGUMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "list_import_map": lambda: {"token": member_upload()},
    "linkage_run_detail": lambda: {"pk": counting_demo()["run"].pk},
    "review_queue": lambda: {"pk": counting_demo()["run"].pk},
    "run_people": lambda: {"pk": counting_demo()["run"].pk},
    "estimate_detail": lambda: {"pk": counting_demo()["estimate"].pk},
}
