"""Ventures: spinouts and startups looking for early finance, owned by a founder."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import StrictBool, StrictInt, StringConstraints
from sqlalchemy import BigInteger, Index, Text
from sqlmodel import Field, SQLModel

from webapp.models.bounds import (
    MAX_MONEY_GBP,
    MAX_TEAM_SIZE,
    MAX_TRL,
    MIN_RAISE_GBP,
    MIN_TRL,
    IncorporationDate,
)
from webapp.models.codes import InstitutionCode, InstrumentCode, RegionCode, SectorCode, StageCode
from webapp.models.enums import Visibility
from webapp.models.types import JSONType, UTCDateTime, one_of, utcnow

CompaniesHouseNumber = Annotated[
    str, StringConstraints(pattern=r"^(?:\d{8}|[A-Z]{2}\d{6})$", strip_whitespace=True)
]


class VentureBase(SQLModel):
    """What a founder tells us about the venture; taxonomy codes are checked by the service.

    Numbers and flags are strict ("400000" is not a number): SQLModel validates through
    `__init__` in Python mode, where the API's strict JSON parsing does not reach.
    """

    name: str = Field(min_length=2, max_length=160)
    summary: str = Field(min_length=20, max_length=4000, sa_type=Text)
    sectors: list[SectorCode] = Field(min_length=1, max_length=5, sa_type=JSONType)
    stage: StageCode = Field(max_length=60)
    raise_amount_gbp: StrictInt = Field(ge=MIN_RAISE_GBP, le=MAX_MONEY_GBP, sa_type=BigInteger)
    instruments: list[InstrumentCode] = Field(min_length=1, max_length=5, sa_type=JSONType)
    region: RegionCode = Field(max_length=60, index=True)
    institution: InstitutionCode | None = Field(default=None, max_length=60)
    spinout: StrictBool = False
    incorporated_on: IncorporationDate | None = None
    companies_house_number: CompaniesHouseNumber | None = Field(default=None, max_length=8)
    trl: StrictInt | None = Field(default=None, ge=MIN_TRL, le=MAX_TRL)
    team_size: StrictInt | None = Field(default=None, ge=1, le=MAX_TEAM_SIZE)
    eis: StrictBool = False
    seis: StrictBool = False


class Venture(VentureBase, table=True):
    """A stored venture; only `published` ones are scored and shown to investors."""

    __table_args__ = (
        one_of("visibility", Visibility),
        # Covers the scorers' "which published ventures changed?" read (id and stamp of every
        # published venture) without touching the wide table rows.
        Index("ix_venture_published_stamp", "visibility", "id", "updated_at"),
        # Covers "which published ventures changed since?" (every refill asks) as a range.
        Index("ix_venture_published_since", "visibility", "updated_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    visibility: str = Field(default=Visibility.DRAFT.value, max_length=20, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class VentureCensus(SQLModel, table=True):
    """How many ventures are published and the sum of their ids: one row, kept by database
    triggers on `venture` (migration 0011) in the same transaction as the change.

    Every venture refresh asks both, to learn that a venture left or arrived unseen (a
    deletion leaves no stamp to find); counting them took a scan of every published venture
    per refresh (1.6 ms at 10,000 on SQLite, 3 ms on PostgreSQL). Readers fall back to the
    scan when the row is missing."""

    __tablename__ = "venture_census"

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    published: int = Field(sa_type=BigInteger)
    id_total: int = Field(sa_type=BigInteger)


class VentureCreate(VentureBase):
    """The body of `POST /api/v1/ventures` and the venture form."""

    visibility: Literal["draft", "published"] = "draft"


class VentureUpdate(SQLModel):
    """A partial update: only the fields sent are changed."""

    name: str | None = Field(default=None, min_length=2, max_length=160)
    summary: str | None = Field(default=None, min_length=20, max_length=4000)
    sectors: list[SectorCode] | None = Field(default=None, min_length=1, max_length=5)
    stage: StageCode | None = None
    raise_amount_gbp: StrictInt | None = Field(default=None, ge=MIN_RAISE_GBP, le=MAX_MONEY_GBP)
    instruments: list[InstrumentCode] | None = Field(default=None, min_length=1, max_length=5)
    region: RegionCode | None = None
    institution: InstitutionCode | None = None
    spinout: StrictBool | None = None
    incorporated_on: IncorporationDate | None = None
    companies_house_number: CompaniesHouseNumber | None = None
    trl: StrictInt | None = Field(default=None, ge=MIN_TRL, le=MAX_TRL)
    team_size: StrictInt | None = Field(default=None, ge=1, le=MAX_TEAM_SIZE)
    eis: StrictBool | None = None
    seis: StrictBool | None = None
    visibility: Literal["draft", "published", "closed"] | None = None


class VenturePublic(VentureBase):
    """A venture as the API returns it."""

    id: int
    owner_id: int
    visibility: str
    created_at: datetime
    updated_at: datetime
