"""e-Absensi: one attendance row per employee and working day, under ``eabsensi/``."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa

from engine import ATTENDANCE_STATUSES
from pipelines.sources.columns import MINUTES_PER_DAY, OUT_AFTER_IN, InputModel, row_check
from pipelines.sources.contract import Contract, Reference


class Attendance(InputModel):
    nip: str
    work_date: dt.date
    status: str = pa.Field(isin=list(ATTENDANCE_STATUSES))
    check_in: int = pa.Field(nullable=True, in_range={"min_value": 0, "max_value": MINUTES_PER_DAY - 1})
    check_out: int = pa.Field(nullable=True, in_range={"min_value": 0, "max_value": MINUTES_PER_DAY - 1})
    out_after_in = row_check(OUT_AFTER_IN)


FILES = (
    Contract("attendance", "eabsensi/attendance", Attendance, ("nip", "work_date"),
             (Reference("nip", "employees"),), times=("check_in", "check_out"), dated_by="work_date",
             folder_allowed=True),
)
"""This system's input files, in reading order."""
