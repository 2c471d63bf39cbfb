"""The ``eperf`` command line (SPEC §8)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="e-Performance TPP pay engine: compute, explain and generate monthly TPP.")

DataOpt = Annotated[Path, typer.Option("--data", help="Data directory with the source exports (SPEC §3).")]
PeriodOpt = Annotated[str, typer.Option("--period", help="Pay month, YYYY-MM.")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@app.command()
def run(data: DataOpt, period: PeriodOpt,
        out: Annotated[Path, typer.Option("--out", help="Folder for the run's outputs.")],
        backend: Annotated[str, typer.Option(help="Engine backend: polars or duckdb.")] = "polars") -> None:
    """Compute one month's TPP and write the pay register, pool summary, budget check, rejects."""
    from engine import Period
    from pipelines.backends import Backend
    from pipelines.monthly import run_month
    from pipelines.readers import InputError
    from pipelines.summary import print_summary, progress

    clock = time.perf_counter()
    interactive = sys.stdout.isatty()
    try:
        with progress(interactive) as on_step:
            result = run_month(data, Period.parse(period), out, Backend(backend), on_step)
    except (InputError, ValueError) as exc:
        raise _fail(str(exc)) from None
    print_summary(result, time.perf_counter() - clock, interactive)


@app.command()
def explain(data: DataOpt, period: PeriodOpt,
            nip: Annotated[str, typer.Option("--nip", help="The employee's 18-digit NIP.")]) -> None:
    """One employee's pay, step by step, in words and Rupiah."""
    from engine import Period
    from pipelines.explain import explain_employee
    from pipelines.readers import InputError

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
    from pipelines.generate import generate_city

    counts = generate_city(out, employees=employees, seed=seed, months=[m.strip() for m in months.split(",")])
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
