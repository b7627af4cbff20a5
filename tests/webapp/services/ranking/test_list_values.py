"""`investor_rank` values: a list's members hold 1..n, its last member n, and a list that
gains or loses one member moves at most two of the others' numbers."""

from __future__ import annotations

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
