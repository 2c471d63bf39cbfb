"""Productivity from approved activity minutes (SPEC §4.3, §4.8)."""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw

from engine.money import BP, floor_bp
from engine.period import Period
from engine.policy import Policy, ProductivityRule
from engine.regional import unpaid_day
from engine.states import LogStatus
from engine.steps import step_bp

_DAY_KEY = ["nip", "work_date"]


def is_approved() -> nw.Expr:
    """Whether a log entry (column ``status``) is approved: only approved entries count."""
    return nw.col("status") == LogStatus.APPROVED.value


def approved_entries(activity_log: nw.LazyFrame[Any], catalog: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """The approved entries of ``activity_log``, each with its ``minutes``: quantity × the
    activity's ``standard_minutes`` (3 × a 30-minute activity is 90 minutes)."""
    return (activity_log.filter(is_approved())
            .join(catalog.select("activity_code", "standard_minutes"), on="activity_code")
            .with_columns(minutes=nw.col("quantity") * nw.col("standard_minutes")))


def approved_day_minutes(activity_log: nw.LazyFrame[Any], catalog: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """``nip, work_date, logged_minutes``: Σ minutes of the approved entries of each
    employee-day (any date: the days are chosen later), before the daily cap. Keyed by the
    numeric NIP (validated NIPs are 18 digits): millions of days group faster and smaller.

    A sum: over two halves of a log it is the sum of the halves' (a reader may split the work).
    """
    entries = activity_log.select(nw.col("nip").cast(nw.Int64), "work_date", "activity_code", "quantity", "status")
    return (approved_entries(entries, catalog).group_by(_DAY_KEY)
            .agg(nw.col("minutes").sum().cast(nw.Int64).alias("logged_minutes")))


def referenced_logs(activity_log: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """``nip, work_date, activity_code, ref``: the approved logs that name an e-Project package
    (they suppress the activity e-Project would generate, §4.8). A filter: it distributes over
    any split of the log."""
    return activity_log.filter(~nw.col("ref").is_null() & is_approved()).select(
        "nip", "work_date", "activity_code", "ref")


def eproject_activities(milestones: nw.LazyFrame[Any], assignments: nw.LazyFrame[Any],
                        activity_map: nw.LazyFrame[Any], referenced: nw.LazyFrame[Any],
                        period: Period) -> nw.LazyFrame[Any]:
    """``nip, work_date, activity_code``: activities e-Project generates in the period.

    Each milestone completed in the period gives every officer of its package whose role maps
    (with the milestone code) to an activity one approved activity of quantity 1 on the
    completion date — unless the officer already has an approved log of that activity on that
    day with ``ref`` = the package (no double counting; ``referenced`` holds those logs).
    """
    completed = milestones.filter(
        nw.col("completed_date") >= nw.lit(period.first_day),
        nw.col("completed_date") <= nw.lit(period.last_day),
    ).select("package_id", "milestone_code", nw.col("completed_date").alias("work_date"))
    generated = (
        completed.join(assignments.select("package_id", "nip", "role"), on="package_id")
        .join(activity_map, on=["role", "milestone_code"])
        .select("nip", "work_date", "activity_code", nw.col("package_id").alias("ref"))
    )
    key = ["nip", "work_date", "activity_code", "ref"]
    return generated.join(referenced.unique(key), on=key, how="anti").select(
        "nip", "work_date", "activity_code"
    )


def logged_minutes(day_minutes: nw.LazyFrame[Any], generated: nw.LazyFrame[Any],
                   catalog: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """``nip, work_date, logged_minutes``: approved logs' minutes and e-Project activities'
    (quantity 1) together, per employee and date, before the daily cap."""
    project = (generated.join(catalog.select("activity_code", "standard_minutes"), on="activity_code")
               .group_by(_DAY_KEY).agg(nw.col("standard_minutes").sum().cast(nw.Int64).alias("project_minutes")))
    # The few e-Project days join the millions of logged ones (day_minutes is read once): no regrouping.
    return day_minutes.select(*_DAY_KEY, "logged_minutes").join(project, on=_DAY_KEY, how="full").select(
        *(nw.coalesce(k, f"{k}_right").alias(k) for k in _DAY_KEY),
        (nw.col("logged_minutes").fill_null(0) + nw.col("project_minutes").fill_null(0)).alias("logged_minutes"))


def over_daily_cap(policy: Policy) -> nw.Expr:
    """Whether a day's ``logged_minutes`` pass ``daily_cap_minutes`` (it counts at the cap)."""
    return nw.col("logged_minutes") > policy.daily_cap_minutes


def capped_minutes(policy: Policy) -> nw.Expr:
    """A day's logged minutes (column ``logged_minutes``) capped at ``daily_cap_minutes``."""
    return nw.min_horizontal(nw.col("logged_minutes").fill_null(0), nw.lit(policy.daily_cap_minutes, nw.Int64))


def credit_day(policy: Policy) -> nw.Expr:
    """Whether ``attendance_status`` is a credit status (DL, CT, DIK, CAP by default) and not an
    unpaid one (§4.11: an unpaid status wins)."""
    return nw.col("attendance_status").is_in(list(policy.credit_statuses)).fill_null(False) & ~unpaid_day(policy)


def day_minutes(policy: Policy) -> nw.Expr:
    """Minutes a day counts: the credit on a credit-status day, else logs capped per day.

    With cap 420 and credit 300: 510 logged on an H day → 420; a DL day → 300 whatever
    was logged. Needs columns ``attendance_status`` and ``logged_minutes``.
    """
    return (
        nw.when(credit_day(policy))
        .then(nw.lit(policy.credit_minutes_per_day, nw.Int64))
        .otherwise(capped_minutes(policy))
    )


def productivity_bp(minutes: nw.Expr, target: nw.Expr, policy: Policy) -> nw.Expr:
    """Productivity in bp from ``minutes`` against ``target_minutes`` by the policy's rule.

    proportional: 4,330 of 6,480 minutes → min(10000, floor(43,300,000 / 6,480)) = 6,682;
    threshold: 10000 once minutes reach the target, else 0; tiered: the bp of the highest tier
    whose ``min_pct_of_target`` % of the target is reached, else 0.
    """
    if policy.productivity_rule is ProductivityRule.PROPORTIONAL:
        return nw.min_horizontal(floor_bp(minutes, target), nw.lit(BP, nw.Int64))
    if policy.productivity_rule is ProductivityRule.THRESHOLD:
        return nw.when(minutes >= target).then(nw.lit(BP, nw.Int64)).otherwise(nw.lit(0, nw.Int64))
    pct_of_target = minutes * 100 // target  # reaching p % (an integer) is reaching floor(100 m / t) ≥ p
    return step_bp(pct_of_target, ((t.min_pct_of_target, t.bp) for t in policy.productivity_tiers))
