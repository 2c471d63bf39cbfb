"""Finance under TER with extra payments (SPEC §4.9, §4.10): the bank file pays pay + extra net and
leaves a negative net out, listed apart; reconcile, the nominatif, simulate-payments and budget
count the extra payment. The one-employee city of tests/pph21_city.py, figures by hand."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
from typer.testing import CliRunner

from engine import Period
from pipelines.cli import app
from tests.pph21_city import NIP, one_employee_city

THR_MARCH = (("2025-03", "thr", 10000),)


def _eperf(*args: str | Path, code: int = 0) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result.output


def _locked(tmp_path: Path, period: str, income: int, **city: object) -> Path:
    wh = tmp_path / "wh.duckdb"
    one_employee_city(tmp_path / "data", Period.parse(period), income, **city)  # type: ignore[arg-type]
    _eperf("ingest", "--data", tmp_path / "data", "--warehouse", wh)
    for step in ("run", "approve", "lock"):
        _eperf(step, "--period", period, "--warehouse", wh)
    return wh


def test_a_thr_month_is_paid_reconciled_and_budgeted_with_its_extra_payment(tmp_path: Path) -> None:
    # March 2025, TK/0, salary 0, TPP 7,400,000 and its THR 7,400,000 (T1): gross 14,800,000 at A 6 % =
    # 888,000; BPJS 1 % of the pay 74,000; net 7,400,000 + 7,400,000 − 74,000 − 888,000 = 13,838,000.
    wh = _locked(tmp_path, "2025-03", 7_400_000, extra_payments=THR_MARCH)
    bank = tmp_path / "bank.csv"
    said = _eperf("bankfile", "--period", "2025-03", "--out", bank, "--warehouse", wh)
    assert "1 transfers written" in said and "not transferred" not in said
    paid = pl.read_csv(bank, comment_prefix="#", schema_overrides={"nip": pl.String})
    assert paid.select("nip", "net_rp").rows() == [(NIP, 13_838_000)]
    # The nominatif shows the THR in its own column.
    _eperf("report", "--period", "2025-03", "--out", tmp_path / "laporan", "--warehouse", wh)
    sheet = openpyxl.load_workbook(tmp_path / "laporan" / "nominatif.xlsx")["1.01.01"]
    header = [c.value for c in sheet[3]]
    row = dict(zip(header, [c.value for c in sheet[4]]))
    assert (row["TPP bruto"], row["TPP THR/gaji-13"], row["TPP neto"]) == (7_400_000, 7_400_000, 13_838_000)
    # e-Payment pays it: one SP2D for the OPD's TPP and THR, one transfer of the net. Reconcile ties both.
    export = tmp_path / "epayment"
    (export / "epayment").mkdir(parents=True)
    pl.DataFrame({"sp2d_no": ["1/SP2D/LS/2025"], "sp2d_date": ["2025-03-28"], "fiscal_year": [2025],
                  "opd_code": ["1.01.01"], "account_code": ["5.1.01.02.01.0001"], "period": ["2025-03"],
                  "gross_rp": [14_800_000], "status": ["paid"]}).write_csv(export / "epayment" / "sp2d.csv")
    pl.DataFrame({"sp2d_no": ["1/SP2D/LS/2025"], "nip": [NIP], "period": ["2025-03"], "net_rp": [13_838_000],
                  "status": ["success"]}).write_csv(export / "epayment" / "transfers.csv")
    _eperf("ingest", "--data", export, "--warehouse", wh)
    _eperf("reconcile", "--period", "2025-03", "--out", tmp_path / "rekon", "--warehouse", wh)
    people = pl.read_csv(tmp_path / "rekon" / "reconciliation.csv", schema_overrides={"nip": pl.String})
    assert people.select("class", "difference_rp").rows() == [("matched", 0)]
    opds = pl.read_csv(tmp_path / "rekon" / "reconciliation_opd.csv", schema_overrides={"opd_code": pl.String})
    assert opds.select("run_gross_rp", "sp2d_gross_rp", "status").rows() == [(14_800_000, 14_800_000, "tied")]


def test_budget_counts_the_extra_payment_and_the_payments_to_come(tmp_path: Path) -> None:
    # Pagu 10^12; March: THR in March and gaji-13 in June still to pay → pool 10^12 // (10 + 2).
    # This run 14,800,000 (of which THR 7,400,000); projected: 14,800,000 + 7,400,000 × (9 months + gaji-13).
    wh = _locked(tmp_path, "2025-03", 7_400_000,
                 extra_payments=THR_MARCH + (("2025-06", "gaji13", 10000),))
    # (The city's only APBD line is TPP: belanja pegawai is all its belanja, so the city row fails: exit 1.)
    said = _eperf("budget", "--period", "2025-03", "--out", tmp_path / "budget", "--warehouse", wh, code=1)
    assert "FAIL  city" in said and "FAIL  pool" not in said
    pool = pl.read_csv(tmp_path / "budget" / "budget.csv").filter(pl.col("level") == "pool").row(0, named=True)
    assert (pool["this_run_rp"], pool["extra_rp"], pool["remaining_rp"]) == (
        14_800_000, 7_400_000, 10**12 - 14_800_000)
    assert pool["projected_rp"] == 14_800_000 + 7_400_000 * 10
    # Its one TPP account takes all of the pool's run and is projected by the same rule.
    account = pl.read_csv(tmp_path / "budget" / "budget.csv").filter(pl.col("level") == "account").row(0, named=True)
    assert (account["this_run_rp"], account["extra_rp"], account["remaining_rp"], account["projected_rp"]) == (
        14_800_000, 7_400_000, 10**12 - 14_800_000, 14_800_000 + 7_400_000 * 10)
    rule = "× 10 payments to come (9 months, 1 extra payment) + correction, for pools and TPP accounts alike"
    assert rule in said and rule in pool["projection"] and account["projection"] == pool["projection"]


def test_a_negative_net_is_not_transferred_but_listed_and_reconciles(tmp_path: Path) -> None:
    # December, TK/0, TPP 8,000,000; the year to date: 300,000,000 of TPP on which nothing was withheld.
    # T = 308,000,000; BJ 6,000,000; PKP 308,000,000 − 6,000,000 − 54,000,000 = 248,000,000; tax 3,000,000 +
    # 15 % × 188,000,000 = 31,200,000, all of it now: net 8,000,000 − BPJS 80,000 − 31,200,000 = −23,280,000.
    wh = _locked(tmp_path, "2025-12", 8_000_000, ytd=(11, 0, 300_000_000, 0, 0))
    _eperf("export", "--period", "2025-12", "--out", tmp_path / "export", "--warehouse", wh)
    register = pl.read_csv(tmp_path / "export" / "pay_register.csv", schema_overrides={"nip": pl.String})
    row = register.row(0, named=True)
    assert (row["pph21_rp"], row["net_rp"]) == (31_200_000, -23_280_000)
    said = _eperf("bankfile", "--period", "2025-12", "--out", tmp_path / "bank.csv", "--warehouse", wh)
    assert "0 transfers written" in said
    assert "not transferred, to recover: 1 employees" in said and f"{NIP}  −Rp 23.280.000" in said
    assert pl.read_csv(tmp_path / "bank.csv", comment_prefix="#").height == 0
    # The payment transfers nothing to them (a recovery is kept in the ledger, not sent) and the bank sent
    # nothing: reconciliation has no transfer of theirs to match (one sent would be paid_not_computed).
    _eperf("reconcile", "--period", "2025-12", "--out", tmp_path / "rekon", "--warehouse", wh)
    people = pl.read_csv(tmp_path / "rekon" / "reconciliation.csv", schema_overrides={"nip": pl.String})
    assert people.filter(pl.col("nip") == NIP).is_empty()
