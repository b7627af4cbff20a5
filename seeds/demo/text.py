"""Venture summaries and investor theses built from the same sector phrases."""

from __future__ import annotations

import random
from collections.abc import Sequence

from reference.taxonomy import ReferenceData
from seeds.demo import vocabulary as vocab
from seeds.demo.places import Places

_VERBS = ("builds", "develops", "makes", "offers", "designs")
_PASS_NOTES = {
    "outside_mandate": "Outside our mandate, sadly.",
    "too_early": "A bit early for us; keep us posted.",
    "too_late": "Later than we usually invest.",
    "ticket_size": "The round size does not suit our ticket.",
    "sector": "Not a sector we cover.",
    "team": "We would like to see the team grow first.",
    "traction": "We would like to see more traction.",
    "other": "Not for us this time.",
}


def growth_sector(reference: ReferenceData, code: str) -> str:
    """The top-level growth sector a code sits under."""
    return reference.sector_ancestors(code)[-1]


def phrases_for(reference: ReferenceData, code: str) -> tuple[str, ...]:
    """Phrases for a sector; a parent also speaks for its sub-sectors."""
    found: list[str] = []
    for below in sorted(reference.sector_descendants(code)):
        found.extend(vocab.SECTOR_PHRASES[below])
    return tuple(found)


def venture_summary(
    rng: random.Random,
    reference: ReferenceData,
    places: Places,
    *,
    name: str,
    sectors: Sequence[str],
    stage: str,
    region: str,
    institution: str | None,
    spinout: bool,
) -> str:
    """A short pitch naming what the venture does in its sectors' own words."""
    # Two phrases from the main sector, one from another sector if there is one.
    first, second, spare = rng.sample(vocab.SECTOR_PHRASES[sectors[0]], 3)
    others = [p for code in sectors[1:] for p in vocab.SECTOR_PHRASES[code]]
    third = rng.choice(others) if others else spare
    home = growth_sector(reference, sectors[0])
    customer = rng.choice(vocab.CUSTOMERS[home])
    sentences = [
        f"{name} {rng.choice(_VERBS)} {rng.choice(vocab.OFFERINGS)} for {customer} "
        f"built on {first}.",
        f"Our approach combines {second} with {third} to {rng.choice(vocab.BENEFITS[home])}.",
        rng.choice(vocab.TRACTION[stage]),
    ]
    if institution is not None:
        label = reference.institution_by_code[institution].label
        sentences.append(
            f"We are a spinout from {label}." if spinout else f"The founders met at {label}."
        )
    if region == "outside_uk":
        sentences.append("We are based outside the UK and plan a Northern office.")
    else:
        sentences.append(f"We are based in {places.place_name(region)}.")
    return " ".join(sentences)


def investor_thesis(
    rng: random.Random,
    reference: ReferenceData,
    places: Places,
    *,
    investor_type: str,
    sectors: Sequence[str],
    stages: Sequence[str],
    regions: Sequence[str],
    ticket_min_gbp: int,
    ticket_max_gbp: int,
    institutions: Sequence[str],
) -> str:
    """What the investor backs, in the vocabulary ventures use to describe themselves."""
    stage_labels = [_in_sentence(reference.stage_by_code[s].label) for s in stages]
    sentences = [vocab.TYPE_INTROS[investor_type][0]]
    if sectors:
        labels = [_in_sentence(reference.sector_by_code[s].label) for s in sectors]
        pool = [p for code in sectors for p in phrases_for(reference, code)]
        focus = rng.sample(pool, min(3, len(pool)))
        sentences.append(
            f"We back {_join(stage_labels)} companies in {_join(labels)}, "
            f"especially {_join(focus)}."
        )
    else:
        sentences.append(f"We are sector-agnostic and back strong {_join(stage_labels)} teams.")
    if institutions:
        names = [reference.institution_by_code[i].label for i in institutions]
        sentences.append(f"We work closely with {_join(names)} on spinouts.")
    sentences.append(f"We invest in {_join([_place(places, r) for r in regions])}.")
    sentences.append(f"Typical cheques are {_money(ticket_min_gbp)} to {_money(ticket_max_gbp)}.")
    return " ".join(sentences)


def pass_note(reason: str) -> str:
    """A one-line note an investor might leave with a pass."""
    return _PASS_NOTES[reason]


def _in_sentence(label: str) -> str:
    """Lower-case a label's first letter for mid-sentence use, unless it starts an acronym
    or a name ("AI", "Series A")."""
    if label[:2].isupper() or label.startswith("Series"):
        return label
    return label[0].lower() + label[1:]


def _place(places: Places, region: str) -> str:
    if region == "uk":
        return "the whole of the UK"
    return places.place_name(region)


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _money(amount: int) -> str:
    if amount >= 1_000_000:
        return f"£{amount / 1_000_000:g}m"
    return f"£{amount // 1_000:,}k"
