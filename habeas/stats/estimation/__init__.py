"""Multiple systems estimation: how many people no list recorded."""

from __future__ import annotations

from habeas.stats.estimation.dga import DgaError, DgaResult, dga_estimate
from habeas.stats.estimation.lcmcr import LcmcrError, LcmcrResult, lcmcr_estimate
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
from habeas.stats.estimation.run import Estimate, EstimateError, estimate
from habeas.stats.estimation.sparse import SparseBootstrap, SparseError, SparseFit, sparse_bootstrap, sparse_stepwise
from habeas.stats.estimation.table import CaptureTable, CaptureTableError

__all__ = [
    "CaptureTable",
    "CaptureTableError",
    "DgaError",
    "DgaResult",
    "Estimate",
    "EstimateError",
    "LcmcrError",
    "LcmcrResult",
    "LoglinearError",
    "LoglinearFit",
    "LoglinearModel",
    "ModelSearch",
    "ProfileInterval",
    "SparseBootstrap",
    "SparseError",
    "SparseFit",
    "dga_estimate",
    "estimate",
    "fit_loglinear",
    "hierarchical_models",
    "lcmcr_estimate",
    "search_models",
    "sparse_bootstrap",
    "sparse_stepwise",
]
