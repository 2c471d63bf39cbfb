"""What the pandera models of the input files (SPEC §3) are made of: column formats, bounds,
cross-column rules and the base model. Each source system's models are in its module.

Dates are ``Date``, ``approved_at`` a ``Datetime``, check-in/out times minutes of the day
(``Int64``), money, bp, minutes and quantity ``Int64``. A column's ``nullable=False`` means a
missing value rejects the row. Every integer has an upper bound (SPEC §3.1: amounts have
bounds), so every accepted value fits ``Int64`` and no formula of §4 overflows.

The models are declarations: :mod:`pipelines.sources.checks` turns each into lazy flag
expressions that run over a scan of the file. A cross-column rule is a :class:`RowRule` (one
narwhals expression) attached to its model with :func:`row_check`, so a model also validates
with pandera itself and the two agree.

A column that references another file (its contract) takes its format from its target: a log's
``nip`` that is not a known employee is "wrong format" when it is not 18 digits, else an
unknown reference.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypedDict

import narwhals.stable.v2 as nw
import pandera.polars as pa
import polars as pl

from engine import BP, ROMAN_PNS


class Bounds(TypedDict):
    """Keyword arguments of ``pa.Field`` for an integer column between two values."""

    in_range: dict[str, int]


NIP = r"^[0-9]{18}$"
"""18 ASCII digits (``\\d`` would let full-width and other Unicode digits through)."""
ROLES = ("PPK", "PPTK", "PEJABAT_PENGADAAN", "POKJA", "PENGAWAS")
KELAS: Bounds = {"in_range": {"min_value": 1, "max_value": 17}}
FISCAL_YEAR: Bounds = {"in_range": {"min_value": 2000, "max_value": 2100}}
MAX_AMOUNT_RP = 10**15
"""Any ``*_rp`` input: at most a whole APBD line (SPEC §3.1)."""
MAX_PAY_RP = 10**9
"""``salary_rp`` and ``basic_rp``: a month's salary or basic TPP."""
MAX_QUANTITY = 10**4
MINUTES_PER_DAY = 24 * 60


def amount(maximum: int = MAX_AMOUNT_RP, **kwargs: Any) -> Any:
    """A Rupiah amount 0..``maximum`` (a larger one is "amount out of range")."""
    return pa.Field(ge=0, le=maximum, **kwargs)


@dataclasses.dataclass(frozen=True)
class RowRule:
    """A rule across columns of one row: ``ok`` is true where the row passes (a missing value
    passes: whether it may be missing is its column's business). A failing row is rejected with
    ``reason`` against ``column``."""

    reason: str
    column: str
    ok: nw.Expr
    reads: tuple[str, ...]
    """Every column ``ok`` reads."""


def ends_after_start(start: str = "start_date", end: str = "end_date") -> RowRule:
    return RowRule(f"{end} before {start}", end,
                   nw.col(end).is_null() | nw.col(start).is_null() | (nw.col(end) >= nw.col(start)), (start, end))


GOLONGAN_FOR_STATUS = RowRule(
    "golongan not valid for status (PNS/CPNS: I-IV)", "golongan",
    ~nw.col("status").is_in(["PNS", "CPNS"]) | nw.col("golongan").is_in(list(ROMAN_PNS))
    | nw.col("status").is_null() | nw.col("golongan").is_null(), ("status", "golongan"))
OUT_AFTER_IN = ends_after_start("check_in", "check_out")


def row_check(rule: RowRule) -> Any:
    """``rule`` as a pandera dataframe check, named by its reason (a model attribute: an
    inherited pandera check loses its name)."""
    @pa.dataframe_check(name=rule.reason)
    def check(cls: Any, data: pa.PolarsData) -> pl.LazyFrame:
        return nw.from_native(data.lazyframe).select(rule.ok.alias("ok")).to_native()

    return check


class InputModel(pa.DataFrameModel):
    class Config:
        strict = False  # extra columns are ignored (SPEC §3)
        coerce = False

    @pa.check(r"^\w+_bp$", regex=True, name="bp_range")
    def bp_range(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Every ``…_bp`` column holds basis points 0–10000."""
        return data.lazyframe.select(pl.col(data.key).is_between(0, BP))
