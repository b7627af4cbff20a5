"""Invitations to manage an investor organisation's mandate, accepted by the invitee only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from webapp.models.enums import InvitationStatus
from webapp.models.types import UTCDateTime, one_of, utcnow

_PENDING = text("status = 'pending'")


class MemberInvitation(SQLModel, table=True):
    """A member of an organisation inviting a colleague, by email address.

    Addressed to an email rather than an account, so the inviter never learns whether the
    address has an account (or what kind), and someone who registers later still finds it.
    """

    __tablename__ = "member_invitation"
    __table_args__ = (
        one_of("status", InvitationStatus),
        # One open invitation per organisation and address: inviting again returns it.
        Index(
            "uq_member_invitation_pending",
            "organisation_id",
            "email",
            unique=True,
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE")
    email: str = Field(max_length=254, index=True)  # stored lower-cased
    invited_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    status: str = Field(default=InvitationStatus.PENDING.value, max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
