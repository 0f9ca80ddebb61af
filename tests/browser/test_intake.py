"""In a real browser: record a new allegation through every step of the intake, with a date in the future refused
and corrected on the way, and see the result."""

from __future__ import annotations

import datetime as dt
import re


def save(page, step: str) -> None:
    page.shot(step)
    page.get_by_role("button", name="Save and continue").click()


def test_record_a_new_allegation_step_by_step(page):
    page.goto(f"{page.base}/intake/")
    page.shot("drafts")
    page.click("#start")

    # 1. who: the search finds people in any script (an htmx fragment), but this victim is new
    page.wait_for_url(re.compile(r"/intake/\d+/who/$"))
    page.fill("#id_search", "Тян")
    page.get_by_role("button", name="Find").click()
    page.locator("#field-person label").first.wait_for()
    assert "Dmitri Tian" in page.locator("#field-person").inner_text()
    page.fill("#id_name", "Ерлан Сапаров")
    page.fill("#id_other_name", "Erlan Saparov")
    page.select_option("#id_sex", "m")
    page.fill("#id_birth_year", "1985")
    save(page, "1-who")

    # 2. when and where: a date in the future is refused, with what was typed kept, then corrected
    page.wait_for_url(re.compile(r"/when/$"))
    future = f"{dt.date.today().year + 1}-03-01"
    page.fill("#id_happened_on", future)
    page.select_option("#id_place", label="Zhanaozen main police station")
    page.fill("#id_circumstances", "during interrogation")
    page.select_option("#id_in_custody", "yes")
    save(page, "2-when")
    error = page.locator("#field-happened_on .errorlist")
    assert "the date is in the future" in error.inner_text()
    assert page.input_value("#id_happened_on") == future
    assert page.input_value("#id_circumstances") == "during interrogation"
    page.shot("2-when-error")
    page.fill("#id_happened_on", "2011-12-16")
    save(page, "2-when-corrected")

    # 3. what
    page.wait_for_url(re.compile(r"/what/$"))
    page.get_by_label("beating with fists or objects").check()
    page.get_by_label("suffocation with a plastic bag or gas mask").check()
    page.fill("#id_account", "They put a bag over my head until I signed.")
    page.fill("#id_purpose", "to obtain a confession")
    save(page, "3-what")

    # 4. who did it
    page.wait_for_url(re.compile(r"/perpetrators/$"))
    page.fill("#id_form-0-name", "Captain Zhumabekov")
    page.select_option("#id_form-0-unit", label="Zhanaozen police")
    page.fill("#id_form-1-description", "two officers in plain clothes")
    save(page, "4-perpetrators")

    # 5. injuries
    page.wait_for_url(re.compile(r"/injuries/$"))
    page.fill("#id_injuries", "bruises on the back; headaches since")
    page.select_option("#id_examination", "requested")
    page.fill("#id_examined_on", "2011-12-20")
    save(page, "5-injuries")

    # 6. witnesses
    page.wait_for_url(re.compile(r"/witnesses/$"))
    page.fill("#id_form-0-name", "Асель Нурова")
    page.fill("#id_form-0-account", "I heard screams from the next room.")
    save(page, "6-witnesses")

    # 7. consent and safety
    page.wait_for_url(re.compile(r"/consent/$"))
    page.get_by_label("The person gave informed consent to record this account").check()
    page.get_by_label("complaints and legal action").check()
    page.select_option("#id_risk", "yes")
    save(page, "7-consent")

    # 8. source
    page.wait_for_url(re.compile(r"/source/$"))
    page.select_option("#id_source", index=1)
    page.fill("#id_page", "12")
    save(page, "8-source")

    # 9. review and save
    page.wait_for_url(re.compile(r"/review/$"))
    review = page.locator("#review").inner_text()
    for text in (
        "Ерлан Сапаров",
        "16 December 2011",
        "Zhanaozen main police station",
        "Captain Zhumabekov",
        "Асель Нурова",
        "complaints and legal action",
    ):
        assert text in review, text
    assert "needs fixing" not in review
    page.shot("9-review")
    page.get_by_role("button", name="Record the allegation").click()
    page.wait_for_load_state()
    assert "/intake/" not in page.url
    assert "The allegation was recorded" in page.locator("body").inner_text()
    assert "Ерлан Сапаров" in page.locator("body").inner_text()
    page.shot("recorded")
