"""`eperf generate`: deterministic, valid against every contract, and the §7 invariants hold on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import narwhals.stable.v2 as nw
import polars as pl
import pytest

from engine import Period, tax_basis, ter_terms
from pipelines.month.backends import Backend, engine_inputs
from pipelines.month.run import month_from_folder
from pipelines.synthetic.city import generate_city
from tests.city import IN_PROCESS
from tests.folders import snapshot

MONTHS = ("2025-10", "2025-11")


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate_city(out, employees=400, seed=11, months=MONTHS)
    return out


def test_same_seed_same_bytes_other_seed_other_city(city: Path, tmp_path: Path) -> None:
    generate_city(tmp_path / "again", employees=400, seed=11, months=MONTHS)
    generate_city(tmp_path / "other", employees=400, seed=12, months=MONTHS)
    assert snapshot(tmp_path / "again") == snapshot(city)
    assert snapshot(tmp_path / "other") != snapshot(city)


def test_city_shape(city: Path) -> None:
    employees = pl.read_csv(city / "hr" / "employees.csv", infer_schema=False)
    assert employees.height == 400 and employees["nip"].n_unique() == 400
    assert employees["opd_code"].n_unique() == 66
    share = employees["status"].value_counts(normalize=True).rows()
    assert {s for s, _ in share} == {"PNS", "CPNS", "PPPK"}
    assert 0.2 < dict(share)["PPPK"] < 0.4
    for folder in ("ekinerja/activity_log", "eabsensi/attendance"):
        assert sorted(p.name for p in (city / folder).iterdir()) == [f"period={m}" for m in MONTHS]


@pytest.mark.parametrize("month", MONTHS)
def test_generated_month_is_valid_and_keeps_the_invariants(city: Path, month: str) -> None:
    runs = {b: month_from_folder(city, Period.parse(month), b) for b in IN_PROCESS}
    run = runs[Backend.POLARS]
    assert run.data.rejects.height == 0
    assert all(load.accepted + load.rejected + load.outside_period == load.rows_read for load in run.data.loads)
    reg = run.result.pay_register.to_native()
    assert reg.height > 380  # a few joiners and leavers may fall outside the month
    assert ((reg["pay_rp"] >= 0) & (reg["pay_rp"] <= reg["cap_rp"]) & (reg["pay_rp"] <= reg["entitlement_rp"])).all()
    for pool in run.result.pool_summary.rows(named=True):
        paid = reg.filter(pl.col("pool_id") == pool["pool_id"])["pay_rp"].sum()
        assert paid == pool["pay_rp"] <= pool["pool_rp"]
        if pool["binding"]:
            assert paid == pool["pool_rp"]
    assert reg.equals(runs[Backend.DUCKDB].result.pay_register.to_native())


@pytest.fixture(scope="module")
def ter_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo policy (PPh 21 under TER, gaji-13 in June) on June and December."""
    out = tmp_path_factory.mktemp("ter-city")
    generate_city(out, employees=300, seed=13, months=("2025-06", "2025-12"))
    return out


def test_an_extra_payment_month_keeps_the_invariants(ter_city: Path) -> None:
    run = month_from_folder(ter_city, Period(2025, 6))
    reg, pools = run.result.pay_register.to_native(), run.result.pool_summary.to_native()
    employees = pl.read_csv(ter_city / "hr" / "employees.csv", schema_overrides={"nip": pl.String})
    salaries = reg.join(employees.select("nip", pl.col("salary_rp").alias("salary")), on="nip")
    # gaji-13 at 10000 bp: a month's TPP again, never above the cap; the salary payroll pays its own.
    assert (reg["extra_kind"] == "gaji13").all() and (reg["extra_rp"] == reg["pay_rp"]).all()
    assert ((reg["extra_rp"] >= 0) & (reg["extra_rp"] <= reg["cap_rp"])).all()
    assert (salaries["salary_rp"] == 2 * salaries["salary"]).all()
    for pool in pools.rows(named=True):
        members = reg.filter(pl.col("pool_id") == pool["pool_id"])
        assert members["extra_rp"].sum() == pool["extra_rp"] <= pool["pool_rp"]
    # The month's TER tax on salary + TPP is never below the tax on the salary alone.
    leavers = employees.filter(pl.col("end_date").str.starts_with("2025-06"))["nip"]
    assert (reg.filter(~pl.col("nip").is_in(leavers.implode()))["pph21_rp"] >= 0).all()


def test_ter_tax_rises_with_the_gross_and_the_true_up_never_makes_tpp_tax_negative(ter_city: Path) -> None:
    december = Period(2025, 12)
    run = month_from_folder(ter_city, december)
    reg = run.result.pay_register.to_native()
    inputs = engine_inputs(run.data.tables)
    paid = nw.from_native(reg.select("nip", pl.col("salary_rp").alias("salary_m"), "pay_rp", "extra_rp",
                                     "pension_rp", "ptkp_status").lazy())
    terms = ter_terms(paid.join(tax_basis(inputs, december), on="nip"), inputs.ter_rates).collect("polars").to_native()
    assert terms.height == reg.height and terms["last_month"].all()
    # TER: within a category the month's tax never falls as the gross rises (ties on equal grosses).
    for category in ("A", "B", "C"):
        taxes = terms.filter(pl.col("ter_category") == category).sort("gross_m", "tax_gross")["tax_gross"]
        assert taxes.len() > 0 and (taxes.diff().drop_nulls() >= 0).all(), category
    # The year's Pasal 17 tax on salary + TPP is never below the tax on the salary alone.
    assert (terms["year_tax_rp"] >= terms["year_tax_salary_rp"]).all()
    assert (terms["year_tax_rp"] > terms["year_tax_salary_rp"]).any()
    # Each December PPh is that difference less the year's TPP PPh withheld before (register = terms).
    expected = terms["year_tax_rp"] - terms["year_tax_salary_rp"] - terms["ytd_pph21_rp"]
    assert terms.select("nip", expected.alias("pph21_rp")).sort("nip").equals(reg.select("nip", "pph21_rp"))


def test_partitioned_and_flat_attendance_give_the_same_month(city: Path, tmp_path: Path) -> None:
    """``eperf generate`` writes the attendance by month; the same rows as one flat file give the
    same tables. A run reads only its month's partition; from the flat file it reads every row and
    checks its month's: the other month's rows are counted as read and outside the period."""
    parts = sorted((city / "eabsensi" / "attendance").glob("period=*/attendance.csv"))
    assert [p.parent.name for p in parts] == [f"period={m}" for m in MONTHS]
    flat = Path(shutil.copytree(city, tmp_path / "flat", ignore=shutil.ignore_patterns("attendance")))
    rows = pl.concat([pl.read_csv(p, infer_schema=False) for p in parts])
    rows.write_csv(flat / "eabsensi" / "attendance.csv")
    month = Period.parse(MONTHS[-1])
    by_month, whole = month_from_folder(city, month), month_from_folder(flat, month)
    for table in ("pay_register", "pool_summary", "budget_check"):  # the run ids differ: other files were read
        assert getattr(by_month.result, table).to_native().drop("run_id", strict=False).equals(
            getattr(whole.result, table).to_native().drop("run_id", strict=False))
    [part] = [load for load in by_month.data.loads if load.file.startswith("eabsensi/")]
    [file] = [load for load in whole.data.loads if load.file.startswith("eabsensi/")]
    assert part.file == f"eabsensi/attendance/period={month}/attendance.csv"
    assert (part.rows_read, part.outside_period) == (part.accepted, 0)
    october = pl.read_csv(parts[0], infer_schema=False).height
    assert (file.rows_read, file.accepted, file.outside_period) == (rows.height, part.accepted, october)
