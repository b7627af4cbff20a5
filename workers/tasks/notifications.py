"""Queue `notifications`: email delivery and the notices events produce."""

from __future__ import annotations

from webapp.services.notices import match_news
from webapp.services.outbox.mail import Outcome, deliver_email
from workers.base import VentureTask, WaitUntil, venture_task
from workers.termination import termination_deferred


@venture_task(soft_time_limit=60, time_limit=90)
def send_email(
    self: VentureTask,
    email_id: int,
    event_id: int | None = None,  # noqa: ARG001 - read by VentureTask.record_failure
) -> str:
    """Deliver one queued email once; come back at its next attempt while it stays pending."""
    if not isinstance(email_id, int) or isinstance(email_id, bool):
        raise TypeError(f"email_id={email_id!r}; expected an integer id")
    rt = self.runtime
    # Claim, send and record as one step: Celery's cancel (a lost broker, a soft shutdown
    # running out) between the server taking the message and the record would send it twice.
    with termination_deferred(), rt.session() as session:
        delivery = deliver_email(
            session=session,
            settings=rt.settings,
            email_id=email_id,
            lease_s=rt.tuning.email_lease_s,
            max_attempts=rt.tuning.email_max_attempts,
            backoff_base_s=rt.tuning.email_backoff_base_s,
        )
    if delivery.outcome is Outcome.MISSING:
        raise LookupError(f"email {email_id} does not exist")
    if delivery.outcome in (Outcome.RETRY, Outcome.BUSY) and delivery.retry_at is not None:
        # Not a Celery retry: a message held for up to an hour would outlive the visibility
        # timeout. The outbox event (or, for a sweep's task, the email sweep) brings it back.
        raise WaitUntil(delivery.retry_at, delivery.error or "another attempt holds the email")
    return delivery.outcome.value


@venture_task()
def announce_shortlist(
    self: VentureTask,
    venture_id: int,
    investor_id: int,
    event_id: int | None = None,  # noqa: ARG001 - read by VentureTask.record_failure
) -> int:
    """Tell a founder an investor shortlisted their venture."""
    with self.runtime.session() as session:
        return match_news.announce_shortlist(
            session=session, venture_id=venture_id, investor_id=investor_id
        )


@venture_task()
def announce_introduction(
    self: VentureTask,
    introduction_id: int,
    status: str | None = None,
    event_id: int | None = None,  # noqa: ARG001 - read by VentureTask.record_failure
) -> int:
    """Tell the right people about an introduction request or answer (the event's `status`)."""
    with self.runtime.session() as session:
        return match_news.announce_introduction(
            session=session, introduction_id=introduction_id, status=status
        )
