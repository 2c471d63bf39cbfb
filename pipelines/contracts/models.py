"""The pandera models of the input files (SPEC §3), after parsing.

Dates are ``Date``, ``approved_at`` a ``Datetime``, check-in/out times minutes of the day
(``Int64``), money, bp, minutes and quantity ``Int64``. A column's ``nullable=False`` means
a missing value rejects the row.

A column that references another file (SPEC §3.1; ``files.py``) takes its format from its
target: a log's ``nip`` that is not a known employee is "wrong format" when it is not 18 digits,
else an unknown reference.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandera.polars as pa
import polars as pl

from engine.money import BP
from engine.period import PERIOD_PATTERN
from engine.policy import ATTENDANCE_STATUSES, ROMAN_PNS, ROMAN_PPPK, STATUSES

NIP = r"^\d{18}$"
ROLES = ("PPK", "PPTK", "PEJABAT_PENGADAAN", "POKJA", "PENGAWAS")
KELAS = {"in_range": {"min_value": 1, "max_value": 17}}
FISCAL_YEAR = {"in_range": {"min_value": 2000, "max_value": 2100}}


def _ends_after_start(data: pa.PolarsData, start: str = "start_date", end: str = "end_date") -> pl.LazyFrame:
    return data.lazyframe.select((pl.col(end).is_null() | pl.col(start).is_null()
                                  | (pl.col(end) >= pl.col(start))).alias("ok"))


def _span_check() -> Any:
    """The check of a row valid from ``start_date`` to ``end_date`` (empty: open-ended), as a
    model attribute: an inherited pandera check loses its name, which is the reject's reason."""
    @pa.dataframe_check(name="end_date before start_date")
    def ends_after_start(cls: Any, data: pa.PolarsData) -> pl.LazyFrame:
        return _ends_after_start(data)

    return ends_after_start


class Contract(pa.DataFrameModel):
    class Config:
        strict = False  # extra columns are ignored (SPEC §3)
        coerce = False

    @pa.check(r"^\w+_bp$", regex=True)
    def bp_range(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Every ``…_bp`` column holds basis points."""
        return data.lazyframe.select(pl.col(data.key).is_between(0, BP))


class Kelas(Contract):
    kelas: int = pa.Field(**KELAS)
    basic_rp: int = pa.Field(ge=0)


class Positions(Contract):
    position_id: str
    opd_code: str
    name: str = pa.Field(nullable=True)
    kelas: int = pa.Field(**KELAS)
    bk_bp: int
    pk_bp: int
    kk_bp: int
    kp_bp: int
    tb_bp: int
    pol_bp: int


class Employees(Contract):
    nip: str = pa.Field(str_matches=NIP)
    name: str = pa.Field(nullable=True)
    opd_code: str
    position_id: str
    status: str = pa.Field(isin=list(STATUSES))
    golongan: str = pa.Field(isin=list(ROMAN_PPPK))
    salary_rp: int = pa.Field(ge=0)
    start_date: dt.date
    end_date: dt.date = pa.Field(nullable=True)
    bank_account: str = pa.Field(nullable=True)
    ends_after_start = _span_check()

    @pa.dataframe_check(name="golongan not valid for status (PNS/CPNS: I-IV)")
    def golongan_for_status(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("status").is_in(["PNS", "CPNS"]).not_() | pl.col("golongan").is_in(list(ROMAN_PNS))
             | pl.col("golongan").is_null()).alias("ok"))


class Plt(Contract):
    nip: str
    position_id: str
    start_date: dt.date
    end_date: dt.date = pa.Field(nullable=True)
    ends_after_start = _span_check()


class Sanctions(Contract):
    nip: str
    cut_bp: int
    start_date: dt.date
    end_date: dt.date = pa.Field(nullable=True)
    ends_after_start = _span_check()


class Calendar(Contract):
    date: dt.date
    kind: str = pa.Field(isin=["holiday", "cuti_bersama"])


class ActivityCatalog(Contract):
    activity_code: str
    name: str = pa.Field(nullable=True)
    standard_minutes: int = pa.Field(ge=0)


class ActivityLog(Contract):
    log_id: str
    nip: str
    work_date: dt.date
    activity_code: str
    quantity: int = pa.Field(ge=0)
    status: str = pa.Field(isin=["draft", "submitted", "approved", "rejected"])
    approver_nip: str = pa.Field(nullable=True)
    approved_at: dt.datetime = pa.Field(nullable=True)
    ref: str = pa.Field(nullable=True)


class Attendance(Contract):
    nip: str
    work_date: dt.date
    status: str = pa.Field(isin=list(ATTENDANCE_STATUSES))
    check_in: int = pa.Field(nullable=True, in_range={"min_value": 0, "max_value": 1439})
    check_out: int = pa.Field(nullable=True, in_range={"min_value": 0, "max_value": 1439})

    @pa.dataframe_check(name="check_out before check_in")
    def out_after_in(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _ends_after_start(data, "check_in", "check_out")


class ApbdLines(Contract):
    fiscal_year: int = pa.Field(**FISCAL_YEAR)
    revision: int = pa.Field(ge=0)
    effective_date: dt.date
    opd_code: str
    account_code: str
    account_name: str = pa.Field(nullable=True)
    pagu_rp: int = pa.Field(ge=0)


class Packages(Contract):
    package_id: str
    fiscal_year: int = pa.Field(**FISCAL_YEAR)
    opd_code: str
    name: str = pa.Field(nullable=True)
    value_rp: int = pa.Field(ge=0)
    start_date: dt.date
    end_date: dt.date = pa.Field(nullable=True)
    ends_after_start = _span_check()


class Assignments(Contract):
    package_id: str
    nip: str
    role: str = pa.Field(isin=list(ROLES))


class Milestones(Contract):
    package_id: str
    milestone_code: str
    planned_date: dt.date = pa.Field(nullable=True)
    completed_date: dt.date = pa.Field(nullable=True)
    progress_pct: int = pa.Field(nullable=True, in_range={"min_value": 0, "max_value": 100})


class ActivityMap(Contract):
    role: str = pa.Field(isin=list(ROLES))
    milestone_code: str
    activity_code: str


class Sp2d(Contract):
    sp2d_no: str
    sp2d_date: dt.date
    fiscal_year: int = pa.Field(**FISCAL_YEAR)
    opd_code: str
    account_code: str
    period: str = pa.Field(str_matches=PERIOD_PATTERN)
    gross_rp: int = pa.Field(ge=0)
    status: str = pa.Field(isin=["paid", "cancelled"])


class Transfers(Contract):
    sp2d_no: str
    nip: str = pa.Field(str_matches=NIP)
    period: str = pa.Field(str_matches=PERIOD_PATTERN)
    net_rp: int = pa.Field(ge=0)
    status: str = pa.Field(isin=["success", "failed", "returned"])
