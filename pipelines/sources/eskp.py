"""e-SKP: each employee's SKP rating (predikat) per assessment period, exported as ``hr/skp.csv``
(optional: a city that does not weigh SKP in TPP has none)."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa

from engine import SKP_PREDIKATS
from pipelines.sources.columns import InputModel
from pipelines.sources.contract import Contract, Reference


class Skp(InputModel):
    nip: str
    period_end: dt.date
    predikat: str = pa.Field(isin=list(SKP_PREDIKATS))


FILES = (
    Contract("skp", "hr/skp", Skp, ("nip", "period_end"), (Reference("nip", "employees"),), optional=True),
)
"""This system's input files, in reading order."""
