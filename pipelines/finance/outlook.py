"""Finance (BPKAD): the budget outlook of a kept run — per pool and TPP account the pagu, what
is realized, this run and a projection to December (:func:`engine.budget_outlook`), by one rule
said in words beside it (:func:`engine.projection_rule`).
"""

from __future__ import annotations

import narwhals.stable.v2 as nw
import polars as pl

from engine import Period, Policy, budget_accounts, budget_check, budget_outlook, burn_down, pools, projection_rule
from pipelines.warehouse.lifecycle import KeptRun, counted_run, kept_runs, policy_of
from pipelines.warehouse.store import Warehouse, kept_outputs


def budget(wh: Warehouse, period: Period) -> tuple[KeptRun, pl.DataFrame]:
    """The budget check of the period's run that counts, on the pagu and SP2D of today (the
    run's pool stays the one it was paid from), with a projection to the end of the fiscal year
    and a status OK / WARN / FAIL per row.

    - ``pool`` and ``account`` alike: ``projected = realized + (this period's gross (with its
      extra payment) + the month's pay for each payment to come + the run's correction)`` (every
      month after this one to December and every extra payment after it, SPEC §4.10); an
      account's gross, correction and bracket are its part of its pool's, in proportion to what
      it has left of its pagu (:func:`engine.budget.account_shares`), so the accounts add up to
      their pool. FAIL when the row is over (realized + gross + correction > pagu; for a pool also pay
      > pool), WARN when the projection passes the pagu.
    - ``city``: belanja pegawai over 30 % of belanja fails (UU 1/2022).

    Each row names its pool's OPD (``opd_name``) where ``hr/opd.csv`` does, and the pool and
    account rows say the projection's rule with the period's numbers (``projection``).
    """
    run = counted_run(wh, period)
    policy = policy_of(wh, period)
    apbd, sp2d = (nw.from_native(wh.table(name).lazy()) for name in ("apbd_lines", "sp2d"))
    accounts = budget_accounts(apbd, sp2d, policy, period).collect("polars").lazy()  # read three times below
    kept = kept_outputs(wh, run.run_id)["pool_summary"]
    ahead = policy.extra_payments_ahead(period)
    today = pools(nw.from_native(kept.lazy()).select("pool_id"), accounts, period, ahead).collect("polars")
    summary = kept.drop("pagu_rp", "realized_rp").join(
        today.to_native().select("pool_id", "pagu_rp", "realized_rp"), on="pool_id", how="left")
    check = budget_check(nw.from_native(summary), accounts, apbd, period)
    after = len(extra_payments_after(policy, period))
    rows = budget_outlook(check, period, nw.from_native(_corrections(wh, run, kept)), after).to_native()
    rule = pl.when(pl.col("projected_rp").is_not_null()).then(pl.lit(projection_rule(period, after)))
    return run, rows.with_columns(opd_name=opd_name(pl.col("pool_id"), wh.table("opds")), projection=rule)


def extra_payments_after(policy: Policy, period: Period) -> tuple[str, ...]:
    """The periods of the extra payments (THR, gaji-13) of year(m) after ``period``: the payments
    to come beside the months left."""
    return tuple(e.period for e in policy.extra_payments
                 if e.period.startswith(f"{period.year:04d}-") and e.period > str(period))


def opd_name(code: pl.Expr, opds: pl.DataFrame) -> pl.Expr:
    """The OPD's name for each code of ``code`` (``hr/opd.csv``; empty where the city gave none)."""
    return code.replace_strict(opds["opd_code"], opds["name"], default=None, return_dtype=pl.String)


def _corrections(wh: Warehouse, run: KeptRun, kept: pl.DataFrame) -> pl.DataFrame:
    """``pool_id, corrections_rp``: what the run's latest correction changes in each pool's pay
    (each correction compares with the locked run, so the latest holds them all)."""
    latest = [r for r in kept_runs(wh, run.period) if r.adjusts == run.run_id]
    if not latest:
        return pl.DataFrame(schema={"pool_id": pl.String, "corrections_rp": pl.Int64})
    corrected = kept_outputs(wh, latest[-1].run_id)["pool_summary"]
    return corrected.join(kept, on="pool_id", how="full", coalesce=True, suffix="_locked").select(
        "pool_id", (pl.col("pay_rp").fill_null(0) - pl.col("pay_rp_locked").fill_null(0)).alias("corrections_rp"))


def burn(wh: Warehouse, period: Period, gross_rp: int, pagu_rp: int) -> pl.DataFrame:
    """The year's TPP burn-down to ``period`` (:func:`engine.budget.burn_down`) on the SP2D the
    warehouse holds today."""
    burned: pl.DataFrame = burn_down(nw.from_native(wh.table("sp2d")), policy_of(wh, period), period, gross_rp,
                                     pagu_rp).to_native()
    return burned
