"""Regional rules (SPEC §4.11): the options in which Perwali and Perbup differ, as expressions.

Each option is an expression over the policy's values — literals here, where one city runs
one policy; the same expressions over the columns of a per-region policy table joined to its
employees would run a national month in one plan. No function branches in Python on a value
(an empty list of presence gates is the single gate "from 0 %, 10000 bp", which is what it
means). Every default leaves §4.1–4.10 unchanged.
"""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw

from engine.money import BP, apply_bp
from engine.period import Period
from engine.policy import Gate, PltRule, Policy, TargetRule
from engine.steps import lookup, step_bp


def unpaid_day(policy: Policy) -> nw.Expr:
    """Whether ``attendance_status`` is one of ``unpaid_statuses``: the day is not an active day.

    With ``unpaid_statuses = ["CLTN", "TB"]`` a TB day is unpaid, a CT or missing day is not.
    """
    return nw.col("attendance_status").is_in(list(policy.unpaid_statuses)).fill_null(False)


def target_minutes(active_days: nw.Expr, working_days: nw.Expr, policy: Policy) -> nw.Expr:
    """The minute target: ``active_days × minutes_per_day`` (``per_day``), or the month's target
    in proportion to the active days (``monthly``): 6,750 × 15 of 20 days → floor(5,062.5) = 5,062.
    """
    monthly = nw.lit(policy.target_rule is TargetRule.MONTHLY)
    return (nw.when(monthly).then(policy.target_minutes_month * active_days // working_days)
            .otherwise(active_days * policy.minutes_per_day))


def below_activity_gate(minutes: nw.Expr, target: nw.Expr, policy: Policy) -> nw.Expr:
    """``100 × minutes < activity_gate_pct × target``: productivity and SKP count 0.

    Gate 100 % of a 6,750-minute target: 6,749 minutes are below it, 6,750 are not; gate 0 never.
    """
    return 100 * minutes < policy.activity_gate_pct * target


def skp_ratings(skp: nw.LazyFrame[Any], period: Period) -> nw.LazyFrame[Any]:
    """``nip, skp_predikat``: each employee's rating with the latest ``period_end`` strictly
    before the first day of the period, of any age (ratings ending 31 Mar and 30 Jun: April's is
    March's, July's June's)."""
    earlier = skp.filter(nw.col("period_end") < nw.lit(period.first_day))
    latest = earlier.group_by("nip").agg(nw.col("period_end").max())
    return earlier.join(latest, on=["nip", "period_end"]).select("nip", nw.col("predikat").alias("skp_predikat"))


def skp_rating_bp(predikat: nw.Expr, policy: Policy) -> nw.Expr:
    """The SKP part in bp: ``skp_bp[predikat]``, ``skp_missing_bp`` without a rating
    (defaults: baik 10000, kurang 5000, none 0)."""
    return nw.when(predikat.is_null()).then(nw.lit(policy.skp_missing_bp, nw.Int64)).otherwise(
        lookup(predikat, policy.skp_bp))


def paid_in_full(policy: Policy, period: Period) -> nw.Expr:
    """Whether the month is paid at the ceiling: ``december_full`` and the period is December."""
    return nw.lit(policy.december_full) & nw.lit(period.month == 12)


def presence_pct(present_days: nw.Expr, active_days: nw.Expr) -> nw.Expr:
    """``floor_div(100 × present_days, active_days)``: 8 of 20 days present → 40 %."""
    return 100 * present_days // active_days


def presence_gate_bp(pct: nw.Expr, policy: Policy, period: Period) -> nw.Expr:
    """The bp of the presence gate with the largest ``min_pct ≤ pct`` (none reached: 0); 10000
    without gates and in a month paid in full.

    Gates 25 → 5000, 50 → 10000: 20 % → 0, 40 % → 5000, 60 % → 10000.
    """
    gates = policy.presence_gates or (Gate(0, BP),)
    return nw.when(paid_in_full(policy, period)).then(nw.lit(BP, nw.Int64)).otherwise(
        step_bp(pct, ((g.min_pct, g.bp) for g in gates)))


def gated_rp(e3: nw.Expr, gate_bp: nw.Expr) -> nw.Expr:
    """``rhu(e3 × gate_bp / 10000)``: Rp 6,000,000 at gate 5000 → Rp 3,000,000; at 10000 unchanged."""
    return apply_bp(e3, gate_bp)


def counting_decree(covered_days: nw.Expr, policy: Policy) -> nw.Expr:
    """Whether a PLT decree counts: it covers a day of §4.3, and at least ``plt_min_days`` of them."""
    return (covered_days >= 1) & (covered_days >= policy.plt_min_days)


def holds_higher_post(acting_kelas: nw.Expr, own_kelas: nw.Expr, policy: Policy) -> nw.Expr:
    """Under ``higher_post``: whether an acting post is above the employee's own kelas (then the
    employee is paid as its holder, with no PLT extra)."""
    return nw.lit(policy.plt_rule is PltRule.HIGHER_POST) & (acting_kelas > own_kelas)
