"""The demo generator is deterministic, plausible and consistent with the taxonomies."""

from __future__ import annotations

import re
import statistics
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta

import pytest

from reference.taxonomy import ReferenceData
from seeds.demo import DEMO_ACCOUNTS, DemoDataset, generate
from seeds.demo import vocabulary as vocab
from seeds.demo.clock import HISTORY_DAYS
from seeds.demo.names import DEMO_DOMAIN
from tests.seeds.conftest import AS_OF


def test_same_seed_gives_the_same_dataset() -> None:
    assert generate(120, 30, 11, as_of=AS_OF) == generate(120, 30, 11, as_of=AS_OF)


def test_different_seeds_give_different_datasets() -> None:
    first, second = generate(60, 15, 1, as_of=AS_OF), generate(60, 15, 2, as_of=AS_OF)
    assert [v.name for v in first.ventures] != [v.name for v in second.ventures]


def test_ventures_do_not_depend_on_the_number_of_investors() -> None:
    assert generate(50, 10, 3, as_of=AS_OF).ventures == generate(50, 40, 3, as_of=AS_OF).ventures


def test_defaults_are_300_ventures_and_80_investors() -> None:
    dataset = generate(as_of=AS_OF)
    assert (len(dataset.ventures), len(dataset.investors), dataset.seed) == (300, 80, 7)


def test_empty_dataset_still_has_the_demo_accounts() -> None:
    dataset = generate(0, 0, 7, as_of=AS_OF)
    assert dataset.ventures == dataset.investors == dataset.feedback == ()
    assert {u.email for u in dataset.users} == {a.email for a in DEMO_ACCOUNTS}


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="both must be zero or more"):
        generate(-1, 5)


def test_venture_fields_keep_the_names_the_benchmark_relies_on() -> None:
    names = {f.name for f in fields(generate(1, 1, as_of=AS_OF).ventures[0])}
    assert {
        "name", "summary", "sectors", "stage", "raise_amount_gbp", "instruments", "region",
        "institution", "spinout", "incorporated_on", "companies_house_number", "trl",
        "team_size", "eis", "seis", "visibility",
    } <= names  # fmt: skip
    investor = {f.name for f in fields(generate(1, 1, as_of=AS_OF).investors[0])}
    assert {
        "name", "investor_type", "sectors", "excluded_sectors", "stages", "ticket_min_gbp",
        "ticket_max_gbp", "regions", "regions_strict", "instruments", "thesis", "eis", "seis",
        "institutions", "hq_region", "active",
    } <= investor  # fmt: skip


def test_every_code_is_in_the_taxonomies(dataset: DemoDataset, reference: ReferenceData) -> None:
    for v in dataset.ventures:
        assert set(v.sectors) <= reference.sector_codes
        assert v.stage in reference.stage_codes
        assert set(v.instruments) <= reference.instrument_codes
        assert v.region in reference.region_codes
        assert v.institution is None or v.institution in reference.institution_codes
    for i in dataset.investors:
        assert set(i.sectors) | set(i.excluded_sectors) <= reference.sector_codes
        assert set(i.stages) <= reference.stage_codes
        assert i.investor_type in reference.investor_type_codes
        assert set(i.regions) | {i.hq_region} <= reference.region_codes
        assert set(i.instruments) <= reference.instrument_codes
        assert set(i.institutions) <= reference.institution_codes
    for deal in dataset.portfolio:
        assert set(deal.sectors) <= reference.sector_codes
        assert deal.stage in reference.stage_codes
        assert deal.region in reference.region_codes


def test_ventures_name_one_to_three_specific_sectors(
    dataset: DemoDataset, reference: ReferenceData
) -> None:
    for v in dataset.ventures:
        assert 1 <= len(v.sectors) <= 3
        assert all(reference.sector_by_code[s].parent is not None for s in v.sectors)


def test_raise_sizes_rise_with_stage(dataset: DemoDataset, reference: ReferenceData) -> None:
    medians = [
        statistics.median(v.raise_amount_gbp for v in dataset.ventures if v.stage == s.code)
        for s in reference.stages
    ]
    assert medians == sorted(medians)
    by_stage = dict(zip([s.code for s in reference.stages], medians, strict=True))
    assert 50_000 <= by_stage["pre_seed"] <= 500_000
    assert 250_000 <= by_stage["seed"] <= 2_000_000
    assert 2_000_000 <= by_stage["series_a"] <= 10_000_000
    assert 8_000_000 <= by_stage["series_b"] <= 30_000_000


def test_technology_readiness_rises_with_stage(
    dataset: DemoDataset, reference: ReferenceData
) -> None:
    means = [
        statistics.mean(v.trl for v in dataset.ventures if v.stage == s.code)
        for s in reference.stages
    ]
    assert means == sorted(means)
    assert all(1 <= v.trl <= 9 for v in dataset.ventures)


def test_ticket_sizes_follow_investor_type(dataset: DemoDataset) -> None:
    def median_max(kind: str) -> float:
        return statistics.median(
            i.ticket_max_gbp for i in dataset.investors if i.investor_type == kind
        )

    assert median_max("angel") < median_max("angel_network") < median_max("vc")
    assert median_max("university_fund") < median_max("pension_fund")
    assert all(i.ticket_min_gbp < i.ticket_max_gbp for i in dataset.investors)
    grants = [i for i in dataset.investors if i.investor_type == "grant_body"]
    assert grants
    assert all(i.instruments == ("grant",) for i in grants)


def test_most_ventures_are_northern(dataset: DemoDataset, reference: ReferenceData) -> None:
    northern = sum(reference.is_northern(v.region) for v in dataset.ventures)
    assert northern / len(dataset.ventures) > 0.6
    assert northern < len(dataset.ventures)  # some are elsewhere


def test_spinouts_have_institutions_near_research_intensive_universities(
    dataset: DemoDataset, reference: ReferenceData
) -> None:
    spinouts = [v for v in dataset.ventures if v.spinout]
    assert spinouts
    assert all(v.institution is not None for v in spinouts)
    research = {i.code for i in reference.institutions if i.research_intensive}
    per_research = sum(v.institution in research for v in spinouts) / len(research)
    others = len(reference.institutions) - len(research)
    per_other = sum(v.institution not in research for v in spinouts) / others
    assert per_research > 2 * per_other


def test_seis_only_for_small_early_raises(dataset: DemoDataset) -> None:
    seis = [v for v in dataset.ventures if v.seis]
    assert seis
    assert all(v.stage in {"pre_seed", "seed"} and v.raise_amount_gbp <= 350_000 for v in seis)


def test_companies_house_numbers_are_unique_and_clearly_fake(dataset: DemoDataset) -> None:
    numbers = [v.companies_house_number for v in dataset.ventures if v.companies_house_number]
    assert len(numbers) == len(set(numbers))
    assert all(re.fullmatch(r"ZZ\d{6}", n) for n in numbers)
    for v in dataset.ventures:
        assert (v.incorporated_on is None) == (v.companies_house_number is None)


def test_mostly_published_with_some_drafts(dataset: DemoDataset) -> None:
    published = sum(v.visibility == "published" for v in dataset.ventures)
    drafts = sum(v.visibility == "draft" for v in dataset.ventures)
    assert published > 0.75 * len(dataset.ventures)
    assert drafts > 0


def test_people_use_the_reserved_demo_domain_and_unique_emails(dataset: DemoDataset) -> None:
    emails = [u.email for u in dataset.users]
    assert len(emails) == len(set(emails))
    assert all(e.endswith(f"@{DEMO_DOMAIN}") for e in emails)
    assert all(u.password is None for u in dataset.users if u.email not in _demo_emails())


def test_names_are_unique_where_the_database_needs_it(dataset: DemoDataset) -> None:
    organisations = [o.name.casefold() for o in dataset.organisations]
    assert len(organisations) == len(set(organisations))
    ventures = [(v.owner_email, v.name) for v in dataset.ventures]
    assert len(ventures) == len(set(ventures))
    keys = [(d.investor, d.dedupe_key) for d in dataset.portfolio]
    assert len(keys) == len(set(keys))


def test_investor_organisations_have_one_to_three_members(dataset: DemoDataset) -> None:
    members = {u.email: u.organisation for u in dataset.users if u.role == "investor"}
    for investor in dataset.investors:
        assert 1 <= len(investor.member_emails) <= 3
        assert all(members[e] == investor.organisation for e in investor.member_emails)


def test_demo_accounts_cover_every_role_with_strong_passwords(dataset: DemoDataset) -> None:
    assert {a.role for a in dataset.accounts} == {"founder", "investor", "staff", "admin"}
    for account in dataset.accounts:
        assert len(account.password) >= 12
        assert account.email.endswith(f"@{DEMO_DOMAIN}")


def test_demo_founder_owns_published_ventures_the_demo_fund_covers(
    dataset: DemoDataset, reference: ReferenceData
) -> None:
    founder, investor = dataset.accounts[0], dataset.accounts[1]
    owned = [v for v in dataset.ventures if v.owner_email == founder.email]
    assert len(owned) >= 2
    assert all(v.visibility == "published" for v in owned)
    fund = next(i for i in dataset.investors if investor.email in i.member_emails)
    assert fund.active
    assert fund.sectors
    assert fund.regions
    covered = {c for s in fund.sectors for c in reference.sector_descendants(s)}
    assert all(set(v.sectors) <= covered and v.stage in fund.stages for v in owned)


def test_feedback_is_one_per_pair_and_passes_carry_reasons(dataset: DemoDataset) -> None:
    pairs = [(f.investor, f.venture) for f in dataset.feedback]
    assert len(pairs) == len(set(pairs))
    for f in dataset.feedback:
        assert (f.action == "pass") == (f.reason is not None)
        assert f.actor_email in dataset.investors[f.investor].member_emails
    reasons = {f.reason for f in dataset.feedback if f.reason}
    assert {"outside_mandate", "sector", "ticket_size", "traction"} <= reasons


def test_deals_follow_the_pipeline_with_drop_off(dataset: DemoDataset) -> None:
    path = ["introduction_requested", "accepted", "in_conversation", "due_diligence",
            "term_sheet", "invested"]  # fmt: skip
    reached = dict.fromkeys(path, 0)
    for intro in dataset.introductions:
        assert (intro.deal is not None) == (intro.status == "accepted")
        if intro.deal is None:
            continue
        stages = [e.stage for e in intro.deal.events]
        forward = [s for s in stages if s in path]
        assert forward == path[: len(forward)]
        assert stages[-1] == intro.deal.stage
        times = [e.at for e in intro.deal.events]
        assert times == sorted(times)
        for stage in forward:
            reached[stage] += 1
    counts = [reached[s] for s in path[1:]]
    assert counts == sorted(counts, reverse=True)
    assert counts[-1] > 0
    open_stages = {i.deal.stage for i in dataset.introductions if i.deal}
    assert {"passed", "withdrawn", "in_conversation"} <= open_stages


def test_activity_falls_in_the_last_eighteen_months(dataset: DemoDataset) -> None:
    end = datetime.combine(AS_OF, datetime.max.time(), tzinfo=UTC)
    start = end - timedelta(days=HISTORY_DAYS + 1)
    moments: list[datetime] = [f.created_at for f in dataset.feedback]
    for intro in dataset.introductions:
        moments.append(intro.created_at)
        if intro.deal:
            moments.extend(e.at for e in intro.deal.events)
    assert all(start <= m <= end for m in moments)
    assert all(m.tzinfo is not None for m in moments)


def test_invested_deals_join_the_investors_track_record(dataset: DemoDataset) -> None:
    invested = {
        (i.investor, i.venture)
        for i in dataset.introductions
        if i.deal is not None and i.deal.stage == "invested"
    }
    recorded = {(d.investor, d.venture) for d in dataset.portfolio if d.venture is not None}
    assert invested == recorded


def _demo_emails() -> set[str]:
    return {a.email for a in DEMO_ACCOUNTS}


def test_every_sector_and_type_has_words_to_write_with(reference: ReferenceData) -> None:
    for sector in reference.sectors:
        assert len(vocab.SECTOR_PHRASES[sector.code]) >= 3, sector.code
    for top in (s.code for s in reference.sectors if s.parent is None):
        assert vocab.CUSTOMERS[top]
        assert vocab.BENEFITS[top]
        assert vocab.NAME_SUFFIXES[top]
    for kind in reference.investor_type_codes:
        assert vocab.TYPE_INTROS[kind]
        assert kind == "angel" or vocab.FIRM_SUFFIXES[kind]
    for stage in reference.stage_codes:
        assert vocab.TRACTION[stage]


def test_summaries_share_words_with_theses_in_the_same_sector(
    dataset: DemoDataset, reference: ReferenceData
) -> None:
    def words(text: str) -> set[str]:
        return {w for w in re.findall(r"[a-z0-9-]+", text.lower()) if len(w) > 3}

    same, other = [], []
    for investor in dataset.investors[:60]:
        if not investor.sectors:
            continue
        covered = {c for s in investor.sectors for c in reference.sector_descendants(s)}
        thesis = words(investor.thesis)
        for venture in dataset.ventures[:300]:
            overlap = len(thesis & words(venture.summary))
            (same if covered & set(venture.sectors) else other).append(overlap)
    assert statistics.mean(same) > 1.5 * statistics.mean(other)


def test_no_demo_timestamp_is_after_the_moment_the_data_is_made():
    as_of = date(2025, 6, 30)
    dataset = generate(ventures=200, investors=40, seed=3, as_of=as_of)
    stamps = [u.created_at for u in dataset.users]
    stamps += [v.created_at for v in dataset.ventures]
    stamps += [f.created_at for f in dataset.feedback]
    for intro in dataset.introductions:
        stamps += [intro.created_at, *([intro.responded_at] if intro.responded_at else [])]
        if intro.deal is not None:
            stamps += [event.at for event in intro.deal.events]
    assert len(stamps) > 300
    assert max(stamps) <= datetime.combine(as_of, datetime.min.time(), tzinfo=UTC)
