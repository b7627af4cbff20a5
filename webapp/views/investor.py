"""Investors' pages: the organisation's mandate, ranked ventures with filters and reasons,
shortlist and pass, and asking for introductions."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from pydantic import ValidationError

from webapp.models import InvestorProfile, InvestorProfileCreate, InvestorProfileUpdate, User
from webapp.models.enums import FeedbackAction, InvitationStatus, ListView, PassReason
from webapp.services.accounts import accounts
from webapp.services.common.errors import Conflict, ServiceError, ValidationFailed
from webapp.services.introductions import feedback, introductions
from webapp.services.investors import investors, member_invitations
from webapp.services.ranking import match_queries
from webapp.services.ranking.match_queries import MatchSort
from webapp.services.ventures import ventures
from webapp.services.ventures.ventures import VentureFilters
from webapp.views._introductions import ask_for_introduction
from webapp.views._taxonomy_choices import (
    institution_groups,
    instrument_options,
    labels,
    region_options,
    sector_groups,
    stage_options,
)
from webapp.views._venture_forms import (
    PASS_REASON_LABELS,
    ButtonForm,
    FeedbackForm,
    IntroductionForm,
    MandateForm,
    MemberForm,
    attach_model_errors,
)
from webapp.web.auth import require_user, roles_required, safe_next
from webapp.web.db_session import get_session
from webapp.web.forms import attach_errors
from webapp.web.limits import client_ip
from webapp.web.navigation import add_nav_item, set_dashboard

bp = Blueprint("investor", __name__, url_prefix="/investor")
add_nav_item("investor.matches", "Ranked ventures", roles={"investor"}, order=10)
add_nav_item("investor.shortlist", "Shortlist", roles={"investor"}, order=15)
add_nav_item("investor.mandate", "Mandate", roles={"investor"}, order=30)
set_dashboard("investor", "investor.matches")

PAGE_SIZES = (10, 20, 50)
SORTS = {
    MatchSort.RANK: "Best match first",
    MatchSort.NEWEST: "Newest first",
    MatchSort.RAISE_ASC: "Smallest raise first",
    MatchSort.RAISE_DESC: "Largest raise first",
}


@lru_cache(maxsize=1)
def _pass_reason_options() -> Markup:
    """The pass reasons as <option>s, rendered once: every ranked venture carries the list."""
    return Markup("").join(
        Markup('<option value="{}">{}</option>').format(code.value, text)
        for code, text in PASS_REASON_LABELS.items()
    )


@bp.context_processor
def _context() -> dict[str, Any]:
    return {
        "labels": labels(),
        "pass_reasons": PASS_REASON_LABELS,
        "pass_reason_options": _pass_reason_options(),
    }


def _profile(user: User) -> InvestorProfile | None:
    return investors.profile_of(session=get_session(), user=user)


def _mandate_page(form: MandateForm, profile: InvestorProfile | None, status: int) -> Any:
    session, user = get_session(), require_user()
    members, invited = [], []
    if profile is not None and profile.id is not None:
        members = investors.list_members(session=session, viewer=user, investor_id=profile.id)
        invited = member_invitations.organisation_invitations(
            session=session, viewer=user, investor_id=profile.id, limit=30
        )
    return (
        render_template(
            "investor/mandate.html",
            form=form,
            profile=profile,
            members=members,
            invited=[i for i in invited if i.status == InvitationStatus.PENDING.value],
            invitations=member_invitations.invitations_for(session=session, user=user),
            member_form=MemberForm(),
            button=ButtonForm(),
            sector_groups=sector_groups(),
            stages=stage_options(),
            regions=region_options(),
            instruments=instrument_options(),
            institution_groups=institution_groups(),
        ),
        status,
    )


@bp.route("/mandate", methods=["GET", "POST"])
@roles_required("investor")
def mandate() -> Any:
    """Create or change the organisation's mandate; rankings refresh in the background."""
    user, session = require_user(), get_session()
    profile = _profile(user)
    if request.method == "GET":
        form = MandateForm(formdata=None, obj=profile) if profile else MandateForm(formdata=None)
        if profile is not None:
            form.ticket_min_gbp.data = profile.ticket_min_gbp
            form.ticket_max_gbp.data = profile.ticket_max_gbp
            form.hq_region.data = profile.hq_region or ""
        return _mandate_page(form, profile, 200)
    form = MandateForm()
    if form.validate_on_submit():
        try:
            if profile is None:
                created = investors.create_investor_profile(
                    session=session,
                    actor=user,
                    data=InvestorProfileCreate.model_validate(form.values()),
                )
                flash(
                    f"Mandate saved. We are ranking ventures for {created.name}; "
                    "they appear here in a few seconds.",
                    "success",
                )
            else:
                investors.update_investor_profile(
                    session=session,
                    actor=user,
                    investor_id=profile.id or 0,
                    data=InvestorProfileUpdate.model_validate(form.values()),
                )
                flash("Mandate saved. Your ranked ventures refresh in a few seconds.", "success")
        except ValidationError as exc:
            attach_model_errors(form, exc)
        except ValidationFailed as exc:
            attach_errors(form, exc)
        else:
            return redirect(url_for("investor.matches"))
    return _mandate_page(form, profile, 422)


@bp.post("/mandate/members")
@roles_required("investor")
def add_member() -> Any:
    """Invite a colleague by email; they join only if they accept."""
    user = require_user()
    profile = _profile(user)
    if profile is None or profile.id is None:
        abort(404)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            invitation = member_invitations.invite_member(
                session=get_session(),
                actor=user,
                investor_id=profile.id,
                email=form.email.data,
                ip=client_ip(),
            )
        except ServiceError as exc:
            if exc.status not in {409, 422}:
                raise
            flash(_first_message(exc), "error")
        else:
            # The same words for every address: whether it has an account is not ours to tell.
            flash(
                f"Invitation recorded for {invitation.email}. If they have an investor account "
                "they'll see it in the app and by email; if not, ask them to sign up as an "
                f"investor with this address. It stays open until "
                f"{invitation.expires_at:%-d %B %Y}.",
                "success",
            )
    else:
        flash("Enter your colleague's email address.", "error")
    return redirect(url_for("investor.mandate") + "#members")


def _first_message(exc: ServiceError) -> str:
    if isinstance(exc, ValidationFailed) and exc.errors:
        return exc.errors[0].message
    return exc.detail


@bp.post("/mandate/invitations/<int:invitation_id>/revoke")
@roles_required("investor")
def revoke_invitation(invitation_id: int) -> Any:
    """Withdraw an invitation nobody has answered yet."""
    user = require_user()
    profile = _profile(user)
    if profile is None or profile.id is None:
        abort(404)
    if ButtonForm().validate_on_submit():
        try:
            revoked = member_invitations.revoke_invitation(
                session=get_session(),
                actor=user,
                investor_id=profile.id,
                invitation_id=invitation_id,
                ip=client_ip(),
            )
        except Conflict as exc:
            flash(exc.detail, "error")
        else:
            flash(f"Invitation for {revoked.email} revoked.", "success")
    return redirect(url_for("investor.mandate") + "#members")


def _filters() -> tuple[VentureFilters, dict[str, str]]:
    """The filters in the query string that are set, as service filters and as link args."""
    args = {
        k: request.args.get(k, "").strip() for k in ("sector", "stage", "region", "institution")
    }
    args = {k: v for k, v in args.items() if v}
    return VentureFilters(**args), args


def _int_arg(name: str, default: int, allowed: tuple[int, ...] | None = None) -> int:
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        return default
    if allowed is not None and value not in allowed:
        return default
    return max(0, min(value, 10_000))


@lru_cache(maxsize=512)
def _options(name: str, selected: str) -> Markup:
    """The <option>s of one filter, rendered once per selected value (pages render them often)."""
    choices = {
        "sector": [
            (o.code, "\u2003" * o.depth + o.label) for g in sector_groups() for o in g.options
        ],
        "stage": [(o.code, o.label) for o in stage_options()],
        "region": [(o.code, "\u2003" * o.depth + o.label) for o in region_options()],
        "institution": [(o.code, o.label) for g in institution_groups() for o in g.options],
    }[name]
    return Markup("").join(
        Markup('<option value="{}"{}>{}</option>').format(
            code, Markup(" selected") if code == selected else "", label
        )
        for code, label in choices
    )


@bp.get("/matches")
@roles_required("investor")
def matches() -> Any:
    """Ranked ventures with reasons; filters, sorting and pagination work without JavaScript."""
    user = require_user()
    profile = _profile(user)
    if profile is None or profile.id is None:
        flash("Set up your organisation's mandate first: we rank ventures against it.", "info")
        return redirect(url_for("investor.mandate"))
    filters, args = _filters()
    sort_value = request.args.get("sort", MatchSort.RANK.value)
    sort = MatchSort(sort_value) if sort_value in {s.value for s in MatchSort} else MatchSort.RANK
    limit = _int_arg("limit", 20, PAGE_SIZES)
    try:
        page = match_queries.investor_matches(
            session=get_session(),
            viewer=user,
            investor_id=profile.id,
            filters=filters,
            sort=sort,
            limit=limit,
            offset=_int_arg("offset", 0),
        )
        problem = None
    except ValidationFailed as exc:
        page = match_queries.investor_matches(
            session=get_session(), viewer=user, investor_id=profile.id, limit=limit
        )
        problem, args = exc.detail, {}
    link_args: dict[str, Any] = dict(args)
    if sort != MatchSort.RANK:
        link_args["sort"] = sort.value
    if limit != 20:
        link_args["limit"] = limit
    return render_template(
        "investor/matches.html",
        profile=profile,
        page=page,
        args=args,
        link_args=link_args,
        sort=sort,
        sorts=SORTS,
        limit=limit,
        page_sizes=PAGE_SIZES,
        problem=problem,
        filter_options={
            name: _options(name, args.get(name, "")) for name in ("sector", "stage", "region")
        }
        | {"institution": _options("institution", args.get("institution", ""))},
        actions={
            "feedback": url_for("investor.give_feedback"),
            "introduction": url_for("investor.request_introduction"),
        },
        here=request.full_path if request.query_string else request.path,
        compact=user.list_view == ListView.COMPACT.value,
    )


@bp.post("/matches/layout")
@roles_required("investor")
def choose_layout() -> Any:
    """Switch the ranked list between full cards and compact rows; remembered for next time."""
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400, description="That form expired; reload the page and try again")
    try:
        accounts.set_list_view(
            session=get_session(), user=require_user(), view=request.form.get("view", "")
        )
    except ValidationFailed as exc:
        abort(400, description=exc.detail)
    return redirect(safe_next(request.form.get("next"), url_for("investor.matches")))


@bp.get("/ventures/<int:venture_id>")
@roles_required("investor")
def venture(venture_id: int) -> Any:
    """One venture, why it was ranked for you, and what you can do next."""
    user, session = require_user(), get_session()
    profile = _profile(user)
    if profile is None or profile.id is None:
        return redirect(url_for("investor.mandate"))
    item = ventures.get_venture(session=session, viewer=user, venture_id=venture_id)
    match = match_queries.match_for_pair(
        session=session, viewer=user, investor_id=profile.id, venture_id=venture_id
    )
    intro = introductions.introduction_for_pair(
        session=session, venture_id=venture_id, investor_id=profile.id
    )
    intro_view = (
        introductions.get_introduction(session=session, viewer=user, introduction_id=intro.id)
        if intro is not None and intro.id is not None
        else None
    )
    verdicts = {
        f.venture_id: f
        for f in feedback.feedback_of(session=session, actor=user, investor_id=profile.id)
    }
    return render_template(
        "investor/venture.html",
        venture=item,
        match=match,
        intro=intro_view,
        verdict=verdicts.get(venture_id),
        here=request.path,
    )


@bp.post("/feedback")
@roles_required("investor")
def give_feedback() -> Any:
    """Shortlist a venture, or pass with a reason (it leaves the list at once)."""
    user = require_user()
    profile = _profile(user)
    if profile is None or profile.id is None:
        abort(404)
    form = FeedbackForm()
    back = safe_next(form.next.data, url_for("investor.matches"))
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(back)
    try:
        venture_id = int(form.venture_id.data)
    except ValueError:
        abort(400, description="venture_id must be a number")
    action = FeedbackAction(form.action.data)
    try:
        feedback.give_feedback(
            session=get_session(),
            actor=user,
            investor_id=profile.id,
            venture_id=venture_id,
            action=action,
            reason=PassReason(form.reason.data) if action == FeedbackAction.PASS else None,
        )
    except ValidationFailed as exc:
        flash(exc.detail, "error")
        return redirect(back)
    if action == FeedbackAction.PASS:
        flash(
            "Passed: the venture has left your list. Your reason helps us rank for you.",
            "success",
        )
    else:
        flash("Shortlisted: the founder will hear that an investor is interested.", "success")
    return redirect(back)


@bp.post("/feedback/<int:venture_id>/undo")
@roles_required("investor")
def undo_feedback(venture_id: int) -> Any:
    """Undo a shortlist or a pass."""
    user = require_user()
    profile = _profile(user)
    form = ButtonForm()
    if profile is None or profile.id is None or not form.validate_on_submit():
        abort(400, description="Nothing to undo")
    feedback.withdraw_feedback(
        session=get_session(), actor=user, investor_id=profile.id, venture_id=venture_id
    )
    flash("Undone: the venture is back in your ranked list.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("investor.shortlist")))


@bp.get("/shortlist")
@roles_required("investor")
def shortlist() -> Any:
    """Everything you have shortlisted or passed on, with undo."""
    user, session = require_user(), get_session()
    profile = _profile(user)
    if profile is None or profile.id is None:
        return redirect(url_for("investor.mandate"))
    verdicts = feedback.feedback_of(session=session, actor=user, investor_id=profile.id)
    names = ventures.names_of(session=session, venture_ids=[v.venture_id for v in verdicts])
    return render_template(
        "investor/shortlist.html",
        shortlisted=[v for v in verdicts if v.action == FeedbackAction.SHORTLIST.value],
        passed=[v for v in verdicts if v.action == FeedbackAction.PASS.value],
        names=names,
        button=ButtonForm(),
    )


@bp.post("/introductions")
@roles_required("investor")
def request_introduction() -> Any:
    """Ask the founder of a venture in your list for an introduction."""
    user = require_user()
    profile = _profile(user)
    if profile is None or profile.id is None:
        abort(404)
    form = IntroductionForm()
    back = safe_next(form.next.data, url_for("investor.matches"))
    try:
        venture_id = int(request.form.get("venture_id", ""))
    except ValueError:
        abort(400, description="Choose a venture")
    return ask_for_introduction(
        form, actor=user, venture_id=venture_id, investor_id=profile.id,
        other_side="founder", back=back,
    )  # fmt: skip
