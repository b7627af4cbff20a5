"""Notifications the ranking and the deal flow produce (the workers call these after events).

Each function adds the notifications, queues their emails and commits, and returns how many
notifications it created (0 when they existed already: every one is sent once).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from matching.mandate import MANDATE_CODES
from matching.wording import money
from webapp.models import Introduction, InvestorProfile, Match, Notification, User, Venture, utcnow
from webapp.models.enums import IntroductionStatus, Role
from webapp.services.access.object_access import active_members, staff_venture_ids
from webapp.services.common.locks import begin_write
from webapp.services.common.taxonomy import matching_taxonomy
from webapp.services.introductions.introductions import contacts_for
from webapp.services.outbox.notifications import (
    DEAL_STALLED,
    INTRODUCTION_ACCEPTED,
    INTRODUCTION_DECLINED,
    INTRODUCTION_REQUESTED,
    INVESTOR_INTERESTED,
    NEW_MATCH,
    notify,
)
from webapp.services.ranking.match_queries import (
    Profiles,
    display_reasons,
    places_in_investor_lists,
)
from webapp.services.reports.stalled import StalledDeal, stalled_deals

STRONG_RANK = 10  # a new entry in the top 10 of an investor's list…
STRONG_SCORE = 0.5  # …with at least this score is news worth sending
DEAL_BREAKERS = frozenset(MANDATE_CODES)
STALLED_DAYS = 30
STALLED_LISTED = 15


def _money(amount: int | None) -> str:
    return money(amount) if amount else "an undisclosed amount"


def _count(created: list[Notification | None]) -> int:
    return sum(1 for item in created if item is not None)


def announce_new_matches(*, session: Session, venture_id: int, entered: Collection[int]) -> int:
    """Tell investors about a strong venture that just entered their list (`entered`: those
    investors' ids); its place there is read back here."""
    begin_write(session=session, name="notifications")
    venture = session.get(Venture, venture_id)
    if venture is None or not entered:
        return 0
    rows = session.exec(
        select(Match)
        .where(col(Match.venture_id) == venture_id)
        .where(col(Match.investor_id).in_(sorted(entered)))
    ).all()
    created: list[Notification | None] = []
    profiles = Profiles.load(session, [venture_id], [m.investor_id for m in rows])
    places = places_in_investor_lists(
        session=session, venture_id=venture_id, investor_ids=[m.investor_id for m in rows]
    )
    for match in rows:
        rank = places.get(match.investor_id)
        if rank is None or rank > STRONG_RANK or match.score < STRONG_SCORE:
            continue
        worded = display_reasons(match.reasons, profiles.pair(venture_id, match.investor_id))
        why = "; ".join(r["text"] for r in worded[:3] if r["effect"] == "+")
        # A broken mandate rule is always said, whatever else is left out.
        against = "; ".join(
            r["text"] for r in worded if r["effect"] == "-" and r["code"] in DEAL_BREAKERS
        )
        stage = matching_taxonomy().label(venture.stage)
        body = (
            f"{venture.name} is raising {_money(venture.raise_amount_gbp)} at {stage} stage "
            f"and is now number {rank} in your list (score {match.score:.2f})."
        )
        if why:
            body += f"\n\nWhy: {why}."
        if against:
            body += f"\n\nAgainst: {against}."
        for user in active_members(session, match.investor_id):
            created.append(
                notify(
                    session=session,
                    user=user,
                    kind=NEW_MATCH,
                    title=f"New strong match: {venture.name}",
                    body=body,
                    link=f"/investor/ventures/{venture_id}",
                    data={
                        "venture_id": venture_id,
                        "investor_id": match.investor_id,
                        "rank": rank,
                        "score": match.score,
                    },
                    dedupe_key=f"match:{match.investor_id}:{venture_id}",
                )
            )
    session.commit()
    return _count(created)


def announce_shortlist(*, session: Session, venture_id: int, investor_id: int) -> int:
    """Tell the founder that an investor shortlisted the venture."""
    begin_write(session=session, name="notifications")
    venture = session.get(Venture, venture_id)
    profile = session.get(InvestorProfile, investor_id)
    owner = session.get(User, venture.owner_id) if venture else None
    if venture is None or profile is None or owner is None or not owner.active:
        return 0
    created = notify(
        session=session,
        user=owner,
        kind=INVESTOR_INTERESTED,
        title=f"An investor is interested in {venture.name}",
        body=f"{profile.name} shortlisted {venture.name}. You can request an introduction "
        "from your venture's investor list.",
        link=f"/founder/ventures/{venture_id}",
        data={"venture_id": venture_id, "investor_id": investor_id},
        dedupe_key=f"shortlist:{investor_id}:{venture_id}",
    )
    session.commit()
    return _count([created])


def _founder_and_investors(
    session: Session, intro: Introduction
) -> tuple[Venture | None, InvestorProfile | None, User | None, list[User]]:
    venture = session.get(Venture, intro.venture_id)
    profile = session.get(InvestorProfile, intro.investor_id)
    founder = session.get(User, venture.owner_id) if venture else None
    return venture, profile, founder, active_members(session, intro.investor_id)


def announce_introduction(
    *, session: Session, introduction_id: int, status: str | None = None
) -> int:
    """Requests go to the other side, acceptances to both (with contacts), declines back.

    `status` is the event being announced (the request, or the answer it recorded), not the
    introduction's status now: a request whose announcement was delayed past the answer is
    still announced once, under its own key, and the answer under another.
    """
    begin_write(session=session, name="notifications")
    intro = session.get(Introduction, introduction_id)
    if intro is None:
        return 0
    venture, profile, founder, members = _founder_and_investors(session, intro)
    if venture is None or profile is None or founder is None:
        return 0
    event = status or intro.status
    by_investor = intro.requested_by_role == Role.INVESTOR.value
    key = f"introduction:{intro.id}:{event}"
    data = {"introduction_id": intro.id, "venture_id": venture.id, "investor_id": profile.id}
    created: list[Notification | None] = []
    if event == IntroductionStatus.REQUESTED.value:
        asker = profile.name if by_investor else f"{venture.name}'s founder"
        title = f"Introduction request from {asker}"
        body = f"{asker} would like an introduction ({venture.name} and {profile.name})."
        if intro.message:
            body += f"\n\nTheir message: {intro.message}"
        if intro.status == IntroductionStatus.REQUESTED.value:
            body += "\n\nAccept to share contact details, or decline."
        else:  # announced late: say where it stands rather than ask for an answer
            body += f"\n\nThis request has since been {intro.status}."
        for user in [founder] if by_investor else members:
            created.append(
                notify(
                    session=session,
                    user=user,
                    kind=INTRODUCTION_REQUESTED,
                    title=title,
                    body=body,
                    link="/introductions",
                    data=data,
                    dedupe_key=key,
                )
            )
    elif event == IntroductionStatus.ACCEPTED.value:
        to_founder = f"You and {profile.name} are introduced about {venture.name}."
        to_investors = f"You and {venture.name}'s founder are introduced."
        sides = [(founder, profile.name, to_founder)]
        sides += [(member, venture.name, to_investors) for member in members]
        for user, other, opening in sides:
            contact = contacts_for(session=session, viewer=user, introduction_ids=[introduction_id])
            if introduction_id not in contact:
                continue
            created.append(
                notify(
                    session=session,
                    user=user,
                    kind=INTRODUCTION_ACCEPTED,
                    title=f"Introduction accepted: {other}",
                    body=f"{opening} Get in touch to arrange a first conversation.",
                    link="/introductions",
                    data=data,
                    dedupe_key=key,
                    details=contact[introduction_id].details(),
                )
            )
    elif event == IntroductionStatus.DECLINED.value:
        other = venture.name if by_investor else profile.name
        for user in members if by_investor else [founder]:
            created.append(
                notify(
                    session=session,
                    user=user,
                    kind=INTRODUCTION_DECLINED,
                    title=f"Introduction declined by {other}",
                    body=f"{other} declined the introduction"
                    + (f": {intro.decline_reason}" if intro.decline_reason else "."),
                    link="/introductions",
                    data=data,
                    dedupe_key=key,
                )
            )
    session.commit()
    return _count(created)


def announce_stalled_deals(
    *, session: Session, now: datetime | None = None, days: int = STALLED_DAYS
) -> int:
    """One summary per staff member of deals that went quiet since the last summary."""
    begin_write(session=session, name="notifications")
    now = now or utcnow()
    last = session.exec(
        select(Notification.created_at)
        .where(col(Notification.kind) == DEAL_STALLED)
        .order_by(col(Notification.created_at).desc())
        .limit(1)
    ).first()
    since = (last or now - timedelta(days=1)) - timedelta(days=days)
    fresh = [
        d for d in stalled_deals(session=session, days=days, now=now) if d.last_event_at > since
    ]
    if not fresh:
        return 0
    staff = session.exec(
        select(User)
        .where(col(User.role).in_([Role.STAFF.value, Role.ADMIN.value]))
        .where(col(User.active) == True)  # noqa: E712
    ).all()
    created = []
    for user in staff:
        # Programme staff hear only about their programmes' deals: names are scoped data too.
        mine = _within_scope(session, user, fresh)
        if not mine:
            continue
        title, body = _stalled_summary(mine, days)
        created.append(
            notify(
                session=session,
                user=user,
                kind=DEAL_STALLED,
                title=title,
                body=body,
                link="/deals",
                data={"deal_ids": [d.deal_id for d in mine]},
                dedupe_key=f"stalled:{now:%Y-%m-%d}",
            )
        )
    session.commit()
    return _count(created)


def _within_scope(session: Session, user: User, deals: list[StalledDeal]) -> list[StalledDeal]:
    scope = staff_venture_ids(session, user)
    if scope is None:
        return deals
    visible = set(session.exec(scope).all())
    return [d for d in deals if d.venture_id in visible]


def _stalled_summary(deals: list[StalledDeal], days: int) -> tuple[str, str]:
    lines = [
        f"{d.venture_name} and {d.investor_name}: {d.stage.replace('_', ' ')}, "
        f"quiet for {d.days_quiet} days"
        for d in deals[:STALLED_LISTED]
    ]
    more = len(deals) - len(lines)
    body = "\n\n".join(lines) + (f"\n\n…and {more} more." if more > 0 else "")
    title = f"{len(deals)} deal{'s' if len(deals) != 1 else ''} stalled (no event for {days} days)"
    return title, body
