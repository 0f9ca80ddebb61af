"""In a real browser: find Dmitri Tian by typing his name in Cyrillic ("Тян") and in two Latin spellings
("Tyan", "Tian"), open his file, and see his transfer to Kostanai and the finding that his wife was not told;
then narrow the timeline to custody (htmx replaces the timeline alone)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

TIAN = re.compile(r"^Dmitri Tian$")


def test_find_dmitri_tian_in_any_script_and_open_his_file(page):
    page.goto(f"{page.base}/")
    page.click("nav.sections >> text=People")
    page.wait_for_url("**/persons/")
    assert page.locator("h1").inner_text() == "People"
    page.shot("person-list")

    results = page.locator("#results")
    for typed, shot in (("Тян", "cyrillic"), ("Tyan", "tyan"), ("Tian", "tian")):
        page.fill("#id_name", typed)  # the table follows as one types (htmx)
        expect(page).to_have_url(re.compile(r"name="))
        expect(results.get_by_role("link", name=TIAN)).to_be_visible()
        expect(results.get_by_role("link", name="Roza Tuletaeva", exact=True)).to_have_count(0)
        page.shot(f"person-list-{shot}")
    page.fill("#id_name", "")
    page.press("#id_name", "Enter")  # the form works without htmx too
    expect(results.get_by_role("link", name="Roza Tuletaeva", exact=True)).to_be_visible()
    page.fill("#id_name", "Tian")
    expect(results.get_by_role("link", name=TIAN)).to_be_visible()

    results.get_by_role("link", name=TIAN).click()
    page.wait_for_url(re.compile(r"/persons/\d+/$"))
    assert page.locator("h1").inner_text() == "Dmitri Tian"
    assert "Дмитрий Тян" in page.locator("#facts").inner_text()
    timeline = page.locator("#timeline")
    transfer = timeline.locator("li.entry", has_text="Transferred")
    expect(transfer).to_contain_text("Kostanai")
    expect(transfer).to_contain_text("November 2010")
    expect(transfer.locator(".sources")).to_contain_text("Old habits")
    notification = timeline.locator("li.entry", has_text="Notification of transfer")
    expect(notification.locator(".findings")).to_contain_text("MANDELA-68-NOTIFY-FAMILY")
    expect(notification.locator(".findings")).to_contain_text("learned of the transfer 32 to 91 days after it")
    page.shot("person-file")

    timeline.get_by_role("link", name="accountability").click()  # htmx: the timeline alone is replaced
    expect(page.locator("#timeline nav.kinds a[aria-current]")).to_have_text("accountability")
    expect(page.locator("#timeline")).not_to_contain_text("Transferred")
    expect(page.locator("#timeline")).to_contain_text("CAT-12-PROMPT-IMPARTIAL-INVESTIGATION")
    assert page.locator("h1").inner_text() == "Dmitri Tian"  # the rest of the page stayed
    expect(page).to_have_url(re.compile(r"kind=accountability"))
    page.shot("person-file-accountability")
