"""Write a `DemoDataset` into the database with bulk inserts; safe to run again.

Every record is matched on its natural key first (user e-mail, organisation name, one mandate per
organisation, a venture's owner and name, an investor's portfolio dedupe key, one feedback and
one introduction per pair, one deal per introduction), and only missing rows are inserted. Rows
that already exist are left exactly as they are, so a second run changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from sqlalchemy import Table, func, select
from sqlmodel import Session, SQLModel
from tqdm import tqdm

from seeds.demo import rows as to_row
from seeds.demo.bulk import insert_all, lookup
from seeds.demo.passwords import HashPassword, unusable_password_hash
from seeds.demo.records import DemoDataset, DemoIntroduction
from webapp.models import (
    Deal,
    DealEvent,
    Feedback,
    Introduction,
    InvestorProfile,
    Organisation,
    PlatformStaff,
    PortfolioDeal,
    User,
    Venture,
)
from webapp.models.enums import Role
from webapp.services.accounts.passwords import hash_password
from webapp.services.outbox.outbox import FULL_REFRESH_REQUESTED, record_event

TABLES: tuple[type[SQLModel], ...] = (
    Organisation, User, PlatformStaff, InvestorProfile, Venture, PortfolioDeal, Feedback,
    Introduction, Deal, DealEvent,
)  # fmt: skip


@dataclass
class LoadReport:
    """How many rows of each table one run inserted, and whether it asked for a full refresh."""

    inserted: Counter[str] = field(default_factory=Counter)
    refresh_requested: bool = False

    @property
    def total(self) -> int:
        """All rows inserted."""
        return sum(self.inserted.values())


def load_dataset(
    *,
    session: Session,
    dataset: DemoDataset,
    hasher: HashPassword = hash_password,
    progress: bool = False,
) -> LoadReport:
    """Insert what is missing, then (if anything was) queue one full matching refresh.

    Runs in the caller's transaction and does not commit; wrap it in `session_scope`.
    """
    with tqdm(total=_row_count(dataset), desc="loading", unit="row", disable=not progress) as bar:
        return _Loader(session, dataset, hasher, bar.update).run()


def table_counts(session: Session) -> dict[str, int]:
    """Rows per table the loader writes (for reports and tests)."""
    return {
        _table(model).name: int(
            session.execute(select(func.count()).select_from(_table(model))).scalar_one()
        )
        for model in TABLES
    }


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def _row_count(dataset: DemoDataset) -> int:
    deals = [i.deal for i in dataset.introductions if i.deal is not None]
    return (
        len(dataset.organisations) + len(dataset.users) + len(dataset.investors)
        + len(dataset.ventures) + len(dataset.portfolio) + len(dataset.feedback)
        + len(dataset.introductions) + len(deals) + sum(len(d.events) for d in deals)
    )  # fmt: skip


class _Loader:
    """One run: maps natural keys to database ids as each table is filled."""

    def __init__(
        self,
        session: Session,
        dataset: DemoDataset,
        hasher: HashPassword,
        advance: Callable[[int], object],
    ) -> None:
        self.session = session
        self.data = dataset
        self.hasher = hasher
        self.advance = advance
        self.report = LoadReport()
        self.organisation_ids: dict[str, int] = {}
        self.user_ids: dict[str, int] = {}
        self.investor_ids: list[int | None] = []  # by dataset index; None: not ours to fill
        self.venture_ids: list[int] = []
        # Organisations and mandates were set up before any activity.
        fallback = datetime.combine(dataset.as_of, time(), tzinfo=UTC)
        self.set_up_at = min((u.created_at for u in dataset.users), default=fallback)

    def run(self) -> LoadReport:
        self._organisations()
        self._users()
        self._platform_staff()
        self._investor_profiles()
        self._ventures()
        self._portfolio()
        self._feedback()
        self._introductions()
        if self.report.total:
            record_event(
                session=self.session,
                kind=FULL_REFRESH_REQUESTED,
                payload={"reason": "demo data loaded", "seed": self.data.seed},
            )
            self.report.refresh_requested = True
        self.session.flush()
        return self.report

    def _insert(self, model: type[SQLModel], rows: Sequence[to_row.Row], offered: int) -> None:
        table = _table(model)
        self.report.inserted[table.name] += insert_all(self.session, table, rows, self.advance)
        self.advance(offered - len(rows))  # the ones skipped count as done too

    def _organisations(self) -> None:
        names = [o.name for o in self.data.organisations]
        columns = [Organisation.name, Organisation.id]
        have = dict(lookup(self.session, columns, Organisation.name, names))
        rows = [
            to_row.organisation_row(o, self.set_up_at)
            for o in self.data.organisations
            if o.name not in have
        ]
        self._insert(Organisation, rows, len(names))
        self.organisation_ids = dict(lookup(self.session, columns, Organisation.name, names))

    def _users(self) -> None:
        emails = [u.email for u in self.data.users]
        have = {e for (e,) in lookup(self.session, [User.email], User.email, emails)}
        missing = [u for u in self.data.users if u.email not in have]
        # One hash for every generated person (argon2 is slow by design); real ones for logins.
        shared = unusable_password_hash(self.hasher) if missing else ""
        rows = [
            to_row.user_row(
                u,
                self.organisation_ids.get(u.organisation or ""),
                self.hasher(u.password) if u.password else shared,
            )
            for u in missing
        ]
        self._insert(User, rows, len(emails))
        self.user_ids = dict(lookup(self.session, [User.email, User.id], User.email, emails))

    def _platform_staff(self) -> None:
        """Demo staff are the platform team: platform-wide access is a grant, never implied."""
        staff = [self.user_ids[u.email] for u in self.data.users if u.role == Role.STAFF.value]
        key = PlatformStaff.user_id
        have = {u for (u,) in lookup(self.session, [key], key, staff)}
        rows = [
            {"user_id": user_id, "granted_by": None, "granted_at": self.set_up_at}
            for user_id in staff
            if user_id not in have
        ]
        self.report.inserted[_table(PlatformStaff).name] += insert_all(
            self.session, _table(PlatformStaff), rows
        )

    def _investor_profiles(self) -> None:
        org_ids = [self.organisation_ids[i.organisation] for i in self.data.investors]
        key = InvestorProfile.organisation_id
        have = {o for (o,) in lookup(self.session, [key], key, org_ids)}
        rows = [
            to_row.investor_row(investor, org_id, self.set_up_at)
            for investor, org_id in zip(self.data.investors, org_ids, strict=True)
            if org_id not in have
        ]
        self._insert(InvestorProfile, rows, len(org_ids))
        by_org = dict(lookup(self.session, [key, InvestorProfile.id], key, org_ids))
        # A profile that was there before, under an organisation with non-demo members, is
        # someone else's: feedback and deals are added only to profiles demo runs created.
        ours = {row["organisation_id"] for row in rows} | self._demo_only(by_org)
        self.investor_ids = [by_org[o] if o in ours else None for o in org_ids]

    def _demo_only(self, organisation_ids: Sequence[int] | dict[int, int]) -> set[int]:
        """Organisations all of whose members are people from this data set."""
        demo = {u.email for u in self.data.users}
        members: dict[int, set[str]] = {}
        columns = [User.organisation_id, User.email]
        for org_id, email in lookup(self.session, columns, User.organisation_id, organisation_ids):
            members.setdefault(org_id, set()).add(email)
        return {org for org, emails in members.items() if emails <= demo}

    def _ventures(self) -> None:
        owners = [self.user_ids[v.owner_email] for v in self.data.ventures]
        columns = [Venture.owner_id, Venture.name, Venture.id]
        have = {(o, n) for o, n, _ in lookup(self.session, columns, Venture.owner_id, owners)}
        rows = [
            to_row.venture_row(v, owner)
            for v, owner in zip(self.data.ventures, owners, strict=True)
            if (owner, v.name) not in have
        ]
        self._insert(Venture, rows, len(owners))
        ids = {(o, n): i for o, n, i in lookup(self.session, columns, Venture.owner_id, owners)}
        self.venture_ids = [
            ids[(owner, v.name)] for v, owner in zip(self.data.ventures, owners, strict=True)
        ]

    def _our_investor_ids(self) -> set[int]:
        return {i for i in self.investor_ids if i is not None}

    def _portfolio(self) -> None:
        key = PortfolioDeal.investor_id
        columns = [key, PortfolioDeal.dedupe_key]
        have = set(lookup(self.session, columns, key, self._our_investor_ids()))
        rows = []
        for deal in self.data.portfolio:
            investor_id = self.investor_ids[deal.investor]
            if investor_id is None or (investor_id, deal.dedupe_key) in have:
                continue
            venture_id = None if deal.venture is None else self.venture_ids[deal.venture]
            rows.append(to_row.portfolio_row(deal, investor_id, venture_id, self.set_up_at))
        self._insert(PortfolioDeal, rows, len(self.data.portfolio))

    def _feedback(self) -> None:
        key = Feedback.investor_id
        columns = [key, Feedback.venture_id]
        have = set(lookup(self.session, columns, key, self._our_investor_ids()))
        rows = []
        for item in self.data.feedback:
            investor_id, venture_id = (
                self.investor_ids[item.investor],
                self.venture_ids[item.venture],
            )
            if investor_id is None or (investor_id, venture_id) in have:
                continue
            actor = self.user_ids[item.actor_email]
            rows.append(to_row.feedback_row(item, investor_id, venture_id, actor))
        self._insert(Feedback, rows, len(self.data.feedback))

    def _introductions(self) -> None:
        key = Introduction.investor_id
        columns = [Introduction.venture_id, key]
        have = set(lookup(self.session, columns, key, self._our_investor_ids()))
        new: list[tuple[int, int, DemoIntroduction]] = []
        for intro in self.data.introductions:
            investor_id = self.investor_ids[intro.investor]
            venture_id = self.venture_ids[intro.venture]
            if investor_id is not None and (venture_id, investor_id) not in have:
                new.append((venture_id, investor_id, intro))
        rows = [
            to_row.introduction_row(
                intro,
                venture_id,
                investor_id,
                self.user_ids[intro.requested_by_email],
                self.user_ids.get(intro.responded_by_email or ""),
            )
            for venture_id, investor_id, intro in new
        ]
        self._insert(Introduction, rows, len(self.data.introductions))
        self._deals([entry for entry in new if entry[2].deal is not None])

    def _deals(self, accepted: list[tuple[int, int, DemoIntroduction]]) -> None:
        """Deals and their events for the introductions just inserted (none has a deal yet)."""
        columns = [Introduction.venture_id, Introduction.investor_id, Introduction.id]
        investors = {investor_id for _, investor_id, _ in accepted}
        intro_ids = {
            (v, i): n
            for v, i, n in lookup(self.session, columns, Introduction.investor_id, investors)
        }
        rows = [
            to_row.deal_row(intro, intro_ids[(venture_id, investor_id)], venture_id, investor_id)
            for venture_id, investor_id, intro in accepted
        ]
        self._insert(Deal, rows, len(rows))
        deal_columns = [Deal.introduction_id, Deal.id]
        new_intros = [row["introduction_id"] for row in rows]
        deal_ids = dict(lookup(self.session, deal_columns, Deal.introduction_id, new_intros))
        events = [
            to_row.event_row(
                event,
                deal_ids[intro_ids[(venture_id, investor_id)]],
                self.user_ids[event.actor_email],
            )
            for venture_id, investor_id, intro in accepted
            for event in (intro.deal.events if intro.deal else ())
        ]
        self._insert(DealEvent, events, len(events))
