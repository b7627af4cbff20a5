"""Withholding counts in tables with totals: small cells never stand alone in a relation."""

from __future__ import annotations

from webapp.services.reports.evidence import is_small
from webapp.services.reports.regional.disclosure import Relation, withhold_counts

REGIONS = Relation("all", ("a", "b", "c", "d"))


def test_the_rule_is_the_evidence_exports() -> None:
    assert [n for n in range(8) if is_small(n)] == [1, 2, 3, 4]


def test_nothing_small_nothing_withheld() -> None:
    assert withhold_counts({"all": 30, "a": 10, "b": 0, "c": 12, "d": 8}, [REGIONS]) == set()


def test_a_lone_small_part_takes_the_smallest_other_part_with_it() -> None:
    values = {"all": 29, "a": 2, "b": 7, "c": 12, "d": 8}
    # Withholding only "a" would leave it as 29 - 7 - 12 - 8.
    assert withhold_counts(values, [REGIONS]) == {"a", "b"}


def test_zero_parts_are_never_used_as_complements() -> None:
    values = {"all": 21, "a": 1, "b": 0, "c": 20, "d": 0}
    # A withheld zero would protect nothing: "a" plus "c" are withheld together.
    assert withhold_counts(values, [REGIONS]) == {"a", "c"}


def test_two_small_parts_adding_to_a_small_count_take_a_third() -> None:
    values = {"all": 23, "a": 1, "b": 2, "c": 12, "d": 8}
    # 1 + 2 = 3 could be worked out, and 3 is itself small.
    assert withhold_counts(values, [REGIONS]) == {"a", "b", "d"}


def test_two_small_parts_adding_past_the_threshold_are_enough() -> None:
    values = {"all": 27, "a": 3, "b": 4, "c": 12, "d": 8}
    assert withhold_counts(values, [REGIONS]) == {"a", "b"}


def test_when_no_other_part_can_cover_the_total_is_withheld() -> None:
    lonely = Relation("all", ("a", "e"))
    assert withhold_counts({"all": 7, "a": 7, "e": 0}, [lonely]) == set()
    assert withhold_counts({"all": 2, "a": 2, "e": 0}, [lonely]) == {"all", "a"}
    # Here the total could stay (7 is not small), but it would equal the lone withheld part.
    two = Relation("all", ("a", "e", "f"))
    assert withhold_counts({"all": 9, "a": 2, "e": 0, "f": 7}, [two]) == {"a", "f"}


def test_a_withheld_total_is_not_left_as_the_sum_of_its_parts() -> None:
    stages = Relation("all", ("seed", "growth"))
    values = {"all": 4, "seed": 4, "growth": 0, "a": 4, "b": 0, "c": 0, "d": 0}
    # "all" is small, so withheld; every stage shown would add back up to it.
    assert withhold_counts(values, [REGIONS, stages]) == {"all", "a", "seed"}


def test_a_zero_total_has_nothing_to_hide() -> None:
    assert withhold_counts({"all": 0, "a": 0, "b": 0, "c": 0, "d": 0}, [REGIONS]) == set()


def test_hierarchies_protect_each_level() -> None:
    relations = [
        Relation("all", ("north", "rest")),
        Relation("north", ("ne", "nw", "yh")),
        Relation("rest", ("london", "wales")),
    ]
    values = {
        "all": 40, "north": 20, "rest": 20,
        "ne": 1, "nw": 9, "yh": 10, "london": 18, "wales": 2,
    }  # fmt: skip
    withheld = withhold_counts(values, relations)
    assert withheld == {"ne", "nw", "wales", "london"}
