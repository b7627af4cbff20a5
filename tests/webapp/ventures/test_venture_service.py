"""Ventures: founders create, change, publish and erase them; lists honour visibility."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.factories import FounderFactory, InvestorUserFactory, VentureFactory
from tests.webapp.ventures.factories import MatchFactory
from tests.webapp.ventures.parties import Founder, Investor
from webapp.models import AuditLog, Match, OutboxEvent, Venture, VentureCreate, VentureUpdate
from webapp.models.enums import Visibility
from webapp.services.common.errors import Forbidden, NotFound, ValidationFailed
from webapp.services.outbox.outbox import VENTURE_CHANGED, VENTURE_DELETED
from webapp.services.ventures import ventures
from webapp.services.ventures.ventures import VentureFilters


def _create_body(**overrides: object) -> VentureCreate:
    body: dict[str, object] = {
        "name": "Pennine Photonics",
        "summary": "Silicon photonics for data-centre interconnects from Sheffield.",
        "sectors": ["semiconductors"],
        "stage": "seed",
        "raise_amount_gbp": 1_200_000,
        "instruments": ["equity"],
        "region": "south_yorkshire_mca",
        "institution": "sheffield",
        "spinout": True,
    }
    return VentureCreate.model_validate(body | overrides)


def _events(session: Session, kind: str) -> list[OutboxEvent]:
    query = select(OutboxEvent).where(OutboxEvent.kind == kind).order_by(OutboxEvent.id)
    return list(session.exec(query).all())


def test_a_draft_is_saved_without_waking_the_ranker(session: Session) -> None:
    owner = FounderFactory()
    venture = ventures.create_venture(session=session, owner=owner, data=_create_body())
    assert venture.owner_id == owner.id
    assert venture.visibility == Visibility.DRAFT.value
    assert venture.published_at is None
    assert _events(session, VENTURE_CHANGED) == []
    audit = session.exec(select(AuditLog).where(AuditLog.action == "venture.created")).one()
    assert audit.actor_id == owner.id


def test_publishing_at_creation_records_the_event_in_the_same_transaction(
    session: Session,
) -> None:
    owner = FounderFactory()
    body = _create_body(visibility="published")
    venture = ventures.create_venture(session=session, owner=owner, data=body)
    assert venture.published_at is not None
    [event] = _events(session, VENTURE_CHANGED)
    assert event.payload == {"venture_id": venture.id}


def test_unknown_codes_are_refused_naming_each_field(session: Session) -> None:
    body = _create_body(sectors=["semiconductors", "alchemy"], region="atlantis")
    with pytest.raises(ValidationFailed) as caught:
        ventures.create_venture(session=session, owner=FounderFactory(), data=body)
    fields = {e.field for e in caught.value.errors}
    assert fields == {"sectors[1]", "region"}
    assert "alchemy" in caught.value.detail
    assert session.exec(select(Venture)).all() == []


def test_repeated_codes_are_refused(session: Session) -> None:
    body = _create_body(sectors=["semiconductors", "semiconductors"])
    with pytest.raises(ValidationFailed) as caught:
        ventures.create_venture(session=session, owner=FounderFactory(), data=body)
    assert caught.value.errors[0].field == "sectors"


def test_only_founders_create_ventures(session: Session) -> None:
    with pytest.raises(Forbidden):
        ventures.create_venture(session=session, owner=InvestorUserFactory(), data=_create_body())


def test_a_partial_update_changes_only_the_fields_sent(session: Session, founder: Founder) -> None:
    before = founder.venture.summary
    updated = ventures.update_venture(
        session=session,
        actor=founder.user,
        venture_id=founder.venture.id,
        data=VentureUpdate(raise_amount_gbp=900_000),
    )
    assert updated.raise_amount_gbp == 900_000
    assert updated.summary == before
    assert [e.payload for e in _events(session, VENTURE_CHANGED)] == [
        {"venture_id": founder.venture.id}
    ]


def test_an_explicit_null_for_a_required_field_is_refused(
    session: Session, founder: Founder
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        ventures.update_venture(
            session=session,
            actor=founder.user,
            venture_id=founder.venture.id,
            data=VentureUpdate.model_validate({"name": None, "institution": None}),
        )
    assert [e.field for e in caught.value.errors] == ["name"]


def test_nobody_else_changes_a_venture(
    session: Session, founder: Founder, investor: Investor
) -> None:
    other = FounderFactory()
    with pytest.raises(NotFound):  # another founder may not know it exists
        ventures.update_venture(
            session=session, actor=other, venture_id=founder.venture.id, data=VentureUpdate()
        )
    with pytest.raises(Forbidden):  # an investor sees the published venture but can't edit it
        ventures.update_venture(
            session=session,
            actor=investor.user,
            venture_id=founder.venture.id,
            data=VentureUpdate(name="Taken over"),
        )


def test_publishing_a_draft_stamps_it_and_closing_tells_the_ranker(session: Session) -> None:
    owner = FounderFactory()
    draft = VentureFactory(owner_id=owner.id, visibility="draft", published_at=None)
    published = ventures.set_visibility(
        session=session, actor=owner, venture_id=draft.id, visibility=Visibility.PUBLISHED
    )
    assert published.published_at is not None
    ventures.set_visibility(
        session=session, actor=owner, venture_id=draft.id, visibility=Visibility.CLOSED
    )
    assert len(_events(session, VENTURE_CHANGED)) == 2


def test_editing_a_draft_does_not_wake_the_ranker(session: Session) -> None:
    owner = FounderFactory()
    draft = VentureFactory(owner_id=owner.id, visibility="draft", published_at=None)
    ventures.update_venture(
        session=session, actor=owner, venture_id=draft.id, data=VentureUpdate(trl=5)
    )
    assert _events(session, VENTURE_CHANGED) == []


def test_deleting_erases_the_venture_its_matches_and_personal_data_in_the_audit_trail(
    session: Session, founder: Founder
) -> None:
    venture_id = founder.venture.id
    MatchFactory(venture_id=venture_id)
    ventures.update_venture(
        session=session,
        actor=founder.user,
        venture_id=venture_id,
        data=VentureUpdate(name="Founder's Secret Name"),
    )
    ventures.delete_venture(session=session, actor=founder.user, venture_id=venture_id)
    session.expire_all()
    assert session.get(Venture, venture_id) is None
    assert session.exec(select(Match).where(Match.venture_id == venture_id)).all() == []
    trail = session.exec(select(AuditLog).where(AuditLog.object_id == str(venture_id))).all()
    assert {a.action for a in trail} == {"venture.updated", "venture.deleted"}
    assert all(a.before is None and a.after is None for a in trail)
    [event] = _events(session, VENTURE_DELETED)
    assert event.payload == {"venture_id": venture_id}


def test_founders_list_their_own_ventures_and_investors_only_published_ones(
    session: Session, founder: Founder, investor: Investor
) -> None:
    draft = VentureFactory(owner_id=founder.user.id, visibility="draft", published_at=None)
    VentureFactory()  # someone else's published venture
    own = ventures.list_ventures(session=session, viewer=founder.user)
    assert {v.id for v in own.items} == {founder.venture.id, draft.id}
    seen = ventures.list_ventures(session=session, viewer=investor.user)
    assert seen.total == 2
    assert draft.id not in {v.id for v in seen.items}


def test_a_parent_sector_filter_matches_its_sub_sectors(
    session: Session, investor: Investor
) -> None:
    nuclear = VentureFactory(sectors=["fusion"])
    VentureFactory(sectors=["games"])
    both = VentureFactory(sectors=["games", "nuclear_fission"])
    found = ventures.list_ventures(
        session=session, viewer=investor.user, filters=VentureFilters(sector="nuclear")
    )
    assert {v.id for v in found.items} == {nuclear.id, both.id}
    assert found.total == 2
    top = ventures.list_ventures(
        session=session, viewer=investor.user, filters=VentureFilters(sector="clean_energy")
    )
    assert {v.id for v in top.items} == {nuclear.id, both.id}


def test_region_and_institution_filters(session: Session, investor: Investor) -> None:
    leeds = VentureFactory(region="west_yorkshire_ca", institution="leeds")
    VentureFactory(region="north_east_ca", institution="newcastle")
    in_yorkshire = ventures.list_ventures(
        session=session, viewer=investor.user, filters=VentureFilters(region="yorkshire_humber")
    )
    assert [v.id for v in in_yorkshire.items] == [leeds.id]
    at_leeds = ventures.list_ventures(
        session=session, viewer=investor.user, filters=VentureFilters(institution="leeds")
    )
    assert [v.id for v in at_leeds.items] == [leeds.id]


def test_an_unknown_filter_code_is_refused_naming_the_field(
    session: Session, investor: Investor
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        ventures.list_ventures(
            session=session, viewer=investor.user, filters=VentureFilters(stage="series_z")
        )
    assert caught.value.errors[0].field == "stage"


def test_pages_hold_at_most_limit_items_with_the_total(
    session: Session, investor: Investor
) -> None:
    made = [VentureFactory() for _ in range(5)]
    page = ventures.list_ventures(session=session, viewer=investor.user, limit=2, offset=2)
    assert page.total == 5
    assert len(page.items) == 2
    assert {v.id for v in page.items} <= {v.id for v in made}
    with pytest.raises(ValidationFailed):
        ventures.list_ventures(session=session, viewer=investor.user, limit=101)
