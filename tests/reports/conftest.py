"""Helpers of the export tests (the demo records and the personas are ``world`` in tests/conftest.py)."""

from __future__ import annotations

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
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
