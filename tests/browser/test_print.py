"""Printing: a person's file and a list on A4 — no navigation or controls, the timeline at the full width of
the page, the findings under the facts they judge, sources numbered. Chromium prints to PDF, pypdf reads it."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tests.browser.conftest import SCREENSHOTS


def printed(page, name: str) -> list[str]:
    """The text of each A4 page of the page printed as chromium prints it (kept in the screenshots folder)."""
    pdf = page.pdf(format="A4", print_background=False)
    (SCREENSHOTS / f"{name}.pdf").write_bytes(pdf)
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def test_a_persons_file_prints_at_full_width_without_the_navigation(page):
    page.goto(f"{page.base}/persons/?name=Tian")
    page.get_by_role("link", name=re.compile(r"^Dmitri Tian$")).click()
    page.wait_for_url(re.compile(r"/persons/\d+/$"))
    page.emulate_media(media="print")
    main = page.locator("main").bounding_box()
    item = page.locator("#timeline li.entry .item").first.bounding_box()
    assert item["width"] > 0.9 * main["width"]  # on screen the findings take a column beside it
    assert page.locator("header.top").is_hidden() and page.locator("nav.kinds").is_hidden()
    pages = printed(page, "print-person-file")
    text = "\n".join(pages)
    assert "Dmitri Tian" in pages[0]
    for control in ("Log out", "Records (admin)", "Dashboard", "Show:", "Record a custody", "add: "):
        assert control not in text, control
    assert "Timeline" in text and "Kostanai" in text
    assert "[1] " in text and "[2] " in text  # sources numbered in order


def test_a_list_prints_without_its_filters_and_pages(page):
    page.goto(f"{page.base}/persons/")
    page.emulate_media(media="print")
    assert page.locator("form.filter").is_hidden()
    table = page.locator("table.list").bounding_box()
    assert table["width"] > 0.9 * page.locator("main").bounding_box()["width"]
    text = "\n".join(printed(page, "print-person-list"))
    assert "Roza Tuletaeva" in text
    for control in ("Log out", "Find", "Name, in any script", "Next"):
        assert control not in text, control
