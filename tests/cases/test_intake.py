"""The intake of an allegation, step by step: each step checks its fields and says what to fix, keeps what was
typed, saves the draft (encrypted) at every step; the last step records everything with citations, or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from habeas.accounts.models import AuditEvent
from habeas.accounts.viewer import viewer_for
from habeas.cases.models import Allegation, IntakeDraft, Perpetrator, Statement
from habeas.cases.services import intake_draft_start
from habeas.custody.models import CustodyEpisode, MedicalExamination
from habeas.evidence.models import Citation, Source
from habeas.registry.models import Organisation, Person, PersonName, Place
from habeas.registry.selectors import persons_named
from habeas.reports.search import search
from tests.cases.pages import PAGES, URL_ARGUMENTS
from tests.conftest import PERSONAS
from tests.pages import assert_queries_bounded

pytestmark = pytest.mark.django_db
NEXT_YEAR = dt.date.today().year + 1
MODELS = [Person, PersonName, Allegation, Perpetrator, Statement, CustodyEpisode, MedicalExamination, Citation]


def step_url(draft, step):
    return reverse("intake_step", kwargs={"pk": draft.pk, "step": step})


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def valid_steps(world):
    """What a researcher types at each step for a new victim (as the browser posts it)."""
    source = Source.objects.get(key="amnesty-2013")
    place = Place.objects.get(name="Zhanaozen main police station")
    police = Organisation.objects.get(name="Zhanaozen police")
    return {
        "who": {"name": "Ерлан Сапаров", "other_name": "Erlan Saparov", "sex": "m", "birth_year": "1985"},
        "when": {
            "happened_on": "2011-12",
            "place": str(place.pk),
            "circumstances": "during interrogation",
            "in_custody": "yes",
        },
        "what": {
            "kind": "torture",
            "methods": ["beating", "suffocation-bag"],
            "account": "They put a bag over my head until I signed.",
            "purpose": "to obtain a confession",
        },
        "perpetrators": {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-name": "Captain Zhumabekov",
            "form-0-unit": str(police.pk),
            "form-1-description": "two officers in plain clothes",
        },
        "injuries": {
            "injuries": "bruises on the back; headaches since",
            "examination": "requested",
            "examination_kind": "forensic",
            "examined_on": "2011-12-20",
        },
        "witnesses": {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-name": "Асель Нурова",
            "form-0-account": "I heard screams from the next room.",
        },
        "consent": {"consent_record": "on", "consent_by": "victim", "consent_use": ["complaints"], "risk": "yes"},
        "source": {"source": str(source.pk), "page": "12", "section": "Zhanaozen"},
    }


def test_the_intake_pages_answer_each_persona_as_the_matrix_says(client, world):
    for persona in PERSONAS:
        client.logout()
        if persona != "anonymous":
            client.force_login(world[persona])
        for name, statuses in PAGES.items():
            kwargs = URL_ARGUMENTS[name]() if name in URL_ARGUMENTS else None
            assert client.get(reverse(name, kwargs=kwargs)).status_code == statuses[persona], (name, persona)


def test_a_new_allegation_is_recorded_step_by_step_with_a_citation_for_every_record(client, world):
    member = world["member"]
    client.force_login(member)
    start = client.post(reverse("intake"))
    draft = IntakeDraft.objects.get(user=member)
    assert start.url == step_url(draft, "who")
    assert draft.team_id is not None
    before = counts()
    typed = valid_steps(world)
    for number, (step, data) in enumerate(typed.items(), 1):
        response = client.post(step_url(draft, step), {**data, "go": "next"})
        assert response.status_code == 302, (step, response.content.decode()[:3000])
        draft.refresh_from_db()
        assert draft.step == number  # saved at every step
        assert draft.data[step]["page" if step == "source" else next(iter(data))]
    assert response.url == step_url(draft, "review")
    assert counts() == before  # nothing recorded before the last step

    # encrypted at rest: the raw value holds neither the name nor the testimony
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT data FROM {IntakeDraft._meta.db_table} WHERE id = %s", [draft.pk])
        raw = cursor.fetchone()[0]
    for secret in ("Ерлан", "Saparov", "bag over my head", "Нурова"):
        assert secret not in raw and secret.encode("unicode_escape").decode() not in raw

    # going back shows the saved values
    page = client.get(step_url(draft, "who")).content.decode()
    assert 'value="Ерлан Сапаров"' in page and 'value="1985"' in page
    page = client.get(step_url(draft, "what")).content.decode()
    assert "They put a bag over my head until I signed." in page
    assert 'value="suffocation-bag" id="id_methods_' in page and "checked" in page

    review = client.get(step_url(draft, "review")).content.decode()
    assert "Ерлан Сапаров" in review and "December 2011" in review and "Captain Zhumabekov" in review
    assert "needs fixing" not in review
    assert "Captain Zhumabekov (new person)" in review

    response = client.post(step_url(draft, "review"))
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == ["The allegation was recorded: 15 records, each citing the source."]
    assert not IntakeDraft.objects.filter(pk=draft.pk).exists()
    allegation = Allegation.objects.latest("pk")
    victim = allegation.victim
    assert response.status_code == 302
    assert (
        response.url
        in (
            reverse("admin:cases_allegation_change", args=[allegation.pk]),
            f"/persons/{victim.pk}/",
        )
        or str(victim.pk) in response.url
    )
    assert victim.label == "Ерлан Сапаров" and victim.born_on == dt.date(1985, 1, 1) and victim.team_id == draft.team_id
    assert {(n.full_name, n.script, n.kind) for n in victim.names.all()} == {
        ("Ерлан Сапаров", "Cyrl", "primary"),
        ("Erlan Saparov", "Latn", "translit"),
    }
    assert allegation.happened_on == dt.date(2011, 12, 1) and allegation.happened_on_precision == "month"
    assert allegation.date_text("happened_on") == "December 2011"
    assert allegation.place.name == "Zhanaozen main police station"
    assert allegation.summary == "They put a bag over my head until I signed."
    assert sorted(m.code for m in allegation.methods.all()) == ["beating", "suffocation-bag"]
    assert allegation.purpose == "to obtain a confession" and allegation.risk_of_reprisal is True
    assert "complaints and legal action" in allegation.notes and "Informed consent" in allegation.notes
    assert allegation.custody.person == victim
    exam = allegation.custody.examinations.get()
    assert exam.performed is False and exam.requested_on == dt.date(2011, 12, 20)
    perpetrators = list(allegation.perpetrators.order_by("pk"))
    assert (
        perpetrators[0].person.label == "Captain Zhumabekov" and perpetrators[0].organisation.name == "Zhanaozen police"
    )
    assert perpetrators[1].person.label == "two officers in plain clothes"
    assert perpetrators[1].description == ""  # the person is known by the description
    statement = Statement.objects.latest("pk")
    assert statement.person.label == "Асель Нурова" and statement.text == "I heard screams from the next room."
    after = counts()
    created = {name: after[name] - before[name] for name in after}
    assert created == {
        "Person": 4,  # the victim, a named officer, one described, the witness
        "PersonName": 5,
        "Allegation": 1,
        "Perpetrator": 2,
        "Statement": 1,
        "CustodyEpisode": 1,
        "MedicalExamination": 1,
        "Citation": 15,  # every record above, each citing the source at page 12
    }
    source = Source.objects.get(key="amnesty-2013")
    assert all(c.source == source and c.page == "12" for c in Citation.objects.order_by("-pk")[:15])
    cited = {(c.content_type.model, c.object_id) for c in Citation.objects.order_by("-pk")[:15]}
    assert ("allegation", allegation.pk) in cited and ("person", victim.pk) in cited
    assert ("perpetrator", perpetrators[1].pk) in cited
    assert AuditEvent.objects.filter(
        action="create", target_type="cases.allegation", target_id=str(allegation.pk)
    ).exists()
    # found at once by the search box, in either script
    assert [p.pk for p in search(viewer_for(member), "Saparov", "person").hits["person"].rows] == [victim.pk]
    assert allegation.pk in [a.pk for a in search(viewer_for(member), "bag head", "allegation").hits["allegation"].rows]
    assert AuditEvent.objects.filter(action="create", target_type="evidence.citation").count() >= 15


def test_a_person_already_recorded_is_found_in_any_script_and_linked(client, world):
    client.force_login(world["member"])
    draft = intake_draft_start(user=world["member"])
    page = client.post(step_url(draft, "who"), {"search": "Тян", "go": "find"}).content.decode()
    tian = persons_named("Dmitri Tian", exact=True).get()
    assert f'value="{tian.pk}"' in page and "Dmitri Tian" in page
    assert "errorlist" not in page  # a search is not a submission
    page = client.post(step_url(draft, "who"), {"search": "Nobody Atall", "go": "find"}).content.decode()
    assert 'id="no-match"' in page
    fragment = client.post(step_url(draft, "who"), {"search": "Tyan", "go": "find"}, headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<section class="panel intake" id="step">')
    assert f'value="{tian.pk}"' in fragment.content.decode() and "<html" not in fragment.content.decode()
    review = client.post(step_url(draft, "review"))  # nothing filled in beyond the first step
    assert review.url == step_url(draft, "who")
    typed = valid_steps(world)
    typed["who"] = {"search": "Tyan", "person": str(tian.pk)}
    episode = CustodyEpisode.objects.filter(person=tian).first()
    typed["when"]["custody"] = str(episode.pk)
    before = counts()
    for step, data in typed.items():
        assert client.post(step_url(draft, step), {**data, "go": "next"}).status_code == 302, step
    client.post(step_url(draft, "review"))
    allegation = Allegation.objects.latest("pk")
    assert allegation.victim == tian and allegation.custody == episode
    after = counts()
    assert after["CustodyEpisode"] == before["CustodyEpisode"]
    assert after["Person"] - before["Person"] == 3  # the officers and the witness, not the victim


def test_every_step_says_what_to_fix_keeps_what_was_typed_and_stores_no_record(client, world):
    client.force_login(world["member"])
    draft = intake_draft_start(user=world["member"])
    before = counts()
    tian = persons_named("Dmitri Tian", exact=True).get()
    cases = [
        ("who", {"sex": "f", "birth_year": "1990"}, "name the victim or pick a person", ['value="1990"']),
        (
            "who",
            {"name": "Zhanna", "birth_year": str(NEXT_YEAR)},
            "the year of birth is in the future",
            ['value="Zhanna"'],
        ),
        (
            "who",
            {"search": "Tian", "person": str(tian.pk), "name": "Someone Else"},
            "clear the name, or clear the pick",
            ['value="Someone Else"'],
        ),
        (
            "when",
            {"happened_on": f"{NEXT_YEAR}-03-01", "circumstances": "on arrest"},
            "the date is in the future",
            [f'value="{NEXT_YEAR}-03-01"', 'value="on arrest"'],
        ),
        ("when", {"happened_on": "yesterday"}, "write the date as 2011-12-16, 2011-12 or 2011", ['value="yesterday"']),
        ("when", {"happened_on": "2011"}, "say where it happened", []),
        (
            "when",
            {"happened_on": "2012-03", "happened_until": "2011-12-16", "locality": ""},
            "is before the start",
            ['value="2011-12-16"'],
        ),
        (
            "what",
            {"kind": "torture", "purpose": "punishment"},
            "choose at least one method or describe what was done",
            ['value="punishment"'],
        ),
        (
            "perpetrators",
            {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-unit": "999999"},
            "Select a valid choice",
            [],
        ),
        (
            "injuries",
            {"examination": "none", "examined_on": "2012-01-05", "injuries": "broken rib"},
            "no examination was requested or done",
            ['value="2012-01-05"', "broken rib"],
        ),
        (
            "injuries",
            {"examination": "done", "examined_on": f"{NEXT_YEAR}"},
            "the date is in the future",
            [],
        ),
        (
            "witnesses",
            {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-account": "I saw it"},
            "say who the witness is",
            ["I saw it"],
        ),
        (
            "consent",
            {"consent_use": ["complaints"], "risk": "yes"},
            "recorded only with informed consent",
            ['value="complaints"'],
        ),
        (
            "consent",
            {"consent_record": "on", "consent_use": ["publication", "anonymous"]},
            "choose publication with the name or without it, not both",
            [],
        ),
        ("source", {"note": "told in person"}, "choose the source the account comes from", ["told in person"]),
        (
            "source",
            {"source": str(Source.objects.get(key="amnesty-2013").pk)},
            "say where in the source the account is",
            [],
        ),
    ]
    for step, data, message, kept in cases:
        response = client.post(step_url(draft, step), {**data, "go": "next"})
        assert response.status_code == 200, (step, data)
        page = response.content.decode()
        assert message in page.replace("&#x27;", "'").replace("&quot;", '"'), (step, message)
        assert 'class="field error"' in page or 'class="errorlist' in page
        for value in kept:
            assert value in page, (step, value)
        draft.refresh_from_db()
        assert draft.step == 0  # not moved on
        assert draft.data[step] == {k: v if isinstance(v, list) else [v] for k, v in data.items()}  # kept as typed
        page = client.get(step_url(draft, step)).content.decode()  # and shown again on coming back
        for value in kept:
            assert value in page, (step, value)
    assert counts() == before


def test_a_failure_while_recording_stores_nothing_and_sends_the_user_to_the_step_to_fix(client, world, monkeypatch):
    client.force_login(world["member"])
    draft = intake_draft_start(user=world["member"])
    for step, data in valid_steps(world).items():
        client.post(step_url(draft, step), {**data, "go": "next"})
    before = counts()
    audit = AuditEvent.objects.count()

    # a step that was valid is no longer (its place was deleted meanwhile)
    draft.refresh_from_db()
    draft.data["when"]["place"] = ["999999"]
    draft.save()
    review = client.get(step_url(draft, "review")).content.decode()
    assert "This step needs fixing" in review
    response = client.post(step_url(draft, "review"))
    assert response.url == step_url(draft, "when")
    page = client.get(response.url).content.decode()
    assert "needs fixing" in page and "Select a valid choice" in page
    assert counts() == before and AuditEvent.objects.count() == audit

    # a record's own validation fails after others were made: all of them are rolled back
    draft.data["when"]["place"] = [valid_steps(world)["when"]["place"]]
    draft.save()

    def refuse(self, *args, **kwargs):
        raise ValidationError({"examiner": "the examiner is unknown to this registry"})

    monkeypatch.setattr(MedicalExamination, "full_clean", refuse)
    response = client.post(step_url(draft, "review"))
    assert response.url == step_url(draft, "injuries")
    assert "the examiner is unknown" in client.get(response.url).content.decode()
    assert counts() == before and AuditEvent.objects.count() == audit
    assert IntakeDraft.objects.filter(pk=draft.pk).exists()


def test_a_draft_is_its_authors_alone(client, world):
    draft = intake_draft_start(user=world["member"])
    client.force_login(world["member"])
    client.post(step_url(draft, "who"), {"name": "Private Name", "go": "next"})
    for persona in ("owner", "superuser", "outsider"):
        client.force_login(world[persona])
        assert client.get(step_url(draft, "who")).status_code == 404
        assert client.post(step_url(draft, "who"), {"name": "Overwritten", "go": "next"}).status_code == 404
        assert client.post(step_url(draft, "review")).status_code == 404
        assert "Private Name" not in client.get(reverse("intake")).content.decode()
        assert client.post(reverse("intake"), {"discard": draft.pk}).status_code == 404
    client.force_login(world["readonly"])
    assert client.post(reverse("intake")).status_code == 403
    assert client.post(step_url(draft, "review")).status_code == 403
    draft.refresh_from_db()
    assert draft.data["who"]["name"] == ["Private Name"]
    client.force_login(world["member"])
    listing = client.get(reverse("intake")).content.decode()
    assert "Private Name" in listing
    client.post(reverse("intake"), {"discard": draft.pk})
    assert not IntakeDraft.objects.filter(pk=draft.pk).exists()


def test_script_and_sql_in_every_field_are_stored_exactly_and_shown_escaped(client, world):
    script = "<script>alert('x')</script>"
    sql = "Robert'); DROP TABLE registry_person;--"
    client.force_login(world["member"])
    draft = intake_draft_start(user=world["member"])
    typed = valid_steps(world)
    typed["who"] = {"name": script, "other_name": sql}
    typed["when"]["circumstances"] = sql
    typed["what"]["account"] = script
    typed["what"]["purpose"] = sql
    typed["perpetrators"]["form-1-description"] = script
    witness = "Bobby'); DROP TABLE cases_allegation;--"
    typed["witnesses"]["form-0-name"] = witness
    typed["injuries"]["injuries"] = script
    typed["consent"]["safety"] = script
    typed["source"]["note"] = script
    for step, data in typed.items():
        assert client.post(step_url(draft, step), {**data, "go": "next"}).status_code == 302, step
    for page in (
        client.get(reverse("intake")).content.decode(),
        client.get(step_url(draft, "who")).content.decode(),
        client.get(step_url(draft, "review")).content.decode(),
    ):
        assert script not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    review = client.get(step_url(draft, "review")).content.decode()
    assert "Robert&#x27;); DROP TABLE registry_person;--" in review
    client.post(step_url(draft, "review"))
    allegation = Allegation.objects.latest("pk")
    assert allegation.victim.label == script and allegation.summary == script
    assert allegation.circumstances == sql and allegation.purpose == sql and allegation.injuries == script
    assert {n.full_name for n in allegation.victim.names.all()} == {script, sql}
    assert Statement.objects.latest("pk").person.label == witness
    assert Citation.objects.latest("pk").note == script
    assert Person.objects.filter(pk=allegation.victim.pk).exists()  # the table is still there


def test_the_drafts_page_makes_as_many_queries_whatever_the_number_of_drafts(client, world):
    member = world["member"]
    client.force_login(member)
    intake_draft_start(user=member)

    def grow():
        for n in range(5):
            draft = intake_draft_start(user=member)
            draft.data = {"who": {"name": [f"Person {n}"]}}
            draft.step = n
            draft.save()

    assert_queries_bounded(client, reverse("intake"), grow)


def test_adding_a_row_keeps_the_rows_typed(client, world):
    client.force_login(world["member"])
    draft = intake_draft_start(user=world["member"])
    page = client.post(
        step_url(draft, "witnesses"),
        {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0", "form-0-name": "Cellmate", "go": "more"},
    ).content.decode()
    assert 'name="form-2-name"' in page and 'value="Cellmate"' in page
