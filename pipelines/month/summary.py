"""The short summary `eperf run` prints: rich on a terminal, plain text otherwise."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import polars as pl

from engine import Period
from pipelines.numbers import number, rupiah
from pipelines.progress import listening

if TYPE_CHECKING:
    from pipelines.month.run import WrittenMonth


STAGE = "eperf: "
"""How a stage line starts on stderr: a log reader (or a test) tells it from a message by it."""


@contextlib.contextmanager
def progress(interactive: bool) -> Iterator[None]:
    """Show the stages a command says (:mod:`pipelines.progress`): a rich spinner with the current
    stage on a terminal; otherwise a plain line per stage on stderr (``eperf: reading
    hr/employees``), so that a log shows where a long command is and standard output stays the
    result alone."""
    if not interactive:
        with listening(lambda step: print(f"{STAGE}{step}", file=sys.stderr, flush=True)):
            yield
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task("starting", total=None)
        with listening(lambda step: bar.update(task, description=step)):
            yield


def summary_lines(run: WrittenMonth, seconds: float) -> list[tuple[str, str]]:
    """(label, value) pairs: employees, pools, totals, rejects and time. No personal data."""
    totals = run.manifest["totals"]
    rows = run.manifest["rows"]
    assert isinstance(totals, dict) and isinstance(rows, dict)
    binding = int(run.result.pool_summary["binding"].sum())
    return [
        ("run", run.run_id),
        ("policy", f"{run.policy.label} ({run.policy.allocation}, pool {run.policy.pool_scope})"),
        ("employees", f"{number(totals['employees'])}{_not_in_month(run)}"),
        ("pools", f"{number(totals['pools'])} ({number(binding)} binding)"),
        ("pool total", rupiah(totals["pool_rp"])),
        ("entitlement", rupiah(totals["entitlement_rp"])),
        ("pay (gross TPP)", rupiah(totals["pay_rp"])),
        *((("THR/gaji-13 TPP", rupiah(totals["extra_rp"])),) if totals.get("extra_rp") else ()),
        ("BPJS employee", rupiah(totals["bpjs_employee_rp"])),
        ("PPh 21", rupiah(totals["pph21_rp"])),
        ("net", rupiah(totals["net_rp"])),
        ("input rows", f"{number(rows['read'])} read, {number(rows['accepted'])} accepted, "
                       f"{number(rows['rejected'])} rejected"
                       + (f", {number(rows['outside_period'])} of other months" if rows.get("outside_period") else "")
                       + f" ({_rows_counted(run)})"),
        *(("  rejected in", f"{load.file}: {number(load.rejected)}") for load in run.data.loads if load.rejected),
        ("output", str(run.out)),
        ("time", f"{seconds:.2f} s"),
    ]


def _not_in_month(run: WrittenMonth) -> str:
    """Where the accepted employees who are not in the month went: `` of 20.000 (38 left before
    the month, 5 start after it)``; empty when every accepted employee is in the month."""
    period = Period.parse(str(run.manifest["period"]))
    people = run.data.table("employees")
    missing = people.height - run.result.pay_register.to_native().height
    if missing <= 0:
        return ""
    left = people.filter(pl.col("end_date") < period.first_day).height
    later = people.filter(pl.col("start_date") > period.last_day).height
    why = [f"{number(n)} {words}" for n, words in (
        (left, "left before the month"), (later, "start after it"),
        (missing - left - later, "without a paid working day in it")) if n]
    return f" of {number(people.height)} accepted ({', '.join(why)})"


def _rows_counted(run: WrittenMonth) -> str:
    """Which rows the counts are: a folder run reads every row of its files, a warehouse run the
    month's rows the warehouse holds."""
    files = [load.file for load in run.data.loads]
    in_warehouse = files and files[0].startswith("warehouse:")
    return "the month's rows in the warehouse" if in_warehouse else "every row of the files"


def print_summary(run: WrittenMonth, seconds: float, interactive: bool) -> None:
    lines = summary_lines(run, seconds)
    if not interactive:
        for label, value in lines:
            print(f"{label:<16} {value}")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"TPP {run.manifest['period']}", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, value in lines:
        table.add_row(label, value)
    Console().print(table)
