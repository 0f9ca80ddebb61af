"""Statistics for counting the uncounted: pure Python, no Django. ``estimate`` runs multiple systems
estimation on a capture table."""

from __future__ import annotations

from habeas.stats.estimation import CaptureTable, Estimate, estimate

__all__ = ["CaptureTable", "Estimate", "estimate"]
