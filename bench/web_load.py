"""Load test of the read side against a running stack (`make run` / `python -m webapp.stack`).

    python bench/web_load.py --base-url http://127.0.0.1:5000 [--concurrency 32] [--duration 30]

Signs in as the demo investor (API token and a browser session), then drives
`GET /api/v1/investors/{id}/matches` and the investor's matches page `/investor/matches` with
N concurrent clients, each sending its next request as soon as the last one answers (a closed
loop: throughput and latency at that concurrency). Requests rotate through the pages of the
list and its sort orders, as people browsing it would. Prints requests/s, latency percentiles
and every non-2xx answer; exits 1 if the issue's targets are missed (unless --no-targets).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp

DEMO_INVESTOR = ("investor@demo.venturematch.example", "pennine-way-investor-2025")
TARGETS = {"api_p95_ms": 50.0, "api_rps": 300.0, "page_p95_ms": 100.0}
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
VARIANTS = (
    "limit=20",
    "limit=20&offset=20",
    "sort=raise_desc&limit=20",
    "limit=20&offset=40",
    "sort=newest&limit=20",
)


@dataclass
class Result:
    """One phase's figures."""

    name: str
    concurrency: int
    seconds: float
    requests: int = 0
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0


def _percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


async def _api_token(http: aiohttp.ClientSession, base: str, email: str, password: str) -> str:
    async with http.post(
        f"{base}/api/v1/auth/tokens", json={"email": email, "password": password}
    ) as response:
        body = await response.json()
        if response.status != 201:
            raise SystemExit(f"could not get an API token for {email}: {response.status} {body}")
        return str(body["token"])


async def _investor_id(http: aiohttp.ClientSession, base: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    async with http.get(f"{base}/api/v1/investors/mine", headers=headers) as response:
        body = await response.json()
        if response.status != 200:
            raise SystemExit(f"the account has no investor profile: {response.status} {body}")
        return int(body["id"])


async def _sign_in(http: aiohttp.ClientSession, base: str, email: str, password: str) -> None:
    async with http.get(f"{base}/sign-in") as response:
        found = _CSRF.search(await response.text())
    if found is None:
        raise SystemExit("no CSRF token on /sign-in")
    form = {"csrf_token": found.group(1), "email": email, "password": password}
    async with http.post(f"{base}/sign-in", data=form, allow_redirects=False) as response:
        if response.status not in (302, 303):
            raise SystemExit(f"sign-in failed: {response.status}")


async def _phase(
    name: str,
    urls: list[str],
    *,
    concurrency: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    cookies: Any = None,
) -> Result:
    """`concurrency` clients, each looping over `urls` until time is up."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, headers=headers, cookie_jar=cookies
    ) as http:
        started = time.perf_counter()
        deadline = started + seconds

        async def client(number: int) -> None:
            turn = number
            while time.perf_counter() < deadline:
                url = urls[turn % len(urls)]
                turn += 1
                sent = time.perf_counter()
                try:
                    async with http.get(url, allow_redirects=False) as response:
                        await response.read()
                        key = str(response.status)
                except (aiohttp.ClientError, TimeoutError) as exc:
                    key = type(exc).__name__
                latencies.append((time.perf_counter() - sent) * 1000)
                statuses[key] = statuses.get(key, 0) + 1

        await asyncio.gather(*(client(n) for n in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    errors = sum(count for key, count in statuses.items() if not key.startswith("2"))
    return Result(
        name=name,
        concurrency=concurrency,
        seconds=round(elapsed, 2),
        requests=len(ordered),
        errors=errors,
        statuses=statuses,
        rps=round(len(ordered) / elapsed, 1),
        p50_ms=round(statistics.median(ordered), 1) if ordered else 0.0,
        p95_ms=round(_percentile(ordered, 0.95), 1),
        p99_ms=round(_percentile(ordered, 0.99), 1),
        max_ms=round(ordered[-1], 1) if ordered else 0.0,
    )


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            kib = int(info.readline().split()[1])
            memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    base = args.base_url.rstrip("/")
    async with aiohttp.ClientSession() as http:
        token = await _api_token(http, base, args.email, args.password)
        investor_id = await _investor_id(http, base, token)
    # 127.0.0.1 is an IP address (unsafe) and a secure context: the app sets Secure cookies there.
    jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[base])
    async with aiohttp.ClientSession(cookie_jar=jar) as browser:
        await _sign_in(browser, base, args.email, args.password)
    api_urls = [f"{base}/api/v1/investors/{investor_id}/matches?{v}" for v in VARIANTS]
    page_urls = [f"{base}/investor/matches?{v}" for v in VARIANTS]
    headers = {"Authorization": f"Bearer {token}"}
    results = []
    await _phase("warm-up", api_urls, concurrency=4, seconds=args.warmup, headers=headers)
    await _phase("warm-up", page_urls, concurrency=4, seconds=args.warmup, cookies=jar)
    results.append(
        await _phase(
            f"GET /api/v1/investors/{investor_id}/matches",
            api_urls,
            concurrency=args.concurrency,
            seconds=args.duration,
            headers=headers,
        )
    )
    for clients in [args.page_concurrency, *args.extra_page_concurrency]:
        results.append(
            await _phase(
                "GET /investor/matches (page)",
                page_urls,
                concurrency=clients,
                seconds=args.duration,
                cookies=jar,
            )
        )
    return {"base_url": base, "machine": machine(), "results": [asdict(r) for r in results]}


def verdicts(report: dict[str, Any]) -> list[str]:
    """The targets of issue 4 point 7 that were missed.

    The issue sets the API's p95 and throughput at 32 concurrent clients; it gives the page a
    p95 without a concurrency, so the page is judged at `--page-concurrency` (8 by default,
    already far more simultaneous page loads than an investor team makes) and also reported,
    for information, at the API's 32.
    """
    api, page = report["results"][:2]
    missed = []
    if api["p95_ms"] > TARGETS["api_p95_ms"]:
        missed.append(f"API p95 {api['p95_ms']} ms > {TARGETS['api_p95_ms']} ms")
    if api["rps"] < TARGETS["api_rps"]:
        missed.append(f"API {api['rps']} req/s < {TARGETS['api_rps']} req/s")
    if page["p95_ms"] > TARGETS["page_p95_ms"]:
        missed.append(f"page p95 {page['p95_ms']} ms > {TARGETS['page_p95_ms']} ms")
    missed += [
        f"{r['name']}: {r['errors']} errors {r['statuses']}" for r in (api, page) if r["errors"]
    ]
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default=os.environ.get("BASE_URL", "http://127.0.0.1:5000"))
    parser.add_argument("--email", default=DEMO_INVESTOR[0])
    parser.add_argument("--password", default=DEMO_INVESTOR[1])
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per phase")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument(
        "--page-concurrency",
        type=int,
        default=8,
        help="clients for the page phase that the page target is judged on",
    )
    parser.add_argument(
        "--extra-page-concurrency",
        type=int,
        nargs="*",
        default=[32],
        help="also measure the page with these numbers of clients (for information)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--no-targets", action="store_true", help="exit 0 even if targets miss")
    args = parser.parse_args(argv)
    report = asyncio.run(run(args))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        m = report["machine"]
        print(f"machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, Python {m['python']}")
        print(f"{'phase':44} {'clients':>7} {'requests':>8} {'req/s':>7} "
              f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} errors")  # fmt: skip
        for r in report["results"]:
            print(f"{r['name']:44} {r['concurrency']:>7} {r['requests']:>8} {r['rps']:>7} "
                  f"{r['p50_ms']:>7} {r['p95_ms']:>7} {r['p99_ms']:>7} {r['max_ms']:>7} "
                  f"{r['errors']}")  # fmt: skip
    missed = verdicts(report)
    for line in missed:
        print(f"MISSED: {line}", file=sys.stderr)
    return 0 if args.no_targets or not missed else 1


if __name__ == "__main__":
    sys.exit(main())
