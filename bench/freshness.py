"""Freshness of the rankings against a running stack (`python -m webapp.stack`, i.e. `make run`).

1. Change → visible: a founder PATCHes a venture through the API, alternating between two
   versions of it; we time from the PATCH response to the moment the change shows in
   `GET /api/v1/investors/{id}/matches` for an investor whose list the venture enters in one
   version and leaves in the other (read as staff, polled every 20 ms). p50 and p95 over N.
2. Full refresh: a full refresh is requested (as the staff button does, through the outbox)
   and timed from the request to its JobRun succeeding (all pairs scored by the workers, every
   list written).

Usage (same DATABASE_URL/INSTANCE_DIR as the stack; demo logins from `python -m seeds demo`):
    python bench/freshness.py --url http://127.0.0.1:5000 [--changes 50] [--full-refreshes 1]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from webapp.config import load_settings_or_exit
from webapp.db import make_engine
from webapp.models import JobRun, Match
from webapp.services.ranking import refresh

FOUNDER = ("founder@demo.venturematch.example", "tyne-bridge-founder-2025")
STAFF = ("staff@demo.venturematch.example", "humber-estuary-staff-2025")
POLL_S = 0.02
TIMEOUT_S = 20.0
SERVER_ERRORS: list[str] = []  # 5xx answers seen (retried): reported, never hidden


class Api:
    """A keep-alive JSON client for one base URL."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
        self.token: str | None = None

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One request; a 5xx is recorded and retried (up to five times)."""
        for _ in range(5):
            status, answer = self._once(method, path, body)
            if status < 500:
                return status, answer
            SERVER_ERRORS.append(f"{method} {path}: {status}")
            time.sleep(0.05)
        return status, answer

    def _once(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body) if body is not None else None
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else None)

    def login(self, email: str, password: str) -> Api:
        status, body = self.call(
            "POST", "/api/v1/auth/tokens", {"email": email, "password": password}
        )
        if status != 201:
            sys.exit(f"sign-in as {email} failed ({status}): {body}")
        self.token = body["token"]
        return self


def _listed(staff: Api, investor_id: int, venture_id: int) -> bool:
    status, body = staff.call("GET", f"/api/v1/investors/{investor_id}/matches?limit=100")
    if status != 200:
        sys.exit(f"matches of investor {investor_id}: {status} {body}")
    return any(item["venture"]["id"] == venture_id for item in body["items"])


def _holders(engine: Any, venture_id: int) -> set[int]:
    with Session(engine) as session:
        rows = session.exec(
            select(Match.investor_id)
            .where(col(Match.venture_id) == venture_id)
            .where(col(Match.investor_rank).is_not(None))
        ).all()
    return set(rows)


def _versions(venture: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The venture as it is, and a version in another sector, stage and size."""
    original = {k: venture[k] for k in ("sectors", "stage", "raise_amount_gbp", "instruments")}
    other_stage = "series_b" if venture["stage"] in ("pre_seed", "seed") else "pre_seed"
    other = {
        "sectors": ["nuclear"] if "nuclear" not in venture["sectors"] else ["games"],
        "stage": other_stage,
        "raise_amount_gbp": 40_000_000 if venture["raise_amount_gbp"] < 5_000_000 else 60_000,
        "instruments": ["loan"] if "loan" not in venture["instruments"] else ["grant"],
    }
    return original, other


def measure_changes(base: str, engine: Any, changes: int) -> list[float]:
    founder = Api(base).login(*FOUNDER)
    staff = Api(base).login(*STAFF)
    status, listing = founder.call("GET", "/api/v1/ventures?limit=100")
    published = [v for v in listing["items"] if v["visibility"] == "published"]
    if status != 200 or not published:
        sys.exit(f"the demo founder has no published venture ({status})")
    venture = published[0]
    original, other = _versions(venture)
    path = f"/api/v1/ventures/{venture['id']}"
    founder.call("PATCH", path, original)
    time.sleep(5)
    holding_a = _holders(engine, venture["id"])
    founder.call("PATCH", path, other)
    time.sleep(5)
    holding_b = _holders(engine, venture["id"])
    candidates = sorted(holding_a ^ holding_b)
    if not candidates:
        sys.exit("no investor list changes between the two versions; pick another venture")
    investor = candidates[0]
    in_a = investor in holding_a
    print(
        f"venture {venture['id']} · investor {investor} (listed in version {'A' if in_a else 'B'})"
    )
    timings = []
    for n in range(changes):
        version, listed = (original, in_a) if n % 2 == 0 else (other, not in_a)
        status, body = founder.call("PATCH", path, version)
        if status != 200:
            sys.exit(f"PATCH failed ({status}): {body}")
        start = time.perf_counter()
        while _listed(staff, investor, venture["id"]) != listed:
            if time.perf_counter() - start > TIMEOUT_S:
                sys.exit(f"change {n} not visible after {TIMEOUT_S:.0f} s")
            time.sleep(POLL_S)
        timings.append(time.perf_counter() - start)
        print(f"change {n + 1:3d}: visible after {timings[-1] * 1000:7.0f} ms", flush=True)
        time.sleep(0.2)
    return timings


def measure_full_refresh(engine: Any) -> dict[str, Any]:
    with Session(engine, expire_on_commit=False) as session:
        start = time.perf_counter()
        job = refresh.request_full_refresh(session=session, reason="bench/freshness.py")
        while True:
            current = session.get(JobRun, job.id, populate_existing=True)
            session.rollback()
            if current is not None and current.status in ("succeeded", "failed"):
                break
            time.sleep(0.1)
        elapsed = time.perf_counter() - start
    if current.status != "succeeded":
        sys.exit(f"full refresh failed: {current.error}")
    return {"seconds": elapsed, "result": current.result}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--full-refreshes", type=int, default=1)
    args = parser.parse_args()
    settings = load_settings_or_exit()
    engine = make_engine(settings)
    try:
        if args.changes:
            timings = measure_changes(args.url, engine, args.changes)
            print(
                f"change → visible over {len(timings)} changes: "
                f"p50 {statistics.median(timings) * 1000:.0f} ms, "
                f"p95 {_percentile(timings, 0.95) * 1000:.0f} ms, "
                f"max {max(timings) * 1000:.0f} ms"
            )
        if SERVER_ERRORS:
            print(f"{len(SERVER_ERRORS)} server errors were retried, e.g. {SERVER_ERRORS[:3]}")
        for n in range(args.full_refreshes):
            outcome = measure_full_refresh(engine)
            print(
                f"full refresh {n + 1}: {outcome['seconds']:.1f} s end to end · {outcome['result']}"
            )
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
