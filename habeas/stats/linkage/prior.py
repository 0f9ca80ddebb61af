"""Match weights learned once on large synthetic lists, shipped for lists too small to learn from.

A few dozen or a few thousand records hold too few pairs of the same person for expectation maximisation
to learn how often true matches agree (the m probabilities), and their random pairs are too few, and too
often true matches, to measure how often different people agree by chance (the u probabilities): a list of
24 rows naming 13 people has 276 pairs of which 11 are matches, so "same surname" looks twenty times commoner
between strangers than it is. Such lists start instead from the m and u probabilities of every comparison
level learned on a large synthetic population (:mod:`habeas.stats.linkage.synthetic`), kept in
``prior_weights.json`` beside this module with their provenance (generator, seed, size, date, Splink
version). ``python -m bench.linkage_prior`` remakes the file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final

import pandas as pd

from habeas.stats.linkage.config import LinkageConfig
from habeas.stats.linkage.normalise import normalise_records

PRIOR_PATH: Final = Path(__file__).with_name("prior_weights.json")
#: The least m probability a shipped level keeps (its m is fixed otherwise): the generator makes only the
#: errors it was written to make, so a disagreement it never produced (a patronymic mistyped beyond
#: recognition) would otherwise count as near-proof of two people. At 0.001 a disagreement costs at most
#: about 10 bits, enough to keep namesakes apart without vetoing.
M_FLOOR: Final = 1e-3

Levels = dict[str, dict[str, dict[str, float]]]


def model_levels(model: Mapping[str, Any]) -> Levels:
    """The m and u probabilities of a Splink model, by comparison and level label (levels without both are
    left out)."""
    out: Levels = {}
    for comparison in model["comparisons"]:
        levels = {
            level["label_for_charts"]: {"m": float(level["m_probability"]), "u": float(level["u_probability"])}
            for level in comparison["comparison_levels"]
            if "m_probability" in level and "u_probability" in level
        }
        if levels:
            out[comparison["output_column_name"]] = levels
    return out


def learn_prior_weights(
    records: pd.DataFrame, *, generator: str, seed: int, people: int, today: dt.date | None = None
) -> dict[str, Any]:
    """Train the standard model on ``records`` (large lists with every field) and return its levels'
    probabilities with the provenance to store: the ``generator`` and ``seed`` that made the records."""
    from habeas.stats.linkage.splink_model import SplinkMatcher

    config = LinkageConfig(shipped_weights_below=0)
    matcher = SplinkMatcher(normalise_records(records.reset_index(drop=True)), config, seed=seed)
    matcher.train()
    return {
        "provenance": {
            "generator": generator,
            "seed": seed,
            "records": len(records),
            "people": people,
            "date": (today or dt.date.today()).isoformat(),
            "splink": version("splink"),
            "method": "u by random sampling of pairs, m by expectation maximisation (habeas.stats.linkage)",
        },
        "levels": model_levels(matcher.model()),
    }


@lru_cache(maxsize=1)
def prior_weights() -> dict[str, Any]:
    """The shipped weights and their provenance."""
    loaded: dict[str, Any] = json.loads(PRIOR_PATH.read_text(encoding="utf-8"))
    return loaded


def with_prior_weights(settings: Mapping[str, Any], levels: Levels) -> dict[str, Any]:
    """A copy of Splink ``settings`` whose levels take their m and u from ``levels`` where these know the level,
    m no lower than :data:`M_FLOOR` (a level whose m is fixed keeps its m)."""
    out = json.loads(json.dumps(settings))
    for comparison in out["comparisons"]:
        known = levels.get(comparison["output_column_name"], {})
        for level in comparison["comparison_levels"]:
            weights = known.get(level["label_for_charts"])
            if weights is None:
                continue
            if not level.get("fix_m_probability"):
                level["m_probability"] = max(weights["m"], M_FLOOR)
            level["u_probability"] = weights["u"]
    return out
