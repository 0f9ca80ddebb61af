"""In a real browser: the search box of the page header finds Dmitri Tian by his name in Cyrillic ("Тян") and in
two Latin spellings ("Tyan", "Tian"), and finds places and allegations by their words; the language switch of
the header turns the workplace into Russian (headings, navigation, dates at their precision) and back."""

from __future__ import annotations

import re

from playwright.sync_api import expect

TIAN = re.compile(r"^Dmitri Tian$")
#: what a date written in English holds (a month's name, "about", "date unknown")
ENGLISH_DATE = re.compile(
    r"January|February|March|April|May|June|July|August|September|October|November|December|about|unknown"
)
#: the Russian catalogue's msgstr of each section of the navigation (habeas/locale/ru/LC_MESSAGES/django.po)
SECTIONS_RU = [
    "Сводка",
    "Лица",
    "Места содержания под стражей",
    "Посещения",
    "Рекомендации",
    "Источники",
    "Подсчёт",
    "Брифинги",
    "Зарегистрировать сообщение о нарушении",
]


def header_search(page, words: str) -> None:
    """Type the words into the header's search box and submit it with Enter."""
    box = page.locator("header.top form[role=search] #top-search")
    box.fill(words)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))


def test_search_from_the_header_finds_people_in_any_script_places_and_allegations(page):
    results = page.locator("#results")
    people = results.locator("#hits-person")

    # from the dashboard, in Cyrillic and then in one Latin spelling, through the header's box
    for typed, shot in (("Тян", "cyrillic"), ("Tyan", "tyan")):
        header_search(page, typed)
        assert page.locator("h1").inner_text() == "Search"
        expect(page.locator("#search-q")).to_have_value(typed)
        expect(page.locator("#top-search")).to_have_value(typed)  # the header keeps the query
        expect(people.get_by_role("link", name=TIAN)).to_be_visible()
        expect(people.get_by_role("link", name="Roza Tuletaeva", exact=True)).to_have_count(0)
        expect(results.locator(".summary")).to_contain_text(f"for “{typed}”")
        page.shot(f"search-{shot}")

    # the search page's own box: the results follow as one types (htmx), and the address says what was typed
    page.fill("#search-q", "")
    page.locator("#search-q").press_sequentially("Tian", delay=50)
    expect(page).to_have_url(re.compile(r"q=Tian"))
    expect(results.locator(".summary")).to_contain_text("for “Tian”")
    expect(people.get_by_role("link", name=TIAN)).to_be_visible()
    page.shot("search-tian")

    people.get_by_role("link", name=TIAN).click()
    page.wait_for_url(re.compile(r"/persons/\d+/$"))
    assert page.locator("h1").inner_text() == "Dmitri Tian"
    assert "Дмитрий Тян" in page.locator("#facts").inner_text()
    transfer = page.locator("#timeline li.entry", has_text="Transferred")
    expect(transfer).to_contain_text("Kostanai")
    expect(transfer).to_contain_text("November 2010")
    page.shot("person-file")

    # a place, by the name of its town
    header_search(page, "Kostanai")
    places = results.locator("#hits-place")
    expect(places.get_by_role("link", name=re.compile(r"^Prison A in Kostanai province"))).to_be_visible()
    expect(places.get_by_role("link", name=re.compile(r"^Prison B in Kostanai province"))).to_be_visible()
    expect(places.get_by_role("link", name="High-security prison in Arqalyk")).to_have_count(0)
    page.shot("search-kostanai")

    header_search(page, "Arqalyk")
    arqalyk = places.get_by_role("link", name="High-security prison in Arqalyk")
    expect(arqalyk).to_be_visible()
    expect(places.get_by_role("link", name=re.compile(r"Kostanai"))).to_have_count(0)
    page.shot("search-arqalyk")
    arqalyk.click()
    page.wait_for_url(re.compile(r"/places/\d+/$"))
    assert page.locator("h1").inner_text() == "High-security prison in Arqalyk"
    page.shot("place")

    # an allegation, by words of its summary, with the words in context
    header_search(page, "withdrew confessions")
    allegations = results.locator("#hits-allegation")
    expect(allegations.locator("li")).to_have_count(1)
    expect(allegations.get_by_role("link")).to_have_text(re.compile(r"37 defendants in the Zhanaozen trial"))
    expect(allegations.locator("blockquote.snippet")).to_contain_text("withdrew their confessions")
    page.shot("search-allegation")


def test_switch_the_interface_to_russian_and_back(page):
    language = page.locator("header.top form.language")
    expect(language.get_by_role("button", name="EN")).to_have_attribute("aria-current", "true")
    assert page.locator("h1").inner_text() == "Dashboard"

    language.get_by_role("button", name="RU").click()
    expect(page.locator("h1")).to_have_text("Сводка")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(language.get_by_role("button", name="RU")).to_have_attribute("aria-current", "true")
    assert page.locator("nav.sections a").all_inner_texts() == SECTIONS_RU
    expect(page.locator("nav.sections a[aria-current=page]")).to_have_text("Сводка")
    placeholder = "Поиск лиц, мест, сообщений о нарушениях, документов"
    expect(page.locator("#top-search")).to_have_attribute("placeholder", placeholder)
    expect(page.locator("header.top .account")).to_contain_text("Выйти")
    page.shot("dashboard-ru")

    # Dmitri Tian's file, found through the header's box: the page in Russian, his dates in Russian at their precision
    header_search(page, "Тян")
    expect(page.locator("h1")).to_have_text("Поиск")
    page.locator("#hits-person").get_by_role("link", name=TIAN).click()
    page.wait_for_url(re.compile(r"/persons/\d+/$"))
    assert page.locator("h1").inner_text() == "Dmitri Tian"
    expect(page.locator("p.crumbs a")).to_have_text("Лица")
    expect(page.locator("#facts h2")).to_have_text("Сведения")
    expect(page.locator("#timeline h2")).to_have_text("Хронология")
    timeline = page.locator("#timeline")
    transferred = page.locator(".item > .kind", has_text=re.compile(r"^Этапирование$"))
    transfer = timeline.locator("li.entry").filter(has=transferred)
    expect(transfer).to_contain_text("Kostanai")
    expect(transfer.locator(".date").first).to_have_text(re.compile(r"^ноябрь 2010", re.IGNORECASE))
    dates = " · ".join(timeline.locator(".date").all_inner_texts())
    assert "дата неизвестна" in dates and not re.search(ENGLISH_DATE, dates), dates
    page.shot("person-file-ru")

    page.locator("nav.sections").get_by_role("link", name="Места содержания под стражей").click()
    page.wait_for_url("**/places/")
    expect(page.locator("h1")).to_have_text("Места содержания под стражей")
    expect(page.get_by_role("link", name="Карта мест и этапирований")).to_be_visible()
    headings = page.locator("table.places thead th").all_inner_texts()
    assert "Тип" in headings and "Ведомство" in headings, headings
    arqalyk = page.locator("table.places tbody tr", has_text="High-security prison in Arqalyk")
    expect(arqalyk.locator("td").nth(1)).to_have_text("учреждение максимальной безопасности")
    page.shot("places-ru")

    # and back to English, on the page one is on
    language.get_by_role("button", name="EN").click()
    expect(page.locator("h1")).to_have_text("Places of detention")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/places/$"))
    assert page.locator("nav.sections a").first.inner_text() == "Dashboard"
    page.shot("places-en")
