"""The budget pool of each pool_id (SPEC §4.6)."""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw

from engine.money import exact_floor_div, fitting_int64
from engine.period import Period
from engine.policy import Policy, PoolScope
from engine.states import Sp2dStatus

CITY_POOL = "CITY"


def pool_id(policy: Policy) -> nw.Expr:
    """The employee's pool: the OPD, or ``CITY`` when ``pool_scope = "city"``."""
    if policy.pool_scope is PoolScope.CITY:
        return nw.lit(CITY_POOL)
    return nw.col("opd_code")


def budget_revision(apbd_lines: nw.LazyFrame[Any], period: Period) -> nw.LazyFrame[Any]:
    """One row ``revision``: r*, the latest revision of year(m) effective by the first day."""
    return apbd_lines.filter(
        nw.col("fiscal_year") == period.year, nw.col("effective_date") <= nw.lit(period.first_day)
    ).select(nw.col("revision").max())


def budget_lines(apbd_lines: nw.LazyFrame[Any], period: Period) -> nw.LazyFrame[Any]:
    """Every APBD line of year(m) in revision r* (all accounts, city-wide)."""
    return apbd_lines.filter(nw.col("fiscal_year") == period.year).join(
        budget_revision(apbd_lines, period), on="revision")


def pagu_by_account(apbd_lines: nw.LazyFrame[Any], policy: Policy, period: Period) -> nw.LazyFrame[Any]:
    """``pool_id, account_code, pagu_rp``: Σ TPP lines of revision r* of year(m)."""
    return (
        budget_lines(apbd_lines, period)
        .filter(nw.col("account_code").str.starts_with(policy.tpp_account_prefix))
        .with_columns(pool_id(policy).alias("pool_id"))
        .group_by("pool_id", "account_code")
        .agg(nw.col("pagu_rp").cast(nw.Int128).sum())
    )


def paid_tpp(policy: Policy) -> nw.Expr:
    """Whether an SP2D row is paid and on a TPP account: what the TPP budget has spent."""
    return (nw.col("status") == Sp2dStatus.PAID.value) & nw.col("account_code").str.starts_with(
        policy.tpp_account_prefix)


def realized_by_account(sp2d: nw.LazyFrame[Any], policy: Policy, period: Period) -> nw.LazyFrame[Any]:
    """``pool_id, account_code, realized_rp``: paid TPP SP2D of the fiscal year for months before m."""
    return (
        sp2d.filter(
            paid_tpp(policy),
            nw.col("fiscal_year") == period.year,
            nw.col("period") >= f"{period.year:04d}-01",
            nw.col("period") < str(period),
        )
        .with_columns(pool_id(policy).alias("pool_id"))
        .group_by("pool_id", "account_code")
        .agg(nw.col("gross_rp").cast(nw.Int128).sum().alias("realized_rp"))
    )


def budget_accounts(apbd_lines: nw.LazyFrame[Any], sp2d: nw.LazyFrame[Any], policy: Policy,
                    period: Period) -> nw.LazyFrame[Any]:
    """``pool_id, account_code, pagu_rp, realized_rp`` (Int128): every TPP account with a pagu
    (revision r* of year(m)) or a realized amount (SP2D paid this year before m), 0 where it
    has none. The pools and the budget check are both sums of these rows."""
    keys = ["pool_id", "account_code"]
    return pagu_by_account(apbd_lines, policy, period).join(
        realized_by_account(sp2d, policy, period), on=keys, how="full").select(
        nw.coalesce("pool_id", "pool_id_right").alias("pool_id"),
        nw.coalesce("account_code", "account_code_right").alias("account_code"),
        nw.col("pagu_rp").fill_null(0).cast(nw.Int128),
        nw.col("realized_rp").fill_null(0).cast(nw.Int128))


def pools(pool_members: nw.LazyFrame[Any], accounts: nw.LazyFrame[Any], period: Period,
          extra_payments_ahead: int = 0) -> nw.LazyFrame[Any]:
    """``pool_id, pagu_rp, realized_rp, pool_rp`` for the pools that have employees in the run,
    from their TPP accounts (:func:`budget_accounts`).

    ``pool_rp = max(0, floor_div(pagu − realized, 13 − month + k))``, ``k`` the extra payments of
    the year still to make, this month's included (:meth:`engine.Policy.extra_payments_ahead`):
    pagu Rp 44,720,000 with Rp 28,419,614 paid by August leaves floor(16,300,386 / 4) =
    Rp 4,075,096 for September; with a gaji-13 still to pay in December, floor(16,300,386 / 5).
    ``pool_members`` has one row per employee with ``pool_id``.
    """
    totals = accounts.group_by("pool_id").agg(nw.col("pagu_rp").sum(), nw.col("realized_rp").sum())
    remaining = nw.col("pagu_rp") - nw.col("realized_rp")
    budgets = (
        pool_members.select("pool_id").unique()
        .join(totals, on="pool_id", how="left")
        .with_columns(nw.col("pagu_rp").fill_null(0).cast(nw.Int128),
                      nw.col("realized_rp").fill_null(0).cast(nw.Int128))
        .with_columns(
            pool_rp=nw.when(remaining > 0)
            .then(exact_floor_div(remaining, period.months_left + extra_payments_ahead))
            .otherwise(nw.lit(0, nw.Int128))
            .cast(nw.Int128)
        )
    )
    return fitting_int64(budgets, ("pagu_rp", "realized_rp", "pool_rp"), "the pool budgets")
