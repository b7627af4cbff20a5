"""Ventures: spinouts and startups looking for early finance, owned by a founder."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import StringConstraints
from sqlalchemy import BigInteger, Text
from sqlmodel import Field, SQLModel

from webapp.models.enums import Visibility
from webapp.models.types import JSONType, UTCDateTime, one_of, utcnow

MAX_RAISE_GBP = 5_000_000_000
Code = Annotated[str, StringConstraints(min_length=1, max_length=60, strip_whitespace=True)]
CompaniesHouseNumber = Annotated[
    str, StringConstraints(pattern=r"^(?:\d{8}|[A-Z]{2}\d{6})$", strip_whitespace=True)
]


class VentureBase(SQLModel):
    """What a founder tells us about the venture; taxonomy codes are checked by the service."""

    name: str = Field(min_length=2, max_length=160)
    summary: str = Field(min_length=20, max_length=4000, sa_type=Text)
    sectors: list[Code] = Field(min_length=1, max_length=5, sa_type=JSONType)
    stage: Code = Field(max_length=60)
    raise_amount_gbp: int = Field(ge=1_000, le=MAX_RAISE_GBP, sa_type=BigInteger)
    instruments: list[Code] = Field(min_length=1, max_length=5, sa_type=JSONType)
    region: Code = Field(max_length=60, index=True)
    institution: Code | None = Field(default=None, max_length=60)
    spinout: bool = False
    incorporated_on: date | None = None
    companies_house_number: CompaniesHouseNumber | None = Field(default=None, max_length=8)
    trl: int | None = Field(default=None, ge=1, le=9)
    team_size: int | None = Field(default=None, ge=1, le=100_000)
    eis: bool = False
    seis: bool = False


class Venture(VentureBase, table=True):
    """A stored venture; only `published` ones are scored and shown to investors."""

    __table_args__ = (one_of("visibility", Visibility),)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    visibility: str = Field(default=Visibility.DRAFT.value, max_length=20, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class VentureCreate(VentureBase):
    """The body of `POST /api/v1/ventures` and the venture form."""

    visibility: Literal["draft", "published"] = "draft"


class VentureUpdate(SQLModel):
    """A partial update: only the fields sent are changed."""

    name: str | None = Field(default=None, min_length=2, max_length=160)
    summary: str | None = Field(default=None, min_length=20, max_length=4000)
    sectors: list[Code] | None = Field(default=None, min_length=1, max_length=5)
    stage: Code | None = None
    raise_amount_gbp: int | None = Field(default=None, ge=1_000, le=MAX_RAISE_GBP)
    instruments: list[Code] | None = Field(default=None, min_length=1, max_length=5)
    region: Code | None = None
    institution: Code | None = None
    spinout: bool | None = None
    incorporated_on: date | None = None
    companies_house_number: CompaniesHouseNumber | None = None
    trl: int | None = Field(default=None, ge=1, le=9)
    team_size: int | None = Field(default=None, ge=1, le=100_000)
    eis: bool | None = None
    seis: bool | None = None
    visibility: Literal["draft", "published", "closed"] | None = None


class VenturePublic(VentureBase):
    """A venture as the API returns it."""

    id: int
    owner_id: int
    visibility: str
    created_at: datetime
    updated_at: datetime
