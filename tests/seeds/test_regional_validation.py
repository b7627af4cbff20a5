"""A malformed regional-statistics file fails loudly, naming the file, the line and the reason."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from reference.regional import DEFAULT_DIRECTORY, load_regional_statistics
from reference.taxonomy import TaxonomyError
from seeds.cli import main

AREAS, MAPPING, FIGURES = "nuts2_regions.csv", "nuts2_to_platform.csv", "hesa_spinoffs_by_nuts2.csv"


@pytest.fixture
def regional_dir(tmp_path: Path) -> Path:
    """A writable copy of the packaged regional files."""
    for path in DEFAULT_DIRECTORY.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def lines_of(directory: Path, name: str) -> list[str]:
    return (directory / name).read_text(encoding="utf-8").splitlines()


def replace_line(directory: Path, name: str, starts_with: str, new: str) -> int:
    """Replace the first line starting with `starts_with`; return its line number."""
    lines = lines_of(directory, name)
    index = next(i for i, line in enumerate(lines) if line.startswith(starts_with))
    lines[index] = new
    (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index + 1


def append(directory: Path, name: str, line: str) -> int:
    lines = lines_of(directory, name)
    (directory / name).write_text("\n".join([*lines, line]) + "\n", encoding="utf-8")
    return len(lines) + 1


def fails(directory: Path, name: str, line: int, reason: str) -> TaxonomyError:
    with pytest.raises(TaxonomyError, match=re.escape(reason)) as caught:
        load_regional_statistics(directory)
    assert caught.value.path == directory / name
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{directory / name}: line {line}: ")
    return caught.value


def test_copied_files_load_the_same_figures(regional_dir: Path) -> None:
    copied = load_regional_statistics(regional_dir)
    packaged = load_regional_statistics()
    assert copied.figures == packaged.figures
    assert copied.areas == packaged.areas


def test_missing_file(regional_dir: Path) -> None:
    (regional_dir / MAPPING).unlink()
    fails(regional_dir, MAPPING, 0, "file not found")


def test_figures_without_a_source_line(regional_dir: Path) -> None:
    lines = lines_of(regional_dir, FIGURES)
    (regional_dir / FIGURES).write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    fails(regional_dir, FIGURES, 1, "first line must be '# source:")


def test_wrong_header(regional_dir: Path) -> None:
    replace_line(regional_dir, FIGURES, "year,", "year,nuts2_code,version,a,b,c")
    fails(regional_dir, FIGURES, 2, "header is 'year,nuts2_code,version,a,b,c'")


def test_malformed_nuts2_code(regional_dir: Path) -> None:
    line = replace_line(regional_dir, AREAS, "UKC1,", "UKC10,Tees Valley and Durham,North East,yes")
    fails(regional_dir, AREAS, line, "nuts2_code 'UKC10' is not a UK NUTS2 code")


def test_duplicate_area(regional_dir: Path) -> None:
    line = append(regional_dir, AREAS, "UKC1,Tees Valley again,North East,yes")
    fails(regional_dir, AREAS, line, "duplicate NUTS2 code 'UKC1' (first on line 3)")


def test_northern_must_be_yes_or_no(regional_dir: Path) -> None:
    line = replace_line(regional_dir, AREAS, "UKD1,", "UKD1,Cumbria,North West,true")
    fails(regional_dir, AREAS, line, "northern 'true' is not yes or no")


def test_an_area_without_a_mapping(regional_dir: Path) -> None:
    lines = [line for line in lines_of(regional_dir, MAPPING) if not line.startswith("UKK4,")]
    (regional_dir / MAPPING).write_text("\n".join(lines) + "\n", encoding="utf-8")
    area_line = next(i for i, x in enumerate(lines_of(regional_dir, AREAS), 1) if x[:5] == "UKK4,")
    fails(regional_dir, AREAS, area_line, "UKK4 is not placed on the platform's map")


def test_an_area_mapped_twice(regional_dir: Path) -> None:
    line = append(regional_dir, MAPPING, "UKD1,north_west,north_west,exact,")
    fails(regional_dir, MAPPING, line, "UKD1 is mapped twice (first on line 5)")


def test_mapping_an_unknown_area(regional_dir: Path) -> None:
    line = append(regional_dir, MAPPING, "UKN9,london,london,exact,")
    fails(regional_dir, MAPPING, line, "UKN9 is not a NUTS2 area in nuts2_regions.csv")


def test_mapping_to_a_region_that_is_not_itl1(regional_dir: Path) -> None:
    line = replace_line(regional_dir, MAPPING, "UKI3,", "UKI3,england,london,exact,")
    fails(regional_dir, MAPPING, line, "region 'england' is not an ITL1 region or nation")


def test_mapping_to_an_area_outside_its_region(regional_dir: Path) -> None:
    line = replace_line(regional_dir, MAPPING, "UKD3,", "UKD3,north_west,west_yorkshire_ca,exact,")
    fails(regional_dir, MAPPING, line, "area 'west_yorkshire_ca' does not lie within region")


def test_a_northern_area_mapped_outside_the_north(regional_dir: Path) -> None:
    for code in ("UKC1", "UKC2"):  # both, so the ITL1 consistency check is not what fires
        replace_line(regional_dir, MAPPING, f"{code},", f"{code},scotland,scotland,exact,")
    error = fails(regional_dir, MAPPING, 3, "UKC1 is northern in nuts2_regions.csv")
    assert "region 'scotland' is not northern in the taxonomy" in error.reason


def test_areas_of_one_itl1_region_mapped_to_two_regions(regional_dir: Path) -> None:
    line = replace_line(regional_dir, MAPPING, "UKF2,", "UKF2,west_midlands,west_midlands,exact,")
    error = fails(regional_dir, MAPPING, line, "UKF2 is in East Midlands")
    assert "UKF1 in the same region is mapped to 'east_midlands'" in error.reason


def test_an_approximate_fit_needs_a_note(regional_dir: Path) -> None:
    line = replace_line(
        regional_dir, MAPPING, "UKE1,", "UKE1,yorkshire_humber,hull_east_yorkshire_ca,approximate,"
    )
    fails(regional_dir, MAPPING, line, "an approximate fit needs a note")


def test_fit_is_exact_or_approximate(regional_dir: Path) -> None:
    line = replace_line(regional_dir, MAPPING, "UKD1,", "UKD1,north_west,cumbria,close,")
    fails(regional_dir, MAPPING, line, "fit 'close' is not exact or approximate")


def test_figures_for_an_unknown_area(regional_dir: Path) -> None:
    line = append(regional_dir, FIGURES, "2018,UKN9,2016,1,1,1")
    fails(regional_dir, FIGURES, line, "nuts2_code 'UKN9' is not a NUTS2 area")


def test_implausible_year(regional_dir: Path) -> None:
    line = replace_line(regional_dir, FIGURES, "2014,UKC1,", "14,UKC1,2013,21012000,41677000,263")
    fails(regional_dir, FIGURES, line, "year '14' is not an academic year from 1994 to 2100")


def test_unknown_boundary_set(regional_dir: Path) -> None:
    line = replace_line(regional_dir, FIGURES, "2014,UKC1,", "2014,UKC1,2014,21012000,41677000,263")
    fails(regional_dir, FIGURES, line, "nuts_version '2014' is not a NUTS revision")


def test_a_year_mixing_boundary_sets(regional_dir: Path) -> None:
    line = replace_line(regional_dir, FIGURES, "2014,UKC2,", "2014,UKC2,2016,3561000,84286000,343")
    fails(
        regional_dir,
        FIGURES,
        line,
        "2014 mixes boundary sets: nuts_version 2016 here, 2013 on line 3",
    )


def test_two_sets_of_figures_for_one_area_and_year(regional_dir: Path) -> None:
    line = append(regional_dir, FIGURES, "2014,UKC1,2013,1,2,3")
    fails(regional_dir, FIGURES, line, "a second set of figures for UKC1 in 2014 (first on line 3)")


@pytest.mark.parametrize("value", ["-5", "1.5", "12k", "１２"])
def test_money_must_be_a_whole_number(regional_dir: Path, value: str) -> None:
    line = replace_line(regional_dir, FIGURES, "2014,UKC1,", f"2014,UKC1,2013,{value},41677000,263")
    fails(regional_dir, FIGURES, line, f"spinoff_investment_gbp {value!r} is not a whole number")


def test_an_empty_figure_means_not_published(regional_dir: Path) -> None:
    replace_line(regional_dir, FIGURES, "2018,UKC1,", "2018,UKC1,2016,,41677000,")
    statistics = load_regional_statistics(regional_dir)
    row = next(f for f in statistics.figures if (f.year, f.nuts2_code) == (2018, "UKC1"))
    assert (row.investment_gbp, row.graduate_startups) == (None, None)
    # A sum over a missing figure would understate the place, so the sum is missing too.
    assert statistics.totals("region", "north_east", 2018).investment_gbp is None
    assert statistics.uk_totals(2018).investment_gbp is None
    assert statistics.totals("region", "north_east", 2018).turnover_gbp is not None


def test_check_command_names_the_bad_file(regional_dir: Path, capsys) -> None:
    line = replace_line(regional_dir, AREAS, "UKD1,", "UKD1,Cumbria,North West,maybe")
    assert main(["check", "--regional", str(regional_dir)]) == 1
    assert f"{regional_dir / AREAS}: line {line}: northern 'maybe'" in capsys.readouterr().err


def test_check_command_accepts_the_packaged_files(capsys) -> None:
    assert main(["check"]) == 0
    assert "200 rows of spin-off figures for 43 NUTS2 areas" in capsys.readouterr().out
