"""Explanations read like a fund manager's notes, and exclusions say why."""

from tests.matching.factories import deal, investor, venture


def _texts(reasons):
    return {r.code: r.text for r in reasons}


def test_sibling_sector_is_outside_the_mandate_and_named_as_the_same_family(model):
    v = venture(sectors=("diagnostics",))
    i = investor(sectors=("medtech",))
    reason = {r.code: r for r in model.explain(v, i)}["sector_fit"]
    assert reason.effect == "-"  # a sibling is not inside the stated focus (matching.mandate)
    assert reason.text == (
        "Invests in medtech; the venture is in diagnostics (same sector family, outside its focus)"
    )


def test_a_sub_sector_of_the_mandate_is_inside_it(model):
    v = venture(sectors=("diagnostics",))
    i = investor(sectors=("health",))
    reason = {r.code: r for r in model.explain(v, i)}["sector_fit"]
    assert reason.effect == "+"
    assert reason.text == "Invests in health and the venture is in diagnostics (part of it)"


def test_raise_above_the_ticket_range_is_a_reason_against(model):
    v = venture(raise_amount_gbp=3_000_000)
    i = investor(ticket_min_gbp=250_000, ticket_max_gbp=1_500_000)
    reasons = {r.code: r for r in model.explain(v, i, limit=10)}
    assert reasons["ticket_fit"].text == "Tickets £250k–£1.5m; the £3m raise is above its maximum"
    assert reasons["ticket_fit"].effect == "-"


def test_reasons_for_a_good_fit_are_positive_and_strongest_first(model):
    reasons = model.explain(venture(), investor(), limit=4)
    assert len(reasons) == 4
    assert {r.effect for r in reasons} == {"+"}
    assert reasons[0].code == "sector_fit"


def test_track_record_reason_counts_past_deals(model):
    i = investor(id=31, sectors=())
    own = [deal(31) for _ in range(6)] + [deal(31, sectors=("ai",), region="london")]
    market = [deal(32, sectors=("ai",), region="london") for _ in range(20)]
    history = own + market
    texts = _texts(model.explain(venture(), i, history, limit=10))
    assert texts["track_sector"] == "Backs diagnostics: 6 of its 7 past deals"


def test_excluded_sector_comes_first_with_its_reason(model):
    v = venture(sectors=("biotech",))
    i = investor(excluded_sectors=("health",))
    reason = model.exclusion_reason(v, i)
    assert reason.code == "excluded_sector"
    assert reason.text == "Does not invest in health; the venture is in biotech"
    assert model.explain(v, i)[0] == reason


def test_an_instrument_the_investor_never_uses_excludes(model):
    reason = model.exclusion_reason(venture(instruments=("grant",)), investor())
    assert reason.code == "instrument_not_used"
    assert "the venture offers grant" in reason.text


def test_a_strict_region_mandate_excludes_outsiders_but_not_children(model):
    strict = investor(regions=("england",), regions_strict=True)
    assert model.exclusion_reason(venture(region="north_east"), strict) is None
    reason = model.exclusion_reason(venture(region="scotland"), strict)
    assert reason.code == "outside_region"
    assert reason.text == "Invests only in england; the venture is in scotland"


def test_a_loose_region_mandate_only_lowers_the_score(model):
    loose = investor(regions=("north_east",))
    inside = model.score_pairs([venture(id=1, region="north_east")], [loose]).scores[0, 0]
    outside = model.score_pairs([venture(id=1, region="london")], [loose]).scores[0, 0]
    assert model.exclusion_reason(venture(region="london"), loose) is None
    assert outside < inside


def test_excluded_pairs_never_reach_a_ranking(model):
    barred = investor(id=41, excluded_sectors=("diagnostics",))
    ranked = model.rank_investors_for_venture(venture(), [barred, investor(id=42)], k=5)
    assert [r.id for r in ranked] == [42]


def test_explaining_from_a_cached_pool_gives_the_same_reasons(model):
    i = investor(id=51, sectors=())
    history = [deal(51) for _ in range(4)] + [deal(52, sectors=("ai",)) for _ in range(9)]
    pool = model.prepare([investor(id=52), i], history)
    assert model.explain(venture(), i, pool=pool) == model.explain(venture(), i, history)


def test_co_investment_names_the_partner_and_counts_the_shared_deals(model):
    v = venture(id=900)
    i = investor(id=61, name="Tyne Angels")
    partner = investor(id=62, name="Northern Gritstone")
    history = [
        deal(62, venture_id=900, company_key="venture:900"),
        *(deal(p, company_key=f"shared-{n}") for n in range(2) for p in (61, 62)),
    ]
    pool = model.prepare([i, partner], history)
    reasons = {r.code: r for r in model.explain(v, i, limit=20, pool=pool)}
    assert reasons["co_investors"].text == "Co-invested with Northern Gritstone twice"
    assert reasons["co_investors"].effect == "+"
