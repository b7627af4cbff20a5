"""Scoring speed on demo-generator data: a full two-sided top-k refresh and one-venture rescoring.

Usage: python bench/score_throughput.py --ventures 10000 --investors 2000 [--json]
With --json the last stdout line is {"pairs", "full_refresh_s", "incremental_ms_median",
"peak_rss_mb"}. The full refresh is timed from plain records (frames, investor pool with track
records, every pair, top-k on both sides); the incremental case reuses the prepared investor
pool, as a worker process does between tasks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import sys
import time
from typing import Any

from matching import DealRecord, InvestorRecord, Taxonomy, VentureRecord, prior_model
from seeds.demo import DemoDataset, generate
from seeds.taxonomy import ReferenceData, load_reference_data

AS_OF = dt.date(2025, 6, 30)  # fixed, so every run scores the same data


def taxonomy_of(reference: ReferenceData) -> Taxonomy:
    """The product's reference data as matching's taxonomy."""
    labels: dict[str, str] = {}
    for group in (reference.sectors, reference.stages, reference.instruments):
        labels.update({item.code: item.label for item in group})
    labels.update({r.code: r.label for r in reference.regions})
    labels.update({i.code: i.label for i in reference.institutions})
    return Taxonomy(
        sector_parent={s.code: s.parent for s in reference.sectors},
        stage_order=[s.code for s in sorted(reference.stages, key=lambda s: s.order)],
        region_parent={r.code: r.parent for r in reference.regions},
        northern_regions=frozenset(r.code for r in reference.regions if r.northern),
        instruments=[i.code for i in reference.instruments],
        institution_region={i.code: i.region for i in reference.institutions},
        labels=labels,
    )


def records_of(
    data: DemoDataset,
) -> tuple[list[VentureRecord], list[InvestorRecord], list[DealRecord]]:
    """Demo records as matching records (ids are positions + 1, as a database would number)."""
    ventures = [
        VentureRecord(
            id=n + 1,
            name=v.name,
            summary=v.summary,
            sectors=v.sectors,
            stage=v.stage,
            raise_amount_gbp=v.raise_amount_gbp,
            instruments=v.instruments,
            region=v.region,
            institution=v.institution,
            spinout=v.spinout,
            eis=v.eis,
            seis=v.seis,
        )
        for n, v in enumerate(data.ventures)
    ]
    investors = [
        InvestorRecord(
            id=n + 1,
            name=i.name,
            investor_type=i.investor_type,
            sectors=i.sectors,
            excluded_sectors=i.excluded_sectors,
            stages=i.stages,
            ticket_min_gbp=i.ticket_min_gbp,
            ticket_max_gbp=i.ticket_max_gbp,
            regions=i.regions,
            regions_strict=i.regions_strict,
            instruments=i.instruments,
            thesis=i.thesis,
            eis=i.eis,
            seis=i.seis,
            institutions=i.institutions,
            hq_region=i.hq_region,
        )
        for n, i in enumerate(data.investors)
    ]
    deals = [
        DealRecord(
            investor_id=d.investor + 1,
            company_key=d.company_name,
            venture_id=None if d.venture is None else d.venture + 1,
            sectors=d.sectors,
            stage=d.stage,
            region=d.region,
            amount_gbp=d.amount_gbp,
            date=d.funded_on,
        )
        for d in data.portfolio
    ]
    return ventures, investors, deals


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n_ventures: int, n_investors: int, k: int, repeats: int) -> dict[str, Any]:
    """Generate, then time the full refresh and the one-venture rescoring."""
    reference = load_reference_data()
    data = generate(n_ventures, n_investors, seed=7, as_of=AS_OF, reference=reference)
    ventures, investors, deals = records_of(data)
    model = prior_model(taxonomy_of(reference), ventures=ventures, investors=investors)
    print(
        f"{len(ventures)} ventures, {len(investors)} investors, {len(deals)} past deals",
        file=sys.stderr,
    )

    started = time.perf_counter()
    pool = model.prepare(investors, deals)
    top = model.top_k_both_sides(ventures, pool, k=k)
    full_refresh = time.perf_counter() - started
    assert len(top.venture_ids) == len(ventures)

    timings = []
    for venture in ventures[:repeats]:
        tick = time.perf_counter()
        model.rank_investors_for_venture(venture, pool, k=k)
        timings.append((time.perf_counter() - tick) * 1000)
    return {
        "pairs": len(ventures) * len(investors),
        "full_refresh_s": round(full_refresh, 3),
        "incremental_ms_median": round(statistics.median(timings), 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ventures", type=int, default=10_000)
    parser.add_argument("--investors", type=int, default=2_000)
    parser.add_argument("--k", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=101, help="ventures rescored one by one")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.ventures, args.investors, args.k, args.repeats)
    print(
        f"{result['pairs']:,} pairs: full refresh {result['full_refresh_s']:.2f} s, "
        f"one venture {result['incremental_ms_median']:.2f} ms (median), "
        f"peak RSS {result['peak_rss_mb']:.0f} MB"
    )
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
