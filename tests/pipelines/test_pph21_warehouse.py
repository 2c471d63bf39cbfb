"""PPh 21 under TER from the warehouse (SPEC §4.9 YTD): the year to date is the ingested
``hr/pph21_ytd.csv`` plus every earlier locked month of the year with its locked corrections; a
December on a hole stops. Figures: TPP-RULES §1.6 examples T1 (PMK 72/2025 Lampiran B no. 6) and
E1 (PMK 10/2025 Lampiran B no. 1), the one-employee city of tests/pph21_city.py.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from engine import Period
from pipelines.cli import app
from pipelines.warehouse import lifecycle
from pipelines.warehouse.store import kept_outputs, open_warehouse
from tests.pph21_city import NIP, one_employee_city

THR_MARCH = (("2025-03", "thr", 10000),)


def _eperf(*args: str | Path, code: int = 0) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result.output


def _month(wh: Path, folder: Path, period: str, income: int, lock: bool = True, **city: object) -> int:
    """Ingest the city's exports of ``period``, run it from the warehouse (and approve and lock it);
    the employee's ``pph21_rp``."""
    one_employee_city(folder / period, Period.parse(period), income, **city)  # type: ignore[arg-type]
    _eperf("ingest", "--data", folder / period, "--warehouse", wh)
    _eperf("run", "--period", period, "--warehouse", wh)
    if lock:
        _eperf("approve", "--period", period, "--warehouse", wh)
        _eperf("lock", "--period", period, "--warehouse", wh)
    return _pph21(wh, period)


def _pph21(wh: Path, period: str) -> int:
    with open_warehouse(wh) as w:
        run = lifecycle.counted_run(w, Period.parse(period))
        register = kept_outputs(w, run.run_id)["pay_register"]
    return int(register.filter(register["nip"] == NIP)["pph21_rp"][0])


def test_a_whole_year_from_the_warehouse_reproduces_t1(tmp_path: Path) -> None:
    # T1: TK/0, 7,400,000 a month, a THR of one month in March. Each month is ingested, run, approved and
    # locked; December's true-up reads January–November from the locked runs alone: 56,500.
    wh = tmp_path / "wh.duckdb"
    withheld = {m: _month(wh, tmp_path, f"2025-{m:02d}", 7_400_000, lock=m < 12, extra_payments=THR_MARCH)
                for m in range(1, 13)}
    assert withheld == {**dict.fromkeys(range(1, 12), 92_500), 3: 888_000, 12: 56_500}


def test_ytd_file_locked_months_and_a_locked_correction(tmp_path: Path) -> None:
    # E1: TK/0, 8,000,000 a month. The salary payroll's year to date covers January–September (9 months,
    # TPP 72,000,000, PPh 1,080,000); October and November are run and locked in eperf.
    wh = tmp_path / "wh.duckdb"
    ytd = (9, 0, 72_000_000, 1_080_000, 0)
    october = tmp_path / "2025-10"
    one_employee_city(october, Period(2025, 10), 8_000_000, ytd=ytd)
    # October as first exported: 1 October is TK (absent, its log approved): discipline 97 %, score 98.8 %,
    # pay 7,904,000, PPh 1.5 % = 118,560.
    attendance = october / "eabsensi/attendance.csv"
    with attendance.open(newline="") as fh:
        rows = list(csv.reader(fh))
    rows[1][2:] = ["TK", "", ""]
    with attendance.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    _eperf("ingest", "--data", october, "--warehouse", wh)
    for step in ("run", "approve", "lock"):
        _eperf(step, "--period", "2025-10", "--warehouse", wh)
    assert _pph21(wh, "2025-10") == 118_560
    # Late data: 1 October was a working day after all. The correction pays 8,000,000 and withholds 120,000.
    late = tmp_path / "late"
    (late / "eabsensi").mkdir(parents=True)
    with (late / "eabsensi/attendance.csv").open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([rows[0], [NIP, "2025-10-01", "H", "07:30", "16:00"]])
    _eperf("ingest", "--data", late, "--warehouse", wh)
    _eperf("adjust", "--period", "2025-10", "--out", tmp_path / "adjust", "--warehouse", wh)
    _eperf("approve", "--period", "2025-10", "--correction", "--warehouse", wh)
    _eperf("lock", "--period", "2025-10", "--correction", "--warehouse", wh)
    assert _month(wh, tmp_path, "2025-11", 8_000_000, ytd=ytd) == 120_000
    # December: 9 months from the file + October as corrected + November = 1,320,000 withheld; E1's 540,000.
    assert _month(wh, tmp_path, "2025-12", 8_000_000, lock=False, ytd=ytd) == 540_000


def test_a_true_up_on_a_hole_stops_and_names_the_months(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    # October is nobody's last month: it runs without a year to date.
    assert _month(wh, tmp_path, "2025-10", 8_000_000) == 120_000
    one_employee_city(tmp_path / "dec", Period(2025, 12), 8_000_000)
    _eperf("ingest", "--data", tmp_path / "dec", "--warehouse", wh)
    said = _eperf("run", "--period", "2025-12", "--warehouse", wh, code=2)
    assert "2025-12 is the last month of the year for 1 employee(s)" in said
    assert "2025-01, 2025-02, 2025-03, 2025-04, 2025-05, 2025-06, 2025-07, 2025-08, 2025-09, 2025-11 have " \
           "neither a locked run nor a hr/pph21_ytd.csv row" in said.replace("\n", " ")


def test_a_ytd_that_overlaps_a_locked_month_stops(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    assert _month(wh, tmp_path, "2025-10", 8_000_000) == 120_000
    # The year to date counts 10 months, October included, which eperf also locked: it would count twice.
    one_employee_city(tmp_path / "dec", Period(2025, 12), 8_000_000, ytd=(10, 0, 80_000_000, 1_200_000, 0))
    _eperf("ingest", "--data", tmp_path / "dec", "--warehouse", wh)
    said = _eperf("run", "--period", "2025-12", "--warehouse", wh, code=2).replace("\n", " ")
    assert "hr/pph21_ytd.csv: its rows of 2025 count 10 months, but 2025-10 has a locked run" in said


def _year_tax(gross: int, months: int, pension: int, ptkp: int) -> int:
    """Pasal 17 on a year's gross, in plain Python (SPEC §4.9, TPP-RULES §1.5): the test's own reading."""
    biaya = min((gross * 500 + 5000) // 10000, 500_000 * months)
    pkp = max(0, gross - biaya - pension - ptkp) // 1000 * 1000
    tax, lower = 0, 0
    for upper, pct in ((60_000_000, 5), (250_000_000, 15), (500_000_000, 25), (5_000_000_000, 30)):
        tax += max(0, min(pkp, upper) - lower) * pct // 100
        lower = upper
    return tax + max(0, pkp - lower) * 35 // 100


def test_a_generated_fiscal_year_runs_to_its_december_true_up_from_the_warehouse(tmp_path: Path) -> None:
    # `eperf generate --months 2025`: January to December, no year to date before January. Every month
    # but December is run, approved and locked; December's true-up reads all eleven from the warehouse.
    city = tmp_path / "city"
    _eperf("generate", "--out", city, "--employees", "200", "--seed", "3", "--months", "2025")
    assert pl.read_csv(city / "hr" / "pph21_ytd.csv").height == 0
    wh = tmp_path / "wh.duckdb"
    _eperf("ingest", "--data", city, "--warehouse", wh)
    for month in range(1, 12):
        for step in ("run", "approve", "lock"):
            _eperf(step, "--period", f"2025-{month:02d}", "--warehouse", wh)
    _eperf("run", "--period", "2025-12", "--warehouse", wh)
    with open_warehouse(wh) as w:
        locked = {m: kept_outputs(w, lifecycle.counted_run(w, Period(2025, m)).run_id)["pay_register"]
                  for m in range(1, 13)}
    year = pl.concat([r.select("nip", "salary_rp", (pl.col("pay_rp") + pl.col("extra_rp")).alias("tpp_rp"),
                               "pph21_rp", "pension_rp") for m, r in locked.items() if m < 12])
    ytd = year.group_by("nip").agg(pl.len().alias("months"), pl.exclude("nip").sum())
    december = locked[12].join(ytd, on="nip", how="left", suffix="_ytd")
    # By hand for every employee, from the eleven locked registers: n = months + 1, S, T, the biaya
    # jabatan cap, PKP floored to the thousand, Pasal 17 on it and on the salary alone, less the PPh withheld.
    employees = pl.read_csv(city / "hr" / "employees.csv", schema_overrides={"nip": pl.String})
    ptkp = {f"{s}/{d}": 54_000_000 + 4_500_000 * ((s == "K") + d) for s in ("TK", "K") for d in range(4)}
    checked = 0
    for row in december.join(employees.select("nip", "ptkp_status"), on="nip", suffix="_input").iter_rows(named=True):
        n = (row["months"] or 0) + 1
        salary = (row["salary_rp_ytd"] or 0) + row["salary_rp"]
        tpp = (row["tpp_rp"] or 0) + row["pay_rp"] + row["extra_rp"]
        pension = (row["pension_rp_ytd"] or 0) + row["pension_rp"]

        status = ptkp[row["ptkp_status"]]
        year_tax = _year_tax(salary + tpp, n, pension, status) - _year_tax(salary, n, pension, status)
        assert row["pph21_rp"] == year_tax - (row["pph21_rp_ytd"] or 0), row["nip"]
        checked += 1
    assert checked == december.height > 150
    assert (december["extra_rp"] == 0).all() and (year["tpp_rp"] > 0).any()
