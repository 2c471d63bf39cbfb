"""What the analysts' notebooks compute: months side by side, inequality, what-if policies and
the budget burn. The notebooks only call these and draw."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import narwhals.stable.v2 as nw
import polars as pl

from engine import BP, Allocation, Period, Policy, PolicyError, ProductivityRule, burn_down
from pipelines.month.run import Month, month_from_folder, month_of


def months(data: Path, periods: Sequence[str]) -> pl.DataFrame:
    """The pay registers of ``periods`` computed from ``data``, one after the other."""
    registers: list[pl.DataFrame] = [month_from_folder(data, Period.parse(p)).result.pay_register.to_native()
                                     for p in periods]
    return pl.concat(registers)


def gini(values: pl.Series) -> float:
    """The Gini coefficient of non-negative amounts (0: all equal; near 1: one has all).

    >>> gini(pl.Series([5, 5, 5, 5])), gini(pl.Series([0, 0, 0, 8]))
    (0.0, 0.75)
    """
    ranked = values.sort().cast(pl.Float64)
    n, total = ranked.len(), float(ranked.sum())
    if n == 0 or total == 0:
        return 0.0
    weights = pl.Series(range(1, n + 1), dtype=pl.Float64)
    return 2 * float((weights * ranked).sum()) / (n * total) - (n + 1) / n


def decile_shares(values: pl.Series) -> pl.DataFrame:
    """``decile, share``: each tenth of the employees (1 = lowest paid) and its share of the total."""
    ranked = pl.DataFrame({"v": values}).sort("v").with_row_index("i")
    return (ranked.with_columns(decile=(pl.col("i") * 10 // ranked.height + 1).cast(pl.Int64))
            .group_by("decile").agg(pl.col("v").sum()).sort("decile")
            .select("decile", (pl.col("v") / pl.col("v").sum()).alias("share")))


@dataclasses.dataclass(frozen=True)
class WhatIf:
    """A policy change and a budget change, applied to one month."""

    allocation: Allocation | None = None
    w_productivity_bp: int | None = None
    """The discipline weight becomes 10000 − this."""
    daily_cap_minutes: int | None = None
    productivity_rule: ProductivityRule | None = None
    tpp_pagu_change_pct: float = 0.0
    """Every TPP pagu line (hence the pools) up or down by this many per cent."""

    def policy(self, base: Policy) -> Policy:
        """``base`` with this change, validated as a ``policy.toml`` version is."""
        changes: dict[str, object] = {k: v for k, v in (
            ("allocation", self.allocation), ("daily_cap_minutes", self.daily_cap_minutes),
            ("productivity_rule", self.productivity_rule)) if v is not None}
        if self.w_productivity_bp is not None:
            if not 0 <= self.w_productivity_bp <= BP:  # else the policy would blame w_discipline_bp
                raise PolicyError(f"w_productivity_bp = {self.w_productivity_bp} is outside 0–10000 bp")
            changes |= {"w_productivity_bp": self.w_productivity_bp, "w_discipline_bp": BP - self.w_productivity_bp}
        return base.with_changes(**changes)


def variant_month(month: Month, period: Period, change: WhatIf) -> Month:
    """``month`` computed again under ``change``: its policy, and its TPP pagu lines scaled."""
    tables = dict(month.data.tables)
    factor = 1 + change.tpp_pagu_change_pct / 100
    tpp = pl.col("account_code").str.starts_with(month.policy.tpp_account_prefix)
    tables["apbd_lines"] = tables["apbd_lines"].with_columns(
        pl.when(tpp).then((pl.col("pagu_rp") * factor).round(0).cast(pl.Int64)).otherwise(pl.col("pagu_rp"))
        .alias("pagu_rp"))
    return month_of(dataclasses.replace(month.data, tables=tables), change.policy(month.policy), period, "what-if")


def changes(month: Month, variant: Month) -> pl.DataFrame:
    """Per employee, pay now and in ``variant``: ``nip, opd_code, kelas, status, pay_rp,
    what_if_rp, change_rp``, largest losses first."""
    now: pl.DataFrame = month.result.pay_register.to_native()
    other: pl.DataFrame = variant.result.pay_register.to_native()
    return (
        now.select("nip", "opd_code", "kelas", "status", "pay_rp")
        .join(other.select("nip", pl.col("pay_rp").alias("what_if_rp")), on="nip")
        .with_columns(change_rp=pl.col("what_if_rp") - pl.col("pay_rp"))
        .sort("change_rp", "nip")
    )


def what_if(month: Month, period: Period, change: WhatIf) -> pl.DataFrame:
    """Per employee, pay now and under ``change`` (:func:`changes`)."""
    return changes(month, variant_month(month, period, change))


def pools_compared(month: Month, variant: Month) -> pl.DataFrame:
    """``pool_id, pagu_rp, realized_rp, pool_rp, what_if_pagu_rp, what_if_pool_rp, pool_change_pct``:
    what a change did to each pool's money for the month."""
    now: pl.DataFrame = month.result.pool_summary.to_native()
    other: pl.DataFrame = variant.result.pool_summary.to_native()
    return (now.select("pool_id", "pagu_rp", "realized_rp", "pool_rp")
            .join(other.select("pool_id", pl.col("pagu_rp").alias("what_if_pagu_rp"),
                               pl.col("pool_rp").alias("what_if_pool_rp")), on="pool_id")
            .with_columns(pool_change_pct=(100 * (pl.col("what_if_pool_rp") - pl.col("pool_rp"))
                                           / pl.col("pool_rp")).round(1))
            .sort("pool_id"))


@dataclasses.dataclass(frozen=True)
class Comparison:
    """One month's data paid under two policies (two regions' presets): per employee, per OPD, per pool."""

    employees: pl.DataFrame
    """``nip, opd_code, kelas, status, pay_a_rp, pay_b_rp, change_rp`` (0 where one policy leaves the
    employee out of the month), largest losses first."""
    opds: pl.DataFrame
    """``opd_code, employees, pay_a_rp, pay_b_rp, change_rp, change_pct, winners, losers``."""
    pools: pl.DataFrame
    """``pool_id, pool_rp, pay_a_rp, pay_b_rp, use_a_pct, use_b_pct``: how much of each pool each
    policy spends (the pools are the same: the budget does not depend on the policy's rules)."""


def compare_policies(month: Month, period: Period, a: Policy, b: Policy) -> Comparison:
    """``month``'s inputs paid under policy ``a`` and under policy ``b``: "what would this month cost
    under another city's rules"."""
    runs = [month_of(month.data, p, period, f"what-if-{side}").result for side, p in (("a", a), ("b", b))]
    registers = [r.pay_register.to_native().select("nip", "opd_code", "kelas", "status", "pay_rp") for r in runs]
    people = (
        registers[0].rename({"pay_rp": "pay_a_rp"})
        .join(registers[1].rename({"pay_rp": "pay_b_rp"}), on=["nip", "opd_code", "kelas", "status"], how="full",
              coalesce=True)
        .with_columns(pl.col("pay_a_rp").fill_null(0), pl.col("pay_b_rp").fill_null(0))
        .with_columns(change_rp=pl.col("pay_b_rp") - pl.col("pay_a_rp"))
        .sort("change_rp", "nip")
    )
    opds = (
        people.group_by("opd_code").agg(
            pl.len().alias("employees"), pl.col("pay_a_rp").sum(), pl.col("pay_b_rp").sum(), pl.col("change_rp").sum(),
            (pl.col("change_rp") > 0).sum().alias("winners"), (pl.col("change_rp") < 0).sum().alias("losers"))
        .with_columns(change_pct=(100 * pl.col("change_rp") / pl.col("pay_a_rp")).round(2))
        .select("opd_code", "employees", "pay_a_rp", "pay_b_rp", "change_rp", "change_pct", "winners", "losers")
        .sort("change_pct", "opd_code")
    )
    summaries = [r.pool_summary.to_native() for r in runs]
    pools = (
        summaries[0].select("pool_id", "pool_rp", pl.col("pay_rp").alias("pay_a_rp"))
        .join(summaries[1].select("pool_id", pl.col("pay_rp").alias("pay_b_rp")), on="pool_id", how="full",
              coalesce=True)
        .with_columns(pl.col("pay_a_rp").fill_null(0), pl.col("pay_b_rp").fill_null(0))
        .with_columns(*((100 * pl.col(f"pay_{s}_rp") / pl.col("pool_rp")).round(2).alias(f"use_{s}_pct")
                        for s in ("a", "b")))
        .sort("pool_id")
    )
    return Comparison(people, opds, pools)


def burn(month: Month, period: Period) -> pl.DataFrame:
    """The year's TPP burn-down for ``month``: paid SP2D by month, this month's gross (its pay
    and any THR or gaji-13 paid with it, as ``budget`` counts this run), the pagu."""
    pools = month.result.pool_summary.to_native()
    burned: pl.DataFrame = burn_down(nw.from_native(month.data.table("sp2d")), month.policy, period,
                                     int((pools["pay_rp"] + pools["extra_rp"]).sum()),
                                     int(pools["pagu_rp"].sum())).to_native()
    return burned
