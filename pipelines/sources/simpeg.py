"""SIMPEG (BKPSDM's personnel system): grades, positions, employees, acting posts (PLT),
sanctions, the working calendar and the OPDs' names, exported under ``hr/``."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa

from engine import EMPLOYMENT_STATUSES, PTKP_STATUSES, ROMAN_PPPK
from pipelines.sources.columns import (
    GOLONGAN_FOR_STATUS,
    KELAS,
    MAX_PAY_RP,
    NIP,
    InputModel,
    amount,
    ends_after_start,
    row_check,
)
from pipelines.sources.contract import Contract, Reference


class Kelas(InputModel):
    kelas: int = pa.Field(**KELAS)
    basic_rp: int = amount(MAX_PAY_RP)


class Positions(InputModel):
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


class Employees(InputModel):
    nip: str = pa.Field(str_matches=NIP)
    name: str = pa.Field(nullable=True)
    opd_code: str
    position_id: str
    status: str = pa.Field(isin=list(EMPLOYMENT_STATUSES))
    golongan: str = pa.Field(isin=list(ROMAN_PPPK))
    salary_rp: int = amount(MAX_PAY_RP)
    start_date: dt.date
    end_date: dt.date = pa.Field(nullable=True)
    bank_account: str = pa.Field(nullable=True)
    ptkp_status: str = pa.Field(isin=list(PTKP_STATUSES), nullable=True)
    """Empty: TK/0 (SPEC §4.9)."""
    pension_rp: int = amount(nullable=True)
    """The monthly iuran pensiun + THT the salary payroll deducts; empty: 0."""
    ends_after_start = row_check(ends_after_start())
    golongan_for_status = row_check(GOLONGAN_FOR_STATUS)


class Plt(InputModel):
    nip: str
    position_id: str
    start_date: dt.date
    end_date: dt.date = pa.Field(nullable=True)
    ends_after_start = row_check(ends_after_start())


class Sanctions(InputModel):
    nip: str
    cut_bp: int
    start_date: dt.date
    end_date: dt.date = pa.Field(nullable=True)
    ends_after_start = row_check(ends_after_start())


class Opds(InputModel):
    opd_code: str
    name: str


class Calendar(InputModel):
    date: dt.date
    kind: str = pa.Field(isin=["holiday", "cuti_bersama"])


FILES = (
    Contract("kelas", "hr/kelas", Kelas, ("kelas",)),
    Contract("positions", "hr/positions", Positions, ("position_id",),
             (Reference("kelas", "kelas"),)),
    Contract("employees", "hr/employees", Employees, ("nip",),
             (Reference("position_id", "positions"),),
             personal=("name", "bank_account"), optional_columns=("ptkp_status", "pension_rp")),
    Contract("plt", "hr/plt", Plt, ("nip", "position_id", "start_date"),
             (Reference("nip", "employees"), Reference("position_id", "positions")),
             optional=True),
    Contract("sanctions", "hr/sanctions", Sanctions, ("nip", "start_date"),
             (Reference("nip", "employees"),), optional=True),
    Contract("calendar", "hr/calendar", Calendar, ("date",)),
    Contract("opds", "hr/opd", Opds, ("opd_code",), optional=True),
)
"""This system's input files, in reading order."""
