"""Celery workers: `celery -A workers worker -Q scoring,notifications,maintenance` and
`celery -A workers beat`.

The Celery app is built from `webapp.config.load_settings_or_exit()` the first time
`workers.app` is read (which is what `celery -A workers` does), never at the import of a task
module, so tests and tools can import tasks without configuring anything.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("app", "celery"):
        from workers.factory import default_app

        return default_app()
    raise AttributeError(f"module 'workers' has no attribute {name!r}")
