"""The packaged taxonomy files load and say what the product promises about them."""

from __future__ import annotations

import pytest

from reference.taxonomy import (
    DEFAULT_DIRECTORY,
    ReferenceData,
    UnknownCodeError,
    load_reference_data,
)

GROWTH_SECTORS = {
    "advanced_manufacturing",
    "clean_energy",
    "creative_industries",
    "defence",
    "digital_technologies",
    "financial_services",
    "life_sciences",
    "professional_business_services",
}


def test_default_load_is_cached() -> None:
    assert load_reference_data() is load_reference_data()


def test_loading_the_packaged_directory_explicitly_gives_equal_data(
    reference: ReferenceData,
) -> None:
    assert load_reference_data(DEFAULT_DIRECTORY) == reference


def test_every_file_names_its_source() -> None:
    for path in sorted(DEFAULT_DIRECTORY.glob("*.csv")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# source: "), path.name


def test_top_level_sectors_are_the_eight_growth_sectors(reference: ReferenceData) -> None:
    top = {s.code for s in reference.sectors if s.parent is None}
    assert top == GROWTH_SECTORS
    assert 40 <= len(reference.sectors) <= 70


@pytest.mark.parametrize(
    "code",
    [
        "ai",
        "cyber_security",
        "quantum",
        "semiconductors",
        "space",
        "engineering_biology",
        "offshore_wind",
        "hydrogen",
        "nuclear",
        "ccus",
        "medtech",
        "diagnostics",
        "digital_health",
        "games",
        "fintech",
        "agritech",
    ],
)
def test_sub_sectors_that_matter_to_the_north_are_present(
    reference: ReferenceData, code: str
) -> None:
    assert code in reference.sector_codes
    assert reference.sector_ancestors(code)[-1] in GROWTH_SECTORS


def test_sector_descendants_include_the_sector_and_grandchildren(reference: ReferenceData) -> None:
    below = reference.sector_descendants("life_sciences")
    assert {"life_sciences", "therapeutics", "advanced_therapies"} <= below
    assert "fintech" not in below
    assert reference.sector_descendants("fusion") == {"fusion"}


def test_stages_are_ordered_from_proof_of_concept_to_growth(reference: ReferenceData) -> None:
    assert [s.code for s in reference.stages] == [
        "proof_of_concept",
        "pre_seed",
        "seed",
        "series_a",
        "series_b",
        "growth",
    ]
    assert reference.stage_order["seed"] < reference.stage_order["series_a"]


def test_instruments_and_investor_types(reference: ReferenceData) -> None:
    assert reference.instrument_codes == {
        "equity",
        "convertible",
        "grant",
        "loan",
        "revenue_based_finance",
    }
    assert {"angel", "university_fund", "pension_fund", "grant_body"} <= (
        reference.investor_type_codes
    )


def test_the_three_northern_regions_and_their_areas_are_northern(reference: ReferenceData) -> None:
    northern_regions = {"north_east", "north_west", "yorkshire_humber"}
    for region in reference.regions:
        inside_north = any(reference.region_is_within(region.code, n) for n in northern_regions)
        assert region.northern == inside_north, region.code
    assert reference.region_is_within("tees_valley_ca", "north_east")
    assert reference.region_is_within("greater_manchester_ca", "uk")
    assert not reference.region_is_within("london", "north_west")
    assert not reference.is_northern("outside_uk")
    assert reference.region_ancestors("outside_uk") == ("outside_uk",)


def test_region_descendants_cover_combined_authorities(reference: ReferenceData) -> None:
    assert {"yorkshire_humber", "west_yorkshire_ca", "hull_east_yorkshire_ca"} <= (
        reference.region_descendants("yorkshire_humber")
    )


def test_institutions_sit_in_specific_northern_areas(reference: ReferenceData) -> None:
    assert len(reference.institutions) >= 25
    for institution in reference.institutions:
        assert reference.is_northern(institution.region), institution.code
        assert not reference.region_descendants(institution.region) - {institution.region}
    research = {i.code for i in reference.institutions if i.research_intensive}
    assert research == {
        "durham",
        "lancaster",
        "leeds",
        "liverpool",
        "manchester",
        "newcastle",
        "sheffield",
        "york",
    }


@pytest.mark.parametrize(
    "call",
    [
        lambda r: r.sector_descendants("basket_weaving"),
        lambda r: r.sector_ancestors("basket_weaving"),
        lambda r: r.region_descendants("atlantis"),
        lambda r: r.region_is_within("leeds", "atlantis"),
        lambda r: r.region_is_within("atlantis", "uk"),
        lambda r: r.is_northern("atlantis"),
    ],
)
def test_unknown_codes_raise_with_the_code_named(reference: ReferenceData, call) -> None:
    with pytest.raises(UnknownCodeError, match=r"unknown (sector|region) code"):
        call(reference)
