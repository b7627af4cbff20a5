"""Self-service accounts: sign-up, sign-in, email verification, password reset and settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func
from sqlmodel import Session, select

from webapp.models import Organisation, User, utcnow
from webapp.models.enums import (
    EmailFrequency,
    ListView,
    OneTimeTokenPurpose,
    OrganisationKind,
    Role,
)
from webapp.services.accounts import api_tokens, one_time_tokens, passwords, sessions
from webapp.services.accounts.rate_limits import Throttle
from webapp.services.common.audit import record_audit
from webapp.services.common.errors import Conflict, FieldError, ServiceError, ValidationFailed
from webapp.services.common.text_checks import text_problem
from webapp.services.outbox.mail import queue_email
from webapp.services.outbox.notifications import render_email

SELF_SERVICE_ROLES = (Role.FOUNDER.value, Role.INVESTOR.value)
# Failed sign-ins are counted per (IP, account) and per IP in short moving windows, so an
# attacker elsewhere can never lock a person out, and a lock-out here ends within minutes.
FAILED_PER_ACCOUNT_AND_IP = "5/5minutes"
FAILED_PER_IP = "50/15minutes"
LinkFor = Callable[[str], str]


class InvalidCredentials(ServiceError):
    """Wrong email or password (the message never says which)."""

    status = 401
    title = "Unauthorized"


class TooManyAttempts(ServiceError):
    """Sign-in paused for this IP (and account) for `retry_after_s` seconds."""

    status = 429
    title = "Too many requests"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"Too many failed sign-ins; try again in {retry_after_s} seconds")
        self.retry_after_s = retry_after_s


def email_problem(email: str) -> str:
    """What is wrong with an address the email library refused, in plain words.

    The library's own messages ("The part after the @-sign is not valid. It should have a
    period.") read like a parser's; people need to know what to type instead.
    """
    shown = email.strip()
    local, at, domain = shown.partition("@")
    if not at:
        why = "has no @"
    elif not local:
        why = "has nothing before the @"
    elif not domain:
        why = "has nothing after the @"
    elif "@" in domain:
        why = "has more than one @"
    elif any(c.isspace() for c in shown):
        why = "has a space in it"
    elif "." not in domain:
        why = f"needs a full domain after the @, such as {domain}.org or {domain}.ac.uk"
    else:
        why = "has characters or dots where an email address can't have them"
    return f"Enter a full email address, like name@example.org: “{shown}” {why}"


def normalise_email(email: str, *, field: str = "email") -> str:
    """Lower-cased, validated syntax (no DNS look-up), or a 422 naming the field."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise ValidationFailed([FieldError(field, email_problem(email))]) from None
    return checked.normalized.lower()


def clean_name(name: str, field: str = "name") -> str:
    cleaned = " ".join(name.split())
    problem = text_problem(cleaned)
    if problem:
        raise ValidationFailed([FieldError(field, f"Your name {problem}")])
    if not 1 <= len(cleaned) <= 120:
        raise ValidationFailed([FieldError(field, "Enter your name (1 to 120 characters)")])
    return cleaned


def find_user_by_email(*, session: Session, email: str) -> User | None:
    """The account with this email, ignoring case."""
    if text_problem(email):
        return None  # no stored address holds NUL, and PostgreSQL refuses it in a query
    return session.exec(select(User).where(func.lower(User.email) == email.strip().lower())).first()


def check_new_account(session: Session, email: str, password: str) -> None:
    problems = passwords.password_problems(password, email=email)
    if problems:
        raise ValidationFailed(problems)
    if find_user_by_email(session=session, email=email) is not None:
        raise Conflict(f"An account with the email {email} already exists; sign in instead")


def register(
    *,
    session: Session,
    email: str,
    password: str,
    name: str,
    role: str,
    organisation_name: str | None = None,
    link_for: LinkFor | None = None,
) -> User:
    """Self-registration as founder or investor (never staff/admin); sends the verification link."""
    if role not in SELF_SERVICE_ROLES:
        raise ValidationFailed(
            [FieldError("role", f"{role!r} can't be chosen at sign-up; choose founder or investor")]
        )
    email = normalise_email(email)
    name = clean_name(name)
    check_new_account(session, email, password)
    organisation = None
    if role == Role.INVESTOR.value and organisation_name and organisation_name.strip():
        organisation = _new_organisation(session, organisation_name)
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=passwords.hash_password(password),
        organisation_id=organisation.id if organisation else None,
    )
    session.add(user)
    session.flush()
    record_audit(
        session=session,
        actor=user,
        action="user.registered",
        object_type="user",
        object_id=user.id,
        after={"role": role},
    )
    if link_for is not None:
        _queue_link_email(session, user, OneTimeTokenPurpose.VERIFY_EMAIL, link_for)
    session.commit()
    return user


def _new_organisation(session: Session, name: str) -> Organisation:
    cleaned = " ".join(name.split())
    problem = text_problem(cleaned)
    if problem:
        raise ValidationFailed([FieldError("organisation", f"The name {problem}")])
    if len(cleaned) > 200:
        raise ValidationFailed([FieldError("organisation", "Use at most 200 characters")])
    taken = session.exec(
        select(Organisation.id).where(func.lower(Organisation.name) == cleaned.lower())
    ).first()
    if taken is not None:
        raise ValidationFailed(
            [
                FieldError(
                    "organisation",
                    f"An organisation called {cleaned!r} is already on venturematch; ask one of "
                    "its members to invite you and leave this blank, or use your organisation's "
                    "full legal name",
                )
            ]
        )
    organisation = Organisation(name=cleaned, kind=OrganisationKind.INVESTOR.value)
    session.add(organisation)
    session.flush()
    return organisation


def authenticate(
    *, session: Session, email: str, password: str, ip: str, throttle: Throttle
) -> User:
    """Check credentials under the sign-in rate limits; rehash when our parameters changed."""
    key = email.strip().lower()[:254]
    for rule, ids in ((FAILED_PER_ACCOUNT_AND_IP, (ip, key)), (FAILED_PER_IP, (ip,))):
        verdict = throttle.check(rule, "sign-in", *ids)
        if not verdict.allowed:
            raise TooManyAttempts(verdict.retry_after_s)
    user = find_user_by_email(session=session, email=key)
    stored = user.password_hash if user is not None else passwords.dummy_hash()
    good = passwords.verify_password(stored, password)
    if user is None or not good or not user.active:
        throttle.hit(FAILED_PER_ACCOUNT_AND_IP, "sign-in", ip, key)
        throttle.hit(FAILED_PER_IP, "sign-in", ip)
        raise InvalidCredentials("The email or password is wrong")
    throttle.clear(FAILED_PER_ACCOUNT_AND_IP, "sign-in", ip, key)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        session.add(user)
        session.commit()
    return user


def _queue_link_email(
    session: Session, user: User, purpose: OneTimeTokenPurpose, link_for: LinkFor
) -> None:
    raw = one_time_tokens.issue(session=session, user=user, purpose=purpose)
    link = link_for(raw)
    if purpose is OneTimeTokenPurpose.VERIFY_EMAIL:
        subject = "Confirm your email address for venturematch"
        paragraphs = [
            f"Hello {user.name},",
            "Please confirm that this is your email address by opening the link below. "
            "The link works once and expires in 48 hours.",
            "If you didn't create a venturematch account, you can ignore this email.",
        ]
        action = "Confirm my email address"
    else:
        subject = "Reset your venturematch password"
        paragraphs = [
            f"Hello {user.name},",
            "Someone (we hope you) asked to reset the password for this account. Open the link "
            "below to choose a new one. The link works once and expires in 1 hour.",
            "If you didn't ask, ignore this email: your password stays as it is.",
        ]
        action = "Choose a new password"
    text_body, html_body = render_email(
        "account_link", subject=subject, paragraphs=paragraphs, link=link, action=action
    )
    queue_email(
        session=session,
        user=user,
        kind=f"account.{purpose.value}",
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        # one email per token: a repeated request sends a fresh link, never a duplicate
        dedupe_key=f"{purpose.value}:{raw[:16]}",
    )


def send_verification_email(*, session: Session, user: User, link_for: LinkFor) -> bool:
    """Send (again) the link that confirms the email address; False if already verified."""
    if user.email_verified_at is not None:
        return False
    _queue_link_email(session, user, OneTimeTokenPurpose.VERIFY_EMAIL, link_for)
    session.commit()
    return True


def verify_email(*, session: Session, raw_token: str) -> User | None:
    """Mark the address verified if the link is valid (once); None for a used or stale link."""
    user = one_time_tokens.consume(
        session=session, raw_token=raw_token, purpose=OneTimeTokenPurpose.VERIFY_EMAIL
    )
    if user is None:
        session.rollback()
        return None
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        session.add(user)
        record_audit(
            session=session,
            actor=user,
            action="user.email_verified",
            object_type="user",
            object_id=user.id,
        )
    session.commit()
    return user


def request_password_reset(*, session: Session, email: str, link_for: LinkFor) -> None:
    """Email a reset link if an active account has this address; say nothing either way."""
    try:
        normalised = normalise_email(email)
    except ValidationFailed:
        return
    user = find_user_by_email(session=session, email=normalised)
    if user is None or not user.active:
        return
    _queue_link_email(session, user, OneTimeTokenPurpose.RESET_PASSWORD, link_for)
    session.commit()


def reset_password_user(*, session: Session, raw_token: str) -> User | None:
    """Whose reset link this is, if it is still valid (the form is shown only then)."""
    return one_time_tokens.peek(
        session=session, raw_token=raw_token, purpose=OneTimeTokenPurpose.RESET_PASSWORD
    )


def reset_password(
    *, session: Session, raw_token: str, new_password: str, ip: str | None = None
) -> User | None:
    """Set a new password from a reset link (used up); every session and API token ends."""
    holder = reset_password_user(session=session, raw_token=raw_token)
    if holder is None:
        return None
    problems = passwords.password_problems(new_password, email=str(holder.email))
    if problems:
        raise ValidationFailed(problems)
    user = one_time_tokens.consume(
        session=session, raw_token=raw_token, purpose=OneTimeTokenPurpose.RESET_PASSWORD
    )
    if user is None:
        session.rollback()
        return None
    _set_password(session, user, new_password, keep_session=None)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # the link reached their inbox: the address works
    record_audit(
        session=session,
        actor=user,
        action="user.password_reset",
        object_type="user",
        object_id=user.id,
        ip=ip,
    )
    session.commit()
    return user


def change_password(
    *,
    session: Session,
    user: User,
    current_password: str,
    new_password: str,
    keep_session: str | None,
    ip: str | None = None,
) -> None:
    """Change a known password; other sessions and all API tokens end (this browser stays in)."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise ValidationFailed([FieldError("current_password", "Your current password is wrong")])
    problems = passwords.password_problems(
        new_password, field="new_password", email=str(user.email)
    )
    if problems:
        raise ValidationFailed(problems)
    if new_password == current_password:
        raise ValidationFailed(
            [FieldError("new_password", "Choose a password you haven't used here")]
        )
    _set_password(session, user, new_password, keep_session=keep_session)
    record_audit(
        session=session,
        actor=user,
        action="user.password_changed",
        object_type="user",
        object_id=user.id,
        ip=ip,
    )
    session.commit()


def _set_password(session: Session, user: User, password: str, keep_session: str | None) -> None:
    assert user.id is not None
    user.password_hash = passwords.hash_password(password)
    user.updated_at = utcnow()
    session.add(user)
    sessions.revoke_user_sessions(session=session, user_id=user.id, keep_token=keep_session)
    api_tokens.revoke_user_tokens(session=session, user_id=user.id)


def update_profile(
    *, session: Session, user: User, name: str, phone: str | None, email_frequency: str
) -> User:
    """Change the name, phone number and how often match emails come."""
    errors: list[FieldError] = []
    allowed = [f.value for f in EmailFrequency]
    if email_frequency not in allowed:
        errors.append(FieldError("email_frequency", f"{email_frequency!r} isn't one of {allowed}"))
    phone = (phone or "").strip() or None
    if phone is not None and (len(phone) > 40 or not set(phone) <= set("0123456789+-() ")):
        errors.append(FieldError("phone", "Use digits, spaces, +, - and brackets (at most 40)"))
    if errors:
        raise ValidationFailed(errors)
    before: dict[str, Any] = {"email_frequency": user.email_frequency}
    user.name = clean_name(name)
    user.phone = phone
    user.email_frequency = email_frequency
    user.updated_at = utcnow()
    session.add(user)
    record_audit(
        session=session,
        actor=user,
        action="user.profile_updated",
        object_type="user",
        object_id=user.id,
        before=before,
        after={"email_frequency": email_frequency},
    )
    session.commit()
    return user


def set_list_view(*, session: Session, user: User, view: str) -> User:
    """Remember how the person likes ranked lists laid out (a display choice: not audited)."""
    allowed = [v.value for v in ListView]
    if view not in allowed:
        raise ValidationFailed([FieldError("view", f"{view!r} isn't one of {allowed}")])
    if user.list_view != view:
        user.list_view = view
        session.add(user)
        session.commit()
    return user
