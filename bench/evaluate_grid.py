"""Validation inside the training years: vary one evaluation parameter at a time.

Fits on rows before --cutoff (default 2011-01-01, labels from the years before it) and scores
the rounds of the following year, so the test year of the README protocol (2012) is never seen.
Usage: python bench/evaluate_grid.py --deals CSV [--cutoff 2011-01-01] [--grid name=v1,v2 ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import time

from matching.evaluate.data import read_rows
from matching.evaluate.learned import EvalParams, fit_model, model_ranker
from matching.evaluate.protocol import evaluate, make_split

DEFAULT_GRID = [
    "half_life_days=365,730,1460",
    "recent_half_life_days=60,120,240",
    "smoothing=1,4,16",
    "negatives=50,100,300",
    "label_years=1,2,3",
    "place_depth=3,4",
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
    types = {f.name: f.type for f in dataclasses.fields(EvalParams)}

    def cast(name: str, value: str) -> float | int:
        return int(value) if types[name] in ("int", int) else float(value)

    base = EvalParams()
    for pair in args.set:
        name, _, value = pair.partition("=")
        base = dataclasses.replace(base, **{name: cast(name, value)})

    def run(params: EvalParams) -> str:
        started = time.perf_counter()
        model, universe = fit_model(rows, args.cutoff, params)
        ranker = model_ranker(model, universe, split.train, split.investors, args.cutoff, params)
        res = evaluate(split, ranker)
        took = time.perf_counter() - started
        return (
            f"all {res['all']['ndcg@10']:.4f}  new {res['new_company']['ndcg@10']:.4f}  "
            f"new recall {res['new_company']['recall@10']:.4f}  ({took:.0f} s)"
        )

    print(f"validation: train < {args.cutoff}, test {args.cutoff}…{end}; base {base}")
    print(f"base: {run(base)}", flush=True)
    for spec in args.grid:
        name, _, values = spec.partition("=")
        for value in values.split(","):
            params = dataclasses.replace(base, **{name: cast(name, value)})
            if params == base:
                continue
            print(f"{name}={value}: {run(params)}", flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
