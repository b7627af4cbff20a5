"""Bulk reasons on demo-generator data: what storing reasons with facts costs a full refresh.

Usage: python bench/reasons_throughput.py --ventures 10000 --investors 2000 [--json]

Ranks both sides' top K (the pairs a full refresh stores), then times
`matching.reasons.pair_reasons` on them the way the refresh calls it: the venture side in
blocks of 512 ventures (as `scoring_full.compute_chunk`), then the pairs only the investor side
holds. Prints pairs, seconds, microseconds per pair and the stored JSON size.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
from score_throughput import AS_OF, peak_rss_mb, records_of, taxonomy_of

from matching import prior_model
from matching.reasons import pair_reasons
from seeds.demo import generate
from seeds.taxonomy import load_reference_data

BLOCK = 512  # ventures per block, as the full refresh scores them


def run(n_ventures: int, n_investors: int, k: int) -> dict[str, float]:
    """Generate, rank, then time reasons for every stored pair."""
    reference = load_reference_data()
    data = generate(n_ventures, n_investors, seed=7, as_of=AS_OF, reference=reference)
    ventures, investors, deals = records_of(data)
    model = prior_model(taxonomy_of(reference), ventures=ventures, investors=investors)
    pool = model.prepare(investors, deals)
    top = model.top_k_both_sides(ventures, pool, k=k)
    features = model.pair_features(ventures, pool)
    col_of = {int(i): c for c, i in enumerate(pool.frame.ids.tolist())}
    row_of = {int(v): r for r, v in enumerate(features.side.frame.ids.tolist())}

    v_rows, v_cols = np.nonzero(top.venture_top >= 0)
    v_cols = np.array([col_of[int(i)] for i in top.venture_top[v_rows, v_cols]], np.int64)
    i_rows, i_slot = np.nonzero(top.investor_top >= 0)
    inv_pairs = {
        (row_of[int(top.investor_top[r, s])], col_of[int(top.investor_ids[r])])
        for r, s in zip(i_rows.tolist(), i_slot.tolist(), strict=True)
    }
    only = sorted(inv_pairs - set(zip(v_rows.tolist(), v_cols.tolist(), strict=True)))

    pair_reasons(model, features, v_rows[:10], v_cols[:10])  # warm the per-pool tables
    started = time.perf_counter()
    texts: list[str] = []
    for start in range(0, len(ventures), BLOCK):
        pick = (v_rows >= start) & (v_rows < start + BLOCK)
        texts += pair_reasons(model, features, v_rows[pick], v_cols[pick])
    venture_side = time.perf_counter() - started
    started = time.perf_counter()
    if only:
        rows, cols = (np.array(c, np.int64) for c in zip(*only, strict=True))
        texts += pair_reasons(model, features, rows, cols)
    investor_side = time.perf_counter() - started
    total = venture_side + investor_side
    return {
        "pairs": len(texts),
        "reasons_s": round(total, 3),
        "venture_side_s": round(venture_side, 3),
        "investor_side_s": round(investor_side, 3),
        "us_per_pair": round(total / max(len(texts), 1) * 1e6, 2),
        "json_mb": round(sum(len(t) for t in texts) / 1e6, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ventures", type=int, default=10_000)
    parser.add_argument("--investors", type=int, default=2_000)
    parser.add_argument("--k", type=int, default=50)
    parser.add_argument("--json", action="store_true", help="print one JSON line last")
    args = parser.parse_args()
    result = run(args.ventures, args.investors, args.k)
    for name, value in result.items():
        print(f"{name}: {value}", file=sys.stderr)
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
