"""Plain-English reasons for and against one pair, and the hard exclusion with its reason.

Both come from the shared rules: the exclusion from `matching.mandate`, the reasons from
`matching.reasons` (the same code that stores reasons for whole lists), worded by
`matching.wording`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from matching import mandate
from matching.frames import InvestorFrame, VentureFrame
from matching.reasons import as_dicts, mandate_facts, pair_reasons, with_profile_facts
from matching.records import InvestorRecord, Reason, VentureRecord, coerce
from matching.taxonomy import Taxonomy
from matching.wording import say

if TYPE_CHECKING:
    from matching.model import History, MatchModel
    from matching.pool import InvestorPool


def exclusion_reason(
    tax: Taxonomy,
    venture: VentureRecord | Mapping[str, Any],
    investor: InvestorRecord | Mapping[str, Any],
) -> Reason | None:
    """The first bar of `matching.mandate` the pair breaks, in words, or None."""
    v, i = coerce(VentureRecord, venture), coerce(InvestorRecord, investor)
    checks = mandate.check(
        VentureFrame.from_records([v], tax), InvestorFrame.from_records([i], tax)
    )
    if not bool(checks.barred()[0, 0]):
        return None
    broken = set(checks.broken((0, 0)))
    if "excluded_sector" in broken:
        facts = mandate_facts(tax, "excluded_sector", v, i)
        return Reason("excluded_sector", say(tax, "excluded_sector", "-", facts), "-")
    if "instrument" in broken:
        facts = mandate_facts(tax, "instrument_fit", v, i)
        return Reason("instrument_not_used", say(tax, "instrument_not_used", "-", facts), "-")
    facts = mandate_facts(tax, "region_fit", v, i)
    return Reason("outside_region", say(tax, "outside_region", "-", facts), "-")


def explain_pair(
    model: MatchModel,
    venture: VentureRecord | Mapping[str, Any],
    investor: InvestorRecord | Mapping[str, Any],
    history: History,
    limit: int,
    pool: InvestorPool | None = None,
) -> list[Reason]:
    """The pair's reasons as stored lists hold them, worded; a bar comes first."""
    v, i = coerce(VentureRecord, venture), coerce(InvestorRecord, investor)
    row = np.zeros(1, dtype=np.int64)
    if pool is not None and i.id in pool.frame.index:
        features = model.pair_features([v], pool)  # reuse the cached track records
        col = np.array([pool.frame.position(i.id)], dtype=np.int64)
    else:
        features, col = model.pair_features([v], [i], history), row
    tax = model.taxonomy
    reasons: list[Reason] = []
    barred = exclusion_reason(tax, v, i)
    if barred is not None:
        reasons.append(barred)
    stored = with_profile_facts(
        tax, as_dicts(orjson.loads(pair_reasons(model, features, row, col, limit)[0])), v, i
    )
    duplicate = {"instrument_not_used": "instrument_fit", "outside_region": "region_fit"}
    skip = {barred.code, duplicate.get(barred.code, "")} if barred else set()
    for r in stored:
        if r["code"] in skip:
            continue
        reasons.append(Reason(r["code"], say(tax, r["code"], r["effect"], r["facts"]), r["effect"]))
    return reasons
