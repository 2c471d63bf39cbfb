"""The ``eperf`` command line (SPEC §8)."""

from __future__ import annotations

import contextlib
import os
import sys
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from pipelines.warehouse.lifecycle import KeptRun

# Plain help: typer's rich help shows every flag as taking a value (`--correction <bool>`), and
# `--correction true` is an error.
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
                  help="e-Performance TPP pay engine: monthly TPP from exports or from HR's warehouse.")

DataOpt = Annotated[Path, typer.Option("--data", help="Data directory with the source exports (SPEC §3).")]
PeriodOpt = Annotated[str, typer.Option("--period", help="Pay month, YYYY-MM.")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


MAX_AUDIT_TEXT = 200
"""The longest ``--by`` or ``--reason``: a name or a sentence for the audit trail."""


def _audit_text(param: typer.CallbackParam, value: str | None) -> str | None:
    """A ``--by`` or ``--reason`` as the audit trail keeps it: one line of printable text (a
    newline or a control character would forge a line of ``eperf audit``), of reasonable length."""
    if value is not None and (len(value) > MAX_AUDIT_TEXT or
                              any(unicodedata.category(c).startswith("C") for c in value)):
        name = param.opts[0] if param.opts else "the option"
        raise _fail(f"{name} must be one line of printable text (no newline, tab or other control character), "
                    f"at most {MAX_AUDIT_TEXT} characters")
    return value


WarehouseOpt = Annotated[Path, typer.Option("--warehouse", help="The warehouse (DuckDB file).")]
ByOpt = Annotated[str | None, typer.Option("--by", help="Who acts, for the audit trail (default: the OS user).",
                                           callback=_audit_text)]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why, for the audit trail.", callback=_audit_text)]
CorrectionOpt = Annotated[bool, typer.Option(
    "--correction", help="The period's latest correction (rapel) of its locked run, not the run.")]
DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")


@contextlib.contextmanager
def _sentences() -> Iterator[None]:
    """A refusal (exit 3), a fatal input or output problem or a failure of the machine (exit 2)
    as one sentence; the stages the command says meanwhile shown as it goes
    (:func:`pipelines.month.summary.progress`)."""
    from pipelines.machine import MachineFailure, failure
    from pipelines.month.outputs import OutputRefused
    from pipelines.month.summary import progress
    from pipelines.sources.readers import InputError
    from pipelines.warehouse.store import Refused

    try:
        with progress(sys.stdout.isatty()):
            yield
    except Refused as exc:
        raise _fail(str(exc), 3) from None
    except (InputError, OutputRefused, MachineFailure, ValueError) as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:  # a file eperf reads or writes outside the warehouse and its outputs
        said = failure(exc, Path(exc.filename or "eperf"))
        if said is None:
            raise
        raise _fail(str(said)) from None


@app.command()
def run(period: PeriodOpt,
        data: Annotated[Path | None, typer.Option(
            "--data", help="Data directory with the source exports (SPEC §3); without it, the warehouse.")] = None,
        out: Annotated[Path | None, typer.Option("--out", help="Folder for the run's outputs.")] = None,
        backend: Annotated[str, typer.Option(
            help="Engine backend: polars, duckdb or spark (pyspark and Java needed).")] = "polars",
        master: Annotated[str | None, typer.Option(
            help="With --backend spark: local[N] (default local[2]), spark://host:port (a standalone "
                 "cluster) or sc://host:port (Spark Connect).")] = None,
        warehouse: WarehouseOpt = DEFAULT_WAREHOUSE, by: ByOpt = None) -> None:
    """Compute one month's TPP: from --data into --out, or from the warehouse as the period's draft."""
    from engine import Period
    from pipelines.month.backends import Backend
    from pipelines.month.run import WrittenMonth, run_from_folder
    from pipelines.month.summary import print_summary

    clock = time.perf_counter()
    interactive = sys.stdout.isatty()
    if backend not in tuple(Backend):
        raise _fail(f"--backend {backend!r} is not one of {', '.join(Backend)}")
    engine = Backend(backend)
    if engine is Backend.SPARK:
        from pipelines.month import spark

        with _sentences():
            spark.choose_master(master)
    elif master is not None:
        raise _fail("--master is for --backend spark")
    if data is None:
        from pipelines import commands

        with _sentences():
            kept = commands.run_from_warehouse(warehouse, Period.parse(period), engine, out, by)
        typer.echo(kept.run.run_id)
        print_summary(WrittenMonth(**vars(kept.month), out=out or warehouse, manifest=kept.manifest),
                      time.perf_counter() - clock, interactive)
        return
    if out is None:
        raise _fail("--out is needed with --data (the folder for the run's outputs)")
    with _sentences():
        result = run_from_folder(data, Period.parse(period), out, engine)
    print_summary(result, time.perf_counter() - clock, interactive)


@app.command()
def ingest(data: DataOpt, warehouse: WarehouseOpt = DEFAULT_WAREHOUSE, by: ByOpt = None) -> None:
    """Load a folder of source exports into the warehouse (a file loaded before adds nothing)."""
    from pipelines import commands
    from pipelines.numbers import number

    with _sentences():
        done = commands.load_exports(warehouse, data, by)
    width = max((len(f.file) for f in done.files), default=0)
    for f in done.files:
        if f.load_id is None:
            typer.echo(f"{f.file:<{width}}  already loaded (load {f.earlier})")
        else:
            typer.echo(f"{f.file:<{width}}  load {f.load_id}: {number(f.rows_read)} read, {number(f.accepted)} "
                       f"accepted, {number(f.rejected)} rejected; {number(f.inserted)} new, "
                       f"{number(f.replaced)} replaced")
    for period, inputs in done.late.items():
        typer.echo(f"late data for locked {period}: {', '.join(inputs)} changed; pay it with "
                   f"`eperf adjust --period {period} --out DIR`")


@app.command("runs")
def list_runs(period: Annotated[str | None, typer.Option("--period", help="Only this month.")] = None,
              warehouse: WarehouseOpt = DEFAULT_WAREHOUSE) -> None:
    """List the runs kept in the warehouse with their status."""
    from pipelines import commands
    from pipelines.numbers import wib

    with _sentences():
        kept = commands.kept_runs(warehouse, period)
    if not kept:
        typer.echo(f"no run kept for {period}" if period else "no run kept yet: `eperf run --period YYYY-MM` makes one")
        return

    def who(signed: tuple[str, str] | None) -> str:
        return f"{signed[0]} {wib(signed[1])}" if signed else "-"

    rows = [(r.run.run_id, r.run.period, r.run.kind, r.run.status, f"{r.run.by} {wib(r.run.at)}", who(r.approved),
             who(r.locked), f"adjusts {r.run.adjusts}" if r.run.adjusts else "") for r in kept]
    header = ("run", "period", "kind", "status", "computed", "approved", "locked", "")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        typer.echo("  ".join(f"{cell:<{w}}" for cell, w in zip(row, widths)).rstrip())


def _print_status(changed: KeptRun) -> None:
    typer.echo(f"{changed.period}: run {changed.run_id} is {changed.status}")


@app.command()
def approve(period: PeriodOpt, warehouse: WarehouseOpt = DEFAULT_WAREHOUSE, by: ByOpt = None,
            correction: CorrectionOpt = False) -> None:
    """Approve the period's draft run (or, with --correction, its correction)."""
    from engine import Period
    from pipelines import commands

    with _sentences():
        _print_status(commands.approve(warehouse, Period.parse(period), by, correction))


@app.command()
def lock(period: PeriodOpt, warehouse: WarehouseOpt = DEFAULT_WAREHOUSE, by: ByOpt = None,
         correction: CorrectionOpt = False) -> None:
    """Lock the period's approved run (or, with --correction, its correction): final, to be paid."""
    from engine import Period
    from pipelines import commands

    with _sentences():
        _print_status(commands.lock(warehouse, Period.parse(period), by, correction))


@app.command()
def unlock(period: PeriodOpt, reason: ReasonOpt, warehouse: WarehouseOpt = DEFAULT_WAREHOUSE, by: ByOpt = None) -> None:
    """Return a locked or approved period to draft (refused once the month has a bank file: a
    change after payment is a correction)."""
    from engine import Period
    from pipelines import commands

    with _sentences():
        done = commands.unlock(warehouse, Period.parse(period), reason, by)
    typer.echo(f"{done.run.period}: run {done.run.run_id} was {done.was} and is draft again (reason: {done.reason}); "
               f"compute the month again with `eperf run --period {done.run.period}`")
    for run in done.superseded:
        typer.echo(f"  correction {run.run_id} ({run.status}, not paid) is superseded: it corrected the run as it was")


@app.command()
def adjust(period: PeriodOpt, out: Annotated[Path, typer.Option("--out", help="Folder for adjustment.csv.")],
           warehouse: WarehouseOpt = DEFAULT_WAREHOUSE, by: ByOpt = None) -> None:
    """Recompute a locked period on today's inputs: per employee the correction (rapel)."""
    from engine import Period
    from pipelines import commands
    from pipelines.numbers import number, rupiah

    with _sentences():
        done = commands.adjust(warehouse, Period.parse(period), out, by)
    typer.echo(f"{done.run.run_id} adjusts locked {done.locked.run_id}: {number(done.rows['nip'].n_unique())} "
               f"employees; payable {rupiah(done.payable_rp)}, to recover {rupiah(done.recovered_rp)} (net pay, "
               f"against what was paid); written to {out}/adjustment.csv")
    for run in done.superseded:
        typer.echo(f"  it holds and supersedes correction {run.run_id} ({run.status}, not paid)")


@app.command()
def export(period: PeriodOpt, out: Annotated[Path, typer.Option("--out", help="Folder for the run's outputs.")],
           warehouse: WarehouseOpt = DEFAULT_WAREHOUSE) -> None:
    """Write the period's locked run (else its latest draft) as the SPEC §6 files."""
    from engine import Period
    from pipelines import commands

    with _sentences():
        kept = commands.export(warehouse, Period.parse(period), out)
    typer.echo(f"{kept.run_id} ({kept.status}) written to {out}")


@app.command()
def budget(period: PeriodOpt,
           out: Annotated[Path | None, typer.Option("--out", help="Folder for budget.csv.")] = None,
           warehouse: WarehouseOpt = DEFAULT_WAREHOUSE) -> None:
    """Budget validation: pagu, realized, this run, remaining and year-end projection per pool and
    TPP account (one rule for both, printed first), and the 30 % belanja pegawai cap. Exits 1 when
    a row FAILs."""
    import polars as pl

    from engine import Period, Verdict
    from pipelines import commands

    with _sentences():
        done = commands.check_budget(warehouse, Period.parse(period), out)
    typer.echo(f"budget {period} on run {done.run.run_id} ({done.run.status})")
    rules = done.rows["projection"].drop_nulls().unique()
    if rules.len():
        typer.echo(f"  {rules[0]}")
    for row in done.rows.filter(pl.col("status") != Verdict.OK.value).iter_rows(named=True):
        typer.echo(_budget_line(row))
    counts = dict(done.rows.group_by("status").len().iter_rows())
    typer.echo(" · ".join(f"{v} {counts.get(v.value, 0)}" for v in Verdict))
    if counts.get(Verdict.FAIL.value):
        raise typer.Exit(1)


def _budget_line(row: dict[str, Any]) -> str:
    """One budget row in words, with what makes it fail: this run's pay (an account's part of its
    pool's) and what remains."""
    from pipelines.numbers import rupiah

    head = f"{row['status']:<5} {row['level']:<8}"
    if row["level"] == "city":
        return f"{head} belanja pegawai {row['share_bp'] / 100:.2f} % of belanja (limit {row['limit_bp'] / 100:.0f} %)"
    where = " ".join(str(x) for x in (row["pool_id"], row.get("opd_name"),
                                         row["account_code"] if row["level"] == "account" else None) if x)
    this_run = f", this run {rupiah(row['this_run_rp'])}" if row["this_run_rp"] is not None else ""
    if row.get("extra_rp"):
        this_run += f" (of which THR/gaji-13 {rupiah(row['extra_rp'])})"
    if row.get("corrections_rp"):
        this_run += f", its correction {rupiah(row['corrections_rp'])}"
    return (f"{head} {where}: pagu {rupiah(row['pagu_rp'])}, realized {rupiah(row['realized_rp'])}{this_run}, "
            f"remaining {rupiah(row['remaining_rp'])}, projected to December {rupiah(row['projected_rp'])}")


@app.command()
def reconcile(period: PeriodOpt, out: Annotated[Path, typer.Option("--out", help="Folder for the reconciliation.")],
              warehouse: WarehouseOpt = DEFAULT_WAREHOUSE) -> None:
    """Each payment of the locked month (the month, each rapel) against its own e-Payment
    transfers and SP2D: reconciliation.csv (per payment and employee) and reconciliation_opd.csv
    (per payment and OPD)."""
    import polars as pl

    from engine import Period
    from pipelines import commands
    from pipelines.finance.reconciliation import OpdSp2d
    from pipelines.numbers import number, rupiah

    def amounts(rows: pl.DataFrame) -> str:
        due, sent = int(rows["computed_net_rp"].sum()), int(rows["transferred_rp"].sum())
        return f"due {rupiah(due)}, sent {rupiah(sent)}, difference {rupiah(sent - due)}"

    with _sentences():
        done = commands.reconcile(warehouse, Period.parse(period), out)
    typer.echo(f"reconciliation of {period} (locked run {done.run.run_id}): {amounts(done.employees)}")
    for (payment,), rows in done.employees.group_by("payment_id", maintain_order=True):
        typer.echo(f"  {payment}: {amounts(rows)}")
        for (kind,), members in rows.group_by("class", maintain_order=True):
            typer.echo(f"    {kind:<20} {number(members.height):>8}  {amounts(members)}")
    differing = done.opds.filter(pl.col("status") != OpdSp2d.TIED.value).height
    typer.echo(f"  OPDs whose SP2D differ from the payment: {number(differing)}")


@app.command()
def bankfile(period: PeriodOpt, out: Annotated[Path, typer.Option("--out", help="The CSV file to write.")],
             warehouse: WarehouseOpt = DEFAULT_WAREHOUSE, by: ByOpt = None, correction: CorrectionOpt = False,
             reissue: Annotated[bool, typer.Option(
                 "--reissue", help="Write the payment's file again (the same transfers), with --reason.")] = False,
             over_budget: Annotated[bool, typer.Option(
                 "--over-budget", help="Pay although the budget check FAILs, with --reason.")] = False,
             reason: Annotated[str | None, typer.Option(
                 "--reason", help="Why, for the audit trail (with --reissue or --over-budget).",
                 callback=_audit_text)] = None) -> None:
    """The bank transfer file of a locked month (NIP, name, account, net), or with --correction
    the rapel of its locked correction: a payment, entered in the payment ledger; the one
    unmasked output. A second file for a payment is refused (--reissue writes it again)."""
    from engine import Period
    from pipelines import commands
    from pipelines.numbers import number, rupiah, wib

    if reason is not None and not (reissue or over_budget):
        raise _fail("--reason goes with --reissue or --over-budget")
    if (reissue or over_budget) and reason is None:
        raise _fail("--reissue and --over-budget need --reason TEXT (kept in the audit trail)")
    with _sentences():
        done = commands.write_bank_file(warehouse, Period.parse(period), out, by, correction,
                                        reason if reissue else None, reason if over_budget else None)
    paid = done.payment
    if done.already:
        typer.echo(f"{out} already holds the bank file of {paid.payment_id} (its SHA-256 is the ledger's): nothing "
                   "written, nothing issued again")
        return
    net = rupiah(int(done.transfers["net_rp"].sum()))
    again = f" (reissue {done.issue}: the same transfers as the file of {wib(paid.at)})" if done.issue else ""
    typer.echo(f"{number(done.transfers.height)} transfers written to {out}: {paid.payment_id}, {paid.kind} of "
               f"{paid.period}, net {net}{again}")
    if done.recoveries.height and not done.issue:
        typer.echo(f"  not transferred, to recover: {number(done.recoveries.height)} employees are due less than was "
                   f"issued (or a negative net: a PPh 21 true-up larger than the month's pay), "
                   f"{rupiah(-int(done.recoveries['net_rp'].sum()))} in all, kept in the payment ledger:")
        for nip, net in done.recoveries.select("nip", "net_rp").iter_rows():
            typer.echo(f"    {nip}  −{rupiah(-net)}")
    if done.failing:
        typer.echo(f"  paid over budget ({'; '.join(done.failing)}): the reason is kept in the audit trail")
    elif over_budget and not done.issue:
        typer.echo("  the budget check does not FAIL: nothing was paid over budget, --over-budget was not needed")


@app.command()
def report(period: PeriodOpt, out: Annotated[Path, typer.Option("--out", help="Folder for the reports.")],
           warehouse: WarehouseOpt = DEFAULT_WAREHOUSE) -> None:
    """nominatif.xlsx (a sheet per OPD, masked names, totals) and dashboard.html (offline)."""
    from engine import Period
    from pipelines import commands

    with _sentences():
        kept = commands.write_reports(warehouse, Period.parse(period), out)
    typer.echo(f"{out}/nominatif.xlsx and {out}/dashboard.html for run {kept.run_id} ({kept.status})")


@app.command("simulate-payments")
def simulate_payments(period: PeriodOpt,
                      out: Annotated[Path, typer.Option("--out", help="Folder for the e-Payment export.")],
                      seed: Annotated[int, typer.Option(help="Random seed of the exceptions.")] = 7,
                      warehouse: WarehouseOpt = DEFAULT_WAREHOUSE) -> None:
    """Demo: an e-Payment export paying the period's run, with seeded exceptions and one
    over-spent OPD (their list in seeded.csv), to ingest and reconcile."""
    from engine import Period
    from pipelines import commands
    from pipelines.numbers import number

    with _sentences():
        done = commands.simulate_payments(warehouse, Period.parse(period), out, seed)
    typer.echo(f"e-Payment export in {out}/epayment: {number(done.files['seeded.csv'].height)} seeded exceptions "
               f"(seeded.csv), over-spent OPD {done.over_spent}")


@app.command()
def audit(warehouse: WarehouseOpt = DEFAULT_WAREHOUSE,
          full: Annotated[bool, typer.Option("--full", help="Each entry's details whole, not cut to a line.")] = False,
          ) -> None:
    """Print the audit trail: every ingest, run, approval, lock, unlock and adjustment."""
    from pipelines import commands
    from pipelines.numbers import wib

    with _sentences():
        entries = commands.audit_trail(warehouse)
    for e in entries:
        what = " ".join(x for x in (e.period, e.run_id) if x)
        typer.echo(f"{e.seq:>5} {wib(e.at)} {e.by:<12} {e.action:<10} {what:<34} "
                   f"{e.detail if full else _brief(e.detail)}")


def _brief(detail: str, width: int = 160) -> str:
    return detail if len(detail) <= width else detail[: width - 1] + "… (--full shows it whole)"


@app.command()
def explain(period: PeriodOpt,
            nip: Annotated[str, typer.Option("--nip", help="The employee's 18-digit NIP.")],
            data: Annotated[Path | None, typer.Option(
                "--data", help="Data directory with the source exports; without it, the warehouse.")] = None,
            run_id: Annotated[str | None, typer.Option(
                "--run", help="A kept run of the period (default: the one that counts).")] = None,
            warehouse: WarehouseOpt = DEFAULT_WAREHOUSE) -> None:
    """One employee's pay, step by step, in words and Rupiah: computed from --data, or as the
    warehouse keeps it (the locked run as locked, else the draft; after late data, what a
    correction would change)."""
    from engine import Period

    try:
        with _sentences():
            if data is not None:
                from pipelines.month.explain import explain_employee

                text = explain_employee(data, Period.parse(period), nip)
            else:
                from pipelines import commands

                text = "\n".join(commands.explain_kept(warehouse, Period.parse(period), nip, run_id))
    except LookupError as exc:
        raise _fail(str(exc)) from None
    typer.echo(text)


policy_app = typer.Typer(no_args_is_help=True, help="Policy files and the regions' presets (policies/).")
app.add_typer(policy_app, name="policy")


@policy_app.command("check")
def policy_check(file: Annotated[str, typer.Argument(help="A policy.toml, or a preset's name (e.g. banjarmasin).")],
                 year: Annotated[int | None, typer.Option(
                     help="First year of the months shown (default: this year, and the next).")] = None) -> None:
    """Validate every version of a policy file and print which version is in force, month by month."""
    import datetime as dt

    from pipelines.policies import check_lines, preset_file

    with _sentences():
        lines = check_lines(preset_file(file), year or dt.date.today().year)
    typer.echo("\n".join(lines))


@policy_app.command("show")
def policy_show(data: DataOpt, period: PeriodOpt) -> None:
    """Print the policy in force for a period, every default filled in (TOML)."""
    from engine import Period
    from pipelines.month.run import load_policy
    from pipelines.policies import policy_text

    with _sentences():
        text = policy_text(load_policy(data, Period.parse(period)))
    typer.echo(text, nl=False)


@policy_app.command("presets")
def policy_presets() -> None:
    """List the regions' presets (the policies/ folder)."""
    from pipelines.policies import preset_file, preset_names

    for name in preset_names():
        typer.echo(f"{name:<20} {preset_file(name)}")


@app.command()
def generate(out: Annotated[Path, typer.Option("--out", help="Folder to write the city into.")],
             employees: Annotated[int, typer.Option(help="Number of ASN.")] = 20_000,
             seed: Annotated[int, typer.Option(help="Random seed; same seed, same city.")] = 7,
             months: Annotated[str, typer.Option(
                 help="Comma-separated YYYY-MM months, or YYYY for a whole fiscal year.")] = "2025-09,2025-10,2025-11",
             late_exports: Annotated[Path | None, typer.Option(
                 "--late-exports", help="Also write here what arrives late for the next-to-last month: "
                 "late approvals and corrected absences (the walk-through's late-exports/).")] = None,
             policy: Annotated[str | None, typer.Option(
                 "--policy", help="A region's preset (eperf policy presets) or a policy.toml: the city runs "
                 "under it, with hr/skp.csv and CB, CLTN and TB days.")] = None,
             flat_attendance: Annotated[bool, typer.Option(
                 "--flat-attendance", help="Write eabsensi/attendance.csv, every month in one file, instead of "
                 "a folder partitioned by month (eabsensi/attendance/period=YYYY-MM/).")] = False,
             ) -> None:
    """Write a synthetic Surabaya-like city's source exports."""
    from engine import Period
    from pipelines.numbers import number
    from pipelines.policies import preset_file
    from pipelines.synthetic.city import city_months, generate_city
    from pipelines.synthetic.late import late_exports as write_late

    with _sentences():
        periods = [Period.parse(m) for m in city_months(months)]
        preset = None if policy is None else preset_file(policy)
        counts = generate_city(out, employees=employees, seed=seed, months=[str(p) for p in periods],
                               policy=preset, flat_attendance=flat_attendance)
        if late_exports is not None:
            late = periods[-2] if len(periods) > 1 else periods[0]
            counts |= {f"late {late}: {name}": n for name, n in write_late(out, late, late_exports, seed).items()}
    for name, n in counts.items():
        typer.echo(f"{name:<40} {number(n):>12}")


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
