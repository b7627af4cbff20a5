"""Programme staff walk the pipeline in Chromium: dashboard and filters, the supply gap, North
retention, stalled deals, a venture's timeline, a programme, evidence, an import and the audit
log — with a screenshot at each step and no console or CSP errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.browser.conftest import shot
from tests.browser.steps import charts_drawn, sign_in
from tests.factories import FounderFactory, StaffFactory
from tests.webapp.staff.known_pipeline import seed_known_pipeline
from webapp.services.reports import pipeline_cache

pytestmark = pytest.mark.browser


def _figure(page: Page, name: str) -> str:
    return (page.locator(f'[data-figure="{name}"]').text_content() or "").strip()


def test_staff_journey(
    page: Page, session: Session, tmp_path: Path, page_errors: list[str]
) -> None:
    pipeline_cache.clear()
    known = seed_known_pipeline()
    staff = StaffFactory(name="Morgan Lee", email="morgan@tees-accelerator.example")
    owner = FounderFactory(email="founder@blade.example")

    sign_in(page, staff.email)
    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pipeline")
    assert _figure(page, "ventures") == "5"
    charts_drawn(page, 3)
    for index in range(3):  # every chart image decoded (a CSP block would leave it broken)
        chart = page.locator("figure.chart img").nth(index)
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    shot(page, "01-dashboard")

    page.get_by_label("Published from").fill("2025-01-01")
    page.get_by_label("Published to").fill("2025-12-31")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"from=2025-01-01"))
    assert _figure(page, "ventures") == "4"
    assert _figure(page, "capital_invested_gbp") == "£700,000"
    funnel = page.get_by_role("table", name="Ventures that reached each stage or a later one")
    expect(funnel.get_by_role("row", name=re.compile("^Invested"))).to_contain_text("2")
    shot(page, "02-dashboard-2025")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    shot(page, "03-dashboard-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("navigation", name="Programme staff").get_by_role(
        "link", name="Supply gap"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where money is missing")
    expect(page.locator("#heatmap")).to_be_visible()
    first_gap = page.locator("#worst-cells tbody tr").first
    expect(first_gap).to_contain_text("Advanced manufacturing")
    expect(first_gap).to_contain_text("£3,000,000")
    unserved = page.locator("article.unserved")
    expect(unserved).to_have_count(1)
    expect(unserved).to_contain_text("Invests in Life sciences")
    shot(page, "04-gaps")

    page.get_by_role("link", name="Sheffield Graphene").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sheffield Graphene")
    shot(page, "05-unserved-venture-timeline")

    page.goto(f"/staff/ventures/{known.ventures['V1'].id}")
    expect(page.locator("#timeline li").last).to_contain_text("Invested")
    shot(page, "06-timeline")

    page.get_by_role("link", name="North retention").click()
    expect(page.locator('[data-level="invested"]').first).to_have_text("66.7%")
    expect(page.locator("#trend-table")).to_be_visible()
    shot(page, "07-retention")

    page.get_by_role("link", name="Stalled deals").click()
    page.get_by_label("Days without an event").fill("5")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#stalled-table caption")).to_contain_text("stalled deal")
    shot(page, "08-stalled")

    page.get_by_role("navigation", name="Programme staff").get_by_role(
        "link", name="Programmes"
    ).click()
    page.get_by_label("Name").fill("Tees Accelerator cohort 5")
    page.get_by_role("button", name="Create programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tees Accelerator cohort 5")
    page.get_by_role("button", name="Search").click()  # no criteria: every venture, A to Z
    for venture in (known.ventures["V1"], known.ventures["V3"]):
        page.get_by_role("checkbox", name=venture.name).check()
    page.get_by_role("button", name="Enrol selected ventures").click()
    expect(page.locator("#programme-ventures tbody tr")).to_have_count(2)
    shot(page, "09-programme")
    page.get_by_role("link", name="This programme's pipeline").click()
    assert _figure(page, "ventures") == "2"
    shot(page, "10-programme-pipeline")

    page.get_by_role("navigation", name="Programme staff").get_by_role(
        "link", name="Evidence"
    ).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download deals (CSV)").click()
    saved = tmp_path / "deals.csv"
    download.value.save_as(saved)
    assert saved.read_text().startswith("introduction_id,deal_id,venture_id,venture_name,")
    expect(page.locator("#evidence-table")).to_contain_text("[c]")
    shot(page, "11-evidence")

    page.get_by_role("navigation", name="Programme staff").get_by_role(
        "link", name="Imports"
    ).click()
    upload = tmp_path / "cohort.csv"
    upload.write_text(
        "owner_email,name,summary,sectors,stage,raise_amount_gbp,instruments,region\n"
        f'{owner.email},Blade Sense,"Sensors for offshore wind blades, from Hull.",'
        "offshore_wind,seed,900000,equity,hull_east_yorkshire_ca\n"
        f'{owner.email},Tidal Grid,"Grid storage for tidal power, from Hull.",'
        "energy_networks,seed_round,900000,equity,hull_east_yorkshire_ca\n"
    )
    page.get_by_label("CSV file", exact=True).set_input_files(str(upload))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    expect(page.locator("#bad-rows")).to_contain_text("unknown stage code 'seed_round'")
    shot(page, "12-import-refused")
    page.get_by_label("CSV file", exact=True).set_input_files(str(upload))
    page.get_by_label("Import the good rows and report the bad ones").check()
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", name="Imported", exact=True)).to_be_visible()
    expect(page.locator('[data-report="written"]')).to_have_text("1")
    shot(page, "13-import-good-rows")

    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Action").select_option("programme.create")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#audit-table tbody tr")).to_have_count(1)
    expect(page.locator("#audit-table")).to_contain_text("Morgan Lee")
    shot(page, "14-audit")

    page.get_by_role("link", name="Pipeline").first.click()
    page.get_by_role("button", name="Run a full refresh").click()
    expect(page.get_by_role("status").first).to_contain_text("Full refresh")
    expect(page.locator("#refresh-status progress")).to_be_visible()
    shot(page, "15-refresh-queued")

    assert page_errors == []
