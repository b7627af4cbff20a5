"""In-app notifications and the emails that go with them, once per (user, dedupe key).

Every notice is in-app; `User.email_frequency` decides the email ("Email me about matches and
requests", as the account page puts it): instant → an email now, digest → the weekly digest,
off → none. Only account-security mail (confirmation, password reset) ignores the setting, and
it does not come through here. `notify` adds to the caller's transaction and does not commit.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from webapp.models import Notification, User, utcnow
from webapp.models.enums import EmailFrequency
from webapp.services.outbox import links
from webapp.services.outbox.mail import queue_email

# Notification kinds.
NEW_MATCH = "match.new"  # investor: a strong new venture entered the list
INVESTOR_INTERESTED = "venture.shortlisted"  # founder: an investor shortlisted the venture
INTRODUCTION_REQUESTED = "introduction.requested"  # the other side asked to meet
INTRODUCTION_ACCEPTED = "introduction.accepted"  # both sides: contact details
INTRODUCTION_DECLINED = "introduction.declined"
DEAL_MOVED = "deal.moved"  # the other party moved a deal on (or out)
DEAL_CLOSED = "deal.closed"  # a deal closed because the other party went away
ROUND_CLOSED = "venture.round_closed"  # investors in open deals: no new investors, deal goes on
DEAL_STALLED = "deal.stalled"  # staff: no deal event for 30 days


@cache
def _templates() -> Environment:
    environment = _environment()
    environment.filters["absolute"] = links.absolute  # every link in an email is absolute
    return environment


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("webapp", "templates/email"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


def render_email(template: str, **context: Any) -> tuple[str, str]:
    """Render the plain-text and HTML bodies of an email template."""
    env = _templates()
    return (
        env.get_template(f"{template}.txt").render(**context),
        env.get_template(f"{template}.html").render(**context),
    )


def _insert(session: Session) -> Any:
    name = session.get_bind().dialect.name
    return postgresql.insert if name == "postgresql" else sqlite.insert


def notify(
    *,
    session: Session,
    user: User,
    kind: str,
    title: str,
    body: str,
    link: str | None = None,
    data: dict[str, Any] | None = None,
    dedupe_key: str,
    email: bool = True,
    details: list[tuple[str, str]] | None = None,
) -> Notification | None:
    """Tell `user` something once: in-app always, by email as their preference says."""
    if user.id is None:
        raise ValueError("notify: the user must be saved (user.id is None)")
    statement = (
        _insert(session)(Notification)
        .values(
            user_id=user.id,
            kind=kind,
            title=title[:200],
            body=body[:4000],
            link=link,
            data=data or {},
            dedupe_key=dedupe_key[:200],
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
        .returning(col(Notification.id))
    )
    notification_id = session.exec(statement).scalar_one_or_none()
    if notification_id is None:
        return None
    if email and user.active and _email_now(user):
        text_body, html_body = render_email(
            "notification",
            subject=title,
            title=title,
            paragraphs=[p for p in body.split("\n\n") if p.strip()],
            details=details or [],
            link=link,
        )
        queue_email(
            session=session,
            user=user,
            kind=kind,
            subject=title,
            text_body=text_body,
            html_body=html_body,
            dedupe_key=f"notification:{dedupe_key}",
        )
    return session.get(Notification, notification_id)


def answer_verb(accept: bool) -> str:
    """How a notice words a yes or a no to something someone asked for."""
    return "accepted" if accept else "declined"


def tell_asker(
    *,
    session: Session,
    asker_id: int | None,
    kind: str,
    title: str,
    body: str,
    link: str,
    data: dict[str, Any],
    dedupe_key: str,
) -> None:
    """Tell whoever asked (if their account is still there) that their request was answered.

    In-app only: the answer waits for them on their next visit; it is not worth an email.
    """
    asker = session.get(User, asker_id) if asker_id else None
    if asker is not None:
        notify(session=session, user=asker, kind=kind, title=title, body=body, link=link,
               data=data, dedupe_key=dedupe_key, email=False)  # fmt: skip


def _email_now(user: User) -> bool:
    """Only people who asked for instant email get one now; the digest or the app tells the rest."""
    return user.email_frequency == EmailFrequency.INSTANT.value
