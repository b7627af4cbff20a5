"""Programmes (an accelerator cohort, a fund's pipeline) that staff run and report on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from webapp.models.types import UTCDateTime, utcnow


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
