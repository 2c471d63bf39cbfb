"""The short summary `eperf run` prints: rich on a terminal, plain text otherwise."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from pipelines.numbers import number, rupiah
from pipelines.sources.readers import quiet

if TYPE_CHECKING:
    from pipelines.month.run import WrittenMonth


@contextlib.contextmanager
def progress(interactive: bool) -> Iterator[Callable[[str], None]]:
    """A step listener: a rich spinner with the current stage on a terminal, silence otherwise."""
    if not interactive:
        yield quiet
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task("starting", total=None)
        yield lambda step: bar.update(task, description=step)


def summary_lines(run: WrittenMonth, seconds: float) -> list[tuple[str, str]]:
    """(label, value) pairs: employees, pools, totals, rejects and time. No personal data."""
    totals = run.manifest["totals"]
    rows = run.manifest["rows"]
    assert isinstance(totals, dict) and isinstance(rows, dict)
    binding = int(run.result.pool_summary["binding"].sum())
    return [
        ("run", run.run_id),
        ("policy", f"{run.policy.label} ({run.policy.allocation}, pool {run.policy.pool_scope})"),
        ("employees", number(totals["employees"])),
        ("pools", f"{number(totals['pools'])} ({number(binding)} binding)"),
        ("pool total", rupiah(totals["pool_rp"])),
        ("entitlement", rupiah(totals["entitlement_rp"])),
        ("pay (gross TPP)", rupiah(totals["pay_rp"])),
        *((("THR/gaji-13 TPP", rupiah(totals["extra_rp"])),) if totals.get("extra_rp") else ()),
        ("BPJS employee", rupiah(totals["bpjs_employee_rp"])),
        ("PPh 21", rupiah(totals["pph21_rp"])),
        ("net", rupiah(totals["net_rp"])),
        ("input rows", f"{number(rows['read'])} read, {number(rows['accepted'])} accepted, "
                       f"{number(rows['rejected'])} rejected"),
        *(("  rejected in", f"{load.file}: {number(load.rejected)}") for load in run.data.loads if load.rejected),
        ("output", str(run.out)),
        ("time", f"{seconds:.2f} s"),
    ]


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
