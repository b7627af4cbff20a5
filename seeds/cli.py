"""`python -m seeds demo|check`: load the demo data set, or validate the reference files."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from reference.regional import load_regional_statistics
from reference.taxonomy import TaxonomyError, load_reference_data
from seeds.demo.generator import PROGRESS_THRESHOLD

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run one command; returns the process exit code."""
    args = _parser().parse_args(argv)
    if args.command == "check":
        return _check(args.directory, args.regional)
    return _demo(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m seeds", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo",
        help="generate fictional demo data and load it into DATABASE_URL (safe to repeat)",
    )
    demo.add_argument("--ventures", type=_count, default=300, help="ventures (default 300)")
    demo.add_argument("--investors", type=_count, default=80, help="investors (default 80)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    demo.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="last day of the demo history (default: today)",
    )
    progress = demo.add_mutually_exclusive_group()
    progress.add_argument("--progress", dest="progress", action="store_true", default=None)
    progress.add_argument("--no-progress", dest="progress", action="store_false")
    check = commands.add_parser(
        "check", help="validate the taxonomy and regional-statistics CSV files"
    )
    check.add_argument("directory", nargs="?", type=Path, default=None, help="taxonomy files")
    check.add_argument(
        "--regional", type=Path, default=None, metavar="DIRECTORY", help="regional statistics"
    )
    return parser


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; give 0 or more")
    return value


def _check(directory: Path | None, regional: Path | None) -> int:
    try:
        reference = load_reference_data(directory)
        statistics = load_regional_statistics(regional, reference)
    except TaxonomyError as exc:
        print(f"seeds: {exc}", file=sys.stderr)
        return 1
    print(
        f"ok: {len(reference.sectors)} sectors, {len(reference.stages)} stages, "
        f"{len(reference.instruments)} instruments, {len(reference.investor_types)} investor "
        f"types, {len(reference.regions)} regions, {len(reference.institutions)} institutions"
    )
    print(f"ok: {statistics.describe()}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    # Imported here so that `check` works without the web application's dependencies.
    from seeds.demo.generator import generate
    from seeds.demo.load import load_dataset
    from webapp.config import load_settings_or_exit
    from webapp.db import make_engine, session_scope
    from webapp.migrate import is_up_to_date

    settings = load_settings_or_exit()
    engine = make_engine(settings)
    try:
        if not is_up_to_date(engine):
            print(
                "seeds: the database schema is not up to date; run "
                "`flask --app webapp db upgrade` first",
                file=sys.stderr,
            )
            return EXIT_USAGE
        big = args.ventures + args.investors >= PROGRESS_THRESHOLD
        progress = big if args.progress is None else args.progress
        started = time.perf_counter()
        dataset = generate(
            args.ventures, args.investors, args.seed, as_of=args.as_of, progress=progress
        )
        generated = time.perf_counter()
        with session_scope(engine) as session:
            report = load_dataset(session=session, dataset=dataset, progress=progress)
        loaded = time.perf_counter()
    finally:
        engine.dispose()
    print(
        f"Generated {len(dataset.ventures)} ventures and {len(dataset.investors)} investors "
        f"(seed {dataset.seed}, history to {dataset.as_of}) in {generated - started:.1f} s."
    )
    if report.total:
        print(
            f"Inserted {report.total:,} rows in {loaded - generated:.1f} s; "
            "a full matching refresh is queued."
        )
    else:
        print("Nothing new to insert: this demo data set is already loaded.")
    print("Demo logins (fictional data; for local demos only):")
    for account in dataset.accounts:
        print(f"  {account.role:<9} {account.email:<36} password: {account.password}")
    return 0
