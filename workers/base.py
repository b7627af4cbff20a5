"""The task base class: per-process resources, retries, a delivery cap, recorded failures.

Tasks stay thin: they open a session from `self.runtime` and call one service. Transient
errors (database locked or unreachable, Redis down, SMTP trouble) retry with exponential
backoff and jitter; anything else is a recorded failure (an audit-log row `task.failed`, and
the `last_error` of the outbox event that caused it), acknowledged so it does not loop.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from celery import Task, shared_task
from celery.exceptions import Reject
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import col, update

from webapp.models import OutboxEvent
from webapp.services.audit import record_audit
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


class VentureTask(Task):  # type: ignore[misc]
    """Base of every task: `self.runtime` holds this process's engine, settings and Redis."""

    abstract = True
    autoretry_for = TRANSIENT
    retry_backoff = 2
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8
    acks_late = True
    reject_on_worker_lost = True

    @property
    def runtime(self) -> Runtime:
        """Engine, settings, tuning and Redis of this process (the model cache is per process
        too, in `webapp.services.model_registry` and `scoring_cache`)."""
        return runtime(self.app)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self.request.called_directly:
            self._count_delivery()
        return super().__call__(*args, **kwargs)

    def _count_delivery(self) -> None:
        """Refuse a message that has already been delivered `max_deliveries` times."""
        request = self.request
        key = f"{DELIVERY_KEY}{request.id}:{request.retries}"
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
                if isinstance(event_id, int):
                    session.exec(
                        update(OutboxEvent)
                        .where(col(OutboxEvent.id) == event_id)
                        .values(last_error=f"task {self.name} failed: {error}"[:2000])
                    )
                session.commit()
        except DBAPIError as exc:
            log.error("could not record the failure of %s: %s", self.request.id, exc)


def venture_task(**options: Any) -> Callable[[F], Any]:
    """`shared_task` bound to `VentureTask` (tasks receive `self`); options as Celery's."""
    decorator: Callable[[F], Any] = shared_task(base=VentureTask, bind=True, **options)
    return decorator
