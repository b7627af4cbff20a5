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
    "activity_first",
    "follow_on",
    "follow_on_latest",
    "co_investors",
    # Interactions: a venture with a funding history ("seasoned") and an investor who already
    # backed it are different questions from a first round, so some weights differ there.
    "seasoned_track_sector",
    "seasoned_track_sector_family",
    "seasoned_track_region_broad",
    "seasoned_activity_first",
    "seasoned_co_investors",
    "backer_track_sector",
    "backer_track_region",
    "backer_deal_count",
    "backer_last_active",
)

# What each feature means, in words for people (the model card lists weights by these).
FEATURE_LABELS: dict[str, str] = {
    "sector_fit": "Venture's sector is in the investor's mandate",
    "stage_fit": "Venture's stage is in the investor's mandate",
    "ticket_fit": "Raise is within the investor's ticket range",
    "region_fit": "Venture's region is in the investor's mandate",
    "instrument_fit": "Investor uses an instrument the venture offers",
    "tax_relief_fit": "SEIS/EIS eligibility matches what the investor looks for",
    "institution_fit": "Spinout from a university the investor prefers",
    "text_similarity": "Investor's thesis and venture's summary use similar words",
    "track_sector": "Investor has backed the venture's sector more than most",
    "track_sector_family": "Investor has backed the venture's wider sector family more than most",
    "track_stage": "Investor has backed the venture's stage more than most",
    "track_region": "Investor has backed companies in the venture's area more than most",
    "track_region_broad": "Investor has backed companies in the venture's wider region",
    "track_size": "Investor often joins rounds of this size",
    "activity_first": "Investor often backs companies in their first round",
    "follow_on": "Investor already backed this venture",
    "follow_on_latest": "Investor joined this venture's latest round",
    "co_investors": "Investor has co-invested with the venture's existing backers",
    "seasoned_track_sector": "Sector track record, again for a venture that has raised before",
    "seasoned_track_sector_family": "Sector-family track record, again for a venture that has "
    "raised before",
    "seasoned_track_region_broad": "Wider-region track record, again for a venture that has "
    "raised before",
    "seasoned_activity_first": "First-round activity, again for a venture that has raised before",
    "seasoned_co_investors": "Co-investment with existing backers, again for a venture that has "
    "raised before",
    "backer_track_sector": "Sector track record, again for an investor that already backed the "
    "venture",
    "backer_track_region": "Area track record, again for an investor that already backed the "
    "venture",
    "backer_deal_count": "Investor that already backed the venture and makes many deals",
    "backer_last_active": "Investor that already backed the venture and invested recently",
}
# Interaction features: name → (the feature it scales, the pair condition it is gated by).
INTERACTIONS: dict[str, tuple[str, str]] = {
    "seasoned_track_sector": ("track_sector", "seasoned"),
    "seasoned_track_sector_family": ("track_sector_family", "seasoned"),
    "seasoned_track_region_broad": ("track_region_broad", "seasoned"),
    "seasoned_activity_first": ("activity_first", "seasoned"),
    "seasoned_co_investors": ("co_investors", "seasoned"),
    "backer_track_sector": ("track_sector", "backer"),
    "backer_track_region": ("track_region", "backer"),
    "backer_deal_count": ("deal_count", "backer"),
    "backer_last_active": ("last_active", "backer"),
}

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
    "activity_first": ("activity_first",),
    "follow_on": ("follow_on", "follow_on_latest"),
    "follow_on_latest": ("follow_on_latest",),
    "co_investors": ("co_investors",),
    "seasoned": tuple(n for n in FEATURES if n.startswith("seasoned_")),
    "backer": tuple(n for n in FEATURES if n.startswith("backer_")),
}

# log10(GBP) edges of the size bands used by the track record (≈ £30k, £100k, … £30m).
SIZE_BAND_EDGES: tuple[float, ...] = (4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5)


# Every default below is the product's setting AND the one `python -m matching.evaluate`
# measures: they were chosen on validation years of real history (bench/RESULTS.md, Matching),
# never on the test year. Change them only with new validation figures.


@dataclass(frozen=True)
class FeatureConfig:
    """Constants of the features; chosen by validation inside the training years."""

    half_life_days: float = 365.0  # recency weight of a past deal in the track record
    last_active_half_life_days: float = 180.0  # "invested recently": 0.5 ** (days since / this)
    smoothing: float = 16.0  # pseudo-deals pulling an investor's shares to the market's
    generalist_fit: float = 0.75  # sector fit of an investor that names no sectors (any)
    ticket_decades_to_zero: float = 1.0  # a raise 10× outside the ticket range fits 0
    stage_steps_to_zero: float = 3.0  # stages away from the investor's range at which fit is 0
    disabled: tuple[str, ...] = ()  # features held at 0 (ablation studies); none in the product

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for artefacts."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureConfig:
        """Inverse of `to_dict`, ignoring unknown keys from other versions."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "disabled" in values:
            values["disabled"] = tuple(values["disabled"])
        return cls(**values)


@dataclass(frozen=True)
class TrainingConfig:
    """How `train_model` turns outcomes and past rounds into weights; validated like the above.

    Labels come from time windows of `window_days`, each with features from the history
    before it (no leakage). The served model is fitted on the newest `label_windows` windows;
    its quality is measured by a fit on the `label_windows` windows before the newest, scored
    on the newest (the holdout), next to the prior and the active model on the same rows.
    """

    window_days: int = 365
    label_windows: int = 1  # one year of labels: older years described a different market
    negatives: int = 100  # investors sampled per ranking question as "not chosen"
    prior_strength: float = 5.0  # pseudo-observations holding the weights near the prior

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for artefacts and results files."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingConfig:
        """Inverse of `to_dict`, ignoring unknown keys from other versions."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
