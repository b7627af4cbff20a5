"""One definition of "fits the mandate": the ranker, its reasons, the hints and the gap view agree.

Each generated pair is checked against a slow reference written straight from the rules in
`matching.mandate`'s docstring, so the shared implementation is tested as well as shared.
"""

from __future__ import annotations

import numpy as np
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.advice import mandate_fits
from matching.coverage import Coverage, VentureShape
from matching.mandate import MANDATE_CODES
from matching.reasons import PROFILE_CODES, as_dicts, pair_reasons, with_profile_facts
from matching.records import InvestorRecord, VentureRecord
from tests.matching.factories import PROPERTY, TAXONOMY, investor, investors, venture, ventures


def _within(tree, code: str, ancestor: str) -> bool:
    return tree.is_within(tree.index[code], tree.index[ancestor])


def _broken(v: VentureRecord, i: InvestorRecord) -> set[str]:
    """The reason codes of the rules a pair breaks, rule by rule, one record at a time."""
    sectors, regions = TAXONOMY.sectors, TAXONOMY.regions
    out = set()
    if any(_within(sectors, s, x) for s in v.sectors for x in i.excluded_sectors):
        out.add("excluded_sector")
    if i.sectors and not any(_within(sectors, s, m) for s in v.sectors for m in i.sectors):
        out.add("sector_fit")
    if i.stages and v.stage not in i.stages:
        out.add("stage_fit")
    if not i.ticket_min_gbp <= v.raise_amount_gbp <= i.ticket_max_gbp:
        out.add("ticket_fit")
    if i.regions and not any(_within(regions, v.region, r) for r in i.regions):
        out.add("region_fit")
    if v.instruments and i.instruments and not set(v.instruments) & set(i.instruments):
        out.add("instrument_fit")
    if (i.eis or i.seis) and not ((i.eis and v.eis) or (i.seis and v.seis)):
        out.add("tax_relief_fit")
    return out


def _barred(broken: set[str], i: InvestorRecord) -> bool:
    strict_region = "region_fit" in broken and i.regions_strict
    return bool({"excluded_sector", "instrument_fit"} & broken) or strict_region


def _shape(v: VentureRecord) -> VentureShape:
    return VentureShape(
        tuple(v.sectors), v.stage, v.region, tuple(v.instruments), v.raise_amount_gbp, v.eis, v.seis
    )


@settings(PROPERTY, max_examples=150)
@given(
    vs=st.lists(ventures(), min_size=1, max_size=4, unique_by=lambda v: v.id),
    inv=st.lists(investors(), min_size=1, max_size=6, unique_by=lambda i: i.id),
    limit=st.integers(1, 4),
)
def test_ranker_reasons_hints_and_gap_view_agree_on_every_pair(model, vs, inv, limit):
    pool = model.prepare(inv)
    ranked = model.score_pairs(vs, pool)  # the ranker: None where it excludes the pair
    features = model.pair_features(vs, pool)
    rows, cols = (a.ravel() for a in np.indices((len(vs), len(inv))))
    stored = [as_dicts(orjson.loads(t)) for t in pair_reasons(model, features, rows, cols, limit)]
    hints_fit = mandate_fits(model, list(vs), pool)
    gap_view = Coverage(inv, [True] * len(inv), TAXONOMY)
    for j, (r, c) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
        v, i = vs[r], inv[c]
        broken = _broken(v, i)
        against = {x["code"] for x in stored[j] if x["effect"] == "-"} & {
            *MANDATE_CODES,
            "excluded_sector",
        }
        excluded = ranked.get(v.id, i.id) is None
        assert excluded == _barred(broken, i)
        assert excluded == (model.exclusion_reason(v, i) is not None)
        assert against == broken  # every broken rule is "against", whatever the limit
        assert not {x["code"] for x in stored[j] if x["effect"] == "+"} & broken
        assert bool(hints_fit[r, c]) == (not broken)
        takes_part = broken <= {"ticket_fit"} and v.raise_amount_gbp >= i.ticket_min_gbp
        assert bool(gap_view.covering(_shape(v))[c]) == takes_part


def test_a_2m_maximum_for_a_3_2m_raise_is_always_against_even_with_one_reason(model):
    v = venture(raise_amount_gbp=3_200_000)
    i = investor(ticket_min_gbp=250_000, ticket_max_gbp=2_000_000)
    pool = model.prepare([i])
    features = model.pair_features([v], pool)
    zero = np.zeros(1, dtype=np.int64)
    raw = as_dicts(orjson.loads(pair_reasons(model, features, zero, zero, limit=1)[0]))
    assert all(x["facts"] == {} for x in raw if x["code"] in PROFILE_CODES)  # profiles hold them
    stored = with_profile_facts(model.taxonomy, raw, v, i)
    assert stored[0]["code"] == "ticket_fit"  # deal-breakers lead, so a one-line summary shows it
    ticket = [x for x in stored if x["code"] == "ticket_fit"]
    assert ticket == [
        {
            "code": "ticket_fit",
            "effect": "-",
            "facts": {"raise": 3_200_000, "min": 250_000, "max": 2_000_000},
        }
    ]
    assert any(x["effect"] == "+" for x in stored)  # the strongest reason for still shows
    texts = {r.code: r.text for r in model.explain(v, i, limit=1)}
    assert texts["ticket_fit"] == "Tickets £250k–£2m; the £3.2m raise is above its maximum"
    assert model.rank_investors_for_venture(v, [i], k=5)[0].id == i.id  # ranked, not excluded


def test_the_gap_view_asks_who_could_take_part_and_hints_who_takes_the_whole_round(model):
    v = venture(raise_amount_gbp=3_200_000)
    part = investor(id=5, ticket_min_gbp=250_000, ticket_max_gbp=2_000_000)
    whole = investor(id=6, ticket_min_gbp=1_000_000, ticket_max_gbp=5_000_000)
    too_big = investor(id=7, ticket_min_gbp=5_000_000, ticket_max_gbp=9_000_000)
    everyone = [part, whole, too_big]
    covering = Coverage(everyone, [True, True, True], TAXONOMY).covering(_shape(v))
    assert covering.tolist() == [True, True, False]
    assert mandate_fits(model, [v], model.prepare(everyone))[0].tolist() == [False, True, False]
