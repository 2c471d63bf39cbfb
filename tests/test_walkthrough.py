"""The README's HR and finance walk-through runs end to end (``make walkthrough``), on a small city."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from engine import Period
from pipelines.synthetic.late import late_exports
from pipelines.walkthrough import walk
from tests.conftest import GENERATED_MONTHS


def test_the_walkthrough_behaves_as_the_readme_says(generated_city: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    hr, finance = GENERATED_MONTHS
    written = late_exports(generated_city, Period.parse(hr), tmp_path / "late", seed=5)
    assert written["ekinerja/activity_log"] > 0 and written["eabsensi/attendance.csv"] > 0
    code = walk(generated_city, tmp_path / "late", tmp_path / "work", hr, finance,
                [sys.executable, "-m", "pipelines.cli"])
    printed = capsys.readouterr()
    assert code == 0, printed.err + printed.out[-3000:]
    assert "walk-through done: 27 steps" in printed.out
    assert (tmp_path / "work" / "rapel" / "adjustment.csv").is_file()
    assert (tmp_path / "work" / "laporan" / "nominatif.xlsx").is_file()


def test_a_step_that_misbehaves_stops_the_walkthrough(generated_city: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    hr, finance = GENERATED_MONTHS
    late_exports(generated_city, Period.parse(finance), tmp_path / "late", seed=5)  # late for the open month
    code = walk(generated_city, tmp_path / "late", tmp_path / "work", hr, finance,
                [sys.executable, "-m", "pipelines.cli"])
    printed = capsys.readouterr()
    assert code == 1 and "step 8 did not behave as the README says" in printed.err  # no late data for hr
    assert "[9]" not in printed.out  # it stopped there
