"""HR's month in the warehouse: ingest, run, approve, lock, late data, corrections, audit.

The city is generated with two months, then cut into the feeds HR receives: month 1's exports,
late data for month 1 after its lock (new approved activities, a corrected attendance row), and
month 2's exports. A correction must equal what ``eperf run --data`` computes on month 1's
exports with the late data in them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from engine import SOURCES, Period
from pipelines.cli import app
from pipelines.faults import HOLD_AT
from pipelines.finance import outlook
from pipelines.month.outputs import write_folder
from pipelines.month.run import RUN_KIND, month_from_folder
from pipelines.sources import CONTRACTS
from pipelines.warehouse import lifecycle
from pipelines.warehouse.ingest import ingest
from pipelines.warehouse.store import Refused, kept_outputs, open_warehouse
from pipelines.warehouse.ytd import year_to_date
from tests.conftest import GENERATED_MONTHS
from tests.folders import snapshot

M1, M2 = (Period.parse(m) for m in GENERATED_MONTHS)
LOG = Path("ekinerja/activity_log")
ATT = Path("eabsensi/attendance.csv")
CLOCKED = ("manifest.json",)  # it records when the run was computed
EPERF = [sys.executable, "-c", "from pipelines.cli import main; main()"]


@pytest.fixture(scope="module")
def city(generated_city: Path) -> Path:
    return generated_city


def _attendance(city: Path) -> pl.DataFrame:
    return pl.read_csv(city / ATT, infer_schema=False)


def month_feed(city: Path, out: Path, period: Period, first: bool) -> Path:
    """``period``'s exports: its log partition and attendance rows, and (``first``) every
    other file; month 2's feed adds no SP2D."""
    if first:
        shutil.copytree(city, out, ignore=shutil.ignore_patterns("activity_log", "attendance.csv"))
    else:
        (out / "eabsensi").mkdir(parents=True)
    shutil.copytree(city / LOG / f"period={period}", out / LOG / f"period={period}")
    _attendance(city).filter(pl.col("work_date").str.starts_with(str(period))).write_csv(out / ATT)
    return out


@pytest.fixture(scope="module")
def late(city: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Late data for month 1: three approved activities for the least productive employee, on
    her present day with the fewest logged minutes, and one attendance row corrected from TK to
    on time for another."""
    folder = tmp_path_factory.mktemp("late")
    log = pl.read_parquet(city / LOG / f"period={M1}", hive_partitioning=False)
    attendance = _attendance(city).filter(pl.col("work_date").str.starts_with(str(M1)))
    absent = attendance.filter(pl.col("status") == "TK").row(0, named=True)
    register = month_from_folder(city, M1).result.pay_register.to_native()
    nip = register.filter(pl.col("nip") != absent["nip"]).sort("productivity_bp", "nip")["nip"][0]
    worker = log.filter(pl.col("nip") == nip, pl.col("status") == "approved").row(0, named=True)
    present = attendance.filter(pl.col("nip") == nip, pl.col("status") == "H").select(
        pl.col("work_date").str.to_date())
    day = (present.join(log.filter(pl.col("nip") == nip).group_by("work_date").len(), on="work_date", how="left")
           .sort(pl.col("len").fill_null(0), "work_date")["work_date"][0])
    added = pl.DataFrame([{**worker, "log_id": f"LATE-{i}", "work_date": day, "quantity": 1} for i in range(3)],
                         schema=log.schema)
    (folder / LOG / f"period={M1}").mkdir(parents=True)
    added.write_parquet(folder / LOG / f"period={M1}" / "late.parquet")
    corrected = pl.DataFrame([{**absent, "status": "H", "check_in": "07:00", "check_out": "16:00"}])
    (folder / "eabsensi").mkdir()
    corrected.write_csv(folder / ATT)
    return {"folder": folder, "log_nip": worker["nip"], "attendance_nip": absent["nip"],
            "attendance": corrected, "added": added}


def truth_for_month1(city: Path, late: dict[str, object], out: Path) -> Path:
    """Month 1's exports as they would have been with the late data in them."""
    data = month_feed(city, out, M1, first=True)
    shutil.copy(Path(str(late["folder"])) / LOG / f"period={M1}" / "late.parquet", data / LOG / f"period={M1}")
    corrected = late["attendance"]
    assert isinstance(corrected, pl.DataFrame)
    (pl.read_csv(data / ATT, infer_schema=False)
     .join(corrected, on=["nip", "work_date"], how="anti").vstack(corrected.select(
         pl.read_csv(data / ATT, infer_schema=False, n_rows=0).columns)).write_csv(data / ATT))
    return data


def register(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop("run_id").sort("nip")


def test_the_hr_month(city: Path, late: dict[str, object], tmp_path: Path) -> None:
    store = tmp_path / "warehouse.duckdb"
    feed1 = month_feed(city, tmp_path / "feed1", M1, first=True)
    with open_warehouse(store, "hr-1", create=True) as wh:
        first = ingest(wh, feed1)
    assert all(f.rejected == 0 for f in first.files) and first.late == {}

    with open_warehouse(store, "hr-1") as wh:
        locked, month1, new = lifecycle.keep_draft(wh, M1)
        assert new and locked.status == "draft"
        lifecycle.approve(wh, M1)
        lifecycle.lock(wh, M1)
        write_folder(tmp_path / "locked-before", RUN_KIND, lifecycle.export(wh, M1)[1])
    # The warehouse computes what the file run computes on the same exports.
    assert register(month1.result.pay_register.to_native()).equals(
        register(month_from_folder(feed1, M1).result.pay_register.to_native()))

    # The same file twice adds nothing.
    with open_warehouse(store, "hr-1") as wh:
        again = ingest(wh, feed1)
        assert all(f.load_id is None for f in again.files)
        assert wh.rows("select count(*) from src_activity_log")[0][0] == pl.scan_parquet(
            feed1 / LOG / "**" / "*.parquet", hive_partitioning=False).select(pl.len()).collect().item()

    with open_warehouse(store, "hr-2") as wh:
        arrived = ingest(wh, Path(str(late["folder"])))
    assert arrived.late == {str(M1): ["ekinerja/activity_log", "eabsensi/attendance"]}
    [att_load] = [f for f in arrived.files if f.file == ATT.as_posix()]
    assert (att_load.inserted, att_load.replaced) == (0, 1)

    with open_warehouse(store, "hr-2") as wh:
        ingest(wh, month_feed(city, tmp_path / "feed2", M2, first=False))
        _, month2, _ = lifecycle.keep_draft(wh, M2)
        with pytest.raises(Refused, match="locked"):
            lifecycle.keep_draft(wh, M1)
        correction = lifecycle.adjust(wh, M1)
        write_folder(tmp_path / "locked-after", RUN_KIND, lifecycle.export(wh, M1)[1])
    # Under TER the warehouse's year to date for M2 is the ingested one (before M1) and M1 as locked; a data
    # directory's covers every month before M2, so it gets the same.
    data2 = Path(shutil.copytree(city, tmp_path / "data2"))
    ytd = pl.read_csv(city / "hr" / "pph21_ytd.csv", schema_overrides={"nip": pl.String})
    year_to_date(ytd, {M1: month1.result.pay_register.to_native()}, M2).write_csv(data2 / "hr" / "pph21_ytd.csv")
    assert register(month2.result.pay_register.to_native()).equals(
        register(month_from_folder(data2, M2).result.pay_register.to_native()))

    # The correction recomputes the two employees whose own data arrived late, at the rate the
    # locked run paid their pool (scale: floor(entitlement × pool / Σ entitlement) when it bound);
    # everyone else keeps the locked pay (docs/decisions.md, "A correction touches only who changed").
    was = pl.read_parquet(tmp_path / "locked-before" / "pay_register.parquet")
    pools = pl.read_parquet(tmp_path / "locked-before" / "pool_summary.parquet")
    now = month_from_folder(truth_for_month1(city, late, tmp_path / "truth"), M1).result.pay_register.to_native()
    got = correction.rows
    assert set(got["nip"]) == {late["log_nip"], late["attendance_nip"]}
    assert (got["delta_rp"] == got["now"] - got["locked"]).all()
    for nip in (late["log_nip"], late["attendance_nip"]):
        mine = dict(got.filter(pl.col("nip") == nip).select("field", "now").iter_rows())
        truth = now.filter(pl.col("nip") == nip).row(0, named=True)
        pool = pools.filter(pl.col("pool_id") == truth["pool_id"]).row(0, named=True)
        expected = (truth["entitlement_rp"] * pool["pool_rp"] // pool["entitlement_rp"] if pool["binding"]
                    else truth["entitlement_rp"])
        assert mine["entitlement_rp"] == truth["entitlement_rp"] and mine["pay_rp"] == expected
    adjusted = correction.run.run_id
    with open_warehouse(store) as wh:
        corrected = kept_outputs(wh, adjusted)["pay_register"]
    others = pl.col("nip").is_in([late["log_nip"], late["attendance_nip"]]).not_()
    assert register(corrected.filter(others)).equals(register(was.filter(others)))
    # Its total shows in the budget, per pool, against what remains.
    with open_warehouse(store) as wh:
        rows = outlook.budget(wh, M1)[1].filter(pl.col("level") == "pool")
    pay_deltas = got.filter(pl.col("field") == "pay_rp").join(was.select("nip", "pool_id"), on="nip")
    expected_corrections = dict(pay_deltas.group_by("pool_id").agg(pl.col("delta_rp").sum()).iter_rows())
    assert {k: v for k, v in rows.select("pool_id", "corrections_rp").iter_rows() if v} == expected_corrections
    reasons = dict(got.select("nip", "reason").unique().iter_rows())
    assert "ekinerja/activity_log" in reasons[late["log_nip"]]
    assert "eabsensi/attendance" in reasons[late["attendance_nip"]]
    # Three more activities and a day no longer TK can only raise pay.
    for nip in (late["log_nip"], late["attendance_nip"]):
        assert got.filter(pl.col("nip") == nip, pl.col("field") == "pay_rp")["delta_rp"].item() > 0

    # The locked month's outputs are unchanged, byte for byte.
    assert snapshot(tmp_path / "locked-after", CLOCKED) == snapshot(tmp_path / "locked-before", CLOCKED)


def test_a_draft_rerun_on_unchanged_inputs_is_identical(city: Path, tmp_path: Path) -> None:
    store = tmp_path / "w.duckdb"
    with open_warehouse(store, create=True) as wh:
        ingest(wh, month_feed(city, tmp_path / "feed1", M1, first=True))
        first, _, _ = lifecycle.keep_draft(wh, M1)
        write_folder(tmp_path / "a", RUN_KIND, lifecycle.export(wh, M1)[1])
    with open_warehouse(store) as wh:
        second, _, new = lifecycle.keep_draft(wh, M1)
        write_folder(tmp_path / "b", RUN_KIND, lifecycle.export(wh, M1)[1])
    assert (second.run_id, new) == (first.run_id, False)
    assert snapshot(tmp_path / "a", CLOCKED) == snapshot(tmp_path / "b", CLOCKED)


def test_lifecycle_refusals(city: Path, tmp_path: Path) -> None:
    store = tmp_path / "w.duckdb"
    cli = CliRunner()
    args = ["--warehouse", str(store)]
    refused = cli.invoke(app, ["run", "--period", str(M1), *args])
    assert refused.exit_code == 3 and "eperf ingest" in refused.output
    assert cli.invoke(app, ["ingest", "--data", str(month_feed(city, tmp_path / "f", M1, True)), *args]).exit_code == 0
    for command, needs in ((["approve"], "eperf run"), (["lock"], "eperf run"),
                           (["unlock", "--reason", "x"], "nothing to unlock"),
                           (["adjust", "--out", "x"], "not locked")):
        result = cli.invoke(app, [*command, "--period", str(M1), *args])
        assert result.exit_code == 3 and needs in result.output, (command, result.output)
    ran = cli.invoke(app, ["run", "--period", str(M1), *args])
    assert ran.exit_code == 0
    # The run is mirrored as hive-partitioned Parquet beside the DuckDB file, named by its run id.
    run_id = ran.stdout.splitlines()[0]
    [mirrored] = (tmp_path / "w" / "pay_register" / f"period={M1}").iterdir()
    assert mirrored.name == f"{run_id}.parquet"
    assert cli.invoke(app, ["export", "--period", str(M1), "--out", str(tmp_path / "x"), *args]).exit_code == 0
    assert pl.read_parquet(mirrored).equals(pl.read_parquet(tmp_path / "x" / "pay_register.parquet"))
    result = cli.invoke(app, ["lock", "--period", str(M1), *args])
    assert result.exit_code == 3 and "eperf approve" in result.output
    assert cli.invoke(app, ["approve", "--period", str(M1), *args]).exit_code == 0
    assert cli.invoke(app, ["lock", "--period", str(M1), *args]).exit_code == 0
    result = cli.invoke(app, ["unlock", "--period", str(M1), "--reason", " ", *args])
    assert result.exit_code == 3 and "reason" in result.output
    unlocked = cli.invoke(app, ["unlock", "--period", str(M1), "--reason", "SK PLT terlambat", "--by", "kabid", *args])
    assert unlocked.exit_code == 0 and "draft" in unlocked.output
    trail = cli.invoke(app, ["audit", *args]).output.splitlines()
    assert [line.split()[5] for line in trail] == ["ingest", "run", "approve", "lock", "unlock"]
    assert all(line.split()[3] == "WIB" for line in trail)  # the city's clock, said
    assert "kabid" in trail[-1] and "SK PLT terlambat" in trail[-1]
    # The ingest entry lists every file: cut to a line that says how to see it whole, and whole with --full.
    assert trail[0].endswith("… (--full shows it whole)")
    whole = cli.invoke(app, ["audit", "--full", *args]).output.splitlines()
    assert len(whole[0]) > len(trail[0]) and whole[0].rstrip().endswith("}")
    assert json.loads(whole[0][whole[0].index("{"):])["files"]
    listed = cli.invoke(app, ["runs", *args]).output.splitlines()
    assert listed[0].split() == ["run", "period", "kind", "status", "computed", "approved", "locked"]
    assert len(listed) == 2 and listed[1].split()[3] == "draft" and listed[1].split()[-2:] == ["-", "-"]  # unlocked
    assert cli.invoke(app, ["approve", "--period", str(M1), "--by", "sekretaris", *args]).exit_code == 0
    assert cli.invoke(app, ["lock", "--period", str(M1), "--by", "kepala-bkpsdm", *args]).exit_code == 0
    signed = cli.invoke(app, ["runs", "--period", str(M1), *args]).output.splitlines()[1]
    assert "sekretaris" in signed and "kepala-bkpsdm" in signed and signed.count("WIB") == 3
    assert cli.invoke(app, ["runs", "--period", "2024-01", *args]).output == "no run kept for 2024-01\n"


def _start(args: list[str], store: Path) -> subprocess.Popen[str]:
    """The command started and held just before it commits until the test lets it go
    (:mod:`pipelines.faults`): no clock decides when it goes on."""
    proc = subprocess.Popen([*EPERF, *args, "--warehouse", str(store)], env={**os.environ, HOLD_AT: "before-commit"},
                            text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    for line in proc.stderr:
        if "holding at before-commit" in line:
            return proc
    _, err = proc.communicate()
    raise AssertionError(f"the command ended without reaching its commit: {err}")


def _state(store: Path) -> tuple[object, ...]:
    with open_warehouse(store) as wh:
        return tuple(wh.rows(f"select count(*) from {t}")[0][0]
                     for t in ("loads", "rejects", "runs", "audit", "src_activity_log", "src_attendance"))


@pytest.mark.parametrize("command", ["ingest", "run"])
def test_a_killed_command_leaves_the_warehouse_as_it_was(city: Path, tmp_path: Path, command: str) -> None:
    store = tmp_path / "w.duckdb"
    with open_warehouse(store, create=True) as wh:
        ingest(wh, month_feed(city, tmp_path / "feed1", M1, first=True))
    before = _state(store)
    args = (["ingest", "--data", str(month_feed(city, tmp_path / "feed2", M2, first=False))] if command == "ingest"
            else ["run", "--period", str(M1)])
    proc = _start(args, store)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert _state(store) == before


def test_commands_on_one_warehouse_take_turns(city: Path, tmp_path: Path) -> None:
    store = tmp_path / "w.duckdb"
    with open_warehouse(store, create=True) as wh:
        ingest(wh, month_feed(city, tmp_path / "feed1", M1, first=True))
    first = _start(["run", "--period", str(M1)], store)  # held until we let it go
    with pytest.raises(Refused, match="in use by another eperf command"):
        with open_warehouse(store, wait_seconds=0):
            pass
    assert first.stdin is not None
    first.stdin.write("\n")  # the run goes on and commits
    first.stdin.flush()
    with open_warehouse(store, wait_seconds=3600) as wh:  # waits for the run to finish, however long it takes
        assert [r.status for r in lifecycle.kept_runs(wh)] == ["draft"]
    first.communicate()
    assert first.returncode == 0


def test_ingest_lines_stay_aligned_whatever_the_paths(city: Path, tmp_path: Path) -> None:
    args = ["--warehouse", str(tmp_path / "w.duckdb")]
    lines = CliRunner().invoke(app, ["ingest", "--data", str(city), *args]).stdout.splitlines()
    files = [line for line in lines if " load " in line]
    assert len(files) > 10 and max(len(line.split("  load")[0].rstrip()) for line in files) > 48  # long paths
    assert len({line.index("  load ") for line in files}) == 1
    # A run counts the rows it read: the month's, not every row of every month the warehouse holds.
    assert CliRunner().invoke(app, ["run", "--period", str(M1), "--out", str(tmp_path / "run"), *args]).exit_code == 0
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    with open_warehouse(tmp_path / "w.duckdb") as wh:
        month_rows = {f"warehouse:{CONTRACTS[name].path}": wh.table(name, M1).height for name in SOURCES}
        held = sum(int(wh.rows(f"select count(*) from src_{name}")[0][0]) for name in CONTRACTS)
    assert {i["file"]: i["rows_read"] for i in manifest["inputs"]} == month_rows
    assert manifest["rows"]["read"] == sum(month_rows.values()) < held


def test_a_correction_is_approved_locked_paid_and_superseded_like_a_run(city: Path, late: dict[str, object],
                                                                        tmp_path: Path) -> None:
    store = ["--warehouse", str(tmp_path / "w.duckdb")]
    cli = CliRunner()

    def eperf(*args: str) -> tuple[int, str]:
        result = cli.invoke(app, [*args, *store])
        return result.exit_code, result.output

    feed1 = month_feed(city, tmp_path / "feed1", M1, first=True)
    shutil.rmtree(feed1 / "epayment")  # e-Payment's export of the month comes below
    for args in (["ingest", "--data", str(feed1)], ["run", "--period", str(M1)], ["approve", "--period", str(M1)],
                 ["lock", "--period", str(M1)], ["ingest", "--data", str(late["folder"])],
                 ["adjust", "--period", str(M1), "--out", str(tmp_path / "rapel")]):
        assert eperf(*args)[0] == 0, args
    bank = ["bankfile", "--period", str(M1), "--correction", "--out", str(tmp_path / "rapel.csv")]
    code, said = eperf(*bank)
    assert code == 3 and "is draft" in said and not (tmp_path / "rapel.csv").exists()
    assert eperf("lock", "--period", str(M1), "--correction")[0] == 3  # approve first
    assert "is approved" in eperf("approve", "--period", str(M1), "--correction")[1]
    assert "is locked" in eperf("lock", "--period", str(M1), "--correction")[1]
    # A rapel pays what the correction adds to what was issued: the month is paid first.
    code, said = eperf(*bank)
    assert code == 3 and "pay the month first" in said and not (tmp_path / "rapel.csv").exists()
    month = eperf("bankfile", "--period", str(M1), "--out", str(tmp_path / "month.csv"))
    assert month[0] == 0, month[1]
    assert eperf(*bank)[0] == 0
    # The rapel transfers are the positive net deltas of adjustment.csv, to the Rupiah.
    rows = pl.read_csv(tmp_path / "rapel" / "adjustment.csv", schema_overrides={"nip": pl.String})
    payable = rows.filter(pl.col("field") == "net_rp", pl.col("delta_rp") > 0).select("nip", "delta_rp")
    transfers = pl.read_csv(tmp_path / "rapel.csv", schema_overrides={"nip": pl.String}, comment_prefix="#")
    assert sorted(transfers.select("nip", "net_rp").rows()) == sorted(payable.rows()) and payable.height > 0
    # e-Payment pays the month (every employee's locked net) and then the rapel, on SP2D of its
    # own numbered with its payment id: each payment reconciled with its own SP2D and transfers,
    # every employee is matched in both (no duplicate, no overpayment).
    assert eperf("export", "--period", str(M1), "--out", str(tmp_path / "locked"))[0] == 0
    locked = pl.read_csv(tmp_path / "locked" / "pay_register.csv", schema_overrides={"nip": pl.String})
    rapel = transfers.join(locked.select("nip", "opd_code"), on="nip")
    paid = pl.concat([
        locked.filter(pl.col("net_rp") > 0).select(pl.format("{}/SP2D/LS/TPP-{}/2025", "opd_code", pl.lit(str(M1)))
                                                   .alias("sp2d_no"), "nip", "net_rp", "opd_code"),
        rapel.select(pl.format("{}/SP2D/LS/TPP-{}-RAPEL-1/2025", "opd_code", pl.lit(str(M1))).alias("sp2d_no"),
                     "nip", "net_rp", "opd_code")])
    export = tmp_path / "epayment"
    (export / "epayment").mkdir(parents=True)
    paid.select("sp2d_no", "nip", pl.lit(str(M1)).alias("period"), "net_rp",
                pl.lit("success").alias("status")).write_csv(export / "epayment" / "transfers.csv")
    paid.group_by("sp2d_no", "opd_code").agg(pl.col("net_rp").sum().alias("gross_rp")).select(
        "sp2d_no", pl.lit(M1.last_day).alias("sp2d_date"), pl.lit(M1.year).alias("fiscal_year"), "opd_code",
        pl.lit("5.1.01.02.01.0001").alias("account_code"), pl.lit(str(M1)).alias("period"), "gross_rp",
        pl.lit("paid").alias("status")).write_csv(export / "epayment" / "sp2d.csv")
    assert eperf("ingest", "--data", str(export))[0] == 0
    assert eperf("reconcile", "--period", str(M1), "--out", str(tmp_path / "rekon"))[0] == 0
    reconciled = pl.read_csv(tmp_path / "rekon" / "reconciliation.csv", schema_overrides={"nip": pl.String})
    assert set(reconciled["class"]) == {"matched"}
    assert dict(reconciled.group_by("payment_id").len().iter_rows()) == {
        f"TPP-{M1}": locked.filter(pl.col("net_rp") > 0).height, f"TPP-{M1}-RAPEL-1": transfers.height}
    # Nothing new: nothing to correct; the locked correction stands.
    code, said = eperf("adjust", "--period", str(M1), "--out", str(tmp_path / "again"))
    assert code == 3 and "nothing new to correct" in said
    # Paid: the month is not unlocked; a change after payment is a correction.
    code, said = eperf("unlock", "--period", str(M1), "--reason", "SK PLT terlambat")
    assert code == 3 and "eperf adjust" in said


def test_an_exported_manifest_counts_the_rejects_it_ships(city: Path, tmp_path: Path) -> None:
    """The manifest of a run from the warehouse once said 0 rejected while its rejects.parquet
    listed the loads' rejected rows (issue 19): both now count the same rows."""
    feed = month_feed(city, tmp_path / "feed1", M1, first=True)
    attendance = pl.read_csv(feed / ATT, infer_schema=False)
    attendance.with_columns(pl.when(pl.int_range(pl.len()) < 3).then(pl.lit("XX")).otherwise("status")
                            .alias("status")).write_csv(feed / ATT)
    cli = CliRunner()
    store = ["--warehouse", str(tmp_path / "w.duckdb")]
    for args in (["ingest", "--data", str(feed)], ["run", "--period", str(M1)],
                 ["export", "--period", str(M1), "--out", str(tmp_path / "out")]):
        assert cli.invoke(app, [*args, *store]).exit_code == 0, args
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    rejects = pl.read_parquet(tmp_path / "out" / "rejects.parquet")
    assert manifest["rows"]["rejected"] == rejects.select("file", "row").n_unique() == 3


@pytest.mark.parametrize(("option", "value"), [
    ("--by", "kabid\n    9 2025-10-01 00:00:00 kepala     lock"),  # a newline forging a line of `eperf audit`
    ("--by", "kabid\r"),
    ("--by", "kabid\u202egnol"),  # a right-to-left override turning what follows around on screen
    ("--reason", "SK PLT\n    9 forged"),
    ("--reason", "x" * 201),
])
def test_who_and_why_are_one_line_of_printable_text(city: Path, tmp_path: Path, option: str, value: str) -> None:
    cli = CliRunner()
    store = ["--warehouse", str(tmp_path / "w.duckdb")]
    for args in (["ingest", "--data", str(month_feed(city, tmp_path / "feed1", M1, first=True))],
                 ["run", "--period", str(M1)], ["approve", "--period", str(M1)]):
        assert cli.invoke(app, [*args, *store]).exit_code == 0
    before = cli.invoke(app, ["audit", *store]).output
    command = ["unlock", "--period", str(M1), "--reason", "x"] if option == "--by" else ["unlock", "--period", str(M1)]
    refused = cli.invoke(app, [*command, option, value, *store])
    assert refused.exit_code == 2
    [line] = refused.stderr.strip().splitlines()
    assert f"{option} must be one line of printable text" in line
    assert cli.invoke(app, ["audit", *store]).output == before
    fine = cli.invoke(app, ["unlock", "--period", str(M1), "--reason", "x" * 200, "--by", "kabid-bkpsdm", *store])
    assert fine.exit_code == 0, fine.output
