"""The transactional outbox: events written with the change they describe."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Text, text
from sqlmodel import Field, SQLModel

from webapp.models.types import JSONType, UTCDateTime, utcnow


class OutboxEvent(SQLModel, table=True):
    """Work owed because of a change: handed to the workers until its tasks have finished.

    `available_at` is when the relay may hand the event out (again): set ahead at each hand-out
    and pushed on by the heartbeat of the tasks running it, so an event whose worker died is
    handed out again soon after. From the first hand-out, `owed_parts` has bit n set while
    task n of its plan is owed; `finished_at` is set when no task is (each finished, failed
    for good, or the event was undeliverable).
    """

    __tablename__ = "outbox_event"
    __table_args__ = (
        Index(
            "ix_outbox_event_owed",
            "available_at",
            sqlite_where=text("finished_at IS NULL"),
            postgresql_where=text("finished_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=60)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    available_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    dispatched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0  # hand-outs tried, failed ones included (they back off)
    handouts: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    owed_parts: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=2000, sa_type=Text)
