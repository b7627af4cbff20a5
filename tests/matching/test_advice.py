"""Founder hints are checked counterfactuals; syndicates cover raises no single ticket can."""

import dataclasses

from matching.advice import mandate_fits
from tests.matching.factories import investor, venture


def test_a_smaller_raise_hint_is_checked_by_rerunning_the_fit(model):
    v = venture(raise_amount_gbp=3_000_000)
    small = [
        investor(id=10 + n, ticket_min_gbp=100_000, ticket_max_gbp=1_500_000) for n in range(9)
    ]
    big = [investor(id=30, ticket_min_gbp=1_000_000, ticket_max_gbp=5_000_000)]
    pool = model.prepare(small + big)
    hints = {h.code: h for h in model.widen_hints(v, pool)}
    hint = hints["raise_amount"]
    assert hint.text == "Raising £1.5m instead of £3m fits 9 more investors"
    assert hint.change == {"raise_amount_gbp": 1_500_000}
    changed = dataclasses.replace(v, raise_amount_gbp=1_500_000)
    fits = mandate_fits(model, [v, changed], pool)
    assert hint.added == int((fits[1] & ~fits[0]).sum())


def test_adding_an_instrument_hint_counts_the_investors_it_lets_in(model):
    v = venture(instruments=("equity",))
    convertible_only = [investor(id=60 + n, instruments=("convertible",)) for n in range(4)]
    hints = {h.code: h for h in model.widen_hints(v, [*convertible_only, investor(id=70)])}
    assert (
        hints["add_instrument"].text == "Adding convertible as an instrument fits 4 more investors"
    )
    assert set(hints["add_instrument"].added_investor_ids) == {60, 61, 62, 63}


def test_no_hint_when_nothing_would_change(model):
    assert model.widen_hints(venture(eis=True, seis=True), [investor()]) == []


def test_syndicate_covers_a_raise_beyond_every_single_ticket(model):
    v = venture(raise_amount_gbp=2_000_000)
    members = [
        investor(id=80, ticket_min_gbp=100_000, ticket_max_gbp=900_000),
        investor(id=81, ticket_min_gbp=100_000, ticket_max_gbp=800_000),
        investor(id=82, ticket_min_gbp=100_000, ticket_max_gbp=600_000),
        investor(id=83, ticket_min_gbp=50_000, ticket_max_gbp=300_000, sectors=("ai",)),
    ]
    syndicates = model.propose_syndicates(v, members)
    assert syndicates
    best = syndicates[0]
    assert best.capacity_gbp >= 2_000_000
    assert len(best.investor_ids) == len(set(best.investor_ids)) <= 4
    scores = [s.score for s in syndicates]
    assert scores == sorted(scores, reverse=True)


def test_no_syndicate_when_one_fitting_investor_can_write_the_whole_ticket(model):
    v = venture(raise_amount_gbp=2_000_000)
    members = [
        investor(id=90, ticket_min_gbp=100_000, ticket_max_gbp=900_000),
        investor(id=91, ticket_min_gbp=100_000, ticket_max_gbp=2_500_000),
    ]
    assert model.propose_syndicates(v, members) == []
