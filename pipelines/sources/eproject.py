"""e-Project: procurement packages, who is assigned to them, their milestones, and which
activity a role logs for a milestone, under ``eproject/``."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa

from pipelines.sources.columns import FISCAL_YEAR, ROLES, InputModel, amount, ends_after_start, row_check
from pipelines.sources.contract import Contract, Reference


class Packages(InputModel):
    package_id: str
    fiscal_year: int = pa.Field(**FISCAL_YEAR)
    opd_code: str
    name: str = pa.Field(nullable=True)
    value_rp: int = amount()
    start_date: dt.date
    end_date: dt.date = pa.Field(nullable=True)
    ends_after_start = row_check(ends_after_start())


class Assignments(InputModel):
    package_id: str
    nip: str
    role: str = pa.Field(isin=list(ROLES))


class Milestones(InputModel):
    package_id: str
    milestone_code: str
    planned_date: dt.date = pa.Field(nullable=True)
    completed_date: dt.date = pa.Field(nullable=True)
    progress_pct: int = pa.Field(nullable=True, in_range={"min_value": 0, "max_value": 100})


class ActivityMap(InputModel):
    role: str = pa.Field(isin=list(ROLES))
    milestone_code: str
    activity_code: str


FILES = (
    Contract("packages", "eproject/packages", Packages, ("package_id",), optional=True),
    Contract("assignments", "eproject/assignments", Assignments, ("package_id", "nip", "role"),
             (Reference("package_id", "packages"), Reference("nip", "employees")),
             optional=True),
    Contract("milestones", "eproject/milestones", Milestones, ("package_id", "milestone_code"),
             (Reference("package_id", "packages"),), optional=True),
    Contract("activity_map", "eproject/activity_map", ActivityMap, ("role", "milestone_code"),
             (Reference("activity_code", "catalog"),), optional=True),
)
"""This system's input files, in reading order."""
