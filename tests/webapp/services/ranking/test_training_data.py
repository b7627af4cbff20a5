"""Labels from what people did: investments, accepted introductions, feedback, ignored lists."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

import matching
from tests.factories import (
    DealEventFactory,
    DealFactory,
    IntroductionFactory,
    InvestorProfileFactory,
    MatchImpressionFactory,
    VentureFactory,
)
from tests.webapp.ventures.factories import FeedbackFactory
from webapp.models.enums import DealStage, FeedbackAction, IntroductionStatus
from webapp.services.ranking.training_data import IGNORED_AFTER_DAYS, outcome_count, outcomes

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def _labels(session: Session) -> dict[tuple[int, int, str], dict[str, object]]:
    found = outcomes(session=session, now=NOW)
    return {(o["venture_id"], o["investor_id"], o["kind"]): o for o in found}


def test_an_investment_is_dated_by_its_first_invested_event(session: Session) -> None:
    deal = DealFactory(stage=DealStage.INVESTED.value)
    DealEventFactory(deal_id=deal.id, stage=DealStage.TERM_SHEET.value, at=NOW - timedelta(90))
    DealEventFactory(deal_id=deal.id, stage=DealStage.INVESTED.value, at=NOW - timedelta(40))
    DealEventFactory(deal_id=deal.id, stage=DealStage.INVESTED.value, at=NOW - timedelta(10))
    labels = _labels(session)
    invested = labels[(deal.venture_id, deal.investor_id, "invested")]
    assert invested["date"] == (NOW - timedelta(40)).date()
    assert not [
        k for k in labels if k[2] == "invested" and k[:2] != (deal.venture_id, deal.investor_id)
    ]


def test_only_accepted_introductions_count_dated_by_the_answer(session: Session) -> None:
    accepted = IntroductionFactory(
        status=IntroductionStatus.ACCEPTED.value,
        created_at=NOW - timedelta(30),
        responded_at=NOW - timedelta(25),
    )
    for status in (IntroductionStatus.REQUESTED, IntroductionStatus.DECLINED):
        IntroductionFactory(status=status.value)
    labels = {k: v for k, v in _labels(session).items() if k[2] == "intro_accepted"}
    assert list(labels) == [(accepted.venture_id, accepted.investor_id, "intro_accepted")]
    assert next(iter(labels.values()))["date"] == (NOW - timedelta(25)).date()


def test_feedback_becomes_shortlists_and_passes_with_their_reason(session: Session) -> None:
    liked = FeedbackFactory(action=FeedbackAction.SHORTLIST.value, updated_at=NOW - timedelta(5))
    passed = FeedbackFactory(action=FeedbackAction.PASS.value, reason="team")
    labels = _labels(session)
    shortlist = labels[(liked.venture_id, liked.investor_id, "shortlisted")]
    assert shortlist["date"] == (NOW - timedelta(5)).date()
    assert labels[(passed.venture_id, passed.investor_id, "passed")]["reason"] == "team"


def test_a_list_entry_shown_long_ago_without_any_reaction_is_ignored(session: Session) -> None:
    investor = InvestorProfileFactory()
    old = NOW - timedelta(days=IGNORED_AFTER_DAYS + 9)
    ignored, liked, introduced, recent = (VentureFactory() for _ in range(4))
    for venture in (ignored, liked, introduced):
        MatchImpressionFactory(venture_id=venture.id, investor_id=investor.id, first_shown_at=old)
    MatchImpressionFactory(
        venture_id=recent.id,
        investor_id=investor.id,
        first_shown_at=NOW - timedelta(days=IGNORED_AFTER_DAYS - 1),
    )
    FeedbackFactory(venture_id=liked.id, investor_id=investor.id)
    IntroductionFactory(venture_id=introduced.id, investor_id=investor.id)
    labels = _labels(session)
    assert [k[0] for k in labels if k[2] == "ignored"] == [ignored.id]
    assert labels[(ignored.id, investor.id, "ignored")]["date"] == old.date()


def test_every_label_is_a_matching_outcome_and_the_count_leaves_out_ignored(
    session: Session,
) -> None:
    deal = DealFactory(stage=DealStage.INVESTED.value)
    DealEventFactory(deal_id=deal.id, stage=DealStage.INVESTED.value, at=NOW - timedelta(3))
    FeedbackFactory(action=FeedbackAction.PASS.value, reason="sector")
    MatchImpressionFactory(first_shown_at=NOW - timedelta(days=60))
    found = outcomes(session=session, now=NOW)
    records = [matching.records.coerce(matching.Outcome, o) for o in found]
    assert sorted(r.kind for r in records) == ["ignored", "intro_accepted", "invested", "passed"]
    assert all(isinstance(r.date, date) for r in records)
    # The deal's introduction was accepted: feedback 1 + accepted 1 + invested 1.
    assert outcome_count(session=session) == 3
