"""`python -m matching.evaluate`: the product's ranker and four baselines on a time split."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matching.config import FEATURE_GROUPS
from matching.evaluate.baselines import (
    by_popularity,
    by_prior_then_popularity,
    by_random,
    by_sector_then_popularity,
)
from matching.evaluate.data import read_rows
from matching.evaluate.overrides import settings_from
from matching.evaluate.protocol import SUBSETS, ScoreBlock, Split, evaluate, make_split
from matching.evaluate.ranker import fit, model_ranker
from matching.evaluate.results import record_run, run_document

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


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, evaluate, print a table (and the JSON line with --json)."""
    parser = argparse.ArgumentParser(prog="python -m matching.evaluate", description=__doc__)
    parser.add_argument("--deals", required=True, help="CSV with the investments.csv columns")
    parser.add_argument("--cutoff", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--end", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--json", action="store_true", help="last stdout line: one JSON object")
    parser.add_argument("--ablation", action="store_true", help="also drop each feature group")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="override a default"
    )
    parser.add_argument(
        "--record",
        type=Path,
        metavar="FILE",
        help="store this run (figures, settings, data checksum) in a results file",
    )
    parser.add_argument(
        "--role",
        default="test",
        help="the run's name in --record's file, e.g. validation or test (default test)",
    )
    args = parser.parse_args(argv)
    config, training = settings_from(args.set)
    if args.record and args.set:
        raise SystemExit("--record stores the product's settings: leave out --set")
    started = time.perf_counter()
    rows = read_rows(args.deals)
    split = make_split(rows, args.cutoff, args.end)
    _say(
        f"{len(split.train)} training rows, {len(split.investors)} investors, "
        f"{len(split.queries)} test rounds"
    )
    fitted = fit(rows, args.cutoff, config=config, training=training, say=_say)
    rankers: dict[str, ScoreBlock] = {
        "model": model_ranker(fitted, split.train, split.investors),
        "popularity": by_popularity(split),
        "random": by_random(split),
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
    if args.record:
        document = run_document(
            deals=Path(args.deals), end=args.end, split=split, fitted=fitted, subsets=out["subsets"]
        )
        record_run(args.record, args.role, document)
        _say(f"recorded as {args.role!r} in {args.record}")
    if args.ablation:
        for group, names in FEATURE_GROUPS.items():
            dropped = dataclasses.replace(config, disabled=names)
            without = fit(rows, args.cutoff, config=dropped, training=training)
            scores = _run(
                split, f"without {group}", model_ranker(without, split.train, split.investors)
            )
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
