"""The transactional outbox: events written with the change they describe."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Text, text
from sqlmodel import Field, SQLModel

from webapp.models.types import JSONType, UTCDateTime, utcnow


class OutboxEvent(SQLModel, table=True):
    """A change the workers must act on; dispatched after commit, or later by the sweep."""

    __tablename__ = "outbox_event"
    __table_args__ = (
        Index(
            "ix_outbox_event_pending",
            "available_at",
            sqlite_where=text("dispatched_at IS NULL"),
            postgresql_where=text("dispatched_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=60)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    available_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    dispatched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000, sa_type=Text)
