"""Hostile list files, made here: each is refused with one problem naming the file and the limit, quickly,
without the memory a reader would need to obey it; uploaded from the web, the worker refuses it on the job's
page, nothing is stored, and the server still answers."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook

from habeas.accounts.models import Team
from habeas.core.models import Job
from habeas.counting import reading
from habeas.counting.models import ListRow, SourceList
from habeas.counting.reading import ReadError, read_list
from habeas.counting.services import list_uploads_dir
from habeas.evidence.models import Source
from tests.conftest import run_worker

SHEET = "xl/worksheets/sheet1.xml"
MB = 1024 * 1024


def workbook(**cells: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet["A1"], sheet["B1"] = "Surname", "Given name"
    sheet["A2"], sheet["B2"] = "Tian", "Dmitri"
    for cell, value in cells.items():
        sheet[cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewritten(data: bytes, member: str, change) -> bytes:
    """The workbook with one member's XML changed, written again as a zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == member else content)
    return out.getvalue()


def zip_bomb(unpacked_mb: int = 400) -> bytes:
    """A workbook whose sheet is padded with blanks to ``unpacked_mb`` MB: a few hundred KB packed."""
    data = workbook()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename != SHEET:
                target.writestr(info.filename, content)
                continue
            head, tail = content.split(b"</sheetData>")
            with target.open(SHEET, "w", force_zip64=True) as member:
                member.write(head + b"</sheetData>")
                blank = b" " * MB
                for _ in range(unpacked_mb):
                    member.write(blank)
                member.write(tail)
    return out.getvalue()


def with_doctype(doctype: str, entity: str):
    def change(xml: bytes) -> bytes:
        xml = xml.replace(b"<worksheet", doctype.encode() + b"<worksheet", 1)
        return xml.replace(b"<v>", b"<v>" + entity.encode(), 1) if b"<v>" in xml else xml

    return change


XXE = '<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    "<!DOCTYPE w ["
    + "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10 if i else "lol"}">' for i in range(10))
    + "]>"
)


def far_cell_undeclared() -> bytes:
    """A cell at XFD1048576 in a sheet that declares itself A1:B2: the rows are counted as they are read."""
    data = workbook(XFD1048576="x")
    return rewritten(data, SHEET, lambda xml: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:B2"/>', xml))


#: name → (how to make it, what its one problem says)
FILES = {
    "far.xlsx": (lambda: workbook(XFD1048576="x"), "“far.xlsx” reaches cell XFD1048576; a list may have at most"),
    "far_undeclared.xlsx": (
        far_cell_undeclared,
        "“far_undeclared.xlsx” has more than 1,000 empty rows one after another, from row 3",
    ),
    "bomb.xlsx": (zip_bomb, "“bomb.xlsx” unpacks to 400 MB, more than the 200 MB a list's workbook may hold"),
    "xxe.xlsx": (lambda: rewritten(workbook(), SHEET, with_doctype(XXE, "&xxe;")), "not an XLSX workbook"),
    "laughs.xlsx": (lambda: rewritten(workbook(), SHEET, with_doctype(LAUGHS, "&l9;")), "not an XLSX workbook"),
    "malformed.xlsx": (lambda: rewritten(workbook(), SHEET, lambda xml: xml[: len(xml) // 2]), "not an XLSX workbook"),
    "wide.csv": (
        lambda: (",".join(f"c{i}" for i in range(20_000)) + "\r\n" + ",".join("x" * 20_000) + "\r\n").encode(),
        "“wide.csv” has 20,000 columns in row 1; a list may have at most 200",
    ),
    "quote.csv": (
        lambda: b'Surname,Given name\r\n"Tian,Dmitri\r\nTuletaeva,Roza\r\n',
        'line 2 of “quote.csv”: a quote (") opens a cell that is never closed',
    ),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_hostile_list_file_is_refused_with_one_problem_naming_the_file_and_the_limit(name):
    make, expected = FILES[name]
    data = make()
    assert len(data) < 2 * MB  # small files, each made to take a reader down
    start = time.perf_counter()
    with pytest.raises(ReadError) as refused:
        read_list(data, name=name)
    assert time.perf_counter() - start < 10
    (problem,) = refused.value.problems
    assert expected in problem.problem, problem.problem
    assert "root:" not in problem.problem  # no file of the server read through an entity


def test_defusedxml_is_the_parser_of_workbooks():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML


def test_a_list_with_more_rows_than_the_limit_is_refused_as_it_is_read(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 100)  # the real limit, 500,000, scaled down for the test
    data = ("Surname\r\n" + "Tian\r\n" * 150).encode()
    with pytest.raises(ReadError, match=r"“long\.csv” has more than 100 rows, the most a list may have"):
        read_list(data, name="long.csv")
    read_list(("Surname\r\n" + "Tian\r\n" * 99).encode(), name="short.csv")


def test_a_list_that_takes_longer_than_the_limit_to_read_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_SECONDS", -1)  # already past the deadline when the 1,000th row is read
    data = ("Surname\r\n" + "Tian\r\n" * 1500).encode()
    with pytest.raises(ReadError, match=r"reading “slow\.csv” took longer than -1 seconds"):
        read_list(data, name="slow.csv")


@pytest.fixture
def register(world, settings, tmp_path) -> Source:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Source.objects.create(key="register", title="Register", kind="official", team=Team.objects.get(name="A"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["far.xlsx", "bomb.xlsx", "xxe.xlsx", "wide.csv", "quote.csv"])
def test_an_uploaded_hostile_list_is_refused_by_the_worker_and_the_server_still_answers(client, world, register, name):
    make, expected = FILES[name]
    client.force_login(world["member"])
    data = {"source": register.pk, "title": "", "encoding": "", "event": "", "stratum": ""}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("list_import_start"), {**data, "file": SimpleUploadedFile(name, make())})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.status == Job.Status.QUEUED  # the web process did not read it: the worker does
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert expected in job.error
    page = client.get(response["Location"]).content.decode()
    assert "The list was not imported and nothing of it was stored." in page
    assert not SourceList.objects.exists() and not ListRow.objects.exists()
    assert not any(Path(list_uploads_dir()).glob("*"))  # the upload is removed
    assert client.get(reverse("counting")).status_code == 200  # the server still answers
