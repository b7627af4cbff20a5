"""Ventures that move south after raising: the loss the platform exists to reduce.

Many Northern companies that close a round with a London fund move their head office to the
fund's city soon after. The demo shows some of that, so the staff's North-retention figures
have something to measure: a venture backed by a fund based outside the North moves to the
fund's area with `MOVE_AFTER_RAISE` probability, and its summary says when and why.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

from seeds.demo.places import Places
from seeds.demo.records import DemoIntroduction, DemoInvestor, DemoVenture

MOVE_AFTER_RAISE = 0.4
ABROAD = "outside_uk"


def relocate_after_raising(
    rng: random.Random,
    places: Places,
    ventures: Sequence[DemoVenture],
    investors: Sequence[DemoInvestor],
    introductions: Sequence[DemoIntroduction],
) -> list[DemoVenture]:
    """The ventures, with those that moved south after an investment now based there."""
    reference = places.reference
    moved = list(ventures)
    for intro in introductions:  # oldest first: a venture moves after its first such round
        deal = intro.deal
        venture, fund = moved[intro.venture], investors[intro.investor]
        if deal is None or deal.stage != "invested":
            continue
        if not reference.is_northern(venture.region) or reference.is_northern(fund.hq_region):
            continue
        if fund.hq_region == ABROAD:
            continue  # a move abroad is another story, and not one this figure tells
        if rng.random() >= MOVE_AFTER_RAISE:
            continue
        when = deal.updated_at.strftime("%B %Y")
        story = (
            f" Founded in {places.place_name(venture.region)}, the company moved its head office"
            f" to {places.place_name(fund.hq_region)} in {when}, after raising from {fund.name}."
        )
        moved[intro.venture] = replace(
            venture, region=fund.hq_region, summary=venture.summary + story
        )
    return moved
