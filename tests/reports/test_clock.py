"""The live clock ("Needs attention now"), with a frozen clock: custody awaiting a judge, complaints awaiting an
answer, overdue recommendations and solitary confinement still running, each with the time left or exceeded;
only what the reader may see; on the dashboard and on the files; and the e-mail, sent once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from habeas.accounts.identity import name_of
from habeas.accounts.models import Membership, Role, Team
from habeas.accounts.viewer import viewer_for
from habeas.cases.models import Allegation, Complaint
from habeas.core.wording import render
from habeas.custody.models import CustodyEpisode, Placement, RestrictiveMeasure
from habeas.monitoring.models import Recommendation, RecommendationStatus
from habeas.registry.models import Group
from habeas.reports.clock import clock_items, limit_of, time_words
from habeas.reports.models import ClockNotice
from habeas.reports.services import clock_notify
from habeas.standards.engine import StandardsError
from tests import factories
from tests.conftest import PASSWORD
from tests.pages import assert_queries_bounded

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def teams():
    a, b = Team.objects.create(name="A"), Team.objects.create(name="B")
    users = {}
    for name, team, role in [
        ("member", a, Role.RESEARCHER),
        ("analyst", a, Role.ANALYST),
        ("outsider", b, Role.RESEARCHER),
    ]:
        users[name] = get_user_model().objects.create_user(name, f"{name}@example.org", PASSWORD)
        Membership.objects.create(user=users[name], team=team, role=role)
    return {"A": a, "B": b, **users}


def held(team: Team, hours: float, label: str = "Marat Test", **fields: object) -> CustodyEpisode:
    """A custody of a person of the team, apprehended ``hours`` before NOW, in police custody."""
    person = factories.person(label, team=team)
    fields.setdefault("apprehended_at", NOW - dt.timedelta(hours=hours))
    fields.setdefault("apprehended_at_precision", "exact")
    fields.setdefault("status", CustodyEpisode.Status.POLICE)
    return factories.custody(person, team=team, **fields)


def texts(user, **where) -> list[tuple[str, str]]:
    return [(item.kind, item.time_text) for item in clock_items(viewer_for(user), now=NOW, **where).items]


def test_a_custody_opened_47_hours_ago_has_1_hour_left(teams):
    custody = held(teams["A"], 47)
    [item] = clock_items(viewer_for(teams["member"]), now=NOW).items
    assert (item.kind, item.record_id, item.time_text) == ("custody", custody.pk, "1 hour left")
    assert not item.exceeded and item.due == NOW + dt.timedelta(hours=1)
    assert item.limit_text == "48 hours" and "General Comment No. 35" in item.standard
    assert name_of(item.whose, viewer_for(teams["member"])) == "Marat Test"  # the page shows it through the viewer


def test_a_custody_opened_49_hours_ago_has_exceeded_by_1_hour(teams):
    held(teams["A"], 49)
    assert texts(teams["member"]) == [("custody", "exceeded by 1 hour")]
    [item] = clock_items(viewer_for(teams["member"]), now=NOW).items
    assert item.exceeded


def test_the_limit_is_the_profiles_and_the_stricter_where_a_national_one_applies(teams):
    kz = factories.locality("Zhanaozen", country="KZ")
    custody = held(teams["A"], 60, apprehended_in=kz)
    [item] = clock_items(viewer_for(teams["member"]), now=NOW).items
    assert item.record_id == custody.pk and item.time_text == "exceeded by 12 hours"
    # Kazakhstan's profile: 72 hours before 2018, 48 after; ICCPR's 48 hours is stricter either way
    assert limit_of((("KZ-CPC-DETENTION-48H", "P_KZ_DETENTION_H"),), "KZ", dt.date(2015, 1, 1)) == (
        72.0,
        "KZ-CPC-DETENTION-48H",
    )
    assert limit_of((("KZ-CPC-DETENTION-48H", "P_KZ_DETENTION_H"),), "KZ", dt.date(2020, 1, 1)) == (
        48.0,
        "KZ-CPC-DETENTION-48H",
    )
    judge = (("ICCPR-09-3-PROMPT-JUDGE-48H", "P_JUDICIAL_APPEARANCE_H"), ("KZ-CPC-DETENTION-48H", "P_KZ_DETENTION_H"))
    assert limit_of(judge, "KZ", dt.date(2015, 1, 1)) == (48.0, "ICCPR-09-3-PROMPT-JUDGE-48H")
    # the national rule is not part of the international profile, which applies elsewhere
    with pytest.raises(StandardsError, match="applies none of the rules KZ-CPC-DETENTION-48H"):
        limit_of((("KZ-CPC-DETENTION-48H", "P_KZ_DETENTION_H"),), "FR", dt.date(2020, 1, 1))


def test_another_teams_custody_is_never_listed(teams):
    held(teams["B"], 49, label="Other Team Person")
    assert texts(teams["member"]) == []
    assert texts(teams["outsider"]) == [("custody", "exceeded by 1 hour")]


def test_a_released_custody_or_one_seen_by_a_judge_is_not_listed(teams):
    held(teams["A"], 49, released_at=NOW - dt.timedelta(hours=1), released_at_precision="exact")
    held(teams["A"], 49, status=CustodyEpisode.Status.RELEASED)
    held(teams["A"], 49, first_judge_at=NOW - dt.timedelta(hours=2), first_judge_at_precision="exact")
    held(teams["A"], 49, status=CustodyEpisode.Status.PRETRIAL)  # held on a court's order
    assert texts(teams["member"]) == []


def test_a_date_less_precise_than_a_day_is_counted_from_its_first_moment_and_said_about(teams):
    held(teams["A"], 0, apprehended_at=dt.datetime(2026, 2, 20, tzinfo=dt.UTC), apprehended_at_precision="month")
    [item] = clock_items(viewer_for(teams["member"]), now=NOW).items
    # from 1 February 2026: due 3 February, 35.5 days before NOW
    assert item.due == dt.datetime(2026, 2, 3, tzinfo=dt.UTC) and item.about
    assert item.time_text == "exceeded by about 35 days"
    assert item.due_text == "about 3 February 2026"


def test_a_day_precise_date_counts_from_midnight(teams):
    held(teams["A"], 0, apprehended_at=dt.datetime(2026, 3, 8, tzinfo=dt.UTC), apprehended_at_precision="day")
    assert texts(teams["member"]) == [("custody", "exceeded by 12 hours")]  # from midnight on the 8th


def test_time_is_said_in_hours_under_two_days_and_in_days_beyond_never_rounded_up():
    assert [render(time_words(dt.timedelta(hours=h))) for h in (5, 1, 0.5, -0.5, -1, -47.9, -48, -73, 50)] == [
        "5 hours left",
        "1 hour left",
        "less than an hour left",
        "exceeded by less than an hour",
        "exceeded by 1 hour",
        "exceeded by 47 hours",
        "exceeded by 2 days",
        "exceeded by 3 days",
        "2 days left",
    ]
    about = [render(time_words(dt.timedelta(hours=h), about=True)) for h in (5, 30, -30, -80)]
    assert about == ["about 1 day left", "about 1 day left", "exceeded by about 1 day", "exceeded by about 3 days"]


def complaint(team: Team, days_ago: int, **fields: object) -> Complaint:
    victim = factories.person("Complaining Victim", team=team)
    allegation = factories.saved(Allegation(victim=victim, team=team, summary="beaten to confess"))
    return factories.saved(
        Complaint(allegation=allegation, team=team, lodged_on=(NOW - dt.timedelta(days=days_ago)).date(), **fields)
    )


def test_a_complaint_unanswered_past_the_profiles_delay_is_listed_and_an_answered_one_is_not(teams):
    complaint(teams["A"], 31)
    complaint(teams["A"], 10)
    complaint(teams["A"], 40, decided_on=NOW.date(), outcome=Complaint.Outcome.DISMISSED)
    complaint(teams["A"], 40, outcome=Complaint.Outcome.FORWARDED)  # answered, the date not known
    # lodged on 7 February: due 30 days later, on 9 March at midnight, 36 hours before NOW; the other on 28 February
    assert texts(teams["member"]) == [("complaint", "19 days left"), ("complaint", "exceeded by 36 hours")]


def test_a_groups_complaint_names_the_group_and_links_to_its_file(teams):
    group = factories.saved(Group(label="The 37 defendants", size=37, team=teams["A"]))
    allegation = factories.saved(Allegation(victim_group=group, team=teams["A"], summary="beaten to confess"))
    factories.saved(Complaint(allegation=allegation, team=teams["A"], lodged_on=dt.date(2026, 1, 2)))
    [item] = clock_items(viewer_for(teams["member"]), now=NOW).items
    assert (name_of(item.whose, viewer_for(teams["member"])), item.url) == (
        "The 37 defendants",
        reverse("group_detail", args=[group.pk]),
    )


def recommendation(team: Team, due: dt.date, *answers: str) -> Recommendation:
    body = factories.organisation("Ombudsman", kind="monitor", team=team)
    ministry = factories.organisation("Ministry of Justice", team=team)
    rec = factories.saved(
        Recommendation(
            issuer=body,
            addressee=ministry,
            issued_on=dt.date(2019, 1, 1),
            text="Let families visit",
            response_due_on=due,
            team=team,
        )
    )
    for status in answers:
        factories.saved(RecommendationStatus(recommendation=rec, status=status, recorded_on=dt.date(2026, 2, 1)))
    return rec


def test_an_overdue_recommendation_is_listed_until_it_is_answered(teams):
    recommendation(teams["A"], dt.date(2026, 3, 1))
    recommendation(teams["A"], dt.date(2026, 3, 1), RecommendationStatus.Status.PARTLY)
    recommendation(teams["A"], dt.date(2026, 3, 20))  # not yet due
    [item] = clock_items(viewer_for(teams["member"]), now=NOW).items
    assert item.kind == "recommendation" and item.time_text == "exceeded by 8 days"  # overdue from 2 March
    assert item.where == "Ministry of Justice" and item.whose is None


def solitary(team: Team, days_ago: int, **fields: object) -> RestrictiveMeasure:
    custody = held(team, 24 * 200, status=CustodyEpisode.Status.SENTENCED)
    fields.setdefault("kind", RestrictiveMeasure.Kind.SOLITARY)
    return factories.saved(
        RestrictiveMeasure(custody=custody, team=team, started_on=(NOW - dt.timedelta(days=days_ago)).date(), **fields)
    )


def test_solitary_confinement_still_running_past_mandela_44s_15_days_is_listed(teams):
    solitary(teams["A"], 16)
    solitary(teams["A"], 10, kind=RestrictiveMeasure.Kind.PUNISHMENT_CELL)
    solitary(teams["A"], 40, ended_on=NOW.date())
    solitary(teams["A"], 40, meaningful_contact=True)
    solitary(teams["A"], 40, kind=RestrictiveMeasure.Kind.VISITS_RESTRICTED)
    assert texts(teams["member"]) == [("solitary", "4 days left"), ("solitary", "exceeded by 36 hours")]
    item = clock_items(viewer_for(teams["member"]), now=NOW).items[1]
    assert item.limit_text == "15 days" and item.rule == "MANDELA-44-PROLONGED-SOLITARY"


def test_a_persons_or_a_places_clock_holds_only_what_concerns_them(teams):
    custody = held(teams["A"], 47)
    other = held(teams["A"], 49, label="Someone Else")
    prison = factories.place("Pretrial Centre", team=teams["A"])
    factories.saved(Placement(custody=custody, place=prison, team=teams["A"], started_on=NOW.date()))
    assert texts(teams["member"], person=custody.person) == [("custody", "1 hour left")]
    assert texts(teams["member"], person=other.person) == [("custody", "exceeded by 1 hour")]
    assert texts(teams["member"], place=prison) == [("custody", "1 hour left")]
    assert clock_items(viewer_for(teams["member"]), now=NOW, place=prison).items[0].where == "Pretrial Centre"


def test_the_dashboard_and_the_files_show_the_clock_with_the_time_left(client, teams):
    now = timezone.now()
    custody = held(teams["A"], 0, apprehended_at=now - dt.timedelta(hours=46, minutes=30))
    prison = factories.place("Pretrial Centre", team=teams["A"])
    factories.saved(Placement(custody=custody, place=prison, team=teams["A"], started_on=now.date()))
    quiet = factories.person("Nobody Held", team=teams["A"])
    client.force_login(teams["member"])
    for url in (
        reverse("dashboard"),
        reverse("person_detail", args=[custody.person_id]),
        reverse("place_detail", args=[prison.pk]),
    ):
        html = client.get(url).content.decode()
        assert "Needs attention now" in html and "1 hour left" in html and "Marat Test" in html, url
    assert "Needs attention now" not in client.get(reverse("person_detail", args=[quiet.pk])).content.decode()
    client.force_login(teams["outsider"])
    html = client.get(reverse("dashboard")).content.decode()
    assert "Needs attention now" in html and "Marat Test" not in html and "No deadline is running" in html


def test_an_analyst_without_identities_sees_a_pseudonym_on_the_clock(client, teams):
    held(teams["A"], 0, apprehended_at=timezone.now() - dt.timedelta(hours=49, minutes=30))
    client.force_login(teams["analyst"])
    html = client.get(reverse("dashboard")).content.decode()
    assert "exceeded by 1 hour" in html and "Marat Test" not in html


def test_the_dashboards_queries_do_not_grow_with_the_items(client, teams):
    held(teams["A"], 47)
    complaint(teams["A"], 31)
    solitary(teams["A"], 16)
    recommendation(teams["A"], dt.date(2020, 1, 1))
    client.force_login(teams["member"])

    def grow():
        for i in range(3):
            held(teams["A"], 40 + i, label=f"Held {i}")
            complaint(teams["A"], 31 + i)
            solitary(teams["A"], 16 + i)
            recommendation(teams["A"], dt.date(2020, 1, 1 + i))

    assert_queries_bounded(client, reverse("dashboard"), grow)


def test_the_clock_reads_only_the_clocks_with_items_and_counts_only_the_lists_cut_short(teams):
    for hours in (40, 41, 42):
        held(teams["A"], hours, label=f"Held {hours}")
    complaint(teams["A"], 31)

    def read(user, **shown: int) -> tuple[list[str], int, int, int]:
        viewer = viewer_for(user)
        with CaptureQueriesContext(connection) as captured:
            clock = clock_items(viewer, now=NOW, **shown)
        own = [q["sql"].lstrip().upper() for q in captured]
        counts = sum(1 for sql in own if sql.startswith("SELECT COUNT("))
        return [item.kind for item in clock.items], clock.more, counts, len(own)

    # four clocks looked at; the two with items read; three custodies for a list of two: that clock alone counted
    assert read(teams["member"], shown=2) == (["custody", "custody"], 2, 1, 4 + 2 + 1)
    assert read(teams["member"]) == (["custody", "custody", "custody", "complaint"], 0, 0, 4 + 2)
    # nothing due: one query per clock
    assert read(teams["outsider"]) == ([], 0, 0, 4)


def test_the_clock_is_worded_in_russian_and_kazakh(teams):
    held(teams["A"], 47)
    held(teams["A"], 49, label="Other Person")
    for language, left, exceeded, heading in [
        ("ru", "остался 1 час", "срок превышен на 1 час", "Требует внимания сейчас"),
        ("kk", "1 сағат қалды", "мерзімі 1 сағатқа өтіп кетті", "Қазір назар аударуды қажет етеді"),
    ]:
        with translation.override(language):
            items = clock_items(viewer_for(teams["member"]), now=NOW).items
            assert [item.time_text for item in items] == [left, exceeded], language
            assert items[0].what != "no appearance before a judge"
            assert str(translation.gettext("Needs attention now")) == heading


# E-mail ----------------------------------------------------------------------------------------------------


def opt_in(user) -> None:
    Membership.objects.filter(user=user).update(notify_clock=True)


def test_the_email_goes_once(teams):
    custody = held(teams["A"], 47)
    opt_in(teams["member"])
    assert clock_notify(now=NOW) == 1
    assert clock_notify(now=NOW + dt.timedelta(minutes=5)) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["member@example.org"]
    assert "1 hour left" in message.body
    assert reverse("person_detail", args=[custody.person_id]) in message.body
    assert "Marat Test" not in message.subject + message.body  # no names in an e-mail
    assert ClockNotice.objects.filter(user=teams["member"], kind="custody", record_id=custody.pk).count() == 1


def test_a_new_item_is_told_and_the_old_one_is_not_told_again(teams):
    held(teams["A"], 47)
    opt_in(teams["member"])
    clock_notify(now=NOW)
    held(teams["A"], 10, label="Second Person")
    assert clock_notify(now=NOW) == 1
    assert len(mail.outbox) == 2 and mail.outbox[1].body.count("left") == 1  # only the new one


def test_only_members_who_chose_to_be_told_are_told_and_only_of_their_teams(teams):
    held(teams["A"], 49)
    held(teams["B"], 49, label="Other Team Person")
    opt_in(teams["outsider"])
    assert clock_notify(now=NOW) == 1
    assert [m.to for m in mail.outbox] == [["outsider@example.org"]]  # not the member of A, who did not ask


def test_a_member_turns_the_emails_about_their_team_on_and_off_from_the_dashboard(client, teams):
    client.force_login(teams["member"])
    html = client.get(reverse("dashboard")).content.decode()
    assert "E-mail me what needs attention in A" in html
    url = reverse("clock_subscription")
    assert client.post(url, {"team": teams["A"].pk, "notify": "1"}).status_code == 302
    assert Membership.objects.get(user=teams["member"]).notify_clock is True
    assert "Stop e-mailing me about A" in client.get(reverse("dashboard")).content.decode()
    client.post(url, {"team": teams["A"].pk, "notify": "0"})
    assert Membership.objects.get(user=teams["member"]).notify_clock is False
    assert client.post(url, {"team": teams["B"].pk, "notify": "1"}).status_code == 404  # not their team
    assert client.get(url).status_code == 405
    assert not Membership.objects.get(user=teams["outsider"]).notify_clock


def test_habeas_clock_sends_the_emails_from_the_command_line(teams, capsys):
    from habeas.cli.main import main

    held(teams["A"], 0, apprehended_at=timezone.now() - dt.timedelta(hours=47))
    opt_in(teams["member"])
    assert main(["clock"]) == 0
    assert main(["clock"]) == 0
    assert capsys.readouterr().out.splitlines() == ["The live clock sent 1 e-mail.", "The live clock sent 0 e-mails."]
    assert len(mail.outbox) == 1


def test_the_workers_round_sends_and_queues_the_next_one(teams):
    from django_tasks_db.models import DBTaskResult

    from habeas.reports.tasks import clock_round, clock_schedule
    from tests.conftest import run_worker

    held(teams["A"], 0, apprehended_at=timezone.now() - dt.timedelta(hours=47))
    opt_in(teams["member"])
    old = clock_round.enqueue()  # a round of the day before yesterday, long finished
    DBTaskResult.objects.filter(pk=old.id).update(
        status="SUCCESSFUL", finished_at=timezone.now() - dt.timedelta(days=2)
    )
    assert clock_schedule() is True
    assert clock_schedule() is False  # one round waits at a time
    run_worker()
    assert len(mail.outbox) == 1
    [waiting] = DBTaskResult.objects.filter(task_path=clock_round.module_path, status="READY")
    assert waiting.run_after > timezone.now() + dt.timedelta(minutes=4)
    assert set(DBTaskResult.objects.filter(task_path=clock_round.module_path).values_list("status", flat=True)) == {
        "READY",
        "SUCCESSFUL",
    }
    assert not DBTaskResult.objects.filter(pk=old.id).exists()


def test_a_persons_and_a_places_file_make_as_many_queries_however_many_items_concern_them(client, teams):
    custody = held(teams["A"], 0, apprehended_at=timezone.now() - dt.timedelta(hours=40))
    prison = factories.place("Pretrial Centre", team=teams["A"])
    factories.saved(Placement(custody=custody, place=prison, team=teams["A"], started_on=timezone.now().date()))
    client.force_login(teams["member"])

    def grow():
        for hours in (30, 50, 70):
            more = factories.custody(
                custody.person,
                team=teams["A"],
                status=CustodyEpisode.Status.POLICE,
                apprehended_at=timezone.now() - dt.timedelta(hours=hours),
                apprehended_at_precision="exact",
            )
            factories.saved(Placement(custody=more, place=prison, team=teams["A"], started_on=timezone.now().date()))
            solitary(teams["A"], hours).custody.placements.create(place=prison, team=teams["A"])

    person_url = reverse("person_detail", args=[custody.person_id])
    place_url = reverse("place_detail", args=[prison.pk])
    grow()  # a file reads only the kinds of record it has: from here on, more of them make no more queries
    client.get(person_url)  # the first read of a file also reads the content types once for the process
    before = client.get(place_url).content.decode().count('class="clock-')
    assert_queries_bounded(client, person_url, grow)
    assert client.get(person_url).content.decode().count('class="clock-custody"') == 7
    assert_queries_bounded(client, place_url, grow)
    assert client.get(place_url).content.decode().count('class="clock-') == before + 12


def test_a_record_known_only_up_to_a_dated_source_is_not_on_the_clock_unless_it_is_followed(teams):
    """A custody from a report of 2013 may have ended since: its facts run only to the report's date, so the clock
    does not count the years after it — until someone follows the case."""
    from habeas.evidence.models import Citation, Source
    from habeas.standards.services import record_follow

    custody = held(teams["A"], 24 * 400)
    report = factories.saved(
        Source(key="report", title="A report", kind="document", team=teams["A"], published_on=dt.date(2013, 7, 1))
    )
    factories.saved(Citation(source=report, record=custody, section="1"))
    assert texts(teams["member"]) == []
    record_follow(record=custody, active=True, reviewed_on=None, actor=teams["member"])
    assert [kind for kind, _ in texts(teams["member"])] == ["custody"]
