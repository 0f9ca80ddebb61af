"""Browser tests: Debian's chromium (``apt-get install chromium``), driven by Playwright, against the pages
served by a live test server. Playwright never downloads a browser here: it launches the system's chromium
by its path. Each test saves screenshots of the pages it visits in ``artifacts/screenshots``.

Playwright's synchronous API runs an event loop in the test's thread, which Django would take for async
code; ``DJANGO_ALLOW_ASYNC_UNSAFE`` tells it that the database calls of the test are synchronous."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from habeas.registry.services import gazetteer_seed
from habeas.standards.services import findings_evaluate
from tests.conftest import PASSWORD
from tests.factories import demo_loaded

CHROMIUM = os.environ.get("HABEAS_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
#: chromium's own connections (updates, sync, …) fail on a machine without internet; keep it quiet
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db, django_user_model) -> dict[str, object]:
    """The demo records, checked against the kz profile, and a researcher of their team."""
    from habeas.accounts.models import Membership, Role, Team

    gazetteer_seed(country="KZ")
    team = Team.objects.create(name="Monitors")
    demo_loaded(team)
    findings_evaluate(profile_name="kz")
    user = django_user_model.objects.create_user("researcher", "", PASSWORD, is_staff=True)
    Membership.objects.create(user=user, team=team, role=Role.RESEARCHER)
    return {"team": team, "user": user}


@pytest.fixture
def page(browser, live_server, demo, request):
    """A logged-in researcher's browser tab; ``shot(name)`` saves a screenshot of the page as it is."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.goto(f"{live_server.url}/admin/login/?next=/")
    tab.fill("#id_username", "researcher")
    tab.fill("#id_password", PASSWORD)
    tab.click("input[type=submit]")
    tab.wait_for_url(f"{live_server.url}/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        tab.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-{name}.png"), full_page=True)

    tab.shot = shot  # type: ignore[attr-defined]
    tab.base = live_server.url  # type: ignore[attr-defined]
    yield tab
    context.close()
