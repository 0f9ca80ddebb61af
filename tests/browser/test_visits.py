"""In a real browser: plan an unannounced visit to a place of the demo, record it with a refused private
interview and one recommendation, and follow the recommendation in the tracker."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from habeas.monitoring.models import Recommendation, Visit


def test_plan_an_unannounced_visit_and_record_a_refused_interview(page):
    page.goto(f"{page.base}/visits/")
    assert page.locator("h1").inner_text() == "Monitoring visits"
    page.shot("visit-list")
    page.click("text=Plan a visit")
    page.select_option("#id_place", label="High-security prison in Arqalyk")
    page.select_option("#id_body", label="Independent public monitors")
    today = timezone.localdate()
    page.fill("#id_visited_on", today.isoformat())  # planned for today, so that it can be recorded at once
    page.check("#id_announced_0")  # unannounced
    page.fill("#id_visitors", "Two monitors and a doctor")
    page.shot("visit-plan")
    page.click("button.primary")
    page.wait_for_url("**/visits/*/")
    assert "High-security prison in Arqalyk" in page.locator("h1").inner_text()
    assert "planned" in page.locator("h1").inner_text()
    visit = Visit.objects.get(place__name="High-security prison in Arqalyk")
    assert visit.announced is False

    page.click("text=Record what happened")
    page.check("#id_access_granted_0")  # let in
    page.check("#id_private_interviews_1")  # no private interviews
    page.fill("#id_refused", "A private interview with a detainee was refused.")
    page.fill("#id_findings", "Detainees said they were beaten on arrival.")
    # a first try without the recommendation's text: the field says what to fix, the rest is kept
    page.select_option("#id_recommendations-0-addressee", label="Ministry of Internal Affairs")
    page.fill("#id_recommendations-0-response_due_on", f"{today + dt.timedelta(days=90):%Y-%m}")
    page.fill("#id_recommendations-0-text", " ")
    page.click("button[name=save]")
    assert "its text is empty" in page.locator("#id_recommendations-0-text_errors").inner_text()
    assert page.input_value("#id_refused") == "A private interview with a detainee was refused."
    page.shot("visit-record-error")
    page.fill("#id_recommendations-0-text", "Allow monitors to interview detainees in private.")
    page.click("button[name=save]")
    page.wait_for_url(f"**/visits/{visit.pk}/")
    assert "A private interview with a detainee was refused." in page.locator("#outcome").inner_text()
    assert "Allow monitors to interview detainees in private." in page.locator("#recommendations").inner_text()
    page.shot("visit-detail")

    page.click("nav.sections >> text=Visits")
    row = page.locator("tr", has_text="High-security prison in Arqalyk")
    assert "unannounced" in row.inner_text() and "A private interview with a detainee was refused." in row.inner_text()

    page.click("nav.sections >> text=Recommendations")
    page.select_option("#id_addressee", label="Ministry of Internal Affairs")  # htmx refreshes the table
    page.wait_for_url("**addressee=*")
    table = page.locator("#results table")
    table.locator("text=Allow monitors to interview detainees in private.").wait_for()
    assert table.locator("tbody tr").count() == 3
    assert "issued, no response" in (page.locator("#by-status svg").text_content() or "")
    page.shot("recommendations")
    recommendation = Recommendation.objects.get(visit=visit)
    page.click("text=Allow monitors to interview detainees in private.")
    page.select_option("#id_status", "accepted")
    page.fill("#id_recorded_on", today.isoformat())
    page.fill("#id_response", "The ministry will allow private interviews.")
    page.click("#record-status button.primary")
    page.wait_for_url(f"**/recommendations/{recommendation.pk}/")
    assert "The ministry will allow private interviews." in page.locator("#history").inner_text()
    assert "accepted" in page.locator("h1").inner_text()
    page.shot("recommendation")
