"""In a real browser: the register of places of detention, filtered by type; a place's page and its map; the
map of all places with the stays beside it."""

from __future__ import annotations

import re


def test_open_the_register_filter_by_type_open_a_place_and_see_its_map(page):
    page.goto(f"{page.base}/places/")
    assert page.locator("h1").inner_text() == "Places of detention"
    rows = page.locator("table.places tbody tr")
    assert rows.count() == 5
    page.shot("register")

    # choosing a type refreshes the register through htmx, and the address says what was chosen
    page.select_option("#id_kind", "prison")
    page.wait_for_url(re.compile(r"kind=prison"))
    page.wait_for_function("document.querySelectorAll('table.places tbody tr').length === 2")
    names = page.locator("table.places tbody tr td:first-child").all_inner_texts()
    assert all(name.startswith("Prison") and "Kostanai" in name for name in names)
    page.shot("register-prisons")

    # an unknown type in the address gets a message, not an error page
    page.goto(f"{page.base}/places/?kind=castle")
    assert "There is no type of place called “castle”" in page.locator(".errorlist").inner_text()

    page.goto(f"{page.base}/places/")
    page.get_by_role("link", name="High-security prison in Arqalyk").click()
    page.wait_for_url(re.compile(r"/places/\d+/$"))
    assert page.locator("h1").inner_text() == "High-security prison in Arqalyk"
    people = page.locator("#people").inner_text()
    assert "Aron Atabek" in people and "1,650 km" in people and "Almaty" in people
    assert "MANDELA-44-PROLONGED-SOLITARY" in page.locator("#findings").inner_text()
    small_map = page.locator("#map svg")
    assert small_map.count() == 1
    map_text = small_map.text_content() or ""
    assert "Almaty" in map_text and "High-security prison in" in map_text
    assert page.locator("#map svg line.home-link").count() >= 1  # from his home in Almaty
    box = small_map.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 150
    page.shot("place")

    page.get_by_role("link", name="All places on the map").click()
    page.wait_for_url(re.compile(r"/places/map/"))
    big_map = page.locator("figure.map svg")
    assert big_map.locator("circle.place").count() == 4  # the prison hospital has no locality
    assert "Zhanaozen" in (big_map.text_content() or "")
    stays = page.locator("#stays").inner_text()
    assert "Oleg Evloev" in stays and "Astana (family's)" in stays and "800 km" in stays
    assert "Prison hospital" in page.locator("#stays .hint").last.inner_text()  # not on the map, and said so
    page.shot("map")
