"""A document larger than Django keeps in memory (2.5 MB), uploaded to the real server: while it arrives and
after, no file the server writes or holds open holds its text in clear; the stored document is the file as sent,
and nothing of the upload is left in the temporary folder."""

from __future__ import annotations

import http.client
import re
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from habeas.accounts.models import Membership, Role, Team
from habeas.evidence.models import Document, Source
from habeas.evidence.services import document_content

pytestmark = pytest.mark.django_db(transaction=True)  # the live server reads what the test wrote

NAME = "Дмитрий Тян".encode()
TESTIMONY = "Дмитрий Тян: held in solitary confinement in Kostanai for eleven months.\n".encode() * 40_000  # 3.7 MB


def spooled(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder``, and every file of this process (the live server's) opened there, even one
    without a name in the folder, with its content."""
    found = {str(p): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = str(fd.readlink())
            if target.startswith(str(folder)):
                found[target] = fd.read_bytes()
        except OSError:
            continue
    return found


def test_a_large_upload_is_never_in_clear_on_disk(live_server, client, settings, tmp_path, django_user_model):
    folder = tmp_path / "uploads"
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    folder.mkdir()
    settings.MEDIA_ROOT = tmp_path / "media"
    team = Team.objects.create(name="A")
    source = Source.objects.create(key="testimony", title="A testimony", kind="interview", team=team)
    user = django_user_model.objects.create_user("researcher", password="a-long-test-password", is_staff=True)
    Membership.objects.create(user=user, team=team, role=Role.RESEARCHER)
    client.force_login(user)
    url = reverse("source_upload", args=[source.pk])
    address = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    connection.request("GET", url, headers={"Cookie": cookie})
    response = connection.getresponse()
    page = response.read().decode()
    csrf = re.search(r"csrftoken=([^;]+)", response.headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="testimony.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    body = head + TESTIMONY + f"\r\n--{boundary}--\r\n".encode()
    first, rest = body[: 3 * 1024 * 1024], body[3 * 1024 * 1024 :]
    connection.putrequest("POST", url)
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(body)))
    connection.putheader("Cookie", f"{cookie}; csrftoken={csrf}")
    connection.endheaders()
    connection.send(first)  # the server receives the first 3 MB and waits for the rest
    deadline = time.monotonic() + 60
    while not any(len(content) > 2 * 1024 * 1024 for content in spooled(folder).values()):
        assert time.monotonic() < deadline, "the server spooled nothing of the upload in its temporary folder"
        time.sleep(0.1)
    while_arriving = spooled(folder)
    connection.send(rest)
    response = connection.getresponse()
    response.read()

    assert [path for path, content in while_arriving.items() if NAME in content] == []
    assert response.status == 302, response.status
    document = Document.objects.get()
    assert document_content(document) == TESTIMONY
    assert spooled(folder) == {}
