"""Worker timings that deployments (and the tests) may tune through the environment.

Read once when the Celery app is built (never at import). Variables are prefixed
`VENTUREMATCH_WORKER_`, e.g. `VENTUREMATCH_WORKER_VISIBILITY_TIMEOUT_S=7200`.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WorkerTuning(BaseSettings):
    """Numbers behind the reliability settings (see `workers.reliability`)."""

    model_config = SettingsConfigDict(env_prefix="VENTUREMATCH_WORKER_", frozen=True)

    # Must exceed the longest task (retraining, a full-refresh write) or Redis hands a running
    # task to a second worker. A task whose whole worker died is redelivered after this long.
    visibility_timeout_s: float = Field(default=7200.0, gt=0)
    # How often workers look for such overdue messages.
    restore_interval_s: int = Field(default=10, ge=1)
    # Retries: exponential backoff from 2 s doubling up to this cap, with full jitter.
    retry_backoff_max_s: int = Field(default=600, ge=1)
    max_retries: int = Field(default=8, ge=0)
    # A message delivered more often than this (its worker died each time) is a poison message.
    max_deliveries: int = Field(default=3, ge=1)
    # SIGTERM: running tasks get this long to finish before they are put back on the queue.
    soft_shutdown_s: float = Field(default=6.0, ge=0)
    # The relay runs at every wake-up and at least this often (the sweep for anything missed).
    sweep_interval_s: float = Field(default=10.0, gt=0)
    heartbeat_interval_s: float = Field(default=10.0, gt=0)
    # An email being sent is leased for this long; a sender killed mid-send frees it after.
    email_lease_s: float = Field(default=60.0, gt=0)
    email_backoff_base_s: float = Field(default=30.0, gt=0)
    email_max_attempts: int = Field(default=8, ge=1)
    full_refresh_chunk: int = Field(default=2500, ge=1)
    retrain_after_outcomes: int = Field(default=200, ge=1)
