"""Worker timings that deployments (and the tests) may tune through the environment.

Read once when the Celery app is built (never at import). Variables are prefixed
`VENTUREMATCH_WORKER_`, e.g. `VENTUREMATCH_WORKER_VISIBILITY_TIMEOUT_S=7200`.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class WorkerTuning(BaseSettings):
    """Numbers behind the reliability settings (see `workers.reliability`)."""

    model_config = SettingsConfigDict(env_prefix="VENTUREMATCH_WORKER_", frozen=True)

    # Redis hands a message that was taken but not acknowledged to another worker after this
    # long: how soon work held by a killed worker comes back. Tasks that run longer are not run
    # twice at once: their copies wait for the live runner's claim (`workers.claims`).
    visibility_timeout_s: float = Field(default=120.0, gt=0)
    # How often workers look for such overdue messages.
    restore_interval_s: int = Field(default=10, ge=1)
    # A running task renews its claim (and holds its outbox event) every third of this; a task
    # whose process died is taken over by a copy once this has passed without renewal.
    task_lease_s: float = Field(default=30.0, gt=0)
    # An outbox event handed out but not started within this long is handed out again (its
    # message was lost, e.g. with an unpersisted Redis); a copy of finished work is skipped.
    outbox_lease_s: float = Field(default=300.0, gt=0)
    # An event handed out this often without finishing is closed as abandoned.
    outbox_max_handouts: int = Field(default=20, ge=1)
    # Retries: exponential backoff from 2 s doubling up to this cap, with full jitter.
    # Kept well inside the visibility timeout: a message waiting for its retry is held by a
    # worker, and one held longer than the timeout would be handed to a second worker too.
    retry_backoff_max_s: int = Field(default=40, ge=1)
    # A message delivered more often than this (its worker died each time) is a poison message.
    max_deliveries: int = Field(default=3, ge=1)
    # SIGTERM: running tasks get this long to finish before they are put back on the queue
    # (the worker needs `REMAP_SIGTERM=SIGQUIT` in its environment, see `workers.reliability`).
    # The worker waits this long even when idle, then needs about 2 s more to stop: `make run`
    # kills what is still running 8 s after Ctrl-C.
    soft_shutdown_s: float = Field(default=4.0, ge=0)
    # The relay runs at every wake-up and at least this often (the sweep for anything missed).
    sweep_interval_s: float = Field(default=10.0, gt=0)
    # How often a worker renews its /healthz heartbeat (the key lives 30 s, or 3 beats if longer).
    heartbeat_interval_s: float = Field(default=10.0, gt=0)
    # An email being sent is leased for this long; a sender killed mid-send frees it after.
    email_lease_s: float = Field(default=60.0, gt=0)
    # A failed send is tried again after a random delay from half this, doubling per attempt.
    email_backoff_base_s: float = Field(default=30.0, gt=0)
    email_max_attempts: int = Field(default=8, ge=1)
    full_refresh_chunk: int = Field(default=2500, ge=1)
    retrain_after_outcomes: int = Field(default=200, ge=1)

    @model_validator(mode="after")
    def _inside_visibility(self) -> Self:
        """Retries and claims must fit inside the visibility timeout (see the fields above)."""
        for name in ("retry_backoff_max_s", "task_lease_s"):
            if getattr(self, name) * 2 > self.visibility_timeout_s:
                raise ValueError(
                    f"VENTUREMATCH_WORKER_{name.upper()}={getattr(self, name)} must be at most "
                    f"half of VENTUREMATCH_WORKER_VISIBILITY_TIMEOUT_S={self.visibility_timeout_s}"
                )
        return self
