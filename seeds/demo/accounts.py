"""The four demo logins, one per role, with fixed passwords so that a second seeding run
(which leaves existing users alone) still prints credentials that work."""

from __future__ import annotations

from datetime import datetime, timedelta

from seeds.demo.names import DEMO_DOMAIN
from seeds.demo.records import DemoAccount, DemoUser

# Long, unusual passphrases: not in breach lists, and obviously for a demo only.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("founder", f"founder@{DEMO_DOMAIN}", "tyne-bridge-founder-2025", "Demo Founder"),
    DemoAccount(
        "investor", f"investor@{DEMO_DOMAIN}", "pennine-way-investor-2025", "Demo Investor"
    ),
    DemoAccount("staff", f"staff@{DEMO_DOMAIN}", "humber-estuary-staff-2025", "Demo Staff"),
    DemoAccount("admin", f"admin@{DEMO_DOMAIN}", "mersey-ferry-admin-2025", "Demo Admin"),
)
FOUNDER, INVESTOR, STAFF, ADMIN = DEMO_ACCOUNTS


def demo_users(*, investor_organisation: str | None, joined: datetime) -> list[DemoUser]:
    """User records for the demo accounts; the investor belongs to the demo fund."""
    users = []
    for account in DEMO_ACCOUNTS:
        organisation = investor_organisation if account is INVESTOR else None
        created = joined - timedelta(days=1)
        users.append(
            DemoUser(
                account.email, account.name, account.role, organisation, account.password, created
            )
        )
    return users
