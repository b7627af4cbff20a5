"""The demo shows the North losing some companies and rounds to the south, as the North does."""

from __future__ import annotations

import random

from reference.taxonomy import ReferenceData
from seeds.demo import DemoDataset
from seeds.demo.places import Places
from seeds.demo.relocation import relocate_after_raising


class AlwaysMoves(random.Random):
    """A random stream whose every draw says yes."""

    def random(self) -> float:
        return 0.0


def _northern_fund(reference: ReferenceData, dataset: DemoDataset, index: int) -> bool:
    """The staff retention rule: based in the North, or a mandate that names it."""
    fund = dataset.investors[index]
    return reference.is_northern(fund.hq_region) or any(
        reference.is_northern(r) for r in fund.regions
    )


def test_a_believable_share_of_introductions_and_rounds_goes_south(reference, dataset):
    intros = dataset.introductions
    southern = [i for i in intros if not _northern_fund(reference, dataset, i.investor)]
    assert 0.1 <= len(southern) / len(intros) <= 0.4
    invested = [i for i in intros if i.deal is not None and i.deal.stage == "invested"]
    southern_rounds = [i for i in invested if not _northern_fund(reference, dataset, i.investor)]
    assert 0 < len(southern_rounds) < len(invested) / 2  # the North still backs most rounds


def test_some_ventures_move_to_their_backers_city_after_raising(reference, dataset):
    moved = [v for v in dataset.ventures if "moved its head office" in v.summary]
    assert moved, "the demo should show companies leaving the North after a round"
    for venture in moved:
        assert not reference.is_northern(venture.region)


def test_a_venture_moves_only_after_an_investment_by_a_fund_based_outside_the_north(
    reference, dataset
):
    places = Places(reference)
    before = list(dataset.ventures)
    after = relocate_after_raising(
        AlwaysMoves(), places, before, dataset.investors, dataset.introductions
    )
    backers = {
        i.venture: dataset.investors[i.investor]
        for i in dataset.introductions
        if i.deal is not None
        and i.deal.stage == "invested"
        and not reference.is_northern(dataset.investors[i.investor].hq_region)
    }
    changed = [n for n, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
    assert changed
    for n in changed:
        fund = backers[n]
        assert reference.is_northern(before[n].region)
        assert after[n].region == fund.hq_region
        assert fund.name in after[n].summary
    assert len(after) == len(before)
