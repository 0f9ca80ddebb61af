"""`habeas export --redact PROFILE` from the command line, run in the test's process on the demo records of the
test database (tests/cli/conftest.py ``habeas``)."""

from __future__ import annotations

import hashlib
import json
import zipfile

from habeas.accounts.models import AuditEvent
from habeas.demo import DEMO_USER
from tests.cli.conftest import habeas
from tests.protected import leaks, protected_texts


def export_events() -> list[dict]:
    """The details of the export events (stored encrypted, read through the model)."""
    return [event.details for event in AuditEvent.objects.filter(action="export").order_by("seq")]


def test_export_writes_the_json_file_prints_a_summary_and_records_it(demo_user, tmp_path):
    out = tmp_path / "public.json"
    result = habeas("export", "--redact", "public", "--out", str(out), "--user", DEMO_USER)
    assert result.returncode == 0, result.stderr
    blob = out.read_bytes()
    document = json.loads(blob)
    assert document["profile"] == "public"
    assert len(document["records"]["registry.person"]) == 17
    assert leaks(blob, protected_texts()) == []
    sha = hashlib.sha256(blob).hexdigest()
    assert "redaction profile 'public'" in result.stdout
    assert "17  registry.person" in result.stdout
    assert str(out) in result.stdout and sha in result.stdout
    (event,) = export_events()
    assert event["sha256"] == sha and event["profile"] == "public"
    assert event["destination"] == str(out.resolve())


def test_export_writes_a_zip_of_csv_files(demo_user, tmp_path):
    out = tmp_path / "partner.zip"
    args = ["export", "--redact", "partner", "--format", "csv", "--out", str(out), "--user", DEMO_USER]
    result = habeas(*args)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as archive:
        assert "custody.custodyepisode.csv" in archive.namelist()
        contents = b"".join(archive.read(name) for name in archive.namelist())
    assert leaks(contents, protected_texts()) == []


def test_export_without_a_user_exits_2_and_writes_nothing(demo_user, tmp_path):
    out = tmp_path / "public.json"
    result = habeas("export", "--redact", "public", "--out", str(out))
    assert result.returncode == 2
    assert "--user NAME" in result.stderr
    assert not out.exists()
    assert export_events() == []


def test_export_without_redact_is_refused(demo_user, tmp_path):
    out = tmp_path / "all.json"
    result = habeas("export", "--out", str(out), "--user", DEMO_USER)
    assert result.returncode == 2
    assert "--redact PROFILE" in result.stderr and "no unredacted exports" in result.stderr
    assert not out.exists()


def test_an_unknown_profile_is_an_error_listing_the_profiles(demo_user, tmp_path):
    out = tmp_path / "x.json"
    result = habeas("export", "--redact", "atlantis", "--out", str(out), "--user", DEMO_USER)
    assert result.returncode == 1
    assert "unknown redaction profile 'atlantis'; the profiles are: partner, public" in result.stderr
    assert not out.exists()
    assert export_events() == []


# Signed exports ---------------------------------------------------------------------------------------------


def signed_export(tmp_path) -> tuple:
    """A partner export signed with the organisation's key, and that key's public half as printed."""
    keys = habeas("keys", "signing")
    assert keys.returncode == 0, keys.stderr
    public_key = keys.stdout.strip().splitlines()[-1]
    out = tmp_path / "partner.json"
    result = habeas("export", "--redact", "partner", "--sign", "--out", str(out), "--user", DEMO_USER)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "partner.json.sig").exists() and "Signed with the organisation's key" in result.stdout
    return out, public_key


def test_a_signed_export_verifies_against_the_organisations_public_key(demo_user, tmp_path):
    out, public_key = signed_export(tmp_path)
    result = habeas("verify", str(out), "--trust", public_key)
    assert result.returncode == 0, result.stderr
    assert "is as the holder of the key you trust signed it" in result.stdout
    again = habeas("keys", "signing")  # the key is made once and kept
    assert again.stdout.strip().splitlines()[-1] == public_key and "Created" not in again.stdout


def test_an_export_altered_by_one_byte_is_refused(demo_user, tmp_path):
    out, public_key = signed_export(tmp_path)
    content = bytearray(out.read_bytes())
    content[len(content) // 2] ^= 1
    out.write_bytes(bytes(content))
    result = habeas("verify", str(out), "--trust", public_key)
    assert result.returncode != 0
    assert "refused — it was changed after it was signed, or it was not signed by the key you trust" in result.stderr


def test_an_export_signed_by_another_key_or_unsigned_is_refused(demo_user, tmp_path):
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    out, _ = signed_export(tmp_path)
    other = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    result = habeas("verify", str(out), "--trust", base64.b64encode(other).decode())
    assert result.returncode != 0 and "not signed by the key you trust" in result.stderr
    (tmp_path / "partner.json.sig").unlink()
    result = habeas("verify", str(out), "--trust", base64.b64encode(other).decode())
    assert result.returncode != 0 and "it has no signature (partner.json.sig beside it)" in result.stderr
    result = habeas("verify", str(out), "--trust", "not-a-key")
    assert result.returncode != 0 and "is not a public key" in result.stderr
