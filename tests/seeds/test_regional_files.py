"""The shipped regional statistics: credited, complete, and placed on the platform's regions."""

from __future__ import annotations

from reference.regional import academic_year, load_regional_statistics
from reference.taxonomy import load_reference_data

README_CREDIT = "Source: HESA HE-BCI, aggregated to NUTS2 by Nesta"


def test_the_credit_line_is_the_one_the_licence_asks_for() -> None:
    assert load_regional_statistics().credit.startswith(README_CREDIT)


def test_five_academic_years_of_figures_for_every_area_with_universities() -> None:
    statistics = load_regional_statistics()
    assert statistics.years == (2014, 2015, 2016, 2017, 2018)
    assert academic_year(2018) == "2018/19"
    assert len(statistics.figures) == 200
    assert {a.code for a in statistics.areas if a.northern} == {
        "UKC1", "UKC2", "UKD1", "UKD3", "UKD4", "UKD6", "UKD7", "UKE1", "UKE2", "UKE3", "UKE4",
    }  # fmt: skip


def test_the_north_drew_about_a_tenth_of_uk_spinoff_investment_in_2018() -> None:
    statistics = load_regional_statistics()
    north = statistics.uk_totals(2018, northern=True).investment_gbp
    uk = statistics.uk_totals(2018).investment_gbp
    assert (north, uk) == (235_816_000, 2_337_100_000)  # the README: £236m of £2.34bn


def test_itl1_regions_add_up_to_the_uk_exactly_every_year() -> None:
    statistics = load_regional_statistics()
    regions = {r.code for r in load_reference_data().itl1_regions}
    assert set(statistics.by_region) == regions
    for year in statistics.years:
        by_region = [statistics.totals("region", code, year) for code in regions]
        uk = statistics.uk_totals(year)
        assert sum(t.investment_gbp or 0 for t in by_region) == uk.investment_gbp
        assert sum(t.graduate_startups or 0 for t in by_region) == uk.graduate_startups
        assert not any(t.approximate for t in by_region)


def test_only_the_split_authority_areas_are_approximate() -> None:
    statistics = load_regional_statistics()
    approximate = {a.area for a in statistics.areas if a.approximate}
    assert approximate == {"tees_valley_ca", "north_east_ca", "hull_east_yorkshire_ca"}
    assert statistics.totals("area", "tees_valley_ca", 2018).approximate
    assert not statistics.totals("area", "greater_manchester_ca", 2018).approximate
    every_note = [a.note for a in statistics.areas if a.approximate]
    assert all("Durham" in note or "Lincolnshire" in note for note in every_note)


def test_every_northern_authority_area_but_one_has_public_figures() -> None:
    statistics = load_regional_statistics()
    reference = load_reference_data()
    areas = {r.code for r in reference.regions if r.northern and r.parent in
             {"north_east", "north_west", "yorkshire_humber"}}  # fmt: skip
    without = {code for code in areas if code not in statistics.by_area}
    assert without == {"northern_lincolnshire"}  # counted inside UKE1, as the README says
