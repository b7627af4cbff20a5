"""The offline evaluation: protocol, baselines and the CLI's JSON, on tiny synthetic CSVs."""

import csv
import datetime as dt
import json

import numpy as np
import pytest

from matching.evaluate.__main__ import main
from matching.evaluate.baselines import (
    by_popularity,
    by_prior_then_popularity,
    by_sector_then_popularity,
)
from matching.evaluate.data import COLUMNS, read_rows
from matching.evaluate.protocol import make_split

HEADER = [*COLUMNS, "company_permalink"]


def write_csv(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for company, investor, date, amount, kind, category, state in rows:
            round_id = f"{company}|{date}|{amount}"
            writer.writerow(
                [
                    round_id,
                    company,
                    investor,
                    date,
                    amount,
                    kind,
                    category,
                    "USA" if state else "",
                    state,
                    "",
                    "",
                    f"/company/{company}",
                ]
            )
    return path


def test_split_follows_the_protocol(tmp_path):
    path = write_csv(
        tmp_path / "d.csv",
        [
            ("A", "x", "2011-03-01", 100, "angel", "web", "CA"),
            ("A", "y", "2011-03-01", 100, "angel", "web", "CA"),
            ("B", "y", "2011-05-01", 200, "series-a", "biotech", "MA"),
            ("A", "x", "2012-02-01", 500, "series-a", "web", "CA"),  # follow-on: old company
            ("A", "z", "2012-02-01", 500, "series-a", "web", "CA"),  # z unseen: not relevant
            ("C", "y", "2012-06-01", 300, "angel", "biotech", "MA"),  # new company
            ("D", "z", "2012-07-01", 300, "angel", "web", "CA"),  # nobody known: skipped
            ("E", "x", "2013-01-01", 300, "angel", "web", "CA"),  # after the end
        ],
    )
    split = make_split(read_rows(path), dt.date(2012, 1, 1), dt.date(2012, 12, 31))
    assert split.investors == ["x", "y"]
    assert [(q.row.company, q.relevant.tolist(), q.new_company) for q in split.queries] == [
        ("A", [0], False),
        ("C", [1], True),
    ]


def test_baselines_order_and_tie_breaking(tmp_path):
    path = write_csv(
        tmp_path / "d.csv",
        [
            ("A", "big", "2010-01-01", 1, "angel", "web", "CA"),
            ("B", "big", "2010-02-01", 1, "angel", "biotech", "CA"),
            ("C", "big", "2010-03-01", 1, "angel", "biotech", "CA"),
            ("D", "alpha", "2010-04-01", 1, "angel", "web", "CA"),
            ("E", "beta", "2010-05-01", 1, "angel", "web", "CA"),
            (
                "E",
                "beta",
                "2010-06-01",
                2,
                "angel",
                "biotech",
                "CA",
            ),  # a tie: the alphabetically first, biotech, wins
            ("F", "alpha", "2012-02-01", 9, "angel", "web", "CA"),
            ("E", "alpha", "2012-03-01", 9, "angel", "web", "CA"),
        ],
    )
    split = make_split(read_rows(path), dt.date(2012, 1, 1), dt.date(2012, 12, 31))
    names = split.investors  # alpha, beta, big
    pop = by_popularity(split)(split.queries)[0]
    assert list(pop) == [1, 2, 3]
    sector = by_sector_then_popularity(split)(split.queries)
    # F is a web round: alpha's top category is web; beta's tie and big go to biotech.
    assert np.argsort(-sector[0], kind="stable").tolist() == [0, 2, 1]
    prior = by_prior_then_popularity(split)(split.queries)
    # E was backed by beta in training, so beta comes first for E's round.
    assert names[int(np.argmax(prior[1]))] == "beta"


def synthetic_market(path, seed=0):
    """Investors who each stick to one round type and one state, over 2009–2012."""
    rng = np.random.default_rng(seed)
    kinds, states = ["angel", "series-a", "series-b"], ["CA", "NY", "MA", "TX"]
    investors = [(f"inv{n}", kinds[n % 3], states[n % 4]) for n in range(24)]
    rows = []
    for n in range(700):
        day = dt.date(2009, 1, 1) + dt.timedelta(days=int(rng.integers(0, 4 * 365)))
        kind, state = kinds[n % 3], states[int(rng.integers(4))]
        fans = [name for name, k, s in investors if k == kind and s == state]
        company = f"co{int(rng.integers(0, 500))}"
        for name in rng.choice(fans, size=min(2, len(fans)), replace=False):
            rows.append((company, name, day.isoformat(), 10**6, kind, "web", state))
    return write_csv(path, rows)


def test_cli_json_shape_and_model_beats_popularity(tmp_path, capsys):
    path = synthetic_market(tmp_path / "market.csv")
    assert (
        main(["--deals", str(path), "--cutoff", "2012-01-01", "--end", "2012-12-31", "--json"]) == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    result = json.loads(lines[-1])
    assert set(result) == {"subsets"}
    assert set(result["subsets"]) == {"all", "new_company"}
    for entry in result["subsets"].values():
        assert set(entry) == {
            "rounds",
            "model",
            "popularity",
            "random",
            "sector_then_popularity",
            "prior_then_popularity",
        }
        assert set(entry["model"]) == {"ndcg@10", "recall@10", "mrr"}
    every = result["subsets"]["all"]
    assert every["rounds"] > 50
    assert every["model"]["ndcg@10"] > 2 * every["popularity"]["ndcg@10"]


def test_missing_columns_are_named(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("round_id,company_name\nx,y\n")
    from matching import InputError

    with pytest.raises(InputError, match="missing columns investor_name"):
        read_rows(path)


def test_a_recorded_run_keeps_its_figures_settings_and_data_checksum(tmp_path, capsys):
    from matching.evaluate.results import current_settings, settings_current

    path = synthetic_market(tmp_path / "market.csv")
    results = tmp_path / "results.json"
    args = ["--deals", str(path), "--cutoff", "2012-01-01", "--end", "2012-12-31"]
    assert main([*args, "--record", str(results), "--role", "validation"]) == 0
    run = json.loads(results.read_text())["runs"]["validation"]
    assert (run["cutoff"], run["end"]) == ("2012-01-01", "2012-12-31")
    assert run["settings"] == current_settings()
    assert settings_current(run)
    assert len(run["data"]["sha256"]) == 64
    printed = capsys.readouterr().out
    assert f"ndcg@10 {run['subsets']['all']['model']['ndcg@10']:.4f}" in printed
    with pytest.raises(SystemExit, match="leave out --set"):
        main([*args, "--record", str(results), "--set", "smoothing=8"])


def test_the_published_results_measure_the_settings_the_product_runs():
    from matching.evaluate.results import published_results, settings_current

    runs = published_results()["runs"]
    assert runs["test"]["cutoff"] == "2012-01-01"
    assert runs["validation"]["cutoff"] == "2011-01-01"
    # Change a default or a feature and this fails until the evaluation is run again.
    assert all(settings_current(run) for run in runs.values())
