"""e-Kinerja (e-Performance): the activity catalogue and the daily activity log, under
``ekinerja/``."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa

from engine import LogStatus, values
from pipelines.sources.columns import MAX_QUANTITY, MINUTES_PER_DAY, InputModel
from pipelines.sources.contract import Contract, Reference


class ActivityCatalog(InputModel):
    activity_code: str
    name: str = pa.Field(nullable=True)
    standard_minutes: int = pa.Field(ge=0, le=MINUTES_PER_DAY)


class ActivityLog(InputModel):
    log_id: str
    nip: str
    work_date: dt.date
    activity_code: str
    quantity: int = pa.Field(ge=0, le=MAX_QUANTITY)
    status: str = pa.Field(isin=values(LogStatus))
    approver_nip: str = pa.Field(nullable=True)
    approved_at: dt.datetime = pa.Field(nullable=True)
    ref: str = pa.Field(nullable=True)


FILES = (
    Contract("catalog", "ekinerja/activity_catalog", ActivityCatalog, ("activity_code",)),
    Contract("activity_log", "ekinerja/activity_log", ActivityLog, ("log_id",),
             (Reference("nip", "employees"), Reference("activity_code", "catalog")),
             folder_allowed=True, large=True, dated_by="work_date"),
)
"""This system's input files, in reading order."""
