"""The README's HR and finance walk-through, run end to end (``make walkthrough``).

Each step is the README's command, run as a user runs it (a new ``eperf`` process), printed with
its output; a step that does not behave as the README says (its exit code, or a sentence the
README promises) stops the walk-through with exit 1. It works in its own warehouse and output
folder, made afresh, so it can be run again.

    python -m pipelines.walkthrough --data data/demo --late data/demo-late --work out/walkthrough
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import shutil
import subprocess
import sys
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class Step:
    """One command of the walk-through, the exit code the README gives it and what it prints."""

    args: str
    code: int = 0
    says: tuple[str, ...] = ()


def steps(data: Path, late: Path, hr: str, finance: str) -> list[Step]:
    """The README's walk-through: HR's month ``hr`` (run, approve, lock, late data, correction,
    export, unlock, and locked again: the next month's PPh 21 true-ups need it), then finance on
    month ``finance`` (bank file, payments, budget, reconciliation, reports)."""
    return [
        Step(f"ingest --data {data}", says=("load 1:",)),
        Step(f"ingest --data {data}", says=("already loaded",)),
        Step(f"run --period {hr}", says=(f"{hr}-",)),
        Step("runs", says=("draft",)),
        Step(f"approve --period {hr} --by kabid-bkpsdm", says=("approved",)),
        Step(f"lock --period {hr}", says=("locked",)),
        Step(f"run --period {hr}", code=3, says=("locked", "eperf adjust")),
        Step(f"ingest --data {late}", says=(f"late data for locked {hr}",)),
        Step(f"adjust --period {hr} --out {{work}}/rapel", says=("adjusts locked", "adjustment.csv")),
        Step(f"explain --period {hr} --nip {{late_nip}}", says=("(locked;", "changed this pay against the locked run")),
        Step(f"export --period {hr} --out {{work}}/{hr}", says=("(locked) written",)),
        Step(f"unlock --period {hr} --reason 'SK PLT terlambat'", says=("is draft",)),
        Step("audit", says=("unlock",)),
        Step(f"run --period {hr}", says=(f"{hr}-",)),
        Step(f"approve --period {hr}", says=("approved",)),
        Step(f"lock --period {hr}", says=("locked",)),
        Step(f"run --period {finance}", says=(f"{finance}-",)),
        Step(f"approve --period {finance}", says=("approved",)),
        Step(f"lock --period {finance}", says=("locked",)),
        Step(f"bankfile --period {finance} --out {{work}}/bank.csv", says=("transfers written", f"TPP-{finance}")),
        Step(f"bankfile --period {finance} --out {{work}}/bank-again.csv", code=3,
             says=("a second file for it is refused",)),
        Step(f"unlock --period {finance} --reason 'data terlambat'", code=3, says=("has been paid", "eperf adjust")),
        Step(f"simulate-payments --period {finance} --out {{work}}/epayment", says=("seeded exceptions",)),
        Step("ingest --data {work}/epayment", says=("epayment/transfers.csv",)),
        Step(f"budget --period {finance} --out {{work}}/budget", code=1, says=("FAIL  pool", "this run")),
        Step(f"reconcile --period {finance} --out {{work}}/rekon", says=(f"TPP-{finance}:", "paid_without_sp2d",
                                                                       "underpaid")),
        Step(f"report --period {finance} --out {{work}}/laporan", says=("nominatif.xlsx",)),
    ]


def late_nip(late: Path) -> str:
    """An employee the late exports corrected: the one ``explain`` is asked about."""
    import polars as pl

    return str(pl.read_csv(late / "eabsensi" / "attendance.csv", infer_schema=False)["nip"][0])


def walk(data: Path, late: Path, work: Path, hr: str, finance: str, eperf: list[str]) -> int:
    """Run every step, printing it and its output; 0 when each behaved as the README says."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    warehouse = work / "warehouse.duckdb"
    for n, step in enumerate(steps(data, late, hr, finance), start=1):
        args = shlex.split(step.args.format(work=work, late_nip=late_nip(late))) + ["--warehouse", str(warehouse)]
        print(f"\n[{n}] $ eperf {shlex.join(args)}", flush=True)
        done = subprocess.run([*eperf, *args], capture_output=True, text=True)
        print((done.stdout + done.stderr).rstrip(), flush=True)
        missing = [s for s in step.says if s not in done.stdout + done.stderr]
        if done.returncode != step.code or missing:
            print(f"\nstep {n} did not behave as the README says: exit {done.returncode} (expected {step.code})"
                  + (f", missing {missing}" if missing else ""), file=sys.stderr)
            return 1
    print(f"\nwalk-through done: {n} steps as the README says; outputs in {work}")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/demo"))
    parser.add_argument("--late", type=Path, default=Path("data/demo-late"))
    parser.add_argument("--work", type=Path, default=Path("out/walkthrough"))
    parser.add_argument("--hr-period", default="2025-10")
    parser.add_argument("--finance-period", default="2025-11")
    args = parser.parse_args()
    eperf = [sys.executable, "-m", "pipelines.cli"]
    sys.exit(walk(args.data, args.late, args.work, args.hr_period, args.finance_period, eperf))


if __name__ == "__main__":
    main()
