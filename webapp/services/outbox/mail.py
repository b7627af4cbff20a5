"""Email: queue a message inside the caller's transaction, and deliver it exactly once.

Exactly once: the unique (to_address, dedupe_key) stops a second row. An attempt first claims
the row (a new `claim_token`, the attempt counted, the row leased for `lease_s`) in its own
commit, so no other worker sends it meanwhile; only the holder of that token can record the
outcome, and recording "sent" is retried through a busy or briefly unreachable database
rather than given up (giving up is what used to send an email twice). A pending row whose
lease ran out with a token still set was interrupted between claiming and recording (a live
sender keeps renewing its lease, however slow the server, so only a dead one lets it lapse): the
`.eml` sink looks for the file that attempt wrote (named by the recipient and dedupe key, so
writing it again would replace, not add) and records it as sent; over SMTP it cannot know, so
it sends again with the same Message-ID, which receiving servers use to drop the copy. The
worker holds back Celery's cancel from claim to record (`workers.termination`), so cancelling
the task no longer interrupts an attempt; a SIGKILL or a lost machine still can.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import os
import random
import secrets
import smtplib
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select, update

from webapp.config import Settings
from webapp.models import EmailDelivery, User, utcnow
from webapp.models.enums import EmailStatus
from webapp.services.common.locks import begin_write
from webapp.services.outbox.outbox import EMAIL_QUEUED, record_event

log = logging.getLogger(__name__)

FROM_ADDRESS = "venturematch <no-reply@venturematch.local>"
MESSAGE_ID_DOMAIN = "venturematch.local"
SMTP_TIMEOUT_S = 20.0
# A lease longer than one SMTP conversation; a worker killed mid-send frees the row after it.
LEASE_S = 60.0
MAX_ATTEMPTS = 8
BACKOFF_BASE_S = 30.0
BACKOFF_MAX_S = 3600.0
# Recording an outcome waits through a locked or briefly unreachable database (about 15 s).
RECORD_PAUSES_S = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


class Outcome(enum.StrEnum):
    """What one call of `deliver_email` did."""

    SENT = "sent"
    RETRY = "retry"  # failed this time; try again at `retry_at`
    FAILED = "failed"  # gave up: status is failed, last_error says why
    ALREADY_DONE = "already_done"  # sent or failed before: nothing to do
    BUSY = "busy"  # another worker holds the lease, or the next attempt is not due yet
    MISSING = "missing"  # no such row (erased with its user)


@dataclass(frozen=True)
class Delivery:
    """The outcome of one delivery attempt and, when it should be retried, when."""

    outcome: Outcome
    retry_at: datetime | None = None
    error: str | None = None


def _insert(session: Session) -> Any:
    """`INSERT … ON CONFLICT DO NOTHING` for the session's dialect."""
    name = session.get_bind().dialect.name
    return postgresql.insert if name == "postgresql" else sqlite.insert


def queue_email(
    *,
    session: Session,
    user: User,
    kind: str,
    subject: str,
    text_body: str,
    html_body: str,
    dedupe_key: str,
) -> EmailDelivery | None:
    """Queue one email to `user` in the caller's transaction; None if already queued."""
    if user.id is None:
        raise ValueError("queue_email: the user must be saved (user.id is None)")
    now = utcnow()
    insert = _insert(session)
    statement = (
        insert(EmailDelivery)
        .values(
            user_id=user.id,
            to_address=str(user.email).lower(),
            kind=kind,
            subject=subject[:300],
            text_body=text_body,
            html_body=html_body,
            dedupe_key=dedupe_key[:200],
            status=EmailStatus.PENDING.value,
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
        .on_conflict_do_nothing(index_elements=["to_address", "dedupe_key"])
        .returning(col(EmailDelivery.id))
    )
    email_id = session.exec(statement).scalar_one_or_none()
    if email_id is None:
        return None
    record_event(session=session, kind=EMAIL_QUEUED, payload={"email_id": int(email_id)})
    return session.get(EmailDelivery, email_id)


def backoff_delay(
    attempt: int, *, base_s: float = BACKOFF_BASE_S, cap_s: float = BACKOFF_MAX_S
) -> float:
    """Exponential backoff with full jitter: uniform in [base/2, min(cap, base·2^(n-1))]."""
    ceiling = min(cap_s, base_s * 2 ** max(attempt - 1, 0))
    return random.uniform(min(base_s / 2, ceiling), ceiling)  # noqa: S311 - jitter, not crypto


def due_email_ids(*, session: Session, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending emails whose next attempt is due, oldest first (for the periodic sweep)."""
    now = now or utcnow()
    rows = session.exec(
        select(EmailDelivery.id)
        .where(col(EmailDelivery.status) == EmailStatus.PENDING.value)
        .where(col(EmailDelivery.next_attempt_at) <= now)
        .order_by(col(EmailDelivery.next_attempt_at))
        .limit(limit)
    ).all()
    return [int(r) for r in rows if r is not None]


def deliver_email(
    *,
    session: Session,
    settings: Settings,
    email_id: int,
    lease_s: float = LEASE_S,
    max_attempts: int = MAX_ATTEMPTS,
    backoff_base_s: float = BACKOFF_BASE_S,
    now: datetime | None = None,
) -> Delivery:
    """Send one queued email if it is still pending and nobody else is sending it; commits."""
    now = now or utcnow()
    begin_write(session=session, name="email")
    email = session.get(EmailDelivery, email_id, populate_existing=True)
    if email is None:
        session.rollback()
        return Delivery(Outcome.MISSING)
    if email.status != EmailStatus.PENDING.value:
        session.rollback()
        return Delivery(Outcome.ALREADY_DONE)
    if email.next_attempt_at > now:
        session.rollback()
        return Delivery(Outcome.BUSY, retry_at=email.next_attempt_at)
    interrupted = email.claim_token is not None
    token = secrets.token_hex(16)
    won = session.exec(
        update(EmailDelivery)
        .where(col(EmailDelivery.id) == email_id)
        .where(col(EmailDelivery.attempts) == email.attempts)  # nobody claimed it since we read
        .values(
            claim_token=token,
            attempts=email.attempts + 1,
            next_attempt_at=now + timedelta(seconds=lease_s),
        )
    ).rowcount
    session.commit()  # the claim is visible to every other worker before we send
    if not won:
        return Delivery(Outcome.BUSY, retry_at=now + timedelta(seconds=lease_s))
    email = session.get(EmailDelivery, email_id, populate_existing=True)
    session.rollback()  # end the read: the outcome is written under the claim after sending
    if email is None:
        return Delivery(Outcome.MISSING)
    message = build_message(email)

    if interrupted and settings.smtp_url is None and eml_path(settings.mail_dir, message).exists():
        # The interrupted attempt wrote the file and stopped before recording it.
        _record(session, email_id, token, status=EmailStatus.SENT.value, sent_at=utcnow(),
                message_id=str(message["Message-ID"]), last_error=None)  # fmt: skip
        return Delivery(Outcome.SENT)
    if interrupted:
        log.warning("email %s: an earlier attempt stopped after claiming it; sending again "
                    "with the same Message-ID", email_id)  # fmt: skip
    try:
        with _lease_kept(session, email_id, token, lease_s):
            message_id = send_message(settings, message)
    except (OSError, smtplib.SMTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if email.attempts >= max_attempts:
            _record(session, email_id, token, status=EmailStatus.FAILED.value, last_error=error)
            return Delivery(Outcome.FAILED, error=error)
        delay = backoff_delay(email.attempts, base_s=backoff_base_s)
        retry_at = utcnow() + timedelta(seconds=delay)
        _record(session, email_id, token, next_attempt_at=retry_at, last_error=error)
        return Delivery(Outcome.RETRY, retry_at=retry_at, error=error)
    _record(
        session, email_id, token, status=EmailStatus.SENT.value, sent_at=utcnow(),
        message_id=message_id, last_error=None,
    )  # fmt: skip
    return Delivery(Outcome.SENT)


@contextmanager
def _lease_kept(session: Session, email_id: int, token: str, lease_s: float) -> Iterator[None]:
    """Push the claim's lease on every third of it while this process sends.

    A slow SMTP conversation (a server that stalls, a long queue on its side) must not let the
    lease run out: another worker would claim the row and send it too, alongside. Only a
    sender that died stops renewing, so only its emails are claimed again.
    """
    engine = session.get_bind()
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(lease_s / 3):
            try:
                with Session(engine) as own:
                    begin_write(session=own, name="email")
                    own.exec(
                        update(EmailDelivery)
                        .where(col(EmailDelivery.id) == email_id)
                        .where(col(EmailDelivery.claim_token) == token)
                        .values(next_attempt_at=utcnow() + timedelta(seconds=lease_s))
                    )
                    own.commit()
            except OperationalError:  # a busy database: two thirds of the lease are left
                log.warning("email %s: could not renew its lease this time", email_id)

    renewer = threading.Thread(target=renew, name=f"email-{email_id}-lease", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()


def _record(session: Session, email_id: int, token: str, **values: Any) -> None:
    """Write an attempt's outcome under its claim, waiting through a busy database.

    A failure here after a send would leave the row looking unsent to the next attempt, so it
    is retried for a while; only an outage longer than that leaves the row interrupted.
    """
    for pause in (*RECORD_PAUSES_S, None):
        try:
            begin_write(session=session, name="email")
            session.exec(
                update(EmailDelivery)
                .where(col(EmailDelivery.id) == email_id)
                .where(col(EmailDelivery.claim_token) == token)
                .values(claim_token=None, **values)
            )
            session.commit()
            return
        except OperationalError as exc:
            session.rollback()
            if pause is None:
                raise
            log.warning("email %s: outcome not recorded yet (%s); again in %s s",
                        email_id, exc, pause)  # fmt: skip
            time.sleep(pause)


def message_id_for(email: EmailDelivery) -> str:
    """A Message-ID that names the recipient and dedupe key: the same on every attempt."""
    digest = hashlib.sha256(f"{email.to_address}|{email.dedupe_key}".encode()).hexdigest()[:32]
    return f"<{digest}@{MESSAGE_ID_DOMAIN}>"


def eml_path(directory: Path, message: EmailMessage) -> Path:
    """Where the `.eml` sink keeps a message: one file per recipient and dedupe key."""
    return directory / f"{str(message['Message-ID']).strip('<>').split('@')[0]}.eml"


def build_message(email: EmailDelivery) -> EmailMessage:
    """A multipart/alternative message with the plain-text and HTML bodies."""
    message = EmailMessage()
    message["From"] = FROM_ADDRESS
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = formatdate(email.created_at.timestamp(), usegmt=True)
    message["Message-ID"] = message_id_for(email)
    message["X-Venturematch-Kind"] = email.kind
    message.set_content(email.text_body)
    message.add_alternative(email.html_body, subtype="html")
    return message


def send_message(settings: Settings, message: EmailMessage) -> str:
    """Hand the message to SMTP_URL, or write it under the mail directory; returns Message-ID."""
    if settings.smtp_url is None:
        write_eml(settings.mail_dir, message)
    else:
        _send_smtp(settings.smtp_url, message)
    return str(message["Message-ID"])


def write_eml(directory: Path, message: EmailMessage) -> Path:
    """Write the message atomically: a repeat replaces the file instead of adding one."""
    directory.mkdir(parents=True, exist_ok=True)
    target = eml_path(directory, message)
    partial = directory / f".{target.stem}.{os.getpid()}.part"
    partial.write_bytes(message.as_bytes())
    partial.replace(target)
    return target


def _send_smtp(url: str, message: EmailMessage) -> None:
    """smtps:// is TLS from the start; smtp:// upgrades with STARTTLS on port 587 or ?starttls=1."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = parts.hostname or "localhost"
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, parts.port or 465, timeout=SMTP_TIMEOUT_S, context=context)
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=SMTP_TIMEOUT_S)
    with client:
        starttls = query.get("starttls", ["1" if parts.port == 587 else "0"])[0]
        if parts.scheme == "smtp" and starttls.lower() in {"1", "true", "yes"}:
            client.starttls(context=context)
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
