"""Notices about deals: one party moved it, or it closed because a party went away.

Both are written in the transaction that changes the deal, so the notice exists exactly when
the change does, and a notice about an erased venture can still name it. Each dedupe key names
the deal event it reports, never the deal's current stage.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from webapp.models import AuditLog, Deal, DealEvent, InvestorProfile, Notification, User, Venture
from webapp.services.access.object_access import active_members
from webapp.services.common.ids import saved_id
from webapp.services.deals.deal_wording import closed_reason_label, move_phrase, stage_words
from webapp.services.introductions.introductions import OPEN_DEAL_STAGES
from webapp.services.outbox.notifications import DEAL_CLOSED, DEAL_MOVED, ROUND_CLOSED, notify


def _link(deal: Deal) -> str:
    return f"/deals/{saved_id(deal)}"


def announce_move(
    *, session: Session, deal: Deal, event: DealEvent, actor: User, previous: str
) -> int:
    """Tell the other party that `actor` moved the deal; returns how many were told."""
    venture = session.get(Venture, deal.venture_id) if deal.venture_id else None
    profile = session.get(InvestorProfile, deal.investor_id)
    if venture is None or profile is None:
        return 0
    by_founder = actor.id == venture.owner_id
    mover = venture.name if by_founder else profile.name
    if by_founder:
        recipients = active_members(session, deal.investor_id)
    else:
        owner = session.get(User, venture.owner_id)
        recipients = [owner] if owner is not None and owner.active else []
    paragraphs = [
        f"{actor.name} ({mover}) moved the deal between {venture.name} and {profile.name} "
        f"from {stage_words(previous).lower()} to {stage_words(event.stage).lower()}."
    ]
    if deal.amount_gbp:
        paragraphs.append(f"Amount: £{deal.amount_gbp:,}.")
    if event.note:
        paragraphs.append(f"Their note: {event.note}")
    created = [
        notify(
            session=session,
            user=user,
            kind=DEAL_MOVED,
            title=f"{mover} {move_phrase(event.stage)}",
            body="\n\n".join(paragraphs),
            link=_link(deal),
            data={"deal_id": deal.id, "deal_event_id": event.id, "stage": event.stage},
            dedupe_key=f"deal:{deal.id}:event:{saved_id(event)}",
        )
        for user in recipients
    ]
    return _count(created)


def announce_closure(
    *,
    session: Session,
    deal: Deal,
    event: DealEvent,
    recipients: list[User],
    venture_name: str,
    investor_name: str,
    previous: str,
) -> int:
    """Tell the remaining party why an open deal closed without them."""
    reason = closed_reason_label(deal.closed_reason) or "The other side left"
    body = (
        f"{reason}, so the deal between {venture_name} and {investor_name} has closed "
        f"(it was at {stage_words(previous).lower()}). It stays on your deals board as withdrawn."
    )
    created = [
        notify(
            session=session,
            user=user,
            kind=DEAL_CLOSED,
            title=f"Deal closed: {venture_name} and {investor_name}",
            body=body,
            link=_link(deal),
            data={
                "deal_id": deal.id,
                "deal_event_id": event.id,
                "reason": deal.closed_reason,
            },
            dedupe_key=f"deal:{deal.id}:event:{saved_id(event)}",
        )
        for user in recipients
        if user.active
    ]
    return _count(created)


def announce_round_closed(*, session: Session, venture: Venture, change: AuditLog) -> int:
    """Tell the investors in the venture's open deals that its round closed to newcomers.

    Their deals carry on (the round may have closed because of them); `change` is the audited
    update that closed it, so closing, reopening and closing again are told as separate events.
    """
    deals = session.exec(
        select(Deal)
        .where(col(Deal.venture_id) == saved_id(venture))
        .where(col(Deal.stage).in_(OPEN_DEAL_STAGES))
        .order_by(col(Deal.id))
    ).all()
    created: list[Notification | None] = []
    for deal in deals:
        created += [
            notify(
                session=session,
                user=user,
                kind=ROUND_CLOSED,
                title=f"{venture.name} closed its round to new investors",
                body=(
                    f"{venture.name} has closed its round to new investors and left the ranked "
                    f"lists. Your deal (at {stage_words(deal.stage).lower()}) carries on."
                ),
                link=_link(deal),
                data={"deal_id": deal.id, "venture_id": venture.id},
                dedupe_key=f"venture:{venture.id}:round_closed:{saved_id(change)}:deal:{deal.id}",
            )
            for user in active_members(session, deal.investor_id)
        ]
    return _count(created)


def _count(created: list[Notification | None]) -> int:
    return sum(1 for item in created if item is not None)
