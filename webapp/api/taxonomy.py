"""`GET /api/v1/taxonomy`: the codes every other endpoint accepts."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel

from webapp.services.common.taxonomy import taxonomy_document

api = APIBlueprint("taxonomy", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="reference")])


class SectorOut(BaseModel):
    """A sector; `parent` is null for the eight top-level growth sectors."""

    code: str
    label: str
    parent: str | None


class StageOut(BaseModel):
    """A funding stage; `order` runs from earliest to latest."""

    code: str
    label: str
    order: int
    description: str


class RegionOut(BaseModel):
    """A region or authority area; `northern` marks the North of England."""

    code: str
    label: str
    parent: str | None
    northern: bool


class InstrumentOut(BaseModel):
    """A financing instrument."""

    code: str
    label: str
    description: str


class InvestorTypeOut(BaseModel):
    """A kind of funder."""

    code: str
    label: str


class InstitutionOut(BaseModel):
    """A university, with the region it sits in."""

    code: str
    label: str
    region: str


class TaxonomyOut(BaseModel):
    """Every controlled vocabulary of the API."""

    sectors: list[SectorOut]
    stages: list[StageOut]
    regions: list[RegionOut]
    instruments: list[InstrumentOut]
    investor_types: list[InvestorTypeOut]
    institutions: list[InstitutionOut]


@api.get("/taxonomy", responses={200: TaxonomyOut})
def get_taxonomy() -> tuple[dict[str, list[dict[str, object]]], int]:
    """The reference codes (no auth): sectors, stages, regions, instruments, types, universities."""
    return taxonomy_document(), 200
