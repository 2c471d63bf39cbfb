"""`eperf run` on good and fatally bad data directories (SPEC §3.1, §6, §8).

A fatal input problem exits 2 with one message naming the file (and column or key) and writes
nothing: no --out folder, or an earlier run's folder left exactly as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner, Result

from pipelines.cli import app
from tests.folders import snapshot
from tests.messages import messages
from tests.pipelines.editing import PERIOD, drop_column, needs_example, personal_values, read_rows, set_cell

pytestmark = needs_example

OUTPUTS = {"pay_register.parquet", "pay_register.csv", "pool_summary.parquet", "budget_check.parquet",
           "rejects.parquet", "manifest.json"}
DETERMINISTIC = sorted(OUTPUTS - {"manifest.json"})  # the manifest records start and finish times


def eperf_run(data: Path, out: Path, period: str = PERIOD) -> Result:
    return CliRunner().invoke(app, ["run", "--data", str(data), "--period", period, "--out", str(out)])


def assert_fatal(result: Result, *words: str) -> None:
    """Exit 2, nothing on stdout, and one line on stderr that names every word."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = messages(result.stderr)
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]
    assert "Traceback" not in result.output


# --- fatal problems ---------------------------------------------------------------------------

def remove_employees(data: Path) -> None:
    (data / "hr" / "employees.csv").unlink()


def drop_salary(data: Path) -> None:
    drop_column(data, "hr/employees.csv", "salary_rp")


def empty_employees(data: Path) -> None:
    (data / "hr" / "employees.csv").write_bytes(b"")


def garbage_parquet_log(data: Path) -> None:
    (data / "ekinerja" / "activity_log.csv").unlink()
    (data / "ekinerja" / "activity_log.parquet").write_bytes(b"PAR1 this is not parquet at all \x00\x01")


def remove_policy(data: Path) -> None:
    (data / "policy.toml").unlink()


def unknown_policy_key(data: Path) -> None:
    # Into the version in force for 2024-09 (perwali-2024-09).
    _edit_policy(data, 'id = "perwali-2024-09"\n', 'id = "perwali-2024-09"\nbonus_bp = 500\n')


def weights_not_10000(data: Path) -> None:
    # 5000 + 4000 = 9000 in both versions.
    _edit_policy(data, "w_productivity_bp = 5000", "w_productivity_bp = 4000", count=2)


def _edit_policy(data: Path, old: str, new: str, count: int = 1) -> None:
    path = data / "policy.toml"
    text = path.read_text()
    assert text.count(old) == count
    path.write_text(text.replace(old, new))


FATAL: list[tuple[Callable[[Path], None], tuple[str, ...]]] = [
    (remove_employees, ("hr/employees.csv", "missing")),
    (drop_salary, ("hr/employees.csv", "salary_rp")),
    (empty_employees, ("hr/employees.csv",)),
    (garbage_parquet_log, ("ekinerja/activity_log.parquet", "unreadable")),
    (remove_policy, ("policy.toml",)),
    (unknown_policy_key, ("policy.toml", "bonus_bp")),
    (weights_not_10000, ("policy.toml", "w_discipline_bp", "w_productivity_bp")),
]
FATAL_IDS = [breaker.__name__ for breaker, _ in FATAL]


@pytest.mark.parametrize(("breaker", "words"), FATAL, ids=FATAL_IDS)
def test_fatal_problem_exits_2_and_writes_nothing(city: Path, tmp_path: Path,
                                                  breaker: Callable[[Path], None], words: tuple[str, ...]) -> None:
    breaker(city)
    runs = tmp_path / "runs"
    result = eperf_run(city, runs / PERIOD)
    assert_fatal(result, *words)
    assert not runs.exists()


@pytest.mark.parametrize(("breaker", "words"), FATAL, ids=FATAL_IDS)
def test_fatal_problem_leaves_an_earlier_run_unchanged(city: Path, tmp_path: Path,
                                                       breaker: Callable[[Path], None], words: tuple[str, ...]) -> None:
    out = tmp_path / "runs" / PERIOD
    assert eperf_run(city, out).exit_code == 0
    before = snapshot(out.parent)
    breaker(city)
    assert_fatal(eperf_run(city, out), *words)
    assert snapshot(out.parent) == before


def test_missing_column_message_says_which_columns_are_expected(city: Path, tmp_path: Path) -> None:
    drop_salary(city)
    result = eperf_run(city, tmp_path / "out")
    assert "missing required column 'salary_rp'" in result.stderr


def test_bad_period_exits_2(city: Path, tmp_path: Path) -> None:
    result = eperf_run(city, tmp_path / "out", period="2024-13")
    assert_fatal(result, "2024-13")
    assert not (tmp_path / "out").exists()


# --- successful runs --------------------------------------------------------------------------

def test_optional_files_may_be_absent(city: Path, tmp_path: Path) -> None:
    (city / "hr" / "plt.csv").unlink()
    (city / "hr" / "sanctions.csv").unlink()
    shutil.rmtree(city / "eproject")
    shutil.rmtree(city / "epayment")
    out = tmp_path / "out"
    result = eperf_run(city, out)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    files = {item["file"] for item in manifest["inputs"]}
    assert not any(f.startswith(("eproject/", "epayment/")) or f in {"hr/plt.csv", "hr/sanctions.csv"}
                   for f in files)
    assert pl.read_parquet(out / "pay_register.parquet").height == manifest["totals"]["employees"] > 0


def test_run_writes_exactly_the_spec_outputs(city: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = eperf_run(city, out)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == OUTPUTS
    assert [p.name for p in tmp_path.iterdir() if p.name != "data"] == ["out"]  # no temporary left
    # Not on a terminal, each stage is a plain line on stderr, in order; stdout is the summary alone.
    stages = [line for line in result.stderr.splitlines() if line not in messages(result.stderr)]
    assert stages[0] == "eperf: reading hr/kelas" and stages[-2:] == ["eperf: computing pay", "eperf: writing"]
    assert "eperf: reading ekinerja/activity_log" in stages and messages(result.stderr) == []
    assert "eperf:" not in result.stdout


def test_manifest_counts_add_up_per_file(city: Path, tmp_path: Path) -> None:
    set_cell(city, "eabsensi/attendance.csv", 5, "status", "XX")
    set_cell(city, "hr/employees.csv", 8, "salary_rp", "n/a")  # their logs and attendance follow
    out = tmp_path / "out"
    assert eperf_run(city, out).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    rejects = pl.read_parquet(out / "rejects.parquet")
    for item in manifest["inputs"]:
        header, rows = read_rows(city, item["file"])
        assert item["rows_read"] == len(rows)
        assert item["accepted"] + item["rejected"] + item["outside_period"] == item["rows_read"]
        assert item["rejected"] == rejects.filter(pl.col("file") == item["file"])["row"].n_unique()
    assert manifest["rows"]["rejected"] > 2
    rows = manifest["rows"]
    assert rows["accepted"] + rows["rejected"] + rows["outside_period"] == rows["read"]
    # city-9004's attendance holds 60 rows of August: read and counted, not checked
    assert rows["outside_period"] == sum(item["outside_period"] for item in manifest["inputs"]) > 0


def test_rerun_gives_identical_files(city: Path, tmp_path: Path) -> None:
    set_cell(city, "eabsensi/attendance.csv", 5, "status", "XX")  # a non-empty rejects table
    first, second = tmp_path / "first", tmp_path / "second"
    assert eperf_run(city, first).exit_code == 0
    assert eperf_run(city, second).exit_code == 0
    for name in DETERMINISTIC:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    m1, m2 = (json.loads((f / "manifest.json").read_text()) for f in (first, second))
    assert (m1["run_id"], m1["inputs"], m1["totals"]) == (m2["run_id"], m2["inputs"], m2["totals"])


def test_rerun_into_the_same_folder_replaces_it(city: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert eperf_run(city, out).exit_code == 0
    register = (out / "pay_register.csv").read_bytes()
    (out / "stale.txt").write_text("from an older run")
    assert eperf_run(city, out).exit_code == 0
    assert {p.name for p in out.iterdir()} == OUTPUTS
    assert (out / "pay_register.csv").read_bytes() == register


def test_summary_shows_no_personal_data(city: Path, tmp_path: Path) -> None:
    personal = personal_values(city)
    set_cell(city, "hr/employees.csv", 3, "status", "XX")  # rejects exist too
    result = eperf_run(city, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "employees" in result.stdout
    assert [p for p in personal if p in result.output] == []
    # The rejected employee is not in the month, and the counts say whose rows they are.
    assert "input rows" in result.stdout and "(every row of the files)" in result.stdout


def test_spark_without_java_says_what_to_install_and_writes_nothing(city: Path, tmp_path: Path) -> None:
    """No Java on PATH or in JAVA_HOME: one sentence naming Debian's package, exit 2, no folder
    (pyspark absent: the sentence names pyspark instead)."""
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"} | {"PATH": str(Path(sys.executable).parent)}
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--data", str(city), "--period", PERIOD,
                           "--out", str(tmp_path / "out"), "--backend", "spark"],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 2
    lines = messages(done.stderr)
    assert len(lines) == 1
    assert "openjdk-17-jre-headless" in lines[0] or "needs pyspark" in lines[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("args", "words"), [
    (["--backend", "spark", "--master", "yarn"], "is not a Spark master"),
    (["--backend", "spark", "--master", "spark://127.0.0.1"], "is not a Spark master"),
    (["--backend", "spark", "--master", "local[0]"], "is not a Spark master"),
    (["--master", "local[2]"], "--master is for --backend spark"),
    (["--backend", "arrow"], "is not one of polars, duckdb, spark"),
])
def test_a_wrong_backend_or_master_exits_2_and_writes_nothing(city: Path, tmp_path: Path, args: list[str],
                                                              words: str) -> None:
    result = CliRunner().invoke(app, ["run", "--data", str(city), "--period", PERIOD,
                                      "--out", str(tmp_path / "out"), *args])
    assert_fatal(result, words)
    assert not (tmp_path / "out").exists()


def test_help_shows_flags_as_flags() -> None:
    """A flag takes no value (`--correction true` is an error), so help shows none."""
    shown = CliRunner().invoke(app, ["approve", "--help"]).output
    assert "--correction " in shown and "<bool>" not in shown and "--period <str>" in shown


def test_summary_says_where_the_employees_not_in_the_month_went(city: Path, tmp_path: Path) -> None:
    """city-9004 has 63 accepted employees, 61 in 2024-09: one left before it, one starts after it.
    Two more, moved out of the month, are counted by why."""
    def employees_line(out: Path) -> str:
        result = eperf_run(city, out)
        assert result.exit_code == 0, result.output
        return next(x for x in result.stdout.splitlines() if x.startswith("employees")).split(maxsplit=1)[1]

    assert employees_line(tmp_path / "before") == "61 of 63 accepted (1 left before the month, 1 start after it)"
    set_cell(city, "hr/employees.csv", 2, "start_date", "2020-01-01")
    set_cell(city, "hr/employees.csv", 2, "end_date", "2024-08-15")  # left in August
    set_cell(city, "hr/employees.csv", 3, "start_date", "2024-10-07")  # starts in October
    set_cell(city, "hr/employees.csv", 3, "end_date", "")
    assert employees_line(tmp_path / "after") == "59 of 63 accepted (2 left before the month, 2 start after it)"
