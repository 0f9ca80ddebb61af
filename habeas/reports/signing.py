"""Signed exports: the organisation's Ed25519 key signs an export, so that a partner who trusts the
organisation's public key can tell that a file comes from it and was not altered on the way.

The private key is a file beside the key file of the encrypted fields (``signing-key.pem``, readable by its
owner only), made by ``habeas keys signing``, which prints the public key to give to partners. A signature is
a file beside the export (``FILE.sig``), so that the export's bytes and their SHA-256 in the audit trail stay
as they are: one JSON line with the algorithm, the public key, the export's SHA-256 and the signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from habeas.core.env import key_file
from habeas.core.errors import CommandError

ALGORITHM = "Ed25519"


class SignatureError(CommandError):
    """An export whose signature is missing, or does not verify against the key trusted."""


def signing_key_path() -> Path:
    return key_file().with_name("signing-key.pem")


def signing_key_make() -> tuple[Ed25519PrivateKey, bool]:
    """The organisation's signing key, made (and written, readable by its owner only) if there is none yet;
    and whether it was made now."""
    path = signing_key_path()
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise CommandError(f"{path} is not an Ed25519 key")
        return key, False
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "wb") as stream:
        stream.write(pem)
    return key, True


def public_key_text(key: Ed25519PublicKey) -> str:
    """The public key as partners are given it: 32 bytes in base64."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def export_sign(path: Path) -> Path:
    """Sign the export at ``path`` with the organisation's key; returns the signature's file."""
    key, _ = signing_key_make()
    content = path.read_bytes()
    signature = {
        "algorithm": ALGORITHM,
        "public_key": public_key_text(key.public_key()),
        "sha256": hashlib.sha256(content).hexdigest(),
        "signature": base64.b64encode(key.sign(content)).decode("ascii"),
    }
    out = path.with_name(path.name + ".sig")
    out.write_text(json.dumps(signature) + "\n", encoding="utf-8")
    return out


def export_verify(path: Path, *, trust: str, content: bytes | None = None) -> None:
    """Refuse, with what is wrong, an export that the key ``trust`` (base64, as ``habeas keys signing``
    prints it) did not sign exactly as it is; ``content``, the export's bytes already read, is what is checked
    when given (so that what is checked is what is then used)."""
    try:
        raw = base64.b64decode(trust.strip(), validate=True)
        trusted = Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise SignatureError(
            f"--trust {trust!r} is not a public key: give the 44 characters the sender's `habeas keys signing` printed"
        ) from None
    sig = path.with_name(path.name + ".sig")
    try:
        signature = json.loads(sig.read_text(encoding="utf-8"))
        value = base64.b64decode(signature["signature"], validate=True)
    except FileNotFoundError:
        raise SignatureError(f"{path}: it has no signature ({sig.name} beside it); ask the sender for it") from None
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise SignatureError(f"{sig}: not a signature of Habeas") from None
    try:
        trusted.verify(value, path.read_bytes() if content is None else content)
    except InvalidSignature:
        raise SignatureError(
            f"{path}: refused — it was changed after it was signed, or it was not signed by the key you trust; "
            "do not use it, and ask the sender to send it again"
        ) from None
