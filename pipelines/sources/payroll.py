"""The salary payroll (gaji, BPKAD): the year's PPh 21 totals before the months eperf computes,
exported under ``hr/`` (optional; SPEC §3, §4.9)."""

from __future__ import annotations

import pandera.polars as pa

from pipelines.sources.columns import FISCAL_YEAR, NIP, Bounds, InputModel, amount
from pipelines.sources.contract import Contract, Reference

MONTHS_BEFORE: Bounds = {"in_range": {"min_value": 0, "max_value": 11}}
"""A year-to-date covers at most the eleven months before December."""


class Pph21Ytd(InputModel):
    nip: str = pa.Field(str_matches=NIP)
    fiscal_year: int = pa.Field(**FISCAL_YEAR)
    months: int = pa.Field(**MONTHS_BEFORE)
    salary_rp: int = amount()
    tpp_rp: int = amount()
    pph21_rp: int = amount()
    pension_rp: int = amount()


FILES = (
    Contract("pph21_ytd", "hr/pph21_ytd", Pph21Ytd, ("nip", "fiscal_year"), (Reference("nip", "employees"),),
             optional=True),
)
"""This system's input files, in reading order."""
