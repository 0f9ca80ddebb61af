"""Documents of sources: stored encrypted under a path made from their hash alone, given back only as uploaded
(an altered file is refused), refused with a reason when too large or of an unknown type, and re-encrypted by a
key rotation."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from habeas.accounts.models import AuditEvent, Membership, Role, Team
from habeas.core import crypto
from habeas.evidence.models import Document, Source
from habeas.evidence.services import (
    DocumentError,
    clean_name,
    document_add,
    document_path,
    document_read,
    documents_dir,
)
from habeas.ops.keys import keys_rotate
from tests.evidence.pdfs import make_pdf
from tests.protected import leaks

pytestmark = pytest.mark.django_db

PDF = make_pdf("The briefing")  # a real PDF: uploads are parsed
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(32))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(32))
TESTIMONY = "Дмитрий Тян: they beat me at the station in Zhanaozen and held me for three days.".encode()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """A media folder inside a folder of its own, so that a file written beside it would be seen."""
    settings.MEDIA_ROOT = tmp_path / "instance" / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def key_file(settings, tmp_path):
    settings.HABEAS_KEY_FILE = tmp_path / "keys.json"
    crypto.keys_init(settings.HABEAS_KEY_FILE)
    return settings.HABEAS_KEY_FILE


@pytest.fixture
def source(media) -> Source:
    return Source.objects.create(
        key="briefing", title="Old habits", kind="document", team=Team.objects.create(name="A")
    )


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def raw_upload(name: str, content: bytes) -> io.BytesIO:
    """A file object with the name exactly as given (Django's upload handler would already drop folders)."""
    file = io.BytesIO(content)
    file.name = name  # type: ignore[attr-defined]
    return file


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_an_uploaded_file_reads_back_as_it_was_and_the_read_is_an_audit_event(source, admin_user):
    document = document_add(source=source, upload=upload("briefing.pdf", PDF), user=admin_user)
    document.refresh_from_db()
    assert (document.media_type, document.size, document.original_name) == ("application/pdf", len(PDF), "briefing.pdf")
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.uploaded_by == admin_user and document.uploaded_at is not None
    assert AuditEvent.objects.filter(action="create", target_type="evidence.document").count() == 1

    assert document_read(document=document, user=admin_user) == PDF
    read = AuditEvent.objects.filter(action="read", target_type="evidence.document", target_id=str(document.pk))
    assert read.get().actor == admin_user


def test_each_allowed_type_is_recognised_by_its_content_not_its_name(source, admin_user):
    for name, content, expected in [
        ("scan.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("notes.exe", TESTIMONY, "text/plain"),
        ("cp1251.txt", "Пытки в Жанаозене\r\n".encode("cp1251"), "text/plain"),
        ("utf16.txt", "\ufeffПытки\n".encode("utf-16-le"), "text/plain"),
        ("picture.png", PDF, "application/pdf"),
    ]:
        document = document_add(source=source, upload=upload(name, content), user=admin_user)
        assert document.media_type == expected, name
        assert document_read(document=document, user=admin_user) == content


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("C:\\Users\\victim\\testimony.txt", "testimony.txt"),
        ("evil\x00.txt/../../x", "x"),
        ("report\u202etxt.exe", "reporttxt.exe"),
        ("..", ""),
        ("", ""),
    ],
)
def test_a_name_with_path_traversal_is_stored_only_under_the_hash_path(
    source, admin_user, media, tmp_path, name, shown
):
    content = PDF + name.encode("utf-8", "surrogatepass")
    document = document_add(source=source, upload=raw_upload(name, content), user=admin_user)
    document.refresh_from_db()
    assert document.original_name == clean_name(name) == shown
    sha = hashlib.sha256(content).hexdigest()
    assert files_under(tmp_path) - {tmp_path / "keys.json"} == {media / "documents" / sha[:2] / sha}


def test_the_uploaded_name_never_chooses_where_the_file_goes(source, admin_user, media, tmp_path):
    names = ["../../etc/passwd", "/tmp/owned", "..\\..\\boot.ini", "a/../../../../b", "nul\x00byte"]
    stored = set()
    for index, name in enumerate(names):
        content = PDF + str(index).encode()
        document = document_add(source=source, upload=raw_upload(name, content), user=admin_user)
        assert "/" not in document.original_name and "\\" not in document.original_name
        assert "\x00" not in document.original_name
        stored.add(document_path(document.sha256))
    assert files_under(tmp_path) == stored
    assert all(path.parent.parent == media / "documents" for path in stored)
    assert not Path("/tmp/owned").exists()


def test_a_path_is_made_from_a_sha256_only():
    with pytest.raises(ValueError, match="not a SHA-256"):
        document_path("../../etc/passwd")


def test_a_file_over_the_size_limit_is_refused_with_the_reason_and_nothing_is_stored(source, admin_user, settings):
    settings.HABEAS_MAX_UPLOAD_MB = 1
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(
        ValidationError, match=r"“big\.pdf” is 1\.0 MB; the largest allowed is 1 MB \(HABEAS_MAX_UPLOAD_MB\)"
    ):
        document_add(source=source, upload=upload("big.pdf", big), user=admin_user)
    assert not Document.objects.exists()
    assert not documents_dir().exists() or files_under(documents_dir()) == set()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ru", "файл «Показания.pdf» — 1.0 МБ; допустимый максимум — 1 МБ"),
        ("kk", "«Показания.pdf» файлы 1.0 МБ; рұқсат етілген ең үлкен өлшем — 1 МБ"),
    ],
)
def test_a_file_over_the_size_limit_is_named_in_russian_and_kazakh(source, admin_user, settings, language, message):
    from django.utils import translation

    settings.HABEAS_MAX_UPLOAD_MB = 1
    with translation.override(language), pytest.raises(ValidationError) as refused:
        document_add(source=source, upload=upload("Показания.pdf", PDF + b"0" * (1024 * 1024)), user=admin_user)
    assert message in refused.value.messages[0]


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(64)),  # a ZIP (or .docx)
        b"\x7fELF\x02\x01\x01\x00" + bytes(64),  # a program
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows program
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00",
        b"",
    ],
)
def test_a_file_of_an_unknown_type_is_refused_with_the_reason_and_nothing_is_stored(source, admin_user, content):
    with pytest.raises(ValidationError, match=r"not a PDF, plain text, PNG or JPEG file|the file is empty"):
        document_add(source=source, upload=upload("innocent.pdf", content), user=admin_user)
    assert not Document.objects.exists()
    assert not documents_dir().exists() or files_under(documents_dir()) == set()


def test_the_same_file_twice_in_one_source_is_refused_and_the_stored_copy_kept(source, admin_user):
    first = document_add(source=source, upload=upload("a.pdf", PDF), user=admin_user)
    with pytest.raises(ValidationError, match="already attached to this source"):
        document_add(source=source, upload=upload("b.pdf", PDF), user=admin_user)
    assert document_read(document=first, user=admin_user) == PDF


def test_when_the_record_cannot_be_saved_no_file_is_left(source, admin_user, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("habeas.evidence.services.audit_record", fail)
    with pytest.raises(RuntimeError, match="went away"):
        document_add(source=source, upload=upload("a.pdf", PDF), user=admin_user)
    assert not Document.objects.exists()
    assert files_under(documents_dir()) == set()


def test_when_the_file_cannot_be_written_no_record_is_saved(source, admin_user, media):
    media.parent.mkdir(parents=True)
    media.write_text("not a folder")  # the media folder cannot be created
    with pytest.raises(OSError):
        document_add(source=source, upload=upload("a.pdf", PDF), user=admin_user)
    assert not Document.objects.exists()
    assert not AuditEvent.objects.filter(target_type="evidence.document").exists()


def test_the_file_on_disk_holds_no_plaintext(source, admin_user):
    document = document_add(source=source, upload=upload("Тян testimony.txt", TESTIMONY), user=admin_user)
    stored = document_path(document.sha256).read_bytes()
    assert stored.startswith(b"hb1:")
    assert leaks(stored, {TESTIMONY.decode(), "Дмитрий Тян", "Zhanaozen"}) == []
    assert document_path(document.sha256).stat().st_mode & 0o077 == 0  # readable by the service account only


def test_an_altered_file_is_refused_on_read(source, admin_user):
    document = document_add(source=source, upload=upload("t.txt", TESTIMONY), user=admin_user)
    path = document_path(document.sha256)
    stored = bytearray(path.read_bytes())
    stored[len(stored) // 2] ^= 0x01 if chr(stored[len(stored) // 2] ^ 0x01).isalnum() else 0x02
    path.write_bytes(bytes(stored))
    with pytest.raises(DocumentError, match=f"the stored file of document #{document.pk} cannot be opened"):
        document_read(document=document, user=admin_user)
    assert not AuditEvent.objects.filter(action="read").exists()


def test_another_documents_file_put_in_place_of_a_file_is_refused(source, admin_user):
    one = document_add(source=source, upload=upload("1.txt", TESTIMONY), user=admin_user)
    two = document_add(source=source, upload=upload("2.pdf", PDF), user=admin_user)
    document_path(one.sha256).write_bytes(document_path(two.sha256).read_bytes())
    with pytest.raises(DocumentError, match="cannot be opened"):
        document_read(document=one, user=admin_user)


def test_a_record_whose_hash_was_changed_is_refused(source, admin_user):
    document = document_add(source=source, upload=upload("t.txt", TESTIMONY), user=admin_user)
    other = hashlib.sha256(b"something else").hexdigest()
    document_path(other).parent.mkdir(parents=True, exist_ok=True)
    document_path(other).write_bytes(document_path(document.sha256).read_bytes())
    document.sha256 = other
    with pytest.raises(DocumentError, match="cannot be opened"):  # the hash is bound to the sealed file
        document_read(document=document, user=admin_user)


def test_a_missing_file_is_named(source, admin_user):
    document = document_add(source=source, upload=upload("t.txt", TESTIMONY), user=admin_user)
    document_path(document.sha256).unlink()
    with pytest.raises(DocumentError, match="is missing"):
        document_read(document=document, user=admin_user)


def test_a_key_rotation_re_encrypts_the_files_and_retires_the_old_key(key_file, source, admin_user):
    document = document_add(source=source, upload=upload("t.txt", TESTIMONY), user=admin_user)
    path = document_path(document.sha256)
    before = path.read_bytes()
    old = crypto.key_id_of(before.decode())
    messages: list[str] = []
    rotation = keys_rotate(pause=0, progress=messages.append)
    after = path.read_bytes()
    assert rotation.retired and rotation.old_keys == [old]
    assert crypto.key_id_of(after.decode()) == rotation.new_key != old
    assert list(json.loads(key_file.read_text())["keys"]) == [rotation.new_key]
    assert "documents: 1 files re-encrypted" in messages
    assert document_read(document=document, user=admin_user) == TESTIMONY


def test_a_rotation_keeps_the_old_key_while_a_file_cannot_be_re_encrypted(key_file, source, admin_user):
    document = document_add(source=source, upload=upload("t.txt", TESTIMONY), user=admin_user)
    path = document_path(document.sha256)
    token = path.read_text()
    path.write_text(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))  # damaged
    rotation = keys_rotate(pause=0)
    assert not rotation.retired
    assert rotation.old_keys[0] in json.loads(key_file.read_text())["keys"]


# ---------------------------------------------------------------------------------------------------- admin


@pytest.fixture
def member(django_user_model, source):
    user = django_user_model.objects.create_user("researcher", password="a-long-test-password", is_staff=True)
    Membership.objects.create(user=user, team=source.team, role=Role.RESEARCHER)
    return user


@pytest.fixture
def outsider(django_user_model):
    user = django_user_model.objects.create_user("outsider", password="a-long-test-password", is_staff=True)
    Membership.objects.create(user=user, team=Team.objects.create(name="B"), role=Role.ADMINISTRATOR)
    return user


def download_url(document: Document) -> str:
    from django.urls import reverse

    return reverse("admin:evidence_document_download", args=[document.pk])


def test_a_member_uploads_on_the_source_page_and_downloads_the_file(client, member, source):
    client.force_login(member)
    url = f"/admin/evidence/source/{source.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(
        {
            "key": source.key,
            "title": source.title,
            "kind": source.kind,
            "reliability": source.reliability,
            "documents-TOTAL_FORMS": "1",
            "documents-INITIAL_FORMS": "0",
            "documents-MIN_NUM_FORMS": "0",
            "documents-MAX_NUM_FORMS": "1000",
            "documents-0-source": str(source.pk),
            "documents-0-upload": upload("../../Тян.pdf", PDF),
        }
    )
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    document = Document.objects.get()
    assert document.original_name == "Тян.pdf" and document.uploaded_by == member

    download = client.get(download_url(document))
    assert download.status_code == 200
    assert b"".join(download) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="read", target_type="evidence.document", actor=member).exists()


def test_an_upload_of_an_unknown_type_shows_the_reason_on_the_page(client, member, source):
    client.force_login(member)
    url = f"/admin/evidence/source/{source.pk}/change/"
    data = {
        "key": source.key,
        "title": source.title,
        "kind": source.kind,
        "reliability": source.reliability,
        "published_on_precision": "",
        "documents-TOTAL_FORMS": "1",
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "1000",
        "documents-0-source": str(source.pk),
        "documents-0-upload": upload("x.pdf", b"PK\x03\x04\x00\x01"),
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "not a PDF, plain text, PNG or JPEG file" in response.content.decode()
    assert not Document.objects.exists()


def test_a_user_of_another_team_gets_404_for_a_download(client, outsider, source, admin_user):
    document = document_add(source=source, upload=upload("t.pdf", PDF), user=admin_user)
    client.force_login(outsider)
    assert client.get(download_url(document)).status_code == 404
    assert not AuditEvent.objects.filter(action="read", target_type="evidence.document").exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, source, admin_user):
    document = document_add(source=source, upload=upload("t.pdf", PDF), user=admin_user)
    response = client.get(download_url(document))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_download_of_an_altered_file_is_refused(client, member, source, admin_user):
    document = document_add(source=source, upload=upload("t.pdf", PDF), user=admin_user)
    document_path(document.sha256).write_bytes(b"hb1:x:AAAA")
    client.force_login(member)
    response = client.get(download_url(document))
    assert response.status_code == 500
    assert b"cannot be opened" in response.content and PDF not in response.content
