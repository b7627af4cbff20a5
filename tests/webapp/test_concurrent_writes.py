"""A write request that meets another writer waits for it instead of failing.

Regression: on SQLite (WAL), a request that read and then wrote failed at once with
"database is locked" when a worker committed in between; the API answered 500.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from tests.factories import FounderFactory, VentureFactory
from tests.webapp.web_client import api_token, bearer, fresh
from webapp.db import for_writing
from webapp.models import Venture


def test_patch_waits_for_a_concurrent_writer_and_succeeds(client, session, engine):
    founder = FounderFactory()
    venture = VentureFactory(owner_id=founder.id)
    headers = bearer(api_token(client, founder.email))
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # token stamped now,
    results: list[int] = []  # so the PATCH below is a plain read-then-write

    with for_writing(engine).connect() as other_writer:
        # Another process (say, a worker writing match lists) holds the write lock…
        other_writer.execute(
            text("UPDATE venture SET team_size = 9 WHERE id = :id"), {"id": venture.id}
        )
        request = threading.Thread(
            target=lambda: results.append(
                client.patch(
                    f"/api/v1/ventures/{venture.id}", json={"name": "Renamed Ltd"}, headers=headers
                ).status_code
            )
        )
        request.start()
        time.sleep(0.5)  # …while the founder's request is already under way
        other_writer.commit()
    request.join(timeout=30)

    assert results == [200]
    stored = fresh(session).get(Venture, venture.id)
    assert stored.name == "Renamed Ltd"
    assert stored.team_size == 9  # both writes landed
