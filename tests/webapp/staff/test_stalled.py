"""Stalled deals: open deals with no event for N days, with the last event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import DealFactory
from tests.webapp.staff.factories import DealEventFactory, ProgrammeVentureFactory
from webapp.services.common.errors import ValidationFailed
from webapp.services.reports.stalled import stalled_deals

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)


def _deal_with_events(*stages_days_ago: tuple[str, int], stage: str | None = None):
    deal = DealFactory(stage=stage or stages_days_ago[-1][0])
    for name, days_ago in stages_days_ago:
        DealEventFactory(deal_id=deal.id, stage=name, at=NOW - timedelta(days=days_ago))
    return deal


def test_lists_open_deals_quiet_for_the_period_with_their_last_event(session):
    quiet = _deal_with_events(("accepted", 60), ("in_conversation", 45))
    _deal_with_events(("accepted", 40), ("in_conversation", 10))  # recent event
    _deal_with_events(("accepted", 90), ("passed", 80))  # closed
    _deal_with_events(("accepted", 90), ("invested", 70))  # closed

    found = stalled_deals(session=session, days=30, now=NOW)

    assert [d.deal_id for d in found] == [quiet.id]
    assert found[0].last_event_stage == "in_conversation"
    assert found[0].last_event_at == NOW - timedelta(days=45)
    assert found[0].days_quiet == 45
    assert found[0].stage == "in_conversation"


def test_the_boundary_day_counts_as_stalled_and_quietest_come_first(session):
    exactly = _deal_with_events(("accepted", 30))
    older = _deal_with_events(("accepted", 31))
    _deal_with_events(("accepted", 29))

    found = stalled_deals(session=session, days=30, now=NOW)

    assert [d.deal_id for d in found] == [older.id, exactly.id]


def test_a_deal_without_events_falls_back_to_its_update_time(session):
    deal = DealFactory(stage="accepted", updated_at=NOW - timedelta(days=50))

    found = stalled_deals(session=session, days=30, now=NOW)

    assert [(d.deal_id, d.last_event_stage, d.days_quiet) for d in found] == [(deal.id, None, 50)]


def test_programme_filter_keeps_only_enrolled_ventures(session):
    inside = _deal_with_events(("accepted", 60))
    _deal_with_events(("accepted", 60))
    enrolment = ProgrammeVentureFactory(venture_id=inside.venture_id)

    found = stalled_deals(session=session, days=30, now=NOW, programme_ids={enrolment.programme_id})
    assert [d.deal_id for d in found] == [inside.id]
    assert stalled_deals(session=session, days=30, now=NOW, programme_ids=set()) == []


@pytest.mark.parametrize("days", [0, -3, 3651])
def test_days_out_of_range_is_refused_naming_the_field(session, days):
    with pytest.raises(ValidationFailed) as caught:
        stalled_deals(session=session, days=days, now=NOW)
    assert caught.value.errors[0].field == "days"
