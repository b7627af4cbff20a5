"""Every page works for every role: sign in through the real form as a founder, an investor,
programme staff and an admin, follow every in-site link (a couple of samples of each URL shape)
on a small but complete demo data set, at phone width (390 px).

No page may answer 5xx, be wider than the viewport, show a doubled "(optional)" or log a
console error. The demo set is the real generator's (`seeds.demo`), loaded as `python -m seeds
demo` loads it, scored by the real full-refresh code and given one programme, so there are
ranked lists, introductions in every state, deals open and closed, and ventures with SEIS/EIS.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from seeds.demo import DEMO_ACCOUNTS, generate
from seeds.demo.load import load_dataset
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.crawler import crawl
from tests.browser.steps import PHONE, sign_in
from webapp.config import Settings
from webapp.db import session_scope
from webapp.models import User, Venture, utcnow
from webapp.services.ranking import scoring_full
from webapp.services.ranking.scoring_cache import forget
from webapp.services.ventures import programme_enrolment, programmes

pytestmark = pytest.mark.browser

# Small enough to load and crawl in seconds; large enough that the demo investor has deals in
# several stages (one passed), requests waiting both ways, and the founder's ventures have both.
DEMO_VENTURES, DEMO_INVESTORS, DEMO_SEED = 36, 12, 7
AS_OF = date(2026, 6, 30)
NEVER_SHOWN = ("(optional) (optional)", "Traceback")


@dataclass(frozen=True)
class DemoSite:
    """The loaded demo set: the ids a test needs to check what the crawl covered."""

    relief_venture_ids: frozenset[int]


def _score_everything(session: Session, settings: Settings) -> None:
    """What a full refresh does in the workers, here in the test's process."""
    forget()
    snapshot = utcnow()
    parts = [
        scoring_full.compute_chunk(session=session, settings=settings, venture_ids=ids, index=i)
        for i, ids in enumerate(scoring_full.plan_chunks(session=session))
    ]
    scoring_full.write_full_refresh(
        session=session, settings=settings, parts=parts, snapshot_at=snapshot
    )


@pytest.fixture
def demo_site(db: Engine, settings: Settings) -> Iterator[DemoSite]:
    """The demo data set, scored, with a programme holding a few of its ventures."""
    dataset = generate(DEMO_VENTURES, DEMO_INVESTORS, DEMO_SEED, as_of=AS_OF)
    with session_scope(db) as session:
        load_dataset(session=session, dataset=dataset)
    with Session(db, expire_on_commit=False) as session:
        _score_everything(session, settings)
        admin = session.exec(select(User).where(User.role == "admin")).one()
        published = session.exec(
            select(Venture.id).where(Venture.visibility == "published").order_by(col(Venture.id))
        ).all()
        programme = programmes.create_programme(
            session=session, actor=admin, name="Tees Valley cohort", description="Demo cohort"
        )
        assert programme.id is not None
        programme_enrolment.enrol_ventures(
            session=session,
            actor=admin,
            programme_id=programme.id,
            venture_ids=[v for v in published[:4] if v is not None],
        )
        reliefs = session.exec(select(Venture.id).where(col(Venture.seis) | col(Venture.eis))).all()
    yield DemoSite(relief_venture_ids=frozenset(v for v in reliefs if v is not None))
    forget()


@pytest.fixture
def phone_page(browser: Browser, live_server: str, page_errors: list[str]) -> Iterator[Page]:
    """A fresh context at phone width, collecting console errors like `page` does."""
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", lambda m: page_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    yield page
    context.close()


def _sign_in(page: Page, role: str) -> None:
    account = next(a for a in DEMO_ACCOUNTS if a.role == role)
    sign_in(page, account.email, account.password)


@pytest.mark.parametrize("role", ["founder", "investor", "staff", "admin"])
def test_every_reachable_page_works_at_phone_width(
    role: str,
    demo_site: DemoSite,
    phone_page: Page,
    live_server: str,
    page_errors: list[str],
) -> None:
    _sign_in(phone_page, role)
    report = crawl(phone_page, live_server, checks=NEVER_SHOWN)
    assert report.problems == [], "\n".join(report.problems)
    assert page_errors == []
    assert len(report.visits) > 10, report.paths()  # the crawl really went somewhere
    if role == "investor":
        opened = {
            int(path.rsplit("/", 1)[1])
            for path in report.paths()
            if path.startswith("/investor/ventures/")
        }
        assert opened & demo_site.relief_venture_ids, "no venture with SEIS or EIS was opened"


def test_the_investor_opens_every_published_venture(
    demo_site: DemoSite, phone_page: Page, db: Engine
) -> None:
    with Session(db) as session:
        published = session.exec(select(Venture.id).where(Venture.visibility == "published")).all()
    _sign_in(phone_page, "investor")
    answers = {v: phone_page.request.get(f"/investor/ventures/{v}").status for v in published}
    assert set(answers.values()) == {200}, answers
    assert set(published) & demo_site.relief_venture_ids  # SEIS/EIS ventures among them
