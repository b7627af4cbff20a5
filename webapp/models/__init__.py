"""SQLModel tables and their schema families; importing this registers every table."""

from webapp.models.accounts import (
    ApiToken,
    OneTimeToken,
    Organisation,
    User,
    UserPublic,
    UserSession,
)
from webapp.models.audit import AuditLog
from webapp.models.deals import Deal, DealEvent, Feedback, Introduction
from webapp.models.investors import (
    InvestorProfile,
    InvestorProfileCreate,
    InvestorProfilePublic,
    InvestorProfileUpdate,
    PortfolioDeal,
)
from webapp.models.invitations import MemberInvitation
from webapp.models.jobs import JobRun
from webapp.models.matches import ListFloor, Match, MatchImpression, ModelVersion
from webapp.models.notifications import EmailDelivery, Notification
from webapp.models.outbox import OutboxEvent
from webapp.models.programmes import (
    EnrolmentRequest,
    PlatformStaff,
    Programme,
    ProgrammeMember,
    ProgrammeVenture,
)
from webapp.models.types import metadata, utcnow  # first: sets the naming convention
from webapp.models.ventures import (
    Venture,
    VentureCensus,
    VentureCreate,
    VenturePublic,
    VentureUpdate,
)

__all__ = [
    "ApiToken",
    "AuditLog",
    "Deal",
    "DealEvent",
    "EmailDelivery",
    "EnrolmentRequest",
    "Feedback",
    "Introduction",
    "InvestorProfile",
    "InvestorProfileCreate",
    "InvestorProfilePublic",
    "InvestorProfileUpdate",
    "JobRun",
    "ListFloor",
    "Match",
    "MatchImpression",
    "MemberInvitation",
    "ModelVersion",
    "Notification",
    "OneTimeToken",
    "Organisation",
    "OutboxEvent",
    "PlatformStaff",
    "PortfolioDeal",
    "Programme",
    "ProgrammeMember",
    "ProgrammeVenture",
    "User",
    "UserPublic",
    "UserSession",
    "Venture",
    "VentureCensus",
    "VentureCreate",
    "VenturePublic",
    "VentureUpdate",
    "metadata",
    "utcnow",
]
