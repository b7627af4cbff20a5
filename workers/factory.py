"""Builds the Celery app from the settings: queues, reliability, tasks, schedule, lifecycle."""

from __future__ import annotations

import threading

from celery import Celery
from celery.schedules import crontab

from webapp.config import Settings, load_settings_or_exit
from workers import lifecycle
from workers.reliability import celery_config
from workers.tuning import WorkerTuning

TASK_MODULES = (
    "workers.tasks.scoring",
    "workers.tasks.notifications",
    "workers.tasks.maintenance",
)
ROUTES = {
    "workers.tasks.scoring.*": {"queue": "scoring", "routing_key": "scoring", "exchange": ""},
    "workers.tasks.notifications.*": {
        "queue": "notifications", "routing_key": "notifications", "exchange": "",
    },
    "workers.tasks.maintenance.*": {
        "queue": "maintenance", "routing_key": "maintenance", "exchange": "",
    },
}  # fmt: skip


def beat_schedule(tuning: WorkerTuning) -> dict[str, dict[str, object]]:
    """What beat runs: sweeps often, a full refresh nightly, retraining weekly, digests."""
    maintenance = "workers.tasks.maintenance"
    return {
        "outbox-sweep": {
            "task": f"{maintenance}.relay_outbox", "schedule": tuning.sweep_interval_s * 3,
        },
        "email-sweep": {"task": f"{maintenance}.sweep_emails", "schedule": 60.0},
        "retrain-if-due": {"task": f"{maintenance}.retrain_if_due", "schedule": 3600.0},
        "nightly-full-refresh": {
            "task": f"{maintenance}.nightly_full_refresh", "schedule": crontab(hour=2, minute=30),
        },
        "weekly-retrain": {
            "task": f"{maintenance}.weekly_retrain",
            "schedule": crontab(hour=3, minute=30, day_of_week="sunday"),
        },
        "weekly-digest": {
            "task": f"{maintenance}.weekly_digests",
            "schedule": crontab(hour=8, minute=0, day_of_week="monday"),
        },
        "stalled-deals": {
            "task": f"{maintenance}.stalled_deal_alerts", "schedule": crontab(hour=7, minute=0),
        },
    }  # fmt: skip


def create_app(settings: Settings | None = None, tuning: WorkerTuning | None = None) -> Celery:
    """A configured Celery app (tests pass their own settings)."""
    settings = settings or load_settings_or_exit()
    tuning = tuning or WorkerTuning()
    app = Celery("venturematch", set_as_current=True)
    app.config_from_object(celery_config(settings, tuning))
    app.conf.task_routes = ROUTES
    app.conf.beat_schedule = beat_schedule(tuning)
    app.conf.include = list(TASK_MODULES)
    app.conf.beat_schedule_filename = str(settings.instance_dir.resolve() / "celerybeat-schedule")
    lifecycle.install(app)
    return app


_lock = threading.Lock()
_app: Celery | None = None


def default_app() -> Celery:
    """The process's app, built once from the environment."""
    global _app
    with _lock:
        if _app is None:
            _app = create_app()
        return _app
