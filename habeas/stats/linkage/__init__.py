"""Record linkage of lists of named people across scripts and transliterations.

``link`` takes records from several source lists (Cyrillic or any Latin transliteration, with
patronymics, swapped name order, diminutives, partial dates and typos), finds the records of one person
with a Splink model on DuckDB (or Spark), clusters them without chaining through weak links, queues
uncertain pairs for review, applies reviewed decisions, and returns per-person capture histories for
multiple systems estimation (:class:`habeas.stats.estimation.CaptureTable`).
"""

from __future__ import annotations

from habeas.stats.linkage._translit import SCHEMES, transliterate
from habeas.stats.linkage.api import LinkageResult, LinkageSummary, link
from habeas.stats.linkage.capture import capture_histories, capture_table
from habeas.stats.linkage.config import LinkageConfig, LinkageError, ReviewedPair
from habeas.stats.linkage.evaluate import LinkageMetrics, evaluate_clusters
from habeas.stats.linkage.normalise import (
    PartialDate,
    canonical_given,
    normalise_records,
    parse_name,
    parse_partial_date,
    phonetic_key,
    split_patronymic,
)

__all__ = [
    "SCHEMES",
    "LinkageConfig",
    "LinkageError",
    "LinkageMetrics",
    "LinkageResult",
    "LinkageSummary",
    "PartialDate",
    "ReviewedPair",
    "canonical_given",
    "capture_histories",
    "capture_table",
    "evaluate_clusters",
    "link",
    "normalise_records",
    "parse_name",
    "parse_partial_date",
    "phonetic_key",
    "split_patronymic",
    "transliterate",
]
