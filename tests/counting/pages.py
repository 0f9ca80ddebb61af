"""The counting app's workplace pages in the access matrix (tests/accounts/test_authorisation_matrix.py): the
status each persona gets on each page, and the URL arguments of the pages that take some."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PAGES: dict[str, dict[str, int]] = {}
URL_ARGUMENTS: dict[str, Callable[[], dict[str, Any]]] = {}
