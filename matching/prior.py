"""Hand-set weights a fund manager can read: the model before (and beneath) any learning."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matching.config import FEATURES

# Log-odds per unit of each feature. Mandate fits (0–1) dominate: an investor whose stated
# mandate covers the venture is the match people expect. Track-record lifts (log ratios, ≈ −3…3)
# and first-round activity (log deal counts) refine within the mandate. A follow-on is a strong
# signal, the more so from the venture's latest round.
PRIOR_WEIGHTS: dict[str, float] = {
    "sector_fit": 2.5,
    "stage_fit": 1.5,
    "ticket_fit": 1.5,
    "region_fit": 1.0,
    "instrument_fit": 0.5,
    "tax_relief_fit": 0.5,
    "institution_fit": 0.5,
    "text_similarity": 2.0,
    "track_sector": 0.3,
    "track_sector_family": 0.1,
    "track_stage": 0.2,
    "track_region": 0.2,
    "track_region_broad": 0.1,
    "track_size": 0.2,
    "activity_first": 0.1,
    "follow_on": 1.5,
    "follow_on_latest": 0.5,
    "co_investors": 0.3,
    # Interactions only correct learned weights for seasoned ventures and backers: no opinion.
    "seasoned_track_sector": 0.0,
    "seasoned_track_sector_family": 0.0,
    "seasoned_track_region_broad": 0.0,
    "seasoned_activity_first": 0.0,
    "seasoned_co_investors": 0.0,
    "backer_track_sector": 0.0,
    "backer_track_region": 0.0,
    "backer_deal_count": 0.0,
    "backer_last_active": 0.0,
}
# A pair that fits every mandate test (≈ 8 log-odds of fit) scores ≈ 0.85; half fits ≈ 0.1.
PRIOR_INTERCEPT = -6.5

# Where a feature stops counting for or against a pair, when explaining it.
NEUTRAL: dict[str, float] = {
    "sector_fit": 0.5,
    "stage_fit": 0.5,
    "ticket_fit": 0.5,
    "region_fit": 0.5,
    "instrument_fit": 0.5,
    "tax_relief_fit": 0.5,
    "institution_fit": 0.5,
    "text_similarity": 0.05,
    "follow_on": 0.0,
    "follow_on_latest": 0.0,
    "co_investors": 0.0,
}


def prior_vector() -> npt.NDArray[np.float64]:
    """PRIOR_WEIGHTS in FEATURES order."""
    return np.array([PRIOR_WEIGHTS[name] for name in FEATURES], dtype=np.float64)
