"""Reading and rewriting stored top-K lists (Match rows) for the refresh services.

A list is `[(member id, score), ...]` best first; a venture's members are investors and an
investor's members are ventures. `apply_lists` replaces whole lists and keeps each row's other
rank as it was, deleting rows that end up in neither side's top K. Callers hold the ranking
lock (`locks.take_write_lock(name="ranking")`) and commit.

`venture_rank` is a venture list's dense order, 1..n. `investor_rank` is not an order: an
investor's list is read in the order (score descending, venture id) and its n members hold
the numbers 1..n in any order, except that the lowest member holds n (see `list_values`).
So a venture entering or leaving an investor list rewrites two or three rows of it, not every
member below it (a venture change used to rewrite ~320 rows for ~60 of real news), while
`owners_with_gaps` still finds a list a deleted member left a hole in. It also means that
placing one venture in an investor list needs only the list's two lowest members and the
venture's own row (`list_ends`), not the whole list: the members not read keep their numbers.

Each investor list's lowest member and length are also kept in `list_floor`, written with the
list: `thresholds` reads every full list's K-th member there, from a dozen pages.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import exists, func, select, union
from sqlmodel import Session

from webapp.db import among, driver_stamp, param_mark, read_rows
from webapp.models import ListFloor, Match
from webapp.services.ranking.match_bulk import COLUMNS, FLOOR_UPSERT

Member = tuple[int, float]  # (id, score)
Pair = tuple[int, int]  # (venture id, investor id)
CHUNK = 5000  # ids per IN (...) list, well under SQLite's bound-variable limit
SCAN_THRESHOLDS_FROM = 100  # investors: above this, read every list's K-th member in one scan
PAIRS_PER_STATEMENT = 500  # (venture, investor) keys per OR of probes
ENDS_PER_STATEMENT = 200  # lists per `list_ends` statement (SQLite: 500 SELECTs per compound)

_table: Any = Match.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Fresh:
    """A newly computed score and its reasons for one pair."""

    score: float
    reasons: str  # JSON text of [code, effect, facts] triples (matching.reasons), stored as is


@dataclass
class Listed:
    """Rows of lists read earlier in this transaction, by pair: (row id, venture rank,
    investor rank, model version); every row of a venture, read by `memberships`; which
    owners' lists were read whole (by `lists`), by side; the length of each investor list
    read in part (by `list_ends`); and each listed owner's members read, with their rank
    numbers."""

    rows: dict[Pair, tuple[int, int | None, int | None, str]] = field(default_factory=dict)
    read: dict[str, set[int]] = field(default_factory=dict)
    of_venture: dict[int, dict[Pair, tuple[int, int | None, int | None, str]]] = field(
        default_factory=dict
    )
    numbers: dict[int, dict[int, int]] = field(default_factory=dict)  # owner → member → rank
    sizes: dict[int, int] = field(default_factory=dict)  # investor → its list's length

    def drop_partial(self, owners: Iterable[int]) -> None:
        """Forget these investor lists read in part: a list that is recomputed whole is
        written from every member's number, read again then."""
        for owner in owners:
            if self.sizes.pop(owner, None) is not None:
                for member in self.numbers.pop(owner, {}):
                    self.rows.pop((member, owner), None)


def list_values(
    old: Mapping[int, int], members: Sequence[int], others: Collection[int] = ()
) -> dict[int, int]:
    """The `investor_rank` of each member of a new list (best first), changing as few of the
    `old` values (member → value before) as it can: the numbers 1..n, the last member n.

    `members` may be only some of the list's members, in order and its last one among them,
    when `others` are the numbers its other members hold: those keep them, so each must stay
    below the list's new length, len(members) + len(others)."""
    n = len(members) + len(others)
    if n == 0:
        return {}
    if others and max(others) >= n:
        raise ValueError(f"a member not given holds {max(others)}, not below the length {n}")
    values = {members[-1]: n}
    taken = {n, *others}
    pending: list[int] = []
    for member in members[:-1]:
        value = old.get(member)
        if value is not None and 0 < value < n and value not in taken:
            values[member] = value
            taken.add(value)
        else:
            pending.append(member)
    free = (value for value in range(1, n) if value not in taken)
    values.update(zip(pending, free, strict=False))
    return values


def _chunks(ids: Collection[int]) -> Iterable[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _names(side: str) -> tuple[str, str, str]:
    if side == "venture":
        return "venture_id", "investor_id", "venture_rank"
    if side == "investor":
        return "investor_id", "venture_id", "investor_rank"
    raise ValueError(f"side={side!r}; expected 'venture' or 'investor'")


def _list_order(side: str) -> str:
    """How a side's lists are ordered, best first (the ranker's rule: ties to the smaller id)."""
    return "venture_rank" if side == "venture" else "score DESC, venture_id"


@dataclass(frozen=True)
class Limits:
    """The K-th member of each full list and its score, as arrays (one entry per owner)."""

    owners: npt.NDArray[np.int64]
    members: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float64]

    @classmethod
    def of(cls, rows: list[Any], wanted: Collection[int]) -> Limits:
        """From (owner, member, score) rows, those of the wanted owners."""
        return cls.of_columns(list(zip(*rows, strict=True)) or [(), (), ()], wanted)

    @classmethod
    def of_columns(cls, columns: Sequence[Sequence[Any]], wanted: Collection[int]) -> Limits:
        """From the columns owners, members, scores: those of the wanted owners."""
        owners = np.array(columns[0] or (), dtype=np.int64)
        keep = np.isin(owners, np.fromiter(wanted, np.int64, len(wanted)))
        members = np.array(columns[1] or (), dtype=np.int64)
        scores = np.array(columns[2] or (), dtype=np.float64)
        return cls(owners[keep], members[keep], scores[keep])

    def full(self) -> set[int]:
        """Owners whose list is full."""
        return set(self.owners.tolist())

    def as_dict(self) -> dict[int, Member]:
        """owner → (its K-th member, that member's score)."""
        values = zip(self.members.tolist(), self.scores.tolist(), strict=True)
        return dict(zip(self.owners.tolist(), values, strict=True))


def thresholds(*, session: Session, side: str, k: int, owners: Collection[int]) -> Limits:
    """For each of these owners whose list is full: its K-th member and that member's score.
    An investor list's come from `list_floor` (its lowest member, which holds K when full)."""
    if side == "investor":
        table, owner, member, where = "list_floor", "investor_id", "venture_id", f"size = {int(k)}"
    else:
        table, owner, member, rank = ("match", *_names(side))
        where = f"{rank} = {int(k)}"
    if side == "investor" and len(owners) > SCAN_THRESHOLDS_FROM:
        # Every investor's floor: one scan of a table of a dozen pages. PostgreSQL sends them
        # as three arrays: one row to decode instead of 2,000 (0.5 of 1.3 ms of client time).
        if session.connection().dialect.name == "postgresql":
            sql = (
                "SELECT array_agg(investor_id), array_agg(venture_id), array_agg(score) "  # noqa: S608
                f"FROM list_floor WHERE {where}"
            )
            return Limits.of_columns(read_rows(session, sql)[0], owners)
        sql = f"SELECT {owner}, {member}, score FROM {table} WHERE {where}"  # noqa: S608
        return Limits.of(read_rows(session, sql), owners)
    found: list[Any] = []
    for part in _chunks(owners):
        wanted, params = among(session, owner, part)
        sql = f"SELECT {owner}, {member}, score FROM {table} WHERE {wanted} AND {where}"  # noqa: S608
        found.extend(read_rows(session, sql, params))
    return Limits.of(found, owners)


def lists(
    *, session: Session, side: str, owners: Collection[int], rows: Listed | None = None
) -> dict[int, list[Member]]:
    """The current lists of these owners, best first. `rows`, when given, is filled with each
    listed row's state, so that `apply_lists` need not read these lists again."""
    owner, member, rank = _names(side)
    found: dict[int, list[Member]] = {o: [] for o in owners}
    columns = f"{owner}, {member}, score, id, venture_rank, investor_rank, model_version"
    for part in _chunks(owners):
        wanted, params = among(session, owner, part)
        sql = (
            f"SELECT {columns} FROM match WHERE {wanted} "  # noqa: S608
            f"AND {rank} IS NOT NULL ORDER BY {owner}, {_list_order(side)}"
        )
        for o, m, s, row_id, vr, ir, version in read_rows(session, sql, params):
            found[int(o)].append((int(m), float(s)))
            if rows is not None:
                pair = (int(m), int(o)) if side == "investor" else (int(o), int(m))
                rows.rows[pair] = (row_id, vr, ir, version)
                rows.numbers.setdefault(int(o), {})[int(m)] = ir if side == "investor" else vr
    if rows is not None:
        rows.read.setdefault(side, set()).update(found)
    return found


def list_ends(
    *, session: Session, owners: Collection[int], candidate: int, model_version: str, rows: Listed
) -> dict[int, list[Member]]:
    """Of these investors' lists, what placing `candidate` in them needs, best first: each
    list's two lowest members, the candidate's own row, and every row another model stored
    (those are rescored when the list is written). `rows` gets each list's length and the
    rows read. A list whose numbers are not 1..n with its lowest member holding n (a member
    was deleted under it) is left out: the caller reads it whole."""
    found: dict[int, list[Member]] = {}
    columns = "investor_id, venture_id, score, id, venture_rank, investor_rank, model_version"
    listed = "investor_rank IS NOT NULL"
    lowest = "ORDER BY score, venture_id DESC LIMIT 2"  # an index range, read backwards
    postgresql = session.connection().dialect.name == "postgresql"
    ordered = sorted(owners)
    for start in range(0, len(ordered), ENDS_PER_STATEMENT):
        part = ordered[start : start + ENDS_PER_STATEMENT]
        # One statement: the two lowest of each list, the candidate's and other models'
        # rows, and each list's length and sum of numbers.
        if postgresql:  # owners as a parameter: the same text each time, prepared once
            among, mark = "= ANY(%s::bigint[])", "%s"
            ends = [
                f"SELECT ends.*, 0 FROM unnest(%s::bigint[]) AS owner(id) CROSS JOIN LATERAL "  # noqa: S608
                f"(SELECT {columns} FROM match WHERE investor_id = owner.id AND {listed} "
                f"{lowest}) AS ends"
            ]
            params: tuple[Any, ...] = (part, part, int(candidate), model_version, part)
        else:
            among, mark = f"IN ({', '.join(str(int(o)) for o in part)})", "?"  # integers
            ends = [
                f"SELECT * FROM (SELECT {columns}, 0 FROM match "  # noqa: S608
                f"WHERE investor_id = {int(o)} AND {listed} {lowest}) AS ends{n}"
                for n, o in enumerate(part)
            ]
            params = (int(candidate), model_version)
        rest = (
            f"SELECT {columns}, 1 FROM match WHERE investor_id {among} AND {listed} "  # noqa: S608
            f"AND (venture_id = {mark} OR model_version <> {mark})"
        )
        sizes = (
            f"SELECT investor_id, COUNT(*), SUM(investor_rank), NULL, NULL, NULL, NULL, 2 "  # noqa: S608
            f"FROM match WHERE investor_id {among} AND {listed} GROUP BY investor_id"
        )
        sql = " UNION ALL ".join([*ends, rest, sizes])
        read: dict[int, dict[int, tuple[Any, ...]]] = {int(o): {} for o in part}
        size: dict[int, tuple[int, int]] = {}
        for row in read_rows(session, sql, params):
            if row[7] == 2:
                size[int(row[0])] = (int(row[1]), int(row[2]))
            else:
                read[int(row[0])][int(row[1])] = row
        for owner, by_member in read.items():
            n, total = size.get(owner, (0, 0))
            members = sorted(by_member.values(), key=lambda r: (-r[2], r[1]))
            if members and (members[-1][5] != n or total != n * (n + 1) // 2):
                continue  # numbers broken under it: read whole
            found[owner] = [(int(r[1]), float(r[2])) for r in members]
            rows.sizes[owner] = n
            numbers = rows.numbers.setdefault(owner, {})
            for _o, m, _s, row_id, vr, ir, version, _part in members:
                rows.rows[(int(m), owner)] = (row_id, vr, ir, version)
                numbers[int(m)] = ir
    return found


def memberships(
    *, session: Session, side: str, member_id: int, rows: Listed | None = None
) -> set[int]:
    """Owners whose list holds this member (an investor rank is not a place: see above).
    Given `rows`, a venture's every row is read and kept there, its own list's too: the
    rows `apply_lists` reads of a venture list it writes, read here in the same statement."""
    owner, member, rank = _names(side)
    if side == "investor" and rows is not None:
        sql = (
            "SELECT id, investor_id, venture_rank, investor_rank, model_version "  # noqa: S608
            f"FROM match WHERE venture_id = {param_mark(session)}"
        )
        found = {
            (int(member_id), int(i)): (row_id, vr, ir, version)
            for row_id, i, vr, ir, version in read_rows(session, sql, (int(member_id),))
        }
        rows.of_venture[int(member_id)] = found
        return {i for (_v, i), (_id, _vr, ir, _version) in found.items() if ir is not None}
    sql = (
        f"SELECT {owner} FROM match "  # noqa: S608
        f"WHERE {member} = {param_mark(session)} AND {rank} IS NOT NULL"
    )
    return {int(o) for (o,) in read_rows(session, sql, (int(member_id),))}


def owners_with_gaps(*, session: Session, side: str) -> list[int]:
    """Owners whose list a deleted member (cascade) left wrong: its ranks skip a number, or,
    for an investor, its floor went with the lowest member (the list is one short)."""
    owner, _member, rank = _columns(side)
    broken = select(owner).where(rank.is_not(None)).group_by(owner)
    broken = broken.having(func.count() != func.max(rank))
    if side == "investor":
        floor = ListFloor.__table__  # type: ignore[attr-defined]
        unfloored = select(owner).where(rank.is_not(None)).group_by(owner)
        unfloored = unfloored.where(~exists().where(floor.c.investor_id == owner))
        broken = union(broken, unfloored)  # type: ignore[assignment]
    return sorted(int(o) for (o,) in session.connection().execute(broken))


def _columns(side: str) -> tuple[Any, Any, Any]:
    if side == "venture":
        return _table.c.venture_id, _table.c.investor_id, _table.c.venture_rank
    if side == "investor":
        return _table.c.investor_id, _table.c.venture_id, _table.c.investor_rank
    raise ValueError(f"side={side!r}; expected 'venture' or 'investor'")


def _cursor(session: Session) -> Any:
    return session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]


def _execute(session: Session, sql: str, params: Sequence[Any] = ()) -> None:
    """One statement on the driver's own cursor (no SQLAlchemy compile on the hot path)."""
    cursor = _cursor(session)
    try:
        if params:
            cursor.execute(sql, params)
        else:
            cursor.execute(sql)
    finally:
        cursor.close()


def _execute_many(session: Session, sql: str, rows: list[tuple[Any, ...]]) -> None:
    cursor = _cursor(session)
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def _move_ranks(session: Session, names: tuple[str, ...], batch: list[dict[str, Any]]) -> None:
    """Set these rows' ranks in one statement (UPDATE ... FROM the rows given): one round
    trip instead of one execution per row. PostgreSQL gets them as arrays, so the text is
    the same for any rows and is prepared once; SQLite, in process, as inlined VALUES."""
    if session.connection().dialect.name == "postgresql":
        arrays = ", ".join(["%b::integer[]"] * (1 + len(names)))
        sets = ", ".join(f"{name} = v.{name}" for name in names)
        sql = (
            f"UPDATE match SET {sets} FROM unnest({arrays}) "  # noqa: S608
            f"AS v(id, {', '.join(names)}) WHERE match.id = v.id"
        )
        columns = [[u["row_id"] for u in batch], *([u[n] for u in batch] for n in names)]
        _execute(session, sql, columns)
        return

    def value(rank: int | None) -> str:
        return "NULL" if rank is None else str(int(rank))

    rows = ", ".join(
        f"({int(u['row_id'])}, {', '.join(value(u[name]) for name in names)})" for u in batch
    )  # integers only: safe to inline
    sets = ", ".join(f"{name} = CAST(v.column{n} AS INTEGER)" for n, name in enumerate(names, 2))
    sql = f"UPDATE match SET {sets} FROM (VALUES {rows}) AS v WHERE match.id = v.column1"  # noqa: S608
    _execute(session, sql)


def apply_lists(
    *,
    session: Session,
    venture_lists: Mapping[int, list[Member]],
    investor_lists: Mapping[int, list[Member]],
    fresh: Collection[Pair],
    reasons_for: Callable[[list[Pair]], Mapping[Pair, str]],
    model_version: str,
    now: datetime,
    listed: Listed | None = None,
) -> int:
    """Replace these lists; returns how many rows were written or deleted.

    A row gets the list's score and new reasons when its pair is in `fresh` (just rescored),
    is not stored yet, or was stored by another model; otherwise only its ranks change.
    `reasons_for` is called once, with exactly those pairs. Investor lists in `listed` (read
    by `lists` in this transaction, under the same lock) are not read again; those read in
    part (by `list_ends`) are given in part: the members read, placed anew.
    """
    want_v = {
        (v, i): r for v, members in venture_lists.items() for r, (i, _) in enumerate(members, 1)
    }
    score_of = {(v, i): s for v, members in venture_lists.items() for i, s in members}
    score_of.update({(v, i): s for i, members in investor_lists.items() for v, s in members})
    # Stored rows by pair: (row id, venture rank, investor rank, stored by this model).
    existing: dict[Pair, tuple[int, int | None, int | None, bool]] = {}
    columns = "id, venture_id, investor_id, venture_rank, investor_rank, model_version"
    prefetched = listed.of_venture if listed is not None else {}
    for v in venture_lists.keys() & prefetched.keys():
        for pair, (row_id, vr, ir, version) in prefetched[v].items():
            existing[pair] = (row_id, vr, ir, version == model_version)
    for part in _chunks(venture_lists.keys() - prefetched.keys()):
        wanted, params = among(session, "venture_id", part)
        sql = f"SELECT {columns} FROM match WHERE {wanted}"  # noqa: S608
        for row_id, v, i, vr, ir, version in read_rows(session, sql, params):
            existing[(v, i)] = (row_id, vr, ir, version == model_version)
    write = set(existing) | set(want_v)  # pairs whose row may change
    known = listed.read.get("investor", set()) if listed is not None else set()
    in_part: Mapping[int, int] = listed.sizes if listed is not None else {}
    held: dict[int, dict[int, int]] = {}
    # Rows of these lists stored by another model: rescored even where their number stays.
    other_model: set[Pair] = set()
    if listed is not None:
        held = {i: listed.numbers.get(i, {}) for i in investor_lists if i in known or i in in_part}
        other_model = {p for p, row in listed.rows.items() if row[3] != model_version}
    for part in _chunks([i for i in investor_lists if i not in known and i not in in_part]):
        wanted, params = among(session, "investor_id", part)
        sql = (
            f"SELECT {columns} FROM match "  # noqa: S608
            f"WHERE {wanted} AND investor_rank IS NOT NULL"
        )
        for row_id, v, i, vr, ir, version in read_rows(session, sql, params):
            existing[(v, i)] = (row_id, vr, ir, version == model_version)
            held.setdefault(i, {})[v] = ir
            if version != model_version:
                other_model.add((v, i))

    def stored(pair: Pair) -> tuple[int, int | None, int | None, bool] | None:
        row = existing.get(pair)
        read = pair[1] in known or pair[1] in in_part
        if row is None and listed is not None and read and pair in listed.rows:
            row_id, vr, ir, version = listed.rows[pair]
            return row_id, vr, ir, version == model_version
        return row

    # Only the few members whose number moves are written, not every member of every list.
    want_i: dict[Pair, int] = {}
    floors: list[tuple[int, int, int]] = []  # (investor, its list's lowest member, length)
    emptied: list[int] = []
    for i, members in investor_lists.items():
        before = held.get(i, {})
        # A list read in part: the members not read hold the rest of 1..n, and keep them.
        others = set(range(1, in_part[i] + 1)) - set(before.values()) if i in in_part else ()
        values = list_values(before, [v for v, _ in members], others)
        if members:
            floors.append((i, members[-1][0], len(values) + len(others)))
        else:
            emptied.append(i)
        want_i.update({(v, i): value for v, value in values.items()})
        write.update((v, i) for v, value in values.items() if before.get(v) != value)
        write.update((v, i) for v in before.keys() - values.keys())  # leaving the list
    # Pairs entering an investor's list may already be stored (for the venture's list): look
    # those few up by key, a few hundred per statement (an OR of unique-key probes). Every
    # row of a venture whose list is written was read above: its pairs need no probe.
    entering = sorted(
        pair
        for pair in write
        if pair in want_i and pair[0] not in venture_lists and stored(pair) is None
    )
    for row_id, v, i, vr, ir, version in _probe(session, entering):
        existing[(v, i)] = (row_id, vr, ir, version == model_version)
    # Rescored: pairs just scored, new to the table, or stored by another model.
    rescore = sorted(
        pair
        for pair in write | (set(fresh) & score_of.keys()) | other_model
        if pair in score_of and (pair in fresh or (row := stored(pair)) is None or not row[3])
    )
    reasons = reasons_for(rescore) if rescore else {}
    new_rows = {pair: Fresh(score_of[pair], reasons.get(pair, "[]")) for pair in rescore}

    inserts: list[tuple[Any, ...]] = []
    updates: list[dict[str, Any]] = []
    deletes: list[int] = []
    for pair in write | new_rows.keys():
        v, i = pair
        row = stored(pair)
        vr = want_v.get(pair) if v in venture_lists else (row[1] if row else None)
        ir = want_i.get(pair) if i in investor_lists else (row[2] if row else None)
        if vr is None and ir is None:
            if row:
                deletes.append(row[0])
            continue
        new = new_rows.get(pair)
        if row is None:
            if new is None:
                raise ValueError(f"pair {pair} enters a list without a fresh score")
            inserts.append((v, i, new.score, vr, ir, new.reasons))
        elif new is not None:
            updates.append(
                {"row_id": row[0], "score": new.score, "venture_rank": vr, "investor_rank": ir,
                 "reasons": new.reasons}
            )  # fmt: skip
        elif (vr, ir) != (row[1], row[2]):
            # Only the rank that moved: the other rank's index entries stay untouched.
            moved: dict[str, Any] = {"row_id": row[0]}
            if vr != row[1]:
                moved["venture_rank"] = vr
            if ir != row[2]:
                moved["investor_rank"] = ir
            updates.append(moved)
    with _one_round_trip(session):
        _write_rows(session, deletes, updates, inserts, model_version, now)
        _write_floors(session, floors, emptied)
    return len(inserts) + len(updates) + len(deletes)


def _probe(session: Session, pairs: list[Pair]) -> list[Any]:
    """The stored rows of these pairs (id, venture, investor, ranks, model version)."""
    columns = "id, venture_id, investor_id, venture_rank, investor_rank, model_version"
    if pairs and session.connection().dialect.name == "postgresql":
        # The pairs as two arrays: one text, prepared once; a probe of the unique key each.
        sql = (
            f"SELECT {', '.join(f'm.{c}' for c in columns.split(', '))} "  # noqa: S608
            "FROM unnest(%b::integer[], %b::integer[]) AS p(v, i) "
            "JOIN match AS m ON m.venture_id = p.v AND m.investor_id = p.i"
        )
        return read_rows(session, sql, [list(column) for column in zip(*pairs, strict=True)])
    found: list[Any] = []
    for start in range(0, len(pairs), PAIRS_PER_STATEMENT):
        wanted = " OR ".join(  # integers only: safe to inline
            f"(venture_id = {int(v)} AND investor_id = {int(i)})"
            for v, i in pairs[start : start + PAIRS_PER_STATEMENT]
        )
        found.extend(read_rows(session, f"SELECT {columns} FROM match WHERE {wanted}"))  # noqa: S608
    return found


def _write_floors(session: Session, floors: list[tuple[int, int, int]], emptied: list[int]) -> None:
    """Each written investor list's floor: (investor, lowest member, length), its score read
    from the row just written; the floors given as arrays on PostgreSQL (one text, prepared
    once), as inlined VALUES on SQLite."""
    for ids in _chunks(emptied):
        wanted, ids_param = among(session, "investor_id", ids)
        _execute(session, f"DELETE FROM list_floor WHERE {wanted}", ids_param)  # noqa: S608
    postgresql = session.connection().dialect.name == "postgresql"
    for start in range(0, len(floors), CHUNK):
        part = floors[start : start + CHUNK]
        params: list[Any] = []
        if postgresql:
            given = "unnest(%b::integer[], %b::integer[], %b::integer[])"
            given += " AS f(investor, venture, size)"
            params = [list(column) for column in zip(*part, strict=True)]
        else:
            rows = ", ".join(f"({int(i)}, {int(v)}, {int(n)})" for i, v, n in part)
            given = (  # integers only: safe to inline
                "(SELECT column1 AS investor, column2 AS venture, column3 AS size "  # noqa: S608
                f"FROM (VALUES {rows}) AS r) AS f"
            )
        _execute(
            session,
            "INSERT INTO list_floor (investor_id, venture_id, score, size) "  # noqa: S608
            f"SELECT m.investor_id, m.venture_id, m.score, f.size FROM {given} "
            "JOIN match AS m ON m.venture_id = f.venture AND m.investor_id = f.investor "
            f"WHERE true {FLOOR_UPSERT}",
            params,
        )


@contextmanager
def _one_round_trip(session: Session) -> Iterator[None]:
    """On PostgreSQL the statements inside go to the server together (a psycopg pipeline)
    and their results come back once, instead of one round trip each."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        yield
        return
    with connection.connection.driver_connection.pipeline():  # type: ignore[union-attr]
        yield


def _write_rows(
    session: Session,
    deletes: list[int],
    updates: list[dict[str, Any]],
    inserts: list[tuple[Any, ...]],
    model_version: str,
    now: datetime,
) -> None:
    """Delete, rewrite, move and insert rows, through the driver (no statement compile)."""
    for part in _chunks(deletes):
        wanted, params = among(session, "id", part)
        _execute(session, f"DELETE FROM match WHERE {wanted}", params)  # noqa: S608
    full = [u for u in updates if "score" in u]
    ranks = [u for u in updates if "score" not in u]
    dialect = session.connection().dialect.name
    postgresql, stamp = dialect == "postgresql", driver_stamp(dialect, now)
    if full:
        rows = [(u["row_id"], u["score"], u["venture_rank"], u["investor_rank"], u["reasons"])
                for u in full]  # fmt: skip
        _rescore(session, postgresql, rows, model_version, stamp)
    for names in (("venture_rank",), ("investor_rank",), ("venture_rank", "investor_rank")):
        batch = [u for u in ranks if tuple(n for n in u if n != "row_id") == names]
        for start in range(0, len(batch), CHUNK):
            _move_ranks(session, names, batch[start : start + CHUNK])
    if inserts:
        _insert(session, postgresql, inserts, model_version, stamp)


# On PostgreSQL every rescored row goes in one UPDATE and every new row in one INSERT, their
# columns sent as arrays: the texts never change, so psycopg prepares each once, and the
# server plans and starts one statement instead of one per row (a venture change inserts ~50).
# The arrays go in binary (%b): psycopg quotes a text array in text format in Python, ~40 µs
# an element, 2 ms for one venture's reasons.
# SQLite runs one prepared statement per row: in process, there is no round trip to save.
_RESCORE_FROM_ARRAYS = (
    "UPDATE match SET score = t.score, venture_rank = t.venture_rank, "
    "investor_rank = t.investor_rank, reasons = CAST(t.reasons AS json), "
    "model_version = %s, computed_at = %s "
    "FROM unnest(%b::integer[], %b::double precision[], %b::integer[], %b::integer[], "
    "%b::text[]) AS t(id, score, venture_rank, investor_rank, reasons) WHERE match.id = t.id"
)
_RESCORE_EACH = (
    "UPDATE match SET score = ?, venture_rank = ?, investor_rank = ?, reasons = ?, "
    "model_version = ?, computed_at = ? WHERE id = ?"
)
_INSERT_FROM_ARRAYS = (
    f"INSERT INTO match ({', '.join(COLUMNS)}) "  # noqa: S608
    "SELECT t.venture_id, t.investor_id, t.score, t.venture_rank, t.investor_rank, "
    "CAST(t.reasons AS json), %s, %s "
    "FROM unnest(%b::integer[], %b::integer[], %b::double precision[], %b::integer[], "
    "%b::integer[], %b::text[]) "
    "AS t(venture_id, investor_id, score, venture_rank, investor_rank, reasons)"
)
_INSERT_EACH = f"INSERT INTO match ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"  # noqa: S608


def _rescore(
    session: Session, postgresql: bool, rows: list[tuple[Any, ...]], model_version: str, stamp: Any
) -> None:
    """Rows (id, score, venture rank, investor rank, reasons) get their new score and reasons."""
    if postgresql:
        columns = [list(column) for column in zip(*rows, strict=True)]
        _execute(session, _RESCORE_FROM_ARRAYS, (model_version, stamp, *columns))
    else:
        _execute_many(
            session, _RESCORE_EACH, [(*row[1:], model_version, stamp, row[0]) for row in rows]
        )


def _insert(
    session: Session, postgresql: bool, rows: list[tuple[Any, ...]], model_version: str, stamp: Any
) -> None:
    """New rows (venture, investor, score, venture rank, investor rank, reasons)."""
    if postgresql:
        columns = [list(column) for column in zip(*rows, strict=True)]
        _execute(session, _INSERT_FROM_ARRAYS, (model_version, stamp, *columns))
    else:
        _execute_many(session, _INSERT_EACH, [(*row, model_version, stamp) for row in rows])
