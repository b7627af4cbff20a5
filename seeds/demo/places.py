"""Where demo ventures and investors are: weights over regions and universities, and place names
for prose."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from reference.taxonomy import Institution, ReferenceData

NORTHERN_REGIONS = ("north_east", "north_west", "yorkshire_humber")

# Rough shares of startup activity across the North's combined / strategic authority areas.
NORTHERN_AREA_WEIGHTS: dict[str, float] = {
    "greater_manchester_ca": 0.20,
    "west_yorkshire_ca": 0.15,
    "north_east_ca": 0.13,
    "liverpool_city_region_ca": 0.10,
    "south_yorkshire_mca": 0.08,
    "lancashire_cca": 0.07,
    "cheshire_warrington": 0.06,
    "york_north_yorkshire_ca": 0.06,
    "tees_valley_ca": 0.04,
    "hull_east_yorkshire_ca": 0.04,
    "cumbria": 0.03,
    "northern_lincolnshire": 0.02,
}
# Everywhere else a venture on a Northern platform might be.
OTHER_AREA_WEIGHTS: dict[str, float] = {
    "london": 0.33,
    "south_east": 0.14,
    "east_of_england": 0.12,
    "west_midlands": 0.10,
    "east_midlands": 0.06,
    "greater_lincolnshire": 0.02,
    "south_west": 0.07,
    "scotland": 0.08,
    "wales": 0.03,
    "northern_ireland": 0.02,
    "outside_uk": 0.03,
}
RESEARCH_INTENSIVE_WEIGHT = 5.0  # a research-heavy university spins out this many times more

_AUTHORITY_SUFFIX = re.compile(
    r"\s*(\(.*\)|Mayoral Combined Authority|Combined County Authority|Combined Authority)\s*$"
)


@dataclass(frozen=True)
class Places:
    """Weighted choices over the reference regions and universities."""

    reference: ReferenceData

    def northern_area(self, rng: random.Random) -> str:
        """A Northern combined / strategic authority area, weighted by startup activity."""
        return _weighted(rng, NORTHERN_AREA_WEIGHTS)

    def other_area(self, rng: random.Random) -> str:
        """A region outside the North (or outside the UK)."""
        return _weighted(rng, OTHER_AREA_WEIGHTS)

    def spinout_institution(self, rng: random.Random) -> Institution:
        """A university, research-intensive ones more often: that is where spinouts come from."""
        institutions = self.reference.institutions
        weights = [RESEARCH_INTENSIVE_WEIGHT if i.research_intensive else 1.0 for i in institutions]
        return rng.choices(institutions, weights)[0]

    def institutions_in(self, region: str) -> tuple[Institution, ...]:
        """Universities inside a region (at any depth)."""
        inside = self.reference.region_descendants(region)
        return tuple(i for i in self.reference.institutions if i.region in inside)

    def region_of_area(self, area: str) -> str:
        """The ITL1 region an area belongs to (the area itself if it is a region)."""
        return self.reference.itl1_region(area)

    def place_name(self, region: str) -> str:
        """How a person would name the place in a sentence ("Greater Manchester")."""
        label = self.reference.region_by_code[region].label
        name = _AUTHORITY_SUFFIX.sub("", label)
        return f"the {name}" if name in {"North East", "North West", "South East"} else name


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(tuple(weights), tuple(weights.values()))[0]
