"""Reasons for many pairs at once: codes, effects and the facts behind them, as stored JSON.

A full refresh stores about 600,000 pairs, so nothing here loops over reasons in Python except
co-investor names: which reasons a pair gets is decided on arrays, and each reason's facts are
joined from JSON fragments prepared once per venture plus the pair's own figures (deal counts).
Mandate reasons store no facts: theirs are the two profiles' fields, added when the reasons are
worded (`with_profile_facts`), so stored rows stay small. The words come at display time
(`matching.wording`).

Which reasons a pair gets: every mandate rule it breaks (`matching.mandate`) is listed first,
as "against", whatever the limit; then the strongest other pushes on the log-odds
(`contributions`, the numbers the model adds up) fill the list up to `limit` (at
least one more). A mandate code whose rule passes is never shown as "against".
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import orjson
from scipy import sparse

from matching import mandate
from matching.blocks import positions_of
from matching.config import FEATURES, SIZE_BAND_EDGES
from matching.frames import VentureFrame
from matching.prior import NEUTRAL
from matching.records import InvestorRecord, VentureRecord
from matching.taxonomy import Taxonomy
from matching.track_record import N_SIZE_BANDS, size_band

if TYPE_CHECKING:
    from matching.features import PairFeatures
    from matching.model import MatchModel
    from matching.pool import InvestorPool

I64 = npt.NDArray[np.int64]
Obj = npt.NDArray[np.object_]

REASON_LIMIT = 6  # as `MatchModel.explain` lists by default
MIN_EFFECT = 0.05  # log-odds below which a reason is not worth a line
BLOCK_MODE_MAX_ROWS = 64
# Features reported together under one reason code.
_GROUP = {
    "track_sector_family": "track_sector",
    "track_region_broad": "track_region",
    # Interactions (config.INTERACTIONS) adjust the reason of the feature they scale.
    "seasoned_track_sector": "track_sector",
    "seasoned_track_sector_family": "track_sector",
    "seasoned_track_region_broad": "track_region",
    "seasoned_activity_first": "activity_first",
    "seasoned_co_investors": "co_investors",
    "backer_track_sector": "track_sector",
    "backer_track_region": "track_region",
    "backer_deal_count": "follow_on",
    "backer_last_active": "follow_on",
}
_ACTIVITY_NEUTRAL = float(np.log1p(1.0))  # about one recent deal
_INSIDE_OR_OUT = frozenset({"stage_fit", "ticket_fit", "region_fit"})
REASON_CODES: tuple[str, ...] = tuple(dict.fromkeys(_GROUP.get(f, f) for f in FEATURES))
CODES: tuple[str, ...] = (*REASON_CODES, "excluded_sector")
_COLUMN = {code: j for j, code in enumerate(CODES)}
_MANDATE = np.array([c in mandate.MANDATE_CODES for c in CODES], dtype=np.bool_)


def contributions(
    coef: Mapping[str, float], values: Mapping[str, npt.ArrayLike]
) -> dict[str, npt.NDArray[np.float64]]:
    """Each reason code's push on the log-odds, for arrays of pairs: what reasons rank.

    Fits with a range (stage, ticket, region) count for when inside it and against at any
    distance outside; other features count relative to a neutral value.
    """
    effects: dict[str, npt.NDArray[np.float64]] = {}
    for name in FEATURES:
        value = np.asarray(values[name], dtype=np.float64)
        if name in _INSIDE_OR_OUT:
            effect = coef[name] * np.where(value >= 1.0, 0.5, -np.maximum(1.0 - value, 0.2))
        else:
            neutral = _ACTIVITY_NEUTRAL if name.startswith("activity") else NEUTRAL.get(name, 0.0)
            effect = coef[name] * (value - neutral)
        code = _GROUP.get(name, name)
        effects[code] = effects[code] + effect if code in effects else effect
    return effects


def _js(value: Any) -> str:
    return orjson.dumps(value).decode()


def _objects(items: Sequence[str]) -> Obj:
    out = np.empty(len(items), dtype=object)
    out[:] = list(items)
    return out


@dataclass(frozen=True, eq=False)
class PoolFacts:
    """Per-investor raw deal counts (not weighted: people read counts) and names."""

    sector: npt.NDArray[np.int64]  # investors × sectors: deals within each code
    stage: npt.NDArray[np.int64]
    region: npt.NDArray[np.int64]
    band: npt.NDArray[np.int64]
    total: npt.NDArray[np.int64]
    first: npt.NDArray[np.int64]
    universe_ids: I64
    backed: sparse.csc_matrix  # companies × universe investors, 1 where it backed the company
    names: dict[int, str]  # investor id → name, for pool investors
    sector_names: Obj  # `"sector":"code"` per sector index

    @classmethod
    def build(cls, pool: InvestorPool) -> PoolFacts:
        """Count every pool investor's past deals by sector, stage, region and size."""
        frame, history = pool.frame, pool.history
        tax = frame.taxonomy
        m = len(frame)
        pos = positions_of(np.asarray(frame.ids, np.int64), history.investor_id)  # −1: not in pool
        mine = pos >= 0
        pick = sparse.csr_matrix(
            (np.ones(int(mine.sum())), (pos[mine], np.flatnonzero(mine))), shape=(m, len(pos))
        )

        def counts(deal_codes: sparse.csr_matrix, below: npt.NDArray[np.bool_] | None) -> Any:
            if below is not None:
                deal_codes = sparse.csr_matrix(deal_codes @ sparse.csr_matrix(below.T * 1.0))
                deal_codes.data = np.minimum(deal_codes.data, 1.0)
            return np.asarray((pick @ deal_codes).toarray(), dtype=np.int64)

        def one_hot(codes: I64, width: int) -> sparse.csr_matrix:
            known = codes >= 0
            return sparse.csr_matrix(
                (np.ones(int(known.sum())), (np.flatnonzero(known), codes[known])),
                shape=(len(codes), width),
            )

        first_day = np.full(int(history.company.max(initial=-1)) + 1, np.iinfo(np.int64).max)
        np.minimum.at(first_day, history.company, history.day)
        first = (history.day == first_day[history.company]) if len(history) else np.zeros(0, bool)
        universe = np.union1d(history.investor_id, frame.ids)
        deal_u = np.searchsorted(universe, history.investor_id)
        n_companies = int(history.company.max(initial=-1)) + 1
        backed = sparse.csc_matrix(
            (np.ones(len(deal_u)), (history.company, deal_u)),
            shape=(n_companies, len(universe)),
        )
        backed.data = np.minimum(backed.data, 1.0)
        records = frame.records
        return cls(
            sector=counts(history.sectors.astype(np.float64), tax.sectors.below),
            stage=counts(one_hot(history.stage, len(tax.stage_order)), None),
            region=counts(one_hot(history.region, len(tax.regions)), tax.regions.below),
            band=counts(one_hot(size_band(history.amount_gbp), N_SIZE_BANDS), None),
            total=np.bincount(pos[mine], minlength=m).astype(np.int64),
            first=np.bincount(pos[mine], weights=first[mine], minlength=m).astype(np.int64),
            universe_ids=universe,
            backed=backed,
            names={r.id: r.name for r in records},
            sector_names=_objects([f'"sector":{_js(c)}' for c in tax.sectors.codes]),
        )


_POOL_FACTS: weakref.WeakKeyDictionary[Any, PoolFacts] = weakref.WeakKeyDictionary()


def pool_facts(pool: InvestorPool) -> PoolFacts:
    """The pool's fragments and counts, built on first use and kept with the pool."""
    found = _POOL_FACTS.get(pool)
    if found is None:
        found = _POOL_FACTS[pool] = PoolFacts.build(pool)
    return found


def _build_venture_fragments(frame: VentureFrame) -> dict[str, Obj]:
    tree = frame.taxonomy.regions
    edges = [0, *(int(10**e) for e in SIZE_BAND_EDGES), None]
    bands = size_band(frame.raise_gbp).tolist()
    parent = tree.parent[frame.region]
    broad = np.where(parent >= 0, parent, frame.region).tolist()
    out: dict[str, list[str]] = {key: [] for key in _VENTURE_KEYS}
    for r, band, up in zip(frame.records, bands, broad, strict=True):
        out["track_stage"].append(f'"stage":{_js(r.stage)}')
        out["track_region"].append(f'"region":{_js(tree.codes[up])}')
        out["track_size"].append(f'"low":{edges[band]},"high":{_js(edges[band + 1])}')
    return {k: _objects(v) for k, v in out.items()}


_VENTURE_KEYS = ("track_stage", "track_region", "track_size")
_VENTURE_FRAGMENTS: weakref.WeakKeyDictionary[VentureFrame, dict[str, Obj]] = (
    weakref.WeakKeyDictionary()
)


def _venture_fragments(frame: VentureFrame) -> dict[str, Obj]:
    """Per-venture JSON fragments, built once per frame (a chunk's ventures)."""
    found = _VENTURE_FRAGMENTS.get(frame)
    if found is None:
        found = _VENTURE_FRAGMENTS[frame] = _build_venture_fragments(frame)
    return found


def _pair_values(features: PairFeatures, rows: I64, cols: I64) -> dict[str, Any]:
    """Feature values of (rows[j], cols[j]): block mode for a few ventures, else pair mode."""
    distinct = np.unique(rows)
    if len(distinct) > BLOCK_MODE_MAX_ROWS:
        return dict(features.compute(rows, cols))
    block = features.compute(distinct)
    local = np.searchsorted(distinct, rows)
    shape = (len(distinct), len(features.pool))
    return {name: np.broadcast_to(value, shape)[local, cols] for name, value in block.items()}


def _chosen(effects: npt.NDArray[np.float64], failed: npt.NDArray[np.bool_], limit: int) -> Any:
    """Which codes each pair lists (kept) and in which order (slot per kept code)."""
    strength = np.abs(effects)
    candidate = (strength >= MIN_EFFECT) & ~failed & ~(_MANDATE[None, :] & (effects < 0))
    order = np.argsort(np.where(candidate, -strength, np.inf), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(order.shape[1])[None, :], axis=1)
    allowed = np.maximum(limit - failed.sum(axis=1), 1)[:, None]
    kept = failed | (candidate & (rank < allowed))
    # Deal-breakers are never cut and come first (so a one-line summary shows them; an
    # excluded sector leads), then the other kept reasons, strongest first.
    key = np.where(kept, -strength, np.inf) - np.where(failed, 1e9, 0.0)
    key[:, _COLUMN["excluded_sector"]] = np.where(kept[:, -1], -np.inf, np.inf)
    order = np.argsort(key, axis=1, kind="stable")
    slot = np.empty_like(order)
    np.put_along_axis(slot, order, np.arange(order.shape[1])[None, :], axis=1)
    return kept, slot


def pair_reasons(
    model: MatchModel, features: PairFeatures, rows: I64, cols: I64, limit: int = REASON_LIMIT
) -> list[str]:
    """One JSON list `[[code, effect, facts], ...]` per pair (rows[j], cols[j]) of `features`.

    Stored as triples (a third smaller than objects: ~600,000 rows are written); `as_dicts`
    and `matching.wording.worded` read them back as `{code, effect, facts}`.
    """
    n = len(rows)
    if n == 0:
        return []
    rows, cols = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
    values = _pair_values(features, rows, cols)
    pushes = contributions(model.coef, values)
    effects = np.zeros((n, len(CODES)), dtype=np.float64)
    for name, push in pushes.items():
        effects[:, _COLUMN[name]] = np.broadcast_to(push, (n,))
    ventures, investors = features.side.frame, features.pool.frame
    checks = mandate.check(ventures, investors, rows, cols)
    failed = np.zeros((n, len(CODES)), dtype=np.bool_)
    for rule, code in mandate.REASON_CODE.items():
        failed[:, _COLUMN[code]] |= ~np.asarray(checks.passed[rule])
    kept, slot = _chosen(effects, failed, limit)
    texts = _Texts(features, rows, cols, values)
    pair_of, slot_of, pieces = [], [], []
    for code in CODES:
        j = _COLUMN[code]
        where = np.flatnonzero(kept[:, j])
        if len(where) == 0:
            continue
        good = (effects[where, j] > 0) & ~failed[where, j]
        piece = np.empty((len(where), 3), dtype=object)
        piece[:, 0] = f'["{code}","+",{{'
        piece[~good, 0] = f'["{code}","-",{{'
        piece[:, 1], piece[:, 2] = texts.facts(code, where)
        pieces.append(piece)
        pair_of.append(where)
        slot_of.append(slot[where, j])
    return _join(n, pair_of, slot_of, pieces)


_END = "\x1e"  # record separator: never in JSON text, which escapes control characters


def _join(n: int, pair_of: list[I64], slot_of: list[I64], pieces: list[Obj]) -> list[str]:
    """One JSON list per pair from its pieces (head, facts, more facts) in slot order.

    The parts are laid out with their brackets and commas in one object array, joined once and
    split at the record separators: no string is built per piece in Python.
    """
    empty = np.setdiff1d(np.arange(n), np.concatenate(pair_of)) if pair_of else np.arange(n)
    pair = np.concatenate([*pair_of, empty])
    slot = np.concatenate([*slot_of, np.zeros(len(empty), np.int64)])
    parts = np.concatenate([*pieces, np.full((len(empty), 3), "", dtype=object)])
    order = np.lexsort((slot, pair))
    pair, parts = pair[order], parts[order]
    first = np.r_[True, pair[1:] != pair[:-1]]
    last = np.r_[pair[1:] != pair[:-1], True]
    laid = np.empty((len(pair), 6), dtype=object)
    laid[:, 0] = ","
    laid[first, 0] = "["
    laid[:, 1:4] = parts
    laid[:, 4] = "}]"
    laid[parts[:, 0] == "", 4] = ""  # a pair with no reason holds one empty placeholder
    laid[:, 5] = ""
    laid[last, 5] = "]" + _END
    return "".join(laid.ravel().tolist()).split(_END)[:-1]


class _Texts:
    """JSON fragments of each code's facts for a set of pairs."""

    def __init__(
        self, features: PairFeatures, rows: I64, cols: I64, values: dict[str, Any]
    ) -> None:
        self.features, self.rows, self.cols, self.values = features, rows, cols, values
        self.pool = pool_facts(features.pool)
        self.ventures = _venture_fragments(features.side.frame)
        self.frame = features.side.frame

    def _deals(self, counts: I64, cols: I64, lead: str = ",") -> Obj:
        totals = self.pool.total[cols].tolist()
        return _objects(
            [f'{lead}"deals":{a},"of":{b}' for a, b in zip(counts.tolist(), totals, strict=True)]
        )

    def facts(self, code: str, where: I64) -> tuple[Obj, Obj]:
        """The code's facts for the pairs `where`, as two fragments to lay side by side."""
        rows, cols = self.rows[where], self.cols[where]
        p, frame = self.pool, self.frame
        none = np.full(len(where), "", dtype=object)
        if code in PROFILE_CODES:
            return none, none  # read from the two profiles when worded (`with_profile_facts`)
        if code == "track_sector":
            slots = frame.sector_slots[rows]
            tops = np.where(slots >= 0, frame.taxonomy.sectors.top[np.maximum(slots, 0)], -1)
            own = np.where(slots >= 0, p.sector[cols[:, None], np.maximum(slots, 0)], -1)
            fam = np.where(tops >= 0, p.sector[cols[:, None], np.maximum(tops, 0)], -1)
            use_family = (own.max(axis=1) <= 0) & (fam.max(axis=1) > 0)
            pick_own, pick_fam = own.argmax(axis=1), fam.argmax(axis=1)
            at = np.arange(len(where))
            code_ix = np.where(use_family, tops[at, pick_fam], slots[at, pick_own])
            deals = np.where(use_family, fam[at, pick_fam], own[at, pick_own])
            named = p.sector_names[np.maximum(code_ix, 0)]
            return named, self._deals(np.maximum(deals, 0), cols)
        if code == "track_stage":
            deals = p.stage[cols, frame.stage[rows]]
            return self.ventures["track_stage"][rows], self._deals(deals, cols)
        if code == "track_region":
            tree = frame.taxonomy.regions
            region = frame.region[rows]
            up = np.where(tree.parent[region] >= 0, tree.parent[region], region)
            return self.ventures["track_region"][rows], self._deals(p.region[cols, up], cols)
        if code == "track_size":
            band = size_band(frame.raise_gbp[rows])
            return self.ventures["track_size"][rows], self._deals(p.band[cols, band], cols)
        if code == "activity_first":
            return self._deals(p.first[cols], cols, lead=""), none
        if code == "text_similarity":
            sim = np.broadcast_to(self.values["text_similarity"], (len(self.rows),))[where]
            return _objects([f'"similarity":{round(x, 3)}' for x in sim.tolist()]), none
        if code == "co_investors":
            pairs = zip(rows.tolist(), cols.tolist(), strict=True)
            return _objects([self._co_investors(r, c) for r, c in pairs]), none
        if code == "excluded_sector":
            pairs = zip(rows.tolist(), cols.tolist(), strict=True)
            return _objects([self._excluded(r, c) for r, c in pairs]), none
        return none, none  # follow_on, follow_on_latest

    def _co_investors(self, row: int, col: int) -> str:
        """Backers of the venture this investor shared companies with, named, most first."""
        p = self.pool
        track = self.features.pool.track
        venture_id = int(self.frame.ids[row])
        backers = track.backers_universe.get(venture_id, np.empty(0, np.int64))
        me = int(np.searchsorted(p.universe_ids, self.features.pool.frame.ids[col]))
        if len(backers) == 0 or p.backed.shape[0] == 0:
            return '"with":[],"count":0'
        shared = np.asarray((p.backed[:, backers].T @ p.backed[:, me]).toarray()).ravel()
        own_id = int(self.features.pool.frame.ids[col])
        found: list[tuple[int, str, int]] = []
        for b, n in zip(backers.tolist(), shared.tolist(), strict=True):
            investor_id = int(p.universe_ids[b])
            name = p.names.get(investor_id)
            if n > 0 and investor_id != own_id and name:
                found.append((investor_id, name, int(n)))
        found.sort(key=lambda x: -x[2])
        partners = [{"id": i, "name": name, "times": n} for i, name, n in found]
        return f'"with":{_js(partners)},"count":{sum(n for _, _, n in found)}'

    def _excluded(self, row: int, col: int) -> str:
        v, i = self.frame.records[row], self.features.pool.frame.records[col]
        return _excluded_fragment(self.frame.taxonomy, v, i)


# Mandate reasons whose facts are the two profiles' own fields: stored lists keep only the code
# and its effect (a full refresh writes ~500,000 rows; these facts were most of their bytes) and
# `with_profile_facts` adds the fields from the profiles when the reasons are worded.
PROFILE_CODES = frozenset(
    {"sector_fit", "stage_fit", "ticket_fit", "region_fit", "instrument_fit", "tax_relief_fit",
     "institution_fit"}
)  # fmt: skip


def mandate_facts(tax: Taxonomy, code: str, v: VentureRecord, i: InvestorRecord) -> dict[str, Any]:
    """The facts of one mandate reason for one pair, from the two profiles."""
    if code == "excluded_sector":
        found: dict[str, Any] = orjson.loads("{" + _excluded_fragment(tax, v, i) + "}")
        return found
    relief = (("SEIS", "seis"), ("EIS", "eis"))
    facts: dict[str, dict[str, Any]] = {
        "sector_fit": {"sectors": list(v.sectors), "mandate": list(i.sectors)},
        "stage_fit": {"stage": v.stage, "stages": list(i.stages)},
        "ticket_fit": {
            "raise": v.raise_amount_gbp,
            "min": i.ticket_min_gbp,
            "max": i.ticket_max_gbp,
        },
        "region_fit": {"region": v.region, "regions": list(i.regions)}
        | ({"strict": True} if i.regions_strict else {}),
        "instrument_fit": {"offered": list(v.instruments), "uses": list(i.instruments)},
        "tax_relief_fit": {
            "venture": [s for s, flag in relief if getattr(v, flag)],
            "schemes": [s for s, flag in relief if getattr(i, flag)],
        },
        "institution_fit": {"institution": v.institution, "prefers": list(i.institutions)},
    }
    return facts[code]


def with_profile_facts(
    tax: Taxonomy, reasons: Sequence[Mapping[str, Any]], v: VentureRecord, i: InvestorRecord
) -> list[dict[str, Any]]:
    """Reasons (`{code, effect, facts}`) with the profile fields of mandate reasons filled in.

    Facts already stored (rows written before they were left to the profiles) are kept, and so
    are rows older still, stored as `{code, text, effect}` with no facts: their text stands.
    """
    out = []
    for reason in reasons:
        item = dict(reason)
        if item.get("code") in PROFILE_CODES and item.get("facts") == {}:
            item["facts"] = mandate_facts(tax, str(item["code"]), v, i)
        out.append(item)
    return out


def _excluded_fragment(tax: Taxonomy, v: VentureRecord, i: InvestorRecord) -> str:
    """The venture sector an excluded mandate sector covers, and that excluded sector."""
    tree = tax.sectors
    for code in v.sectors:
        for barred in i.excluded_sectors:
            if tree.is_within(tree.index[code], tree.index[barred]):
                return f'"sector":{_js(code)},"excluded":{_js(barred)}'
    return '"sector":null,"excluded":null'


def as_dicts(stored: Sequence[Any]) -> list[dict[str, Any]]:
    """Stored reasons as `{code, effect, facts}` (triples from `pair_reasons`; dicts pass)."""
    out = []
    for item in stored:
        if isinstance(item, Mapping):
            out.append(dict(item))
        else:
            code, effect, facts = item
            out.append({"code": code, "effect": effect, "facts": facts})
    return out
