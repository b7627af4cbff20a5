"""Scores the ranker computed, what investors were shown, and the models that made them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from webapp.models.types import JSONDocument, JSONType, UTCDateTime, utcnow


class Match(SQLModel, table=True):
    """A scored venture–investor pair kept because it is in either side's top K.

    `venture_rank` is the investor's place in the venture's list. `investor_rank` marks the
    venture as a member of the investor's list, which is read in score order: its n members
    hold 1..n in any order, the lowest one n (`match_store`). Either is null when the pair is
    only in the other side's top K. The full cross product is never stored.
    """

    __table_args__ = (
        UniqueConstraint("venture_id", "investor_id"),
        # Also what a cascade from a deleted investor finds its rows by. A venture's rows are
        # found by the unique key (venture_id first): its ~70 rows are sorted by venture_rank
        # when read, so no index of its own (every write of a rank would pay for one).
        Index("ix_match_investor_rank", "investor_id", "investor_rank"),
        # Every column of the investor lists' rows, so reading a refresh's ~30 lists (and a
        # list page) touches only this small index, not ~1,500 scattered table rows.
        Index(
            "ix_match_investor_list",
            "investor_id",
            "score",
            "venture_id",
            "investor_rank",
            "venture_rank",
            "model_version",
            sqlite_where=text("investor_rank IS NOT NULL"),
            postgresql_where=text("investor_rank IS NOT NULL"),
            postgresql_include=["id"],
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    venture_id: int = Field(foreign_key="venture.id", ondelete="CASCADE")
    investor_id: int = Field(foreign_key="investor_profile.id", ondelete="CASCADE")
    score: float
    venture_rank: int | None = None
    investor_rank: int | None = None
    # [code, effect, facts] triples (matching.reasons), worded at display time; rows written
    # before reasons carried facts hold {code, text, effect} objects. Read whole, never
    # queried inside: a JSONDocument.
    reasons: list[Any] = Field(default_factory=list, sa_type=JSONDocument)
    model_version: str = Field(max_length=64)
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ListFloor(SQLModel, table=True):
    """The lowest member of each investor list and the list's length, kept with the lists.

    A venture refresh compares the venture with the lowest member of every full investor
    list (`match_store.thresholds`). Read from `match`, those 2,000 rows lie on as many pages
    as the refreshes keep rewriting, so PostgreSQL visits each page (its visibility is lost
    until the next vacuum): 2-3 ms a change. Here they fill a dozen pages. Written in the
    lists' own transaction (`match_store.apply_lists`, `match_bulk.replace_all`); a deleted
    venture takes its floor rows along, as it takes its Match rows.
    """

    __tablename__ = "list_floor"

    investor_id: int = Field(
        foreign_key="investor_profile.id",
        ondelete="CASCADE",
        primary_key=True,
        sa_column_kwargs={"autoincrement": False},
    )
    venture_id: int = Field(foreign_key="venture.id", ondelete="CASCADE")
    score: float  # the member's stored Match.score
    size: int  # members in the list: the floor holds investor_rank = size


class MatchImpression(SQLModel, table=True):
    """An investor saw a venture in its list: 'shown and ignored' is a weak negative label."""

    __tablename__ = "match_impression"
    __table_args__ = (UniqueConstraint("investor_id", "venture_id"),)

    id: int | None = Field(default=None, primary_key=True)
    investor_id: int = Field(foreign_key="investor_profile.id", ondelete="CASCADE", index=True)
    venture_id: int = Field(foreign_key="venture.id", ondelete="CASCADE", index=True)
    first_shown_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_shown_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ModelVersion(SQLModel, table=True):
    """A trained ranker artefact; exactly one is active and scores everything."""

    __tablename__ = "model_version"
    __table_args__ = (
        Index(
            "uq_model_version_one_active",
            "active",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=64, unique=True)
    artefact_path: str = Field(max_length=500)
    trained_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    training_size: int = 0
    metrics: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    features: list[str] = Field(default_factory=list, sa_type=JSONType)
    active: bool = Field(default=False)
    notes: str | None = Field(default=None, max_length=500)  # why it was promoted or not
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # When it became the active model (null: never promoted, or trained before this was kept).
    promoted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    outcome_count: int | None = None  # platform outcomes it learned from (incl. ignored)
    deal_count: int | None = None  # past deals its track records were built from
