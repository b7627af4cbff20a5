"""In-app notifications and email deliveries, each sent at most once per dedupe key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from webapp.models.enums import EmailStatus
from webapp.models.types import JSONType, UTCDateTime, one_of, utcnow


class Notification(SQLModel, table=True):
    """Something a user should know, shown in their notification centre."""

    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key"),
        Index("ix_notification_user_unread", "user_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    kind: str = Field(max_length=40)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=4000, sa_type=Text)
    link: str | None = Field(default=None, max_length=300)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    dedupe_key: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EmailDelivery(SQLModel, table=True):
    """One email to one recipient; the unique key is what makes sending exactly-once."""

    __tablename__ = "email_delivery"
    __table_args__ = (
        UniqueConstraint("to_address", "dedupe_key"),
        one_of("status", EmailStatus),
        Index(
            "ix_email_delivery_pending",
            "next_attempt_at",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(
        default=None, foreign_key="user.id", ondelete="SET NULL", index=True
    )
    to_address: str = Field(max_length=254)
    kind: str = Field(max_length=40)
    subject: str = Field(max_length=300)
    text_body: str = Field(sa_type=Text)
    html_body: str = Field(sa_type=Text)
    dedupe_key: str = Field(max_length=200)
    status: str = Field(default=EmailStatus.PENDING.value, max_length=10, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000, sa_type=Text)
    message_id: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set while an attempt holds the row; still set on a pending row once its lease ran out
    # means that attempt stopped between sending and recording (see `services.mail`).
    claim_token: str | None = Field(default=None, max_length=32)
