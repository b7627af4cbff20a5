"""The WTForms behind the founder's venture form, the investor's mandate form and the buttons."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_wtf import FlaskForm
from pydantic import ValidationError as ModelInvalid
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.models import DealEvent, Introduction, InvestorProfile, MemberInvitation, Venture
from webapp.models.bounds import (
    MAX_MONEY_GBP,
    MAX_NUMBER_CHARS,
    MAX_TEAM_SIZE,
    MIN_RAISE_GBP,
    incorporation_problem,
    max_length,
)
from webapp.models.enums import DealStage, FeedbackAction, PassReason
from webapp.services.deals.deals import MOVABLE_STAGES
from webapp.views._taxonomy_choices import (
    choices,
    grouped_choices,
    institution_groups,
    instrument_options,
    investor_type_options,
    region_options,
    sector_groups,
    select_choices,
    stage_options,
)

PASS_REASON_LABELS = {
    PassReason.OUTSIDE_MANDATE: "Outside our mandate",
    PassReason.TOO_EARLY: "Too early for us",
    PassReason.TOO_LATE: "Too late for us",
    PassReason.TICKET_SIZE: "Ticket size doesn't fit",
    PassReason.SECTOR: "Not our sector",
    PassReason.TEAM: "Team",
    PassReason.TRACTION: "Not enough traction yet",
    PassReason.OTHER: "Another reason",
}
_MONEY = re.compile(r"^£?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*([km]?)$", re.IGNORECASE)


class Form(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """Base of these forms (CSRF-protected through Flask-WTF)."""


class CheckboxesField(SelectMultipleField):  # type: ignore[misc]
    """Several codes picked with check boxes (the template groups them)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MoneyField(StringField):  # type: ignore[misc]
    """Whole pounds, written as people write them: 750000, £750,000, 750k or 1.5m."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not self.raw:
            return
        if len(self.raw) > MAX_NUMBER_CHARS:  # refused unread: no amount is written that long
            raise ValueError(f"Enter an amount up to £{MAX_MONEY_GBP:,}")
        found = _MONEY.match(self.raw.replace(" ", ""))
        if found is None:
            raise ValueError("Enter an amount in pounds, like 750000, £750,000 or 750k")
        try:
            number = Decimal(found.group(1).replace(",", ""))
        except InvalidOperation as exc:
            raise ValueError("Enter an amount in pounds, like 750000 or 750k") from exc
        number *= {"": 1, "k": 1_000, "m": 1_000_000}[found.group(2).lower()]
        if number != number.to_integral_value():
            raise ValueError("Enter a whole number of pounds")
        if number > MAX_MONEY_GBP:
            raise ValueError(f"Enter an amount up to £{MAX_MONEY_GBP:,}")
        self.data = int(number)

    def pre_validate(self, form: Form) -> None:  # noqa: ARG002 - WTForms passes the form
        # Text that isn't an amount already has its error ("Enter an amount in pounds, like
        # 750k"); the form's own checks would add a second one ("Enter how much…") to it.
        if self.process_errors:
            raise StopValidation()

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return f"{self.data:,}" if isinstance(self.data, int) else ""


def _all_sectors() -> list[SelectChoice]:
    return [SelectChoice(o.code, o.label) for g in sector_groups() for o in g.options]


class VentureForm(Form):
    """The guided venture form; the choices come from the taxonomy."""

    name = StringField(
        "Venture name",
        validators=[
            DataRequired("Enter the venture's name"),
            Length(min=2, max=max_length(Venture, "name")),
        ],
    )
    summary = TextAreaField(
        "What the venture does",
        validators=[
            DataRequired("Describe the venture in a few sentences"),
            Length(
                min=20,
                max=max_length(Venture, "summary"),
                message=f"Write between 20 and {max_length(Venture, 'summary'):,} characters",
            ),
        ],
    )
    sectors = CheckboxesField("Sectors", choices=_all_sectors, validate_choice=True)
    stage = RadioField(
        "Stage",
        choices=lambda: choices(stage_options()),
        validators=[InputRequired("Choose the stage of this raise")],
    )
    raise_amount_gbp = MoneyField("How much are you raising?")
    instruments = CheckboxesField(
        "Instruments you would accept",
        choices=lambda: choices(instrument_options()),
    )
    region = SelectField(
        "Where is the venture based?",
        choices=lambda: select_choices(region_options(), blank="Choose a region"),
        validators=[DataRequired("Choose the region the venture is based in")],
    )
    institution = SelectField(
        "University",
        choices=lambda: (
            [
                SelectChoice("", "None — not linked to a university"),
                *grouped_choices(institution_groups()),
            ]
        ),
        validators=[Optional()],
    )
    spinout = BooleanField("This is a university spinout")
    incorporated_on = DateField("Date of incorporation", validators=[Optional()])
    companies_house_number = StringField(
        "Companies House number",
        validators=[Optional(), Length(max=max_length(Venture, "companies_house_number"))],
    )
    trl = SelectField(
        "Technology readiness level (TRL)",
        choices=[SelectChoice("", "Not applicable")]
        + [SelectChoice(str(n), f"TRL {n}") for n in range(1, 10)],
        validators=[Optional()],
    )
    team_size = IntegerField(
        "Team size", validators=[Optional(), NumberRange(min=1, max=MAX_TEAM_SIZE)]
    )
    eis = BooleanField("We have EIS advance assurance (or expect it)")
    seis = BooleanField("We have SEIS advance assurance (or expect it)")
    intent = HiddenField()

    def validate_sectors(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Choose at least one sector")
        if len(field.data) > 5:
            raise ValidationError("Choose at most five sectors")

    def validate_instruments(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Choose at least one instrument")

    def validate_incorporated_on(self, field: Field) -> None:
        problem = incorporation_problem(field.data) if field.data else None
        if problem:
            raise ValidationError(problem)

    def validate_raise_amount_gbp(self, field: Field) -> None:
        if field.process_errors:
            return  # the amount could not be read; that message says why
        if field.data is None:
            raise ValidationError("Enter how much you are raising, in pounds")
        if not MIN_RAISE_GBP <= field.data <= MAX_MONEY_GBP:
            raise ValidationError(f"Enter an amount from £{MIN_RAISE_GBP:,} to £{MAX_MONEY_GBP:,}")

    def values(self) -> dict[str, Any]:
        """The form as the API's venture body."""
        return {
            "name": self.name.data,
            "summary": self.summary.data,
            "sectors": list(self.sectors.data or []),
            "stage": self.stage.data,
            "raise_amount_gbp": self.raise_amount_gbp.data,
            "instruments": list(self.instruments.data or []),
            "region": self.region.data,
            "institution": self.institution.data or None,
            "spinout": bool(self.spinout.data),
            "incorporated_on": self.incorporated_on.data,
            "companies_house_number": (self.companies_house_number.data or "").strip().upper()
            or None,
            "trl": int(self.trl.data) if self.trl.data else None,
            "team_size": self.team_size.data,
            "eis": bool(self.eis.data),
            "seis": bool(self.seis.data),
        }


class MandateForm(Form):
    """An investor organisation's mandate."""

    name = StringField(
        "Organisation or fund name",
        validators=[
            DataRequired("Enter your organisation's name"),
            Length(min=2, max=max_length(InvestorProfile, "name")),
        ],
    )
    investor_type = SelectField(
        "Type of investor",
        choices=lambda: select_choices(investor_type_options(), blank="Choose a type"),
        validators=[DataRequired("Choose the type of investor")],
    )
    sectors = CheckboxesField("Sectors you invest in", choices=_all_sectors)
    excluded_sectors = CheckboxesField("Sectors you never invest in", choices=_all_sectors)
    stages = CheckboxesField("Stages you invest at", choices=lambda: choices(stage_options()))
    ticket_min_gbp = MoneyField("Smallest ticket")
    ticket_max_gbp = MoneyField("Largest ticket")
    regions = CheckboxesField(
        "Regions you invest in",
        choices=lambda: choices(region_options()),
    )
    regions_strict = BooleanField("Only these regions (leave unticked to consider others)")
    instruments = CheckboxesField(
        "Instruments you use", choices=lambda: choices(instrument_options())
    )
    thesis = TextAreaField(
        "Investment thesis",
        validators=[Optional(), Length(max=max_length(InvestorProfile, "thesis"))],
    )
    eis = BooleanField("We invest through EIS")
    seis = BooleanField("We invest through SEIS")
    institutions = CheckboxesField(
        "Universities you prefer",
        choices=lambda: grouped_choices(institution_groups()),
    )
    hq_region = SelectField(
        "Head office region",
        choices=lambda: select_choices(region_options(), blank="Not given"),
        validators=[Optional()],
    )
    active = BooleanField("Show me new ventures (untick to pause your mandate)", default=True)

    def validate_stages(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Choose at least one stage")

    def validate_regions(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Choose at least one region (United Kingdom covers all of it)")

    def validate_instruments(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Choose at least one instrument")

    def validate_ticket_min_gbp(self, field: Field) -> None:
        if field.process_errors:
            return
        if field.data is None:
            raise ValidationError("Enter your smallest ticket, in pounds")

    def validate_ticket_max_gbp(self, field: Field) -> None:
        if field.process_errors:
            return
        if field.data is None:
            raise ValidationError("Enter your largest ticket, in pounds")
        low = self.ticket_min_gbp.data
        if low is not None and field.data < low:
            raise ValidationError("The largest ticket must be at least the smallest")

    def values(self) -> dict[str, Any]:
        """The form as the API's mandate body."""
        return {
            "name": self.name.data,
            "investor_type": self.investor_type.data,
            "sectors": list(self.sectors.data or []),
            "excluded_sectors": list(self.excluded_sectors.data or []),
            "stages": list(self.stages.data or []),
            "ticket_min_gbp": self.ticket_min_gbp.data,
            "ticket_max_gbp": self.ticket_max_gbp.data,
            "regions": list(self.regions.data or []),
            "regions_strict": bool(self.regions_strict.data),
            "instruments": list(self.instruments.data or []),
            "thesis": self.thesis.data or "",
            "eis": bool(self.eis.data),
            "seis": bool(self.seis.data),
            "institutions": list(self.institutions.data or []),
            "hq_region": self.hq_region.data or None,
            "active": bool(self.active.data),
        }


class MemberForm(Form):
    """Invite a colleague by email address."""

    email = EmailField(
        "Colleague's email address",
        validators=[
            DataRequired("Enter your colleague's email address"),
            Length(max=max_length(MemberInvitation, "email")),
        ],
    )


class FeedbackForm(Form):
    """Shortlist or pass (with a reason) on one venture."""

    venture_id = HiddenField(validators=[DataRequired()])
    action = HiddenField(validators=[DataRequired()])
    reason = SelectField(
        "Reason for passing",
        choices=[SelectChoice("", "Choose a reason")]
        + [SelectChoice(r.value, t) for r, t in PASS_REASON_LABELS.items()],
        validate_choice=False,  # a shortlist sends no reason; validate_reason checks passes
    )
    next = HiddenField()

    def validate_action(self, field: Field) -> None:
        if field.data not in {a.value for a in FeedbackAction}:
            raise ValidationError("Choose shortlist or pass")

    def validate_reason(self, field: Field) -> None:
        if self.action.data != FeedbackAction.PASS.value:
            return
        if not field.data:
            raise ValidationError("Choose why you are passing: it helps us rank better for you")
        if field.data not in {r.value for r in PassReason}:
            raise ValidationError("Choose one of the reasons in the list")


class IntroductionForm(Form):
    """Ask for an introduction, with an optional note to the other side."""

    message = TextAreaField(
        "Message (optional)",
        validators=[Optional(), Length(max=max_length(Introduction, "message"))],
    )
    next = HiddenField()


class DeclineForm(Form):
    """Decline an introduction, optionally saying why."""

    reason = StringField(
        "Reason (optional)",
        validators=[Optional(), Length(max=max_length(Introduction, "decline_reason"))],
    )


class DealMoveForm(Form):
    """Move a deal on."""

    stage = SelectField(
        "Move to",
        choices=lambda: deal_stage_choices(list(MOVABLE_STAGES)),
        validators=[InputRequired("Choose the stage the deal has reached")],
    )
    amount_gbp = MoneyField("Amount")
    note = TextAreaField("Note", validators=[Optional(), Length(max=max_length(DealEvent, "note"))])

    def validate_amount_gbp(self, field: Field) -> None:
        if field.data is not None and not 1 <= field.data <= MAX_MONEY_GBP:
            raise ValidationError(f"Enter an amount from £1 to £{MAX_MONEY_GBP:,}")


class ButtonForm(Form):
    """A form that is only a button (publish, accept, mark read …): just the CSRF token."""


def attach_model_errors(form: Form, error: ModelInvalid) -> None:
    """Show pydantic's errors on the fields they name (or at the top when there is no field)."""
    for item in error.errors(include_url=False):
        location = [part for part in item["loc"] if isinstance(part, str)]
        message = str(item["msg"]).removeprefix("Value error, ")
        target = form._fields.get(location[0]) if location else None
        if target is None:
            form.form_errors.append(message)
        else:
            target.errors = [*target.errors, message]


def deal_stage_choices(stages: list[DealStage]) -> list[SelectChoice]:
    """Only the moves open from the deal's stage."""
    return [SelectChoice(s.value, s.value.replace("_", " ").capitalize()) for s in stages]
