"""Importing a list from the web, as jobs of the worker: the file (step 1) kept encrypted until its import ends
and read by the worker, its columns mapped to fields (step 2, guessed from the columns' names, beside the first
rows), then the worker imports it; a file that cannot be read, or a list with bad rows, fails with every problem
named on the job's page, and nothing is stored."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from habeas.accounts.models import AuditEvent, Team
from habeas.core.models import Job
from habeas.counting.forms import guess_mapping
from habeas.counting.models import ListRow, SourceList
from habeas.counting.services import (
    ListUploadMissing,
    list_upload_get,
    list_upload_store,
    list_uploads_dir,
    list_uploads_sweep,
)
from habeas.evidence.models import Source
from tests.conftest import run_worker
from tests.counting.conftest import HEADER_EN, HEADER_RU, csv_bytes, xlsx_bytes
from tests.pages import assert_queries_bounded

pytestmark = pytest.mark.django_db

ROWS = [
    ("1", "Кенжебаев", "Ерлан", "Серикович", "м", "02.03.1975", "Жанаозен"),
    ("2", "Тулетаева", "Роза", "Ахметовна", "ж", "??.05.1961", "Актау"),
    ("3", "Тян", "Дмитрий", "", "", "1980", ""),
]
NAMES = ["Кенжебаев", "Тулетаева", "Ерлан", "Серикович", "Жанаозен"]
START = "/counting/lists/import/"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def register(world) -> Source:
    return Source.objects.create(
        key="official-register", title="Official register", kind="official", team=Team.objects.get(name="A")
    )


def uploads() -> list[Path]:
    folder = list_uploads_dir()
    return sorted(folder.iterdir()) if folder.is_dir() else []


def upload(client, chosen, content: bytes | None, name: str = "реестр.csv", **fields):
    """Step 1; a file accepted is read by the worker, and the answer is then the job's."""
    data = {"source": chosen.pk, "title": "", "encoding": "", "event": "", "stratum": "", **fields}
    if content is not None:
        data["file"] = SimpleUploadedFile(name, content)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("list_import_start"), data)
    if response.status_code == 302 and response["Location"].startswith("/jobs/"):
        run_worker()
    return response


def mapping_url(response) -> str:
    """The address of step 2 that the job reading the file leads to."""
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert job.status == Job.Status.DONE, job.error
    return job.result_url


def token_of(response) -> str:
    return mapping_url(response).rstrip("/").rsplit("/", 1)[1]


def selected(html: str, field: str) -> str:
    """The value chosen in the select of ``field`` ("" for none)."""
    match = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', html, re.S)
    assert match, field
    chosen = re.search(r'<option value="([^"]*)" selected>', match.group(1))
    return chosen.group(1) if chosen else ""


def form_choices(html: str) -> dict[str, str]:
    """The mapping form's choice for every field, as the page guessed it."""
    return {field: selected(html, field) for field in re.findall(r'<select name="(\w+)"', html)}


def job_problems(page: str) -> list[str]:
    """The problems a failed job's page lists, one per item."""
    return re.findall(r"<li>(.*?)</li>", page[page.index('id="job-problems"') :].split("</ul>")[0], re.S)


def test_a_cyrillic_list_is_uploaded_mapped_and_imported_by_the_worker(
    client, world, media, register, django_capture_on_commit_callbacks
):
    assert reverse("list_import_start") == START
    client.force_login(world["member"])
    workspace = client.get(reverse("counting")).content.decode()
    assert f'href="{START}"' in workspace and "Import a list" in workspace
    page = client.get(START).content.decode()
    assert f'value="{register.pk}"' in page and "official-register — Official register" in page

    content = csv_bytes(HEADER_RU, ROWS, encoding="cp1251", delimiter=";")
    response = upload(client, register, content, title="Official register, 2012", event="Zhanaozen", stratum="west")
    assert response.status_code == 302, response.content.decode()
    reading = Job.objects.get()
    assert response["Location"] == reverse("job_detail", args=[reading.pk])
    token = token_of(response)
    assert reading.result_url == reverse("list_import_map", args=[token])
    assert reverse("list_import_map", args=[token]) in client.get(response["Location"]).content.decode()

    # the upload is kept encrypted: no name, in any encoding, nor the file's name, on disk
    (stored,) = uploads()
    assert stored.name == token and stored.stat().st_mode & 0o077 == 0
    raw = stored.read_bytes()
    assert raw.startswith(b"hb1:") and content not in raw
    for text in [*NAMES, "реестр", "Official register, 2012"]:
        for encoding in ("utf-8", "cp1251", "koi8-r", "utf-16-le"):
            assert text.encode(encoding) not in raw, (text, encoding)

    # step 2: the columns guessed from their Russian names, the first rows shown as read (Windows-1251)
    html = client.get(mapping_url(response)).content.decode()
    guessed = {field: selected(html, field) for field in ("record_id", "surname", "given_name", "patronymic")}
    assert guessed == {"record_id": "№", "surname": "Фамилия", "given_name": "Имя", "patronymic": "Отчество"}
    assert (selected(html, "sex"), selected(html, "born_on"), selected(html, "region")) == (
        "Пол",
        "Дата рождения",
        "Регион",
    )
    assert selected(html, "birth_year") == selected(html, "national_id") == ""
    assert "Кенжебаев" in html and "??.05.1961" in html and "Windows-1251" in html and "3 rows" in html

    mapping = form_choices(html)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("list_import_map", args=[token]), mapping)
    job = Job.objects.exclude(pk=reading.pk).get(kind="import")
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert "waiting for the worker" in client.get(response["Location"]).content.decode()
    assert not SourceList.objects.exists()  # the worker imports it
    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.result_url == reverse("counting") + "#lists" and "official-register" in job.title
    listed = SourceList.objects.get()
    assert (listed.source, listed.team.name, listed.imported_by) == (register, "A", world["member"])
    assert (listed.title, listed.event, listed.stratum, listed.original_name) == (
        "Official register, 2012",
        "Zhanaozen",
        "west",
        "реестр.csv",
    )
    assert (listed.encoding, listed.encoding_declared, listed.row_count) == ("cp1251", False, 3)
    assert listed.mapping == {k: v for k, v in mapping.items() if v}
    rows = list(ListRow.objects.filter(source_list=listed).order_by("row_number"))
    assert [(r.row_number, r.surname, r.sex) for r in rows] == [
        (2, "Кенжебаев", "m"),
        (3, "Тулетаева", "f"),
        (4, "Тян", ""),
    ]
    assert rows[1].born_on == dt.date(1961, 5, 1) and rows[1].born_on_precision == "month"
    assert AuditEvent.objects.filter(action="import", target_id=str(listed.pk)).exists()
    assert uploads() == []  # removed once the job ended
    assert client.get(reverse("list_import_map", args=[token])).status_code == 404
    assert "Official register, 2012" in client.get(reverse("counting")).content.decode()


def test_a_list_with_bad_rows_fails_and_its_job_page_names_every_problem(
    client, world, media, register, django_capture_on_commit_callbacks
):
    rows = [
        ("1", "Кенжебаев", "Ерлан", "", "м", "02.03.1975", ""),
        ("2", "Тулетаева", "Роза", "", "x", "1961", ""),
        ("3", "Тян", "Дмитрий", "", "м", "31.02.1980", ""),
        ("4", "", "", "", "ж", "", "Актау"),
    ]
    client.force_login(world["member"])
    response = upload(client, register, csv_bytes(HEADER_EN, rows), name="lawyers.csv")
    token = token_of(response)
    html = client.get(mapping_url(response)).content.decode()
    mapping = form_choices(html)
    assert (mapping["surname"], mapping["given_name"], mapping["born_on"], mapping["record_id"]) == (
        "Surname",
        "Given name",
        "Born",
        "ID",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("list_import_map", args=[token]), mapping)
    run_worker()

    job = Job.objects.get(kind="import", status=Job.Status.FAILED)
    assert not job.error.startswith("ListImportError")
    page = client.get(response["Location"]).content.decode()
    assert "It failed: The list was not imported and nothing of it was stored." in page
    assert "Correct these 3 problems in the file" in page
    problems = job_problems(page)
    assert len(problems) == 3
    assert problems[0].startswith("row 3, column “Sex”: cannot read the sex &#x27;x&#x27;")
    assert problems[1].startswith("row 4, column “Born”: &#x27;31.02.1980&#x27; is not a real date")
    assert problems[2] == "row 5, column “Surname”: no name: a row needs a surname or a given name"
    assert not SourceList.objects.exists() and not ListRow.objects.exists()
    assert uploads() == []  # removed although the import failed
    # the problems quote the file's cells (a name, mapped to the wrong field, would be one): kept encrypted, and
    # not repeated in clear by the task queue's record of the task
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    with connection.cursor() as cursor:
        cursor.execute("SELECT error FROM core_job WHERE id = %s", [job.pk])
        raw = cursor.fetchone()[0]
    assert "31.02.1980" in job.error and "31.02.1980" not in raw
    assert all("31.02.1980" not in str(result.__dict__) for result in DBTaskResult.objects.all())


def test_the_worker_tells_the_problems_in_the_language_of_the_page_that_started_the_import(
    client, world, media, register, settings, django_capture_on_commit_callbacks
):
    rows = [
        ("1", "Кенжебаев", "Ерлан", "", "м", "02.03.1975", ""),
        ("2", "Тулетаева", "Роза", "", "x", "31.02.1980", ""),
        ("3", "", "", "", "ж", "", "Актау"),
    ]
    client.force_login(world["member"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = upload(client, register, csv_bytes(HEADER_EN, rows), name="lawyers.csv")
    html = client.get(mapping_url(response)).content.decode()
    mapping = form_choices(html)
    token = token_of(response)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("list_import_map", args=[token]), mapping)
    run_worker()  # the worker's own language is English

    assert {job.language for job in Job.objects.all()} == {"ru"}
    page = client.get(response["Location"]).content.decode()
    assert "Список не импортирован, из него ничего не сохранено." in page
    problems = job_problems(page)
    assert len(problems) == 3
    assert "не удаётся прочитать пол &#x27;x&#x27;" in problems[0]
    assert "&#x27;31.02.1980&#x27; — несуществующая дата" in problems[1]
    assert problems[2].endswith("нет имени: в строке нужна фамилия или имя")
    assert not any("row" in problem or "cannot" in problem for problem in problems)


def test_bad_input_in_the_forms_is_refused_field_by_field(client, world, media, register, settings):
    settings.HABEAS_MAX_UPLOAD_MB = 1
    client.force_login(world["member"])
    good = csv_bytes(HEADER_RU, ROWS)
    cases = [
        (None, "reg.csv", {}, "file", "Choose the file of the list."),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "list.csv", {}, "file", "is not a CSV or XLSX file"),
        (b"%PDF-1.4 a report", "list.pdf", {}, "file", "is not a CSV or XLSX file"),
        (good + b"x" * (1024 * 1024), "big.csv", {}, "file", "“big.csv” is larger than 1 MB, the largest allowed"),
        (b"", "empty.csv", {}, "file", "The submitted file is empty."),
        (good, "reg.csv", {"source": ""}, "source", "Choose the source of the list."),
        (good, "reg.csv", {"encoding": "latin-1"}, "encoding", "Select a valid choice."),
    ]
    for content, name, extra, field, message in cases:
        response = upload(client, register, content, name=name, title="Typed title", stratum="west", **extra)
        assert response.status_code == 400, (name, message)
        html = response.content.decode()
        errors = html[html.index(f'id="field-{field}"') :].split("</div>")[0]
        assert message in errors, (name, message, errors)
        assert 'value="Typed title"' in html and 'value="west"' in html  # what was typed is kept
    assert uploads() == [] and not Job.objects.exists()

    # files that cannot be read: refused by the worker, every problem named on the job's page, nothing kept
    unreadable = [
        (b"a,b\r\n1,2,3\r\n", "cells.csv", {}, "row 2: the row has 3 cells but the header only 2"),
        (b"\xd0\xcf\x11\xe0old", "old.xls", {}, "an old Excel (.xls) workbook"),
        # declared Windows-1251 but written in UTF-8 ("И" is D0 98, and 98 is no letter in Windows-1251)
        (good, "reg.csv", {"encoding": "cp1251"}, "row 1: not Windows-1251 text (byte 0x98 at position"),
    ]
    for content, name, extra, message in unreadable:
        response = upload(client, register, content, name=name, **extra)
        job = Job.objects.latest("pk")
        assert response["Location"] == reverse("job_detail", args=[job.pk])
        assert job.status == Job.Status.FAILED
        page = client.get(response["Location"]).content.decode()
        assert "The list was not imported and nothing of it was stored." in page
        assert any(problem.startswith(message) or message in problem for problem in job_problems(page)), page
        assert uploads() == []
    Job.objects.all().delete()

    # step 2: a column chosen twice, and no column for a name
    token = token_of(upload(client, register, good))
    url = reverse("list_import_map", args=[token])
    response = client.post(url, {"surname": "Фамилия", "given_name": "Имя", "region": "Фамилия", "sex": "Nope"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The column “Фамилия” is already chosen for “surname”: choose each column once." in html
    assert "Select a valid choice. Nope is not one of the available choices." in html
    assert selected(html, "region") == "Фамилия" and selected(html, "given_name") == "Имя"  # kept
    response = client.post(url, {"region": "Регион", "born_on": "Дата рождения"})
    assert response.status_code == 400
    assert "Choose the column of the surname or of the given name: every row needs a name." in response.content.decode()
    assert Job.objects.get().result_url == url and len(uploads()) == 1  # only the job that read the file


def test_only_those_who_may_write_import_and_only_into_their_teams_sources(client, world, media, register):
    content = csv_bytes(HEADER_RU, ROWS)
    client.force_login(world["member"])
    token = token_of(upload(client, register, content))
    mapping = {"surname": "Фамилия"}
    for persona in ("analyst", "analyst_named", "readonly"):
        client.force_login(world[persona])
        assert 'id="import-list"' not in client.get(reverse("counting")).content.decode()
        assert client.get(START).status_code == 403
        assert upload(client, register, content).status_code == 403
        assert client.post(reverse("list_import_map", args=[token]), mapping).status_code == 403
    client.force_login(world["outsider"])  # a researcher of team B: team A's sources are not theirs to choose
    page = client.get(START).content.decode()
    assert f'value="{register.pk}"' not in page
    response = upload(client, register, content)
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert client.get(reverse("list_import_map", args=[token])).status_code == 404  # the member's upload
    assert client.post(reverse("list_import_map", args=[token]), mapping).status_code == 404
    for bad in ("../../keys.json", "0" * 31, "Z" * 32):
        assert client.get(f"{START}{bad}/").status_code == 404
    client.logout()
    assert client.get(START).status_code == 302 and upload(client, register, content).status_code == 302
    assert Job.objects.count() == 1 and len(uploads()) == 1  # only the member's upload, and the job that read it


def test_an_upload_opens_only_for_its_user_and_is_swept_after_a_day(world, media, register):
    token = list_upload_store(content=b"a\r\nb\r\n", name="x.csv", source=register, user=world["member"])
    kept = list_upload_get(token=token, user=world["member"])
    assert (kept.content, kept.name, kept.source_id, kept.team_id) == (
        b"a\r\nb\r\n",
        "x.csv",
        register.pk,
        register.team_id,
    )
    with pytest.raises(ListUploadMissing):
        list_upload_get(token=token, user=world["owner"])  # same team, not theirs
    with pytest.raises(ListUploadMissing):
        list_upload_get(token="../" + token, user=world["member"])
    (path,) = uploads()
    day_ago = path.stat().st_mtime - 25 * 3600
    os.utime(path, (day_ago, day_ago))
    assert list_uploads_sweep() == 1 and uploads() == []


def test_columns_are_guessed_from_their_usual_names():
    assert guess_mapping(tuple(HEADER_EN)) == {
        "record_id": "ID",
        "given_name": "Given name",
        "patronymic": "Patronymic",
        "surname": "Surname",
        "sex": "Sex",
        "born_on": "Born",
        "region": "Region",
    }
    header = ("№ п/п", "ФАМИЛИЯ", "имя", "Отчество ", "Год рождения", "Область", "Дата задержания", "Примечание")
    assert guess_mapping(header) == {
        "record_id": "№ п/п",
        "surname": "ФАМИЛИЯ",
        "given_name": "имя",
        "patronymic": "Отчество ",
        "birth_year": "Год рождения",
        "region": "Область",
        "event_on": "Дата задержания",
    }
    assert guess_mapping(("surname", "Фамилия", "given_name")) == {"surname": "surname", "given_name": "given_name"}


def test_a_workbook_is_read_and_its_columns_guessed(client, world, media, register):
    client.force_login(world["member"])
    response = upload(client, register, xlsx_bytes(HEADER_RU, ROWS), name="families.xlsx", encoding="cp1251")
    html = client.get(mapping_url(response)).content.decode()
    assert selected(html, "surname") == "Фамилия" and "Тулетаева" in html and "Windows-1251" not in html


def test_the_import_pages_make_a_bounded_number_of_queries(client, world, media, register):
    team = register.team

    added = itertools.count()

    def more_sources() -> None:
        for n in itertools.islice(added, 3):
            Source.objects.create(key=f"list-source-{n}", title=f"Source {n}", kind="official", team=team)

    client.force_login(world["member"])
    assert_queries_bounded(client, START, more_sources)
    token = token_of(upload(client, register, csv_bytes(HEADER_RU, ROWS)))
    assert_queries_bounded(client, reverse("list_import_map", args=[token]), more_sources)


def test_the_upload_never_goes_to_a_temporary_file_and_the_form_keeps_its_csrf_check(
    client, world, media, register, settings, monkeypatch
):
    from django.core.files import uploadhandler
    from django.test import Client

    def on_disk(*args, **kwargs):
        raise AssertionError("the upload went to a temporary file")

    monkeypatch.setattr(uploadhandler, "TemporaryUploadedFile", on_disk)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # Django would write anything larger to a temporary file
    client.force_login(world["member"])
    response = upload(client, register, csv_bytes(HEADER_RU, ROWS))
    assert response.status_code == 302 and len(uploads()) == 1

    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(world["member"])
    assert upload(guarded, register, csv_bytes(HEADER_RU, ROWS)).status_code == 403
    assert len(uploads()) == 1
