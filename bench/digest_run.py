"""The weekly digest run on a demo-sized or benchmark-sized data set, timed.

Usage: python bench/digest_run.py [--ventures 10000] [--investors 2000] [--database-url URL]
                                  [--json]

It builds a fresh database (SQLite in a temporary directory, or the PostgreSQL of
--database-url, whose tables it empties) from the demo generator (`seeds.demo.generate` +
`load_dataset`; the generated people take the weekly digest), then times one call of
`digests.queue_weekly_digests` — the function the weekly beat task runs — as of the last day of
the demo history. With --json the last stdout line is {"readers", "queued", "digest_s", ...}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, text
from sqlmodel import Session, col

from seeds.demo import generate
from seeds.demo.load import load_dataset
from webapp.config import load_settings
from webapp.db import make_engine, session_scope
from webapp.migrate import upgrade
from webapp.models import User, metadata
from webapp.models.enums import EmailFrequency
from webapp.services.notices.digests import queue_weekly_digests

AS_OF = dt.date(2025, 6, 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ventures", type=int, default=10_000)
    parser.add_argument("--investors", type=int, default=2_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'digest.db'}"
        engine = make_engine(load_settings({"DATABASE_URL": url, "INSTANCE_DIR": scratch}))
        upgrade(engine)
        with engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                connection.execute(text(f'DELETE FROM "{table.name}"'))
        started = time.perf_counter()
        dataset = generate(args.ventures, args.investors, 7, as_of=AS_OF)
        with session_scope(engine) as session:
            load_dataset(session=session, dataset=dataset)
        built_s = time.perf_counter() - started
        now = dt.datetime(AS_OF.year, AS_OF.month, AS_OF.day, 9, tzinfo=dt.UTC)
        with Session(engine) as session:
            readers = session.execute(
                select(func.count())
                .select_from(User)
                .where(col(User.email_frequency) == EmailFrequency.DIGEST.value)
            ).scalar_one()
            started = time.perf_counter()
            queued = queue_weekly_digests(session=session, now=now)
            digest_s = time.perf_counter() - started
        engine.dispose()
    result = {
        "ventures": args.ventures,
        "investors": args.investors,
        "database": url.split(":", 1)[0],
        "readers": readers,
        "queued": queued,
        "digest_s": round(digest_s, 3),
        "data_built_s": round(built_s, 1),
        "python": platform.python_version(),
    }
    if not args.json:
        print(f"{queued} digests queued for {readers} readers in {digest_s:.2f} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
