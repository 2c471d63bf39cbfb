"""Finance (BPKAD): the budget outlook, reconciliation with e-Payment, the bank transfer file.

Each works on a period's run kept in the warehouse and on the budget and payment rows the
warehouse holds today.
"""

from __future__ import annotations

import narwhals.stable.v2 as nw
import polars as pl

from engine import Period
from engine.budget import budget_check
from engine.pool import pools
from pipelines.lifecycle import Run, counted_run, locked_run, policy_of
from pipelines.warehouse import Warehouse, kept_outputs

STATUSES = ("OK", "WARN", "FAIL")
CLASSES = ("matched", "underpaid", "overpaid", "paid_not_computed", "computed_not_paid", "duplicate_transfer",
           "failed_transfer")
"""The classes of ``reconciliation.csv``; every class but ``matched`` is an exception to chase."""


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


def reconcile(wh: Warehouse, period: Period) -> tuple[Run, pl.DataFrame, pl.DataFrame]:
    """The locked run against e-Payment: per employee (``reconciliation.csv``) and per OPD."""
    run = locked_run(wh, period, "reconciliation (what was paid against what was computed)")
    register = kept_outputs(wh, run.run_id)["pay_register"]
    transfers = wh.table("transfers").filter(pl.col("period") == str(period))
    sp2d = wh.table("sp2d").filter(pl.col("period") == str(period))
    return run, reconcile_employees(register, transfers, sp2d), reconcile_opds(register, sp2d, policy_of(wh, period)
                                                                                 .tpp_account_prefix)


def reconcile_employees(register: pl.DataFrame, transfers: pl.DataFrame, sp2d: pl.DataFrame) -> pl.DataFrame:
    """``nip, class, computed_net_rp, transferred_rp, difference_rp`` for every employee in the
    register or in the period's transfers, sorted by class then NIP.

    A transfer counts as paid when it succeeded on an SP2D that was paid. An employee paid more
    than once is ``duplicate_transfer``; one whose only transfers failed, were returned or sit
    on a cancelled SP2D is ``failed_transfer``; otherwise the paid amount is compared with the
    computed net (an employee computed at Rp 0 and not paid is matched).
    """
    paid_sp2d = sp2d.filter(pl.col("status") == "paid")["sp2d_no"].implode()
    paid = transfers.with_columns(paid=(pl.col("status") == "success") & pl.col("sp2d_no").is_in(paid_sp2d))
    per_nip = paid.group_by("nip").agg(
        pl.col("net_rp").filter("paid").sum().alias("transferred_rp"),
        pl.col("paid").sum().alias("payments"),
        pl.len().alias("transfers"))
    both = register.select("nip", pl.col("net_rp").alias("computed_net_rp")).join(
        per_nip, on="nip", how="full", coalesce=True).with_columns(
        pl.col("computed_net_rp").is_not_null().alias("computed"),
        pl.col("computed_net_rp").fill_null(0), pl.col("transferred_rp").fill_null(0),
        pl.col("payments").fill_null(0), pl.col("transfers").fill_null(0))
    difference = pl.col("transferred_rp") - pl.col("computed_net_rp")
    kind = (
        pl.when(pl.col("payments") > 1).then(pl.lit("duplicate_transfer"))
        .when((pl.col("payments") == 0) & (pl.col("transfers") > 0)).then(pl.lit("failed_transfer"))
        .when(~pl.col("computed")).then(pl.lit("paid_not_computed"))
        .when((pl.col("payments") == 0) & (pl.col("computed_net_rp") > 0)).then(pl.lit("computed_not_paid"))
        .when(difference == 0).then(pl.lit("matched"))
        .when(difference < 0).then(pl.lit("underpaid"))
        .otherwise(pl.lit("overpaid"))
    )
    return both.select("nip", kind.cast(pl.Enum(CLASSES)).alias("class"), "computed_net_rp", "transferred_rp",
                       difference.alias("difference_rp")).sort("class", "nip").with_columns(
        pl.col("class").cast(pl.String))


def reconcile_opds(register: pl.DataFrame, sp2d: pl.DataFrame, tpp_prefix: str) -> pl.DataFrame:
    """``opd_code, run_gross_rp, sp2d_gross_rp, difference_rp, status``: the run's pay per OPD
    against the gross of the period's paid TPP SP2D."""
    run = register.group_by("opd_code").agg(pl.col("pay_rp").sum().alias("run_gross_rp"))
    paid = (sp2d.filter(pl.col("status") == "paid", pl.col("account_code").str.starts_with(tpp_prefix))
            .group_by("opd_code").agg(pl.col("gross_rp").sum().alias("sp2d_gross_rp")))
    return (
        run.join(paid, on="opd_code", how="full", coalesce=True)
        .with_columns(pl.col("run_gross_rp").fill_null(0), pl.col("sp2d_gross_rp").fill_null(0))
        .with_columns(difference_rp=pl.col("sp2d_gross_rp") - pl.col("run_gross_rp"))
        .with_columns(status=pl.when(pl.col("difference_rp") == 0).then(pl.lit("tied")).otherwise(pl.lit("differs")))
        .sort("opd_code")
    )


BANK_FILE_COLUMNS = ("nip", "name", "bank_account", "net_rp")


def bank_file(wh: Warehouse, period: Period) -> pl.DataFrame:
    """``nip, name, bank_account, net_rp`` of the locked run, for every employee with net pay.

    The only output with personal data unmasked: it is refused for a period not locked."""
    run = locked_run(wh, period, "a bank transfer file")
    register = kept_outputs(wh, run.run_id)["pay_register"]
    people = wh.table("employees", columns=("nip", "name", "bank_account"))
    return (register.filter(pl.col("net_rp") > 0).select("nip", "net_rp")
            .join(people, on="nip", how="left").select(BANK_FILE_COLUMNS).sort("nip"))


def mask_name(name: pl.Expr) -> pl.Expr:
    """Each word's first letter and stars: ``Siti Rahayu`` → ``S*** R*****``."""
    word = pl.element()
    stars = word.str.slice(0, 1) + word.str.slice(1).str.replace_all(".", "*")
    return name.str.split(" ").list.eval(stars).list.join(" ")

