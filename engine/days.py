"""Working days, active days and proration (SPEC §4.1)."""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw

from engine.inputs import Inputs
from engine.money import floor_bp
from engine.period import Period


def working_days(inputs: Inputs, period: Period) -> nw.LazyFrame[Any]:
    """``work_date``: Monday–Friday of the period not in ``calendar.csv``."""
    holidays = inputs.calendar.select(nw.col("date").alias("work_date"))
    return inputs.dates_frame(period.weekdays).join(holidays, on="work_date", how="anti")


def active_day_grid(employees: nw.LazyFrame[Any], days: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """``nip, work_date``: every working day on which the employee is active.

    Active means ``start_date ≤ day ≤ end_date`` (an empty end date is open).
    These are the *days* of SPEC §4.3 and §4.4.
    """
    day = nw.col("work_date")
    return (
        employees.select("nip", "start_date", "end_date")
        .join(days, how="cross")
        .filter(nw.col("start_date") <= day, nw.col("end_date").is_null() | (day <= nw.col("end_date")))
        .select("nip", "work_date")
    )


def proration_bp(active_days: nw.Expr, working_days: nw.Expr) -> nw.Expr:
    """``floor_div(10000 × active_days, working_days)``; 14 of 21 days → 6666 bp."""
    return floor_bp(active_days, working_days)
