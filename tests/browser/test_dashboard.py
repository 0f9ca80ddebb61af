"""In a real browser: log in, see the dashboard, run the check and watch its progress."""

from __future__ import annotations

from django.core.management import call_command


def test_log_in_and_see_the_dashboard(page):
    assert page.locator("h1").inner_text() == "Dashboard"
    funnel = page.locator("#funnel svg")
    assert "alleged" in (funnel.text_content() or "")
    assert page.locator("#findings svg").count() == 1
    page.shot("dashboard")


def test_run_the_check_and_watch_its_progress(page):
    """The check runs as a job; the page polls its progress until the worker has finished it."""
    page.click("text=Run the check")
    page.wait_for_selector("#job-progress")
    assert "waiting for the worker" in page.inner_text("#job-progress")
    page.shot("check-queued")
    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0)
    page.wait_for_selector("text=See the result", timeout=30_000)
    page.shot("check-done")
    page.click("text=See the result")
    page.wait_for_selector("#funnel svg")
