"""The WTForms behind the sign-up, sign-in, reset, settings and admin pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
    TelField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
)

from webapp.models import Organisation, User
from webapp.models.bounds import max_length
from webapp.models.enums import EmailFrequency
from webapp.services.accounts.passwords import MAX_LENGTH, MIN_LENGTH

PASSWORD_HINT = (
    f"{MIN_LENGTH} to {MAX_LENGTH} characters. A few unrelated words make a strong, memorable "
    "password. Very common passwords are refused."
)
ROLE_CHOICES = [
    SelectChoice("founder", "Founder — I'm raising for a venture or spinout"),
    SelectChoice("investor", "Investor — I invest for a fund, syndicate, angel network or myself"),
]
FREQUENCY_CHOICES = [
    SelectChoice(EmailFrequency.INSTANT.value, "Instantly, as new matches and requests arrive"),
    SelectChoice(EmailFrequency.DIGEST.value, "A weekly digest"),
    SelectChoice(EmailFrequency.OFF.value, "Off — I'll check venturematch myself"),
]
_required = "Enter your {}"


class Form(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """Base of our forms (CSRF-protected through Flask-WTF)."""


def _password_field(label: str, message: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired(message),
            Length(
                min=MIN_LENGTH,
                max=MAX_LENGTH,
                message=f"Use {MIN_LENGTH} to {MAX_LENGTH} characters",
            ),
        ],
    )


def _full_name_field() -> StringField:
    return StringField(
        "Full name",
        validators=[
            DataRequired(_required.format("full name")),
            Length(max=max_length(User, "name")),
        ],
    )


class SignUpForm(Form):
    """A founder or investor creates an account."""

    role = RadioField(
        "I am joining as",
        choices=ROLE_CHOICES,
        validators=[InputRequired("Choose founder or investor")],
    )
    name = _full_name_field()
    organisation = StringField(
        "Organisation name", validators=[Optional(), Length(max=max_length(Organisation, "name"))]
    )
    email = EmailField(
        "Email address",
        validators=[
            DataRequired(_required.format("email address")),
            Length(max=max_length(User, "email")),
        ],
    )
    password = _password_field("Create a password", "Enter a password")


class SignInForm(Form):
    """Email and password."""

    email = EmailField(
        "Email address", validators=[DataRequired(_required.format("email address"))]
    )
    password = PasswordField("Password", validators=[InputRequired(_required.format("password"))])
    next = HiddenField()


class ForgotPasswordForm(Form):
    """Ask for a reset link."""

    email = EmailField(
        "Email address", validators=[DataRequired(_required.format("email address"))]
    )


class ResetPasswordForm(Form):
    """Choose a new password from a reset link."""

    password = _password_field("New password", "Enter a new password")
    confirm = PasswordField(
        "Confirm new password",
        validators=[
            InputRequired("Enter the new password again"),
            EqualTo("password", "The two passwords don't match"),
        ],
    )


class ProfileForm(Form):
    """Name, phone and email preferences."""

    name = _full_name_field()
    phone = TelField("Phone number", validators=[Optional(), Length(max=max_length(User, "phone"))])
    email_frequency = RadioField(
        "Email me about matches and requests",
        choices=FREQUENCY_CHOICES,
        validators=[InputRequired("Choose how often we email you")],
    )


class ChangePasswordForm(Form):
    """A signed-in user changes their password."""

    current_password = PasswordField(
        "Current password", validators=[InputRequired(_required.format("current password"))]
    )
    new_password = _password_field("New password", "Enter a new password")
    confirm = PasswordField(
        "Confirm new password",
        validators=[
            InputRequired("Enter the new password again"),
            EqualTo("new_password", "The two passwords don't match"),
        ],
    )


class DeleteAccountForm(Form):
    """Erase the account: the password and an explicit acknowledgement."""

    password = PasswordField(
        "Your password", validators=[InputRequired(_required.format("password"))]
    )
    understand = BooleanField(
        "I understand this permanently erases my account and my ventures",
        validators=[DataRequired("Tick the box to confirm you want to erase your account")],
    )


class StaffUserForm(Form):
    """An admin creates a staff or admin account."""

    name = _full_name_field()
    email = EmailField(
        "Email address", validators=[DataRequired(_required.format("email address"))]
    )
    role = RadioField(
        "Role",
        choices=[SelectChoice("staff", "Programme staff"), SelectChoice("admin", "Administrator")],
        default="staff",
        validators=[InputRequired("Choose a role")],
    )
    password = _password_field("Initial password", "Enter an initial password")


class ConfirmForm(Form):
    """A button-only form (deactivate, resend, sign out elsewhere): CSRF is all it carries."""
