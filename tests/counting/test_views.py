"""The counting workspace's pages: the workspace with the UpSet chart of a run's lists, a run's page with its
estimates and the form to run one, the clerical review queue (side by side, differences marked, decisions
stored, audited and refused to those who may not decide) and an estimate's page (interval, posterior,
diagnostics, provenance, assumptions, and the other estimates beside it)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from habeas.accounts.models import AuditEvent, Membership, Role, Team
from habeas.core.models import Job
from habeas.counting.models import EstimateRun, LinkageRun, ReviewPair, SourceList
from habeas.counting.services import estimate_run
from tests.conftest import run_worker
from tests.counting.pages import build_run, counting_demo
from tests.pages import assert_queries_bounded

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>' OR 1=1 --"


def analyst(team: Team, *, identities: bool = False):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(f"list-analyst-{identities}", "", "a-long-test-password")
    Membership.objects.create(user=user, team=team, role=Role.ANALYST, identities=identities)
    return user


def row_of(html: str, field: str) -> str:
    match = re.search(rf'<tr data-field="{field}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, field
    return match.group(0)


def test_the_workspace_shows_the_lists_runs_estimates_and_the_overlaps_of_the_newest_run(client, world):
    demo = counting_demo()
    run, lst = demo["run"], demo["lists"][0]
    lst.title = SCRIPT
    lst.save()
    client.force_login(world["member"])
    url = reverse("counting")
    html = client.get(url).content.decode()
    assert "Lawyers&#x27; list" in html and f"counting-demo-{run.team_id}" in html
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert reverse("linkage_run_detail", args=[run.pk]) in html
    assert f'href="{reverse("review_queue", args=[run.pk])}">2</a>' in html  # two pairs awaiting review
    assert reverse("estimate_detail", args=[demo["estimate"].pk]) in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    people = [int(n) for n in re.findall(r'class="bar pattern"[^>]*data-people="(\d+)"', svg)]
    assert sum(people) == run.people == 2 + 68 and people == sorted(people, reverse=True)
    assert 'data-list="Lawyers&#x27; list" data-people="' in svg

    client.force_login(world["outsider"])
    other = client.get(url).content.decode()
    assert "Lawyers" not in other and "No linkage run yet" in other

    team = Team.objects.get(name="A")
    client.force_login(world["member"])
    assert_queries_bounded(client, url, lambda: build_run(team))


def test_a_run_page_shows_its_summary_overlaps_and_estimates_and_runs_another(
    client, world, django_capture_on_commit_callbacks
):
    demo = counting_demo()
    run = demo["run"]
    url = reverse("linkage_run_detail", args=[run.pk])
    client.force_login(world["member"])
    html = client.get(url).content.decode()
    assert "Official register" in html and 'class="bar pattern"' in html and "Run an estimate" in html
    assert f"#{demo['estimate'].pk} loglinear" in html  # the estimate on the comparison chart
    assert AuditEvent.objects.filter(action="read", target_type="counting.linkagerun", target_id=str(run.pk)).exists()

    before = EstimateRun.objects.count()
    response = client.post(url, {"method": "loglinear", "seed": "-3", "strata": "surname"})
    assert response.status_code == 400 and EstimateRun.objects.count() == before
    form = response.content.decode()
    assert "greater than or equal to 0" in form and 'value="-3"' in form and "Select a valid choice" in form

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"method": "dga", "seed": "7", "strata": ""})
    job = Job.objects.get(kind="estimate")
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert not EstimateRun.objects.filter(linkage=run, method="dga").exists()  # the worker runs it
    run_worker()
    dga = EstimateRun.objects.get(linkage=run, method="dga")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result_url == reverse("estimate_detail", args=[dga.pk])
    assert dga.seed == 7 and dga.result["posterior"]["kind"] == "grid"
    html = client.get(url).content.decode()
    assert f"#{dga.pk} dga" in html and f"#{demo['estimate'].pk} loglinear" in html  # side by side

    client.force_login(world["readonly"])
    assert "Run an estimate" in client.get(url).content.decode()
    assert client.post(url, {"method": "loglinear"}).status_code == 403
    assert EstimateRun.objects.filter(linkage=run).count() == 2

    client.force_login(world["member"])
    assert_queries_bounded(
        client, url, lambda: estimate_run(linkage=run, user=world["member"], method="sparse", seed=1)
    )


def test_lists_are_linked_from_the_workspace_as_a_job_of_the_worker(client, world, django_capture_on_commit_callbacks):
    demo = counting_demo()
    lists = demo["lists"]
    url = reverse("counting")
    client.force_login(world["member"])
    html = client.get(url).content.decode()
    assert 'id="link"' in html and f'value="{lists[0].pk}"' in html

    runs = LinkageRun.objects.count()
    response = client.post(url, {"seed": "-1"})  # nothing ticked, and a bad seed
    assert response.status_code == 400 and LinkageRun.objects.count() == runs and not Job.objects.exists()
    form = response.content.decode()
    assert "Tick the lists to link: at least one." in form and 'value="-1"' in form
    assert "greater than or equal to 0" in form

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"lists": [lst.pk for lst in lists], "seed": "3"})
    job = Job.objects.get(kind="linkage")
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert "waiting for the worker" in client.get(response["Location"]).content.decode()
    run_worker()
    job.refresh_from_db()
    new = LinkageRun.objects.latest("pk")
    assert job.status == Job.Status.DONE, job.error
    assert job.result_url == reverse("linkage_run_detail", args=[new.pk])
    assert set(new.lists.all()) == set(lists) and new.seed == 3

    client.force_login(world["analyst"])  # an analyst's work is the analysis
    assert 'id="link"' in client.get(url).content.decode()
    for persona in ("readonly", "outsider"):  # neither may link team A's lists
        client.force_login(world[persona])
        assert 'id="link"' not in client.get(url).content.decode()
        assert client.post(url, {"lists": [lists[0].pk], "seed": "0"}).status_code == 403
    assert Job.objects.filter(kind="linkage").count() == 1


def test_the_review_queue_shows_the_pair_side_by_side_with_the_differences_marked(client, world):
    demo = counting_demo()
    run = demo["run"]
    url = reverse("review_queue", args=[run.pk])
    client.force_login(world["member"])
    html = client.get(url).content.decode()
    assert f"Pair {demo['pairs'][0].pk}" in html and "0.620" in html
    surname = row_of(html, "surname")
    assert "Кенжебаев" in surname and "Kenzhebaev" in surname and "diff" not in surname  # one name, two scripts
    assert "Серикович" in row_of(html, "patronymic") and "diff" not in row_of(html, "patronymic")
    assert "2 March 1975" in row_of(html, "born_on") and "diff" not in row_of(html, "region")
    assert "Official register" in row_of(html, "list") and "Lawyers&#x27; list" in row_of(html, "list")
    assert "Same person" in html and "Different people" in html

    # deciding with htmx: the pair is replaced by the next one, Tian, whose birth year and place differ
    first, second = demo["pairs"]
    response = client.post(
        url, {"pair": first.pk, "decision": "same", "reason": "same date of birth"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert (
        response.status_code == 200
        and "<html" not in html
        and html.lstrip().startswith('<section class="panel" id="pair">')
    )
    assert f"Pair {second.pk}" in html and "Tian" in html
    assert 'class="diff"' in row_of(html, "born_on") and 'class="diff"' in row_of(html, "region")
    assert "diff" not in row_of(html, "surname") and "diff" not in row_of(html, "given_name")
    decisions = html[html.index('class="list decisions"') :]
    assert "same date of birth" in decisions and "member" in decisions and "the same person" in decisions
    first.refresh_from_db()
    assert (first.state, first.decided_by, first.reason) == ("same", world["member"], "same date of birth")
    events = AuditEvent.objects.filter(action="update", target_type="counting.reviewpair", target_id=str(first.pk))
    assert events.count() == 1 and events.get().actor == world["member"]

    # a second decision on the same pair (a second click, another reviewer) leaves the first as it was
    response = client.post(url, {"pair": first.pk, "decision": "different", "reason": "no"}, HTTP_HX_REQUEST="true")
    assert "already decided" in response.content.decode()
    first.refresh_from_db()
    assert first.state == "same" and events.count() == 1

    # bad input: no reason; the answer says what to fix and keeps what was typed, nothing is stored
    response = client.post(url, {"pair": second.pk, "decision": "different", "reason": "  "})
    assert response.status_code == 400 and "Give the reason" in response.content.decode()
    response = client.post(url, {"pair": second.pk, "reason": SCRIPT})
    html = response.content.decode()
    assert "Choose “same person”" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html and SCRIPT not in html
    second.refresh_from_db()
    assert second.state == "pending"

    # a plain POST (no htmx) is redirected back to the queue, which is then empty
    response = client.post(url, {"pair": second.pk, "decision": "different", "reason": SCRIPT})
    assert response.status_code == 302 and response["Location"] == url
    second.refresh_from_db()
    assert second.state == "different" and second.reason == SCRIPT
    assert "No pairs left to review" in client.get(url).content.decode()


def test_those_who_may_not_decide_see_the_queue_but_cannot_decide(client, world):
    demo = counting_demo()
    run, pair = demo["run"], demo["pairs"][0]
    url = reverse("review_queue", args=[run.pk])
    decision = {"pair": pair.pk, "decision": "same", "reason": "looks alike"}
    team = Team.objects.get(name="A")
    hidden = analyst(team)
    client.force_login(hidden)
    html = client.get(url).content.decode()
    assert "Кенжебаев" not in html and "Kenzhebaev" not in html and "Серикович" not in html
    assert "Official register" not in html and "hidden" in row_of(html, "surname")
    assert "2 March 1975" in row_of(html, "born_on")  # the structure stays: dates, places, lists
    assert "Same person" not in html and "needs their names" in html
    assert client.post(url, decision).status_code == 403

    client.force_login(world["readonly"])
    html = client.get(url).content.decode()
    assert "Кенжебаев" in html and "Same person" not in html
    assert client.post(url, decision).status_code == 403
    client.force_login(world["outsider"])
    assert client.post(url, decision).status_code == 404
    pair.refresh_from_db()
    assert pair.state == "pending"

    # the workspace and the UpSet chart name the lists by number and source for the analyst
    client.force_login(hidden)
    html = client.get(reverse("counting")).content.decode()
    assert "Official register" not in html and f"list {demo['lists'][0].pk} (counting-demo-" in html
    more = build_run(team, estimate=False)
    assert_queries_bounded(client, reverse("counting"), lambda: build_run(team, estimate=False))
    assert_queries_bounded(client, reverse("linkage_run_detail", args=[more.pk]), lambda: build_run(team))

    client.force_login(world["member"])

    def grow() -> None:  # more pairs awaiting review, in the run whose queue is shown
        rows = list(SourceList.objects.get(pk=more.lists.order_by("pk").first().pk).rows.order_by("pk")[:8])
        for a, b in zip(rows[2::2], rows[3::2], strict=True):
            ReviewPair.objects.create(run=more, row_a=a, row_b=b, match_probability=0.5)

    assert_queries_bounded(client, reverse("review_queue", args=[more.pk]), grow)


@pytest.mark.parametrize("language,words", [("ru", "стандартная ошибка"), ("kk", "стандартты қате")])
def test_an_estimate_pages_diagnostics_are_named_in_the_readers_language(client, world, settings, language, words):
    estimate = counting_demo()["estimate"]
    client.force_login(world["member"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    diagnostics = client.get(reverse("estimate_detail", args=[estimate.pk])).content.decode()
    diagnostics = diagnostics[diagnostics.index('id="diagnostics"') :]
    assert words in diagnostics and "stderr" not in diagnostics and "deviance" not in diagnostics


def test_an_estimate_page_shows_the_interval_diagnostics_provenance_and_assumptions(client, world):
    demo = counting_demo()
    estimate, run = demo["estimate"], demo["run"]
    url = reverse("estimate_detail", args=[estimate.pk])
    client.force_login(world["member"])
    html = client.get(url).content.decode()
    assert f"{estimate.estimate:,.0f}".replace(",", "") in html.replace(",", "")
    chart = html[html.index('id="interval"') :]
    assert "<svg" in chart and f"observed {run.people}" in chart
    assert estimate.table_sha256 in html and "numpy" in html and "Seed" in html
    assert "closed population" in html.lower() and "interaction" in html and "confidence interval" in html
    assert 'id="posterior"' not in html and 'id="comparison"' not in html
    assert AuditEvent.objects.filter(action="read", target_type="counting.estimaterun", target_id=str(estimate.pk))

    lcmcr = estimate_run(
        linkage=run,
        user=world["member"],
        method="lcmcr",
        seed=3,
        options={"chains": 2, "burn_in": 200, "samples": 300, "thin": 2},
    )
    summary = lcmcr.result["posterior"]
    assert summary["kind"] == "draws" and summary["size"] == 600
    assert summary["quantiles"]["0.5"] == pytest.approx(lcmcr.estimate)
    assert len(summary["histogram"]["mass"]) <= 40 and sum(summary["histogram"]["mass"]) == pytest.approx(
        1 - summary["outside"]
    )
    html = client.get(reverse("estimate_detail", args=[lcmcr.pk])).content.decode()
    posterior = html[html.index('id="posterior"') :]
    assert "<svg" in posterior and "median" in posterior and "97.5%" in posterior
    assert "R-hat (agreement of the chains)" in html and "effective sample size (bulk)" in html
    assert "latent classes" in html and "credible interval" in html
    comparison = html[html.index('id="comparison"') :]
    assert f"#{estimate.pk} loglinear" in comparison and f"#{lcmcr.pk} lcmcr" in comparison

    stratified = estimate_run(linkage=run, user=world["member"], method="loglinear", seed=2, strata="sex")
    html = client.get(reverse("estimate_detail", args=[stratified.pk])).content.decode()
    assert "sex = m" in html and "total of the strata" in html and "unstratified" in html

    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(world["member"])
    assert_queries_bounded(
        client, url, lambda: estimate_run(linkage=run, user=world["member"], method="sparse", seed=4)
    )
