"""Feature names, groups and the tunable constants of the feature builder."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

# Order matters: it is the column order of every feature matrix and of the model's weights.
FEATURES: tuple[str, ...] = (
    "sector_fit",
    "stage_fit",
    "ticket_fit",
    "region_fit",
    "instrument_fit",
    "tax_relief_fit",
    "institution_fit",
    "text_similarity",
    "track_sector",
    "track_sector_family",
    "track_stage",
    "track_region",
    "track_region_broad",
    "track_size",
    "activity",
    "activity_recent",
    "follow_on",
    "co_investors",
)

# Groups removed together in the ablation study.
FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "mandate": (
        "sector_fit",
        "stage_fit",
        "ticket_fit",
        "region_fit",
        "instrument_fit",
        "tax_relief_fit",
        "institution_fit",
    ),
    "text": ("text_similarity",),
    "track_sector": ("track_sector", "track_sector_family"),
    "track_stage": ("track_stage",),
    "track_region": ("track_region", "track_region_broad"),
    "track_size": ("track_size",),
    "activity": ("activity", "activity_recent"),
    "follow_on": ("follow_on",),
    "co_investors": ("co_investors",),
}

# log10(GBP) edges of the size bands used by the track record (≈ £30k, £100k, … £30m).
SIZE_BAND_EDGES: tuple[float, ...] = (4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5)


@dataclass(frozen=True)
class FeatureConfig:
    """Constants of the features; chosen by validation inside the training years."""

    half_life_days: float = 730.0  # recency weight of a past deal in the track record
    recent_half_life_days: float = 120.0  # for `activity_recent`
    smoothing: float = 4.0  # pseudo-deals pulling an investor's shares to the market's
    generalist_fit: float = 0.75  # sector fit of an investor that names no sectors (any)
    ticket_decades_to_zero: float = 1.0  # a raise 10× outside the ticket range fits 0
    stage_steps_to_zero: float = 3.0  # stages away from the investor's range at which fit is 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for artefacts."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureConfig:
        """Inverse of `to_dict`, ignoring unknown keys from other versions."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
