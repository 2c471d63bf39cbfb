"""Finance (BPKAD): each payment of a locked month reconciled with e-Payment — per employee
against its transfers, per OPD against its SP2D.

A period's payments are the ledger's (:mod:`pipelines.warehouse.ledger`): the month, then each
rapel. Until a bank file pays the month, the month's payment is what the locked run says is
due. Each SP2D and each transfer belongs to one payment by its SP2D number
(:func:`ledger.sp2d_payment`: ``RAPEL-<k>`` in it, the k-th rapel; otherwise the month), and
each payment is reconciled against its own SP2D and transfers only: a rapel paid on its own SP2D
is not a duplicate of the month.
"""

from __future__ import annotations

from enum import StrEnum

import narwhals.stable.v2 as nw
import polars as pl

from engine import Period, Policy, Sp2dStatus, TransferStatus, paid_tpp, values
from pipelines.warehouse import ledger
from pipelines.warehouse.ledger import PaymentKind
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
    """An OPD's SP2D gross against the payment's gross."""

    TIED = "tied"
    DIFFERS = "differs"


RECONCILIATION_SCHEMA = {"payment_id": pl.String, "nip": pl.String, "class": pl.String, "computed_net_rp": pl.Int64,
                         "transferred_rp": pl.Int64, "difference_rp": pl.Int64}
"""The columns of ``reconciliation.csv``."""


def _lit(state: StrEnum) -> pl.Expr:
    return pl.lit(state.value)


def reconcile(wh: Warehouse, period: Period) -> tuple[KeptRun, pl.DataFrame, pl.DataFrame]:
    """The locked month's payments against e-Payment: per payment and employee
    (``reconciliation.csv``: :func:`reconcile_payments`) and per payment and OPD
    (:func:`reconcile_opds`)."""
    run = locked_run(wh, period, "reconciliation (what was paid against what was computed)")
    due = payments_due(wh, period, run).filter(pl.col("net_rp") > 0)  # a recovery is no transfer
    of_payment = ledger.sp2d_payment(pl.col("period"), pl.col("sp2d_no")).alias("payment_id")
    transfers = wh.table("transfers").filter(pl.col("period") == str(period)).with_columns(of_payment)
    sp2d = wh.table("sp2d").filter(pl.col("period") == str(period)).with_columns(of_payment)
    return run, reconcile_payments(due, transfers, sp2d), reconcile_opds(due, sp2d, policy_of(wh, period))


def payments_due(wh: Warehouse, period: Period, run: KeptRun) -> pl.DataFrame:
    """``payment_id, nip, opd_code, gross_rp, net_rp``: every line of the period's payments in
    the ledger; while no bank file paid the month, the locked run's due as the month's payment."""
    made = ledger.payments(wh, period)
    lines = ledger.payment_lines(wh, [p.payment_id for p in made])
    if any(p.kind is PaymentKind.MONTH for p in made):
        return lines
    month = ledger.owed(ledger.due_lines(kept_outputs(wh, run.run_id)["pay_register"]), lines.clear().drop(
        "payment_id"))
    return pl.concat([month.select(pl.lit(ledger.payment_id(str(period), PaymentKind.MONTH, 1)).alias("payment_id"),
                                   *ledger.LINE_COLUMNS), lines])


def reconcile_payments(due: pl.DataFrame, transfers: pl.DataFrame, sp2d: pl.DataFrame) -> pl.DataFrame:
    """``payment_id, nip, class, computed_net_rp, transferred_rp, difference_rp``: each payment
    of ``due`` (and each payment the transfers name that the ledger does not hold, due nothing)
    reconciled with its own transfers and SP2D (:func:`reconcile_employees`)."""
    ids = dict.fromkeys([*due["payment_id"].unique(maintain_order=True), *transfers["payment_id"].unique().sort()])
    parts = [reconcile_employees(due.filter(pl.col("payment_id") == pid),
                                 transfers.filter(pl.col("payment_id") == pid),
                                 sp2d.filter(pl.col("payment_id") == pid)).select(pl.lit(pid).alias("payment_id"),
                                                                                  pl.all())
             for pid in ids]
    return pl.concat(parts) if parts else pl.DataFrame(schema=RECONCILIATION_SCHEMA)


def reconcile_employees(register: pl.DataFrame, transfers: pl.DataFrame, sp2d: pl.DataFrame) -> pl.DataFrame:
    """``nip, class, computed_net_rp, transferred_rp, difference_rp`` of one payment: every
    employee it pays (``register``: ``nip, net_rp``) or its transfers name, sorted by class then
    NIP.

    ``transferred_rp`` is what the bank sent: every successful transfer. One that succeeded on
    an SP2D the export does not have as paid (missing from it, or cancelled) is money out
    without cover: its employee is ``paid_without_sp2d``, whatever else holds. Otherwise a
    transfer counts as a payment when it succeeded on a paid SP2D: an employee paid more than
    once is ``duplicate_transfer``; one whose only transfers failed or were returned is
    ``failed_transfer``; otherwise the paid amount is compared with the computed net (an
    employee due Rp 0 and not paid is matched; so is one due a negative net, a true-up larger than
    the month's pay or a recovery, which the bank file does not send).
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
    difference = pl.col("transferred_rp") - pl.col("computed_net_rp").clip(lower_bound=0)  # a negative net is not sent
    kind = (
        pl.when(pl.col("uncovered") > 0).then(_lit(Reconciled.PAID_WITHOUT_SP2D))
        .when(pl.col("payments") > 1).then(_lit(Reconciled.DUPLICATE_TRANSFER))
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


def reconcile_opds(due: pl.DataFrame, sp2d: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """``payment_id, opd_code, run_gross_rp, sp2d_gross_rp, difference_rp, status``: each
    payment's gross per OPD (Σ of its transfers' lines) against the gross of its paid TPP SP2D."""
    keys = ["payment_id", "opd_code"]
    run = due.group_by(keys).agg(pl.col("gross_rp").sum().alias("run_gross_rp"))
    paid = (nw.from_native(sp2d).filter(paid_tpp(policy)).to_native()
            .group_by(keys).agg(pl.col("gross_rp").sum().alias("sp2d_gross_rp")))
    return (
        run.join(paid, on=keys, how="full", coalesce=True)
        .with_columns(pl.col("run_gross_rp").fill_null(0), pl.col("sp2d_gross_rp").fill_null(0))
        .with_columns(difference_rp=pl.col("sp2d_gross_rp") - pl.col("run_gross_rp"))
        .with_columns(status=pl.when(pl.col("difference_rp") == 0).then(_lit(OpdSp2d.TIED))
                      .otherwise(_lit(OpdSp2d.DIFFERS)))
        .sort(keys)
    )
