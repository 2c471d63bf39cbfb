"""The short summary `eperf run` prints: rich on a terminal, plain text otherwise."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipelines.monthly import MonthlyRun


@contextlib.contextmanager
def progress(interactive: bool) -> Iterator[Callable[[str], None]]:
    """A step listener: a rich spinner with the current stage on a terminal, silence otherwise."""
    if not interactive:
        yield lambda _: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task("starting", total=None)
        yield lambda step: bar.update(task, description=step)


def summary_lines(run: MonthlyRun, seconds: float) -> list[tuple[str, str]]:
    """(label, value) pairs: employees, pools, totals, rejects and time. No personal data."""
    totals = run.manifest["totals"]
    rows = run.manifest["rows"]
    assert isinstance(totals, dict) and isinstance(rows, dict)
    binding = int(run.result.pool_summary["binding"].sum())
    return [
        ("run", run.run_id),
        ("policy", f"{run.policy.label} ({run.policy.allocation}, pool {run.policy.pool_scope})"),
        ("employees", _num(totals["employees"])),
        ("pools", f"{_num(totals['pools'])} ({_num(binding)} binding)"),
        ("pool total", _rp(totals["pool_rp"])),
        ("entitlement", _rp(totals["entitlement_rp"])),
        ("pay (gross TPP)", _rp(totals["pay_rp"])),
        ("BPJS employee", _rp(totals["bpjs_employee_rp"])),
        ("PPh 21", _rp(totals["pph21_rp"])),
        ("net", _rp(totals["net_rp"])),
        ("input rows", f"{_num(rows['read'])} read, {_num(rows['accepted'])} accepted, "
                       f"{_num(rows['rejected'])} rejected"),
        *(("  rejected in", f"{load.file}: {_num(load.rejected)}") for load in run.data.loads if load.rejected),
        ("output", str(run.out)),
        ("time", f"{seconds:.2f} s"),
    ]


def print_summary(run: MonthlyRun, seconds: float, interactive: bool) -> None:
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


def _num(value: object) -> str:
    """Thousands with dots, as Indonesian officers write them: 19.957."""
    return f"{int(value):,}".replace(",", ".")  # type: ignore[call-overload]


def _rp(amount: object) -> str:
    return f"Rp {_num(amount)}"
