"""Finance (BPKAD): the locked run reconciled with e-Payment — per employee against the
transfers, per OPD against the SP2D."""

from __future__ import annotations

from enum import StrEnum

import narwhals.stable.v2 as nw
import polars as pl

from engine import Period, Policy, Sp2dStatus, TransferStatus, paid_tpp, values
from pipelines.finance.bank import rapel_net
from pipelines.warehouse.lifecycle import KeptRun, locked_run, policy_of
from pipelines.warehouse.store import Warehouse, kept_outputs


class Reconciled(StrEnum):
    """An employee's class in ``reconciliation.csv`` (in this order); every class but
    ``matched`` is an exception to chase, money out without a paid SP2D first."""

    MATCHED = "matched"
    PAID_WITHOUT_SP2D = "paid_without_sp2d"
    UNDERPAID = "underpaid"
    OVERPAID = "overpaid"
    PAID_NOT_COMPUTED = "paid_not_computed"
    COMPUTED_NOT_PAID = "computed_not_paid"
    DUPLICATE_TRANSFER = "duplicate_transfer"
    FAILED_TRANSFER = "failed_transfer"


class OpdSp2d(StrEnum):
    """An OPD's SP2D gross against the run's pay."""

    TIED = "tied"
    DIFFERS = "differs"


def _lit(state: StrEnum) -> pl.Expr:
    return pl.lit(state.value)



def reconcile(wh: Warehouse, period: Period, correction: bool = False) -> tuple[KeptRun, pl.DataFrame, pl.DataFrame]:
    """The locked run against e-Payment: per employee (``reconciliation.csv``) and per OPD. With
    ``correction``, its locked correction instead: what each employee should have received for
    the month in all (the run and its rapel) against every transfer of the month."""
    run = locked_run(wh, period, "reconciliation (what was paid against what was computed)")
    expected = None
    if correction:
        run, rapel = rapel_net(wh, period, "reconciliation of a correction")
        expected = rapel.select("nip", (1 + (pl.col("net_rp") > 0).cast(pl.Int64)).alias("expected"))
    register = kept_outputs(wh, run.run_id)["pay_register"]
    transfers = wh.table("transfers").filter(pl.col("period") == str(period))
    sp2d = wh.table("sp2d").filter(pl.col("period") == str(period))
    return (run, reconcile_employees(register, transfers, sp2d, expected),
            reconcile_opds(register, sp2d, policy_of(wh, period)))


def reconcile_employees(register: pl.DataFrame, transfers: pl.DataFrame, sp2d: pl.DataFrame,
                        expected: pl.DataFrame | None = None) -> pl.DataFrame:
    """``nip, class, computed_net_rp, transferred_rp, difference_rp`` for every employee in the
    register or in the period's transfers, sorted by class then NIP.

    ``transferred_rp`` is what the bank sent: every successful transfer. One that succeeded on
    an SP2D the period does not have as paid (missing from the export, or cancelled) is money
    out without cover: its employee is ``paid_without_sp2d``, whatever else holds. Otherwise a
    transfer counts as a payment when it succeeded on a paid SP2D: an employee paid more than
    once is ``duplicate_transfer``; one whose only transfers failed or were returned is
    ``failed_transfer``; otherwise the paid amount is compared with the computed net (an
    employee computed at Rp 0 and not paid is matched; so is one with a negative net, a true-up
    larger than the month's pay, which the bank file does not send).
    """
    paid_sp2d = sp2d.filter(pl.col("status") == Sp2dStatus.PAID.value)["sp2d_no"].implode()
    succeeded = pl.col("status") == TransferStatus.SUCCESS.value
    marked = transfers.with_columns(succeeded=succeeded, covered=succeeded & pl.col("sp2d_no").is_in(paid_sp2d))
    per_nip = marked.group_by("nip").agg(
        pl.col("net_rp").filter("succeeded").sum().alias("transferred_rp"),
        pl.col("covered").sum().alias("payments"),
        (pl.col("succeeded") & ~pl.col("covered")).sum().alias("uncovered"),
        pl.len().alias("transfers"))
    both = register.select("nip", pl.col("net_rp").alias("computed_net_rp")).join(
        per_nip, on="nip", how="full", coalesce=True).with_columns(
        pl.col("computed_net_rp").is_not_null().alias("computed"),
        pl.col("computed_net_rp").fill_null(0), pl.col("transferred_rp").fill_null(0),
        pl.col("payments").fill_null(0), pl.col("uncovered").fill_null(0), pl.col("transfers").fill_null(0))
    if expected is not None:
        both = both.join(expected, on="nip", how="left")
    due = 1 if expected is None else pl.col("expected").fill_null(1)
    difference = pl.col("transferred_rp") - pl.col("computed_net_rp").clip(lower_bound=0)  # a negative net is not sent
    kind = (
        pl.when(pl.col("uncovered") > 0).then(_lit(Reconciled.PAID_WITHOUT_SP2D))
        .when(pl.col("payments") > due).then(_lit(Reconciled.DUPLICATE_TRANSFER))
        .when((pl.col("payments") == 0) & (pl.col("transfers") > 0)).then(_lit(Reconciled.FAILED_TRANSFER))
        .when(~pl.col("computed")).then(_lit(Reconciled.PAID_NOT_COMPUTED))
        .when((pl.col("payments") == 0) & (pl.col("computed_net_rp") > 0)).then(_lit(Reconciled.COMPUTED_NOT_PAID))
        .when(difference == 0).then(_lit(Reconciled.MATCHED))
        .when(difference < 0).then(_lit(Reconciled.UNDERPAID))
        .otherwise(_lit(Reconciled.OVERPAID))
    )
    return both.select("nip", kind.cast(pl.Enum(values(Reconciled))).alias("class"), "computed_net_rp",
                       "transferred_rp", difference.alias("difference_rp")).sort("class", "nip").with_columns(
        pl.col("class").cast(pl.String))


def reconcile_opds(register: pl.DataFrame, sp2d: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """``opd_code, run_gross_rp, sp2d_gross_rp, difference_rp, status``: the run's pay and extra
    payment per OPD against the gross of the period's paid TPP SP2D."""
    run = register.group_by("opd_code").agg((pl.col("pay_rp") + pl.col("extra_rp")).sum().alias("run_gross_rp"))
    paid = (nw.from_native(sp2d).filter(paid_tpp(policy)).to_native()
            .group_by("opd_code").agg(pl.col("gross_rp").sum().alias("sp2d_gross_rp")))
    return (
        run.join(paid, on="opd_code", how="full", coalesce=True)
        .with_columns(pl.col("run_gross_rp").fill_null(0), pl.col("sp2d_gross_rp").fill_null(0))
        .with_columns(difference_rp=pl.col("sp2d_gross_rp") - pl.col("run_gross_rp"))
        .with_columns(status=pl.when(pl.col("difference_rp") == 0).then(_lit(OpdSp2d.TIED))
                      .otherwise(_lit(OpdSp2d.DIFFERS)))
        .sort("opd_code")
    )
