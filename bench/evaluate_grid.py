"""Validation inside the training years: vary one of the product's settings at a time.

Trains the product's ranker (`train_model` through `matching.evaluate.ranker`) on rows before
--cutoff (default 2011-01-01, labels from the year before it) and scores the rounds of the
following year, so the test year of the README protocol (2012) is never seen.
Usage: python bench/evaluate_grid.py --deals CSV [--cutoff 2011-01-01] [--set name=value ...]
       [--grid name=v1,v2 ...]   (names: the fields of FeatureConfig and TrainingConfig)
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from matching.config import FeatureConfig, TrainingConfig
from matching.evaluate.data import read_rows
from matching.evaluate.overrides import settings_from
from matching.evaluate.protocol import evaluate, make_split
from matching.evaluate.ranker import fit, model_ranker

DEFAULT_GRID = [
    "half_life_days=180,365,730",
    "smoothing=8,16,32",
    "last_active_half_life_days=90,180,365",
    "negatives=50,100,300",
    "label_windows=1,2",
    "prior_strength=1,5,20",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deals", required=True)
    parser.add_argument("--cutoff", default="2011-01-01", type=dt.date.fromisoformat)
    parser.add_argument("--grid", nargs="*", default=DEFAULT_GRID)
    parser.add_argument("--set", nargs="*", default=[], help="base overrides name=value")
    args = parser.parse_args()
    end = args.cutoff.replace(year=args.cutoff.year + 1) - dt.timedelta(days=1)
    rows = read_rows(args.deals)
    split = make_split(rows, args.cutoff, end)

    def run(config: FeatureConfig, training: TrainingConfig) -> str:
        started = time.perf_counter()
        fitted = fit(rows, args.cutoff, config=config, training=training)
        res = evaluate(split, model_ranker(fitted, split.train, split.investors))
        took = time.perf_counter() - started
        return (
            f"all {res['all']['ndcg@10']:.4f}  new {res['new_company']['ndcg@10']:.4f}  "
            f"new recall {res['new_company']['recall@10']:.4f}  ({took:.0f} s)"
        )

    base = settings_from(args.set)
    print(f"validation: train < {args.cutoff}, test {args.cutoff}…{end}; base {base}")
    print(f"base: {run(*base)}", flush=True)
    for spec in args.grid:
        name, _, values = spec.partition("=")
        for value in values.split(","):
            changed = settings_from([*args.set, f"{name}={value}"])
            if changed != base:
                print(f"{name}={value}: {run(*changed)}", flush=True)


if __name__ == "__main__":
    main()
