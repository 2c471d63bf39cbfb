"""e-SKP (``hr/skp.csv``): each employee's SKP predikat per quarter, written for a city generated
under a policy preset (``eperf generate --policy``)."""

from __future__ import annotations

import numpy as np
import polars as pl

from engine import SKP_PREDIKATS
from pipelines.synthetic.shared import _dates, _month_bounds

PREDIKAT_P = (0.15, 0.70, 0.08, 0.05, 0.02)
"""sangat_baik, baik, butuh_perbaikan, kurang, sangat_kurang: how often each is given."""
KEEP_P = 0.8
"""Chance that an employee's next quarter has the same predikat as the last."""


def _quarter_ends(periods: list[str]) -> list[int]:
    """Integer days of the quarter ends from a year before the first month to the last month."""
    first_year, last = int(periods[0][:4]) - 1, periods[-1]
    ends = []
    for year in range(first_year, int(last[:4]) + 1):
        for month in (3, 6, 9, 12):
            if f"{year}-{month:02d}" < last:
                ends.append(_month_bounds(f"{year}-{month:02d}")[1])
    return ends


def _skp(emp: pl.DataFrame, periods: list[str], rng: np.random.Generator) -> pl.DataFrame:
    """``nip, period_end, predikat``: one row per employee and quarter ended before the last month
    since they started; a predikat mostly kept from one quarter to the next."""
    ends = _quarter_ends(periods)
    n = emp.height
    kinds = len(SKP_PREDIKATS)
    grades = np.empty((n, len(ends)), dtype=np.int64)
    for q in range(len(ends)):
        drawn = rng.choice(kinds, size=n, p=PREDIKAT_P)
        grades[:, q] = drawn if q == 0 else np.where(rng.random(n) < KEEP_P, grades[:, q - 1], drawn)
    started = emp["start"].to_numpy()[:, None] <= np.array(ends)[None, :]
    who, quarter = np.nonzero(started)
    return pl.DataFrame({
        "nip": emp["nip"].gather(who), "period_end": _dates(np.array(ends, dtype=np.int64)[quarter]),
        "predikat": pl.Series(SKP_PREDIKATS).gather(grades[who, quarter]),
    }).sort("nip", "period_end")
