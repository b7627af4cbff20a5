"""Programmes (an accelerator cohort, a fund's pipeline) that staff run and report on, and the
two grants that decide what a staff account sees: programme membership and platform access."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from webapp.models.enums import EnrolmentRequestStatus
from webapp.models.types import UTCDateTime, one_of, utcnow


class Programme(SQLModel, table=True):
    """A named group of ventures; staff assigned to it see only its ventures' details."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=160, unique=True)
    description: str = Field(default="", max_length=4000, sa_type=Text)
    created_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ProgrammeVenture(SQLModel, table=True):
    """A venture enrolled in a programme."""

    __tablename__ = "programme_venture"

    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE", primary_key=True)
    venture_id: int = Field(
        foreign_key="venture.id", ondelete="CASCADE", primary_key=True, index=True
    )
    enrolled_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ProgrammeMember(SQLModel, table=True):
    """A staff user assigned to a programme."""

    __tablename__ = "programme_member"

    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE", primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", primary_key=True, index=True)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class PlatformStaff(SQLModel, table=True):
    """A staff account an admin allowed to see the whole platform, not only its programmes.

    A row, not a missing membership: a staff account with no programme sees nothing, so losing
    a programme can never widen what someone sees.
    """

    __tablename__ = "platform_staff"

    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", primary_key=True)
    granted_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class EnrolmentRequest(SQLModel, table=True):
    """Staff asking a founder to let an unpublished venture into a programme.

    One row per programme and venture: asking again after a decline is refused, so consent
    once refused is not worn down.
    """

    __tablename__ = "enrolment_request"
    __table_args__ = (
        UniqueConstraint("programme_id", "venture_id"),
        one_of("status", EnrolmentRequestStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE")
    venture_id: int = Field(foreign_key="venture.id", ondelete="CASCADE", index=True)
    requested_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    status: str = Field(default=EnrolmentRequestStatus.PENDING.value, max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
