"""Finance (BPKAD): the budget outlook of a kept run — per pool and TPP account the pagu, what
is realized, this run and a projection to December — and the TPP burn-down.
"""

from __future__ import annotations

import narwhals.stable.v2 as nw
import polars as pl

from engine import Period
from engine.budget import budget_check
from engine.pool import pools
from pipelines.warehouse.lifecycle import Run, counted_run, policy_of
from pipelines.warehouse.store import Warehouse, kept_outputs

STATUSES = ("OK", "WARN", "FAIL")


def budget(wh: Warehouse, period: Period) -> tuple[Run, pl.DataFrame]:
    """The budget check of the period's run that counts, on the pagu and SP2D of today (the
    run's pool stays the one it was paid from), with a projection to the end of the fiscal year
    and a status OK / WARN / FAIL per row.

    - ``pool``: ``projected = realized + this period's gross × months left`` (this month to
      December); FAIL when the pool is over (realized + gross > pagu, or pay > pool), WARN when
      the projection passes the pagu.
    - ``account``: no gross of its own (a run pays pools, not accounts), so the rate is the
      account's realized per month elapsed; FAIL when realized > pagu, WARN on a projected overrun.
    - ``city``: belanja pegawai over 30 % of belanja fails (UU 1/2022).
    """
    run = counted_run(wh, period)
    policy = policy_of(wh, period)
    apbd, sp2d = (nw.from_native(wh.table(name).lazy()) for name in ("apbd_lines", "sp2d"))
    kept = kept_outputs(wh, run.run_id)["pool_summary"]
    today = pools(nw.from_native(kept.lazy()).select("pool_id"), apbd, sp2d, policy, period).collect("polars")
    summary = kept.drop("pagu_rp", "realized_rp").join(
        today.to_native().select("pool_id", "pagu_rp", "realized_rp"), on="pool_id", how="left")
    check = budget_check(nw.from_native(summary), apbd, sp2d, policy, period).to_native()
    return run, budget_outlook(check, period)


def budget_outlook(check: pl.DataFrame, period: Period) -> pl.DataFrame:
    """``check`` (engine.budget_check) with ``projected_rp`` and status OK / WARN / FAIL."""
    elapsed = period.month - 1
    monthly = (pl.when(pl.col("level") == "pool").then(pl.col("this_run_rp"))
               .when(pl.col("level") == "account").then(pl.col("realized_rp") // elapsed if elapsed else 0))
    projected = pl.col("realized_rp") + monthly * period.months_left
    return check.with_columns(projected_rp=projected).with_columns(
        status=pl.when(pl.col("status") == "OVER").then(pl.lit("FAIL"))
        .when(pl.col("projected_rp") > pl.col("pagu_rp")).then(pl.lit("WARN"))
        .otherwise(pl.lit("OK")))


def burn_down(sp2d: pl.DataFrame, tpp_prefix: str, period: Period, gross_rp: int, pagu_rp: int) -> pl.DataFrame:
    """``period, cumulative_rp, pagu_rp``: paid TPP SP2D of the fiscal year, month by month and
    cumulated, with this run's gross as ``period``'s point, against the year's TPP pagu."""
    paid = (sp2d.filter(pl.col("fiscal_year") == period.year, pl.col("status") == "paid",
                        pl.col("account_code").str.starts_with(tpp_prefix), pl.col("period") < str(period))
            .group_by("period").agg(pl.col("gross_rp").sum()))
    months = pl.concat([paid, pl.DataFrame({"period": [str(period)], "gross_rp": [gross_rp]})]).sort("period")
    return months.select("period", pl.col("gross_rp").cum_sum().alias("cumulative_rp"),
                         pl.lit(pagu_rp).alias("pagu_rp"))
