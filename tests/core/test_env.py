"""Configuration from the environment fails loudly, and production refuses a missing or default secret."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from habeas.core.env import DEVELOPMENT_SECRET_KEY, database, env_flag, secret_key


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("HABEAS_SECRET_KEY", "HABEAS_SECRET_KEY_FILE", "HABEAS_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HABEAS_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "data").mkdir()
    return monkeypatch


def test_production_refuses_to_start_without_a_secret(clean_env):
    with pytest.raises(ImproperlyConfigured, match=r"HABEAS_SECRET_KEY .* is not set"):
        secret_key(debug=False)


def test_production_refuses_the_development_secret(clean_env):
    clean_env.setenv("HABEAS_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    with pytest.raises(ImproperlyConfigured, match="development default"):
        secret_key(debug=False)


def test_the_secret_can_come_from_a_file(clean_env, tmp_path):
    path = tmp_path / "key"
    path.write_text("k" * 50 + "\n", encoding="utf-8")
    clean_env.setenv("HABEAS_SECRET_KEY_FILE", str(path))
    assert secret_key(debug=False) == "k" * 50


def test_the_secret_is_found_in_the_data_folder_where_the_demo_wrote_it(clean_env, tmp_path):
    (tmp_path / "data" / "secret_key").write_text("d" * 50, encoding="utf-8")
    assert secret_key(debug=False) == "d" * 50


def test_the_demo_database_is_the_default_until_there_is_another(clean_env, tmp_path):
    folder = tmp_path / "data"
    assert database(None)["NAME"] == str(folder / "habeas.sqlite3")
    (folder / "demo.sqlite3").touch()
    assert database(None)["NAME"] == str(folder / "demo.sqlite3")
    (folder / "habeas.sqlite3").touch()
    assert database(None)["NAME"] == str(folder / "habeas.sqlite3")


def test_an_unreadable_secret_file_is_named(clean_env, tmp_path):
    clean_env.setenv("HABEAS_SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="missing: cannot read it"):
        secret_key(debug=False)


def test_debug_mode_runs_with_a_development_secret(clean_env):
    assert secret_key(debug=True) == DEVELOPMENT_SECRET_KEY


def test_a_yes_no_value_that_is_neither_is_refused(clean_env):
    clean_env.setenv("HABEAS_DEBUG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="HABEAS_DEBUG='perhaps' is not a yes/no value"):
        env_flag("HABEAS_DEBUG")


def test_an_unsupported_database_is_refused():
    with pytest.raises(ImproperlyConfigured, match="not supported"):
        database("mysql://user@localhost/habeas")


def test_postgres_runs_without_jit_compilation_and_keeps_the_address_options():
    assert database("postgres://h@127.0.0.1:5432/habeas")["OPTIONS"] == {"options": "-c jit=off"}
    options = database("postgres://h@127.0.0.1:5432/habeas?sslmode=require")["OPTIONS"]
    assert options == {"sslmode": "require", "options": "-c jit=off"}
    twice = database("postgres://h@127.0.0.1/habeas?options=-c%20work_mem%3D64MB&options=-c%20statement_timeout%3D5s")
    assert twice["OPTIONS"] == {"options": "-c work_mem=64MB -c statement_timeout=5s -c jit=off"}
    assert database("postgres://h@127.0.0.1/habeas?options=-c%20jit%3Don")["OPTIONS"] == {"options": "-c jit=on"}
    assert database("postgres://h@127.0.0.1/habeas?options=--jit%3Don")["OPTIONS"] == {"options": "--jit=on"}
    near = database("postgres://h@127.0.0.1/habeas?options=-c%20jit_above_cost%3D500000")["OPTIONS"]
    assert near == {"options": "-c jit_above_cost=500000 -c jit=off"}


@pytest.mark.django_db
def test_the_database_connection_has_jit_off():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("JIT compilation is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_postgres_and_sqlite_addresses_are_understood():
    assert database("postgres://h@127.0.0.1:5432/habeas")["ENGINE"] == "django.db.backends.postgresql"
    assert database("sqlite:////tmp/x.sqlite3")["NAME"] == "/tmp/x.sqlite3"


def test_the_server_refuses_to_start_in_production_without_a_secret(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HABEAS_") and k != "DJANGO_SETTINGS_MODULE"}
    env["HABEAS_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "habeas.cli.main", "manage", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "HABEAS_SECRET_KEY (or HABEAS_SECRET_KEY_FILE) is not set" in result.stderr
    assert "Traceback" not in result.stderr
