"""`GET /healthz`: is the platform able to serve and to refresh rankings?"""

from __future__ import annotations

from typing import Literal

from flask import current_app
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel

from webapp.services.common.health import broker_client, check_health
from webapp.web.db_session import current_engine, current_settings

api = APIBlueprint("health", __name__, abp_tags=[Tag(name="health")])


class HealthOut(BaseModel):
    """Health of each part; `degraded` when any part is down or no worker is alive."""

    status: Literal["ok", "degraded"]
    db: Literal["ok", "error"]
    broker: Literal["ok", "error"]
    workers: int
    model_version: str | None


@api.get("/healthz", responses={200: HealthOut})
def healthz() -> tuple[dict[str, object], int]:
    """Report database, broker, live workers and the active model version (no auth)."""
    broker = current_app.extensions.get("venturematch.health_broker")
    if broker is None:
        broker = broker_client(current_settings().redis_url)
        current_app.extensions["venturematch.health_broker"] = broker
    health = check_health(engine=current_engine(), broker=broker)
    body = HealthOut(
        status="ok" if health.status == "ok" else "degraded",
        db="ok" if health.db else "error",
        broker="ok" if health.broker else "error",
        workers=health.workers,
        model_version=health.model_version,
    )
    return body.model_dump(), 200
