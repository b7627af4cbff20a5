"""Liveness of the parts `GET /healthz` reports: database, broker, workers, model."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from webapp.models import ModelVersion

# Each worker process refreshes `<prefix><hostname>` with a short TTL; live workers = live keys.
WORKER_HEARTBEAT_PREFIX = "venturematch:worker-heartbeat:"
WORKER_HEARTBEAT_TTL_S = 30
BROKER_TIMEOUT_S = 0.5


@dataclass(frozen=True)
class Health:
    """The figures behind `GET /healthz`."""

    db: bool
    broker: bool
    workers: int
    model_version: str | None

    @property
    def status(self) -> str:
        """`ok` when every part answers and at least one worker is alive."""
        return "ok" if self.db and self.broker and self.workers > 0 else "degraded"


def broker_client(redis_url: str | None) -> redis.Redis | None:
    """A client with short timeouts, so a dead broker never stalls a request."""
    if redis_url is None:
        return None
    return redis.Redis.from_url(
        redis_url, socket_timeout=BROKER_TIMEOUT_S, socket_connect_timeout=BROKER_TIMEOUT_S
    )


def check_health(*, engine: Engine, broker: redis.Redis | None) -> Health:
    """Probe each part independently; one failing never hides the others."""
    db_ok = True
    model_version: str | None = None
    try:
        with Session(engine) as session:
            session.exec(select(1)).one()
            model_version = session.exec(
                select(ModelVersion.version).where(ModelVersion.active == True)  # noqa: E712
            ).first()
    except SQLAlchemyError:
        db_ok = False

    broker_ok, workers = False, 0
    if broker is not None:
        try:
            broker_ok = bool(broker.ping())
            workers = sum(1 for _ in broker.scan_iter(match=f"{WORKER_HEARTBEAT_PREFIX}*"))
        except redis.RedisError:
            broker_ok = False
    return Health(db=db_ok, broker=broker_ok, workers=workers, model_version=model_version)
