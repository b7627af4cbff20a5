"""Redis down while a founder saves: the save succeeds, and the refresh happens once it is back.

This module runs its own embedded Redis (so it can stop and start it) and its own worker.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.workers.builders import (
    change_venture,
    expected_lists,
    market,
    matching_values,
    stored_lists,
    unlisted_venture,
)
from tests.workers.conftest import (
    WorkerPool,
    settled,
    wait_for,
)
from webapp.config import Settings
from webapp.embedded_redis import EmbeddedRedis
from webapp.models import OutboxEvent, utcnow
from webapp.services.outbox.relay import install_outbox_waker, remove_outbox_waker
from webapp.services.ranking.scoring_full import compute_chunk, plan_chunks, write_full_refresh

pytestmark = [pytest.mark.workers, pytest.mark.slow]


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(Path(tmp_path_factory.mktemp("own-redis")), persist=False).start()
    try:
        yield server
    finally:
        server.stop()


WORKERS = ("delta",)
WORKERS_SEND_MAIL = False


@pytest.fixture(scope="module")
def pool_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"match_top_k": 5})


@pytest.fixture(scope="module")
def pool_redis_url(own_redis: EmbeddedRedis) -> str:
    return own_redis.url


def test_a_save_while_redis_is_down_is_refreshed_once_redis_is_back(
    session: Session,
    pool: WorkerPool,
    own_redis: EmbeddedRedis,
    db: Engine,
    settings: Settings,
    request: pytest.FixtureRequest,
) -> None:
    small = settings.model_copy(update={"match_top_k": 5})
    install_outbox_waker(own_redis.url)  # this process's commits wake the relay, like the web's
    request.addfinalizer(lambda: remove_outbox_waker(own_redis.url))
    ventures, investors, _ = market(random.Random(8), ventures=25, investors=6)
    parts = [compute_chunk(session=session, settings=small, venture_ids=ids, index=i)
             for i, ids in enumerate(plan_chunks(session=session))]  # fmt: skip
    write_full_refresh(session=session, settings=small, parts=parts, snapshot_at=utcnow())
    chosen = investors[0]
    target = unlisted_venture(session, ventures, chosen)

    own_redis.stop()
    try:
        change_venture(session, target.id, matching_values(chosen))  # the save succeeds
        event = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id).desc())).first()
        assert event is not None
        assert event.dispatched_at is None
        assert stored_lists(session) != expected_lists(session, small)
    finally:
        own_redis.start()

    def refreshed() -> bool:
        return stored_lists(session) == expected_lists(session, small)

    with pool.showing_logs():
        wait_for(refreshed, 60, "the refresh after Redis came back", every=0.5)
        wait_for(lambda: settled(db, pool.client), 30, "the worker to go idle")
