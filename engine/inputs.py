"""What the engine is given: validated input tables as narwhals LazyFrames on one backend."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import narwhals.stable.v2 as nw

DatesFrame = Callable[[list[dt.date]], nw.LazyFrame[Any]]
"""Builds a one-column (``work_date``) LazyFrame on the inputs' backend."""
Materialize = Callable[[nw.LazyFrame[Any]], nw.LazyFrame[Any]]
"""Computes a LazyFrame once and returns it as a LazyFrame on the same backend."""


@dataclasses.dataclass(frozen=True)
class Inputs:
    """The validated tables of SPEC §3, typed (dates as Date, times as minutes of the day).

    The activity log, the largest input by far, is given as the two reductions the engine reads
    of it; both distribute over any split of the log, so a reader computes them while it
    streams the log and never holds it (:func:`engine.productivity.log_reductions`).

    Every frame is on the same backend; ``dates_frame`` makes the period's day list there and
    ``materialize`` computes a frame the run reads more than once.
    """

    kelas: nw.LazyFrame[Any]
    positions: nw.LazyFrame[Any]
    employees: nw.LazyFrame[Any]
    plt: nw.LazyFrame[Any]
    sanctions: nw.LazyFrame[Any]
    skp: nw.LazyFrame[Any]
    """``nip, period_end, predikat``: SKP ratings (§4.11), of any period."""
    calendar: nw.LazyFrame[Any]
    catalog: nw.LazyFrame[Any]
    day_minutes: nw.LazyFrame[Any]
    """``nip, work_date, logged_minutes``: the activity log's approved minutes per employee-day
    (:func:`engine.productivity.approved_day_minutes`)."""
    referenced_logs: nw.LazyFrame[Any]
    """``nip, work_date, activity_code, ref``: approved logs naming an e-Project package
    (:func:`engine.productivity.referenced_logs`)."""
    attendance: nw.LazyFrame[Any]
    apbd_lines: nw.LazyFrame[Any]
    assignments: nw.LazyFrame[Any]
    milestones: nw.LazyFrame[Any]
    activity_map: nw.LazyFrame[Any]
    sp2d: nw.LazyFrame[Any]
    pph21_ytd: nw.LazyFrame[Any]
    """``nip, fiscal_year, months, salary_rp, tpp_rp, pph21_rp, pension_rp``: each employee's totals of
    the year before the months eperf computes (SPEC §4.9 YTD)."""
    ter_rates: nw.LazyFrame[Any]
    """``category, row, lower_rp, upper_rp, rate_bp``: the TER tables (:func:`engine.pph21.ter_table`)."""
    dates_frame: DatesFrame
    materialize: Materialize

    @property
    def tables(self) -> dict[str, nw.LazyFrame[Any]]:
        return {name: getattr(self, name) for name in TABLES}


TABLES = tuple(f.name for f in dataclasses.fields(Inputs) if f.name not in ("dates_frame", "materialize"))
"""The names of the engine's input frames."""
SOURCES = ("kelas", "positions", "employees", "plt", "sanctions", "skp", "calendar", "catalog", "activity_log",
           "attendance", "apbd_lines", "assignments", "milestones", "activity_map", "sp2d", "pph21_ytd")
"""The input tables of SPEC §3 the engine's inputs come from."""
