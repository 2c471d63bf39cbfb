"""A simulated e-Payment export for a locked run, with known exceptions (demo and tests).

BPKAD pays a locked month: one TPP SP2D per OPD for the run's gross and one transfer per
employee for the net; each rapel of the payment ledger on SP2D of its own, numbered with its
payment id (``…/SP2D/LS/TPP-2025-10-RAPEL-1/2025``: :func:`ledger.sp2d_payment`).
:func:`simulate_payments` writes that export with a few employees of each exception class seeded
in the month's payment (the rapels are paid exactly), and one OPD over-spent by an extra SP2D for
an earlier month, so that ``eperf budget`` and ``eperf reconcile`` have something exact to find.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from engine import Period, Sp2dStatus, TransferStatus, Verdict
from pipelines.finance.outlook import budget
from pipelines.finance.reconciliation import Reconciled
from pipelines.warehouse import ledger
from pipelines.warehouse.ledger import PaymentKind
from pipelines.warehouse.lifecycle import policy_of
from pipelines.warehouse.store import Warehouse, kept_outputs

SEEDED = tuple(c.value for c in (Reconciled.UNDERPAID, Reconciled.OVERPAID, Reconciled.COMPUTED_NOT_PAID,
                                  Reconciled.DUPLICATE_TRANSFER, Reconciled.FAILED_TRANSFER,
                                  Reconciled.PAID_WITHOUT_SP2D, Reconciled.PAID_NOT_COMPUTED))
"""The exceptions a simulated export holds; the last, strangers paid, is not drawn from the run."""


def simulate_payments(wh: Warehouse, period: Period, seed: int = 7,
                      per_class: int = 3) -> tuple[dict[str, pl.DataFrame], str]:
    """An e-Payment export paying the period's run and its rapels in the ledger, by file:
    ``epayment/sp2d.csv``, ``epayment/transfers.csv`` and what was seeded, ``seeded.csv``
    (``nip, class`` of each exception); and the OPD whose TPP pagu an extra SP2D used up."""
    if period.month == 1:
        raise ValueError("simulate payments for a month after January: the over-spent OPD is made by an SP2D "
                         "of an earlier month of the same fiscal year")
    run, outlook = budget(wh, period)
    register = kept_outputs(wh, run.run_id)["pay_register"].sort("nip")
    rng = np.random.default_rng(seed)
    paid = register.filter(pl.col("net_rp") > 0)
    picks = rng.choice(paid.height, size=per_class * (len(SEEDED) - 1), replace=False)
    chosen = paid[picks].with_columns(pl.Series("class", np.repeat(SEEDED[:-1], per_class)))
    account = _tpp_account(wh, period)
    year = period.year

    def sp2d_no(opd: pl.Expr, suffix: str) -> pl.Expr:
        return pl.format(f"{{}}/SP2D/LS/TPP-{period}{suffix}/{year}", opd)

    transfers = (
        register.join(chosen.select("nip", "class"), on="nip", how="left")
        .filter(pl.col("net_rp") > 0, ~_seeded(Reconciled.COMPUTED_NOT_PAID).fill_null(False))
        .select(pl.when(_seeded(Reconciled.PAID_WITHOUT_SP2D)).then(sp2d_no(pl.col("opd_code"), "-TANPA-SP2D"))
                .otherwise(sp2d_no(pl.col("opd_code"), "")).alias("sp2d_no"), "nip",
                pl.lit(str(period)).alias("period"),
                pl.when(_seeded(Reconciled.UNDERPAID)).then(pl.col("net_rp") - 50_000)
                .when(_seeded(Reconciled.OVERPAID)).then(pl.col("net_rp") + 75_000)
                .otherwise(pl.col("net_rp")).alias("net_rp"),
                pl.when(_seeded(Reconciled.FAILED_TRANSFER)).then(pl.lit(TransferStatus.FAILED.value))
                .otherwise(pl.lit(TransferStatus.SUCCESS.value)).alias("status"), "opd_code")
    )
    again = transfers.join(chosen.filter(_seeded(Reconciled.DUPLICATE_TRANSFER)).select("nip"), on="nip")
    again = again.with_columns(sp2d_no=sp2d_no(pl.col("opd_code"), "-SUSULAN"))
    strangers = pl.DataFrame({"nip": [f"{199001012015011000 + i}" for i in range(per_class)]}).join(
        register.select("nip"), on="nip", how="anti")
    first_opd = register["opd_code"].min()
    stray = strangers.select(sp2d_no(pl.lit(first_opd), "-SUSULAN").alias("sp2d_no"), "nip",
                             pl.lit(str(period)).alias("period"), pl.lit(1_500_000, pl.Int64).alias("net_rp"),
                             pl.lit(TransferStatus.SUCCESS.value).alias("status"), pl.lit(first_opd).alias("opd_code"))
    rapels = ledger.payment_lines(wh, [p.payment_id for p in ledger.payments(wh, period)
                                       if p.kind is not PaymentKind.MONTH]).filter(pl.col("net_rp") > 0)
    rapel = rapels.select(pl.format("{}/SP2D/LS/{}/{}", "opd_code", "payment_id", pl.lit(year)).alias("sp2d_no"),
                          "nip", pl.lit(str(period)).alias("period"), "net_rp",
                          pl.lit(TransferStatus.SUCCESS.value).alias("status"), "opd_code", "gross_rp")
    every = pl.concat([transfers, again, stray, rapel.drop("gross_rp")])
    pay_day = period.first_day.replace(day=28)
    gross = (pl.col("pay_rp") + pl.col("extra_rp")).sum().alias("gross_rp")  # the month's TPP and its THR/13
    regular = register.group_by("opd_code").agg(gross).with_columns(sp2d_no=sp2d_no(pl.col("opd_code"), ""))
    late = (every.filter(pl.col("sp2d_no").str.contains("SUSULAN"))
            .group_by("sp2d_no", "opd_code").agg(pl.col("net_rp").sum().alias("gross_rp")))
    own = rapel.group_by("sp2d_no", "opd_code").agg(pl.col("gross_rp").sum())
    sp2d = pl.concat([regular, late, own], how="diagonal").select(
        "sp2d_no", pl.lit(pay_day).alias("sp2d_date"), pl.lit(year).alias("fiscal_year"), "opd_code",
        pl.lit(account).alias("account_code"), pl.lit(str(period)).alias("period"), "gross_rp",
        pl.lit(Sp2dStatus.PAID.value).alias("status"))

    # The over-spent OPD: an extra SP2D for last month leaves less than this run's gross.
    pools = outlook.filter(pl.col("level") == "pool", pl.col("status") == Verdict.OK.value).sort("pool_id")
    target = pools.row(int(rng.integers(pools.height)), named=True)
    extra = target["pagu_rp"] - target["realized_rp"] - target["this_run_rp"] + 1_000_000
    earlier = Period(year, period.month - 1)
    sp2d = pl.concat([sp2d, pl.DataFrame([{
        "sp2d_no": f"{target['pool_id']}/SP2D/LS/TPP-{earlier}-KOREKSI/{year}", "sp2d_date": pay_day,
        "fiscal_year": year, "opd_code": target["pool_id"], "account_code": account, "period": str(earlier),
        "gross_rp": extra, "status": Sp2dStatus.PAID.value}], schema=sp2d.schema)])

    seeded = pl.concat([chosen.select("nip", "class"),
                        strangers.with_columns(pl.lit(Reconciled.PAID_NOT_COMPUTED.value).alias("class"))])
    return {"epayment/sp2d.csv": sp2d.sort("sp2d_no"),
            "epayment/transfers.csv": every.drop("opd_code").sort("sp2d_no", "nip"),
            "seeded.csv": seeded.sort("class", "nip")}, str(target["pool_id"])


def _seeded(exception: Reconciled) -> pl.Expr:
    """Whether the employee (column ``class``) was chosen for ``exception``."""
    return pl.col("class") == exception.value


def _tpp_account(wh: Warehouse, period: Period) -> str:
    """The first TPP account of the period's APBD (where the simulated SP2D are charged)."""
    prefix = policy_of(wh, period).tpp_account_prefix
    accounts = wh.table("apbd_lines").filter(pl.col("account_code").str.starts_with(prefix))["account_code"]
    return str(accounts.min())
