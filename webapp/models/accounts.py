"""People, organisations and the credentials they sign in with."""

from __future__ import annotations

from datetime import datetime

from pydantic import EmailStr
from sqlmodel import Field, SQLModel

from webapp.models.enums import (
    EmailFrequency,
    ListView,
    OneTimeTokenPurpose,
    OrganisationKind,
    Role,
)
from webapp.models.types import UTCDateTime, one_of, utcnow


class Organisation(SQLModel, table=True):
    """An investor firm or a programme body; investor users share its profile."""

    __table_args__ = (one_of("kind", OrganisationKind),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    kind: str = Field(default=OrganisationKind.INVESTOR.value, max_length=20)
    website: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class UserBase(SQLModel):
    """Fields a person may see about themselves."""

    email: EmailStr = Field(max_length=254, unique=True, index=True)
    name: str = Field(min_length=1, max_length=120)


class User(UserBase, table=True):
    """An account; the email is stored lower-cased so uniqueness ignores case."""

    __table_args__ = (
        one_of("role", Role),
        one_of("email_frequency", EmailFrequency),
        one_of("list_view", ListView),
    )

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=20)
    active: bool = Field(default=True)
    phone: str | None = Field(default=None, max_length=40)
    organisation_id: int | None = Field(
        default=None, foreign_key="organisation.id", ondelete="SET NULL", index=True
    )
    email_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    email_frequency: str = Field(default=EmailFrequency.INSTANT.value, max_length=10)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The layout of ranked lists this person last chose; remembered across devices.
    list_view: str = Field(
        default=ListView.FULL.value,
        max_length=10,
        sa_column_kwargs={"server_default": ListView.FULL.value},
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class UserPublic(UserBase):
    """What `GET /api/v1/me` returns."""

    id: int
    role: str


class ApiToken(SQLModel, table=True):
    """A bearer token for the API; only its SHA-256 is stored, so a leaked table grants nothing."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    name: str = Field(default="api", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserSession(SQLModel, table=True):
    """A browser sign-in, held server-side so sign-out and deactivation end it at once."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ip: str | None = Field(default=None, max_length=45)
    user_agent: str | None = Field(default=None, max_length=300)


class OneTimeToken(SQLModel, table=True):
    """A single-use, expiring link token (email verification, password reset); stored hashed."""

    __tablename__ = "one_time_token"
    __table_args__ = (one_of("purpose", OneTimeTokenPurpose),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    purpose: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
