"""Email rows are unique per (recipient, dedupe key) and sent once; failures retry, then fail."""

from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from tests.factories import FounderFactory
from webapp.config import Settings
from webapp.models import EmailDelivery, OutboxEvent, utcnow
from webapp.models.enums import EmailStatus
from webapp.services.outbox import mail
from webapp.services.outbox.mail import Delivery, Outcome, deliver_email, queue_email


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


class ScriptedSmtp:
    """A one-connection SMTP server that accepts the message and can be slow to say so, or
    never answer QUIT: what a real server does under load or on a flaky network."""

    def __init__(self, data_reply_after_s: float = 0.0, answer_quit: bool = True) -> None:
        self.data_reply_after_s = data_reply_after_s
        self.answer_quit = answer_quit
        self.accepted = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        connection, _ = self.listener.accept()
        with connection, connection.makefile("rb") as lines:
            connection.sendall(b"220 scripted ESMTP\r\n")
            for line in lines:
                verb = line.split(b" ", 1)[0].strip().upper()
                if verb == b"DATA":
                    connection.sendall(b"354 go ahead\r\n")
                    for body in lines:
                        if body == b".\r\n":
                            break
                    self.accepted += 1
                    time.sleep(self.data_reply_after_s)
                    connection.sendall(b"250 accepted\r\n")
                elif verb == b"QUIT":
                    if self.answer_quit:
                        connection.sendall(b"221 bye\r\n")
                    time.sleep(2)  # unanswered: the client gives up first
                    return
                else:
                    connection.sendall(b"250 ok\r\n")

    def close(self) -> None:
        self.listener.close()
        self.thread.join(5)


def _deliver_through(
    server: ScriptedSmtp, session: Session, settings: Settings, key: str
) -> tuple[EmailDelivery, Delivery]:
    """Queue one email and make one delivery attempt through the scripted server."""
    email = _queue(session, key)
    assert email is not None
    try:
        smtp = settings.model_copy(update={"smtp_url": server.url})
        return email, deliver_email(session=session, settings=smtp, email_id=email.id)
    finally:
        server.close()


@pytest.fixture
def short_smtp_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mail, "SMTP_TIMEOUT_S", 0.5)


def test_an_accepted_message_is_sent_even_when_quit_goes_unanswered(
    session: Session, settings: Settings, short_smtp_timeout: None
) -> None:
    """After the server's 250 to DATA the message is its: a goodbye that goes unanswered
    must not make the attempt look failed, or the retry would send the message again."""
    server = ScriptedSmtp(answer_quit=False)
    email, result = _deliver_through(server, session, settings, "quiet-goodbye")
    assert result.outcome is Outcome.SENT
    assert server.accepted == 1
    row = session.get(EmailDelivery, email.id, populate_existing=True)
    assert row is not None
    assert (row.status, row.attempts, row.last_error) == (EmailStatus.SENT.value, 1, None)


def test_a_conversation_that_breaks_off_is_recorded_with_its_own_error(
    session: Session, settings: Settings, short_smtp_timeout: None
) -> None:
    """A server slower than the timeout is recorded with the timeout, not with the reply to
    DATA that arrives late (a QUIT on the still-open connection would read it)."""
    server = ScriptedSmtp(data_reply_after_s=0.8)
    _, result = _deliver_through(server, session, settings, "slow-server")
    assert result.outcome is Outcome.RETRY
    assert result.error is not None
    assert "timed out" in result.error, result.error
    assert "250" not in result.error
