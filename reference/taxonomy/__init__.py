"""The controlled vocabularies: sectors, stages, instruments, funders, places, universities."""

from reference.taxonomy.errors import TaxonomyError, UnknownCodeError
from reference.taxonomy.loader import DEFAULT_DIRECTORY, load_reference_data
from reference.taxonomy.model import (
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
