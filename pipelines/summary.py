"""The short summary `eperf run` prints: rich on a terminal, plain text otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipelines.monthly import MonthlyRun


def summary_lines(run: MonthlyRun, seconds: float) -> list[tuple[str, str]]:
    """(label, value) pairs: employees, pools, totals, rejects and time. No personal data."""
    totals = run.manifest["totals"]
    rows = run.manifest["rows"]
    assert isinstance(totals, dict) and isinstance(rows, dict)
    binding = int(run.result.pool_summary["binding"].sum())
    return [
        ("run", run.run_id),
        ("policy", f"{run.policy.label} ({run.policy.allocation}, pool {run.policy.pool_scope})"),
        ("employees", f"{totals['employees']:,}"),
        ("pools", f"{totals['pools']:,} ({binding:,} binding)"),
        ("pool total", _rp(totals["pool_rp"])),
        ("entitlement", _rp(totals["entitlement_rp"])),
        ("pay (gross TPP)", _rp(totals["pay_rp"])),
        ("BPJS employee", _rp(totals["bpjs_employee_rp"])),
        ("PPh 21", _rp(totals["pph21_rp"])),
        ("net", _rp(totals["net_rp"])),
        ("input rows", f"{rows['read']:,} read, {rows['accepted']:,} accepted, {rows['rejected']:,} rejected"),
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


def _rp(amount: object) -> str:
    return f"Rp {int(amount):,}".replace(",", ".")  # type: ignore[call-overload]
