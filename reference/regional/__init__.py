"""Public regional statistics on university spin-offs (HESA HE-BCI by NUTS2 area), shipped as
reference data beside the platform's own figures and never mixed into them."""

from reference.regional.loader import DEFAULT_DIRECTORY, load_regional_statistics
from reference.regional.model import (
    APPROXIMATE,
    EXACT,
    Nuts2Area,
    RegionalStatistics,
    SpinoffFigures,
    Totals,
    academic_year,
)

__all__ = [
    "APPROXIMATE",
    "DEFAULT_DIRECTORY",
    "EXACT",
    "Nuts2Area",
    "RegionalStatistics",
    "SpinoffFigures",
    "Totals",
    "academic_year",
    "load_regional_statistics",
]
