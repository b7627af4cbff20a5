"""`investor_rank` values: a list's members hold 1..n, its last member n, and a list that
gains or loses one member moves at most two of the others' numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.services.ranking.match_store import list_values


def _holds_the_promise(values: dict[int, int], members: list[int]) -> None:
    assert sorted(values) == sorted(members)
    assert sorted(values.values()) == list(range(1, len(members) + 1))
    if members:
        assert values[members[-1]] == len(members)


@st.composite
def a_stored_list(draw: st.DrawFn) -> tuple[list[int], dict[int, int]]:
    """A list (best first) and valid stored numbers for it, in any order."""
    members = draw(st.lists(st.integers(1, 200), min_size=1, max_size=12, unique=True))
    numbers = draw(st.permutations(range(1, len(members))))
    old = dict(zip(members[:-1], numbers, strict=True))
    old[members[-1]] = len(members)
    return members, old


@given(a_stored_list(), st.integers(0, 12), st.integers(201, 300), st.booleans())
def test_one_member_in_or_out_moves_at_most_two_others(
    stored: tuple[list[int], dict[int, int]], at: int, newcomer: int, full: bool
) -> None:
    members, old = stored
    at = min(at, len(members))
    entered = [*members[:at], newcomer, *members[at:]]
    if full:  # a full list: its last member makes way
        entered = entered[:-1] if len(entered) > 1 else entered
    left = [m for m in members if m != members[min(at, len(members) - 1)]]
    for after in (entered, left):
        values = list_values(old, after)
        _holds_the_promise(values, after)
        moved = [m for m in after if m in old and values[m] != old[m]]
        assert len(moved) <= 2, (old, after, values)


@given(
    st.lists(st.integers(1, 50), max_size=10, unique=True),
    st.dictionaries(st.integers(1, 60), st.integers(-3, 15)),
)
def test_any_old_numbers_even_broken_ones_give_a_valid_list(
    members: list[int], old: dict[int, int]
) -> None:
    _holds_the_promise(list_values(old, members), members)


def test_an_unchanged_list_keeps_every_number() -> None:
    old = {7: 2, 3: 1, 9: 3}
    assert list_values(old, [3, 7, 9]) == old


@given(a_stored_list(), st.integers(0, 12), st.integers(0, 12), st.booleans(), st.booleans())
def test_a_list_given_in_part_gets_the_numbers_it_would_get_whole(
    stored: tuple[list[int], dict[int, int]], at: int, pick: int, new: bool, full: bool
) -> None:
    """What a venture refresh writes of a list it read in part (`list_ends`: the two lowest
    members and the venture placed): the members read get the numbers the whole list would
    give them, and the others keep theirs."""
    members, old = stored
    placed = 1000 if new else members[min(pick, len(members) - 1)]
    rest = [m for m in members if m != placed]
    at = min(at, len(rest))
    after = [*rest[:at], placed, *rest[at:]]
    if new and full and len(after) > 1:  # a full list: its last member makes way
        after = after[:-1]
    read = {*members[-2:], placed}
    whole = list_values(old, after)
    others = {old[m] for m in members if m not in read}
    given = [m for m in after if m in read]
    part = list_values({m: old[m] for m in read if m in old}, given, others)
    assert part == {m: whole[m] for m in given}
    assert all(whole[m] == old[m] for m in after if m not in read)


def test_a_member_not_given_cannot_hold_the_new_length() -> None:
    """A list that shrinks may have to move the number of a member not read: refused. Here
    a list of three lost its member holding 2; the one not read holds 3, the new length's 2
    would be free and 3 taken twice."""
    with pytest.raises(ValueError, match="not below"):
        list_values({5: 1}, [5], others={3})
