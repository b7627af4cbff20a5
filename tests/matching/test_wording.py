"""Stored reasons are worded at display time with labels, and old rows still read."""

from __future__ import annotations

from matching.wording import money, worded
from tests.matching.factories import TAXONOMY


def test_money_is_written_the_way_the_market_writes_it():
    assert [money(x) for x in (750, 250_000, 2_000_000, 3_200_000)] == [
        "£750",
        "£250k",
        "£2m",
        "£3.2m",
    ]


def test_stored_triples_are_worded_with_labels_and_keep_their_facts():
    stored = [["region_fit", "-", {"region": "london", "regions": ["north_east"], "strict": True}]]
    assert worded(TAXONOMY, stored) == [
        {
            "code": "region_fit",
            "text": "Invests only in North East; the venture is in london",
            "effect": "-",
            "facts": {"region": "london", "regions": ["north_east"], "strict": True},
        }
    ]


def test_rows_stored_before_facts_keep_their_text():
    old = [{"code": "sector_fit", "text": "Invests in the venture's sector", "effect": "+"}]
    (reason,) = worded(TAXONOMY, old)
    assert reason["text"] == "Invests in the venture's sector"
    assert (reason["code"], reason["effect"], reason["facts"]) == ("sector_fit", "+", {})


def test_an_unknown_code_falls_back_to_words_not_the_raw_code():
    assert worded(TAXONOMY, [["new_signal", "+", {}]])[0]["text"] == "new signal"
