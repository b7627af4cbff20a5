"""Reasons for many stored pairs at once (scoring and top-k live in `matching.blocks` and
`matching.topk`).

Public functions:
- `reason_keys(model, features, rows, cols) -> I64` and `reasons_json(key) -> str` — reasons
  for many pairs at once from the feature contributions (see below).

Reasons: `MatchModel.explain` words one pair at a time (about a second per pair on 10,000 ×
2,000 when it rebuilds the pool), far too slow for the ~500,000 stored pairs of a full refresh.
We take every pair's push on the log-odds per reason code from `matching.explain.contributions`
(the numbers `explain` ranks), keep the strongest `REASON_LIMIT` above `MIN_EFFECT`, and encode
them as one integer per pair; a key maps to a fixed JSON list `[{code, text, effect}]` whose
sentences are short and generic (no figures) so that they can be shared by many pairs.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

import matching
from matching.explain import REASON_CODES, contributions

I64 = npt.NDArray[np.int64]

REASON_LIMIT = 4
MIN_EFFECT = 0.05  # log-odds below which a reason is not worth a line
REASON_TEXT: dict[str, tuple[str, str]] = {  # code: (for, against)
    "sector_fit": ("Invests in the venture's sector", "The venture's sector is outside its focus"),
    "stage_fit": ("Invests at the venture's stage", "The venture's stage is outside its range"),
    "ticket_fit": ("The raise fits its ticket range", "The raise is outside its ticket range"),
    "region_fit": (
        "Invests in the venture's region",
        "The venture's region is outside its mandate",
    ),
    "instrument_fit": (
        "Uses the instruments the venture offers",
        "Uses other instruments than the venture offers",
    ),
    "tax_relief_fit": (
        "Its SEIS/EIS preference matches the venture",
        "Invests through SEIS/EIS; the venture has no such eligibility",
    ),
    "institution_fit": (
        "Prefers spinouts from the venture's institution",
        "Prefers spinouts from other institutions",
    ),
    "text_similarity": (
        "Its thesis and the venture's summary describe similar work",
        "Its thesis describes different work",
    ),
    "track_sector": ("Has backed companies in this sector", "Rarely backs this sector"),
    "track_stage": ("Often invests at this stage", "Seldom invests at this stage"),
    "track_region": ("Has backed companies in this region", "Few past deals in this region"),
    "track_size": ("Often joins rounds of this size", "Rarely joins rounds of this size"),
    "activity": ("Active investor with recent deals", "No recent deals on record"),
    "follow_on": ("Already backed this venture", "Has not backed this venture before"),
    "co_investors": (
        "Has co-invested with the venture's existing backers",
        "No shared deals with the venture's backers",
    ),
}
BLOCK_MODE_MAX_ROWS = 64
_BITS = 6  # per reason: 5 bits of code + 1 bit of sign (+1 so that 0 means "none")


def _pair_values(features: Any, rows: I64, cols: I64) -> dict[str, Any]:
    """Feature values of (rows[j], cols[j]) pairs.

    A few distinct ventures are computed in block mode (one row against every investor costs
    less than preparing pair mode's thesis matrix); many use pair mode.
    """
    distinct = np.unique(rows)
    if len(distinct) > BLOCK_MODE_MAX_ROWS:
        return dict(features.compute(rows, cols))
    block = features.compute(distinct)
    local = np.searchsorted(distinct, rows)
    shape = (len(distinct), len(features.pool))
    return {name: np.broadcast_to(value, shape)[local, cols] for name, value in block.items()}


def reason_keys(model: matching.MatchModel, features: Any, rows: I64, cols: I64) -> I64:
    """One integer per pair encoding its strongest reasons (decode with `reasons_json`)."""
    n = len(rows)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    values = _pair_values(features, rows, cols)
    pushes = contributions(model.coef, values)  # the numbers `MatchModel.explain` ranks
    effects = np.zeros((n, len(REASON_CODES)), dtype=np.float64)
    for column, name in enumerate(REASON_CODES):
        if name in pushes:
            effects[:, column] = np.broadcast_to(pushes[name], (n,))
    strength = np.abs(effects)
    order = np.argsort(-strength, axis=1, kind="stable")[:, :REASON_LIMIT]
    keys = np.zeros(n, dtype=np.int64)
    for slot in range(order.shape[1]):
        code = order[:, slot]
        effect = effects[np.arange(n), code]
        strong = np.abs(effect) >= MIN_EFFECT
        part = (code * 2 + (effect < 0)) + 1
        keys |= np.where(strong, part, 0).astype(np.int64) << (_BITS * slot)
    return keys


@cache
def reasons_json(key: int) -> str:
    """The JSON reasons list a key stands for (cached: few distinct keys exist)."""
    return json.dumps(decode_reasons(key), separators=(",", ":"))


def decode_reasons(key: int) -> list[dict[str, str]]:
    """Reasons `[{code, text, effect}]`, strongest first."""
    found = []
    for slot in range(REASON_LIMIT):
        part = (int(key) >> (_BITS * slot)) & ((1 << _BITS) - 1)
        if part == 0:
            continue
        code = REASON_CODES[(part - 1) // 2]
        against = (part - 1) % 2 == 1
        text = REASON_TEXT.get(code, (code, code))[1 if against else 0]
        found.append({"code": code, "text": text, "effect": "-" if against else "+"})
    return found
