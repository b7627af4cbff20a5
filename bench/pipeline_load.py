"""Staff pipeline under load: `/api/v1/pipeline/summary`, the dashboard and the regional pages.

Usage: python bench/pipeline_load.py [--ventures 10000] [--events 50000] [--requests 200]
                                     [--database-url URL] [--web-workers 2] [--json]

It builds its own data set in a fresh database (SQLite in a temporary directory, or the
PostgreSQL of --database-url, whose tables it empties): the demo generator's ventures, mandates,
track records and activity (`seeds.demo.generate` + `load_dataset`), topped up with deals whose
events follow the generator's funnel until there are exactly --events deal events, and 20 stored
matches per published venture. It then starts gunicorn itself (sync workers, like production),
signs a staff member in through the real sign-in page and an API token, and times --requests
sequential requests of each URL after a warm-up. Figures are wall-clock times seen by the client.
With --json the last stdout line is {"summary_p95_ms", "dashboard_p95_ms", ...}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select, text, update
from sqlmodel import Session, col

from seeds.demo import generate
from seeds.demo.load import load_dataset
from webapp.config import load_settings
from webapp.db import make_engine, session_scope
from webapp.embedded_redis import EmbeddedRedis, free_port
from webapp.migrate import upgrade
from webapp.models import (
    Deal,
    DealEvent,
    Introduction,
    InvestorProfile,
    Match,
    User,
    Venture,
    metadata,
)
from webapp.services.accounts.api_tokens import issue_token
from webapp.services.accounts.passwords import hash_password

AS_OF = dt.date(2025, 6, 30)
MATCHES_PER_VENTURE = 20
PASSWORD = "bench-staff-password-4417"  # a throwaway account in a throwaway database
# (stage, chance of reaching it from the previous one, days it takes: low, high), as the generator
STEPS = (
    ("in_conversation", 0.8, 3, 30),
    ("due_diligence", 0.5, 14, 60),
    ("term_sheet", 0.5, 14, 45),
    ("invested", 0.75, 20, 75),
)
# `{n}` makes every request's filters unique: a different (empty) stretch of 1990s dates before
# the data begins, so the cohort is the same but no figures computed for other filters can be
# reused (new filters). The `_after_deal_move` phases touch one deal before each request, as a
# deal moving on does, so every figure and every per-deal fact is computed afresh (cold).
URLS = {
    "summary": "/api/v1/pipeline/summary",
    "summary_new_filters": "/api/v1/pipeline/summary?from={n}",
    "summary_after_deal_move": "/api/v1/pipeline/summary",
    "summary_filtered": "/api/v1/pipeline/summary?from=2024-07-01&to=2025-06-30&region=north_west",
    "dashboard": "/staff/",
    "dashboard_new_filters": "/staff/?from={n}",
    "dashboard_after_deal_move": "/staff/",
    "dashboard_filtered": "/staff/?from=2024-07-01&to=2025-06-30&sector=life_sciences",
    # The regional views: the open observatory's page (its feed is rate-limited per IP, so the
    # page, which builds the same figures, is what is timed) and the staff's regional context.
    "observatory": "/observatory",
    "observatory_after_deal_move": "/observatory",
    "regions": "/staff/regions",
    "regions_after_deal_move": "/staff/regions",
}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ventures", type=int, default=10_000)
    parser.add_argument("--investors", type=int, default=400)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--database-url", help="PostgreSQL to use (its tables are emptied)")
    parser.add_argument("--json", action="store_true")
    return parser.parse_args()


def _reset(engine: Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)


@dataclass
class TopUp:
    """Rows added beyond the generator's activity."""

    deals: int = 0
    events: int = 0
    matches: int = 0


def _chunks(rows: list[dict[str, Any]], size: int = 2000) -> list[list[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _insert_returning(session: Session, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    ids: list[int] = []
    for chunk in _chunks(rows):
        result = session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk
        )
        ids += [row[0] for row in result]
    return ids


def _top_up(session: Session, wanted_events: int, rng: random.Random) -> TopUp:
    """Add deals (with introductions and events) until there are `wanted_events` events."""
    added = TopUp()
    have = session.execute(select(func.count()).select_from(DealEvent)).scalar_one()
    ventures = session.execute(
        select(Venture.id, Venture.owner_id, Venture.published_at).where(
            Venture.visibility == "published"
        )
    ).all()
    investors = [row[0] for row in session.execute(select(InvestorProfile.id)).all()]
    taken = set(session.execute(select(Introduction.venture_id, Introduction.investor_id)).all())
    end = dt.datetime.combine(AS_OF, dt.time(18), tzinfo=dt.UTC)
    intros, plans = [], []
    remaining = wanted_events - have
    while remaining >= 2:
        vid, owner, published = rng.choice(ventures)
        iid = rng.choice(investors)
        if (vid, iid) in taken:
            continue
        taken.add((vid, iid))
        asked = published + dt.timedelta(days=rng.uniform(1, 120))
        if asked > end - dt.timedelta(days=20):
            continue
        events = [
            ("introduction_requested", asked),
            ("accepted", asked + dt.timedelta(days=rng.uniform(0.5, 14))),
        ]
        for stage, chance, low, high in STEPS:
            at = events[-1][1] + dt.timedelta(days=rng.uniform(low, high))
            if at > end:
                break
            if rng.random() < chance:
                events.append((stage, at))
                continue
            if rng.random() < 0.6:
                events.append(("passed" if rng.random() < 0.7 else "withdrawn", at))
            break
        events = events[:remaining]
        remaining -= len(events)
        intros.append(
            {
                "venture_id": vid,
                "investor_id": iid,
                "requested_by": owner,
                "requested_by_role": "founder",
                "message": "Bench introduction.",
                "status": "accepted",
                "created_at": asked,
                "responded_at": events[1][1],
            }
        )
        plans.append((vid, iid, owner, events))
    intro_ids = _insert_returning(session, Introduction.__table__, intros)
    deals = []
    for intro_id, (vid, iid, _, events) in zip(intro_ids, plans, strict=True):
        stage = events[-1][0]
        amount = rng.randrange(50, 2000) * 1000 if stage in {"term_sheet", "invested"} else None
        deals.append(
            {
                "introduction_id": intro_id,
                "venture_id": vid,
                "investor_id": iid,
                "stage": stage,
                "amount_gbp": amount,
                "created_at": events[1][1],
                "updated_at": events[-1][1],
            }
        )
    deal_ids = _insert_returning(session, Deal.__table__, deals)
    event_rows = [
        {"deal_id": deal_id, "stage": stage, "actor_id": owner, "at": at, "note": None}
        for deal_id, (_, _, owner, events) in zip(deal_ids, plans, strict=True)
        for stage, at in events
    ]
    for chunk in _chunks(event_rows):
        session.execute(insert(DealEvent.__table__), chunk)
    added.deals, added.events = len(deal_ids), len(event_rows)
    matches = []
    now = end
    for vid, _, _ in ventures:
        for rank, iid in enumerate(rng.sample(investors, MATCHES_PER_VENTURE), start=1):
            matches.append(
                {
                    "venture_id": vid,
                    "investor_id": iid,
                    "score": round(1 - rank / 40, 3),
                    "venture_rank": rank,
                    "investor_rank": None,
                    "reasons": [],
                    "model_version": "bench",
                    "computed_at": now,
                }
            )
    for chunk in _chunks(matches, 5000):
        session.execute(insert(Match.__table__), chunk)
    added.matches = len(matches)
    return added


def build(engine: Engine, ventures: int, investors: int, events: int) -> dict[str, Any]:
    """The data set, and the staff account the requests are made as."""
    started = time.perf_counter()
    _reset(engine)
    dataset = generate(ventures, investors, 7, as_of=AS_OF)
    with session_scope(engine) as session:
        load_dataset(session=session, dataset=dataset)
    with session_scope(engine) as session:
        added = _top_up(session, events, random.Random(11))
        staff = User(
            email="bench.staff@venturematch.example",
            name="Bench Staff",
            role="staff",
            password_hash=hash_password(PASSWORD),
            email_verified_at=dt.datetime.now(dt.UTC),
        )
        session.add(staff)
    with session_scope(engine) as session:
        token = issue_token(session=session, user=session.get(User, staff.id)).token  # type: ignore[arg-type]
        counts = {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables
            if table.name
            in {"venture", "investor_profile", "introduction", "deal", "deal_event", "match"}
        }
    return {
        "counts": counts,
        "top_up": vars(added),
        "build_s": round(time.perf_counter() - started, 1),
        "token": token,
        "staff_email": staff.email,
    }


def _gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [
            str(gunicorn),
            "--config",
            "python:webapp.gunicorn_conf",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "webapp:create_app()",
        ],
        env=env,
    )


def _wait(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz within 90 s")


def _browser(base: str, email: str) -> urllib.request.OpenerDirector:
    """A cookie-keeping client signed in through the real sign-in form."""
    # Browsers treat loopback as a secure context and send Secure cookies to it; so do we.
    policy = http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar(policy))
    )
    with opener.open(f"{base}/sign-in") as page:
        html = page.read().decode()
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert found, "no CSRF token on the sign-in page"
    form = urllib.parse.urlencode(
        {"csrf_token": found.group(1), "email": email, "password": PASSWORD}
    ).encode()
    with opener.open(urllib.request.Request(f"{base}/sign-in", data=form)) as response:
        assert "/sign-in" not in response.geturl(), "sign-in failed"
    return opener


def _deal_mover(engine: Engine) -> Callable[[], None]:
    """Touch one deal per call (its `updated_at`), as moving a deal on does, outside the timing."""
    with engine.connect() as connection:
        deal_ids = [row[0] for row in connection.execute(select(col(Deal.id))).all()]
    picks = iter(random.Random(5).choices(deal_ids, k=100_000))

    def move() -> None:
        with engine.begin() as connection:
            connection.execute(
                update(Deal)
                .where(col(Deal.id) == next(picks))
                .values(updated_at=dt.datetime.now(dt.UTC))
            )

    return move


def _time(
    opener: urllib.request.OpenerDirector,
    url: str,
    headers: dict[str, str],
    n: int,
    before: Callable[[], None] | None = None,
) -> list[float]:
    timings = []
    for i in range(n + 10):
        if before is not None:
            before()
        day = (dt.date(1990, 1, 1) + dt.timedelta(days=i)).isoformat()
        request = urllib.request.Request(url.replace("{n}", day), headers=headers)
        started = time.perf_counter()
        try:
            with opener.open(request) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise SystemExit(
                f"{request.full_url} answered {exc.code}: {exc.read()[:300]!r}"
            ) from None
        if i >= 10:  # the first ten warm the workers' caches and connections
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _p95(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=100, method="inclusive")[94], 1)


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory() as directory:
        database_url = args.database_url or f"sqlite:///{Path(directory) / 'bench.db'}"
        redis = EmbeddedRedis(Path(directory) / "redis", persist=False).start()
        settings = load_settings(
            {
                "DATABASE_URL": database_url,
                "REDIS_URL": redis.url,
                "INSTANCE_DIR": directory,
                "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123",
            }
        )
        engine = make_engine(settings)
        process = None
        try:
            data = build(engine, args.ventures, args.investors, args.events)
            engine.dispose()
            port = free_port()
            env = {
                **os.environ,
                "DATABASE_URL": database_url,
                "REDIS_URL": redis.url,
                "INSTANCE_DIR": directory,
                "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123",
            }
            process = _gunicorn(env, port, args.web_workers)
            base = f"http://127.0.0.1:{port}"
            _wait(base, process)
            api = urllib.request.build_opener()
            bearer = {"Authorization": f"Bearer {data['token']}"}
            browser = _browser(base, data["staff_email"])
            results: dict[str, Any] = {}
            mover = _deal_mover(engine)  # disposed below
            for name, path in URLS.items():
                opener, headers = (api, bearer) if path.startswith("/api/") else (browser, {})
                before = mover if name.endswith("_after_deal_move") else None
                timings = _time(opener, base + path, headers, args.requests, before)
                results[name] = {
                    "p50_ms": round(statistics.median(timings), 1),
                    "p95_ms": _p95(timings),
                    "max_ms": round(max(timings), 1),
                }
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
            engine.dispose()
            redis.stop()
    report = {
        "database": "postgresql" if args.database_url else "sqlite",
        "web_workers": args.web_workers,
        "requests_each": args.requests,
        **{k: v for k, v in data.items() if k not in {"token", "staff_email"}},
        "results": results,
        "summary_p95_ms": results["summary"]["p95_ms"],
        "dashboard_p95_ms": results["dashboard"]["p95_ms"],
        "load_average": os.getloadavg(),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        ),
    }
    for name, figures in results.items():
        p50, p95, top = figures["p50_ms"], figures["p95_ms"], figures["max_ms"]
        print(f"{name:20} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  max {top:7.1f} ms")
    print(f"rows: {data['counts']}  (built in {data['build_s']} s)")
    if args.json:
        print(json.dumps(report))


if __name__ == "__main__":
    main()
