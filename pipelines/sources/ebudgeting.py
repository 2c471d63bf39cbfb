"""e-Budgeting: the APBD lines of every revision, under ``ebudgeting/``."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa

from pipelines.sources.columns import FISCAL_YEAR, InputModel, amount
from pipelines.sources.contract import Contract


class ApbdLines(InputModel):
    fiscal_year: int = pa.Field(**FISCAL_YEAR)
    revision: int = pa.Field(in_range={"min_value": 0, "max_value": 999})
    effective_date: dt.date
    opd_code: str
    account_code: str
    account_name: str = pa.Field(nullable=True)
    pagu_rp: int = amount()


FILES = (
    Contract("apbd_lines", "ebudgeting/apbd_lines", ApbdLines,
             ("fiscal_year", "revision", "opd_code", "account_code")),
)
"""This system's input files, in reading order."""
