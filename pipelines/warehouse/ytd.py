"""The PPh 21 year to date of a run from the warehouse (SPEC §4.9 YTD): the ingested
``hr/pph21_ytd.csv`` rows of the year (the months before eperf's first locked run of the year)
plus, for each earlier month of the year with a locked run, what that run paid (with its locked
corrections), one month each.

The ingested file covers the months up to the largest ``months`` among its rows of the year; a
month before the period that neither it nor a locked run covers is a hole, and a true-up on a hole
would be wrong for every employee: the run stops naming the months (:func:`year_holes`).
"""

from __future__ import annotations

import polars as pl

from engine import YTD_COLUMNS, Period
from pipelines.sources import CONTRACTS
from pipelines.sources.readers import InputError

YTD_PATH = f"{CONTRACTS['pph21_ytd'].path}.csv"
_PAID = {"salary_rp": pl.col("salary_rp"), "tpp_rp": pl.col("pay_rp") + pl.col("extra_rp"),
         "pph21_rp": pl.col("pph21_rp"), "pension_rp": pl.col("pension_rp")}
"""What one locked month adds to each year-to-date total, from its register."""


def ingested_months(ingested: pl.DataFrame, period: Period) -> int:
    """How many months of year(m), from January, the ingested year to date covers: the largest
    ``months`` among its rows of the year (0 without a row)."""
    months = ingested.filter(pl.col("fiscal_year") == period.year)["months"].max()
    return int(months) if isinstance(months, int) else 0


def year_holes(ingested: pl.DataFrame, locked: list[Period], period: Period) -> list[str]:
    """The months of year(m) before ``period`` that neither the ingested year to date nor a locked
    run covers; raises :class:`InputError` when the ingested rows count a month a locked run also
    pays (it would be counted twice)."""
    covered = ingested_months(ingested, period)
    first = min((p.month for p in locked), default=None)
    if first is not None and covered >= first:
        raise InputError(f"{YTD_PATH}: its rows of {period.year} count {covered} months, but "
                         f"{Period(period.year, first)} has a locked run in the warehouse; the year to date holds "
                         f"only the months before eperf's first locked run of the year (to "
                         f"{Period(period.year, first - 1) if first > 1 else 'none'}): load a corrected export")
    paid = {p.month for p in locked}
    return [str(Period(period.year, m)) for m in range(1, period.month) if m > covered and m not in paid]


def year_to_date(ingested: pl.DataFrame, registers: dict[Period, pl.DataFrame], period: Period) -> pl.DataFrame:
    """The ``hr/pph21_ytd`` rows the engine reads for ``period``: per NIP the ingested totals of
    year(m) plus each locked month's ``salary_rp``, ``pay_rp + extra_rp``, ``pph21_rp`` and
    ``pension_rp``, one month each (``registers``: the register paid for each locked month)."""
    schema = CONTRACTS["pph21_ytd"].dtypes
    parts = [ingested.filter(pl.col("fiscal_year") == period.year).select(*schema)]
    for month, register in sorted(registers.items(), key=lambda item: item[0].month):
        missing = [c for c in ("salary_rp", "pay_rp", "extra_rp", "pph21_rp", "pension_rp") if c not in register]
        if missing:
            raise InputError(f"the locked run of {month} was kept by an eperf without {', '.join(missing)} in its "
                             "register: its pay cannot count in the year to date; unlock and run it again")
        parts.append(register.select(
            "nip", pl.lit(period.year).alias("fiscal_year"), pl.lit(1).alias("months"),
            *(value.alias(name) for name, value in _PAID.items())).cast(schema))  # type: ignore[arg-type]
    return (pl.concat(parts).group_by("nip", "fiscal_year").agg(pl.col(c).sum() for c in YTD_COLUMNS)
            .sort("nip").cast(schema))  # type: ignore[arg-type]
