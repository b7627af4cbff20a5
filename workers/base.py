"""The task base class: per-process resources, retries, a delivery cap, recorded failures,
and the bookkeeping that makes the outbox the record of work owed.

Tasks stay thin: they open a session from `self.runtime` and call one service. Transient
errors (database locked or unreachable, Redis down, SMTP trouble) retry with exponential
backoff and jitter; anything else is a recorded failure (an audit-log row `task.failed`, and
the `last_error` of the outbox event that caused it), acknowledged so it does not loop.

Around every delivery: a copy of work that already finished is skipped; work another live
process is running waits for it (`workers.claims`); when the body returns (or fails for good)
the outbox event's part is marked finished, and only then. A task that must wait (an email's
next attempt) raises `WaitUntil`: an outbox task ends and its event comes round again then.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import redis
from celery import Task, shared_task
from celery.exceptions import Reject, Retry
from celery.utils.time import get_exponential_backoff_interval
from sqlalchemy.exc import DBAPIError, OperationalError

from webapp.models import utcnow
from webapp.services.common.audit import record_audit
from webapp.services.outbox import outbox
from workers.runtime import Runtime, runtime

log = logging.getLogger(__name__)

TRANSIENT: tuple[type[BaseException], ...] = (
    OperationalError,
    redis.ConnectionError,
    redis.TimeoutError,
    smtplib.SMTPException,
    ConnectionError,
    TimeoutError,
)
F = TypeVar("F", bound=Callable[..., Any])
DELIVERY_KEY = "venturematch:deliveries:"
DELIVERY_TTL_S = 24 * 3600
# The relay adds this to the kwargs of each task it publishes (which task of the event's plan
# it is); the base class takes it out before the task body sees its arguments.
OUTBOX_PART = "outbox_part"
# Added to the kwargs of a task sent again to wait (see `VentureTask.wait_again`): how many
# times it has waited. Taken out too; deliveries are counted per wait.
WAITED = "waited"


class WaitUntil(Exception):
    """Raised by a task body that cannot finish before `at` (nothing is wrong)."""

    def __init__(self, at: datetime, reason: str) -> None:
        super().__init__(reason)
        self.at = at
        self.reason = reason


class VentureTask(Task):  # type: ignore[misc]
    """Base of every task: `self.runtime` holds this process's engine, settings and Redis."""

    abstract = True
    autoretry_for = TRANSIENT
    # Celery's own backoff is off: `retry` computes it from the tuning (doubling from 2 s up to
    # `retry_backoff_max_s`, full jitter), which Celery's class attributes cannot read.
    retry_backoff = False
    max_retries = 8
    # Celery checks a task's arguments when it is sent, and `retry` sends it again: the kwargs
    # the relay and `wait_again` add (`outbox_part`, `waited`), which the body never sees,
    # failed that check with a TypeError, so an outbox task could neither retry nor wait. The
    # tasks check their own arguments where it matters (ids are checked in each body).
    typing = False
    acks_late = True
    reject_on_worker_lost = True

    @property
    def runtime(self) -> Runtime:
        """Engine, settings, tuning and Redis of this process (the model cache is per process
        too, in `webapp.services.ranking.model_registry` and `scoring_cache`)."""
        return runtime(self.app)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        part = kwargs.pop(OUTBOX_PART, None)
        kwargs.pop(WAITED, None)
        if self.request.called_directly:
            return super().__call__(*args, **kwargs)
        self._count_delivery()
        event_id = kwargs.get("event_id")
        tracked = isinstance(event_id, int) and isinstance(part, int)
        work = f"outbox:{event_id}:{part}" if tracked else f"task:{self.request.id}"
        claims = self.runtime.claims
        if self._finished_already(work, event_id if tracked else None, part):
            log.info("%s[%s]: %s finished already; skipped", self.name, self.request.id, work)
            return {"skipped": "finished already"}
        holder = claims.acquire(work, event_id if tracked else None)
        if holder is not None:  # a live copy runs it: look again once its claim could lapse
            wait = self.runtime.tuning.task_lease_s / 2
            log.info("%s[%s]: %s is running in %s", self.name, self.request.id, work, holder)
            raise self.wait_again(wait)
        done = False
        try:
            try:
                result = super().__call__(*args, **kwargs)
            except WaitUntil as wait_until:
                result = self._wait(wait_until, event_id if tracked else None)
            else:
                done = True
                if tracked:
                    self._finish(event_id, part, None)
            return result
        finally:
            claims.release(work, done=done)

    def _finished_already(self, work: str, event_id: int | None, part: int | None) -> bool:
        if event_id is not None and part is not None:
            with self.runtime.session() as session:
                return not outbox.part_owed(session=session, event_id=event_id, part=part)
        return self.runtime.claims.finished(work)

    def _wait(self, wait_until: WaitUntil, event_id: int | None) -> str:
        """An outbox task ends and its event comes round at `at`; others retry if it is soon."""
        if event_id is not None:
            with self.runtime.session() as session:
                outbox.due_at(session=session, event_id=event_id, at=wait_until.at,
                              note=wait_until.reason)  # fmt: skip
            return f"waiting until {wait_until.at.isoformat()}: {wait_until.reason}"
        delay = (wait_until.at - utcnow()).total_seconds()
        if delay <= self.runtime.tuning.retry_backoff_max_s:
            raise self.wait_again(max(0.5, delay))
        return f"left to the sweep until {wait_until.at.isoformat()}: {wait_until.reason}"

    def _finish(self, event_id: Any, part: Any, error: str | None) -> None:
        """Mark the event's part finished; if that fails the part is simply done again later."""
        if not isinstance(event_id, int) or not isinstance(part, int):
            return
        try:
            with self.runtime.session() as session:
                outbox.finish_part(session=session, event_id=event_id, part=part, error=error)
        except DBAPIError as exc:
            log.warning("outbox event %s part %s not marked finished: %s", event_id, part, exc)

    def retry(self, *args: Any, countdown: float | None = None, **options: Any) -> Any:
        """Celery's retry after `retry_countdown` (backoff capped by the tuning), with the outbox
        event held until the retry is due (so the relay does not hand it out meanwhile)."""
        tuning = self.runtime.tuning
        countdown = retry_countdown(self.request.retries, countdown, tuning.retry_backoff_max_s)
        self._hold_event(countdown)
        return super().retry(*args, countdown=countdown, **options)

    def wait_again(self, countdown: float) -> Retry:
        """Send this task again in `countdown` seconds as a wait, not a retry: waiting for a
        live copy to finish, or for an email's next attempt, is not a failure. Celery's `retry`
        would spend one of `max_retries` on it (and `max_retries=None` there means the class's
        8, not "no limit"): a copy waiting out a long full refresh gave up, recorded as failed,
        and a task that had waited had fewer retries left for real trouble, each backed off
        longer. The retries count goes on unchanged; `WAITED` counts the waits."""
        request = self.request
        kwargs = {**(request.kwargs or {}), WAITED: self._waited() + 1}
        self._hold_event(countdown)
        again = self.signature_from_request(
            request, None, kwargs, countdown=countdown, retries=request.retries
        )
        try:
            again.apply_async()
        except Exception as exc:  # as Celery's `retry`: not a failure, so an outbox part
            raise Reject(exc, requeue=False) from exc  # stays owed and the relay sends it again
        return Retry(f"waiting {countdown:.1f} s", when=countdown, sig=again)

    def _waited(self) -> int:
        waited = (self.request.kwargs or {}).get(WAITED, 0)
        return waited if isinstance(waited, int) else 0

    def _hold_event(self, countdown: float) -> None:
        """Hold the task's outbox event until it comes back, so the relay does not hand it
        out meanwhile."""
        event_id = (self.request.kwargs or {}).get("event_id")
        if not isinstance(event_id, int):
            return
        until = utcnow() + timedelta(seconds=countdown + self.runtime.tuning.task_lease_s)
        try:
            with self.runtime.session() as session:
                outbox.hold_until(session=session, event_ids=[event_id], until=until)
        except DBAPIError as exc:
            log.warning("outbox event %s not held for its retry: %s", event_id, exc)

    def _count_delivery(self) -> None:
        """Refuse a message that has already been delivered `max_deliveries` times."""
        request = self.request
        key = f"{DELIVERY_KEY}{request.id}:{request.retries}:{self._waited()}"
        try:
            with self.runtime.redis.pipeline() as pipe:
                pipe.incr(key)
                pipe.expire(key, DELIVERY_TTL_S)
                count = int(pipe.execute()[0])
        except redis.RedisError:
            return  # without Redis there is no broker either; the message will come back
        cap = self.runtime.tuning.max_deliveries
        if count > cap:
            error = f"delivered {count} times without finishing (worker lost each time)"
            self.record_failure(error, request.args, request.kwargs)
            raise Reject(error, requeue=False)

    def on_failure(
        self,
        exc: BaseException,
        task_id: str,  # noqa: ARG002 - Celery's signature
        args: Any,
        kwargs: Any,
        einfo: Any,  # noqa: ARG002 - Celery's signature
    ) -> None:
        """Record a final failure where staff can see it."""
        self.record_failure(f"{type(exc).__name__}: {exc}", args, kwargs)

    def record_failure(self, error: str, args: Any, kwargs: Any) -> None:
        """An audit row, and the error on the outbox event that caused the task."""
        log.error("task %s[%s] failed: %s", self.name, self.request.id, error)
        event_id = (kwargs or {}).get("event_id")
        try:
            with self.runtime.session() as session:
                record_audit(
                    session=session,
                    actor=None,
                    action="task.failed",
                    object_type="task",
                    object_id=str(self.request.id)[:40],
                    after={"task": self.name, "args": list(args or []),
                           "kwargs": dict(kwargs or {}), "error": error[:2000]},
                )  # fmt: skip
                session.commit()
        except DBAPIError as exc:
            log.error("could not record the failure of %s: %s", self.request.id, exc)
        # Failed for good is finished too: the outbox must not hand it out again.
        self._finish(event_id, (kwargs or {}).get(OUTBOX_PART), f"task {self.name} failed: {error}")


def retry_countdown(retries: int, countdown: float | None, cap_s: float) -> float:
    """Seconds before a retry: `countdown` if the caller chose one (exponential backoff from
    2 s with full jitter if not), never more than `cap_s`."""
    if countdown is None:
        countdown = get_exponential_backoff_interval(
            factor=2, retries=retries, maximum=int(cap_s), full_jitter=True
        )
    return min(countdown, cap_s)


def venture_task(**options: Any) -> Callable[[F], Any]:
    """`shared_task` bound to `VentureTask` (tasks receive `self`); options as Celery's."""
    decorator: Callable[[F], Any] = shared_task(base=VentureTask, bind=True, **options)
    return decorator
