"""What the engine is given: validated input tables as narwhals LazyFrames on one backend."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import narwhals.stable.v2 as nw

DatesFrame = Callable[[list[dt.date]], nw.LazyFrame]
"""Builds a one-column (``work_date``) LazyFrame on the inputs' backend."""
Materialize = Callable[[nw.LazyFrame], nw.LazyFrame]
"""Computes a LazyFrame once and returns it as a LazyFrame on the same backend."""


@dataclasses.dataclass(frozen=True)
class Inputs:
    """The validated tables of SPEC §3, typed (dates as Date, times as minutes of the day).

    Every frame is on the same backend; ``dates_frame`` makes the period's day list there and
    ``materialize`` computes a frame the run reads more than once.
    """

    kelas: nw.LazyFrame
    positions: nw.LazyFrame
    employees: nw.LazyFrame
    plt: nw.LazyFrame
    sanctions: nw.LazyFrame
    calendar: nw.LazyFrame
    catalog: nw.LazyFrame
    activity_log: nw.LazyFrame
    attendance: nw.LazyFrame
    apbd_lines: nw.LazyFrame
    assignments: nw.LazyFrame
    milestones: nw.LazyFrame
    activity_map: nw.LazyFrame
    sp2d: nw.LazyFrame
    dates_frame: DatesFrame
    materialize: Materialize

    @property
    def tables(self) -> dict[str, nw.LazyFrame]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name not in ("dates_frame", "materialize")}
