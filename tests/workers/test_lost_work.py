"""A worker killed while it holds messages, and Redis restarted mid-flight: nothing is lost,
nothing arrives twice, and nothing waits for the broker's visibility timeout.

The workers here run with a visibility timeout of ten minutes, far beyond the test's
patience: what brings the work back is the outbox, which counts an event as done only when
its tasks have finished and hands out again what was taken and not finished. Redis runs
without persistence, so a restart loses every queued and unacknowledged message too.
"""

from __future__ import annotations

import os
import random
import signal
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.factories import FounderFactory
from tests.workers.builders import (
    change_venture,
    expected_lists,
    market,
    matching_values,
    outsider_pair,
    refresh_everything,
    stored_lists,
    venture_values,
)
from tests.workers.conftest import (
    Mailbox,
    SmtpServer,
    Worker,
    settled,
    wait_for,
    worker_env,
    worker_logs,
)
from webapp.config import Settings
from webapp.embedded_redis import EmbeddedRedis
from webapp.models import EmailDelivery, OutboxEvent, User
from webapp.models.enums import EmailStatus
from webapp.services.outbox.mail import build_message, queue_email, write_eml
from webapp.services.outbox.relay import install_outbox_waker, remove_outbox_waker

pytestmark = [pytest.mark.workers, pytest.mark.slow]
PATIENCE_S = 60  # far below the ten-minute visibility timeout these workers have


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(Path(tmp_path_factory.mktemp("lost-work-redis")), persist=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def small_k(settings: Settings) -> Settings:
    return settings.model_copy(update={"match_top_k": 5})


@pytest.fixture
def env(small_k: Settings, own_redis: EmbeddedRedis, smtp_server: SmtpServer) -> dict[str, str]:
    environment = worker_env(small_k, own_redis.url, smtp_server.url)
    environment["VENTUREMATCH_WORKER_VISIBILITY_TIMEOUT_S"] = "600"
    return environment


@pytest.fixture
def logs() -> Iterator[Path]:
    with worker_logs() as directory:
        yield directory


@pytest.fixture
def waker(own_redis: EmbeddedRedis) -> Iterator[None]:
    install_outbox_waker(own_redis.url)  # this process's commits wake the relay, like the web's
    yield
    remove_outbox_waker(own_redis.url)


def _start(name: str, env: dict[str, str], logs: Path, redis_url: str, **kw: int) -> Worker:
    worker = Worker(name, env, logs, **kw).start()
    client = redis.Redis.from_url(redis_url)
    try:
        worker.wait_ready(client)
    finally:
        client.close()
    return worker


def _unacked(redis_url: str) -> int:
    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.hlen("unacked"))
    finally:
        client.close()


def _queue_mail(
    session: Session, founders: list[User], subject: Callable[[int], str], key: str
) -> None:
    """One email to each founder, committed (a worker's relay hands them out at once)."""
    for n, founder in enumerate(founders):
        queue_email(session=session, user=founder, kind="test", subject=subject(n),
                    text_body="p", html_body="<p>x</p>", dedupe_key=f"{key}-{n}")  # fmt: skip
    session.commit()


def _each_email_sent_once(session: Session, mailbox: Mailbox) -> None:
    """Every email is recorded sent, and the SMTP server got each exactly once."""
    rows = session.exec(select(EmailDelivery).order_by(col(EmailDelivery.id))).all()
    assert rows
    assert {r.status for r in rows} == {EmailStatus.SENT.value}
    received = Counter(str(m["Message-ID"]) for m in mailbox.received())
    assert received == Counter({str(r.message_id): 1 for r in rows})


def test_a_worker_killed_holding_messages_loses_nothing_and_waits_for_no_timeout(
    session: Session,
    db: Engine,
    small_k: Settings,
    env: dict[str, str],
    logs: Path,
    own_redis: EmbeddedRedis,
    mailbox: Mailbox,
    waker: None,
) -> None:
    chosen, target = outsider_pair(session, small_k, 31, ventures=30, investors=6)
    founders = [FounderFactory(), FounderFactory()]
    victim = _start("victim", env, logs, own_redis.url, concurrency=2)
    try:
        mailbox.hold.set()  # the SMTP server stops answering at RCPT: the senders are mid-send
        _queue_mail(session, founders, lambda n: "Exactly once", "kill")
        wait_for(lambda: _unacked(own_redis.url) >= 2, 30, "the worker to hold both messages")
        wait_for(mailbox.holding.is_set, 30, "an email to be mid-send")
        change_venture(session, target.id, matching_values(chosen))  # queued behind them
        victim.kill()  # the main process and its pool, as the OOM killer and `make run` leave it
        mailbox.hold.clear()
        mailbox.release.set()
        assert mailbox.received() == []
        survivor = _start("survivor", env, logs, own_redis.url)
    except BaseException:
        print(victim.log()[-6000:])
        victim.kill()
        raise
    client = _client(own_redis)
    try:
        wait_for(lambda: settled(db, client, in_flight=False), PATIENCE_S, "the work to come back")
    except BaseException:
        print(victim.log()[-4000:], survivor.log()[-6000:])
        raise
    finally:
        client.close()
        survivor.stop()
    assert stored_lists(session) == expected_lists(session, small_k)
    _each_email_sent_once(session, mailbox)
    assert sum(m["Subject"] == "Exactly once" for m in mailbox.received()) == 2
    held = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id)).limit(2)).all()
    assert [e.handouts for e in held] == [2, 2]  # by the outbox, not Redis's timeout


def _client(server: EmbeddedRedis) -> redis.Redis:
    return redis.Redis.from_url(server.url)


def test_kill_and_redis_restart_mid_flight_every_change_and_email_arrives_once(
    session: Session,
    db: Engine,
    small_k: Settings,
    env: dict[str, str],
    logs: Path,
    own_redis: EmbeddedRedis,
    mailbox: Mailbox,
    waker: None,
) -> None:
    rng = random.Random(37)
    ventures, investors, _ = market(rng, ventures=40, investors=8)
    refresh_everything(session, small_k)
    founders = [FounderFactory() for _ in range(4)]
    steady = _start("steady", env, logs, own_redis.url)  # stays up through the Redis restart
    victim = _start("victim", env, logs, own_redis.url, concurrency=2)
    workers = [steady, victim]
    try:
        mailbox.hold.set()
        _queue_mail(session, founders, lambda n: f"Mail {n}", "storm")
        for venture in rng.sample(ventures, 12):
            change_venture(session, venture.id, venture_values(rng))
        for investor in investors[:3]:  # strong new matches: emails from the refreshes too
            target = rng.choice(ventures)
            change_venture(session, target.id, matching_values(investor))
        wait_for(mailbox.holding.is_set, 30, "an email to be mid-send")
        wait_for(lambda: _unacked(own_redis.url) >= 2, 30, "the workers to hold messages")
        os.killpg(victim.process.pid, signal.SIGKILL)  # type: ignore[union-attr]
        victim.process.wait(10)  # type: ignore[union-attr]
        own_redis.stop()  # everything queued or unacknowledged in Redis is gone with it
        mailbox.hold.clear()
        mailbox.release.set()
        own_redis.start()
        workers.append(_start("replacement", env, logs, own_redis.url, concurrency=2))
        client = _client(own_redis)
        wait_for(
            lambda: settled(db, client, in_flight=False),
            PATIENCE_S * 2,
            "every change and email",
            every=0.5,
        )
        client.close()
        assert steady.alive(), "a Redis restart with messages in flight must not stop a worker"
    except BaseException:
        for worker in workers:
            print(f"===== {worker.name}\n{worker.log()[-5000:]}")
        raise
    finally:
        for worker in workers:
            worker.stop()
    assert stored_lists(session) == expected_lists(session, small_k)
    _each_email_sent_once(session, mailbox)
    assert not session.exec(select(OutboxEvent).where(col(OutboxEvent.finished_at).is_(None))).all()


def test_a_send_cancelled_by_a_lost_broker_finishes_and_is_recorded_not_sent_again(
    session: Session,
    db: Engine,
    env: dict[str, str],
    logs: Path,
    own_redis: EmbeddedRedis,
    mailbox: Mailbox,
    waker: None,
) -> None:
    """Losing Redis makes Celery cancel running tasks by signalling their pool process
    (SIGQUIT under REMAP_SIGTERM, as these workers run). A cancel after the SMTP server took
    the message and before the worker recorded it made the attempt look failed, and the next
    attempt sent the message a second time."""
    founder = FounderFactory()
    sender = _start("sender", env, logs, own_redis.url)
    try:
        mailbox.hold_data.set()  # the server has the message and has not said so yet
        _queue_mail(session, [founder], lambda n: "Cancelled mid-send", "cancelled")
        wait_for(mailbox.holding.is_set, 30, "the message to be at the server")
        own_redis.stop()
        wait_for(lambda: "Terminating it instead" in sender.log(), 30, "Celery to cancel the send")
        mailbox.release.set()
        own_redis.start()
        client = _client(own_redis)
        try:
            wait_for(lambda: settled(db, client, in_flight=False), PATIENCE_S, "the email")
        finally:
            client.close()
        assert sender.alive(), "a cancelled task ends its pool process, not the worker"
    except BaseException:
        print(sender.log()[-6000:])
        raise
    finally:
        sender.stop()
    _each_email_sent_once(session, mailbox)
    row = session.exec(select(EmailDelivery)).one()
    assert (row.attempts, row.claim_token) == (1, None)  # recorded by the attempt that sent it


def test_an_eml_written_by_an_interrupted_attempt_is_recorded_not_written_again(
    session: Session,
    db: Engine,
    small_k: Settings,
    env: dict[str, str],
    logs: Path,
    own_redis: EmbeddedRedis,
    waker: None,
) -> None:
    founder = FounderFactory()
    email = queue_email(session=session, user=founder, kind="test", subject="Once on disk",
                        text_body="p", html_body="<p>x</p>", dedupe_key="interrupted")  # fmt: skip
    assert email is not None
    # What an attempt killed after writing the file and before recording it leaves behind:
    # the row claimed (token set, attempt counted, lease over) and the file in the sink.
    email.claim_token = "a" * 32
    email.attempts = 1
    session.add(email)
    session.commit()
    written = write_eml(small_k.mail_dir, build_message(email))
    before = written.stat()
    sink = {k: v for k, v in env.items() if k != "SMTP_URL"}
    worker = _start("sink", sink, logs, own_redis.url)
    client = _client(own_redis)
    try:
        wait_for(lambda: settled(db, client), PATIENCE_S, "the email to be recorded")
    except BaseException:
        print(worker.log()[-5000:])
        raise
    finally:
        client.close()
        worker.stop()
    row = session.get(EmailDelivery, email.id, populate_existing=True)
    assert row is not None
    assert row.status == EmailStatus.SENT.value
    assert row.claim_token is None
    assert row.attempts == 2
    assert [p.name for p in small_k.mail_dir.glob("*.eml")] == [written.name]
    after = written.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
