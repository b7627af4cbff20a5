"""Long-running jobs (full refresh, retraining, imports) whose progress people watch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from webapp.models.enums import JobKind, JobStatus
from webapp.models.types import JSONType, UTCDateTime, one_of, utcnow


class JobRun(SQLModel, table=True):
    """One run of a long job: `done` out of `total` is the progress shown in the UI."""

    __tablename__ = "job_run"
    __table_args__ = (one_of("kind", JobKind), one_of("status", JobStatus))

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)
    status: str = Field(default=JobStatus.QUEUED.value, max_length=20)
    total: int = 0
    done: int = 0
    message: str | None = Field(default=None, max_length=500)
    error: str | None = Field(default=None, max_length=4000, sa_type=Text)
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    result: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    triggered_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
