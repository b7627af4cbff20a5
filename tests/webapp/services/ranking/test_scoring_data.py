"""The ranker's inputs as read from the database."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from tests.factories import VentureFactory
from webapp.models import Venture
from webapp.models.enums import Visibility
from webapp.services.ranking import scoring_data


def test_venture_records_read_through_the_driver_match_the_typed_columns(
    session: Session,
) -> None:
    """`venture_rows` reads through the driver, where SQLite gives JSON as text and booleans
    as 0 and 1: the records must be what SQLAlchemy's column types give, value and type."""
    published = VentureFactory(eis=True, seis=False, spinout=False, institution=None)
    other = VentureFactory(instruments=["equity", "convertible"], sectors=["medtech"])
    VentureFactory(visibility=Visibility.DRAFT.value)
    session.commit()
    table = Venture.__table__  # type: ignore[attr-defined]
    typed = session.connection().execute(
        select(*(table.c[name] for name in scoring_data.VENTURE_COLUMNS)).order_by(table.c.id)
    )
    expected = {row["id"]: dict(row) for row in typed.mappings()}

    records = scoring_data.venture_rows(session=session, published_only=False)
    assert [r["id"] for r in records] == sorted(expected)
    for record in records:
        want = expected[record["id"]]
        assert record == want
        assert {k: type(v) for k, v in record.items()} == {k: type(v) for k, v in want.items()}
    chosen = scoring_data.venture_rows(session=session, ids=[other.id, published.id])
    assert [r["id"] for r in chosen] == sorted([other.id, published.id])
    assert chosen[0]["eis"] is True
    assert chosen[0]["institution"] is None
    assert scoring_data.venture_rows(session=session, ids=[]) == []
