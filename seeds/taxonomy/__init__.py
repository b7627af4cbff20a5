"""The controlled vocabularies: sectors, stages, instruments, funders, places, universities."""

from seeds.taxonomy.errors import TaxonomyError, UnknownCodeError
from seeds.taxonomy.loader import DEFAULT_DIRECTORY, load_reference_data
from seeds.taxonomy.model import (
    Institution,
    Instrument,
    InvestorType,
    ReferenceData,
    Region,
    Sector,
    Stage,
)

__all__ = [
    "DEFAULT_DIRECTORY",
    "Institution",
    "Instrument",
    "InvestorType",
    "ReferenceData",
    "Region",
    "Sector",
    "Stage",
    "TaxonomyError",
    "UnknownCodeError",
    "load_reference_data",
]
