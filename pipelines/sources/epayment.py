"""e-Payment: SP2D (payment orders) and the transfers to employees, under ``epayment/``."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa

from engine import PERIOD_PATTERN, Sp2dStatus, TransferStatus, values
from pipelines.sources.columns import FISCAL_YEAR, NIP, InputModel, amount
from pipelines.sources.contract import Contract


class Sp2d(InputModel):
    sp2d_no: str
    sp2d_date: dt.date
    fiscal_year: int = pa.Field(**FISCAL_YEAR)
    opd_code: str
    account_code: str
    period: str = pa.Field(str_matches=PERIOD_PATTERN)
    gross_rp: int = amount()
    status: str = pa.Field(isin=values(Sp2dStatus))


class Transfers(InputModel):
    sp2d_no: str
    nip: str = pa.Field(str_matches=NIP)
    period: str = pa.Field(str_matches=PERIOD_PATTERN)
    net_rp: int = amount()
    status: str = pa.Field(isin=values(TransferStatus))


FILES = (
    Contract("sp2d", "epayment/sp2d", Sp2d, ("sp2d_no",), optional=True),
    Contract("transfers", "epayment/transfers", Transfers, ("sp2d_no", "nip"), optional=True),
)
"""This system's input files, in reading order."""
