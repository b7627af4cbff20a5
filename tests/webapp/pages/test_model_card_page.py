"""The model card page: reachable from both match lists and, for staff, from the header."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from sqlmodel import Session

import matching
from tests.factories import StaffFactory
from tests.webapp.ventures.factories import MatchFactory
from tests.webapp.ventures.parties import Founder, Investor
from tests.webapp.web_client import sign_in
from webapp.models import ModelVersion, utcnow
from webapp.services.common.taxonomy import matching_taxonomy


def test_signed_out_visitors_are_asked_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/model")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_founders_reach_the_card_from_their_list_of_investors(
    client: FlaskClient, founder: Founder, investor: Investor
) -> None:
    MatchFactory(venture_id=founder.venture.id, investor_id=investor.profile.id, venture_rank=1)
    sign_in(client, founder.user.email)
    venture_page = client.get(f"/founder/ventures/{founder.venture.id}").get_data(as_text=True)
    assert 'href="/model"' in venture_page
    card = client.get("/model")
    text = card.get_data(as_text=True)
    assert card.status_code == 200
    assert "hand-set weights" in text
    assert "Venture&#39;s sector is in the investor&#39;s mandate" in text
    assert "Quality on real past rounds" in text
    assert "Test year (reported once, after every choice was made)" in text
    assert "sector_fit" not in text  # labels, never feature codes


def test_investors_reach_it_from_their_ranked_ventures_and_staff_from_the_header(
    client: FlaskClient, investor: Investor
) -> None:
    sign_in(client, investor.user.email)
    assert 'href="/model"' in client.get("/investor/matches").get_data(as_text=True)
    client.post("/sign-out")
    client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
    staff_client = client.application.test_client()
    sign_in(staff_client, StaffFactory().email)
    page = staff_client.get("/model").get_data(as_text=True)
    assert '<a href="/model" aria-current="page">Model</a>' in page


def test_a_model_that_kept_the_hand_set_weights_names_the_measure_they_lost_on(
    client: FlaskClient, investor: Investor, session: Session, tmp_path: Path
) -> None:
    """Found walking the demo: learned weights better by NDCG@10 but worse by AUC were set
    aside, and the card said they ranked worse, quoting the NDCG@10 they had won on."""
    model = matching.prior_model(matching_taxonomy(), version="v-kept")
    path = matching.save_model(model, tmp_path)
    metrics = {"rows": 900.0, "holdout_rows": 900.0, "prior_weights": 1.0,
               "holdout_ndcg@10": 0.445, "holdout_auc": 0.877,
               "prior_holdout_ndcg@10": 0.445, "prior_holdout_auc": 0.877,
               "learned_holdout_ndcg@10": 0.457, "learned_holdout_auc": 0.868}  # fmt: skip
    session.add(ModelVersion(version="v-kept", artefact_path=str(path), trained_at=utcnow(),
                             metrics=metrics, active=True, promoted_at=utcnow()))  # fmt: skip
    session.commit()
    sign_in(client, investor.user.email)
    page = client.get("/model").get_data(as_text=True)
    note = " ".join(page.split('id="hand-set-note">')[1].split("</p>")[0].split())
    assert "worse than the hand-set weights by AUC (0.868 against 0.877)" in note
    assert "By NDCG@10 they did no worse (0.457 against 0.445)" in note
    assert "NDCG@10 (0.457" not in note.split("By NDCG@10")[0]
