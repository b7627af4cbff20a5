"""The closed vocabularies of the data model (kept in the database by CHECK constraints)."""

from enum import StrEnum


class Role(StrEnum):
    """What a user is on the platform; staff and admins are never self-registered."""

    FOUNDER = "founder"
    INVESTOR = "investor"
    STAFF = "staff"
    ADMIN = "admin"


class OrganisationKind(StrEnum):
    """Investor firms hold mandates; programme bodies run cohorts and pipelines."""

    INVESTOR = "investor"
    PROGRAMME = "programme"


class Visibility(StrEnum):
    """Only published ventures are shown to investors or scored."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class FeedbackAction(StrEnum):
    """An investor's verdict on a venture in its list."""

    SHORTLIST = "shortlist"
    PASS = "pass"  # noqa: S105 - not a password


class PassReason(StrEnum):
    """Structured reasons for a pass: they reach the ranker as labelled negatives."""

    OUTSIDE_MANDATE = "outside_mandate"
    TOO_EARLY = "too_early"
    TOO_LATE = "too_late"
    TICKET_SIZE = "ticket_size"
    SECTOR = "sector"
    TEAM = "team"
    TRACTION = "traction"
    OTHER = "other"


class IntroductionStatus(StrEnum):
    """Double opt-in: one side requests, the other accepts or declines."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class DealStage(StrEnum):
    """Where a deal stands; it only moves forward, except to passed or withdrawn."""

    INTRODUCTION_REQUESTED = "introduction_requested"
    ACCEPTED = "accepted"
    IN_CONVERSATION = "in_conversation"
    DUE_DILIGENCE = "due_diligence"
    TERM_SHEET = "term_sheet"
    INVESTED = "invested"
    DECLINED = "declined"
    PASSED = "passed"
    WITHDRAWN = "withdrawn"


# The forward path of a deal; passed and withdrawn may follow any open stage.
DEAL_PATH: tuple[DealStage, ...] = (
    DealStage.INTRODUCTION_REQUESTED,
    DealStage.ACCEPTED,
    DealStage.IN_CONVERSATION,
    DealStage.DUE_DILIGENCE,
    DealStage.TERM_SHEET,
    DealStage.INVESTED,
)
CLOSED_DEAL_STAGES = frozenset(
    {DealStage.INVESTED, DealStage.DECLINED, DealStage.PASSED, DealStage.WITHDRAWN}
)


class DealClosedReason(StrEnum):
    """Why a deal closed without either party moving it: one side went away while it was open.

    Closing a round is not one of them: it stops new introductions, and deals under way carry on.
    """

    VENTURE_ERASED = "venture_erased"
    FOUNDER_ERASED = "founder_erased"
    INVESTOR_ERASED = "investor_erased"


class EmailFrequency(StrEnum):
    """How a user wants match news by email."""

    INSTANT = "instant"
    DIGEST = "digest"
    OFF = "off"


class ListView(StrEnum):
    """How a person likes long ranked lists laid out: a card per item, or a row per item."""

    FULL = "full"
    COMPACT = "compact"


class EmailStatus(StrEnum):
    """Delivery state; `failed` is final and shown to staff with the last error."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OneTimeTokenPurpose(StrEnum):
    """Single-use links sent by email."""

    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose name, not a password


class JobKind(StrEnum):
    """Long-running work whose progress the UI shows."""

    FULL_REFRESH = "full_refresh"
    RETRAIN = "retrain"
    IMPORT = "import"
    SEED = "seed"


class JobStatus(StrEnum):
    """Lifecycle of a long-running job."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class EnrolmentRequestStatus(StrEnum):
    """Staff ask to enrol a venture that isn't published; its founder answers."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class InvitationStatus(StrEnum):
    """An invitation to manage an investor organisation's mandate; only the invitee accepts."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"
    EXPIRED = "expired"  # written when a pending one past its date is replaced
