"""In a real browser: log in and see the dashboard."""

from __future__ import annotations


def test_log_in_and_see_the_dashboard(page):
    assert page.locator("h1").inner_text() == "Dashboard"
    funnel = page.locator("#funnel svg")
    assert "alleged" in (funnel.text_content() or "")
    assert page.locator("#findings svg").count() == 1
    page.shot("dashboard")
