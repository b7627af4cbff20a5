"""Email rows are unique per (recipient, dedupe key) and sent once; failures retry, then fail."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from tests.factories import FounderFactory
from webapp.config import Settings
from webapp.models import EmailDelivery, OutboxEvent, utcnow
from webapp.models.enums import EmailStatus
from webapp.services.outbox.mail import Outcome, deliver_email, queue_email


def _queue(session: Session, key: str = "welcome") -> EmailDelivery | None:
    user = FounderFactory(email="ada@example.org") if key == "welcome" else FounderFactory()
    email = queue_email(session=session, user=user, kind="test", subject="Hi", text_body="text",
                        html_body="<p>html</p>", dedupe_key=key)  # fmt: skip
    session.commit()
    return email


def test_queueing_twice_makes_one_row_and_one_event(session: Session) -> None:
    user = FounderFactory()
    first = queue_email(session=session, user=user, kind="k", subject="s", text_body="t",
                        html_body="h", dedupe_key="same")  # fmt: skip
    again = queue_email(session=session, user=user, kind="k", subject="s", text_body="t",
                        html_body="h", dedupe_key="same")  # fmt: skip
    session.commit()
    assert first is not None
    assert again is None
    assert len(session.exec(select(EmailDelivery)).all()) == 1
    assert [e.payload for e in session.exec(select(OutboxEvent)).all()] == [{"email_id": first.id}]


def test_without_smtp_the_message_is_written_once_as_an_eml_file(
    session: Session, settings: Settings
) -> None:
    email = _queue(session)
    assert email is not None
    assert (
        deliver_email(session=session, settings=settings, email_id=email.id).outcome is Outcome.SENT
    )
    again = deliver_email(session=session, settings=settings, email_id=email.id)
    assert again.outcome is Outcome.ALREADY_DONE
    files = list(settings.mail_dir.glob("*.eml"))
    assert len(files) == 1
    text = files[0].read_text()
    assert "Subject: Hi" in text
    assert "text/html" in text
    assert "text/plain" in text


def test_an_email_leased_by_another_sender_is_left_alone(
    session: Session, settings: Settings
) -> None:
    email = _queue(session, "leased")
    assert email is not None
    row = session.get(EmailDelivery, email.id)
    assert row is not None
    row.next_attempt_at = utcnow() + timedelta(seconds=30)  # someone is sending it
    session.add(row)
    session.commit()
    result = deliver_email(session=session, settings=settings, email_id=email.id)
    assert result.outcome is Outcome.BUSY


def test_smtp_failures_retry_then_end_as_failed_with_the_error(
    session: Session, settings: Settings
) -> None:
    unreachable = settings.model_copy(update={"smtp_url": "smtp://127.0.0.1:9"})
    email = _queue(session, "doomed")
    assert email is not None
    first = deliver_email(session=session, settings=unreachable, email_id=email.id,
                          max_attempts=2, backoff_base_s=0.01)  # fmt: skip
    assert first.outcome is Outcome.RETRY
    later = utcnow() + timedelta(seconds=5)
    second = deliver_email(session=session, settings=unreachable, email_id=email.id,
                           max_attempts=2, now=later)  # fmt: skip
    assert second.outcome is Outcome.FAILED
    row = session.get(EmailDelivery, email.id, populate_existing=True)
    assert row is not None
    assert row.status == EmailStatus.FAILED.value
    assert row.attempts == 2
    assert "Connection refused" in (row.last_error or "")
