"""Investor feedback, double opt-in introductions and the deals they open."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from webapp.models.enums import (
    CLOSED_DEAL_STAGES,
    DealClosedReason,
    DealStage,
    FeedbackAction,
    IntroductionStatus,
    PassReason,
    Role,
)
from webapp.models.types import UTCDateTime, one_of, utcnow

_CLOSED = ", ".join(f"'{stage.value}'" for stage in sorted(CLOSED_DEAL_STAGES))


class Feedback(SQLModel, table=True):
    """An investor's latest verdict on a venture; a pass takes it off the list at once."""

    __table_args__ = (
        UniqueConstraint("investor_id", "venture_id"),
        one_of("action", FeedbackAction),
        one_of("reason", PassReason, name="reason_valid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    investor_id: int = Field(foreign_key="investor_profile.id", ondelete="CASCADE", index=True)
    venture_id: int = Field(foreign_key="venture.id", ondelete="CASCADE", index=True)
    action: str = Field(max_length=20)
    reason: str | None = Field(default=None, max_length=30)
    note: str | None = Field(default=None, max_length=1000, sa_type=Text)
    actor_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Introduction(SQLModel, table=True):
    """A request by one side to meet the other; only one may be open per pair."""

    __table_args__ = (
        one_of("status", IntroductionStatus),
        one_of("requested_by_role", Role, name="requested_by_role_valid"),
        Index(
            "uq_introduction_one_open",
            "venture_id",
            "investor_id",
            unique=True,
            sqlite_where=text("status = 'requested'"),
            postgresql_where=text("status = 'requested'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    venture_id: int = Field(foreign_key="venture.id", ondelete="CASCADE", index=True)
    investor_id: int = Field(foreign_key="investor_profile.id", ondelete="CASCADE", index=True)
    requested_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    requested_by_role: str = Field(max_length=20)
    message: str | None = Field(default=None, max_length=2000, sa_type=Text)
    status: str = Field(default=IntroductionStatus.REQUESTED.value, max_length=20, index=True)
    decline_reason: str | None = Field(default=None, max_length=500)
    responded_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Deal(SQLModel, table=True):
    """Opened by an accepted introduction; one open deal per venture–investor pair.

    A deal outlives an erased venture (its venture and introduction become NULL) so that the
    investor's board still shows it, closed, with the reason and the name it had.
    """

    __table_args__ = (
        one_of("stage", DealStage),
        one_of("closed_reason", DealClosedReason, name="closed_reason_valid"),
        Index(
            "uq_deal_one_open",
            "venture_id",
            "investor_id",
            unique=True,
            sqlite_where=text(f"stage NOT IN ({_CLOSED})"),
            postgresql_where=text(f"stage NOT IN ({_CLOSED})"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    introduction_id: int | None = Field(
        default=None, foreign_key="introduction.id", ondelete="SET NULL", unique=True
    )
    venture_id: int | None = Field(
        default=None, foreign_key="venture.id", ondelete="SET NULL", index=True
    )
    investor_id: int = Field(foreign_key="investor_profile.id", ondelete="CASCADE", index=True)
    stage: str = Field(default=DealStage.ACCEPTED.value, max_length=30, index=True)
    amount_gbp: int | None = Field(default=None, ge=1, sa_type=BigInteger)
    # Set when a deal closed because a party went away, not by a party's own move.
    closed_reason: str | None = Field(default=None, max_length=30)
    # The venture's name, kept only once the venture is erased, for the investor's records.
    former_venture_name: str | None = Field(default=None, max_length=160)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )


class DealEvent(SQLModel, table=True):
    """One step of a deal, with who made it and when: the pipeline's evidence and the labels."""

    __tablename__ = "deal_event"
    __table_args__ = (
        one_of("stage", DealStage),
        Index("ix_deal_event_deal_at", "deal_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", ondelete="CASCADE")
    stage: str = Field(max_length=30, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    note: str | None = Field(default=None, max_length=2000, sa_type=Text)
