"""The finance view of a run (SPEC §6 ``budget_check``): pools, TPP accounts, the 30 % cap."""

from __future__ import annotations

from collections.abc import Sequence
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
_BIG = nw.Int128
BUDGET_COLUMNS = ("level", "pool_id", "account_code", "pagu_rp", "realized_rp", "this_run_rp", "extra_rp",
                  "remaining_rp", "belanja_rp", "share_bp", "limit_bp", "status")


def budget_check(pool_summary: nw.DataFrame[Any], accounts: nw.LazyFrame[Any], apbd_lines: nw.LazyFrame[Any],
                 period: Period) -> nw.DataFrame[Any]:
    """Rows of three levels, each with status ``OK`` or ``OVER``, sorted by level and key.

    - ``pool``: pagu, realized, this run's pay and extra payment (SPEC §4.10: ``this_run_rp``
      holds both, ``extra_rp`` the extra payment), ``remaining = pagu − realized − this run``;
      OVER when remaining < 0 or the run paid more than ``pool_rp`` as pay or as extra payment.
    - ``account``: each TPP account (:func:`engine.pool.budget_accounts`) of a pool in the run:
      its pagu (revision r*), realized and its share of this run (:func:`account_shares`: the
      pool's this run, and apart for display its extra payment, split over its accounts by what
      they have left, to the Rupiah, so the accounts' ``this_run_rp`` and ``extra_rp`` add up to
      the pool's; while the pool's this run fits what it has left, no account's passes its own);
      ``remaining = pagu − realized − this run``, OVER when it is negative, as for the pool.
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
        pool_summary.select("pool_id", this_run.cast(nw.Int64).alias("this_run_rp"), nw.col("extra_rp").cast(nw.Int64)),
        on="pool_id")
    # this run is split as one amount: its pay and extra payment split apart could pass a pagu by a Rupiah
    left = nw.col("pagu_rp") - nw.col("realized_rp") - nw.col("this_run_rp")
    account_rows = account_shares(in_run, ("this_run_rp", "extra_rp")).select(
        nw.lit("account").alias("level"), "pool_id", "account_code", "pagu_rp", "realized_rp",
        "this_run_rp", "extra_rp", left.alias("remaining_rp"),
        *(nw.lit(None, nw.Int64).alias(c) for c in ("belanja_rp", "share_bp", "limit_bp")),
        _status(left < 0),
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


def account_shares(accounts: nw.DataFrame[Any], amounts: Sequence[str]) -> nw.DataFrame[Any]:
    """``accounts`` (``pool_id, account_code, pagu_rp, realized_rp`` and, in each column of
    ``amounts``, an amount of the account's pool, the same on each of its rows) with each amount
    replaced by the account's share of it, in whole Rupiah: the shares of a pool add up to its
    amount exactly.

    A pool's SP2D are charged to its TPP accounts; each takes its part in proportion to what it
    has left of its pagu (``max(0, pagu − realized)``): paid at ``pool_rp`` every month, the
    accounts then run down to their pagu together, and an account already spent takes nothing.
    When no account of the pool has anything left, in proportion to pagu; with no pagu either,
    equally. The floor of each share, then the leftover Rupiah one each to the largest remainders,
    ties to the smaller account code (SPEC §4.7's rule). A negative amount (a correction that
    takes pay back) is split as its size, its shares negative.

    Pay Rp 1,001 over accounts with Rp 600 and Rp 400 left (and one over its pagu): 600.6 and
    400.4 → 601, 400 and 0.
    """
    pool = "pool_id"
    left = nw.max_horizontal(nw.col("pagu_rp") - nw.col("realized_rp"), nw.lit(0)).cast(_BIG)
    planned = nw.max_horizontal(nw.col("pagu_rp"), nw.lit(0)).cast(_BIG)
    frame = accounts.lazy().with_columns(_left=left, _planned=planned).with_columns(
        _weight=nw.when(nw.col("_left").sum().over(pool) > 0).then(nw.col("_left"))
        .when(nw.col("_planned").sum().over(pool) > 0).then(nw.col("_planned"))
        .otherwise(nw.lit(1, _BIG)).cast(_BIG))
    frame = frame.with_columns(_total=nw.col("_weight").sum().over(pool).cast(_BIG), _one=nw.lit(1, nw.Int64))
    for amount in amounts:
        size = nw.col(amount).fill_null(0).abs().cast(_BIG)
        product = size * nw.col("_weight")
        frame = frame.with_columns(_floor=exact_floor_div(product, nw.col("_total")),
                                   _rem_desc=nw.lit(0, _BIG) - product % nw.col("_total"))
        frame = frame.with_columns(
            _leftover=size - nw.col("_floor").sum().over(pool).cast(_BIG),
            _rank=nw.col("_one").cum_sum().over(pool, order_by=["_rem_desc", "account_code"]))
        share = nw.col("_floor") + nw.when(nw.col("_rank").cast(_BIG) <= nw.col("_leftover")).then(1).otherwise(0)
        frame = frame.with_columns(
            nw.when(nw.col(amount) < 0).then(nw.lit(0, _BIG) - share).otherwise(share).cast(nw.Int64).alias(amount))
    return frame.drop("_left", "_planned", "_weight", "_total", "_one", "_floor", "_rem_desc", "_leftover",
                      "_rank", strict=False).collect("polars")


def _status(over: nw.Expr) -> nw.Expr:
    return nw.when(over).then(nw.lit(Check.OVER.value)).otherwise(nw.lit(Check.OK.value)).alias("status")


def payments_to_come(period: Period, extra_payments_after: int = 0) -> int:
    """The month's pay that is still to be paid after ``period`` in its fiscal year: one for each
    month left after it and one for each extra payment (SPEC §4.10) after it."""
    return period.months_left - 1 + extra_payments_after


def projection_rule(period: Period, extra_payments_after: int = 0) -> str:
    """The projection of :func:`budget_outlook` in one sentence, with the period's numbers: what
    ``eperf budget``, ``budget.csv``, the report and the dashboard say beside it.

    >>> projection_rule(Period(2025, 10), 1).split(" + correction")[0]
    "projected to December = realized + this run + this month's pay × 3 payments to come (2 months, 1 extra payment)"
    >>> projection_rule(Period(2025, 12)).split(";")[1]
    " each account takes its part of its pool's amounts in proportion to what it has left of its pagu"
    """
    months = period.months_left - 1
    after = [f"{months} month{'' if months == 1 else 's'}"]
    if extra_payments_after:
        after.append(f"{extra_payments_after} extra payment{'' if extra_payments_after == 1 else 's'}")
    n = payments_to_come(period, extra_payments_after)
    return (f"projected to December = realized + this run + this month's pay × {n} payment{'' if n == 1 else 's'} "
            f"to come ({', '.join(after)}) + correction, for pools and TPP accounts alike; each account takes its "
            f"part of its pool's amounts in proportion to what it has left of its pagu")


def budget_outlook(check: nw.DataFrame[Any], period: Period, corrections: nw.DataFrame[Any] | None = None,
                   extra_payments_after: int = 0) -> nw.DataFrame[Any]:
    """``check`` (:func:`budget_check`) with ``projected_rp`` to December and a :class:`Verdict`
    as ``status``: FAIL where the check is OVER, WARN where the projection passes the pagu.

    ``corrections`` (``pool_id, corrections_rp``: what a correction of the run adds to or takes
    from each pool's pay) become a ``corrections_rp`` column of the pool rows and, split as this
    run is (:func:`account_shares`), of their account rows; counted in what remains and in the
    projection; a pool or account they overdraw is OVER.

    One rule for pool and account rows (:func:`projection_rule` says it in words):
    ``projected = realized + (this run + its pay × payments to come + correction)``, the payments
    to come being the months left after this one and the extra payments after it
    (:func:`payments_to_come`): this month's spending, then the month's pay again for every
    payment still to make to December. An account's bracket is its part of its pool's, split as
    the run is (by what each account has left), so the accounts' projections add up to their
    pool's to the Rupiah and, while the pool's stays within its pagu, none passes its own pagu by
    a rounding (its part of the run × payments to come could, by a Rupiah a payment).
    October, no extra payment: realized Rp 900, this run Rp 120 → 900 + 120 + 120 × 2 = Rp 1,260;
    its accounts with Rp 90 and Rp 210 left take 108 and 252 of the 360. The city row has none.
    """
    level = nw.col("level")
    spent = level.is_in(["pool", "account"])
    check = check.with_row_index("_row")
    if corrections is not None:
        check = check.join(corrections.select("pool_id", nw.col("corrections_rp").cast(nw.Int64)), on="pool_id",
                           how="left")
        correction = nw.col("corrections_rp").fill_null(0)
    else:
        correction = nw.lit(0, nw.Int64)
    this_run = nw.col("this_run_rp").fill_null(0)
    to_come = payments_to_come(period, extra_payments_after)
    spending = (this_run + (this_run - nw.col("extra_rp").fill_null(0)) * to_come + correction).cast(nw.Int64)
    charged = (this_run + correction).cast(nw.Int64)  # split once: two splits could pass a pagu by a Rupiah
    pool_spending = check.filter(level == "pool").select("pool_id", spending.alias("_spending"),
                                                         charged.alias("_charged"))
    accounts = account_shares(check.filter(level == "account").drop("corrections_rp", strict=False)
                              .join(pool_spending, on="pool_id", how="left"), ("_spending", "_charged"))
    accounts = accounts.with_columns(corrections_rp=nw.col("_charged") - nw.col("this_run_rp")).drop("_charged")
    if corrections is None:
        accounts = accounts.drop("corrections_rp")
    others = check.filter(level != "account").with_columns(_spending=nw.when(level == "pool").then(spending))
    check = nw.concat([others, accounts.select(others.columns)]).sort("_row").drop("_row")
    if corrections is not None:
        check = check.with_columns(corrections_rp=nw.when(spent).then(correction))
        remaining = nw.col("remaining_rp") - nw.col("corrections_rp")
        check = check.with_columns(remaining_rp=nw.when(spent).then(remaining).otherwise(nw.col("remaining_rp")))
        check = check.with_columns(status=nw.when(spent & (nw.col("remaining_rp") < 0))
                                   .then(nw.lit(Check.OVER.value)).otherwise(nw.col("status")))
    verdict = nw.when(nw.col("status") == Check.OVER.value).then(nw.lit(Verdict.FAIL.value)).otherwise(
        nw.when(nw.col("projected_rp") > nw.col("pagu_rp")).then(nw.lit(Verdict.WARN.value))
        .otherwise(nw.lit(Verdict.OK.value)))
    projected = nw.when(spent).then(nw.col("realized_rp") + nw.col("_spending"))
    return check.with_columns(projected_rp=projected).drop("_spending").with_columns(status=verdict)


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
