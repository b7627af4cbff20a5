"""Plain records for one generated demo dataset; the loader and the benchmarks read these fields.

Cross-references are indices into the dataset's tuples (`venture=3` is `dataset.ventures[3]`)
or, for people, e-mail addresses, so the records stay free of database ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A person who signs in; `password` is set only for the four printed demo accounts."""

    email: str
    name: str
    role: str
    organisation: str | None
    password: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DemoOrganisation:
    """An investor firm (one mandate each) or a programme body."""

    name: str
    kind: str
    website: str | None


@dataclass(frozen=True, slots=True)
class DemoVenture:
    """A fictional startup or spinout looking for money."""

    owner_email: str
    name: str
    summary: str
    sectors: tuple[str, ...]
    stage: str
    raise_amount_gbp: int
    instruments: tuple[str, ...]
    region: str
    institution: str | None
    spinout: bool
    incorporated_on: date | None
    companies_house_number: str | None
    trl: int
    team_size: int
    eis: bool
    seis: bool
    visibility: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DemoInvestor:
    """One organisation's mandate; empty `sectors` means a generalist."""

    organisation: str
    name: str
    investor_type: str
    sectors: tuple[str, ...]
    excluded_sectors: tuple[str, ...]
    stages: tuple[str, ...]
    ticket_min_gbp: int
    ticket_max_gbp: int
    regions: tuple[str, ...]
    regions_strict: bool
    instruments: tuple[str, ...]
    thesis: str
    eis: bool
    seis: bool
    institutions: tuple[str, ...]
    hq_region: str
    active: bool
    member_emails: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DemoPortfolioDeal:
    """A past investment in the investor's track record (`venture` set if it was made here)."""

    investor: int
    company_name: str
    funded_on: date
    sectors: tuple[str, ...]
    stage: str
    region: str
    amount_gbp: int
    venture: int | None = None

    @property
    def dedupe_key(self) -> str:
        """Company, date and round, normalised: the same history loaded twice adds nothing."""
        return f"{self.company_name.casefold()}|{self.funded_on.isoformat()}|{self.stage}"


@dataclass(frozen=True, slots=True)
class DemoFeedback:
    """An investor's shortlist or pass on a venture; a pass always carries a reason code."""

    investor: int
    venture: int
    action: str
    reason: str | None
    note: str | None
    actor_email: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DemoDealEvent:
    """One step of a deal, who took it and when."""

    stage: str
    at: datetime
    actor_email: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class DemoDeal:
    """The deal an accepted introduction opened; `stage` is where it stands now."""

    stage: str
    amount_gbp: int | None
    events: tuple[DemoDealEvent, ...]

    @property
    def updated_at(self) -> datetime:
        """When the deal last moved."""
        return self.events[-1].at


@dataclass(frozen=True, slots=True)
class DemoIntroduction:
    """A request by one side to meet the other, and the deal it led to if accepted."""

    venture: int
    investor: int
    requested_by_role: str
    requested_by_email: str
    message: str
    status: str
    decline_reason: str | None
    responded_by_email: str | None
    created_at: datetime
    responded_at: datetime | None
    deal: DemoDeal | None


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """A known login printed by the CLI so a person can try each role."""

    role: str
    email: str
    password: str
    name: str


@dataclass(frozen=True, slots=True)
class DemoDataset:
    """Everything one call to `generate` produces, ready for the loader or a benchmark."""

    seed: int
    as_of: date
    users: tuple[DemoUser, ...]
    organisations: tuple[DemoOrganisation, ...]
    ventures: tuple[DemoVenture, ...]
    investors: tuple[DemoInvestor, ...]
    portfolio: tuple[DemoPortfolioDeal, ...]
    feedback: tuple[DemoFeedback, ...]
    introductions: tuple[DemoIntroduction, ...]
    accounts: tuple[DemoAccount, ...]
