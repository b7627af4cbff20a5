"""Putting ventures into programmes, with the founder's consent where the venture is private.

Enrolment shows a venture's details (its matches, introductions and deals) to the programme's
staff. A published venture is on show to every investor already, so anyone who sees the
programme may enrol it. A draft or closed venture belongs to its founder alone: staff who can
see it (admins and platform-wide staff) may only ask, and it joins when the founder accepts in
the app (`enrolment_requests`). A venture the caller may not see is answered exactly like one
that does not exist, so enrolment reveals nothing about which ids are taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from webapp.models import (
    EnrolmentRequest,
    Programme,
    ProgrammeVenture,
    User,
    Venture,
    utcnow,
)
from webapp.models.enums import EnrolmentRequestStatus, Visibility
from webapp.services.access.object_access import can_read_venture, staff_venture_ids
from webapp.services.access.staff_scope import staff_scope
from webapp.services.common.audit import record_audit
from webapp.services.common.errors import FieldError, NotFound, ValidationFailed
from webapp.services.common.ids import saved_id
from webapp.services.common.json_filters import dialect_name
from webapp.services.common.locks import begin_write
from webapp.services.common.pagination import Page, check_window
from webapp.services.common.text_match import contains_text
from webapp.services.outbox.notifications import notify
from webapp.services.ventures.programmes import visible_programme
from webapp.services.ventures.ventures import VentureFilters

# Notification kinds (action required, so emailed whatever the founder's match-news setting).
ENROLMENT_REQUESTED = "programme.enrolment_requested"  # founder: staff ask to enrol a venture
FOUNDER_PAGE = "/founder/programmes"
MAX_QUERY = 100


@dataclass(frozen=True, slots=True)
class EnrolResult:
    """What one enrolment did: ventures now in the programme, and ventures awaiting consent."""

    enrolled: list[int]
    requested: list[int]


class CandidateStatus(StrEnum):
    """What enrolling a candidate would do (or has done)."""

    ENROLLED = "enrolled"  # already in this programme
    CAN_ENROL = "can_enrol"  # published: joins at once
    NEEDS_CONSENT = "needs_consent"  # not published: the founder will be asked
    AWAITING_FOUNDER = "awaiting_founder"  # asked; no answer yet
    DECLINED = "declined"  # the founder said no


@dataclass(frozen=True, slots=True)
class Candidate:
    """A venture found by the enrolment search, and what enrolling it would do."""

    venture: Venture
    status: CandidateStatus

    @property
    def selectable(self) -> bool:
        """Whether picking it does anything."""
        return self.status in {CandidateStatus.CAN_ENROL, CandidateStatus.NEEDS_CONSENT}


def _nameable(session: Session, actor: User, venture: Venture | None) -> bool:
    """Whether the caller may name this venture: published, or one they can read anyway."""
    if venture is None:
        return False
    if venture.visibility == Visibility.PUBLISHED.value:
        return True
    return can_read_venture(session, actor, venture)


def _declined(venture: Venture, present: bool, request: EnrolmentRequest | None) -> bool:
    """An unpublished venture whose founder said no to this programme: don't ask again."""
    return (
        not present
        and venture.visibility != Visibility.PUBLISHED.value
        and request is not None
        and request.status == EnrolmentRequestStatus.DECLINED.value
    )


def _requests(
    session: Session, programme_id: int, venture_ids: Sequence[int]
) -> dict[int, EnrolmentRequest]:
    rows = session.exec(
        select(EnrolmentRequest)
        .where(col(EnrolmentRequest.programme_id) == programme_id)
        .where(col(EnrolmentRequest.venture_id).in_(list(venture_ids)))
    ).all()
    return {r.venture_id: r for r in rows}


def _enrolled(session: Session, programme_id: int, venture_ids: Sequence[int]) -> set[int]:
    return set(
        session.exec(
            select(col(ProgrammeVenture.venture_id))
            .where(col(ProgrammeVenture.programme_id) == programme_id)
            .where(col(ProgrammeVenture.venture_id).in_(list(venture_ids)))
        ).all()
    )


def enrol_ventures(
    *,
    session: Session,
    actor: User,
    programme_id: int,
    venture_ids: Sequence[int],
    ip: str | None = None,
) -> EnrolResult:
    """Enrol published ventures, ask founders about the rest; all or nothing on a bad id."""
    begin_write(session=session, name="programmes")
    programme = visible_programme(session=session, viewer=actor, programme_id=programme_id)
    wanted = list(dict.fromkeys(venture_ids))
    found = {
        saved_id(v): v for v in session.exec(select(Venture).where(col(Venture.id).in_(wanted)))
    }
    present = _enrolled(session, saved_id(programme), wanted)
    asked = _requests(session, saved_id(programme), wanted)
    errors = []
    for i, vid in enumerate(wanted):
        venture = found.get(vid)
        if not _nameable(session, actor, venture):
            errors.append(FieldError(f"venture_ids[{i}]", f"no venture {vid}"))
        elif venture is not None and _declined(venture, vid in present, asked.get(vid)):
            answered = asked[vid].answered_at or asked[vid].created_at
            errors.append(
                FieldError(
                    f"venture_ids[{i}]",
                    f"The founder of {venture.name} declined to join this programme on "
                    f"{answered:%-d %B %Y}; it can join once they publish it",
                )
            )
    if errors:
        raise ValidationFailed(errors)
    enrolled: list[int] = []
    requested: list[int] = []
    newly_asked: list[EnrolmentRequest] = []
    for vid in wanted:
        if vid in present:
            continue
        if found[vid].visibility == Visibility.PUBLISHED.value:
            session.add(ProgrammeVenture(programme_id=saved_id(programme), venture_id=vid))
            enrolled.append(vid)
            continue
        requested.append(vid)
        earlier = asked.get(vid)
        if earlier is not None and earlier.status == EnrolmentRequestStatus.PENDING.value:
            continue  # still waiting for the founder: don't ask twice
        request = earlier or EnrolmentRequest(programme_id=saved_id(programme), venture_id=vid)
        request.status = EnrolmentRequestStatus.PENDING.value  # asked again after a withdrawal
        request.requested_by = actor.id
        request.created_at = utcnow()
        request.answered_at = None
        session.add(request)
        newly_asked.append(request)
    session.flush()
    for request in newly_asked:
        _ask_founder(session, programme, found[request.venture_id], request, actor)
    if enrolled:
        record_audit(
            session=session,
            actor=actor,
            action="programme.enrol",
            object_type="programme",
            object_id=programme.id,
            after={"venture_ids": enrolled},
            ip=ip,
        )
    for request in newly_asked:
        # Filed under the venture, not the programme: the programme's staff read its audit
        # trail, and a draft's id is its founder's until they accept.
        record_audit(
            session=session,
            actor=actor,
            action="programme.enrolment_requested",
            object_type="venture",
            object_id=request.venture_id,
            after={"programme_id": programme.id, "request_id": request.id},
            ip=ip,
        )
    session.commit()
    return EnrolResult(enrolled=enrolled, requested=requested)


def _ask_founder(
    session: Session,
    programme: Programme,
    venture: Venture,
    request: EnrolmentRequest,
    actor: User,
) -> None:
    owner = session.get(User, venture.owner_id)
    if owner is None:
        return
    state = "a draft" if venture.visibility == Visibility.DRAFT.value else "closed"
    notify(
        session=session,
        user=owner,
        kind=ENROLMENT_REQUESTED,
        title=f"{programme.name} would like to enrol {venture.name}",
        body=(
            f"{actor.name} asked to add {venture.name} to the programme {programme.name}. "
            f"Your venture is {state}, so it joins only if you accept.\n\n"
            "If you accept, the programme's staff see its details, matches, introductions and "
            "deals. Nothing changes until you answer."
        ),
        link=FOUNDER_PAGE,
        data={
            "enrolment_request_id": request.id,
            "programme_id": programme.id,
            "venture_id": venture.id,
        },
        dedupe_key=f"enrolment-request:{request.id}:{request.created_at:%Y%m%d%H%M%S}",
    )


def withdraw_venture(
    *, session: Session, actor: User, programme_id: int, venture_id: int, ip: str | None = None
) -> None:
    """Take a venture out of a programme."""
    programme = visible_programme(session=session, viewer=actor, programme_id=programme_id)
    link = session.get(ProgrammeVenture, (programme.id, venture_id))
    if link is None:
        raise NotFound(f"Venture {venture_id} is not enrolled in programme {programme_id}")
    session.delete(link)
    record_audit(
        session=session,
        actor=actor,
        action="programme.withdraw",
        object_type="programme",
        object_id=programme.id,
        before={"venture_id": venture_id},
        ip=ip,
    )
    session.commit()


def enrolment_candidates(
    *,
    session: Session,
    viewer: User,
    programme_id: int,
    name: str | None = None,
    filters: VentureFilters | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Page[Candidate]:
    """Ventures the viewer may enrol, by name and filters, each with what enrolling would do.

    Programme staff find published ventures (and ones already in their programmes); admins and
    platform-wide staff find every venture, where unpublished ones need the founder's consent.
    """
    check_window(limit, offset)
    programme = visible_programme(session=session, viewer=viewer, programme_id=programme_id)
    name = (name or "").strip()
    if len(name) > MAX_QUERY:
        raise ValidationFailed(
            [FieldError("q", f"{len(name)} characters; search with up to {MAX_QUERY}")]
        )
    where = (filters or VentureFilters()).clauses(dialect_name(session))
    if name:
        where.append(contains_text(col(Venture.name), name))
    if staff_scope(session=session, user=viewer) is not None:
        published = col(Venture.visibility) == Visibility.PUBLISHED.value
        scope = staff_venture_ids(session, viewer)
        where.append(or_(published, col(Venture.id).in_(scope)) if scope is not None else published)
    total = session.exec(select(func.count()).select_from(Venture).where(*where)).one()
    ventures = list(
        session.exec(
            select(Venture)
            .where(*where)
            .order_by(func.lower(col(Venture.name)), col(Venture.id))
            .limit(limit)
            .offset(offset)
        ).all()
    )
    ids = [saved_id(v) for v in ventures]
    present = _enrolled(session, saved_id(programme), ids)
    asked = _requests(session, saved_id(programme), ids)
    items = [
        Candidate(venture=v, status=_status(v, present, asked.get(saved_id(v)))) for v in ventures
    ]
    return Page(items=items, total=int(total), limit=limit, offset=offset)


def _status(
    venture: Venture, present: set[int], request: EnrolmentRequest | None
) -> CandidateStatus:
    if venture.id in present:
        return CandidateStatus.ENROLLED
    if venture.visibility == Visibility.PUBLISHED.value:
        return CandidateStatus.CAN_ENROL
    if request is not None and request.status == EnrolmentRequestStatus.PENDING.value:
        return CandidateStatus.AWAITING_FOUNDER
    if request is not None and request.status == EnrolmentRequestStatus.DECLINED.value:
        return CandidateStatus.DECLINED
    return CandidateStatus.NEEDS_CONSENT
