"""What happened for each weekly-digest reader in a stretch of time, by section.

Sections: introduction requests waiting for their answer (however old), answers to their own
requests, deal moves and closures by the other side, investors shortlisting their ventures, new
strong matches, and any other notice. Introductions, deals and shortlists are read from their
own records rather than from notices, so the week is told even where no notice was written
(imported or demo history); new matches and other notices have no record but the notice.

Everyone's week is gathered in a fixed number of queries, however many people read a digest.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from webapp.models import (
    Deal,
    DealEvent,
    Feedback,
    Introduction,
    InvestorProfile,
    Notification,
    User,
    Venture,
)
from webapp.models.enums import (
    DealStage,
    EmailFrequency,
    FeedbackAction,
    IntroductionStatus,
    Role,
)
from webapp.services.deals.deal_wording import closed_reason_label, move_phrase, stage_words
from webapp.services.deals.deals import ERASED_VENTURE
from webapp.services.introductions.introductions import contacts_for
from webapp.services.outbox.notifications import (
    DEAL_CLOSED,
    DEAL_MOVED,
    INTRODUCTION_ACCEPTED,
    INTRODUCTION_DECLINED,
    INTRODUCTION_REQUESTED,
    INVESTOR_INTERESTED,
    NEW_MATCH,
)

LINK = "/introductions"
# Notices whose news the digest reads from the records instead (so it is not told twice).
FROM_RECORDS = frozenset(
    {
        INTRODUCTION_REQUESTED,
        INTRODUCTION_ACCEPTED,
        INTRODUCTION_DECLINED,
        INVESTOR_INTERESTED,
        DEAL_MOVED,
        DEAL_CLOSED,
    }
)
# Deal events reported as moves: the request and acceptance are the introduction's news.
_MOVES = [
    s.value for s in DealStage if s not in {DealStage.INTRODUCTION_REQUESTED, DealStage.ACCEPTED}
]


@dataclass(frozen=True)
class DigestItem:
    """One line of news: what happened, a sentence or two, where to look, and any details."""

    at: datetime
    title: str
    body: str = ""
    link: str | None = None
    details: tuple[tuple[str, str], ...] = ()


@dataclass
class Digest:
    """One person's week, by section; a section with nothing in it is left out."""

    waiting: list[DigestItem] = field(default_factory=list)
    introductions: list[DigestItem] = field(default_factory=list)
    deals: list[DigestItem] = field(default_factory=list)
    interest: list[DigestItem] = field(default_factory=list)
    matches: list[DigestItem] = field(default_factory=list)
    other: list[DigestItem] = field(default_factory=list)

    def sections(self) -> list[tuple[str, list[DigestItem]]]:
        """(heading, items oldest first) for each section with news."""
        named = [
            ("Waiting for your answer", self.waiting),
            ("Introductions", self.introductions),
            ("Deals", self.deals),
            ("Investors interested in your ventures", self.interest),
            ("New strong matches", self.matches),
            ("Other news", self.other),
        ]
        return [(title, sorted(items, key=lambda i: i.at)) for title, items in named if items]

    @property
    def size(self) -> int:
        """How many items in all."""
        return sum(len(items) for _, items in self.sections())


def reader_ids() -> Any:
    """Subquery: the ids of everyone who takes the digest (keeps parameter lists short)."""
    return (
        select(col(User.id))
        .where(col(User.email_frequency) == EmailFrequency.DIGEST.value)
        .where(col(User.active) == True)  # noqa: E712
    )


@dataclass
class _People:
    """Who among the readers stands on each side: ventures' founders, mandates' members."""

    founder_of: dict[int, int]  # venture id → reader id
    members_of: dict[int, list[int]]  # investor profile id → reader ids
    venture_ids: Any  # subquery of the readers' venture ids
    investor_ids: Any  # subquery of the readers' investor profile ids

    def founders(self, venture_id: int | None) -> list[int]:
        found = self.founder_of.get(venture_id or 0)
        return [found] if found is not None else []

    def members(self, investor_id: int) -> list[int]:
        return self.members_of.get(investor_id, [])


def _people(session: Session) -> _People:
    readers = reader_ids()
    founder_of = {
        venture_id: owner_id
        for venture_id, owner_id in session.exec(
            select(Venture.id, Venture.owner_id).where(col(Venture.owner_id).in_(readers))
        ).all()
        if venture_id is not None
    }
    members_of: dict[int, list[int]] = defaultdict(list)
    for profile_id, user_id in session.exec(
        select(InvestorProfile.id, User.id)
        .join(User, col(User.organisation_id) == col(InvestorProfile.organisation_id))
        .where(col(User.id).in_(readers))
        .where(col(User.role) == Role.INVESTOR.value)
        .order_by(col(User.id))
    ).all():
        if profile_id is not None and user_id is not None:
            members_of[profile_id].append(user_id)
    return _People(
        founder_of=founder_of,
        members_of=dict(members_of),
        venture_ids=select(col(Venture.id)).where(col(Venture.owner_id).in_(readers)),
        investor_ids=select(col(InvestorProfile.id))
        .join(User, col(User.organisation_id) == col(InvestorProfile.organisation_id))
        .where(col(User.id).in_(readers)),
    )


@dataclass
class _Collector:
    """Files items into the readers' digests, keeping each to its own window."""

    digests: dict[int, Digest]
    since: dict[int, datetime]
    until: datetime

    def add(self, user_ids: list[int], section: str, item: DigestItem) -> None:
        for user_id in user_ids:
            if user_id in self.digests and self.since[user_id] < item.at <= self.until:
                getattr(self.digests[user_id], section).append(item)

    def waiting(self, user_ids: list[int], item: DigestItem) -> None:
        """A request waiting for an answer is news however old it is."""
        for user_id in user_ids:
            if user_id in self.digests:
                self.digests[user_id].waiting.append(item)


def gather_digests(
    *, session: Session, readers: list[User], since: dict[int, datetime], until: datetime
) -> dict[int, Digest]:
    """Each reader's digest for (since[reader], until]; readers must take the digest."""
    collector = _Collector({user.id or 0: Digest() for user in readers}, since, until)
    if not readers:
        return collector.digests
    earliest = min(since.values())
    people = _people(session)
    _gather_introductions(session, people, earliest, collector, readers)
    _gather_deals(session, people, earliest, collector)
    for feedback, venture_name, investor_name in _shortlists(session, people, earliest):
        item = DigestItem(feedback.updated_at, f"{investor_name} shortlisted {venture_name}",
                          "You can ask them for an introduction from your venture's investor "
                          "list.", f"/founder/ventures/{feedback.venture_id}")  # fmt: skip
        collector.add(people.founders(feedback.venture_id), "interest", item)
    for notice in _notices(session, earliest, until):
        section = "matches" if notice.kind == NEW_MATCH else "other"
        item = DigestItem(notice.created_at, notice.title, notice.body, notice.link)
        collector.add([notice.user_id], section, item)
    return collector.digests


def _gather_introductions(
    session: Session,
    people: _People,
    earliest: datetime,
    collector: _Collector,
    readers: list[User],
) -> None:
    """Requests waiting for the reader, and answers to the reader's own requests."""
    accepted: dict[int, list[tuple[int, DigestItem]]] = defaultdict(list)
    for intro, venture_name, investor_name in _introductions(session, people, earliest):
        founders, members = people.founders(intro.venture_id), people.members(intro.investor_id)
        by_investor = intro.requested_by_role == Role.INVESTOR.value
        askers, answerers = (members, founders) if by_investor else (founders, members)
        asker = investor_name if by_investor else f"{venture_name}'s founder"
        answerer = venture_name if by_investor else investor_name
        at = intro.responded_at or intro.created_at
        if intro.status == IntroductionStatus.REQUESTED.value:
            body = f"About {venture_name}; asked {intro.created_at:%-d %B %Y}."
            if intro.message:
                body += f" Their message: {intro.message}"
            title = f"{asker} asked to meet"
            collector.waiting(answerers, DigestItem(intro.created_at, title, body, LINK))
        elif intro.status == IntroductionStatus.ACCEPTED.value:
            body = f"About {venture_name}: get in touch to arrange a first conversation."
            item = DigestItem(at, f"{answerer} accepted your introduction request", body, LINK)
            for user_id in askers:
                accepted[user_id].append((intro.id or 0, item))
        elif intro.status == IntroductionStatus.DECLINED.value:
            reason = f": {intro.decline_reason}" if intro.decline_reason else "."
            title = f"{answerer} declined your introduction request"
            item = DigestItem(at, title, f"About {venture_name}{reason}", LINK)
            collector.add(askers, "introductions", item)
        elif intro.status == IntroductionStatus.WITHDRAWN.value:
            title = f"{asker} withdrew their introduction request"
            item = DigestItem(at, title, f"About {venture_name}.", LINK)
            collector.add(answerers, "introductions", item)
    # Accepted requests carry the other side's contact, by the introductions page's own rule.
    by_id = {user.id: user for user in readers}
    for user_id, found in accepted.items():
        contacts = contacts_for(
            session=session, viewer=by_id[user_id], introduction_ids=[i for i, _ in found]
        )
        for intro_id, item in found:
            contact = contacts.get(intro_id)
            details = tuple(contact.details()) if contact else ()
            collector.add([user_id], "introductions", replace(item, details=details))


def _gather_deals(
    session: Session, people: _People, earliest: datetime, collector: _Collector
) -> None:
    """Moves by the other side, and deals closed because a party went away."""
    rows = _deal_events(session, people, earliest, collector.until)
    for event, deal, venture, investor_name in rows:
        owner_id = venture.owner_id if venture else None
        name = venture.name if venture else deal.former_venture_name or ERASED_VENTURE
        founders, members = people.founders(deal.venture_id), people.members(deal.investor_id)
        if event.actor_id is None:  # whoever moved it has since gone: both sides hear
            recipients, mover = founders + members, name
        elif event.actor_id == owner_id:
            recipients, mover = members, name
        else:
            recipients, mover = founders, investor_name
        if deal.closed_reason and event.stage == DealStage.WITHDRAWN.value:
            title = f"Deal closed: {name} and {investor_name}"
            body = f"{closed_reason_label(deal.closed_reason)}; the deal is withdrawn."
        else:
            title = f"{mover} {move_phrase(event.stage)}"
            body = f"{name} and {investor_name}: now {stage_words(event.stage).lower()}."
            if event.note:
                body += f" Their note: {event.note}"
        collector.add(recipients, "deals", DigestItem(event.at, title, body, f"/deals/{deal.id}"))


def _introductions(
    session: Session, people: _People, earliest: datetime
) -> list[tuple[Introduction, str, str]]:
    """Open requests, and requests answered since `earliest`, on the readers' sides."""
    ours: ColumnElement[bool] = or_(
        col(Introduction.venture_id).in_(people.venture_ids),
        col(Introduction.investor_id).in_(people.investor_ids),
    )
    rows = session.exec(
        select(Introduction, Venture.name, InvestorProfile.name)
        .join(Venture, col(Venture.id) == col(Introduction.venture_id))
        .join(InvestorProfile, col(InvestorProfile.id) == col(Introduction.investor_id))
        .where(ours)
        .where(
            or_(
                col(Introduction.status) == IntroductionStatus.REQUESTED.value,
                col(Introduction.responded_at) > earliest,
            )
        )
        .order_by(col(Introduction.id))
    ).all()
    return [(intro, venture, investor) for intro, venture, investor in rows]


def _deal_events(
    session: Session, people: _People, earliest: datetime, until: datetime
) -> list[tuple[DealEvent, Deal, Venture | None, str]]:
    """Moves on the readers' deals in the window (a deal of an erased venture included)."""
    rows = session.exec(
        select(DealEvent, Deal, Venture, InvestorProfile.name)
        .join(Deal, col(Deal.id) == col(DealEvent.deal_id))
        .outerjoin(Venture, col(Venture.id) == col(Deal.venture_id))
        .join(InvestorProfile, col(InvestorProfile.id) == col(Deal.investor_id))
        .where(col(DealEvent.at) > earliest)
        .where(col(DealEvent.at) <= until)
        .where(col(DealEvent.stage).in_(_MOVES))
        .where(
            or_(
                col(Deal.venture_id).in_(people.venture_ids),
                col(Deal.investor_id).in_(people.investor_ids),
            )
        )
        .order_by(col(DealEvent.at), col(DealEvent.id))
    ).all()
    return [(event, deal, venture, investor) for event, deal, venture, investor in rows]


def _shortlists(
    session: Session, people: _People, earliest: datetime
) -> list[tuple[Feedback, str, str]]:
    rows = session.exec(
        select(Feedback, Venture.name, InvestorProfile.name)
        .join(Venture, col(Venture.id) == col(Feedback.venture_id))
        .join(InvestorProfile, col(InvestorProfile.id) == col(Feedback.investor_id))
        .where(col(Feedback.action) == FeedbackAction.SHORTLIST.value)
        .where(col(Feedback.updated_at) > earliest)
        .where(col(Feedback.venture_id).in_(people.venture_ids))
        .order_by(col(Feedback.updated_at))
    ).all()
    return [(feedback, venture, investor) for feedback, venture, investor in rows]


def _notices(session: Session, earliest: datetime, until: datetime) -> list[Notification]:
    """The readers' notices with no record of their own (new matches, alerts, anything new)."""
    return list(
        session.exec(
            select(Notification)
            .where(col(Notification.user_id).in_(reader_ids()))
            .where(col(Notification.kind).not_in(FROM_RECORDS))
            .where(col(Notification.created_at) > earliest)
            .where(col(Notification.created_at) <= until)
            .order_by(col(Notification.created_at), col(Notification.id))
        ).all()
    )
