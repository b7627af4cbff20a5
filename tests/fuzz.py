"""`make fuzz`: schemathesis against a running stack, as every role, for thousands of requests.

    python -m tests.fuzz [--base-url URL] [--requests 5000] [--report fuzz-report.json]

Without --base-url it starts `make run`'s stack itself on a free port (its own SQLite and
embedded Redis, or TEST_DATABASE_URL / TEST_REDIS_URL when set: use scratch ones, the fuzzer
deletes and rewrites what it can reach) and stops it afterwards. Every operation of
/api/openapi.json is called as the demo founder, investor, staff member and admin, and with no
token at all, with valid and invalid inputs drawn from the document, round after round until
the requested number of requests is reached. Each response is checked: no 5xx, the status,
content type, headers and body as documented. Exits 1 on any failure, listing each distinct
one with a curl command that reproduces it.

CI runs a smaller, in-process sample of the same checks (tests/webapp/api/test_schemathesis.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks
from schemathesis.core.failures import FailureGroup

from tests.live_stack import live_stack

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]
DEMO_LOGINS = {
    "founder": ("founder@demo.venturematch.example", "tyne-bridge-founder-2025"),
    "investor": ("investor@demo.venturematch.example", "pennine-way-investor-2025"),
    "staff": ("staff@demo.venturematch.example", "humber-estuary-staff-2025"),
    "admin": ("admin@demo.venturematch.example", "mersey-ferry-admin-2025"),
}
ROLES = (*DEMO_LOGINS, "anonymous")
# Fuzzing this with wrong passwords trips the per-IP sign-in limit, after which the demo
# accounts could not sign in again: it runs last, once every other operation is done.
SIGN_IN = ("POST", "/api/v1/auth/tokens")
REVOKE = ("DELETE", "/api/v1/auth/tokens/current")


@dataclass(frozen=True)
class Problem:
    """One distinct failure: where, as whom, what the check said, and how to reproduce it."""

    role: str
    operation: str
    title: str
    status: int
    curl: str


@dataclass
class Tally:
    """What the run did, per role."""

    requests: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    problems: dict[tuple[str, str, str], Problem] = field(default_factory=dict)
    transport_errors: int = 0

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def record(self, role: str, status: int) -> None:
        self.requests[role] += 1
        self.statuses.setdefault(role, Counter())[status] += 1


class Tokens:
    """Bearer tokens of the demo accounts, issued again whenever the fuzzer revokes one."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._tokens: dict[str, str] = {}

    def issue(self, role: str) -> str:
        email, password = DEMO_LOGINS[role]
        body = json.dumps({"email": email, "password": password}).encode()
        request = urllib.request.Request(
            f"{self.base_url}/api/v1/auth/tokens",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            token = str(json.loads(response.read())["token"])
        self._tokens[role] = token
        return token

    def headers(self, role: str) -> dict[str, str]:
        if role == "anonymous":
            return {}
        token = self._tokens.get(role) or self.issue(role)
        return {"Authorization": f"Bearer {token}"}

    def refresh_if_revoked(self, role: str) -> None:
        """After the revoking operation: a token that stopped working is replaced."""
        if role == "anonymous":
            return
        request = urllib.request.Request(f"{self.base_url}/api/v1/me", headers=self.headers(role))
        try:
            urllib.request.urlopen(request, timeout=30).close()
        except urllib.error.HTTPError as error:
            if error.code != 401:
                raise
            self.issue(role)


def _towards_demo_ids(values: Any, largest_id: int) -> st.SearchStrategy[Any]:
    """Each whole-number `…_id` value, or the value itself: sometimes kept, sometimes one of
    the ids the demo data occupies, so requests reach real objects and not only 404s."""
    if not isinstance(values, dict):
        return st.just(values)
    ids = {
        name: value
        for name, value in values.items()
        if name.endswith("_id") and isinstance(value, int) and not isinstance(value, bool)
    }
    if not ids:
        return st.just(values)
    draws = {name: st.just(value) | st.integers(1, largest_id) for name, value in ids.items()}
    return st.fixed_dictionaries(draws).map(lambda drawn: {**values, **drawn})


def _aim_at_demo_data(schema: Any, largest_id: int) -> None:
    def flatmap_path_parameters(_context: Any, values: Any) -> st.SearchStrategy[Any]:
        return _towards_demo_ids(values, largest_id)

    def flatmap_body(_context: Any, values: Any) -> st.SearchStrategy[Any]:
        return _towards_demo_ids(values, largest_id)

    schema.hook(flatmap_path_parameters)
    schema.hook(flatmap_body)


def _label(operation: Any) -> str:
    return f"{operation.method.upper()} {operation.path}"


def _exercise(
    operation: Any,
    role: str,
    examples: int,
    run_seed: int,
    call: Callable[[schemathesis.Case], None],
) -> None:
    """Draw up to `examples` cases (valid and invalid) for the operation and send each."""
    strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
        GenerationMode.NEGATIVE
    )

    @seed(run_seed)
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        print_blob=False,
    )
    @given(case=strategy)
    def send(case: schemathesis.Case) -> None:
        call(case)

    send()


def _caller(
    base_url: str, role: str, tokens: Tokens, tally: Tally, http: requests.Session
) -> Callable[[schemathesis.Case], None]:
    def call(case: schemathesis.Case) -> None:
        headers = tokens.headers(role)
        try:
            response = case.call(base_url=base_url, headers=headers, session=http, timeout=120)
        except requests.RequestException:
            tally.transport_errors += 1
            return
        tally.record(role, response.status_code)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                key = (role, _label(case.operation), failure.title)
                if key not in tally.problems:
                    curl = case.as_curl_command(headers=headers, base_url=base_url)
                    tally.problems[key] = Problem(
                        role, key[1], failure.title, response.status_code, curl
                    )

    return call


def fuzz(
    base_url: str,
    target: int,
    *,
    largest_id: int = 150,
    base_seed: int = 0,
    only: Callable[[str], bool] | None = None,
    log: Callable[[str], None] = print,
) -> Tally:
    """Rounds over every role and operation until `target` requests have been sent.

    Each round draws as many cases per operation as should reach the target; operations with
    few possible inputs (none at all, for some) yield fewer, so the next round asks the others
    for proportionally more.
    """
    schema = schemathesis.openapi.from_url(f"{base_url}/api/openapi.json")
    _aim_at_demo_data(schema, largest_id)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if only is None or only(_label(op))]
    last = [op for op in operations if (op.method.upper(), op.path) == SIGN_IN]
    ordered = [op for op in operations if op not in last]
    tokens, tally = Tokens(base_url), Tally()
    for role in DEMO_LOGINS:
        tokens.issue(role)
    pairs = len(ROLES) * len(operations)
    examples = first_examples = max(1, -(-target // pairs))
    http = requests.Session()
    round_number = 0
    while tally.total < target:
        round_number += 1
        before = tally.total
        for role in ROLES:
            call = _caller(base_url, role, tokens, tally, http)
            for operation in ordered:
                label = _label(operation)
                run_seed = zlib.crc32(f"{base_seed}:{round_number}:{role}:{label}".encode())
                _exercise(operation, role, examples, run_seed, call)
                if (operation.method.upper(), operation.path) == REVOKE:
                    tokens.refresh_if_revoked(role)
            log(f"round {round_number}: {role:9} done, {tally.total:,} requests so far")
        made = tally.total - before
        if made == 0:
            break  # nothing new can be drawn
        examples = max(1, -(-examples * (target - tally.total) // made))
    for role in ROLES:
        call = _caller(base_url, role, tokens, tally, http)
        for operation in last:
            run_seed = zlib.crc32(f"{base_seed}:last:{role}".encode())
            _exercise(operation, role, first_examples, run_seed, call)
    return tally


def _machine() -> str:
    cpus = os.cpu_count() or 0
    processor = platform.processor() or platform.machine()
    return f"{processor}, {cpus} CPUs, Python {platform.python_version()}"


def report(tally: Tally, *, seconds: float, database: str) -> dict[str, Any]:
    """The run's counts, as printed and as written to --report."""
    return {
        "requests": tally.total,
        "seconds": round(seconds),
        "database": database,
        "machine": _machine(),
        "transport_errors": tally.transport_errors,
        "by_role": {
            role: {
                "requests": tally.requests[role],
                "2xx": sum(n for s, n in tally.statuses.get(role, {}).items() if s < 300),
                "4xx": sum(n for s, n in tally.statuses.get(role, {}).items() if 400 <= s < 500),
                "5xx": sum(n for s, n in tally.statuses.get(role, {}).items() if s >= 500),
            }
            for role in ROLES
        },
        "server_errors": sum(
            n for counts in tally.statuses.values() for s, n in counts.items() if s >= 500
        ),
        "failures": [problem.__dict__ for problem in tally.problems.values()],
    }


@contextmanager
def _stack(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """(base URL, database) of the stack to fuzz: the one given, or one started here."""
    if args.base_url:
        yield args.base_url.rstrip("/"), "as configured at " + args.base_url
        return
    with tempfile.TemporaryDirectory(prefix="venturematch-fuzz-") as directory:
        print(f"[fuzz] starting the stack (log: {directory}/instance/stack.log)", flush=True)
        with live_stack(
            Path(directory) / "instance", ventures=args.ventures, investors=args.investors
        ) as stack:
            database = "PostgreSQL" if os.environ.get("TEST_DATABASE_URL") else "SQLite"
            yield stack.url, database


def main(argv: list[str] | None = None) -> int:
    """Fuzz, print the counts and every distinct failure; exit 1 if there was any."""
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--base-url", help="fuzz this running stack instead of starting one")
    parser.add_argument("--requests", type=int, default=5000, help="at least this many")
    parser.add_argument("--ventures", type=int, default=80, help="demo ventures to seed")
    parser.add_argument("--investors", type=int, default=30, help="demo investors to seed")
    parser.add_argument("--report", type=Path, help="write the counts and failures as JSON")
    parser.add_argument(
        "--seed", type=int, help="replay a run (each run draws new inputs unless given)"
    )
    args = parser.parse_args(argv)
    run_seed = args.seed if args.seed is not None else random.randrange(2**31)
    started = time.monotonic()
    with _stack(args) as (base_url, database):
        print(
            f"[fuzz] {base_url}: at least {args.requests:,} requests as {', '.join(ROLES)}, "
            f"seed {run_seed} (replay with --seed {run_seed})",
            flush=True,
        )
        tally = fuzz(
            base_url,
            args.requests,
            base_seed=run_seed,
            log=lambda line: print(f"[fuzz] {line}", flush=True),
        )
    summary = report(tally, seconds=time.monotonic() - started, database=database)
    summary["seed"] = run_seed
    if args.report:
        args.report.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\n[fuzz] {summary['requests']:,} requests in {summary['seconds']} s ({database})")
    for role, counts in summary["by_role"].items():
        print(
            f"[fuzz]   {role:9} {counts['requests']:6,} requests: {counts['2xx']:,} 2xx, "
            f"{counts['4xx']:,} 4xx, {counts['5xx']:,} 5xx"
        )
    for problem in tally.problems.values():
        print(f"\n[fuzz] FAILED as {problem.role}: {problem.operation} -> {problem.status}")
        print(f"[fuzz]   {problem.title}\n[fuzz]   {problem.curl}")
    failed = bool(tally.problems) or tally.transport_errors > 0
    verdict = "FAILED" if failed else "passed"
    print(
        f"\n[fuzz] {verdict}: {len(tally.problems)} distinct failures, "
        f"{summary['server_errors']} server errors, {tally.transport_errors} transport errors"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
