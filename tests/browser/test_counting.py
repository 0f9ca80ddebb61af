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
