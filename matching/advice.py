"""Advice for founders: checked "what would widen your match" hints, and syndicates."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from matching import mandate
from matching.frames import VentureFrame
from matching.pool import InvestorPool
from matching.records import Hint, Syndicate, VentureRecord, coerce
from matching.taxonomy import Taxonomy
from matching.wording import money

if TYPE_CHECKING:
    from matching.model import MatchModel

B = npt.NDArray[np.bool_]
_STRETCH = 3.0


def mandate_fits(
    model: MatchModel,
    variants: list[VentureRecord],
    pool: InvestorPool,
    *,
    ticket: mandate.Ticket = "whole",
) -> B:
    """Variants × investors: True where every rule of `matching.mandate` passes."""
    # Variants of one venture share its id; the mandate rules never look at ids.
    numbered = [dataclasses.replace(v, id=n) for n, v in enumerate(variants)]
    frame = VentureFrame.from_records(numbered, model.taxonomy)
    return np.asarray(mandate.check(frame, pool.frame).fits(ticket), dtype=np.bool_)


def hint_text(tax: Taxonomy, code: str, change: Mapping[str, Any], venture: VentureRecord) -> str:
    """The change in words, with labels from the taxonomy (never codes)."""
    if code == "raise_amount":
        amount = change["raise_amount_gbp"]
        return f"Raising {money(amount)} instead of {money(venture.raise_amount_gbp)}"
    if code == "add_instrument":
        added = [c for c in change["instruments"] if c not in venture.instruments]
        return f"Adding {tax.label(added[0])} as an instrument"
    scheme = "SEIS" if code == "seis_eligible" else "EIS"
    return f"Getting {scheme} advance assurance"


def hint_sentence(
    tax: Taxonomy, code: str, change: Mapping[str, Any], venture: VentureRecord, added: int
) -> str:
    """A whole hint: the change and how many more investors it fits."""
    plural = "investor" if added == 1 else "investors"
    return f"{hint_text(tax, code, change, venture)} fits {added} more {plural}"


def _raise_candidates(v: VentureRecord, pool: InvestorPool) -> list[int]:
    """Raises at the ticket limits of investors the current raise misses, nearest first."""
    amount, mins, maxs = v.raise_amount_gbp, pool.frame.ticket_min, pool.frame.ticket_max
    # A founder can stretch or trim a round, not rewrite it: stay within a factor of three.
    lows = mins[(mins > amount) & (mins <= amount * _STRETCH)]
    highs = maxs[(maxs < amount) & (maxs >= amount / _STRETCH)]
    values = {int(x) for x in np.concatenate([lows, highs])}
    return sorted(values, key=lambda x: abs(np.log(x / v.raise_amount_gbp)))[:64]


def widen_hints(
    model: MatchModel, venture: VentureRecord | Mapping[str, Any], pool: InvestorPool, limit: int
) -> list[Hint]:
    """Try each single change, re-run the fit test, and keep those that add investors."""
    v = coerce(VentureRecord, venture)
    tax = model.taxonomy
    changes: list[tuple[str, str, dict[str, Any], VentureRecord]] = []
    for amount in _raise_candidates(v, pool):
        change: dict[str, Any] = {"raise_amount_gbp": amount}
        changes.append(("raise_amount", "", change, dataclasses.replace(v, **change)))
    if v.instruments:
        for code in tax.instruments:
            if code not in v.instruments:
                change = {"instruments": (*v.instruments, code)}
                changes.append(("add_instrument", "", change, dataclasses.replace(v, **change)))
    for flag in ("seis", "eis"):
        if not getattr(v, flag):
            change = {flag: True}
            changes.append((f"{flag}_eligible", "", change, dataclasses.replace(v, **change)))
    if not changes:
        return []
    fits = mandate_fits(model, [v, *(c[3] for c in changes)], pool)
    base, ids = fits[0], pool.frame.ids
    hints: dict[str, Hint] = {}
    for (code, _, change, _), row in zip(changes, fits[1:], strict=True):
        added = tuple(int(x) for x in ids[row & ~base])
        if not added:
            continue
        hint = Hint(code, hint_sentence(tax, code, change, v, len(added)), change, added)
        key = code if code != "raise_amount" else f"raise_{'down' if _down(change, v) else 'up'}"
        if key not in hints or hint.added > hints[key].added:
            hints[key] = hint  # keep the best raise in each direction, not all of them
    return sorted(hints.values(), key=lambda h: -h.added)[:limit]


def _down(change: Mapping[str, Any], v: VentureRecord) -> bool:
    return bool(change["raise_amount_gbp"] < v.raise_amount_gbp)


def propose_syndicates(
    model: MatchModel,
    venture: VentureRecord | Mapping[str, Any],
    pool: InvestorPool,
    max_members: int,
    limit: int,
) -> list[Syndicate]:
    """A lead plus co-investors whose ticket maxima cover the raise, best combined fit first.

    Only when no investor that fits the mandate can write the whole ticket alone. Candidates
    fit every test except the ticket maximum and would put in at least their ticket minimum.
    """
    v = coerce(VentureRecord, venture)
    whole = mandate_fits(model, [v], pool)[0]
    frame = pool.frame
    if (whole & (frame.ticket_max >= v.raise_amount_gbp)).any():
        return []
    fits = mandate_fits(model, [v], pool, ticket="part")[0]
    candidates = np.flatnonzero(fits)
    if len(candidates) < 2 or frame.ticket_max[candidates].sum() < v.raise_amount_gbp:
        return []
    scores = model.score_pairs([v], pool).scores[0]
    order = candidates[np.argsort(-np.nan_to_num(scores[candidates], nan=-1.0), kind="stable")]
    found: dict[tuple[int, ...], Syndicate] = {}
    for lead in order[: max(limit * 3, 5)]:
        members = _cover(lead, order, frame.ticket_max, v.raise_amount_gbp, max_members)
        if members is None:
            continue
        key = tuple(sorted(members))
        capacity = int(frame.ticket_max[members].sum())
        combined = float(np.mean(scores[members]))
        found.setdefault(
            key,
            Syndicate(
                int(frame.ids[lead]),
                tuple(int(frame.ids[m]) for m in members[1:]),
                capacity,
                combined,
            ),
        )
    return sorted(found.values(), key=lambda s: -s.score)[:limit]


def _cover(
    lead: int,
    order: npt.NDArray[np.int64],
    ticket_max: npt.NDArray[np.float64],
    amount: float,
    max_members: int,
) -> list[int] | None:
    """Greedy by score, but only take a co-investor if the remaining slots can still cover."""
    members = [int(lead)]
    need = amount - ticket_max[lead]
    rest = [int(i) for i in order if i != lead]
    while need > 0 and len(members) < max_members:
        slots = max_members - len(members)
        biggest = sorted((float(ticket_max[i]) for i in rest), reverse=True)
        pick = None
        for i in rest:  # best score first
            others = list(biggest)
            others.remove(float(ticket_max[i]))
            if ticket_max[i] + sum(others[: slots - 1]) >= need:
                pick = i
                break
        if pick is None:
            return None
        members.append(pick)
        rest.remove(pick)
        need -= ticket_max[pick]
    return members if need <= 0 else None
