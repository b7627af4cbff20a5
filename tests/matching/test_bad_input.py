"""Bad input raises InputError naming the field, the value and what would be accepted."""

import pytest

from matching import HistoryFrame, InputError, InvestorFrame, Taxonomy, VentureFrame
from tests.matching.factories import TAXONOMY, deal, investor, venture


def test_nan_raise_names_the_field():
    bad = {"id": 5, "name": "X", "stage": "seed", "raise_amount_gbp": float("nan"), "region": "uk"}
    with pytest.raises(InputError, match=r"VentureRecord 5: raise_amount_gbp nan"):
        VentureFrame.from_records([bad], TAXONOMY)


def test_unknown_sector_code_names_field_value_and_choices():
    with pytest.raises(
        InputError, match=r"venture 9 sectors: unknown sector code 'quantum'"
    ) as err:
        VentureFrame.from_records([venture(id=9, sectors=("quantum",))], TAXONOMY)
    assert "expected one of" in str(err.value)


def test_unknown_stage_lists_the_stages():
    with pytest.raises(InputError, match=r"stage code 'series_z'; expected one of 'pre_seed'"):
        VentureFrame.from_records([venture(stage="series_z")], TAXONOMY)


def test_unknown_investor_region_is_rejected():
    with pytest.raises(InputError, match=r"investor 4 regions: unknown region code 'mars'"):
        InvestorFrame.from_records([investor(id=4, regions=("mars",))], TAXONOMY)


def test_ticket_min_above_max_is_rejected():
    with pytest.raises(InputError, match=r"ticket_min_gbp 900000 is above ticket_max_gbp 100000"):
        InvestorFrame.from_records(
            [investor(ticket_min_gbp=900_000, ticket_max_gbp=100_000)], TAXONOMY
        )


def test_non_positive_money_is_rejected():
    with pytest.raises(InputError, match=r"raise_amount_gbp 0 must be a positive amount"):
        VentureFrame.from_records([venture(raise_amount_gbp=0)], TAXONOMY)


def test_empty_frames_are_rejected():
    with pytest.raises(InputError, match=r"ventures: empty"):
        VentureFrame.from_records([], TAXONOMY)
    with pytest.raises(InputError, match=r"investors: empty"):
        InvestorFrame.from_records([], TAXONOMY)


def test_empty_history_is_fine():
    assert len(HistoryFrame.from_records([], TAXONOMY)) == 0


def test_duplicate_ids_are_rejected():
    with pytest.raises(InputError, match=r"id 3 appears more than once"):
        VentureFrame.from_records([venture(id=3), venture(id=3)], TAXONOMY)


def test_missing_required_key_in_a_dict():
    with pytest.raises(InputError, match=r"VentureRecord.raise_amount_gbp: missing"):
        VentureFrame.from_records(
            [{"id": 1, "name": "A", "stage": "seed", "region": "uk"}], TAXONOMY
        )


def test_a_string_is_not_a_list_of_codes():
    with pytest.raises(InputError, match=r"sectors 'health' is not a list of codes"):
        VentureFrame.from_records([{**_as_dict(venture()), "sectors": "health"}], TAXONOMY)


def test_bad_history_date():
    with pytest.raises(InputError, match=r"date: '2024-01-01' is not a date"):
        HistoryFrame.from_records([_as_dict(deal(1)) | {"date": "2024-01-01"}], TAXONOMY)


def test_dicts_and_records_give_the_same_frame():
    v = venture(id=11)
    a = VentureFrame.from_records([v], TAXONOMY)
    b = VentureFrame.from_records([_as_dict(v) | {"owner_id": 99}], TAXONOMY)
    assert a.records == b.records


def test_taxonomy_with_unknown_parent_is_rejected():
    with pytest.raises(InputError, match=r"parent 'nowhere' of 'x' is not itself a sector code"):
        Taxonomy(
            sector_parent={"x": "nowhere"}, stage_order=["a"], region_parent={"uk": None}
        ).validate()


def test_taxonomy_cycle_is_rejected():
    with pytest.raises(InputError, match=r"cycle"):
        Taxonomy(
            sector_parent={"a": "b", "b": "a"}, stage_order=["s"], region_parent={"uk": None}
        ).validate()


def test_ranking_rejects_bad_k(model):
    with pytest.raises(InputError, match=r"k: 0; expected a positive whole number"):
        model.rank_investors_for_venture(venture(), [investor()], k=0)


def _as_dict(record):
    return {name: getattr(record, name) for name in record.__dataclass_fields__}
