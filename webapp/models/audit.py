"""Who did what, when: every write by staff and admins, and every sensitive change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from webapp.models.types import JSONType, UTCDateTime, utcnow


class AuditLog(SQLModel, table=True):
    """An append-only record; personal data is scrubbed from it when a person is erased."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(
        default=None, foreign_key="user.id", ondelete="SET NULL", index=True
    )
    actor_role: str | None = Field(default=None, max_length=20)
    action: str = Field(max_length=60, index=True)
    object_type: str = Field(max_length=40)
    object_id: str | None = Field(default=None, max_length=40)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    ip: str | None = Field(default=None, max_length=45)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
