"""Helpers shared by the synthetic city's modules: a random stream per (seed, tags), integer days
(days since 1970-01-01, how dates are held internally) and their conversions, and an integer split
proportional to weights."""

from __future__ import annotations

import zlib

import numpy as np
import numpy.typing as npt
import polars as pl

OPEN_END = 2**30  # internal end day of an open-ended employment
EXTRA_MONTHS = {3: "thr", 6: "gaji13"}
"""The demo city's extra payments (SPEC §4.10), each a whole month of TPP: the TPP part of the THR in
March and of gaji-13 in June, every year (PP 11/2025)."""


def _extras_from(month: int) -> int:
    """How many of the year's extra payments fall in ``month`` or later."""
    return sum(1 for m in EXTRA_MONTHS if m >= month)


def _rng(seed: int, *tags: object) -> np.random.Generator:
    """An independent generator per (seed, tags) so each output is reproducible on its own."""
    return np.random.default_rng([seed, *(zlib.crc32(str(t).encode()) for t in tags)])


def _day(iso: str) -> int:
    """Days since 1970-01-01 of an ISO date."""
    return int(np.datetime64(iso, "D").astype(np.int64))


def _month_bounds(ym: str) -> tuple[int, int]:
    """First and last day of a YYYY-MM month."""
    first = np.datetime64(ym, "M")
    return (int(first.astype("datetime64[D]").astype(np.int64)),
            int((first + 1).astype("datetime64[D]").astype(np.int64)) - 1)


def _month_start(days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """First day of the month of each day."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _weekday(days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """0 = Monday ... 6 = Sunday."""
    return (days + 3) % 7


def _dates(days: npt.NDArray[np.int64]) -> pl.Series:
    """Integer days as a polars Date series."""
    return pl.Series(days.astype(np.int32)).cast(pl.Date)


def _as_date(col: str) -> pl.Expr:
    """An integer-day column as Date; OPEN_END (open-ended or not yet) becomes null."""
    return pl.when(pl.col(col) < OPEN_END).then(pl.col(col)).cast(pl.Int32).cast(pl.Date)


def _working_day(days: npt.NDArray[np.int64], holidays: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
    """Each day, moved forward past weekends and holidays."""
    moved = np.busday_offset(days.astype("datetime64[D]"), 0, roll="forward", holidays=holidays.astype("datetime64[D]"))
    return moved.astype(np.int64)


def _split(total: int, weights: npt.NDArray[np.float64], minimum: int) -> npt.NDArray[np.int64]:
    """Integer split of total proportional to weights (largest remainder), each at least minimum."""
    free = total - minimum * len(weights)
    share = weights / weights.sum() * free
    counts: npt.NDArray[np.int64] = np.floor(share).astype(np.int64)
    counts[np.argsort(-(share - counts), kind="stable")[: free - counts.sum()]] += 1
    return counts + minimum
