"""`flask --app webapp import …`: the same checks from a terminal, with a progress bar."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session, func, select

from tests.factories import FounderFactory, InvestorProfileFactory, StaffFactory
from webapp.models import PortfolioDeal, Venture

HEADER = "owner_email,name,summary,sectors,stage,raise_amount_gbp,instruments,region\n"
ROW = (
    '{email},{name},"Sensors for offshore wind blades, from Hull.",offshore_wind,{stage},'
    "900000,equity,hull_east_yorkshire_ca\n"
)


def _flask(settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "SECRET_KEY": settings.secret_key.get_secret_value(),
        "INSTANCE_DIR": str(settings.instance_dir),
    }
    flask = Path(sys.executable).with_name("flask")
    return subprocess.run(
        [str(flask), "--app", "webapp", "import", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_cli_reports_bad_rows_writes_nothing_then_good_rows_with_a_progress_bar(
    session, db, settings, tmp_path
):
    staff = StaffFactory()
    owner = FounderFactory()
    path = tmp_path / "cohort.csv"
    path.write_text(
        HEADER
        + ROW.format(email=owner.email, name="Blade Sense", stage="seed")
        + ROW.format(email=owner.email, name="Bad Stage", stage="series_q")
    )

    refused = _flask(settings, "ventures", str(path), "--as", staff.email)
    assert refused.returncode == 1
    assert "line 3: stage: unknown stage code 'series_q'" in refused.stderr
    assert "nothing written" in refused.stdout
    assert "checking: 100%" in refused.stderr
    assert session.exec(select(func.count()).select_from(Venture)).one() == 0

    partial = _flask(settings, "ventures", str(path), "--as", staff.email, "--good-rows")
    assert partial.returncode == 0, partial.stderr
    assert "2 rows, 1 good, 1 bad, 1 written" in partial.stdout
    assert "writing: 100%" in partial.stderr
    with Session(db) as fresh:  # a new session: the other process wrote after our last read
        assert fresh.exec(select(Venture.name)).all() == ["Blade Sense"]


def test_cli_imports_an_investors_portfolio_from_the_crunchbase_layout(app, session, tmp_path):
    runner = app.test_cli_runner()
    staff = StaffFactory()
    profile = InvestorProfileFactory()
    path = tmp_path / "investments.csv"
    path.write_text(
        "round_id,company_name,investor_name,funded_at,amount_usd,funding_round_type,"
        "category_code,country_code,state_code,region,city,company_permalink\n"
        "A|2011-01-01|1,Alpha,Moor,2011-01-01,100000,seed,web,USA,CA,SF Bay,Palo Alto,/company/a\n"
        "B|2011-02-01|1,Beta,Fell,2011-02-01,100000,seed,web,USA,CA,SF Bay,Palo Alto,/company/b\n"
    )
    args = ["import", "deals", str(path), "--as", staff.email, "--investor", str(profile.id)]
    done = runner.invoke(args=[*args, "--investor-name", "moor"])
    assert done.exit_code == 0, done.output
    assert "2 rows, 1 good, 0 bad, 1 written, 0 already present, 1 skipped" in done.stdout
    again = runner.invoke(args=args)
    assert "2 rows, 2 good, 0 bad, 1 written, 1 already present" in again.stdout
    assert session.exec(select(func.count()).select_from(PortfolioDeal)).one() == 2


def test_cli_refuses_an_unknown_account(app, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(HEADER)
    result = app.test_cli_runner().invoke(
        args=["import", "investors", str(path), "--as", "ghost@example.org"]
    )
    assert result.exit_code == 1
    assert "no account with the email 'ghost@example.org'" in result.stderr
