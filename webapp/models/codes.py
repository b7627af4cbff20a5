"""Taxonomy codes as field types whose JSON schema lists every code.

The enums in /api/openapi.json come from here, read from the seed taxonomy (`reference/taxonomy`,
the one source), so a client or a fuzzer can build valid requests from the document alone.
Validation itself stays with the services (`check_codes`): their 422 names the field and says
where the codes are listed, which a bare "not one of 180 values" would not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import StringConstraints, WithJsonSchema

from reference.taxonomy import load_reference_data

_TAXONOMY = load_reference_data()
_CODE = StringConstraints(min_length=1, max_length=60, strip_whitespace=True)


def _listing(codes: Iterable[str], what: str) -> WithJsonSchema:
    schema: dict[str, Any] = {
        "type": "string",
        "enum": list(codes),
        "description": f"A {what} code from GET /api/v1/taxonomy",
    }
    return WithJsonSchema(schema)


# In the taxonomy's own order (stages in ladder order, sectors under their parents).
SectorCode = Annotated[str, _CODE, _listing((s.code for s in _TAXONOMY.sectors), "sector")]
StageCode = Annotated[str, _CODE, _listing((s.code for s in _TAXONOMY.stages), "stage")]
RegionCode = Annotated[str, _CODE, _listing((r.code for r in _TAXONOMY.regions), "region")]
InstrumentCode = Annotated[
    str, _CODE, _listing((i.code for i in _TAXONOMY.instruments), "instrument")
]
InvestorTypeCode = Annotated[
    str, _CODE, _listing((t.code for t in _TAXONOMY.investor_types), "investor type")
]
InstitutionCode = Annotated[
    str, _CODE, _listing((i.code for i in _TAXONOMY.institutions), "institution")
]
