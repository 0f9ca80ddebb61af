"""Statistics for counting the uncounted: pure Python, no Django. ``estimate`` runs multiple systems
estimation on a capture table, ``estimate_strata`` on one table per stratum and adds the strata up; ``link``
finds the people who appear on several lists."""

from __future__ import annotations

from typing import Any

from habeas.stats.estimation import CaptureTable, Estimate, estimate
from habeas.stats.estimation.strata import StratifiedEstimate, estimate_strata

__all__ = ["CaptureTable", "Estimate", "StratifiedEstimate", "estimate", "estimate_strata", "link"]


def __getattr__(name: str) -> Any:
    # Linkage loads Splink and DuckDB: only when it is asked for.
    if name == "link":
        from habeas.stats.linkage import link

        return link
    raise AttributeError(f"module 'habeas.stats' has no attribute {name!r}")
