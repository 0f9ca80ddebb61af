"""Helpers of the export tests (the demo records and the personas are ``world`` in tests/conftest.py)."""

from __future__ import annotations

import codecs
import io
import json
import zipfile
from typing import Any

from habeas.reports.services import ExportSummary, export_write


def export(user: Any, profile: Any = "public", fmt: str = "json") -> tuple[bytes, ExportSummary]:
    out = io.BytesIO()
    summary = export_write(user=user, profile=profile, format=fmt, out=out)
    return out.getvalue(), summary


def records(blob: bytes) -> dict[str, list[dict[str, Any]]]:
    return json.loads(blob)["records"]


def unzip(blob: bytes) -> dict[str, str]:
    """The files of a CSV export, each read as UTF-8 after the byte-order mark it begins with."""
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assert all(content.startswith(codecs.BOM_UTF8) for content in files.values())
    return {name: content[len(codecs.BOM_UTF8) :].decode("utf-8") for name, content in files.items()}
