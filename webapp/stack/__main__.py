"""`python -m webapp.stack` (what `make run` runs): the whole platform on one machine.

Migrates, loads the demo data, trains the first model, then starts an embedded Redis (unless
REDIS_URL is set), a Celery worker, Celery beat and the web app under gunicorn, and stops them
all on Ctrl-C or SIGTERM. A worker or beat that dies (the OOM killer, a crash) is restarted
after a back-off while the web keeps serving; the web or the embedded Redis dying, or a worker
or beat dying over and over right after starting, stops everything (`supervisor.Restart`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from webapp.config import Settings, load_settings_or_exit
from webapp.embedded_redis import EmbeddedRedis
from webapp.stack.prepare import (
    PreparationError,
    has_active_model,
    load_reference_data,
    migrate,
    seed_demo,
    train_first_model,
)
from webapp.stack.supervisor import Child, Restart, Supervisor

READY_TIMEOUT_S = 60.0
# Worker and beat come back after 1, 2, 4… (at most 30) seconds; ten deaths in a row, each
# within 30 s of starting (about two and a half minutes of crashing), mean something is
# broken that a restart will not mend.
RESTART = Restart(first_delay_s=1.0, max_delay_s=30.0, healthy_after_s=30.0, give_up_after=10)
GUNICORN_CONFIG = "python:webapp.gunicorn_conf"  # shared with the Docker image and benchmarks
# Celery's own switch (read by billiard at import): SIGTERM starts a cold shutdown with the soft
# shutdown first, so running tasks get `VENTUREMATCH_WORKER_SOFT_SHUTDOWN_S` to finish and are
# then put back on the queue. Without it SIGTERM to the worker's process group kills the pool
# process mid-task at once, and SIGTERM to the main process alone waits for every task.
WORKER_ENV = {"REMAP_SIGTERM": "SIGQUIT"}


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m webapp.stack", description=__doc__)
    parser.add_argument("--ventures", type=int, default=300, help="demo ventures to load")
    parser.add_argument("--investors", type=int, default=80, help="demo investors to load")
    parser.add_argument("--seed", type=int, default=7, help="demo data random seed")
    parser.add_argument("--no-seed", action="store_true", help="skip loading demo data")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    # Sync workers doing CPU-bound work: one per core plus one to cover I/O waits measured
    # best here (bench/RESULTS.md, Web); WEB_CONCURRENCY overrides.
    default_web_workers = (os.cpu_count() or 1) + 1
    parser.add_argument(
        "--web-workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", default_web_workers)),
    )
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="Celery worker processes")
    return parser.parse_args(argv)


def _wait_until_ready(url: str, supervisor: Supervisor) -> bool:
    """Poll /healthz until the web app answers (or something required fails, or time runs out).

    A worker that dies meanwhile (say its pool processes were killed before it was ready) is
    restarted like at any other time; it does not stop the start-up.
    """
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        reason = supervisor.check()
        if reason:
            supervisor.request_stop(reason)
            return False
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    return False


def _children_env(settings: Settings, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["REDIS_URL"] = redis_url
    env["DATABASE_URL"] = settings.database_url
    env["INSTANCE_DIR"] = str(settings.instance_dir.resolve())
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _banner(url: str, logins: list[str], redis_note: str, settings: Settings) -> str:
    lines = [
        "",
        "=" * 72,
        f"  venturematch is running at {url}",
        f"  API reference: {url}/api/docs     health: {url}/healthz",
        f"  database: {settings.database_url}",
        f"  broker:   {redis_note}",
        f"  mail:     {settings.smtp_url or f'.eml files in {settings.mail_dir}'}",
    ]
    if logins:
        lines += ["", "  Demo logins:"] + [f"    {line.strip()}" for line in logins]
    lines += ["", "  Press Ctrl-C to stop everything.", "=" * 72, ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Prepare, start everything, wait for Ctrl-C, stop everything."""
    args = _arguments(argv)
    settings = load_settings_or_exit()
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor()
    supervisor.install_signal_handlers()

    embedded: EmbeddedRedis | None = None
    if settings.redis_url:
        redis_url, redis_note = settings.redis_url, settings.redis_url
    else:
        embedded = server = EmbeddedRedis(settings.instance_dir / "redis").start()
        supervisor.require("the embedded Redis", lambda: server.running)
        redis_url = embedded.url
        redis_note = f"embedded redis-server at {redis_url} (data in {embedded.data_dir})"
    env = _children_env(settings, redis_url)
    exit_code = 0
    try:
        print(f"[stack] {load_reference_data()}", flush=True)
        print(f"[stack] database at revision {migrate(settings)}", flush=True)
        logins: list[str] = []
        if not args.no_seed:
            output = seed_demo(
                env, ventures=args.ventures, investors=args.investors, seed=args.seed
            )
            logins = [line for line in output.splitlines() if "@" in line]
        if not has_active_model(settings):
            train_first_model(env)

        url = f"http://{args.host}:{settings.port}"
        beat_schedule = Path(settings.instance_dir.resolve(), "celerybeat-schedule")
        celery = [sys.executable, "-m", "celery", "-A", "workers"]
        for number in range(1, args.workers + 1):
            supervisor.add(
                Child(
                    f"worker{number}",
                    [*celery, "worker", "-Q", "scoring,notifications,maintenance",
                     "-c", str(args.worker_concurrency), "-n", f"worker{number}@%h",
                     "-l", "INFO"],
                    {**env, **WORKER_ENV},
                    restart=RESTART,
                )
            )  # fmt: skip
        supervisor.add(
            Child(
                "beat",
                [*celery, "beat", "-l", "INFO", "-s", str(beat_schedule)],
                env,
                restart=RESTART,
            )
        )
        supervisor.add(
            Child(
                "web",
                [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG,
                 "--bind", f"{args.host}:{settings.port}",
                 "--workers", str(args.web_workers), "--graceful-timeout", "5",
                 "--timeout", "60", "webapp:create_app()"],
                env,
            )
        )  # fmt: skip
        if not _wait_until_ready(url, supervisor):
            why = f": {supervisor.stop_reason}" if supervisor.stop_reason else ""
            raise PreparationError(f"the web app did not become ready{why} (see the output above)")
        print(_banner(url, logins, redis_note, settings), flush=True)
        exit_code = supervisor.wait()
    except PreparationError as exc:
        print(f"[stack] {exc}", file=sys.stderr, flush=True)
        exit_code = 1
    except KeyboardInterrupt:  # a Ctrl-C before the handlers' loop started waiting
        supervisor.request_stop("SIGINT")
    finally:
        reason = supervisor.stop_reason or "start-up finished"
        print(f"[stack] stopping ({reason})…", flush=True)
        killed = supervisor.stop_all()
        if killed:
            print(f"[stack] had to kill: {', '.join(killed)}", flush=True)
        if embedded is not None:
            embedded.stop()
        print("[stack] stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
