"""Double opt-in introductions: one side asks, the other accepts (opening a deal) or declines.

Contact details cross over only once an introduction is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from webapp.models import (
    Deal,
    DealEvent,
    Introduction,
    InvestorProfile,
    User,
    Venture,
    utcnow,
)
from webapp.models.enums import CLOSED_DEAL_STAGES, DealStage, IntroductionStatus, Role, Visibility
from webapp.services.access.object_access import (
    deal_side,
    is_staff,
    member_investor,
    member_investor_id,
    owned_venture,
    readable_introduction,
    readable_venture,
    staff_venture_ids,
)
from webapp.services.common.audit import record_audit
from webapp.services.common.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from webapp.services.common.ids import saved_id
from webapp.services.common.pagination import Page, check_window
from webapp.services.common.text_checks import check_text
from webapp.services.outbox.outbox import (
    DEAL_CHANGED,
    INTRODUCTION_ANSWERED,
    INTRODUCTION_REQUESTED,
    record_event,
)

OPEN_DEAL_STAGES = tuple(s.value for s in DealStage if s not in CLOSED_DEAL_STAGES)


@dataclass(frozen=True)
class Contact:
    """How to reach the other side, shown only after acceptance."""

    name: str
    email: str
    phone: str | None
    organisation: str

    def details(self) -> list[tuple[str, str]]:
        """(label, value) rows, as notices and emails list them."""
        rows = [("Name", self.name), ("Organisation", self.organisation), ("Email", self.email)]
        return [*rows, ("Phone", self.phone or "Not given")]


@dataclass(frozen=True)
class IntroductionView:
    """An introduction with the names people recognise and, once accepted, the contact."""

    introduction: Introduction
    venture_name: str
    investor_name: str
    deal_id: int | None
    contact: Contact | None


def _open_conflicts(session: Session, venture_id: int, investor_id: int) -> None:
    open_intro = session.exec(
        select(Introduction.id)
        .where(Introduction.venture_id == venture_id)
        .where(Introduction.investor_id == investor_id)
        .where(Introduction.status == IntroductionStatus.REQUESTED.value)
    ).first()
    if open_intro is not None:
        raise Conflict(f"Introduction {open_intro} for this venture and investor is already open")
    open_deal = session.exec(
        select(Deal.id)
        .where(Deal.venture_id == venture_id)
        .where(Deal.investor_id == investor_id)
        .where(col(Deal.stage).in_(OPEN_DEAL_STAGES))
    ).first()
    if open_deal is not None:
        raise Conflict(f"Deal {open_deal} between this venture and investor is already open")


def request_introduction(
    *,
    session: Session,
    actor: User,
    venture_id: int,
    investor_id: int,
    message: str | None = None,
) -> Introduction:
    """An investor member or the venture's founder asks to be introduced."""
    check_text(message=message)
    if actor.role == Role.INVESTOR.value:
        member_investor(session, actor, investor_id)
        venture = readable_venture(session, actor, venture_id)
    elif actor.role == Role.FOUNDER.value:
        venture = owned_venture(session, actor, venture_id)
        profile = session.get(InvestorProfile, investor_id)
        if profile is None or not profile.active:
            raise NotFound(f"No investor {investor_id}")
    else:
        raise Forbidden("Introductions are requested by a founder or an investor")
    if venture.visibility != Visibility.PUBLISHED.value:
        raise ValidationFailed(
            [FieldError("venture_id", f"venture {venture_id} is not published; publish it first")]
        )
    _open_conflicts(session, venture_id, investor_id)
    intro = Introduction(
        venture_id=venture_id,
        investor_id=investor_id,
        requested_by=actor.id,
        requested_by_role=actor.role,
        message=message,
    )
    session.add(intro)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent request won the unique index
        session.rollback()
        raise Conflict("An introduction for this venture and investor is already open") from exc
    _audit(session, actor, intro, "introduction.requested")
    record_event(
        session=session,
        kind=INTRODUCTION_REQUESTED,
        payload={
            "introduction_id": intro.id,
            "venture_id": venture_id,
            "investor_id": investor_id,
            "requested_by": actor.id,
            "requested_by_role": actor.role,
        },
    )
    session.commit()
    return intro


def _audit(
    session: Session, actor: User, intro: Introduction, action: str, deal_id: int | None = None
) -> None:
    """Record the step in the audit log: ids and status only (messages and reasons are theirs)."""
    after: dict[str, object] = {"status": intro.status, "venture_id": intro.venture_id,
                                "investor_id": intro.investor_id}  # fmt: skip
    if deal_id is not None:
        after["deal_id"] = deal_id
    record_audit(session=session, actor=actor, action=action, object_type="introduction",
                 object_id=intro.id, after=after)  # fmt: skip


def _answerable(session: Session, actor: User, introduction_id: int) -> Introduction:
    intro = readable_introduction(session, actor, introduction_id)
    side = deal_side(session, actor, intro.venture_id, intro.investor_id)
    if side is None:
        raise Forbidden("Only the two sides of an introduction can answer it")
    if side == intro.requested_by_role:
        raise Forbidden("The other side answers an introduction; you can withdraw your request")
    if intro.status != IntroductionStatus.REQUESTED.value:
        raise Conflict(f"Introduction {introduction_id} is already {intro.status}")
    return intro


def accept_introduction(*, session: Session, actor: User, introduction_id: int) -> Introduction:
    """The other side accepts: contact details cross over and a deal opens."""
    intro = _answerable(session, actor, introduction_id)
    now = utcnow()
    intro.status = IntroductionStatus.ACCEPTED.value
    intro.responded_by = actor.id
    intro.responded_at = now
    session.add(intro)
    deal = Deal(
        introduction_id=saved_id(intro),
        venture_id=intro.venture_id,
        investor_id=intro.investor_id,
        stage=DealStage.ACCEPTED.value,
        created_at=now,
        updated_at=now,
    )
    session.add(deal)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("A deal between this venture and investor is already open") from exc
    session.add(
        DealEvent(
            deal_id=saved_id(deal),
            stage=DealStage.INTRODUCTION_REQUESTED.value,
            actor_id=intro.requested_by,
            at=intro.created_at,
        )
    )
    session.add(
        DealEvent(deal_id=saved_id(deal), stage=DealStage.ACCEPTED.value, actor_id=actor.id, at=now)
    )
    _audit(session, actor, intro, "introduction.accepted", deal_id=deal.id)
    record_event(
        session=session,
        kind=INTRODUCTION_ANSWERED,
        payload={
            "introduction_id": intro.id,
            "status": intro.status,
            "deal_id": deal.id,
            "actor_id": actor.id,
        },
    )
    record_event(
        session=session,
        kind=DEAL_CHANGED,
        payload={"deal_id": deal.id, "stage": deal.stage, "previous_stage": None},
    )
    session.commit()
    return intro


def decline_introduction(
    *, session: Session, actor: User, introduction_id: int, reason: str | None = None
) -> Introduction:
    """The other side declines, optionally saying why."""
    check_text(reason=reason)
    intro = _answerable(session, actor, introduction_id)
    intro.status = IntroductionStatus.DECLINED.value
    intro.decline_reason = reason
    return _closed_without_deal(session, actor, intro, "introduction.declined")


def withdraw_introduction(*, session: Session, actor: User, introduction_id: int) -> Introduction:
    """The requesting side takes back a request that is still open."""
    intro = readable_introduction(session, actor, introduction_id)
    side = deal_side(session, actor, intro.venture_id, intro.investor_id)
    if side is None or side != intro.requested_by_role:
        raise Forbidden("Only the side that asked can withdraw an introduction request")
    if intro.status != IntroductionStatus.REQUESTED.value:
        raise Conflict(f"Introduction {introduction_id} is already {intro.status}")
    intro.status = IntroductionStatus.WITHDRAWN.value
    return _closed_without_deal(session, actor, intro, "introduction.withdrawn")


def _closed_without_deal(
    session: Session, actor: User, intro: Introduction, action: str
) -> Introduction:
    """Record who closed the request and when, audit it, tell the other side; commit."""
    intro.responded_by = actor.id
    intro.responded_at = utcnow()
    session.add(intro)
    _audit(session, actor, intro, action)
    record_event(
        session=session,
        kind=INTRODUCTION_ANSWERED,
        payload={"introduction_id": intro.id, "status": intro.status, "deal_id": None,
                 "actor_id": actor.id},
    )  # fmt: skip
    session.commit()
    return intro


def _scope(session: Session, viewer: User) -> list[ColumnElement[bool]] | None:
    """WHERE clauses limiting introductions to the viewer's; None when they have none."""
    if is_staff(viewer):
        scope = staff_venture_ids(session, viewer)
        return [] if scope is None else [col(Introduction.venture_id).in_(scope)]
    if viewer.role == Role.FOUNDER.value:
        owned = select(Venture.id).where(Venture.owner_id == viewer.id)
        return [col(Introduction.venture_id).in_(owned)]
    investor_id = member_investor_id(session, viewer)
    if investor_id is None:
        return None
    return [col(Introduction.investor_id) == investor_id]


def list_introductions(
    *,
    session: Session,
    viewer: User,
    status: IntroductionStatus | None = None,
    venture_id: int | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Page[IntroductionView]:
    """The viewer's introductions (both directions), newest first; optionally one venture's."""
    check_window(limit, offset)
    scope = _scope(session, viewer)
    if scope is None:
        return Page(items=[], total=0, limit=limit, offset=offset)
    where = list(scope)
    if status is not None:
        where.append(col(Introduction.status) == IntroductionStatus(status).value)
    if venture_id is not None:
        where.append(col(Introduction.venture_id) == venture_id)
    total = session.exec(select(func.count()).select_from(Introduction).where(*where)).one()
    rows = session.exec(
        select(Introduction, Venture.name, InvestorProfile.name, Deal.id)
        .join(Venture, col(Venture.id) == col(Introduction.venture_id))
        .join(InvestorProfile, col(InvestorProfile.id) == col(Introduction.investor_id))
        .outerjoin(Deal, col(Deal.introduction_id) == col(Introduction.id))
        .where(*where)
        .order_by(col(Introduction.created_at).desc(), col(Introduction.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    contacts = _contacts(session, viewer, [row[0] for row in rows])
    items = [
        IntroductionView(
            introduction=intro,
            venture_name=venture_name,
            investor_name=investor_name,
            deal_id=deal_id,
            contact=contacts.get(intro.id),  # type: ignore[arg-type]
        )
        for intro, venture_name, investor_name, deal_id in rows
    ]
    return Page(items=items, total=int(total), limit=limit, offset=offset)


def get_introduction(*, session: Session, viewer: User, introduction_id: int) -> IntroductionView:
    """One introduction its sides (and staff) may read."""
    intro = readable_introduction(session, viewer, introduction_id)
    venture = session.get(Venture, intro.venture_id)
    profile = session.get(InvestorProfile, intro.investor_id)
    assert venture is not None  # foreign keys
    assert profile is not None
    deal_id = session.exec(select(Deal.id).where(Deal.introduction_id == intro.id)).first()
    return IntroductionView(
        introduction=intro,
        venture_name=venture.name,
        investor_name=profile.name,
        deal_id=deal_id,
        contact=_contacts(session, viewer, [intro]).get(intro.id),  # type: ignore[arg-type]
    )


def contacts_for(
    *, session: Session, viewer: User, introduction_ids: list[int]
) -> dict[int, Contact]:
    """The other side's contact for each of these introductions the viewer is still a side of.

    A fixed number of queries however many ids: the notification centre calls it per page.
    """
    scope = _scope(session, viewer)
    if scope is None or not introduction_ids or is_staff(viewer):
        return {}
    intros = session.exec(
        select(Introduction).where(col(Introduction.id).in_(set(introduction_ids)), *scope)
    ).all()
    return _contacts(session, viewer, list(intros))


def _contacts(session: Session, viewer: User, intros: list[Introduction]) -> dict[int, Contact]:
    """The other side's contact for each accepted introduction the viewer is a side of."""
    accepted = [i for i in intros if i.status == IntroductionStatus.ACCEPTED.value]
    if not accepted or is_staff(viewer):
        return {}
    found: dict[int, Contact] = {}
    if viewer.role == Role.INVESTOR.value:
        rows = session.exec(
            select(Venture.id, Venture.name, User)
            .join(User, col(User.id) == col(Venture.owner_id))
            .where(col(Venture.id).in_({i.venture_id for i in accepted}))
        ).all()
        by_venture = {vid: (vname, owner) for vid, vname, owner in rows}
        for intro in accepted:
            venture_name, owner = by_venture[intro.venture_id]
            found[saved_id(intro)] = Contact(owner.name, owner.email, owner.phone, venture_name)
        return found
    return _investor_contacts(session, accepted)


def _investor_contacts(session: Session, intros: list[Introduction]) -> dict[int, Contact]:
    """The investor-side person of each introduction (or the organisation's first member).

    Three queries for any number of introductions: profiles, the people named, the members.
    """
    profiles = {
        p.id: p
        for p in session.exec(
            select(InvestorProfile).where(
                col(InvestorProfile.id).in_({i.investor_id for i in intros})
            )
        ).all()
    }

    def named(intro: Introduction) -> int | None:
        investor_asked = intro.requested_by_role == Role.INVESTOR.value
        return intro.requested_by if investor_asked else intro.responded_by

    named_ids = {n for n in map(named, intros) if n is not None}
    people = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(named_ids))).all()}
    organisations = {p.organisation_id for p in profiles.values()}
    first_member: dict[int, User] = {}
    for member in session.exec(
        select(User).where(col(User.organisation_id).in_(organisations)).order_by(col(User.id))
    ).all():
        if member.organisation_id is not None:
            first_member.setdefault(member.organisation_id, member)
    found: dict[int, Contact] = {}
    for intro in intros:
        profile = profiles[intro.investor_id]
        person = people.get(named(intro) or 0)
        if person is None or person.organisation_id != profile.organisation_id:
            person = first_member.get(profile.organisation_id)
        found[saved_id(intro)] = (
            Contact(person.name, person.email, person.phone, profile.name)
            if person is not None
            else Contact(profile.name, "", None, profile.name)
        )
    return found


def introduction_for_pair(
    *, session: Session, venture_id: int, investor_id: int
) -> Introduction | None:
    """The newest introduction between a venture and an investor (for buttons on pages)."""
    return session.exec(
        select(Introduction)
        .where(Introduction.venture_id == venture_id)
        .where(Introduction.investor_id == investor_id)
        .order_by(col(Introduction.created_at).desc(), col(Introduction.id).desc())
    ).first()
