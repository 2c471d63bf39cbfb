"""Finance: budget validation, reconciliation with e-Payment, the bank file, the reports.

A generated city's month is run, approved and locked in a warehouse; then a simulated e-Payment
export pays it with known exceptions and over-spends one OPD. ``budget`` must flag exactly that
OPD, ``reconcile`` find exactly the seeded exceptions with their amounts, and the reports'
totals equal the register's.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from engine import Period
from pipelines.cli import app
from pipelines.finance import outlook, reconciliation
from pipelines.finance.payments import simulate_payments
from pipelines.finance.reports import sheet_names
from pipelines.month.run import table_folder
from pipelines.synthetic.city import generate_city
from pipelines.warehouse import ledger, lifecycle
from pipelines.warehouse.ingest import ingest
from pipelines.warehouse.store import Refused, audit_trail, kept_outputs, open_warehouse
from tests.browser import SCREENSHOTS, needs_chromium, needs_libreoffice, open_page

P = Period.parse("2025-10")


@pytest.fixture(scope="module")
def paid(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A warehouse with 2025-10 locked and its simulated e-Payment export ingested."""
    root = tmp_path_factory.mktemp("finance")
    generate_city(root / "city", employees=300, seed=3, months=[str(P)])
    store = root / "w.duckdb"
    with open_warehouse(store, create=True) as wh:
        ingest(wh, root / "city")
        run, _, _ = lifecycle.keep_draft(wh, P)
        lifecycle.approve(wh, P)
        lifecycle.lock(wh, P)
        register = kept_outputs(wh, run.run_id)["pay_register"]
        files, over_spent = simulate_payments(wh, P, seed=4)
    table_folder(files)(root / "epayment-export")
    seeded = files["seeded.csv"]
    with open_warehouse(store) as wh:
        payments = ingest(wh, root / "epayment-export")
    return {"store": store, "register": register, "seeded": seeded, "over_spent": over_spent,
            "export": root / "epayment-export", "city": root / "city", "payments": payments}


def test_payments_are_not_late_data_for_the_month_they_pay(paid: dict[str, object]) -> None:
    # Transfers are no input of the pay, and SP2D only of the budget: nothing to correct.
    payments = paid["payments"]
    assert [f.file for f in payments.files] == ["epayment/sp2d.csv", "epayment/transfers.csv"]  # type: ignore[attr-defined]
    assert payments.late == {}  # type: ignore[attr-defined]


def test_budget_flags_exactly_the_over_spent_opd(paid: dict[str, object]) -> None:
    with open_warehouse(Path(str(paid["store"]))) as wh:
        _, check = outlook.budget(wh, P)
    failing = check.filter(pl.col("status") == "FAIL")
    assert set(failing["pool_id"]) == {paid["over_spent"]}
    assert failing.filter(pl.col("level") == "pool").height == 1
    pool = failing.filter(pl.col("level") == "pool").row(0, named=True)
    # realized now includes the extra SP2D: it leaves Rp 1,000,000 less than this run's gross.
    assert pool["remaining_rp"] == -1_000_000
    assert pool["projected_rp"] == pool["realized_rp"] + pool["this_run_rp"] * P.months_left
    # One rule for pools and accounts (October, no extra payment: 2 payments to come); each pool's
    # accounts take their part of it, to the Rupiah, so they add up to it, projection included.
    spent = check.filter(pl.col("level") != "city")
    pools = spent.filter(pl.col("level") == "pool")
    pay = pl.col("this_run_rp") - pl.col("extra_rp")
    rule = pl.col("realized_rp") + pl.col("this_run_rp") + pay * 2 + pl.col("corrections_rp")
    assert pools.filter(pl.col("projected_rp") != rule).is_empty()
    assert spent.filter(pl.col("remaining_rp") != pl.col("pagu_rp") - pl.col("realized_rp") - pl.col("this_run_rp")
                        - pl.col("corrections_rp")).is_empty()
    sums = ("pagu_rp", "realized_rp", "this_run_rp", "extra_rp", "corrections_rp", "remaining_rp", "projected_rp")
    accounts = spent.filter(pl.col("level") == "account")
    assert accounts.group_by("pool_id").agg(pl.col(sums).sum()).sort("pool_id").equals(
        pools.select("pool_id", *sums).sort("pool_id"))
    # An account is flagged only where its pool is, or where it was over before this run.
    flagged = accounts.filter(pl.col("status") != "OK").join(pools.select("pool_id", pool_status="status"),
                                                             on="pool_id")
    assert flagged.filter(pl.col("pool_status") == "OK", pl.col("realized_rp") <= pl.col("pagu_rp")).is_empty()
    words = ("projected to December = realized + this run + this month's pay × 2 payments to come (2 months) + "
             "correction, for pools and TPP accounts alike; each account takes its part of its pool's amounts")
    assert spent["projection"].str.starts_with(words).all()
    result = CliRunner().invoke(app, ["budget", "--period", str(P), "--warehouse", str(paid["store"])])
    assert result.stdout.splitlines()[1].strip().startswith(words)  # said once, under the title
    assert result.exit_code == 1 and f"FAIL  pool     {paid['over_spent']}" in result.output
    # The line says why: this run's pay and the Rp 1.000.000 it leaves missing.
    line = next(x for x in result.stdout.splitlines() if x.startswith(f"FAIL  pool     {paid['over_spent']}"))
    assert f"this run Rp {pool['this_run_rp']:,}".replace(",", ".") in line and "remaining Rp -1.000.000" in line
    assert pool["opd_name"] and f"{paid['over_spent']} {pool['opd_name']}:" in line  # the OPD named (hr/opd.csv)
    # Every row that is not OK is printed and counted, accounts and city included.
    not_ok = check.filter(pl.col("status") != "OK")
    assert len([x for x in result.stdout.splitlines() if x[:4] in ("WARN", "FAIL")]) == not_ok.height
    assert f"FAIL {failing.height}" in result.stdout.splitlines()[-1]


def test_reconcile_finds_exactly_the_seeded_exceptions(paid: dict[str, object], tmp_path: Path) -> None:
    register = paid["register"]
    seeded = paid["seeded"]
    assert isinstance(register, pl.DataFrame) and isinstance(seeded, pl.DataFrame)
    result = CliRunner().invoke(app, ["reconcile", "--period", str(P), "--out", str(tmp_path),
                                      "--warehouse", str(paid["store"])])
    assert result.exit_code == 0, result.output
    people = pl.read_csv(tmp_path / "reconciliation.csv", schema_overrides={"nip": pl.String})
    assert people.columns == ["payment_id", "nip", "class", "computed_net_rp", "transferred_rp", "difference_rp"]
    assert set(people["payment_id"]) == {f"TPP-{P}"}  # the month, not yet paid by a bank file: the locked run
    exceptions = people.filter(pl.col("class") != "matched")
    assert sorted(exceptions.select("nip", "class").iter_rows()) == sorted(seeded.iter_rows())
    net = dict(register.select("nip", "net_rp").iter_rows())
    expected_difference = {"underpaid": lambda n: -50_000, "overpaid": lambda n: 75_000,
                           "duplicate_transfer": lambda n: net[n], "failed_transfer": lambda n: -net[n],
                           "computed_not_paid": lambda n: -net[n], "paid_not_computed": lambda n: 1_500_000,
                           "paid_without_sp2d": lambda n: 0}  # the right amount, but no SP2D covers it
    for nip, kind, difference in exceptions.select("nip", "class", "difference_rp").iter_rows():
        assert difference == expected_difference[kind](nip), (nip, kind)
    # Totals tie: computed is the register's net, transferred what e-Payment paid successfully.
    transfers = pl.read_csv(Path(str(paid["export"])) / "epayment" / "transfers.csv",
                            schema_overrides={"nip": pl.String})
    assert people["computed_net_rp"].sum() == register["net_rp"].sum()
    assert people["transferred_rp"].sum() == transfers.filter(pl.col("status") == "success")["net_rp"].sum()
    # Per OPD: the SP2D gross differs from the run only by the duplicate and stray payments.
    opds = pl.read_csv(tmp_path / "reconciliation_opd.csv")
    extra = transfers.filter(pl.col("sp2d_no").str.contains("SUSULAN")).with_columns(
        opd_code=pl.col("sp2d_no").str.extract(r"^([^/]+)/")).group_by("opd_code").agg(pl.col("net_rp").sum())
    assert dict(opds.filter(pl.col("status") != "tied").select("opd_code", "difference_rp").iter_rows()) == dict(
        extra.iter_rows())


def test_bank_file_only_for_a_locked_run_within_its_budget(paid: dict[str, object], tmp_path: Path) -> None:
    store, unlocked = tmp_path / "w.duckdb", tmp_path / "unlocked.duckdb"
    shutil.copy(Path(str(paid["store"])), store)
    shutil.copy(Path(str(paid["store"])), unlocked)
    cli = CliRunner()

    def eperf(*args: str, warehouse: Path = store) -> tuple[int, str]:
        result = cli.invoke(app, [*args, "--warehouse", str(warehouse)])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result.exit_code, result.output

    # Not locked: no bank file, no reconciliation.
    assert eperf("unlock", "--period", str(P), "--reason", "test", warehouse=unlocked)[0] == 0
    code, said = eperf("bankfile", "--period", str(P), "--out", str(tmp_path / "b2.csv"), warehouse=unlocked)
    assert code == 3 and "locked" in said and not (tmp_path / "b2.csv").exists()
    with open_warehouse(unlocked) as wh, pytest.raises(Refused):
        reconciliation.reconcile(wh, P)
    # The simulated export over-spent one OPD: `budget` FAILs its pool and account, and so the bank
    # file is refused, naming them, until paid over budget with a reason (issue 19, item 3).
    bank = ["bankfile", "--period", str(P), "--out", str(tmp_path / "bank.csv")]
    code, said = eperf(*bank)
    assert code == 3 and f"pool {paid['over_spent']}" in said and "--over-budget --reason" in said
    assert not (tmp_path / "bank.csv").exists()
    code, said = eperf(*bank, "--over-budget", "--reason", "SK Wali Kota: pagu perubahan menyusul")
    assert code == 0, said
    assert f"paid over budget (pool {paid['over_spent']}" in said
    bank_rows = pl.read_csv(tmp_path / "bank.csv", infer_schema=False, comment_prefix="#")
    register = paid["register"]
    assert isinstance(register, pl.DataFrame)
    employees = pl.read_csv(Path(str(paid["city"])) / "hr" / "employees.csv", infer_schema=False)
    assert bank_rows.height == register.filter(pl.col("net_rp") > 0).height
    assert bank_rows.drop("net_rp").join(employees.select("nip", "name", "bank_account"),
                                         on=["nip", "name", "bank_account"], how="anti").height == 0  # unmasked
    # The reason is in the audit trail with the failing rows, and in the ledger.
    with open_warehouse(store) as wh:
        [entry] = [e for e in audit_trail(wh) if e.action == "bank file"]
        [payment] = ledger.payments(wh, P)
    assert "pagu perubahan menyusul" in entry.detail and f"pool {paid['over_spent']}" in entry.detail
    assert payment.over_budget is not None and "pagu perubahan menyusul" in payment.over_budget
    # Paid: the month is never unlocked again (issue 19, item 1); a change is a correction.
    code, said = eperf("unlock", "--period", str(P), "--reason", "late data")
    assert code == 3 and "eperf adjust" in said


@pytest.fixture(scope="module")
def reports(paid: dict[str, object], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The period's reports written once: ``nominatif.xlsx`` and ``dashboard.html``."""
    out = tmp_path_factory.mktemp("reports")
    result = CliRunner().invoke(app, ["report", "--period", str(P), "--out", str(out),
                                      "--warehouse", str(paid["store"])])
    assert result.exit_code == 0, result.output
    return out


def test_reports_total_the_register(paid: dict[str, object], reports: Path) -> None:
    import openpyxl

    register = paid["register"]
    assert isinstance(register, pl.DataFrame)
    book = openpyxl.load_workbook(reports / "nominatif.xlsx", read_only=True)
    opds = sorted(register["opd_code"].unique())
    # Each OPD's sheet is named by its code and name (hr/opd.csv), cut to Excel's 31 characters.
    called = dict(pl.read_csv(Path(str(paid["city"])) / "hr" / "opd.csv", infer_schema=False).iter_rows())
    sheets = sheet_names(["REKAP", *(f"{opd} {called[opd]}" for opd in opds)])
    assert book.sheetnames == list(sheets.values()) and all(sheets[f"{o} {called[o]}"].startswith(o) for o in opds)
    names = set(pl.read_csv(Path(str(paid["city"])) / "hr" / "employees.csv", infer_schema=False)["name"])
    for opd in opds:
        rows = [r for r in book[sheets[f"{opd} {called[opd]}"]].iter_rows(min_row=3, values_only=True)]
        end = next(i for i, r in enumerate(rows) if r[0] == "JUMLAH")
        header, body, total, below = rows[0], rows[1:end], rows[end], rows[end + 1:]
        members = register.filter(pl.col("opd_code") == opd).sort("nip")
        assert len(body) == members.height
        assert total[header.index("TPP neto")] == members["net_rp"].sum()
        assert total[header.index("TPP bruto")] == members["pay_rp"].sum()
        assert not {r[header.index("Nama")] for r in body} & names  # masked
        # Score and discipline as the nominatif prints them: a fraction shown as 96,50 %.
        assert [round(r[header.index("Skor (%)")] * 10_000) for r in body] == members["score_bp"].to_list()
        signed = [cell for r in below for cell in r if cell]
        assert {"Kepala OPD", "Bendahara Pengeluaran"} <= set(signed) and sum("NIP." in c for c in signed) == 2
    rekap = list(book["REKAP"].iter_rows(min_row=3, values_only=True))
    assert rekap[-1][0] == "JUMLAH" and rekap[-1][rekap[0].index("TPP neto")] == register["net_rp"].sum()
    assert rekap[-1][rekap[0].index("Pegawai")] == register.height
    # The six components are ceilings, and every sheet says so above its header.
    assert all(label.startswith("Plafon ") for label in rekap[0][3:9])
    assert [r[1] for r in rekap[1:-1]] == [called[opd] for opd in opds]  # the OPD's name beside its code
    assert str(next(book["REKAP"].iter_rows(min_row=2, max_row=2, values_only=True))[0]).startswith("Kolom plafon")
    book.close()
    printed = openpyxl.load_workbook(reports / "nominatif.xlsx")  # print settings need the full reader
    for sheet in printed.worksheets:
        assert sheet.print_title_rows == "$1:$3"  # title, note and header repeat on every printed page
        # Landscape, fitted to one page wide (fitToWidth left out means 1), as long as it needs.
        assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
    assert (reports / "dashboard.html").stat().st_size > 0
    # The dashboard says budget's projection rule, under its budget table and on its burn-down.
    page = (reports / "dashboard.html").read_text(encoding="utf-8")
    assert "Projected to December = realized + this run + this month&#x27;s pay × 2 payments to come" in page
    burn_down = "projected to December = realized + this run + this month's pay × 2 payments to come (2 months)"
    assert burn_down.replace("×", "\\u00d7") in page  # in the figure's JSON


@needs_chromium
def test_dashboard_draws_every_figure_offline(reports: Path) -> None:
    errors, fetched, plots = open_page(reports / "dashboard.html", "dashboard.png")
    assert (errors, fetched, plots) == ([], [], 4)  # offline, no error, every figure drawn


@needs_libreoffice
def test_workbook_prints(reports: Path, tmp_path: Path) -> None:
    """LibreOffice opens the workbook and prints it to PDF; its first pages become PNGs."""
    workbook = Path(shutil.copy(reports / "nominatif.xlsx", tmp_path))
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(workbook)],
                   check=True, capture_output=True)
    pdf = workbook.with_suffix(".pdf")
    assert pdf.stat().st_size > 10_000
    SCREENSHOTS.mkdir(exist_ok=True)
    for old in SCREENSHOTS.glob("nominatif*.png"):  # so the pages found below are this run's
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(pdf), str(SCREENSHOTS / "nominatif")],
                   check=True, capture_output=True)
    assert sorted(p.name for p in SCREENSHOTS.glob("nominatif*.png"))


def test_money_out_without_a_paid_sp2d_is_its_own_class() -> None:
    a, b, c, d = (f"{i:018d}" for i in range(1, 5))
    register = pl.DataFrame({"nip": [a, b, c, d], "net_rp": [100, 200, 300, 400]})
    sp2d = pl.DataFrame({"sp2d_no": ["S1", "S2"], "status": ["paid", "cancelled"]})
    transfers = pl.DataFrame({"nip": [a, b, c, d], "sp2d_no": ["S1", "S2", "S9", "S1"],
                              "net_rp": [100, 200, 300, 400], "status": ["success", "success", "success", "failed"]})
    out = reconciliation.reconcile_employees(register, transfers, sp2d)
    # b's SP2D was cancelled and c's is not in the export, yet the bank sent their money: not
    # "failed" with Rp 0, but what was sent, listed first among the exceptions; d's transfer failed.
    assert out.rows() == [(a, "matched", 100, 100, 0), (b, "paid_without_sp2d", 200, 200, 0),
                          (c, "paid_without_sp2d", 300, 300, 0), (d, "failed_transfer", 400, 0, -400)]
