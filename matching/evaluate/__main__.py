"""`python -m matching.evaluate`: the model and four baselines on a time split of past deals."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from matching.config import FEATURE_GROUPS
from matching.evaluate.baselines import (
    by_popularity,
    by_prior_then_popularity,
    by_random,
    by_sector_then_popularity,
)
from matching.evaluate.data import read_rows
from matching.evaluate.learned import EvalParams, fit_model, model_ranker
from matching.evaluate.protocol import SUBSETS, ScoreBlock, Split, evaluate, make_split

RANKERS = ("model", "popularity", "random", "sector_then_popularity", "prior_then_popularity")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _bar(total: int, label: str) -> Any:
    """A tqdm bar on stderr when tqdm is installed (it is a CLI nicety, not a library need)."""
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm ships with the project
        return None
    return tqdm(total=total, desc=label, unit="round", file=sys.stderr, leave=False)


def _run(split: Split, name: str, ranker: ScoreBlock) -> dict[str, dict[str, float | int]]:
    bar = _bar(len(split.queries), name)
    try:
        return evaluate(split, ranker, bar.update if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()


def _params(pairs: Sequence[str]) -> EvalParams:
    """`--set name=value` overrides of the validated defaults."""
    params = EvalParams()
    types = {f.name: f.type for f in dataclasses.fields(EvalParams)}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in types:
            raise SystemExit(f"--set {pair}: unknown parameter; expected one of {', '.join(types)}")
        cast: Callable[[str], Any] = int if types[name] in ("int", int) else float
        params = dataclasses.replace(params, **{name: cast(value)})
    return params


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, evaluate, print a table (and the JSON line with --json)."""
    parser = argparse.ArgumentParser(prog="python -m matching.evaluate", description=__doc__)
    parser.add_argument("--deals", required=True, help="CSV with the investments.csv columns")
    parser.add_argument("--cutoff", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--end", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--json", action="store_true", help="last stdout line: one JSON object")
    parser.add_argument("--ablation", action="store_true", help="also drop each feature group")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    params = _params(args.set)
    started = time.perf_counter()
    rows = read_rows(args.deals)
    split = make_split(rows, args.cutoff, args.end)
    _say(
        f"{len(split.train)} training rows, {len(split.investors)} investors, "
        f"{len(split.queries)} test rounds"
    )
    model, universe = fit_model(rows, args.cutoff, params, say=_say)

    def ranker_for(model_: Any) -> ScoreBlock:
        return model_ranker(model_, universe, split.train, split.investors, args.cutoff, params)

    rankers: dict[str, ScoreBlock] = {
        "model": ranker_for(model),
        "popularity": by_popularity(split),
        "random": by_random(split, params.seed),
        "sector_then_popularity": by_sector_then_popularity(split),
        "prior_then_popularity": by_prior_then_popularity(split),
    }
    results = {name: _run(split, name, rankers[name]) for name in RANKERS}
    out: dict[str, Any] = {"subsets": {}}
    for subset in SUBSETS:
        entry: dict[str, Any] = {"rounds": results["model"][subset]["rounds"]}
        for name in RANKERS:
            entry[name] = {k: v for k, v in results[name][subset].items() if k != "rounds"}
        out["subsets"][subset] = entry
    _print_table(out)
    if args.ablation:
        for group, names in FEATURE_GROUPS.items():
            dropped, _ = fit_model(rows, args.cutoff, params, drop=names)
            scores = _run(split, f"without {group}", ranker_for(dropped))
            cells = [
                f"{s} ndcg@10 {scores[s]['ndcg@10']:.4f} recall@10 {scores[s]['recall@10']:.4f}"
                for s in SUBSETS
            ]
            print(f"without {group:<14}  " + "  ".join(cells))
    _say(f"done in {time.perf_counter() - started:.0f} s")
    if args.json:
        print(json.dumps(out))
    return 0


def _print_table(out: dict[str, Any]) -> None:
    for subset, entry in out["subsets"].items():
        print(f"{subset} ({entry['rounds']} rounds)")
        for name in RANKERS:
            m = entry[name]
            print(
                f"  {name:<24} ndcg@10 {m['ndcg@10']:.4f}  recall@10 {m['recall@10']:.4f}"
                f"  mrr {m['mrr']:.4f}"
            )


if __name__ == "__main__":
    raise SystemExit(main())
