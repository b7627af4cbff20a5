"""The write lock serialises writers of one name, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading

from sqlalchemy import Engine
from sqlmodel import Session

from webapp.services.common.locks import take_write_lock


def test_a_second_writer_waits_until_the_first_commits(db: Engine) -> None:
    events: list[str] = []

    def second() -> None:
        with Session(db) as other:
            take_write_lock(session=other, name="ranking")
            events.append("second holds the lock")
            other.commit()

    with Session(db) as first:
        take_write_lock(session=first, name="ranking")
        waiting = threading.Thread(target=second)
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive(), "the second writer did not wait for the lock"
        events.append("first commits")
        first.commit()
    waiting.join(30)
    assert events == ["first commits", "second holds the lock"]
