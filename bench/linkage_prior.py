"""Remake the match weights shipped for small lists (``habeas/stats/linkage/prior_weights.json``).

Run ``.venv/bin/python -m bench.linkage_prior [RECORDS] [SEED]`` from the repository root (defaults: 50000
records, seed 2011). It generates synthetic Kazakh and Russian lists with
:func:`habeas.stats.linkage.synthetic.generate_lists`, trains the standard linkage model on them (u by random
sampling, m by expectation maximisation) and writes each comparison level's m and u probabilities with the
generator, seed, size, date and Splink version.
"""

from __future__ import annotations

import json
import sys

from habeas.stats.linkage.prior import PRIOR_PATH, learn_prior_weights
from habeas.stats.linkage.synthetic import generate_lists


def main(records: int = 50_000, seed: int = 2011) -> None:
    lists = generate_lists(records, seed=seed)
    frame = lists.records.drop(columns="person_id")
    weights = learn_prior_weights(
        frame, generator="habeas.stats.linkage.synthetic.generate_lists", seed=seed, people=lists.people
    )
    PRIOR_PATH.write_text(json.dumps(weights, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {PRIOR_PATH} from {records:,} records ({lists.people:,} people), seed {seed}")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
