"""How a portfolio row in the Crunchbase 2013 layout becomes our codes and pounds.

The columns are those of `../shared/data/crunchbase-2013/investments.csv`: round_id,
company_name, investor_name, funded_at, amount_usd, funding_round_type, category_code,
country_code, state_code, region, city, company_permalink.

Decisions:
- Money: `amount_usd` is the size of the whole round. It is converted at one fixed rate,
  `USD_TO_GBP` = 0.78 (about the Bank of England's 2024 average of $1.28 to the pound), not the
  rate of the day: the ranker compares deal sizes in log-scale bands, which a few per cent of
  currency movement rarely shifts, and a fixed rate keeps re-uploads identical.
- Stage: `ROUND_TYPES` maps each round type to our stage ladder. `venture` (a round of unknown
  letter) and `other` keep no stage: guessing would teach the ranker a false stage preference.
- Sector: `CATEGORIES` maps each Crunchbase category to our sector codes; categories outside the
  Industrial Strategy's growth sectors (hospitality, sport, pets, …) map to none. A cell may also
  hold our own sector codes directly, separated by ';'.
- Place: a country other than the UK is `outside_uk`; for the UK, a known city (or one of our
  region codes in `region`) gives the area, otherwise `uk`. No country leaves the region empty.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

USD_TO_GBP = Decimal("0.78")

ROUND_TYPES: dict[str, str | None] = {
    "angel": "pre_seed",
    "crowdfunding": "pre_seed",
    "grant": "proof_of_concept",
    "seed": "seed",
    "series-a": "series_a",
    "series-b": "series_b",
    "series-c+": "growth",
    "private-equity": "growth",
    "post-ipo": "growth",
    "venture": None,
    "debt_financing": None,
    "other": None,
}

CATEGORIES: dict[str, tuple[str, ...]] = {
    "software": ("software_saas",),
    "web": ("software_saas",),
    "enterprise": ("software_saas",),
    "mobile": ("software_saas",),
    "ecommerce": ("software_saas",),
    "social": ("software_saas",),
    "messaging": ("software_saas",),
    "travel": ("software_saas",),
    "analytics": ("ai",),
    "search": ("ai",),
    "biotech": ("therapeutics",),
    "medical": ("medtech",),
    "health": ("digital_health",),
    "cleantech": ("clean_energy",),
    "games_video": ("games",),
    "music": ("music_audio",),
    "photo_video": ("screen_media",),
    "news": ("screen_media",),
    "design": ("creative_industries",),
    "fashion": ("creative_industries",),
    "advertising": ("advertising_marketing",),
    "public_relations": ("advertising_marketing",),
    "hardware": ("digital_technologies",),
    "semiconductor": ("semiconductors",),
    "network_hosting": ("advanced_connectivity",),
    "security": ("cyber_security",),
    "finance": ("fintech",),
    "education": ("edtech",),
    "real_estate": ("proptech",),
    "legal": ("legal_tech",),
    "consulting": ("professional_business_services",),
    "manufacturing": ("advanced_manufacturing",),
    "nanotech": ("chemicals_materials",),
    "automotive": ("automotive_ev",),
    "transportation": (),
    "hospitality": (),
    "sports": (),
    "local": (),
    "nonprofit": (),
    "pets": (),
    "government": (),
    "other": (),
}

UK_COUNTRY_CODES = frozenset({"GBR", "GB", "UK"})
UK_CITIES: dict[str, str] = {
    "manchester": "greater_manchester_ca",
    "salford": "greater_manchester_ca",
    "stockport": "greater_manchester_ca",
    "liverpool": "liverpool_city_region_ca",
    "preston": "lancashire_cca",
    "lancaster": "lancashire_cca",
    "leeds": "west_yorkshire_ca",
    "bradford": "west_yorkshire_ca",
    "huddersfield": "west_yorkshire_ca",
    "sheffield": "south_yorkshire_mca",
    "york": "york_north_yorkshire_ca",
    "hull": "hull_east_yorkshire_ca",
    "newcastle": "north_east_ca",
    "newcastle upon tyne": "north_east_ca",
    "sunderland": "north_east_ca",
    "durham": "north_east_ca",
    "middlesbrough": "tees_valley_ca",
    "london": "london",
    "edinburgh": "scotland",
    "glasgow": "scotland",
    "cardiff": "wales",
    "belfast": "northern_ireland",
}


def usd_to_gbp(amount_usd: Decimal) -> int:
    """Whole pounds at the fixed rate."""
    return int((amount_usd * USD_TO_GBP).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def place(country: str, region: str, city: str, region_codes: frozenset[str]) -> str | None:
    """Our region code for a Crunchbase location (see the module docstring)."""
    country = country.strip().upper()
    if not country:
        return region if region in region_codes else None
    if country not in UK_COUNTRY_CODES:
        return "outside_uk"
    if region in region_codes:
        return region
    return UK_CITIES.get(city.strip().lower(), "uk")
