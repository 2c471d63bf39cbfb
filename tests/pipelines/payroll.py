"""Test support for money: a warehouse driven through the command line, late data for a locked
month, and what the ledger issued against what is due.

The city is the session's generated one (300 ASN, 2025-10 and 2025-11) without e-Payment's
export: payments are made by the tests' own bank files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from engine import Period
from pipelines.cli import app
from pipelines.synthetic.late import late_exports
from pipelines.warehouse import ledger, lifecycle
from pipelines.warehouse.store import RunStatus, kept_outputs, open_warehouse
from tests.messages import messages

M1, M2 = Period(2025, 10), Period(2025, 11)
LOG_PARTITION = Path("ekinerja/activity_log") / f"period={M1}"
ATTENDANCE = Path("eabsensi/attendance.csv")


class Eperf:
    """``eperf … --warehouse STORE`` in process: (exit code, what it said: its output and its
    sentence on stderr, not its stage lines); never a traceback."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self.runner = CliRunner()

    def __call__(self, *args: str | Path) -> tuple[int, str]:
        result = self.runner.invoke(app, [*(str(a) for a in args), "--warehouse", str(self.store)])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"eperf {' '.join(map(str, args))} ended in a traceback") from result.exception
        return result.exit_code, "\n".join([result.stdout, *messages(result.stderr)])

    def ok(self, *args: str | Path) -> str:
        code, said = self(*args)
        assert code == 0, f"eperf {' '.join(map(str, args))}: exit {code}: {said}"
        return said


def without_payments(city: Path, out: Path) -> Path:
    """The city's exports but e-Payment's."""
    return Path(shutil.copytree(city, out, ignore=shutil.ignore_patterns("epayment")))


def late_feed(city: Path, out: Path, seed: int, attendance_only: bool = False) -> Path:
    """Late data for M1 (:func:`late_exports`: approvals and an absence corrected to present)."""
    late_exports(city, M1, out, seed)
    if attendance_only:
        shutil.rmtree(out / "ekinerja")
    return out


def reverted(city: Path, late: Path, out: Path) -> Path:
    """The attendance rows ``late`` corrected, re-exported with their values before."""
    changed = pl.read_csv(late / ATTENDANCE, infer_schema=False).select("nip", "work_date")
    before = pl.read_csv(city / ATTENDANCE, infer_schema=False).join(changed, on=["nip", "work_date"])
    (out / ATTENDANCE.parent).mkdir(parents=True)
    before.write_csv(out / ATTENDANCE)
    return out


def per_nip(frame: pl.DataFrame, column: str = "net_rp") -> dict[str, int]:
    """``nip → column`` of the non-zero rows."""
    return {nip: value for nip, value in frame.select("nip", column).iter_rows() if value}


def due(store: Path, period: Period = M1) -> dict[str, int]:
    """Per employee the net the latest locked state of the period says is due: its last locked
    correction standing, else its locked run."""
    with open_warehouse(store) as wh:
        run = lifecycle.locked_run(wh, period, "a test")
        final = [r for r in lifecycle.corrections(wh, run) if r.status == RunStatus.LOCKED] or [run]
        return per_nip(kept_outputs(wh, final[-1].run_id)["pay_register"])


def issued(store: Path, period: Period = M1) -> dict[str, int]:
    """Per employee the net the payment ledger issued for the period (month and rapels)."""
    with open_warehouse(store) as wh:
        return per_nip(ledger.issued(wh, period))


def transfers(path: Path) -> pl.DataFrame:
    """A bank file's transfers (the lines after its ``#`` first line)."""
    return pl.read_csv(path, schema_overrides={"nip": pl.String, "net_rp": pl.Int64}, comment_prefix="#")


def sent(*files: Path) -> dict[str, int]:
    """Per employee what the bank files transfer in all."""
    every = pl.concat([transfers(f).select("nip", "net_rp") for f in files])
    return per_nip(every.group_by("nip").agg(pl.col("net_rp").sum()))
