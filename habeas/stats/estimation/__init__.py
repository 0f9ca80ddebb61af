"""Multiple systems estimation: how many people no list recorded."""

from __future__ import annotations

from habeas.stats.estimation.dga import DgaError, DgaResult, dga_estimate
from habeas.stats.estimation.loglinear import (
    LoglinearError,
    LoglinearFit,
    LoglinearModel,
    ModelSearch,
    ProfileInterval,
    fit_loglinear,
    hierarchical_models,
    search_models,
)
from habeas.stats.estimation.table import CaptureTable, CaptureTableError

__all__ = [
    "CaptureTable",
    "CaptureTableError",
    "DgaError",
    "DgaResult",
    "LoglinearError",
    "LoglinearFit",
    "LoglinearModel",
    "ModelSearch",
    "ProfileInterval",
    "dga_estimate",
    "fit_loglinear",
    "hierarchical_models",
    "search_models",
]
