"""The finance view of a run (SPEC §6 ``budget_check``): pools, TPP accounts, the 30 % cap."""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw

from engine.money import BP, exact_floor_div, fitting_int64
from engine.period import Period
from engine.policy import Policy
from engine.pool import budget_lines, paid_tpp
from engine.states import Check, Verdict

BELANJA = "5"
BELANJA_PEGAWAI = "5.1.01"
PEGAWAI_CAP_BP = 3000
"""UU 1/2022: belanja pegawai at most 30 % of total belanja."""
BUDGET_COLUMNS = ("level", "pool_id", "account_code", "pagu_rp", "realized_rp", "this_run_rp", "extra_rp",
                  "remaining_rp", "belanja_rp", "share_bp", "limit_bp", "status")


def budget_check(pool_summary: nw.DataFrame[Any], accounts: nw.LazyFrame[Any], apbd_lines: nw.LazyFrame[Any],
                 period: Period) -> nw.DataFrame[Any]:
    """Rows of three levels, each with status ``OK`` or ``OVER``, sorted by level and key.

    - ``pool``: pagu, realized, this run's pay and extra payment (SPEC §4.10: ``this_run_rp``
      holds both, ``extra_rp`` the extra payment), ``remaining = pagu − realized − this run``;
      OVER when remaining < 0 or the run paid more than ``pool_rp`` as pay or as extra payment.
    - ``account``: each TPP account (:func:`engine.pool.budget_accounts`) of a pool in the run:
      its pagu (revision r*) and realized;
      a run pays a pool, not an account, so ``this_run_rp`` is empty; OVER when realized > pagu.
    - ``city``: ``pagu_rp`` of belanja pegawai (5.1.01) as a share of ``belanja_rp`` (all of 5)
      in r*, against 30 % (``share_bp = floor(10000 × pegawai / belanja)``; OVER above 3000).
    """
    this_run = nw.col("pay_rp") + nw.col("extra_rp")
    remaining = nw.col("pagu_rp") - nw.col("realized_rp") - this_run
    pool_rows = pool_summary.select(
        nw.lit("pool").alias("level"), "pool_id", nw.lit(None, nw.String).alias("account_code"),
        "pagu_rp", "realized_rp", this_run.alias("this_run_rp"), "extra_rp", remaining.alias("remaining_rp"),
        *(nw.lit(None, nw.Int64).alias(c) for c in ("belanja_rp", "share_bp", "limit_bp")),
        _status((remaining < 0) | (nw.col("pay_rp") > nw.col("pool_rp")) | (nw.col("extra_rp") > nw.col("pool_rp"))),
    )
    in_run = fitting_int64(accounts, ("pagu_rp", "realized_rp"), "the TPP accounts").collect("polars").join(
        pool_summary.select("pool_id"), on="pool_id", how="semi")
    account_rows = in_run.select(
        nw.lit("account").alias("level"), "pool_id", "account_code", "pagu_rp", "realized_rp",
        nw.lit(None, nw.Int64).alias("this_run_rp"), nw.lit(None, nw.Int64).alias("extra_rp"),
        (nw.col("pagu_rp") - nw.col("realized_rp")).alias("remaining_rp"),
        *(nw.lit(None, nw.Int64).alias(c) for c in ("belanja_rp", "share_bp", "limit_bp")),
        _status(nw.col("realized_rp") > nw.col("pagu_rp")),
    )
    account = nw.col("account_code")
    line = nw.col("pagu_rp").cast(nw.Int128)
    totals = budget_lines(apbd_lines, period).select(
        nw.when(account.str.starts_with(BELANJA_PEGAWAI)).then(line).otherwise(0).sum().cast(nw.Int128)
        .alias("pegawai"),
        nw.when(account.str.starts_with(BELANJA)).then(line).otherwise(0).sum().cast(nw.Int128).alias("belanja"),
    )
    belanja = fitting_int64(totals.with_columns(  # the share in Int128: pegawai × 10000 may pass 2^63
        share=nw.when(nw.col("belanja") > 0).then(exact_floor_div(nw.col("pegawai") * BP, nw.col("belanja")))),
        ("pegawai", "belanja", "share"), "the city's belanja").collect("polars")
    share = nw.col("share")
    city_row = belanja.select(
        nw.lit("city").alias("level"), nw.lit(None, nw.String).alias("pool_id"),
        nw.lit(BELANJA_PEGAWAI).alias("account_code"), nw.col("pegawai").fill_null(0).alias("pagu_rp"),
        *(nw.lit(None, nw.Int64).alias(c) for c in ("realized_rp", "this_run_rp", "extra_rp", "remaining_rp")),
        nw.col("belanja").fill_null(0).alias("belanja_rp"),
        share.alias("share_bp"), nw.lit(PEGAWAI_CAP_BP, nw.Int64).alias("limit_bp"),
        _status(share > PEGAWAI_CAP_BP),
    )
    frames = [f.select(*(nw.col(c).cast(nw.String) if c in ("level", "pool_id", "account_code", "status")
                         else nw.col(c).cast(nw.Int64) for c in BUDGET_COLUMNS))
              for f in (pool_rows, account_rows.sort("pool_id", "account_code"), city_row)]
    return nw.concat(frames)


def _status(over: nw.Expr) -> nw.Expr:
    return nw.when(over).then(nw.lit(Check.OVER.value)).otherwise(nw.lit(Check.OK.value)).alias("status")


def budget_outlook(check: nw.DataFrame[Any], period: Period, corrections: nw.DataFrame[Any] | None = None,
                   extra_payments_after: int = 0) -> nw.DataFrame[Any]:
    """``check`` (:func:`budget_check`) with ``projected_rp`` to December and a :class:`Verdict`
    as ``status``: FAIL where the check is OVER, WARN where the projection passes the pagu.

    ``corrections`` (``pool_id, corrections_rp``: what a correction of the run adds to or takes
    from each pool's pay) become a ``corrections_rp`` column of the pool rows, counted in what
    remains and in the projection; a pool they overdraw is OVER.

    - ``pool``: ``projected = realized + this run + its pay × (months left after this one +
      extra_payments_after)``: this month's spending, then the month's pay for every payment to
      come to December, each extra payment still ahead one more (without extra payments
      ``realized + this run × months left``);
    - ``account``: no pay of its own (a run pays pools), so its rate is its realized per month
      elapsed: realized Rp 900 by October (9 months) projects 900 + 100 × 3 = Rp 1,200;
    - ``city``: no projection.
    """
    level = nw.col("level")
    if corrections is not None:
        pool_row = level == "pool"
        check = (check.with_row_index("row").join(corrections, on="pool_id", how="left").sort("row").drop("row")
                 .with_columns(corrections_rp=nw.when(pool_row).then(nw.col("corrections_rp").fill_null(0))))
        remaining = nw.col("remaining_rp") - nw.col("corrections_rp").fill_null(0)
        check = check.with_columns(remaining_rp=nw.when(pool_row).then(remaining).otherwise(nw.col("remaining_rp")))
        check = check.with_columns(status=nw.when(pool_row & (nw.col("remaining_rp") < 0))
                                   .then(nw.lit(Check.OVER.value)).otherwise(nw.col("status")))
    elapsed = period.month - 1
    pay = nw.col("this_run_rp") - nw.col("extra_rp").fill_null(0)
    rate = nw.col("realized_rp") // elapsed if elapsed else nw.lit(0, nw.Int64)
    projected = nw.when(level == "pool").then(
        nw.col("realized_rp") + nw.col("this_run_rp") + pay * (period.months_left - 1 + extra_payments_after)
    ).otherwise(nw.when(level == "account").then(nw.col("realized_rp") + rate * period.months_left))
    if corrections is not None:
        projected = projected + nw.col("corrections_rp").fill_null(0)
    verdict = nw.when(nw.col("status") == Check.OVER.value).then(nw.lit(Verdict.FAIL.value)).otherwise(
        nw.when(nw.col("projected_rp") > nw.col("pagu_rp")).then(nw.lit(Verdict.WARN.value))
        .otherwise(nw.lit(Verdict.OK.value)))
    return check.with_columns(projected_rp=projected).with_columns(status=verdict)


def burn_down(sp2d: nw.DataFrame[Any], policy: Policy, period: Period, gross_rp: int,
              pagu_rp: int) -> nw.DataFrame[Any]:
    """``period, cumulative_rp, pagu_rp``: the paid TPP SP2D of the fiscal year before
    ``period``, month by month and cumulated, then ``gross_rp`` (this run's pay) as
    ``period``'s point, against the year's TPP pagu."""
    paid = (sp2d.filter(paid_tpp(policy), nw.col("fiscal_year") == period.year, nw.col("period") < str(period))
            .group_by("period").agg(nw.col("gross_rp").sum()))
    this_month = nw.from_dict({"period": [str(period)], "gross_rp": [gross_rp]},
                              schema={"period": nw.String(), "gross_rp": paid.schema["gross_rp"]},
                              backend=nw.get_native_namespace(sp2d))
    return nw.concat([paid, this_month]).sort("period").select(
        "period", nw.col("gross_rp").cum_sum().alias("cumulative_rp"), nw.lit(pagu_rp, nw.Int64).alias("pagu_rp"))
