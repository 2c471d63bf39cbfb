"""The salary payroll (``hr/pph21_ytd.csv``): each employee's PPh 21 year to date before the first
generated month of each fiscal year, the opening balance eperf's locked months add to (SPEC §4.9).

The months before are not generated, so their TPP is estimated: 90 % of the employee's ceiling
at their status rate each month, a whole month more in a month with an extra payment
(:data:`EXTRA_MONTHS`, when the salary payroll also pays its own THR or gaji-13), and the PPh 21
withheld on it is the engine's own TER rule (:func:`engine.ter_terms`). A data directory's run of
a later generated month reads these rows as every month before it: only the first generated
month's true-up is whole from a data directory; the warehouse adds the locked months.
"""

from __future__ import annotations

import narwhals.stable.v2 as nw
import numpy as np
import polars as pl

from engine import DEFAULTS, TER_SCHEMA, YTD_COLUMNS, ter_table, ter_terms
from pipelines.synthetic.ebudgeting import Costs
from pipelines.synthetic.shared import EXTRA_MONTHS, _month_bounds

SCHEMA = {"nip": pl.String, "fiscal_year": pl.Int64, **{c: pl.Int64 for c in YTD_COLUMNS}}


def _month_tax(emp: pl.DataFrame, pay: pl.Series, extra: bool) -> pl.Series:
    """What TER withholds on ``pay`` of TPP in an ordinary month (or one with an extra payment)."""
    frame = emp.select(
        "nip", "pension_rp", "ptkp_status", salary_m=pl.col("salary_rp") * (2 if extra else 1),
        pay_rp=pay, extra_rp=pay if extra else pl.lit(0, pl.Int64), last_month=pl.lit(False),
        **{f"ytd_{c}": pl.lit(0, pl.Int64) for c in YTD_COLUMNS})
    rates = nw.from_dict(ter_table(), TER_SCHEMA, backend=pl).lazy()
    taxed: pl.DataFrame = ter_terms(nw.from_native(frame.lazy()), rates).collect("polars").to_native()
    return emp.select("nip").join(taxed.select("nip", "pph21_rp"), on="nip", how="left")["pph21_rp"]


def _pph21_ytd(emp: pl.DataFrame, costs: Costs, periods: list[str]) -> pl.DataFrame:
    """``hr/pph21_ytd.csv``: per employee and fiscal year, the months worked before the year's first
    generated month and their salary, TPP, PPh 21 and pension."""
    status_bp = emp["status"].replace_strict(DEFAULTS["status_bp"], return_dtype=pl.Int64).to_numpy()
    pay = pl.Series(np.rint(costs["emp_cap"] * status_bp / 10_000 * 0.9).astype(np.int64))
    ordinary, extra = _month_tax(emp, pay, False).to_numpy(), _month_tax(emp, pay, True).to_numpy()
    start, end = emp["start"].to_numpy(), emp["end"].to_numpy()
    frames = []
    for year in sorted({int(p[:4]) for p in periods}):
        first = min(int(p[5:]) for p in periods if int(p[:4]) == year)
        months = np.zeros(emp.height, np.int64)
        extras = np.zeros(emp.height, np.int64)
        for month in range(1, first):
            lo, hi = _month_bounds(f"{year}-{month:02d}")
            worked = (start <= hi) & (end >= lo)
            months += worked
            extras += worked & (month in EXTRA_MONTHS)
        paid = months + extras
        frames.append(pl.DataFrame({
            "nip": emp["nip"], "fiscal_year": year, "months": months,
            "salary_rp": emp["salary_rp"].to_numpy() * paid, "tpp_rp": pay.to_numpy() * paid,
            "pph21_rp": ordinary * (months - extras) + extra * extras,
            "pension_rp": emp["pension_rp"].to_numpy() * months,
        }, schema=SCHEMA).filter(pl.col("months") > 0))
    return pl.concat(frames).sort("nip", "fiscal_year") if frames else pl.DataFrame(schema=SCHEMA)
