"""Scoring speed of the product's own refresh path, from the database to stored lists.

Usage: python bench/score_throughput.py [--ventures 10000] [--investors 2000] [--k 50]
           [--repeats 101] [--settle 0] [--workers 2] [--chunk 2500] [--database-url URL]
           [--json]

It loads the demo generator's data into a fresh database (SQLite in a temporary directory, or
the PostgreSQL of --database-url, whose schema it drops and recreates), publishes every venture
and activates every mandate (so 10,000 × 2,000 is 20M pairs), activates a model with a
vocabulary fitted on the profiles, and starts --workers processes that play Celery worker
processes: each warms its scoring state at start and freezes it out of the garbage collector's
way after the warm-up and after each task (as `workers.lifecycle` does), and runs the
very functions the tasks call — `scoring_full.compute_chunk` per chunk (its result travels as
bytes, through files here instead of Redis), `scoring_full.write_full_refresh` in one of them
(as `full_refresh_finish` does), and `scoring.refresh_venture` (as `refresh_venture` does).

Timed: a first full refresh (empty table), a second one (lists unchanged: the nightly case,
`full_refresh_s`), one after a new model is activated (every row rewritten, the workers rebuild
their investor pool inside the timing: `full_refresh_new_model_s`; --refreshes 1 or 2 stops
earlier, for very large runs, and `full_refresh_s` is then the last one run), then --repeats venture
changes, each committed and then rescored with `refresh_venture` (`incremental_ms_median`; only
the refresh is timed). --settle N refreshes N other changes untimed first: the timed changes then
meet the table as a working day leaves it, pages dirtied by the refreshes and not yet vacuumed,
instead of fresh from the new model's rewrite (on PostgreSQL every page all-visible). With --json
the last stdout line holds those keys, `pairs`, and the peak RSS of every worker process
(`worker_peak_rss_mb`). CPU seconds are reported beside wall times:
on a machine shared with other work they say what the run would take on idle cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

# The checkout this file is in is the code measured. With an editable install, a bench run from
# a second worktree would otherwise import the installed checkout's code (spawned workers too):
# an old-against-new comparison then timed the same code twice.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, text, update  # noqa: E402
from sqlmodel import Session, col  # noqa: E402

import matching  # noqa: E402
from seeds.demo import generate  # noqa: E402
from seeds.demo.load import load_dataset  # noqa: E402
from webapp.config import Settings, load_settings  # noqa: E402
from webapp.db import make_engine, make_worker_engine, session_scope  # noqa: E402
from webapp.migrate import upgrade  # noqa: E402
from webapp.models import InvestorProfile, ModelVersion, Venture, utcnow  # noqa: E402
from webapp.services.common.taxonomy import matching_taxonomy  # noqa: E402
from webapp.services.ranking import (  # noqa: E402
    column_reserve,
    scoring,
    scoring_data,
    scoring_full,
)
from workers.frozen_state import refreeze_if_replaced  # noqa: E402

AS_OF = dt.date(2025, 6, 30)  # fixed, so every run scores the same data
SECRET = "bench-secret-key-that-is-long-enough-0123"

# -- the worker processes ------------------------------------------------------------------------
_engine: Engine | None = None
_settings: Settings | None = None


def _environment(database_url: str, directory: str, k: int) -> dict[str, Any]:
    return {"DATABASE_URL": database_url, "INSTANCE_DIR": directory, "SECRET_KEY": SECRET,
            "MATCH_TOP_K": str(k)}  # fmt: skip


def _init_worker(environment: dict[str, Any]) -> None:
    """What a worker process does when it starts: settings, engine, warm scoring state."""
    global _engine, _settings
    _settings = load_settings(environment)
    _engine = make_worker_engine(_settings)  # as `workers.runtime`
    with Session(_engine) as session:
        scoring.warm(session=session, settings=_settings)
    refreeze_if_replaced()  # as `workers.lifecycle` after the warm-up and after each task


def _peak() -> tuple[int, float]:
    return os.getpid(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ready(pause: float) -> tuple[int, float]:
    time.sleep(pause)
    column_reserve.wait_filled(timeout=600)  # the warm-up's reserve fill, before any timing
    return _peak()


def _chunk(index: int, venture_ids: list[int], folder: str) -> tuple[str, float, tuple[int, float]]:
    """`full_refresh_chunk`: score one chunk and park its bytes (returns its CPU seconds)."""
    assert _engine is not None
    assert _settings is not None
    cpu = time.process_time()
    with Session(_engine) as session:
        part = scoring_full.compute_chunk(
            session=session, settings=_settings, venture_ids=venture_ids, index=index
        )
    path = Path(folder) / f"part-{index}.npz"
    path.write_bytes(part.to_bytes())
    refreeze_if_replaced()
    return str(path), time.process_time() - cpu, _peak()


def _finish(paths: list[str], snapshot: dt.datetime) -> tuple[dict[str, Any], tuple[int, float]]:
    """`full_refresh_finish`: read the parts one at a time, merge, write every list."""
    assert _engine is not None
    assert _settings is not None
    cpu = time.process_time()
    parts = (scoring_full.ChunkResult.from_bytes(Path(p).read_bytes()) for p in paths)
    with Session(_engine) as session:
        stats = scoring_full.write_full_refresh(
            session=session, settings=_settings, parts=parts, snapshot_at=snapshot
        )
    refreeze_if_replaced()
    written = stats.written.__dict__ if stats.written else {}
    figures = {"rows": stats.rows, "model": stats.model_version, **written}
    return {**figures, "merge_write_cpu_s": round(time.process_time() - cpu, 2)}, _peak()


def _change(session: Session, venture_id: int, donor: dict[str, Any]) -> None:
    """The venture takes another's stage, raise and sectors (committed; not timed)."""
    session.execute(
        update(Venture)
        .where(col(Venture.id) == venture_id)
        .values(
            stage=donor["stage"],
            raise_amount_gbp=donor["raise_amount_gbp"],
            sectors=donor["sectors"],
            updated_at=utcnow(),
        )
    )
    session.commit()


def _incremental(
    repeats: int, seed: int, settle: int = 0
) -> tuple[dict[str, Any], tuple[int, float]]:
    """`refresh_venture` after each of `repeats` venture changes (only the refresh is timed),
    after `settle` changes refreshed untimed."""
    assert _engine is not None
    assert _settings is not None
    rng = random.Random(seed)
    timings, cpu, refilled, lists, plain = [], [], 0, 0, []
    with Session(_engine, expire_on_commit=False) as session:
        ids = sorted(scoring_data.venture_stamps(session=session))
        donors = scoring_data.venture_rows(session=session, ids=rng.sample(ids, 200))
        # The first refresh under the active model starts its reserve's fill in the background
        # (as after any new model); the timings are of the steady state once it has finished.
        scoring.refresh_venture(session=session, settings=_settings, venture_id=ids[0])
        waited = time.perf_counter()
        filled = column_reserve.wait_filled(timeout=600)
        fill_s = time.perf_counter() - waited
        settling = random.Random(seed + 1)  # its own draws: the timed changes stay the same
        for venture_id in settling.choices(ids, k=settle):
            _change(session, venture_id, settling.choice(donors))
            scoring.refresh_venture(session=session, settings=_settings, venture_id=venture_id)
            refreeze_if_replaced()
        for venture_id in rng.sample(ids, repeats):
            _change(session, venture_id, rng.choice(donors))
            started, used = time.perf_counter(), time.process_time()
            result = scoring.refresh_venture(
                session=session, settings=_settings, venture_id=venture_id
            )
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
            refreeze_if_replaced()  # after the task, as a worker does (untimed)
            if result.refilled == 0:
                plain.append(timings[-1])
            refilled += result.refilled
            lists += result.lists
    timings.sort()
    summary = {
        "median_ms": round(statistics.median(timings), 2),
        "p90_ms": round(timings[int(0.9 * (len(timings) - 1))], 2),
        "max_ms": round(timings[-1], 2),
        "cpu_ms_median": round(statistics.median(cpu), 2),
        # Changes after which no list had to be recomputed over every venture.
        "without_refill": len(plain),
        "without_refill_median_ms": round(statistics.median(plain), 2) if plain else None,
        "lists_per_change": round(lists / repeats, 1),
        "refilled_per_change": round(refilled / repeats, 2),
        "reserve_fill_wait_s": round(fill_s, 2) if filled else None,
        "settled_by": settle,
    }
    return summary, _peak()


# -- the run -------------------------------------------------------------------------------------
def _reset(engine: Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)


def _activate(engine: Engine, settings: Settings, version: str, every: int) -> None:
    """A model whose vocabulary is fitted on every `every`-th profile, made the active one."""
    with session_scope(engine) as session:
        ventures = scoring_data.venture_rows(session=session)[::every]
        investors = scoring_data.investor_rows(session=session)[::every]
        model = matching.prior_model(
            matching_taxonomy(), ventures=ventures, investors=investors, version=version
        )
        path = matching.save_model(model, settings.resolved_model_dir)
        session.execute(update(ModelVersion).values(active=False))
        session.flush()
        session.add(ModelVersion(version=version, artefact_path=str(path), trained_at=utcnow(),
                                 features=list(matching.FEATURES), active=True))  # fmt: skip


def _full_refresh(
    pool: ProcessPoolExecutor, engine: Engine, chunk: int, folder: str, peaks: dict[int, float]
) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    with Session(engine) as session:
        plan = scoring_full.plan_chunks(session=session, chunk_size=chunk)
    snapshot = utcnow()
    done = [pool.submit(_chunk, i, ids, folder) for i, ids in enumerate(plan)]
    paths, cpu = [], 0.0
    for future in done:
        path, used, (pid, rss) = future.result()
        paths.append(path)
        cpu += used
        peaks[pid] = max(peaks.get(pid, 0.0), rss)
    scored = time.perf_counter() - started
    stats, (pid, rss) = pool.submit(_finish, paths, snapshot).result()
    peaks[pid] = max(peaks.get(pid, 0.0), rss)
    total = time.perf_counter() - started
    return total, {**stats, "chunks": len(plan), "chunks_s": round(scored, 2),
                   "chunks_cpu_s": round(cpu, 2), "merge_write_s": round(total - scored, 2),
                   "load_average": os.getloadavg()[0]}  # fmt: skip


def run(args: argparse.Namespace, directory: str) -> dict[str, Any]:
    """Build the data, then time the full refreshes and the venture changes."""
    database_url = args.database_url or f"sqlite:///{Path(directory) / 'bench.db'}"
    environment = _environment(database_url, directory, args.k)
    settings = load_settings(environment)
    engine = make_engine(settings)
    started = time.perf_counter()
    _reset(engine)
    dataset = generate(args.ventures, args.investors, 7, as_of=AS_OF)
    with session_scope(engine) as session:
        load_dataset(session=session, dataset=dataset)
        # Every generated venture published and every mandate active: the full cross product.
        session.execute(update(Venture).values(visibility="published"))
        session.execute(update(InvestorProfile).values(active=True))
    _activate(engine, settings, "bench-a", 1)
    if engine.dialect.name == "postgresql":  # statistics, as autovacuum keeps them in service
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    with Session(engine) as session:
        ventures = len(scoring_data.venture_stamps(session=session))
        investors = len(scoring_data.investor_rows(session=session))
    setup_s = time.perf_counter() - started
    print(f"{ventures} published ventures, {investors} active investors "
          f"(setup {setup_s:.0f} s)", file=sys.stderr)  # fmt: skip
    peaks: dict[int, float] = {}
    folder = Path(directory) / "parts"
    folder.mkdir()
    context = get_context("spawn")  # clean processes: their peak RSS is their own
    with ProcessPoolExecutor(
        args.workers, mp_context=context, initializer=_init_worker, initargs=(environment,)
    ) as pool:
        for pid, rss in pool.map(_ready, [0.5] * args.workers * 2):  # every process started
            peaks[pid] = max(peaks.get(pid, 0.0), rss)
        first_s, first = _full_refresh(pool, engine, args.chunk, str(folder), peaks)
        print(f"first full refresh {first_s:.2f} s {first}", file=sys.stderr)
        again_s, again = first_s, first
        new_s: float | None = None
        new: dict[str, Any] = {}
        if args.refreshes > 1:
            again_s, again = _full_refresh(pool, engine, args.chunk, str(folder), peaks)
            print(f"full refresh, lists unchanged {again_s:.2f} s {again}", file=sys.stderr)
        if args.refreshes > 2:
            _activate(engine, settings, "bench-b", 2)
            new_s, new = _full_refresh(pool, engine, args.chunk, str(folder), peaks)
            print(f"full refresh, new model {new_s:.2f} s {new}", file=sys.stderr)
        incremental, (pid, rss) = pool.submit(_incremental, args.repeats, 11, args.settle).result()
        peaks[pid] = max(peaks.get(pid, 0.0), rss)
        print(f"venture changes {incremental}", file=sys.stderr)
    engine.dispose()
    return {
        "pairs": ventures * investors,
        "ventures": ventures,
        "investors": investors,
        "database": engine.dialect.name,
        "workers": args.workers,
        "full_refresh_first_s": round(first_s, 3),
        "full_refresh_s": round(again_s, 3),
        "full_refresh_new_model_s": None if new_s is None else round(new_s, 3),
        "incremental_ms_median": incremental["median_ms"],
        "incremental": incremental,
        "rows": again["rows"],
        "writes": {"first": first, "unchanged": again, "new_model": new},
        "worker_peak_rss_mb": sorted(round(v, 1) for v in peaks.values()),
        "setup_s": round(setup_s, 1),
        "machine": f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}",
        "code": _measured_code(),
    }


def _measured_code() -> str:
    """Where the code measured came from (its checkout and commit), as the run saw it."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        commit = "unknown commit"
    return f"{Path(scoring.__file__).resolve().parents[3]} at {commit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ventures", type=int, default=10_000)
    parser.add_argument("--investors", type=int, default=2_000)
    parser.add_argument("--k", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=101, help="venture changes timed")
    parser.add_argument(
        "--settle", type=int, default=0,
        help="venture changes refreshed untimed first: the day after a rewrite, when the "
        "refreshes have dirtied the table's pages and autovacuum has not been by",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--chunk", type=int, default=scoring_full.CHUNK_SIZE)
    parser.add_argument(
        "--refreshes", type=int, default=3, choices=(1, 2, 3),
        help="1: only the first (empty table); 2: + lists unchanged; 3: + new model",
    )  # fmt: skip
    parser.add_argument("--database-url", help="PostgreSQL to use (its schema is recreated)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        result = run(args, directory)
    new_model = result["full_refresh_new_model_s"]
    print(
        f"{result['pairs']:,} pairs on {result['database']}: full refresh "
        f"{result['full_refresh_s']:.2f} s (lists unchanged), "
        f"{'-' if new_model is None else f'{new_model:.2f}'} s (new model), one venture change "
        f"{result['incremental_ms_median']:.2f} ms (median), worker peak RSS "
        f"{max(result['worker_peak_rss_mb']):.0f} MB"
    )
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
