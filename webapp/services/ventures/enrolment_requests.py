"""Founders' side of enrolment: the requests about their ventures, their answers, and which
programmes their ventures are in. Staff see pending requests only when they can see drafts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from webapp.models import EnrolmentRequest, Programme, ProgrammeVenture, User, Venture, utcnow
from webapp.models.enums import EnrolmentRequestStatus
from webapp.services.access.staff_scope import staff_scope
from webapp.services.common.audit import record_audit
from webapp.services.common.errors import Conflict, NotFound
from webapp.services.common.ids import saved_id
from webapp.services.common.locks import begin_write
from webapp.services.outbox.notifications import answer_verb, tell_asker
from webapp.services.ventures.programmes import visible_programme

ENROLMENT_ANSWERED = "programme.enrolment_answered"  # the staff member who asked: the answer


@dataclass(frozen=True, slots=True)
class RequestView:
    """An enrolment request as the founder and staff see it."""

    id: int
    programme_id: int
    programme_name: str
    programme_description: str
    venture_id: int
    venture_name: str
    status: str
    requested_by_name: str | None
    created_at: datetime
    answered_at: datetime | None


def _views(session: Session, where: list[ColumnElement[bool]]) -> list[RequestView]:
    rows = session.exec(
        select(EnrolmentRequest, Programme, Venture, User)
        .join(Programme, col(Programme.id) == col(EnrolmentRequest.programme_id))
        .join(Venture, col(Venture.id) == col(EnrolmentRequest.venture_id))
        .outerjoin(User, col(User.id) == col(EnrolmentRequest.requested_by))
        .where(*where)
        .order_by(col(EnrolmentRequest.created_at).desc(), col(EnrolmentRequest.id).desc())
    ).all()
    return [
        RequestView(
            id=saved_id(r),
            programme_id=saved_id(p),
            programme_name=p.name,
            programme_description=p.description,
            venture_id=saved_id(v),
            venture_name=v.name,
            status=r.status,
            requested_by_name=u.name if u is not None else None,
            created_at=r.created_at,
            answered_at=r.answered_at,
        )
        for r, p, v, u in rows
    ]


def requests_for_founder(*, session: Session, founder: User) -> list[RequestView]:
    """Every request about the founder's ventures, waiting ones first, newest first."""
    found = _views(session, [col(Venture.owner_id) == founder.id])
    return sorted(found, key=lambda r: r.status != EnrolmentRequestStatus.PENDING.value)


def pending_requests(*, session: Session, viewer: User, programme_id: int) -> list[RequestView]:
    """Requests still waiting for a founder, shown only to those who may see the drafts.

    Programme staff don't see them: the venture's name is its founder's until they accept.
    """
    visible_programme(session=session, viewer=viewer, programme_id=programme_id)
    if staff_scope(session=session, user=viewer) is not None:
        return []
    return _views(
        session,
        [
            col(EnrolmentRequest.programme_id) == programme_id,
            col(EnrolmentRequest.status) == EnrolmentRequestStatus.PENDING.value,
        ],
    )


def answer_request(
    *, session: Session, actor: User, request_id: int, accept: bool, ip: str | None = None
) -> RequestView:
    """The founder accepts (the venture joins) or declines; staff who asked hear either way."""
    begin_write(session=session, name="programmes")
    request = session.get(EnrolmentRequest, request_id)
    venture = session.get(Venture, request.venture_id) if request is not None else None
    if request is None or venture is None or venture.owner_id != actor.id:
        raise NotFound(f"No enrolment request {request_id}")
    if request.status != EnrolmentRequestStatus.PENDING.value:
        raise Conflict(
            f"You already {request.status} this request"
            + (f" on {request.answered_at:%-d %B %Y}" if request.answered_at else "")
        )
    programme = session.get(Programme, request.programme_id)
    assert programme is not None  # the request is deleted with its programme
    request.status = (
        EnrolmentRequestStatus.ACCEPTED.value if accept else EnrolmentRequestStatus.DECLINED.value
    )
    request.answered_at = utcnow()
    session.add(request)
    if accept and session.get(ProgrammeVenture, (programme.id, venture.id)) is None:
        session.add(
            ProgrammeVenture(programme_id=saved_id(programme), venture_id=saved_id(venture))
        )
    record_audit(
        session=session,
        actor=actor,
        action="programme.enrolment_accepted" if accept else "programme.enrolment_declined",
        object_type="venture",
        object_id=venture.id,
        after={"programme_id": programme.id, "request_id": request.id},
        ip=ip,
    )
    tell_asker(
        session=session,
        asker_id=request.requested_by,
        kind=ENROLMENT_ANSWERED,
        title=f"The founder of {venture.name} {answer_verb(accept)} joining {programme.name}",
        body=(
            f"{venture.name} is now in {programme.name}."
            if accept
            else f"{venture.name} stays out of {programme.name}."
        ),
        link=f"/staff/programmes/{programme.id}",
        data={"enrolment_request_id": request.id, "programme_id": programme.id},
        dedupe_key=f"enrolment-answer:{request.id}:{request.answered_at:%Y%m%d%H%M%S}",
    )
    session.commit()
    [view] = _views(session, [col(EnrolmentRequest.id) == request_id])
    return view


@dataclass(frozen=True, slots=True)
class Membership:
    """One of the founder's ventures in a programme."""

    venture_name: str
    programme_name: str
    enrolled_at: datetime


def programmes_of_founder(*, session: Session, founder: User) -> list[Membership]:
    """Which programmes the founder's ventures are in: who can see them, stated plainly."""
    rows = session.exec(
        select(Venture.name, Programme.name, ProgrammeVenture.enrolled_at)
        .join(ProgrammeVenture, col(ProgrammeVenture.venture_id) == col(Venture.id))
        .join(Programme, col(Programme.id) == col(ProgrammeVenture.programme_id))
        .where(col(Venture.owner_id) == founder.id)
        .order_by(col(Venture.name), col(Programme.name))
    ).all()
    return [Membership(venture_name=v, programme_name=p, enrolled_at=at) for v, p, at in rows]
