"""Working days, active days and proration (SPEC §4.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import narwhals.stable.v2 as nw

from engine.inputs import Inputs
from engine.money import floor_bp
from engine.period import Period


def working_days(inputs: Inputs, period: Period) -> nw.LazyFrame[Any]:
    """``work_date``: Monday–Friday of the period not in ``calendar.csv``."""
    holidays = inputs.calendar.select(nw.col("date").alias("work_date"))
    return inputs.dates_frame(period.weekdays).join(holidays, on="work_date", how="anti")


def is_active(day: nw.Expr) -> nw.Expr:
    """``start_date ≤ day ≤ end_date``; an empty end date is open."""
    return (nw.col("start_date") <= day) & (nw.col("end_date").is_null() | (day <= nw.col("end_date")))


def overlaps(period: Period) -> nw.Expr:
    """Whether a row's span (``start_date`` to ``end_date``; an empty end is open) has a day in
    ``period``: an employment, an acting post or a sanction that counts for the month."""
    return (nw.col("start_date") <= nw.lit(period.last_day)) & (
        nw.col("end_date").is_null() | (nw.col("end_date") >= nw.lit(period.first_day)))


PERIOD_DATES = {"activity_log": "work_date", "attendance": "work_date", "milestones": "completed_date"}
"""The inputs whose rows belong to the month of one date column."""
PERIOD_SPANS = ("employees", "plt", "sanctions")
"""The inputs whose rows belong to every month their span overlaps."""
PERIOD_YEARS = {"pph21_ytd": "fiscal_year"}
"""The inputs whose rows belong to every month of their fiscal year."""


def period_rows(name: str, period: Period) -> nw.Expr | None:
    """Which rows of input ``name`` a run of ``period`` reads (None: all of them): those dated in
    the month, those whose span overlaps it, those of its fiscal year."""
    if name in PERIOD_DATES:
        return nw.col(PERIOD_DATES[name]).is_between(nw.lit(period.first_day), nw.lit(period.last_day))
    if name in PERIOD_YEARS:
        return nw.col(PERIOD_YEARS[name]) == period.year
    return overlaps(period) if name in PERIOD_SPANS else None


def active_day_grid(employees: nw.LazyFrame[Any], days: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """``nip, work_date``: every working day on which the employee is active.

    These are the *days* of SPEC §4.3 and §4.4.
    """
    return (
        employees.select("nip", "start_date", "end_date")
        .join(days, how="cross")
        .filter(is_active(nw.col("work_date")))
        .select("nip", "work_date")
    )


def active_days(employees: nw.LazyFrame[Any], days: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """``nip, active_days``: how many working days each employee is active; an employee with
    none is not listed (not in the run).

    The count of :func:`active_day_grid` without building it: employees share a few thousand
    spans (start and end dates), and each span's days are counted once.
    """
    open_end = nw.col("end_date").fill_null(nw.lit(dt.date.max))
    spans = employees.select("nip", "start_date", open_end.alias("end_date"))
    counted = (
        spans.select("start_date", "end_date").unique()
        .join(days, how="cross")
        .filter(is_active(nw.col("work_date")))
        .group_by("start_date", "end_date")
        .agg(nw.len().cast(nw.Int64).alias("active_days"))
    )
    return spans.join(counted, on=["start_date", "end_date"]).select("nip", "active_days")


def on_active_days(frame: nw.LazyFrame[Any], employees: nw.LazyFrame[Any],
                   days: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """The rows of ``frame`` (keyed ``nip, work_date``) that fall on a day of their employee.

    Same rows as a join with :func:`active_day_grid`, but each big table is joined only to the
    small ones (the employees and the working days), not to the employee × day grid.
    """
    spans = employees.select("nip", "start_date", "end_date")
    return (
        frame.join(days, on="work_date", how="semi")
        .join(spans, on="nip")
        .filter(is_active(nw.col("work_date")))
        .drop("start_date", "end_date")
    )


def proration_bp(active_days: nw.Expr, working_days: nw.Expr) -> nw.Expr:
    """``floor_div(10000 × active_days, working_days)``; 14 of 21 days → 6666 bp."""
    return floor_bp(active_days, working_days)
