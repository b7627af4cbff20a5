"""Reasons put into words at display time, from their code, their facts and the taxonomy.

A reason is stored as ``{"code", "effect", "facts"}``: the facts are codes and figures (never
labels), so a renamed sector or a new language changes the words and not the stored rows. This
is the one place that words a reason, for a single explained pair and for stored lists alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from matching.taxonomy import Taxonomy

Facts = Mapping[str, Any]


def money(amount: float) -> str:
    """£750k, £1.5m, £2m: how people in the market write amounts."""
    if amount >= 1_000_000:
        text = f"{amount / 1_000_000:.1f}".removesuffix(".0")
        return f"£{text}m"
    if amount >= 1_000:
        return f"£{amount / 1_000:.0f}k"
    return f"£{amount:.0f}"


def names(tax: Taxonomy, codes: Sequence[str], limit: int = 3) -> str:
    """Labels joined the way a sentence lists them: "A, B and C", "A, B, C and 2 more"."""
    if not codes:
        return "none"
    words = [tax.label(c) for c in codes[:limit]]
    if len(codes) > limit:
        return ", ".join(words) + f" and {len(codes) - limit} more"
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def times(n: int) -> str:
    """once, twice, 3 times."""
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def say(tax: Taxonomy, code: str, effect: str, facts: Facts) -> str:
    """The sentence for one reason; an unknown code, or facts it lacks, fall back to its label."""
    speaker = _SPEAKERS.get(code)
    if speaker is None:
        return tax.label(code)
    try:
        return speaker(tax, effect == "+", facts)
    except (KeyError, TypeError, ValueError):  # facts missing (a profile since deleted): no figures
        return tax.label(code)


def worded(tax: Taxonomy, reasons: Sequence[Any]) -> list[dict[str, Any]]:
    """Stored reasons (`[code, effect, facts]` triples) as `{code, text, effect, facts}`.

    Rows written before reasons carried facts hold `{code, text, effect}`; their text is kept.
    """
    out = []
    for item in reasons:
        r: Mapping[str, Any]
        if isinstance(item, Mapping):
            r = item
        else:  # stored as [code, effect, facts]
            r = {"code": item[0], "effect": item[1], "facts": item[2]}
        code, effect = str(r.get("code", "")), str(r.get("effect", "+"))
        facts = r.get("facts")
        if facts is None:
            text = str(r.get("text") or tax.label(code))
            out.append({"code": code, "text": text, "effect": effect, "facts": {}})
            continue
        out.append(
            {"code": code, "text": say(tax, code, effect, facts), "effect": effect, "facts": facts}
        )
    return out


def _excluded_sector(tax: Taxonomy, good: bool, f: Facts) -> str:  # noqa: ARG001
    return (
        f"Does not invest in {tax.label(f['excluded'])}; the venture is in {tax.label(f['sector'])}"
    )


_RELATION = {
    0.7: "a broader sector than its focus",
    0.6: "same sector family",
    0.4: "same broad sector",
}


def _sector_fit(tax: Taxonomy, good: bool, f: Facts) -> str:
    mandate, own = list(f.get("mandate", ())), list(f.get("sectors", ()))
    if not mandate:
        return "Invests across all sectors"
    if not own:
        return f"Invests in {names(tax, mandate)}; the venture names no sector"
    tree = tax.sectors
    known = [c for c in own if c in tree.index], [c for c in mandate if c in tree.index]
    if not known[0] or not known[1]:
        return f"Invests in {names(tax, mandate)}; the venture is in {names(tax, own)}"
    score, vc, mc = max(
        (float(tree.similarity[tree.index[a], tree.index[b]]), a, b)
        for a in known[0]
        for b in known[1]
    )
    if good and score >= 1.0:
        if vc == mc:
            return f"Invests in {tax.label(mc)}, the venture's sector"
        return f"Invests in {tax.label(mc)} and the venture is in {tax.label(vc)} (part of it)"
    relation = _RELATION.get(round(score, 1))
    tail = f" ({relation}, outside its focus)" if relation else ""
    return f"Invests in {names(tax, mandate)}; the venture is in {names(tax, own)}{tail}"


def _stage_fit(tax: Taxonomy, good: bool, f: Facts) -> str:
    stages, stage = list(f.get("stages", ())), str(f["stage"])
    if not stages:
        return "Invests at any stage"
    if good and stage in stages:
        return f"Invests at {tax.label(stage)} stage"
    return f"Invests at {names(tax, stages, 6)}; the venture is at {tax.label(stage)}"


def _ticket_fit(tax: Taxonomy, good: bool, f: Facts) -> str:  # noqa: ARG001
    raise_, low, high = f["raise"], f["min"], f["max"]
    span = f"Tickets {money(low)}–{money(high)}"
    if raise_ > high:
        return f"{span}; the {money(raise_)} raise is above its maximum"
    if raise_ < low:
        return f"{span}; the {money(raise_)} raise is below its minimum"
    return f"{span}; the {money(raise_)} raise is within its range"


def _region_fit(tax: Taxonomy, good: bool, f: Facts) -> str:
    regions, region = list(f.get("regions", ())), str(f["region"])
    if not regions:
        return "Invests in any region"
    only = "only " if f.get("strict") else ""
    if good:
        return f"Invests in {names(tax, regions)}, which includes {tax.label(region)}"
    return f"Invests {only}in {names(tax, regions)}; the venture is in {tax.label(region)}"


def _instrument_fit(tax: Taxonomy, good: bool, f: Facts) -> str:
    uses, offered = list(f.get("uses", ())), list(f.get("offered", ()))
    if not uses or not offered:
        return "Open on instrument"
    shared = [c for c in offered if c in uses]
    if good and shared:
        return f"Uses {names(tax, shared)}, which the venture offers"
    return f"Uses {names(tax, uses)}; the venture offers {names(tax, offered)}"


def _tax_relief_fit(tax: Taxonomy, good: bool, f: Facts) -> str:  # noqa: ARG001
    schemes, venture = list(f.get("schemes", ())), list(f.get("venture", ()))
    wants = " and ".join(schemes) or "SEIS/EIS"
    if good:
        return f"Invests through {wants} and the venture qualifies"
    if venture:
        return f"Invests through {wants}; the venture is eligible for {' and '.join(venture)} only"
    return f"Invests through {wants}; the venture has no SEIS or EIS eligibility"


def _institution_fit(tax: Taxonomy, good: bool, f: Facts) -> str:
    prefers, own = list(f.get("prefers", ())), f.get("institution")
    if not prefers:
        return "No institution preference"
    if good and own:
        return f"Prefers spinouts from {tax.label(own)}, the venture's institution"
    return f"Prefers spinouts from {names(tax, prefers)}"


def _text_similarity(tax: Taxonomy, good: bool, f: Facts) -> str:  # noqa: ARG001
    if good:
        return "Its thesis and the venture's summary describe similar work"
    return "Its thesis describes different work from the venture's summary"


def _deals(f: Facts) -> str:
    return f"{f['deals']} of its {f['of']} past deals"


def _track_sector(tax: Taxonomy, good: bool, f: Facts) -> str:
    label = tax.label(f["sector"])
    return f"Backs {label}: {_deals(f)}" if good else f"Rarely backs {label}: {_deals(f)}"


def _track_stage(tax: Taxonomy, good: bool, f: Facts) -> str:
    label = tax.label(f["stage"])
    if good:
        return f"Often invests at {label} stage: {_deals(f)}"
    return f"Seldom invests at {label} stage: {_deals(f)}"


def _track_region(tax: Taxonomy, good: bool, f: Facts) -> str:
    label = tax.label(f["region"])
    return (
        f"Backs companies in {label}: {_deals(f)}" if good else f"Few deals in {label}: {_deals(f)}"
    )


def _track_size(tax: Taxonomy, good: bool, f: Facts) -> str:  # noqa: ARG001
    low, high = f["low"], f.get("high")
    span = f"over {money(low)}" if high is None else f"{money(low)}–{money(high)}"
    if good:
        return f"Often joins rounds of {span}: {_deals(f)}"
    return f"Rarely joins rounds of {span}: {_deals(f)}"


def _activity_first(tax: Taxonomy, good: bool, f: Facts) -> str:  # noqa: ARG001
    if good:
        return f"Often backs companies in their first round: {_deals(f)}"
    return f"Seldom backs first rounds: {_deals(f)}"


def _follow_on(tax: Taxonomy, good: bool, f: Facts) -> str:  # noqa: ARG001
    return "Already backed this venture" if good else "Has not backed this venture before"


def _follow_on_latest(tax: Taxonomy, good: bool, f: Facts) -> str:  # noqa: ARG001
    return "Joined the venture's latest funding round" if good else "Not in its latest round"


def _co_investors(tax: Taxonomy, good: bool, f: Facts) -> str:  # noqa: ARG001
    partners = list(f.get("with", ()))
    if not good or not partners:
        return "No shared deals with the venture's backers"
    named = [f"{p['name']} {times(int(p['times']))}" for p in partners[:2]]
    more = len(partners) - len(named)
    tail = f" and {more} more of its backers" if more > 0 else ""
    return "Co-invested with " + " and ".join(named) + tail


def _instrument_not_used(tax: Taxonomy, good: bool, f: Facts) -> str:  # noqa: ARG001
    uses, offered = list(f.get("uses", ())), list(f.get("offered", ()))
    return f"Invests only by {names(tax, uses)}; the venture offers {names(tax, offered)}"


def _outside_region(tax: Taxonomy, good: bool, f: Facts) -> str:  # noqa: ARG001
    regions, region = list(f.get("regions", ())), str(f["region"])
    return f"Invests only in {names(tax, regions)}; the venture is in {tax.label(region)}"


_SPEAKERS: dict[str, Callable[[Taxonomy, bool, Facts], str]] = {
    "excluded_sector": _excluded_sector,
    "instrument_not_used": _instrument_not_used,
    "outside_region": _outside_region,
    "sector_fit": _sector_fit,
    "stage_fit": _stage_fit,
    "ticket_fit": _ticket_fit,
    "region_fit": _region_fit,
    "instrument_fit": _instrument_fit,
    "tax_relief_fit": _tax_relief_fit,
    "institution_fit": _institution_fit,
    "text_similarity": _text_similarity,
    "track_sector": _track_sector,
    "track_stage": _track_stage,
    "track_region": _track_region,
    "track_size": _track_size,
    "activity_first": _activity_first,
    "follow_on": _follow_on,
    "follow_on_latest": _follow_on_latest,
    "co_investors": _co_investors,
}
