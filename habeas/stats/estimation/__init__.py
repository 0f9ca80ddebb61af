"""Multiple systems estimation: how many people no list recorded."""

from __future__ import annotations

from habeas.stats.estimation.table import CaptureTable, CaptureTableError

__all__ = ["CaptureTable", "CaptureTableError"]
