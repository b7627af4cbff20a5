"""Every Celery reliability setting in one place, each with the reason it is set.

The promise: a change is never lost and nothing is done twice that people can see. Tasks are
idempotent (a refresh recomputes from the database; an email row is sent at most once, see
`webapp.services.outbox.mail`), so we choose "at least once" delivery and make repeats harmless.
"""

from __future__ import annotations

from typing import Any

from kombu.entity import Exchange, Queue

from webapp.config import Settings
from workers.tuning import WorkerTuning

QUEUES = ("scoring", "notifications", "maintenance")
# Routing through the default (nameless) exchange goes straight to the queue named by the
# routing key, with no binding table in Redis that a FLUSHDB or a Redis restart could lose.
DIRECT = Exchange("", type="direct")  # type: ignore[no-untyped-call]


def celery_config(settings: Settings, tuning: WorkerTuning) -> dict[str, Any]:
    """The Celery configuration for these settings."""
    broker = settings.redis_url or "redis://127.0.0.1:6379/0"
    return {
        "broker_url": broker,
        # Results are never read (progress lives in JobRun rows): no result backend to fill.
        "task_ignore_result": True,
        "result_backend": None,
        "task_serializer": "json",
        "accept_content": ["json"],
        "timezone": "UTC",
        "enable_utc": True,
        "task_queues": [Queue(name, DIRECT, routing_key=name) for name in QUEUES],  # type: ignore[no-untyped-call]
        "task_default_queue": "scoring",
        "task_default_exchange": "",
        "task_default_routing_key": "scoring",
        "task_create_missing_queues": False,
        # Late acknowledgement: a message is acknowledged only after its task finished, so a
        # worker that dies mid-task leaves the message to be delivered again.
        "task_acks_late": True,
        # A pool process killed mid-task (SIGKILL, OOM) requeues the message at once; repeats
        # are capped by a delivery counter in the task base (`max_deliveries`), so a message
        # that kills its worker every time ends as a recorded failure instead of a loop.
        "task_reject_on_worker_lost": True,
        # Tasks that fail (an exception) are acknowledged: retries are explicit, with backoff.
        "task_acks_on_failure_or_timeout": True,
        # One message at a time per process: a long full-refresh chunk never holds back a
        # short refresh queued behind it in the same process.
        "worker_prefetch_multiplier": 1,
        # Our Redis transport: kombu's, except that acknowledging on a connection lost to a
        # Redis restart is a connection error, not a crash of the worker (`workers.broker`).
        "broker_transport": "workers.broker:Transport",
        # Redis hands an unacknowledged message to another worker after the visibility
        # timeout. It is short (`tuning.visibility_timeout_s`, two minutes): work held by a
        # worker that died comes back in minutes, not hours, and outbox work sooner still,
        # through the relay's lease. A longer task is not run twice at once because copies
        # wait for the live runner's claim (`workers.claims`). Unacknowledged messages of a
        # dead worker are looked for every `restore_interval_s` (kombu's default throttle
        # would make that 10 × 10 s); a worker killed while holding the restore mutex blocks
        # the others for one minute, not five.
        "broker_transport_options": {
            "visibility_timeout": tuning.visibility_timeout_s,
            "unacked_restore_interval": tuning.restore_interval_s,
            "unacked_restore_throttle": 1,
            "unacked_mutex_expire": 60,
            "socket_timeout": 10,
            "socket_connect_timeout": 5,
            "retry_on_timeout": True,
        },
        # After a lost broker connection the worker cancels tasks it can no longer acknowledge
        # (they are redelivered), instead of finishing them and acknowledging into the void.
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        # Soft shutdown: on SIGTERM running tasks get `soft_shutdown_s` to finish (within
        # `make run`'s 8 s stop deadline), then they are cancelled and put back on the queue and
        # the worker stops (it waits out the timeout even when idle: the setting below). Only
        # with `REMAP_SIGTERM=SIGQUIT` in the worker's environment (`make run` and docker-compose
        # set it): otherwise SIGTERM is Celery's warm shutdown, which ignores this timeout (and
        # a SIGTERM to the process group kills the pool process mid-task).
        "worker_soft_shutdown_timeout": tuning.soft_shutdown_s,
        "worker_enable_soft_shutdown_on_idle": True,
        # Default time limits; long tasks set their own (claims keep their copies waiting).
        "task_soft_time_limit": 300,
        "task_time_limit": 360,
        "worker_send_task_events": False,
        "venturematch_tuning": tuning,
        "venturematch_settings": settings,
    }
