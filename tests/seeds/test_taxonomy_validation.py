"""A malformed taxonomy file fails loudly, naming the file, the line and the reason."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from reference.taxonomy import DEFAULT_DIRECTORY, TaxonomyError, load_reference_data


@pytest.fixture
def taxonomy_dir(tmp_path: Path) -> Path:
    """A writable copy of the packaged taxonomy files."""
    for path in DEFAULT_DIRECTORY.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def write(directory: Path, name: str, *lines: str) -> None:
    (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def append(directory: Path, name: str, line: str) -> int:
    """Append a row and return its line number."""
    path = directory / name
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return len(text.splitlines()) + 1


def fails(directory: Path, name: str, line: int, reason: str) -> TaxonomyError:
    with pytest.raises(TaxonomyError, match=re.escape(reason)) as caught:
        load_reference_data(directory)
    assert caught.value.path == directory / name
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{directory / name}: line {line}: ")
    return caught.value


def test_copied_files_load(taxonomy_dir: Path) -> None:
    assert load_reference_data(taxonomy_dir) == load_reference_data()


def test_missing_file(taxonomy_dir: Path) -> None:
    (taxonomy_dir / "stages.csv").unlink()
    fails(taxonomy_dir, "stages.csv", 0, "file not found")


def test_missing_source_line(taxonomy_dir: Path) -> None:
    write(taxonomy_dir, "investor_types.csv", "code,label", "angel,Angel")
    fails(taxonomy_dir, "investor_types.csv", 1, "first line must be '# source:")


def test_empty_source_line(taxonomy_dir: Path) -> None:
    write(taxonomy_dir, "investor_types.csv", "# source:   ", "code,label", "angel,Angel")
    fails(taxonomy_dir, "investor_types.csv", 1, "does not say where the data comes from")


def test_wrong_header(taxonomy_dir: Path) -> None:
    write(taxonomy_dir, "investor_types.csv", "# source: test", "code,name", "angel,Angel")
    fails(taxonomy_dir, "investor_types.csv", 2, "header is 'code,name'; expected 'code,label'")


def test_header_without_rows(taxonomy_dir: Path) -> None:
    write(taxonomy_dir, "investor_types.csv", "# source: test", "code,label")
    fails(taxonomy_dir, "investor_types.csv", 2, "no rows")


def test_wrong_number_of_fields(taxonomy_dir: Path) -> None:
    line = append(taxonomy_dir, "investor_types.csv", "broker,Broker,extra")
    fails(taxonomy_dir, "investor_types.csv", line, "has 3 fields; expected 2")


def test_duplicate_code(taxonomy_dir: Path) -> None:
    line = append(taxonomy_dir, "sectors.csv", "fintech,Fintech again,financial_services")
    error = fails(taxonomy_dir, "sectors.csv", line, "duplicate code 'fintech'")
    assert "first defined on line" in error.reason


def test_empty_label(taxonomy_dir: Path) -> None:
    line = append(taxonomy_dir, "instruments.csv", "crowdfunding,,Many small investors")
    fails(taxonomy_dir, "instruments.csv", line, "label is empty")


@pytest.mark.parametrize("code", ["Fintech", "fin-tech", "fin tech", "2fast", "bad__code", "café"])
def test_code_that_is_not_snake_case(taxonomy_dir: Path, code: str) -> None:
    line = append(taxonomy_dir, "investor_types.csv", f"{code},Something")
    fails(taxonomy_dir, "investor_types.csv", line, "is not a code: use lowercase ASCII snake_case")


def test_unknown_parent(taxonomy_dir: Path) -> None:
    line = append(taxonomy_dir, "sectors.csv", "vertical_farming,Vertical farming,farming")
    fails(
        taxonomy_dir, "sectors.csv", line, "parent 'farming' of 'vertical_farming' is not defined"
    )


def test_parent_cycle(taxonomy_dir: Path) -> None:
    write(
        taxonomy_dir,
        "sectors.csv",
        "# source: test",
        "code,label,parent",
        "root,Root,",
        "alpha,Alpha,beta",
        "beta,Beta,alpha",
    )
    fails(taxonomy_dir, "sectors.csv", 4, "parent cycle: alpha -> beta -> alpha")


def test_self_parent_is_a_cycle(taxonomy_dir: Path) -> None:
    line = append(taxonomy_dir, "regions.csv", "islands,Islands,islands,false")
    fails(taxonomy_dir, "regions.csv", line, "parent cycle: islands -> islands")


def test_bad_boolean(taxonomy_dir: Path) -> None:
    line = append(taxonomy_dir, "regions.csv", "isle_of_man,Isle of Man,outside_uk,yes")
    fails(taxonomy_dir, "regions.csv", line, "northern 'yes' is not a boolean: use true or false")


def test_area_inside_a_northern_region_must_be_northern(taxonomy_dir: Path) -> None:
    line = append(taxonomy_dir, "regions.csv", "wirral_peninsula,Wirral,north_west,false")
    fails(taxonomy_dir, "regions.csv", line, "lies inside northern region 'north_west'")


@pytest.mark.parametrize("order", ["two", "1.5", "0", "-1", ""])
def test_non_integer_order(taxonomy_dir: Path, order: str) -> None:
    line = append(taxonomy_dir, "stages.csv", f"ipo,IPO,{order},Listing")
    fails(taxonomy_dir, "stages.csv", line, f"order '{order}' is not a positive whole number")


def test_duplicate_order(taxonomy_dir: Path) -> None:
    line = append(taxonomy_dir, "stages.csv", "series_c,Series C,5,Later")
    fails(taxonomy_dir, "stages.csv", line, "duplicate order 5")


def test_institution_in_unknown_region(taxonomy_dir: Path) -> None:
    line = append(taxonomy_dir, "institutions.csv", "atlantis,University of Atlantis,sea,false")
    fails(taxonomy_dir, "institutions.csv", line, "region 'sea' is not a code in regions.csv")


def test_institution_with_bad_research_flag(taxonomy_dir: Path) -> None:
    line = append(taxonomy_dir, "institutions.csv", "newtown,Newtown University,cumbria,1")
    fails(taxonomy_dir, "institutions.csv", line, "research_intensive '1' is not a boolean")


def test_quoted_fields_and_blank_lines_are_accepted(taxonomy_dir: Path) -> None:
    write(
        taxonomy_dir,
        "investor_types.csv",
        "# source: test",
        "code,label",
        "",
        'angel,"Angel, individual"',
    )
    reference = load_reference_data(taxonomy_dir)
    assert [t.label for t in reference.investor_types] == ["Angel, individual"]


def test_unreadable_csv(taxonomy_dir: Path) -> None:
    write(taxonomy_dir, "investor_types.csv", "# source: test", "code,label", 'angel,"Angel')
    fails(taxonomy_dir, "investor_types.csv", 3, "unreadable CSV")


def test_not_utf8(taxonomy_dir: Path) -> None:
    (taxonomy_dir / "investor_types.csv").write_bytes(b"# source: test\ncode,label\nangel,\xff\n")
    fails(taxonomy_dir, "investor_types.csv", 0, "not valid UTF-8")
