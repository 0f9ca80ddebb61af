"""Encryption of protected text at rest, keyed hashes for looking it up, and stable pseudonyms.

The keys live in a key file outside the database (``HABEAS_KEY_FILE``, by default ``keys.json`` in the data
folder), readable by the service account only. It holds:

- data keys, each with an id; new values are sealed with the current one, and a value sealed with any key in
  the file can be opened, so that ``habeas keys rotate`` can re-encrypt while the service keeps running;
- a pseudonym key that is never rotated, so that published pseudonyms stay the same from one export to the next.

A sealed value is ``hb1:<key id>:<base64 of nonce, ciphertext and tag>`` (AES-256-GCM, 96-bit random nonce).
A value that cannot be opened — a missing key file, a key not in it, a wrong key, an altered value — raises
``KeyringError`` with a message that says which, never garbage.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = "habeas-keyring-1"
PREFIX = "hb1"
FIELD_AAD = b"habeas field"
RELOAD_SECONDS = 1.0  # how often a running process looks whether the key file changed (during a rotation)


class KeyringError(RuntimeError):
    """The key file is missing, malformed, or does not open a stored value."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise KeyringError(f"{what} is not valid base64") from None


def _derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(key)


@dataclass
class Keyring:
    path: Path
    current: str
    keys: dict[str, bytes]
    pseudonym_key: bytes
    _aead: dict[str, AESGCM] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, path: Path) -> Keyring:
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise KeyringError(
                f"there is no key file at {path}. Create one with `habeas keys init`, or set HABEAS_KEY_FILE to "
                "the key file this database was encrypted with."
            ) from None
        except OSError as exc:
            raise KeyringError(f"cannot read the key file {path}: {exc.strerror}") from None
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise KeyringError(f"the key file {path} is not a Habeas key file (format {data.get('format')!r})")
            keys = {kid: _unb64(value, f"key {kid} in {path}") for kid, value in data["keys"].items()}
            ring = cls(path, data["current"], keys, _unb64(data["pseudonym"], f"the pseudonym key in {path}"))
        except (json.JSONDecodeError, KeyError, AttributeError, TypeError) as exc:
            raise KeyringError(f"the key file {path} is damaged ({type(exc).__name__}: {exc})") from None
        if ring.current not in ring.keys:
            raise KeyringError(f"the key file {path} names {ring.current} as current but does not hold it")
        if any(len(k) != 32 for k in (*ring.keys.values(), ring.pseudonym_key)):
            raise KeyringError(f"the key file {path} holds a key that is not 256 bits long")
        return ring

    def write(self) -> None:
        """Replace the key file atomically, readable by its owner only."""
        data = {
            "format": FORMAT,
            "current": self.current,
            "keys": {kid: _b64(key) for kid, key in self.keys.items()},
            "pseudonym": _b64(self.pseudonym_key),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(self.path)

    @staticmethod
    def new_key_id() -> str:
        return "k" + secrets.token_hex(4)

    def aead(self, kid: str) -> AESGCM:
        if kid not in self._aead:
            self._aead[kid] = AESGCM(_derive(self.keys[kid], b"habeas aes-gcm"))
        return self._aead[kid]

    @cached_property
    def mac_keys(self) -> dict[str, bytes]:
        """Per data key, the key of its keyed hashes; the current one first."""
        order = [self.current, *(k for k in self.keys if k != self.current)]
        return {kid: _derive(self.keys[kid], b"habeas keyed hash") for kid in order}


_cache: dict[str, tuple[float, int, Keyring]] = {}


def key_file() -> Path:
    from django.conf import settings

    return Path(settings.HABEAS_KEY_FILE)


def keyring(*, fresh: bool = False) -> Keyring:
    """The key file's keys, re-read when the file has changed (looked at no more than once a second)."""
    from django.conf import settings

    name = os.fspath(settings.HABEAS_KEY_FILE)  # not Path(): this runs for every value sealed or opened
    now = time.monotonic()
    cached = _cache.get(name)
    if cached is not None and not fresh and now - cached[0] < RELOAD_SECONDS:
        return cached[2]
    path = Path(name)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = -1
    if cached is not None and cached[1] == mtime and mtime != -1:
        _cache[name] = (now, mtime, cached[2])
        return cached[2]
    ring = Keyring.read(path)
    _cache[name] = (now, mtime, ring)
    return ring


def keys_init(path: Path) -> Keyring:
    """Create a new key file; an existing one is never overwritten."""
    if path.exists():
        raise KeyringError(f"a key file already exists at {path}; it was not changed")
    ring = Keyring(path, Keyring.new_key_id(), {}, secrets.token_bytes(32))
    ring.keys[ring.current] = secrets.token_bytes(32)
    ring.write()
    return ring


# ---------------------------------------------------------------------------------------------------- values


def seal_bytes(data: bytes, *, aad: bytes = FIELD_AAD, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    nonce = os.urandom(12)
    return f"{PREFIX}:{ring.current}:{_b64(nonce + ring.aead(ring.current).encrypt(nonce, data, aad))}"


def open_bytes(
    token: str, *, aad: bytes = FIELD_AAD, what: str = "a protected value", ring: Keyring | None = None
) -> bytes:
    prefix, _, rest = token.partition(":")
    kid, _, body = rest.partition(":")
    if prefix != PREFIX or not kid or not body:
        raise KeyringError(f"{what} is stored unencrypted or in an unknown form; it was not read")
    ring = ring or keyring()
    if kid not in ring.keys:
        ring = keyring(fresh=True) if ring.path == key_file() else ring  # a rotation may have just added it
        if kid not in ring.keys:
            raise KeyringError(
                f"{what} was encrypted with key {kid}, which is not in the key file {ring.path}. "
                "Use the key file this database was encrypted with (HABEAS_KEY_FILE)."
            )
    raw = _unb64(body, what)
    try:
        return ring.aead(kid).decrypt(raw[:12], raw[12:], aad)
    except InvalidTag:
        raise KeyringError(
            f"key {kid} in {ring.path} does not open {what}: the key file is not the one this database was "
            "encrypted with, or the stored value was altered"
        ) from None


def seal(text: str) -> str:
    """The sealed form of a text; the empty text stays empty (an absent value is not a secret)."""
    return seal_bytes(text.encode("utf-8")) if text else ""


def unseal(token: str, *, what: str = "a protected value", ring: Keyring | None = None) -> str:
    return open_bytes(token, what=what, ring=ring).decode("utf-8") if token else ""


def key_id_of(token: str) -> str | None:
    """The id of the key a sealed value was sealed with."""
    parts = token.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == PREFIX else None


# --------------------------------------------------------------------------------------- keyed hashes


def digest(text: str, *, kid: str | None = None) -> str:
    """The keyed hash of a normalised text under one key (the current one by default): 128 bits, hex."""
    ring = keyring()
    key = ring.mac_keys[kid or ring.current]
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def digests(text: str) -> list[str]:
    """The keyed hashes of a text under every key in the file, to look it up while a rotation runs."""
    return [digest(text, kid=kid) for kid in keyring().mac_keys]


def head_signature(seq: int, head_hash: str) -> str:
    """The keyed signature of the audit trail's head (its last event's number and hash), under a key derived
    from the never-rotated pseudonym key: whoever can write to the database but lacks the key file cannot
    cut events off the end and move the head back unnoticed."""
    key = _derive(keyring().pseudonym_key, b"habeas audit head")
    return hmac.new(key, f"{seq}:{head_hash}".encode(), hashlib.sha256).hexdigest()


def checkpoint_signature(seq: int, head_hash: str) -> str:
    """The keyed signature of the audit trail's checkpoint file (``habeas.accounts.checkpoint``), under its
    own key derived from the never-rotated pseudonym key, so that a head's signature is not a checkpoint's."""
    key = _derive(keyring().pseudonym_key, b"habeas audit checkpoint")
    return hmac.new(key, f"{seq}:{head_hash}".encode(), hashlib.sha256).hexdigest()


def pseudonym(namespace: str, value: object, *, length: int = 10) -> str:
    """A stable pseudonym for a value (e.g. a person's id): the same in every export, meaningless without the
    key file."""
    mac = hmac.new(keyring().pseudonym_key, f"{namespace}:{value}".encode(), hashlib.sha256).digest()
    return base64.b32encode(mac).decode("ascii")[:length]
