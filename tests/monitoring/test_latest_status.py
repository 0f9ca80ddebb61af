"""A recommendation's status is its latest entry everywhere — its badge, the list and the dashboard — also when
the response is dated less precisely than the issuing ("2013" for a recommendation issued on 2 July 2013)."""

from __future__ import annotations

import datetime as dt

import pytest

from habeas.accounts.viewer import viewer_for
from habeas.core.dates import Precision
from habeas.monitoring import selectors, services
from habeas.monitoring.models import Recommendation
from habeas.reports import dashboard
from tests.monitoring.test_services import draft, plan, setting  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def recommendation(setting) -> Recommendation:  # noqa: F811
    visit = plan(setting, visited_on=dt.date(2013, 7, 2))
    (issued,) = services.visit_record(
        visit=visit,
        user=setting["user"],
        visited_on=dt.date(2013, 7, 2),
        access_granted=True,
        recommendations=[draft(setting)],
        today=dt.date(2013, 7, 10),
    )
    services.recommendation_status_record(
        recommendation=issued,
        user=setting["user"],
        status="partly",
        recorded_on=dt.date(2013, 1, 1),
        recorded_on_precision=Precision.YEAR,
        today=dt.date(2014, 1, 10),
    )
    return issued


def test_the_badge_says_the_latest_status(setting, recommendation):  # noqa: F811
    found = selectors.recommendation_get_for_user(viewer_for(setting["user"]), recommendation.pk)
    assert selectors.status_of(found) == "partly"


def test_the_list_filters_and_counts_by_the_latest_status(setting, recommendation):  # noqa: F811
    listed = selectors.recommendations_for_user(
        viewer_for(setting["user"]), status="partly", today=dt.date(2014, 1, 10)
    )
    assert list(listed) == [recommendation]
    counted = selectors.recommendations_by_status(selectors.with_status(Recommendation.objects.all()))
    assert [(key, n) for key, _label, n in counted] == [("partly", 1)]


def test_the_dashboard_counts_it_under_its_latest_status(setting, recommendation):  # noqa: F811
    assert [(key, n) for key, _label, n in dashboard.recommendations_by_status(viewer_for(setting["user"]))] == [
        ("partly", 1)
    ]


def test_the_history_ends_with_the_latest_entry(recommendation):
    assert [entry.status for entry in selectors.history_of(recommendation)] == ["issued", "partly"]
