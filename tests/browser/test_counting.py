"""In a real browser: the counting workspace with the UpSet chart of a run's lists, the clerical review queue
(decide a pair, see the next one replace it), and an estimate with its interval chart and posterior plot."""

from __future__ import annotations

from habeas.counting.services import estimate_run
from tests.counting.pages import build_run


def test_review_a_pair_and_read_an_estimate(page, demo):
    run = build_run(demo["team"])
    estimate_run(linkage=run, user=demo["user"], method="dga", seed=5)
    page.goto(f"{page.base}/counting/")
    assert page.locator("h1").inner_text() == "Counting the uncounted"
    upset = page.locator("#overlaps svg")
    assert upset.locator("rect.pattern").count() == 7
    assert "Lawyers' list" in (upset.text_content() or "")
    page.shot("workspace")

    page.click(f"#runs a[href='/counting/runs/{run.pk}/review/']")
    page.wait_for_selector("#pair table.pair")
    assert "Кенжебаев" in page.locator("tr[data-field=surname]").inner_text()
    assert page.locator("#pair td.diff").count() == 0  # Kenzhebaev's rows agree once normalised
    page.shot("review")
    page.fill("#id_reason", "same date of birth and patronymic")
    page.click("button.same")
    page.wait_for_selector("#pair tr[data-field=surname]:has-text('Tian')")
    assert "decided" in page.locator("#pair .notice").inner_text()
    assert page.locator("#pair td.diff").count() == 4  # birth year and place, in both rows
    assert page.url.endswith(f"/counting/runs/{run.pk}/review/")  # htmx replaced the pair, not the page
    page.shot("next-pair")

    page.goto(f"{page.base}/counting/runs/{run.pk}/")
    comparison = page.locator("#estimates svg")
    assert "loglinear" in (comparison.text_content() or "") and "dga" in (comparison.text_content() or "")
    page.shot("run")
    page.click("#estimates tr:has-text('dga') a[href*='/estimates/']")
    page.wait_for_selector("#interval svg")
    assert "observed" in (page.locator("#interval svg").text_content() or "")
    assert "median" in (page.locator("#posterior svg").text_content() or "")
    assert "What this estimate assumes" in page.locator("#assumptions").inner_text()
    page.shot("estimate")


def _hand_typed_lists(team, user):
    """The three hand-typed lists of tests/stats/small_lists.py (ZHANAOZEN) as imported lists, linked for real and
    estimated."""
    import secrets

    from django.utils import timezone

    from habeas.counting.models import ListRow, SourceList
    from habeas.counting.services import linkage_run, parse_list_date
    from habeas.evidence.models import Source
    from tests.stats.small_lists import load

    records = load("zhanaozen")
    source = Source.objects.create(key="hand-typed", title="Lists after the strike", kind="document", team=team)
    lists = {}
    for name, rows in records.groupby("source", sort=False):
        lst = SourceList.objects.create(
            team=team,
            source=source,
            title=f"{name.capitalize()} list",
            imported_at=timezone.now(),
            imported_by=user,
            file_format="csv",
            sha256=secrets.token_hex(32),
            mapping={"surname": "surname"},
            row_count=len(rows),
        )
        lists[name] = lst
        for number, row in enumerate(rows.itertuples(index=False), start=2):
            born, precision = parse_list_date(row.dob) if row.dob else (None, "day")
            ListRow.objects.create(
                source_list=lst,
                row_number=number,
                record_id=row.record_id,
                original={},
                given_name=row.first_name,
                patronymic=row.patronymic or "",
                surname=row.surname,
                born_on=born,
                born_on_precision=precision,
            )
    run = linkage_run(lists=list(lists.values()), user=user, seed=1)
    estimate_run(linkage=run, user=user, method="loglinear", seed=1)
    return run


def test_a_decision_relinks_at_once_rows_are_linked_by_hand_and_the_estimate_follows(page, demo):
    from habeas.counting.models import ClusterMember, ListRow
    from habeas.counting.selectors import latest_run, review_queue

    def person(run, record_id):
        return ClusterMember.objects.get(run=run, row__record_id=record_id).cluster

    run = _hand_typed_lists(demo["team"], demo["user"])
    pair = review_queue(run=run).first()
    assert pair is not None and person(run, pair.row_a.record_id) != person(run, pair.row_b.record_id)
    page.set_default_timeout(60_000)  # each decision links the lists again and estimates again in the request

    # the decision: the pair is linked, and the lists are linked again at once, in a new run
    page.goto(f"{page.base}/counting/runs/{run.pk}/review/")
    page.fill("#id_reason", "the journalist who wrote the list confirmed it is the same man")
    page.click("button.same")
    page.wait_for_url(lambda url: "/review/" in url and f"/runs/{run.pk}/" not in url)
    second = latest_run(run)
    assert page.url.endswith(f"/counting/runs/{second.pk}/review/")
    assert f"Linked again at once as run {second.pk}" in page.locator("ul.messages").inner_text()
    assert second.follows == run and second.reviewed_applied == 1
    assert person(second, pair.row_a.record_id) == person(second, pair.row_b.record_id)
    page.shot("relinked")

    # a link by hand: the journalists wrote 1999 for the man the relatives list as born in 1972
    page.click("a:has-text('Link or split any rows by hand')")
    page.wait_for_selector("table.people")
    assert person(second, "r5") != person(second, "j7")  # birth years differ: the linkage keeps them apart
    for record_id in ("r5", "j7"):
        page.check(f"#row-{ListRow.objects.get(record_id=record_id).pk}")
    page.fill("#id_reason", "the journalists mistyped his year of birth; his wife confirmed")
    page.click("#by-hand button.same")
    page.wait_for_url(lambda url: "/people/" in url and f"/runs/{second.pk}/" not in url)
    third = latest_run(run)
    assert page.url.endswith(f"/counting/runs/{third.pk}/people/")
    assert person(third, "r5") == person(third, "j7") and third.people == second.people - 1
    together = page.locator(f"tbody.person[data-person='{person(third, 'r5')}']")
    assert "Ахметов" in together.inner_text() and "Akhmetov" in together.inner_text()
    page.shot("linked-by-hand")

    # the estimate followed each decision
    first_estimate, last_estimate = run.estimates.get(), third.estimates.get()
    assert last_estimate.observed == third.people == first_estimate.observed - 1
    assert last_estimate.estimate != first_estimate.estimate
    page.goto(f"{page.base}/counting/runs/{third.pk}/")
    estimates = page.locator("#estimates").inner_text()
    assert f"{last_estimate.estimate:.0f}" in estimates and str(third.people) in estimates
    page.shot("estimate-after-review")
