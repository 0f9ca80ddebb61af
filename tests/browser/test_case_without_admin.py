"""In a real browser, in English, Russian and Kazakh: a lawyer records a case on the workplace's own pages, never
the admin — the allegation through the intake (beaten on arrest by the city police), held from 10 March 2012 at
10:00 to 15 March at 17:00 and never brought before a judge, a complaint to the prosecutor, an investigation by
the internal security service of the ministry whose police are accused — and then sees on the person's file the
findings on the prompt appearance before a judge and on the same-agency investigation, and the live clock: the
complaint unanswered, its deadline exceeded, in the page's language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from habeas.evidence.models import Source
from habeas.registry.models import Organisation


@pytest.fixture
def case(demo) -> dict[str, object]:
    """The ministry whose police are accused, with its internal security service, the prosecutor, and the team's
    source of the case."""
    team = demo["team"]
    ministry = Organisation.objects.create(team=team, name="Ministry of Internal Affairs (case)", kind="ministry")
    police = Organisation.objects.create(team=team, name="City police (case)", kind="unit", parent=ministry)
    security = Organisation.objects.create(
        team=team, name="Internal Security Service (case)", kind="service", parent=ministry
    )
    prosecutor = Organisation.objects.create(team=team, name="City prosecutor's office (case)", kind="prosecutor")
    Source.objects.create(team=team, key="saparov-lawyer", title=LAWYERS_NOTES, kind="interview")
    return {"police": police, "security": security, "prosecutor": prosecutor}


#: "exceeded by … days" as the clock says it in each language (habeas/locale/*/LC_MESSAGES/django.po)
EXCEEDED = {
    "en": r"exceeded by [\d,.\s]+ days",
    "ru": r"срок превышен на [\d,.\s]+ д",
    "kk": r"мерзімі [\d,.\s]+ күнге өтіп кетті",
}


def _intake(page, case, language: str) -> str:
    """Type the allegation through the intake's steps (by the fields' names, whatever the language); returns the
    address of the victim's file it leads to."""
    page.goto(f"{page.base}/intake/")
    page.click("#start")
    steps = [
        ("who", {"#id_name": "Erlan Saparov"}),
        ("when", {"#id_happened_on": "10.03.2012", "#id_circumstances": "on arrest"}),
        ("what", {"#id_account": "Beaten on arrest until he signed a confession."}),
        ("perpetrators", {}),
        ("injuries", {}),
        ("witnesses", {}),
        ("consent", {}),
        ("source", {"#id_page": "3"}),
    ]
    for slug, fields in steps:
        page.wait_for_url(re.compile(rf"/intake/\d+/{slug}/$"))
        for selector, text in fields.items():
            page.fill(selector, text)
        if slug == "when":
            page.select_option("#id_place", label="Zhanaozen main police station")
        elif slug == "perpetrators":
            page.select_option("#id_form-0-unit", str(case["police"].pk))
        elif slug == "consent":
            page.check("#id_consent_record")
            page.check('input[name="consent_use"][value="complaints"]')
        elif slug == "source":
            page.select_option("#id_source", index=1)
        page.locator('button[name="go"][value="next"]').click()
    page.wait_for_url(re.compile(r"/intake/\d+/review/$"))
    page.shot(f"{language}-intake-review")
    page.locator("#review button.primary").click()
    page.wait_for_url(re.compile(r"/persons/\d+/$"))
    return page.url


#: the source of the team every form of the case cites but the first, which types a new one
LAWYERS_NOTES = "Interview with Erlan Saparov's lawyer (case)"


def _cite(page, locator: str) -> None:
    page.select_option("#id_source", label=LAWYERS_NOTES)
    page.fill("#id_locator", locator)


def _save(page) -> None:
    page.locator("#record-form button[type=submit]").click()


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_a_lawyer_records_the_case_and_sees_the_findings_without_the_admin(page, case, language):
    visited: list[str] = []
    page.on("framenavigated", lambda frame: visited.append(frame.url))
    page.locator("header.top form.language").get_by_role("button", name=language.upper()).click()
    page.wait_for_load_state()
    file_url = _intake(page, case, language)

    # the custody: apprehension and release typed with their times, no judge
    page.locator('a[href*="/custody/new/"]').click()
    page.fill("#id_apprehended_at", "10.03.2012 10:00")
    page.fill("#id_released_at", "15.03.2012 17:00")
    page.fill("#id_source_title", "Erlan Saparov's complaint to the prosecutor (case)")
    page.select_option("#id_source_kind", "document")
    page.fill("#id_locator", "p. 1")
    page.shot(f"{language}-custody")
    _save(page)
    page.wait_for_url(file_url)

    # the complaint, from the allegation on the file
    page.locator('a[href*="/complaints/new/"]').first.click()
    page.fill("#id_lodged_on", "16.03.2012")
    page.select_option("#id_lodged_with", str(case["prosecutor"].pk))
    _cite(page, "minute 12")
    page.shot(f"{language}-complaint")
    _save(page)
    page.wait_for_url(file_url)

    # the investigation by the ministry's own service
    page.locator('a[href*="/investigations/new/"]').first.click()
    page.select_option("#id_kind", "check")
    page.fill("#id_subject", "the beating on arrest")
    page.select_option("#id_body", str(case["security"].pk))
    page.fill("#id_opened_on", "20.03.2012")
    page.select_option("#id_outcome", "no_case")
    _cite(page, "minute 20")
    page.shot(f"{language}-investigation")
    _save(page)
    page.wait_for_url(file_url)

    page.reload()
    page.shot(f"{language}-file")
    body = page.locator("#timeline").inner_text()
    assert "ICCPR-09-3-PROMPT-JUDGE-48H" in body
    assert "IMP-02-SAME-AGENCY-INVESTIGATES" in body or "IP-INDEPENDENCE" in body
    # the live clock: the complaint to the prosecutor has had no answer since 2012
    complaint = page.locator("#clock tr.clock-complaint")
    expect(complaint).to_have_count(1)
    assert re.search(EXCEEDED[language], complaint.inner_text()), complaint.inner_text()
    assert "City prosecutor's office (case)" in complaint.inner_text()
    assert page.locator("html").get_attribute("lang") == language
    assert not [url for url in visited if re.search(r"/admin/(?!login)", url)]
