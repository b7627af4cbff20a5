"""Audit actions and object types as staff read them: one table, for the page, CSV and API.

The stored code (`programme.enrol`) stays the filterable key; the label is what people see. A
code missing here still reads as words ("Programme: enrol"), and a test keeps the table
complete for every action the code records.
"""

from __future__ import annotations

ACTION_LABELS: dict[str, str] = {
    # Accounts
    "user.registered": "Registered an account",
    "user.email_verified": "Confirmed an email address",
    "user.password_reset": "Reset a password",
    "user.password_changed": "Changed a password",
    "user.profile_updated": "Updated a profile",
    "user.created": "Created an account",
    "user.deactivated": "Deactivated an account",
    "user.reactivated": "Reactivated an account",
    "user.erased": "Erased an account",
    # Ventures and investors
    "venture.created": "Created a venture",
    "venture.updated": "Updated a venture",
    "venture.deleted": "Erased a venture",
    "investor.created": "Created an investor mandate",
    "investor.updated": "Updated an investor mandate",
    "investor.member_added": "Added a member to an investor",
    "investor.member_removed": "Removed a member from an investor",
    "investor.member_invited": "Invited someone to join an investor",
    "investor.invitation_revoked": "Withdrew an invitation to join an investor",
    "investor.invitation_declined": "Declined an invitation to join an investor",
    # Introductions and deals
    "introduction.requested": "Requested an introduction",
    "introduction.accepted": "Accepted an introduction",
    "introduction.declined": "Declined an introduction",
    "introduction.withdrawn": "Withdrew an introduction request",
    "deal.moved": "Moved a deal",
    "deal.closed": "Closed a deal (a party went away)",
    # Programmes
    "programme.create": "Created a programme",
    "programme.enrol": "Enrolled a venture in a programme",
    "programme.withdraw": "Withdrew a venture from a programme",
    "programme.assign": "Assigned staff to a programme",
    "programme.unassign": "Removed staff from a programme",
    "programme.enrolment_requested": "Asked a founder to enrol a venture in a programme",
    "programme.enrolment_accepted": "Agreed to enrol a venture in a programme",
    "programme.enrolment_declined": "Declined to enrol a venture in a programme",
    "staff.platform_granted": "Gave a staff account the whole platform's view",
    "staff.platform_removed": "Limited a staff account to its programmes",
    # Imports, exports and the platform
    "import.ventures": "Imported ventures",
    "import.investors": "Imported investors",
    "import.portfolio": "Imported past deals",
    "export.deals": "Downloaded the deals export",
    "export.audit": "Downloaded the audit log",
    "matching.full_refresh_requested": "Asked for all matches to be rescored",
    "matching.retrain_requested": "Asked for the ranking model to be retrained",
    "outbox.undeliverable": "Set aside a background task that could not run",
    "task.failed": "A background task failed",
}

OBJECT_LABELS: dict[str, str] = {
    "user": "Account",
    "venture": "Venture",
    "investor_profile": "Investor",
    "introduction": "Introduction",
    "deal": "Deal",
    "programme": "Programme",
    "import": "Import",
    "export": "Export",
    "job_run": "Background job",
    "outbox_event": "Background event",
    "task": "Background task",
}


def action_label(code: str) -> str:
    """`programme.enrol` → "Enrolled a venture in a programme" (unknown codes in plain words)."""
    known = ACTION_LABELS.get(code)
    if known is not None:
        return known
    area, _, verb = code.partition(".")
    words = verb.replace("_", " ") if verb else ""
    return f"{area.replace('_', ' ').capitalize()}: {words}" if words else code.capitalize()


def object_label(object_type: str) -> str:
    """`investor_profile` → "Investor"."""
    return OBJECT_LABELS.get(object_type, object_type.replace("_", " ").capitalize())
