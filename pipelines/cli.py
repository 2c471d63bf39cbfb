"""The ``eperf`` command line (SPEC §8)."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from pipelines.warehouse.store import Warehouse

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="e-Performance TPP pay engine: monthly TPP from exports or from HR's warehouse.")

DataOpt = Annotated[Path, typer.Option("--data", help="Data directory with the source exports (SPEC §3).")]
PeriodOpt = Annotated[str, typer.Option("--period", help="Pay month, YYYY-MM.")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


WarehouseOpt = Annotated[Path, typer.Option("--warehouse", help="The warehouse (DuckDB file).")]
ByOpt = Annotated[str | None, typer.Option("--by", help="Who acts, for the audit trail (default: the OS user).")]
DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")


@contextlib.contextmanager
def _warehouse(path: Path, by: str | None, create: bool = False) -> Iterator[Warehouse]:
    """The open warehouse; a refusal exits 3 and a fatal input problem 2, both with one sentence."""
    from pipelines.month.outputs import OutputRefused
    from pipelines.sources.readers import InputError
    from pipelines.warehouse.store import Refused, open_warehouse

    try:
        with open_warehouse(path, by, create) as wh:
            yield wh
    except Refused as exc:
        raise _fail(str(exc), 3) from None
    except (InputError, OutputRefused, ValueError) as exc:
        raise _fail(str(exc)) from None


def _write_out(wh: Warehouse, warehouse: Path, out: Path, kind: str, write: Callable[[Path], object],
               folder: bool = True, personal: bool = False, header: str | None = None) -> None:
    """Write a warehouse command's output: whole, swapped in, and committed with the command
    (:mod:`pipelines.month.outputs`, :meth:`Warehouse.publish`)."""
    from pipelines.month.outputs import protecting, staged

    with staged(out, kind, write, folder=folder, guard=protecting(warehouse=warehouse), personal=personal,
                header=header, announce=wh.announce) as output:
        wh.publish(output)


def _check_out(out: Path | None, warehouse: Path, kind: str, folder: bool = True, header: str | None = None) -> None:
    """Refuse a bad ``--out`` before any work (exit 2, one sentence)."""
    from pipelines.month.outputs import OutputRefused, check_destination, protecting

    if out is None:
        return
    try:
        check_destination(out, kind, folder=folder, guard=protecting(warehouse=warehouse), header=header)
    except OutputRefused as exc:
        raise _fail(str(exc)) from None


@app.command()
def run(period: PeriodOpt,
        data: Annotated[Path | None, typer.Option(
            "--data", help="Data directory with the source exports (SPEC §3); without it, the warehouse.")] = None,
        out: Annotated[Path | None, typer.Option("--out", help="Folder for the run's outputs.")] = None,
        backend: Annotated[str, typer.Option(help="Engine backend: polars or duckdb.")] = "polars",
        warehouse: WarehouseOpt = DEFAULT_WAREHOUSE, by: ByOpt = None) -> None:
    """Compute one month's TPP: from --data into --out, or from the warehouse as the period's draft."""
    from engine import Period
    from pipelines.month.backends import Backend
    from pipelines.month.run import MonthlyRun, run_month
    from pipelines.month.summary import print_summary, progress
    from pipelines.sources.readers import InputError

    clock = time.perf_counter()
    interactive = sys.stdout.isatty()
    if data is None:
        from pipelines.month.run import RUN_KIND
        from pipelines.warehouse import lifecycle

        _check_out(out, warehouse, RUN_KIND)
        with _warehouse(warehouse, by) as wh:
            kept, month, _ = lifecycle.run(wh, Period.parse(period), Backend(backend))
            if out is not None:
                _write_out(wh, warehouse, out, RUN_KIND, lifecycle.export(wh, Period.parse(period))[1])
            manifest = lifecycle.kept_manifest(wh, kept.run_id)
        typer.echo(kept.run_id)
        print_summary(MonthlyRun(**vars(month), out=out or warehouse, manifest=manifest),
                      time.perf_counter() - clock, interactive)
        return
    if out is None:
        raise _fail("--out is needed with --data (the folder for the run's outputs)")
    from pipelines.month.outputs import OutputRefused

    try:
        with progress(interactive) as on_step:
            result = run_month(data, Period.parse(period), out, Backend(backend), on_step)
    except (InputError, OutputRefused, ValueError) as exc:
        raise _fail(str(exc)) from None
    print_summary(result, time.perf_counter() - clock, interactive)


@app.command()
def ingest(data: DataOpt, warehouse: WarehouseOpt = DEFAULT_WAREHOUSE, by: ByOpt = None) -> None:
    """Load a folder of source exports into the warehouse (a file loaded before adds nothing)."""
    from pipelines.numbers import number
    from pipelines.warehouse.ingest import ingest as load

    with _warehouse(warehouse, by, create=True) as wh:
        done = load(wh, data)
    for f in done.files:
        if f.load_id is None:
            typer.echo(f"{f.file:<48} already loaded (load {f.earlier})")
        else:
            typer.echo(f"{f.file:<48} load {f.load_id}: {number(f.rows_read)} read, {number(f.accepted)} accepted, "
                       f"{number(f.rejected)} rejected; {number(f.inserted)} new, {number(f.replaced)} replaced")
    for period, inputs in done.late.items():
        typer.echo(f"late data for locked {period}: {', '.join(inputs)} changed; pay it with "
                   f"`eperf adjust --period {period} --out DIR`")


@app.command("runs")
def list_runs(period: Annotated[str | None, typer.Option("--period", help="Only this month.")] = None,
              warehouse: WarehouseOpt = DEFAULT_WAREHOUSE) -> None:
    """List the runs kept in the warehouse with their status."""
    from pipelines.warehouse import lifecycle

    with _warehouse(warehouse, None) as wh:
        kept = lifecycle.runs(wh, period)
    for r in kept:
        extra = f"  adjusts {r.adjusts}" if r.adjusts else ""
        typer.echo(f"{r.run_id:<32} {r.period}  {r.kind:<10} {r.status:<10} {r.at}  {r.by}{extra}")


def _transition(action: str, period: str, warehouse: Path, by: str | None, **options: str) -> None:
    from engine import Period
    from pipelines.warehouse import lifecycle

    with _warehouse(warehouse, by) as wh:
        changed = getattr(lifecycle, action)(wh, Period.parse(period), **options)
    typer.echo(f"{changed.period}: run {changed.run_id} is {changed.status}")


@app.command()
def approve(period: PeriodOpt, warehouse: WarehouseOpt = DEFAULT_WAREHOUSE, by: ByOpt = None) -> None:
    """Approve the period's draft run."""
    _transition("approve", period, warehouse, by)


@app.command()
def lock(period: PeriodOpt, warehouse: WarehouseOpt = DEFAULT_WAREHOUSE, by: ByOpt = None) -> None:
    """Lock the period's approved run: it is final and is never recomputed."""
    _transition("lock", period, warehouse, by)


@app.command()
def unlock(period: PeriodOpt, reason: Annotated[str, typer.Option("--reason", help="Why, for the audit trail.")],
           warehouse: WarehouseOpt = DEFAULT_WAREHOUSE, by: ByOpt = None) -> None:
    """Return a locked or approved period to draft."""
    _transition("unlock", period, warehouse, by, reason=reason)


@app.command()
def adjust(period: PeriodOpt, out: Annotated[Path, typer.Option("--out", help="Folder for adjustment.csv.")],
           warehouse: WarehouseOpt = DEFAULT_WAREHOUSE, by: ByOpt = None) -> None:
    """Recompute a locked period on today's inputs: per employee the correction (rapel)."""
    from engine import Period
    from pipelines.month.run import table_folder
    from pipelines.numbers import number, rupiah
    from pipelines.warehouse import lifecycle

    _check_out(out, warehouse, "adjustment")
    with _warehouse(warehouse, by) as wh:
        done = lifecycle.adjust(wh, Period.parse(period))
        _write_out(wh, warehouse, out, "adjustment", table_folder({"adjustment.csv": done.rows}))
    typer.echo(f"{done.run.run_id} adjusts locked {done.locked.run_id}: {number(done.rows['nip'].n_unique())} "
               f"employees; payable {rupiah(done.payable_rp)}, to recover {rupiah(done.recovered_rp)} (net pay); "
               f"written to {out}/adjustment.csv")


@app.command()
def export(period: PeriodOpt, out: Annotated[Path, typer.Option("--out", help="Folder for the run's outputs.")],
           warehouse: WarehouseOpt = DEFAULT_WAREHOUSE) -> None:
    """Write the period's locked run (else its latest draft) as the SPEC §6 files."""
    from engine import Period
    from pipelines.month.run import RUN_KIND
    from pipelines.warehouse import lifecycle

    _check_out(out, warehouse, RUN_KIND)
    with _warehouse(warehouse, None) as wh:
        kept, write = lifecycle.export(wh, Period.parse(period))
        _write_out(wh, warehouse, out, RUN_KIND, write)
    typer.echo(f"{kept.run_id} ({kept.status}) written to {out}")


@app.command()
def budget(period: PeriodOpt,
           out: Annotated[Path | None, typer.Option("--out", help="Folder for budget.csv.")] = None,
           warehouse: WarehouseOpt = DEFAULT_WAREHOUSE) -> None:
    """Budget validation: pagu, realized, this run, remaining and year-end projection per pool and
    TPP account, and the 30 % belanja pegawai cap. Exits 1 when a row FAILs."""
    import polars as pl

    from engine import Period
    from pipelines.finance import outlook
    from pipelines.month.run import table_folder
    from pipelines.numbers import rupiah

    _check_out(out, warehouse, "budget")
    with _warehouse(warehouse, None) as wh:
        run_, outlook = outlook.budget(wh, Period.parse(period))
        if out is not None:
            _write_out(wh, warehouse, out, "budget", table_folder({"budget.csv": outlook}))
    typer.echo(f"budget {period} on run {run_.run_id} ({run_.status})")
    for row in outlook.filter(pl.col("status") != "OK").iter_rows(named=True):
        where = row["pool_id"] or "city"
        account = f" {row['account_code']}" if row["level"] == "account" else ""
        typer.echo(f"{row['status']:<5} {row['level']:<8} {where}{account}: pagu {rupiah(row['pagu_rp'] or 0)}, "
                   f"realized {rupiah(row['realized_rp'] or 0)}, projected {rupiah(row['projected_rp'] or 0)}"
                   if row["level"] != "city" else
                   f"{row['status']:<5} city     belanja pegawai {row['share_bp'] / 100:.2f} % of belanja "
                   f"(limit {row['limit_bp'] / 100:.0f} %)")
    counts = dict(outlook.group_by("status").len().iter_rows())
    typer.echo(" · ".join(f"{s} {counts.get(s, 0)}" for s in outlook.STATUSES))
    if counts.get("FAIL"):
        raise typer.Exit(1)


@app.command()
def reconcile(period: PeriodOpt, out: Annotated[Path, typer.Option("--out", help="Folder for the reconciliation.")],
              warehouse: WarehouseOpt = DEFAULT_WAREHOUSE) -> None:
    """The locked run against e-Payment transfers and SP2D: reconciliation.csv (per employee)
    and reconciliation_opd.csv (per OPD)."""
    import polars as pl

    from engine import Period
    from pipelines.finance import reconciliation
    from pipelines.month.run import table_folder
    from pipelines.numbers import number, rupiah

    _check_out(out, warehouse, "reconciliation")
    with _warehouse(warehouse, None) as wh:
        run_, people, opds = reconciliation.reconcile(wh, Period.parse(period))
        _write_out(wh, warehouse, out, "reconciliation",
                   table_folder({"reconciliation.csv": people, "reconciliation_opd.csv": opds}))
    computed, transferred = int(people["computed_net_rp"].sum()), int(people["transferred_rp"].sum())
    typer.echo(f"reconciliation of {run_.run_id}: computed {rupiah(computed)}, transferred {rupiah(transferred)}, "
               f"difference {rupiah(transferred - computed)}")
    for (kind,), rows in people.group_by("class", maintain_order=True):
        typer.echo(f"  {kind:<20} {number(rows.height):>8}  {rupiah(int(rows['difference_rp'].sum()))}")
    typer.echo(f"  OPDs whose SP2D differs from the run: {number(opds.filter(pl.col('status') != 'tied').height)}")


@app.command()
def bankfile(period: PeriodOpt, out: Annotated[Path, typer.Option("--out", help="The CSV file to write.")],
             warehouse: WarehouseOpt = DEFAULT_WAREHOUSE, by: ByOpt = None) -> None:
    """The bank transfer file of a locked run (NIP, name, account, net): unmasked, so recorded."""
    from engine import Period
    from pipelines.finance import bank
    from pipelines.month.outputs import spreadsheet_safe

    header = ",".join(bank.BANK_FILE_COLUMNS)
    _check_out(out, warehouse, "bank file", folder=False, header=header)
    with _warehouse(warehouse, by) as wh:
        rows = bank.bank_file(wh, Period.parse(period))
        wh.record("bank file", period, None, employees=rows.height, net_rp=int(rows["net_rp"].sum()), file=str(out))
        _write_out(wh, warehouse, out, "bank file", spreadsheet_safe(rows).write_csv, folder=False,
                   personal=True, header=header)
    typer.echo(f"{rows.height} transfers written to {out}")


@app.command()
def report(period: PeriodOpt, out: Annotated[Path, typer.Option("--out", help="Folder for the reports.")],
           warehouse: WarehouseOpt = DEFAULT_WAREHOUSE) -> None:
    """nominatif.xlsx (a sheet per OPD, masked names, totals) and dashboard.html (offline)."""
    import polars as pl

    from engine import Period
    from pipelines.finance import outlook, reconciliation, reports
    from pipelines.warehouse.lifecycle import policy_of
    from pipelines.warehouse.store import kept_outputs

    p = Period.parse(period)
    _check_out(out, warehouse, "report")
    with _warehouse(warehouse, None) as wh:
        run_, outlook = outlook.budget(wh, p)
        register = kept_outputs(wh, run_.run_id)["pay_register"]
        rows = reports.nominatif_rows(register, wh.table("employees", columns=("nip", "name")))
        burn = outlook.burn_down(wh.table("sp2d"), policy_of(wh, p).tpp_account_prefix, p,
                                 int(register["pay_rp"].sum()),
                                 int(outlook.filter(pl.col("level") == "pool")["pagu_rp"].sum()))
        reconciliation = reconciliation.reconcile(wh, p)[1] if run_.status == "locked" else None

        def write(folder: Path) -> None:
            reports.write_nominatif(rows, p, folder / "nominatif.xlsx")
            reports.write_dashboard(folder / "dashboard.html", p, register, outlook, burn, reconciliation)

        _write_out(wh, warehouse, out, "report", write)
    typer.echo(f"{out}/nominatif.xlsx and {out}/dashboard.html for run {run_.run_id} ({run_.status})")


@app.command("simulate-payments")
def simulate_payments(period: PeriodOpt,
                      out: Annotated[Path, typer.Option("--out", help="Folder for the e-Payment export.")],
                      seed: Annotated[int, typer.Option(help="Random seed of the exceptions.")] = 7,
                      warehouse: WarehouseOpt = DEFAULT_WAREHOUSE) -> None:
    """Demo: an e-Payment export paying the period's run, with seeded exceptions and one
    over-spent OPD (their list in seeded.csv), to ingest and reconcile."""
    from engine import Period
    from pipelines.finance.payments import simulate_payments as simulate
    from pipelines.month.run import table_folder

    _check_out(out, warehouse, "e-payment export")
    with _warehouse(warehouse, None) as wh:
        files, over_spent = simulate(wh, Period.parse(period), seed)
        _write_out(wh, warehouse, out, "e-payment export", table_folder(files))
    typer.echo(f"e-Payment export in {out}/epayment: {files['seeded.csv'].height} seeded exceptions (seeded.csv), "
               f"over-spent OPD {over_spent}")


@app.command()
def audit(warehouse: WarehouseOpt = DEFAULT_WAREHOUSE) -> None:
    """Print the audit trail: every ingest, run, approval, lock, unlock and adjustment."""
    with _warehouse(warehouse, None) as wh:
        entries = wh.rows('select seq, strftime("at", \'%Y-%m-%d %H:%M:%S\'), "by", action, period, run_id, detail '
                          "from audit order by seq")
    for seq, at, who, action, period, run_id, detail in entries:
        what = " ".join(str(x) for x in (period, run_id) if x)
        typer.echo(f"{seq:>5} {at} {who:<12} {action:<10} {what:<34} {_brief(str(detail))}")


def _brief(detail: str, width: int = 160) -> str:
    return detail if len(detail) <= width else detail[: width - 1] + "…"


@app.command()
def explain(data: DataOpt, period: PeriodOpt,
            nip: Annotated[str, typer.Option("--nip", help="The employee's 18-digit NIP.")]) -> None:
    """One employee's pay, step by step, in words and Rupiah."""
    from engine import Period
    from pipelines.month.explain import explain_employee
    from pipelines.sources.readers import InputError

    try:
        text = explain_employee(data, Period.parse(period), nip)
    except (InputError, ValueError, LookupError) as exc:
        raise _fail(str(exc)) from None
    typer.echo(text)


@app.command()
def generate(out: Annotated[Path, typer.Option("--out", help="Folder to write the city into.")],
             employees: Annotated[int, typer.Option(help="Number of ASN.")] = 20_000,
             seed: Annotated[int, typer.Option(help="Random seed; same seed, same city.")] = 7,
             months: Annotated[str, typer.Option(help="Comma-separated YYYY-MM months.")] = "2025-09,2025-10,2025-11",
             ) -> None:
    """Write a synthetic Surabaya-like city's source exports."""
    from pipelines.synthetic.city import generate_city

    try:
        counts = generate_city(out, employees=employees, seed=seed, months=[m.strip() for m in months.split(",")])
    except ValueError as exc:
        raise _fail(str(exc)) from None
    for name, n in counts.items():
        typer.echo(f"{name:<40} {n:>12,}")


def main() -> None:
    """Console entry point: run the command, then leave at once.

    A run holds gigabytes of frames at 200,000 employees; every output is written and closed
    by then, so tearing the heap down object by object (half a second) serves nobody.
    """
    try:
        app()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)


if __name__ == "__main__":
    main()
