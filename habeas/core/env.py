"""Reading Habeas's configuration from the environment, failing loudly on bad values."""

from __future__ import annotations

import os
import re
from pathlib import Path

import dj_database_url
import platformdirs
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
DEVELOPMENT_SECRET_KEY = "habeas-development-key-not-for-production"


def env_flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value: use 1 or 0, true or false")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole number of at least ``minimum``, or ``default`` when the variable is not set."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} is less than {minimum}")
    return value


def data_dir() -> Path:
    return Path(os.environ.get("HABEAS_DATA_DIR") or platformdirs.user_data_dir("habeas"))


def key_file() -> Path:
    """The file of the keys that encrypt protected fields: outside the database, never in it."""
    return Path(os.environ.get("HABEAS_KEY_FILE") or data_dir() / "keys.json")


def secret_key(debug: bool) -> str:
    """The secret key: HABEAS_SECRET_KEY, else the file HABEAS_SECRET_KEY_FILE names, else the data folder's
    ``secret_key`` file (the one ``habeas demo`` writes), so the README's commands work after the demo."""
    key = os.environ.get("HABEAS_SECRET_KEY", "")
    key_file = os.environ.get("HABEAS_SECRET_KEY_FILE", "")
    if key and key_file:
        raise ImproperlyConfigured("set HABEAS_SECRET_KEY or HABEAS_SECRET_KEY_FILE, not both")
    if not key and not key_file and (data_dir() / "secret_key").is_file():
        key_file = str(data_dir() / "secret_key")
    if key_file:
        try:
            key = Path(key_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"HABEAS_SECRET_KEY_FILE={key_file}: cannot read it ({exc.strerror})") from exc
    if debug:
        return key or DEVELOPMENT_SECRET_KEY
    if not key:
        raise ImproperlyConfigured(
            "HABEAS_SECRET_KEY (or HABEAS_SECRET_KEY_FILE) is not set. Production mode needs a long random "
            "secret; generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if key == DEVELOPMENT_SECRET_KEY or len(key) < 32:
        raise ImproperlyConfigured(
            "HABEAS_SECRET_KEY is the development default or shorter than 32 characters: production mode refuses it"
        )
    return key


#: SQLite: wait for a writer rather than fail; take the write lock at BEGIN (no deadlock between two writers that
#: both read first); and a page cache of 64 MiB rather than SQLite's 2 MiB, which a bulk import outgrows: the keyed
#: hashes of the search index and of names are random, so their index pages are written all over the file
SQLITE_OPTIONS = {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA cache_size = -65536"}


def default_sqlite() -> Path:
    """The data folder's database: ``habeas.sqlite3``, or the demo's while there is no other."""
    own, demo = data_dir() / "habeas.sqlite3", data_dir() / "demo.sqlite3"
    return demo if demo.exists() and not own.exists() else own


def database(url: str | None) -> dict[str, object]:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_sqlite()),
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    try:
        config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database address Habeas understands: {exc}") from exc
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
        config["CONN_MAX_AGE"] = 0
    elif engine != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"DATABASE_URL: {engine} is not supported; use sqlite:// or postgres://")
    else:
        # No JIT compilation: the pages' queries are short, and a filter by the records a user may see looks
        # costly to the planner, which then spends most of a page's time compiling (0.73 of 0.80 s). An
        # address that sets jit itself is left as it is; "options" given twice in it arrives as a list.
        given = config.get("OPTIONS")
        options = dict(given) if isinstance(given, dict) else {}
        server = options.get("options", "")
        server = " ".join(server) if isinstance(server, list) else str(server)
        sets_jit = re.search(r"(?:-c\s*|--)jit=", server) is not None  # jit_above_cost and the like are not jit
        options["options"] = server if sets_jit else f"{server} -c jit=off".strip()
        config["OPTIONS"] = options
    return config
