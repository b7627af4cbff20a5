"""Plain-English reasons for and against a pair, and the hard exclusions with their reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from matching.config import FEATURES, SIZE_BAND_EDGES
from matching.prior import NEUTRAL
from matching.records import InvestorRecord, Reason, VentureRecord, coerce
from matching.taxonomy import Taxonomy
from matching.track_record import size_band

if TYPE_CHECKING:
    from matching.model import History, MatchModel
    from matching.pool import InvestorPool

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
_MIN_EFFECT = 0.05  # log-odds below which a reason is not worth a line
_INSIDE_OR_OUT = frozenset({"stage_fit", "ticket_fit", "region_fit"})


def money(amount: float) -> str:
    """£750k, £1.5m: how people in the market write amounts."""
    if amount >= 1_000_000:
        return f"£{amount / 1_000_000:.1f}m"
    if amount >= 1_000:
        return f"£{amount / 1_000:.0f}k"
    return f"£{amount:.0f}"


def _names(tax: Taxonomy, codes: Sequence[str], limit: int = 3) -> str:
    words = [tax.label(c) for c in codes[:limit]]
    more = f" and {len(codes) - limit} more" if len(codes) > limit else ""
    return (", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]) + more


def exclusion_reason(
    tax: Taxonomy,
    venture: VentureRecord | Mapping[str, Any],
    investor: InvestorRecord | Mapping[str, Any],
) -> Reason | None:
    """The first hard mandate rule the pair breaks, checked one record at a time."""
    v, i = coerce(VentureRecord, venture), coerce(InvestorRecord, investor)
    sectors = tax.sectors
    for code in v.sectors:
        for barred in i.excluded_sectors:
            if sectors.is_within(
                sectors.lookup("sectors", code), sectors.lookup("sectors", barred)
            ):
                return Reason(
                    "excluded_sector",
                    f"Does not invest in {tax.label(barred)}; the venture is in {tax.label(code)}",
                    "-",
                )
    if v.instruments and i.instruments and not set(v.instruments) & set(i.instruments):
        return Reason(
            "instrument_not_used",
            f"Invests only by {_names(tax, list(i.instruments))}; "
            f"the venture offers {_names(tax, list(v.instruments))}",
            "-",
        )
    if i.regions and i.regions_strict:
        regions = tax.regions
        place = regions.lookup("region", v.region)
        if not any(regions.is_within(place, regions.lookup("regions", r)) for r in i.regions):
            return Reason(
                "outside_region",
                f"Invests only in {_names(tax, list(i.regions))}; "
                f"the venture is in {tax.label(v.region)}",
                "-",
            )
    return None


REASON_CODES: tuple[str, ...] = tuple(dict.fromkeys(_GROUP.get(f, f) for f in FEATURES))


def contributions(
    coef: Mapping[str, float], values: Mapping[str, npt.ArrayLike]
) -> dict[str, npt.NDArray[np.float64]]:
    """Each reason code's push on the log-odds, for arrays of pairs: what `explain` ranks.

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


def explain_pair(
    model: MatchModel,
    venture: VentureRecord | Mapping[str, Any],
    investor: InvestorRecord | Mapping[str, Any],
    history: History,
    limit: int,
    pool: InvestorPool | None = None,
) -> list[Reason]:
    """Feature contributions to the log-odds, strongest first, each put into words."""
    v, i = coerce(VentureRecord, venture), coerce(InvestorRecord, investor)
    row = np.zeros(1, dtype=np.int64)
    if pool is not None and i.id in pool.frame.index:
        features = model.pair_features([v], pool)  # reuse the cached track records
        col = np.array([pool.frame.position(i.id)], dtype=np.int64)
    else:
        features, col = model.pair_features([v], [i], history), row
    values = {k: float(np.ravel(x)[0]) for k, x in features.compute(row, col).items()}
    effects = {code: float(e) for code, e in contributions(model.coef, values).items()}
    words = _Words(model.taxonomy, v, i, features.pool, values)
    reasons: list[Reason] = []
    barred = exclusion_reason(model.taxonomy, v, i)
    if barred is not None:
        reasons.append(barred)
    for code, effect in sorted(effects.items(), key=lambda kv: -abs(kv[1])):
        if abs(effect) < _MIN_EFFECT or len(reasons) >= limit:
            continue
        text = words.say(code, effect > 0)
        if text:
            reasons.append(Reason(code, text, "+" if effect > 0 else "-"))
    return reasons


class _Words:
    """Sentences for each reason code, with the numbers a fund manager would check."""

    def __init__(
        self,
        tax: Taxonomy,
        v: VentureRecord,
        i: InvestorRecord,
        pool: InvestorPool,
        values: dict[str, float],
    ) -> None:
        self.tax, self.v, self.i, self.values = tax, v, i, values
        history = pool.history
        self.mine = np.flatnonzero(history.investor_id == i.id)
        self.history = history

    def say(self, code: str, good: bool) -> str:
        method = getattr(self, f"_{code}", None)
        return str(method(good)) if method else ""

    def _sector_fit(self, good: bool) -> str:
        tax, v, i = self.tax, self.v, self.i
        if not i.sectors:
            return "Invests across all sectors"
        if not v.sectors:
            return f"Invests in {_names(tax, list(i.sectors))}; the venture names no sector"
        sim = tax.sectors.similarity
        look = tax.sectors.lookup
        score, vc, mc = max(
            (sim[look("s", a), look("s", b)], a, b) for a in v.sectors for b in i.sectors
        )
        mandate, own = _names(tax, list(i.sectors)), _names(tax, list(v.sectors))
        if not good or score == 0:
            return f"Invests in {mandate}; the venture is in {own}"
        relation = {
            1.0: f"part of {tax.label(mc)}",
            0.7: "a broader sector than its focus",
            0.6: "same sector family",
            0.4: "same broad sector",
        }.get(round(float(score), 1), "")
        if vc == mc:
            return f"Invests in {tax.label(mc)}, the venture's sector"
        return f"Invests in {tax.label(mc)} and the venture is in {tax.label(vc)} ({relation})"

    def _stage_fit(self, good: bool) -> str:
        tax, v, i = self.tax, self.v, self.i
        if not i.stages:
            return "Invests at any stage"
        if good and v.stage in i.stages:
            return f"Invests at {tax.label(v.stage)} stage"
        return f"Invests at {_names(tax, list(i.stages))}; the venture is at {tax.label(v.stage)}"

    def _ticket_fit(self, good: bool) -> str:  # noqa: ARG002 - the numbers say it all
        raise_, low, high = self.v.raise_amount_gbp, self.i.ticket_min_gbp, self.i.ticket_max_gbp
        band = f"the {money(low)}–{money(high)} ticket range"
        if low <= raise_ <= high:
            return f"Raise of {money(raise_)} is within {band}"
        side = "above" if raise_ > high else "below"
        return f"Raise of {money(raise_)} is {side} {band}"

    def _region_fit(self, good: bool) -> str:
        tax, v, i = self.tax, self.v, self.i
        if not i.regions:
            return "Invests in any region"
        if good:
            return (
                f"Invests in {_names(tax, list(i.regions))}, which includes {tax.label(v.region)}"
            )
        return f"Invests in {_names(tax, list(i.regions))}; the venture is in {tax.label(v.region)}"

    def _instrument_fit(self, good: bool) -> str:
        tax, v, i = self.tax, self.v, self.i
        if not i.instruments or not v.instruments:
            return "Open on instrument" if good else ""
        shared = [c for c in v.instruments if c in i.instruments]
        if good:
            return f"Uses {_names(tax, shared)}, which the venture offers"
        theirs, ours = _names(tax, list(i.instruments)), _names(tax, list(v.instruments))
        return f"Uses {theirs}; the venture offers {ours}"

    def _tax_relief_fit(self, good: bool) -> str:
        schemes = [n for n, on in (("SEIS", self.i.seis), ("EIS", self.i.eis)) if on]
        if not schemes:
            return ""
        if good:
            return f"Invests through {' and '.join(schemes)} and the venture qualifies"
        return f"Invests through {' and '.join(schemes)}; the venture has no such eligibility"

    def _institution_fit(self, good: bool) -> str:
        tax, v, i = self.tax, self.v, self.i
        if not i.institutions:
            return ""
        if good and v.institution:
            return f"Prefers spinouts from {tax.label(v.institution)}, the venture's institution"
        return f"Prefers spinouts from {_names(tax, list(i.institutions))}"

    def _text_similarity(self, good: bool) -> str:
        return "Its thesis and the venture's summary describe similar work" if good else ""

    def _share(self, mask: np.ndarray[Any, Any]) -> tuple[int, int]:
        return int(mask[self.mine].sum()), len(self.mine)

    def _track_sector(self, good: bool) -> str:
        tax = self.tax
        tree = tax.sectors
        codes = [tree.lookup("s", c) for c in self.v.sectors]
        if not codes:
            return ""
        below = tree.below[np.array(codes, dtype=np.int64)].any(axis=0)
        hits = np.asarray(self.history.sectors[:, np.flatnonzero(below)].sum(axis=1)).ravel() > 0
        n, total = self._share(hits)
        label = _names(tax, list(self.v.sectors))
        if good:
            return f"Has backed {n} companies in {label} ({n} of {total} past deals)"
        return f"Rarely backs {label}: {n} of {total} past deals" if total else ""

    def _track_stage(self, good: bool) -> str:
        n, total = self._share(self.history.stage == self.tax.stage_index[self.v.stage])
        label = self.tax.label(self.v.stage)
        if good:
            return f"{n} of its {total} past deals were at {label} stage"
        return f"Seldom invests at {label} stage: {n} of {total} past deals" if total else ""

    def _track_region(self, good: bool) -> str:
        tree = self.tax.regions
        here = tree.lookup("region", self.v.region)
        up = int(tree.parent[here]) if tree.parent[here] >= 0 else here
        hits = tree.below[up][np.maximum(self.history.region, 0)] & (self.history.region >= 0)
        n, total = self._share(hits)
        label = self.tax.label(tree.codes[up])
        if good:
            return f"Has backed {n} companies in {label} ({n} of {total} past deals)"
        return f"Few past deals in {label}: {n} of {total}" if total else ""

    def _track_size(self, good: bool) -> str:
        band = int(size_band(self.v.raise_amount_gbp))
        n, total = self._share(size_band(self.history.amount_gbp) == band)
        edges = [0.0, *(10**e for e in SIZE_BAND_EDGES), float("inf")]
        low, high = edges[band], edges[band + 1]
        span = f"over {money(low)}" if high == float("inf") else f"{money(low)}–{money(high)}"
        if good:
            return f"Often joins rounds of {span} ({n} of {total} past deals)"
        return f"Rarely joins rounds of {span}: {n} of {total} past deals" if total else ""

    def _follow_on(self, good: bool) -> str:
        return "Already backed this venture" if good else ""

    def _follow_on_latest(self, good: bool) -> str:
        return "Joined the venture's latest funding round" if good else ""

    def _activity_first(self, good: bool) -> str:
        history = self.history
        first = np.full(int(history.company.max(initial=-1)) + 1, np.iinfo(np.int64).max)
        np.minimum.at(first, history.company, history.day)
        n = int((history.day[self.mine] == first[history.company[self.mine]]).sum())
        if good:
            return f"Often backs companies in their first round: {n} of its {len(self.mine)} deals"
        return ""

    def _co_investors(self, good: bool) -> str:
        return "Has co-invested with the venture's existing backers" if good else ""
