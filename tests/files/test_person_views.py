"""The person's and the group's file: what Dmitri Tian's page shows (his transfer to Kostanai, the finding that
his wife was not told, the sources), what it hides from others, pseudonyms for analysts, the timeline alone for
htmx, and a number of queries that does not grow with the records."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from habeas.accounts.models import AuditEvent, Team
from habeas.cases.models import Allegation, Method, Perpetrator
from habeas.core.crypto import pseudonym
from habeas.custody.models import CustodyEpisode, Notification, Placement, Transfer
from habeas.evidence.models import Citation, Source
from habeas.registry.models import Group, Person
from habeas.registry.selectors import persons_named
from habeas.standards.services import findings_evaluate
from tests import factories
from tests.pages import assert_queries_bounded
from tests.protected import leaks, protected_texts

pytestmark = pytest.mark.django_db


def tian() -> Person:
    return persons_named("Dmitri Tian", exact=True).get()


def entry(html: str, anchor: str) -> str:
    """The timeline entry (an <li> with this id) of a page, up to the next entry."""
    start = html.index(f'id="{anchor}"')
    following = re.search(r'<li id="[a-z]+-\d+" class="entry', html[start + 1 :])
    return html[start : start + 1 + following.start()] if following else html[start:]


def test_dmitri_tians_file_shows_his_transfer_the_notification_finding_and_their_sources(client, world):
    findings_evaluate(profile_name="kz")
    client.force_login(world["member"])
    person = tian()
    url = reverse("person_detail", args=[person.pk])
    html = client.get(url).content.decode()

    assert "<h1>Dmitri Tian</h1>" in html
    assert "Дмитрий Тян" in html and "Dmitry Tian" in html  # his names in each script
    transfer = Transfer.objects.get(custody__person=person)
    moved = entry(html, f"transfer-{transfer.pk}")
    assert "November 2010" in moved and "Prison A in Kostanai province" in moved
    assert "Old habits: the routine use of torture and other ill-treatment in Kazakhstan" in moved
    assert "Dmitri Tian and Oleg Evloev" in moved  # the citation's locator: the briefing's section
    notification = Notification.objects.get(custody__person=person)
    told = entry(html, f"notification-{notification.pk}")
    assert "Irina Khan" in told and "January 2011" in told
    assert "MANDELA-68-NOTIFY-FAMILY" in told and 'class="badge breach"' in told
    assert "learned of the transfer 32 to 91 days after it" in told
    assert "MANDELA-68-NOTIFY-FAMILY" not in moved  # beside the record it concerns, not elsewhere
    allegation = Allegation.objects.get(victim=person)
    alleged = entry(html, f"allegation-{allegation.pk}")
    assert "CAT-12-PROMPT-IMPARTIAL-INVESTIGATION" in alleged and "to force a confession" in alleged
    assert "About 2009" not in alleged and "about 2009" in alleged  # the disclosure in court, at its precision
    assert html.index("June 2009") < html.index("November 2010")  # in date order: the verdict, then the transfer
    assert html.index(f'id="transfer-{transfer.pk}"') < html.index(f'id="allegation-{allegation.pk}"')  # undated last
    # his family, both ways: his wife on his file, and him on hers
    wife = persons_named("Irina Khan", exact=True).get()
    assert f'Spouse: <a href="/persons/{wife.pk}/">Irina Khan</a>' in html
    hers = client.get(reverse("person_detail", args=[wife.pk])).content.decode()
    assert f'Spouse of: <a href="/persons/{person.pk}/">Dmitri Tian</a>' in hers
    # a member who may write sees the contact fields and the forms that add to the file and change its records
    assert "Contact details" in html and reverse("custody_add", args=[person.pk]) in html
    assert reverse("transfer_change", args=[transfer.pk]) in html
    # each view is a read in the audit trail
    reads = AuditEvent.objects.filter(action="read", target_type="registry.person", target_id=str(person.pk))
    assert reads.count() == 1
    client.get(url)
    assert reads.count() == 2


def test_a_readonly_member_sees_the_file_without_contact_details_or_the_forms(client, world):
    client.force_login(world["readonly"])
    person = tian()
    html = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Prison A in Kostanai province" in html
    assert "Contact details" not in html
    assert reverse("custody_add", args=[person.pk]) not in html and "/change/" not in html


def test_another_teams_person_and_group_do_not_exist_for_an_outsider(client, world):
    client.force_login(world["outsider"])
    person, group = tian(), Group.objects.get(size=37)
    assert client.get(reverse("person_detail", args=[person.pk])).status_code == 404
    assert client.get(reverse("group_detail", args=[group.pk])).status_code == 404
    assert (
        client.get(reverse("person_detail", args=[person.pk]), {"kind": "custody"}, HTTP_HX_REQUEST="true").status_code
        == 404
    )
    listed = client.get(reverse("person_list"), {"name": "Tian"}).content.decode()
    assert "Dmitri Tian" not in listed
    assert "Dmitri Tian" not in client.get(reverse("person_list")).content.decode()
    assert "37 defendants in the Zhanaozen trial" not in client.get(reverse("group_list")).content.decode()
    assert not AuditEvent.objects.filter(action="read", target_type="registry.person").exists()


def test_an_analyst_without_identities_sees_pseudonyms_and_no_protected_text(client, world):
    findings_evaluate(profile_name="kz")
    client.force_login(world["analyst"])
    person = tian()
    texts = protected_texts()
    html = client.get(reverse("person_detail", args=[person.pk])).content
    assert leaks(html, texts) == []
    page = html.decode()
    assert f"Person {pseudonym('registry.person', person.pk)}" in page
    assert "Prison A in Kostanai province" in page  # places and dates are not protected
    notification = Notification.objects.get(custody__person=person)
    told = entry(page, f"notification-{notification.pk}")
    assert "MANDELA-68-NOTIFY-FAMILY" in told and "learned of the transfer" not in told  # no summary: it names her
    assert "Contact details" not in page and "Дмитрий Тян" not in page
    # the list: pseudonyms, no name filter, and a name in the query string is ignored rather than unmasking
    listed = client.get(reverse("person_list"), {"name": "Tian"}).content
    assert leaks(listed, texts) == []
    assert f"Person {pseudonym('registry.person', person.pk)}" in listed.decode()
    assert 'name="name"' not in listed.decode()
    group = Group.objects.get(size=37)
    assert leaks(client.get(reverse("group_detail", args=[group.pk])).content, texts) == []
    assert leaks(client.get(reverse("group_list")).content, texts) == []


def test_the_name_filter_finds_a_person_in_any_script_and_shows_what_was_typed_escaped(client, world):
    client.force_login(world["member"])
    url = reverse("person_list")
    for typed in ("Тян", "Tyan", "Tian", "дмитрий тян"):
        html = client.get(url, {"name": typed}).content.decode()
        assert ">Dmitri Tian</a>" in html, typed
        assert "Roza Tuletaeva" not in html, typed
    assert "Roza Tuletaeva" in client.get(url).content.decode()
    hostile = '<script>alert(1)</script>" OR 1=1 --'
    html = client.get(url, {"name": hostile}).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # an htmx request gets only the results, for the table to be replaced as the user types
    part = client.get(url, {"name": "Tyan"}, HTTP_HX_REQUEST="true").content.decode()
    assert part.lstrip().startswith('<div id="results">') and "<html" not in part and ">Dmitri Tian</a>" in part


def test_a_name_nobody_has_is_told_beside_the_filter_and_kept_as_typed(client, world):
    """The person filter is one free text: no value is refused, but one that finds nobody is told so, and what
    was typed stays in the box (escaped), with a page number that is not one."""
    client.force_login(world["member"])
    typed = "Nobody <b>Nowhere</b>' OR 1=1 --"
    for params in ({"name": typed}, {"name": typed, "page": "last-but-one"}, {"name": typed, "page": "-3"}):
        response = client.get(reverse("person_list"), params)
        assert response.status_code == 200, params
        html = response.content.decode()
        kept = "Nobody &lt;b&gt;Nowhere&lt;/b&gt;&#x27; OR 1=1 --"
        assert f'name="name" value="{kept}"' in html, params
        assert f"No one you may see is named “{kept}”" in html and "<b>Nowhere</b>" not in html, params
        assert "Dmitri Tian" not in html


def test_the_list_is_paged_fifty_a_page(client, world):
    client.force_login(world["member"])
    team = Team.objects.get(name="A")
    for n in range(60):
        factories.person(f"Paged Person {n:02d}", team=team)
    total = Person.objects.filter(team=team).count()
    first = client.get(reverse("person_list")).content.decode()
    assert len(re.findall(r'href="/persons/\d+/"', first)) == 50 and f"({total} in all)" in first
    last = client.get(reverse("person_list"), {"page": (total + 49) // 50}).content.decode()
    assert "Paged Person 59" in last


def test_an_htmx_request_gets_the_timeline_of_the_kind_asked_for(client, world):
    client.force_login(world["member"])
    url = reverse("person_detail", args=[tian().pk])
    custody = client.get(url, {"kind": "custody"}, HTTP_HX_REQUEST="true").content.decode()
    assert custody.lstrip().startswith('<section class="panel" id="timeline">') and "<html" not in custody
    assert "Transferred" in custody and "Verdict" not in custody and "Allegation" not in custody
    accountability = client.get(url, {"kind": "accountability"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Verdict" in accountability and "Transferred" not in accountability
    whole = client.get(url, {"kind": "custody"}).content.decode()  # without htmx: the whole page, filtered
    assert "<html" in whole and "Transferred" in whole and "Verdict" not in whole
    assert client.get(url, {"kind": "nonsense"}).status_code == 200  # an unknown kind shows everything


def test_the_group_file_shows_its_allegations_investigations_and_findings(client, world):
    findings_evaluate(profile_name="kz")
    client.force_login(world["member"])
    group = Group.objects.get(size=37)
    html = client.get(reverse("group_detail", args=[group.pk])).content.decode()
    assert "37 defendants in the Zhanaozen trial" in html and "Size" in html
    assert "Torture allegations of the defendants in the Zhanaozen trial" in html
    assert "IP-INDEPENDENCE" in html and "Complaint" in html
    assert AuditEvent.objects.filter(action="read", target_type="registry.group", target_id=str(group.pk)).exists()
    listed = client.get(reverse("group_list")).content.decode()
    assert reverse("group_detail", args=[group.pk]) in listed


def cite(record: object, source: Source, page: int) -> None:
    Citation.objects.create(source=source, record=record, page=str(page))


def test_the_person_page_makes_as_many_queries_with_more_records(client, world):
    findings_evaluate(profile_name="kz")
    client.force_login(world["member"])
    person = tian()
    url = reverse("person_detail", args=[person.pk])
    client.get(url)  # content types and the like, cached once per process
    team = Team.objects.get(name="A")
    episode = CustodyEpisode.objects.get(person=person)
    source = Source.objects.get(key="amnesty-2013")
    method, organisation = Method.objects.first(), factories.organisation("Unit of tests", "unit", team=team)

    def grow() -> None:
        for n in range(3):
            place = factories.place(f"Prison {n}", team=team)
            placement = factories.saved(
                Placement(custody=episode, place=place, started_on=f"2011-0{n + 1}-01", team=team)
            )
            cite(placement, source, n)
            allegation = factories.saved(Allegation(victim=person, summary=f"allegation {n}", team=team))
            allegation.methods.add(method)
            Perpetrator.objects.create(allegation=allegation, organisation=organisation)
            cite(allegation, source, n)
            cite(person, source, n)

    assert_queries_bounded(client, url, grow)
    assert_queries_bounded(client, url + "?kind=custody", grow)


def test_the_group_page_and_the_lists_make_as_many_queries_with_more_records(client, world):
    findings_evaluate(profile_name="kz")
    client.force_login(world["member"])
    team = Team.objects.get(name="A")
    group = Group.objects.get(size=37)
    source = Source.objects.get(key="amnesty-2013")
    url = reverse("group_detail", args=[group.pk])
    for page in (url, reverse("group_list"), reverse("person_list")):
        client.get(page)

    def grow() -> None:
        for n in range(3):
            member = factories.person(f"Member {n}", team=team)
            group.members.add(member)
            factories.custody(member, team=team)
            allegation = factories.saved(Allegation(victim_group=group, summary=f"allegation {n}", team=team))
            cite(allegation, source, n)
            factories.saved(Group(label=f"Group {n}", size=n, team=team))

    # a file reads only the kinds of record it has (at most sixteen): once it has records of the kinds grow()
    # adds, more of them make no more queries
    grow()
    assert_queries_bounded(client, url, grow)
    assert_queries_bounded(client, reverse("group_list"), grow)
    assert_queries_bounded(client, reverse("person_list"), grow)
    assert_queries_bounded(client, reverse("person_list") + "?name=Member", grow)


def test_a_charge_stands_in_the_file_although_its_proceeding_is_another_teams(client, world):
    from habeas.cases.models import Charge, Proceeding

    person = factories.person("Marat Zhanbolatov", team=Team.objects.get(name="A"))  # tried nowhere else
    other = factories.saved(Proceeding(team=Team.objects.get(name="B"), kind="criminal", title="Case of team B"))
    factories.saved(Charge(team=person.team, proceeding=other, defendant=person, offence="inciting social discord"))
    client.force_login(world["member"])
    page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "inciting social discord" in page
    assert "Case of team B" not in page


def test_on_russian_pages_facts_and_standards_are_named_in_russian(client, world, settings):
    from habeas.registry.models import Place

    findings_evaluate(profile_name="kz")  # the standards findings cite are shown in Russian too
    client.force_login(world["member"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    tian_page = client.get(reverse("person_detail", args=[tian().pk])).content.decode()
    assert "Правила Нельсона Манделы" in tian_page
    tuletaeva = persons_named("Roza Tuletaeva", exact=True).get()
    assert (
        "<dt>Судебное разбирательство</dt>"
        in client.get(reverse("person_detail", args=[tuletaeva.pk])).content.decode()
    )
    team = Team.objects.get(name="A")
    pages = [
        reverse("person_detail", args=[pk]) for pk in Person.objects.filter(team=team).values_list("pk", flat=True)
    ]
    pages += [reverse("place_detail", args=[pk]) for pk in Place.objects.filter(team=team).values_list("pk", flat=True)]
    summaries = []
    for url in pages:
        page = client.get(url).content.decode()
        assert not re.findall(r"<dt>[A-Za-z][^<]*</dt>", page), url  # no fact of any record named in English
        assert "Mandela Rules" not in page and "Convention against Torture" not in page, url
        summaries += re.findall(r'<div class="finding [a-z]+">.*?<p>(.*?)</p>', page, re.DOTALL)
    assert len(summaries) > 20
    for summary in summaries:  # what each finding found, in Russian around the records' own words
        english = re.search(r"\b(limit|days?|hours?|learned|consecutive|allowed|recorded|ago)\b", summary)
        assert re.search("[а-я]", summary) and not english, summary
    told = "Irina Khan: сообщение о событии («этапирование») получено спустя от 32 до 91 дня (ноябрь 2010 г. → январь"
    assert told in tian_page
