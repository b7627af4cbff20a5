"""`GET /healthz` reports each part honestly."""

from __future__ import annotations

from webapp.models import ModelVersion
from webapp.models.types import utcnow
from webapp.services.common.health import WORKER_HEARTBEAT_PREFIX


def test_degraded_without_workers(client):
    body = client.get("/healthz").get_json()
    assert body == {
        "status": "degraded",
        "db": "ok",
        "broker": "ok",
        "workers": 0,
        "model_version": None,
    }


def test_ok_with_a_live_worker_and_reports_the_active_model(client, redis_client, session):
    redis_client.set(f"{WORKER_HEARTBEAT_PREFIX}worker@host", "1", ex=30)
    session.add(ModelVersion(version="v7", artefact_path="/m/v7", trained_at=utcnow(), active=True))
    session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "db": "ok",
        "broker": "ok",
        "workers": 1,
        "model_version": "v7",
    }


def test_broker_down_is_reported_not_raised(db, settings):
    from webapp import create_app

    unreachable = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    app = create_app({"TESTING": True}, settings=unreachable)
    try:
        body = app.test_client().get("/healthz").get_json()
    finally:
        app.extensions["venturematch.engine"].dispose()
    assert body["broker"] == "error"
    assert body["db"] == "ok"
    assert body["status"] == "degraded"
