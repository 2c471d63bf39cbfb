"""Suspicious logging in e-Performance: who may be gaming "the more work, the more pay".

Each check returns the people it flags with the evidence in words; :func:`suspects` ranks
employees by how many checks flag them and by how much of their pay depends on the suspect
entries (the month recomputed without them). A flag is a reason to look, not a verdict.
"""

from __future__ import annotations

import dataclasses

import narwhals.stable.v2 as nw
import polars as pl

from engine import AWAY_STATUSES, LogStatus, Period, Policy, approved_entries
from pipelines.month.run import month_of
from pipelines.sources.readers import DataDir

AT_CAP_MIN_DAYS, AT_CAP_MIN_SHARE = 5, 0.6
REPEAT_COPIES, REPEAT_MIN_DAYS = 8, 3
ON_LEAVE_MIN_DAYS = 2
MONTH_END_DAYS, MONTH_END_SHARE, MONTH_END_MIN_ENTRIES = 3, 0.5, 20
STAMP_MIN_DECISIONS, STAMP_SAME_DAY_SHARE = 50, 0.95
IMPOSSIBLE_MINUTES = 16 * 60
STRONG_FLAGS = ("on_leave", "repeated")
"""Evidence enough alone: work approved on days away, one activity copied again and again. The
others (at the cap, month-end bursts) are also what a hard worker or a late approver leaves, so
a suspect needs two of them (independent evidence)."""
OUTLIER_RATIO = 3
"""A catalogue activity is an outlier when its standard minutes are over 3 × the catalogue's median."""


@dataclasses.dataclass(frozen=True)
class Findings:
    """Flags per employee and per approver, the catalogue's outliers and the ranked suspects."""

    employees: pl.DataFrame
    """``nip, flag, evidence``"""
    approvers: pl.DataFrame
    """``approver_nip, flag, evidence``"""
    catalogue: pl.DataFrame
    """``activity_code, name, standard_minutes, times_median``"""
    suspects: pl.DataFrame
    """``nip, opd_code, flags, evidence, pay_rp, pay_without_rp, pay_at_stake_rp, minutes_at_stake,
    target_met_without`` ranked: the flagged employees with a strong flag (:data:`STRONG_FLAGS`) or two
    flags or more"""


def period_entries(tables: dict[str, pl.DataFrame], period: Period) -> pl.DataFrame:
    """The period's approved log entries with their minutes and the day's attendance status."""
    log = tables["activity_log"].filter(pl.col("work_date").is_between(period.first_day, period.last_day))
    entries = approved_entries(nw.from_native(log.lazy()), nw.from_native(tables["catalog"].lazy()))
    approved: pl.DataFrame = entries.collect("polars").to_native()
    return approved.join(
        tables["attendance"].select("nip", "work_date", pl.col("status").alias("attendance")),
        on=["nip", "work_date"], how="left")


def employee_flags(entries: pl.DataFrame, policy: Policy, period: Period) -> pl.DataFrame:
    """``nip, flag, evidence`` for the employee checks:

    - ``at_cap``: at least 5 logged days, 60 % of them at or over the daily cap;
    - ``repeated``: one activity logged 8 or more times in a day, on 3 days or more;
    - ``on_leave``: approved work on 2 or more days of leave, sickness or absence (TK, or no
      attendance row);
    - ``month_end``: half the month's minutes approved in its last 3 days or later (20 entries
      or more), the pattern of logging the month in one sitting.
    """
    days = entries.group_by("nip", "work_date").agg(pl.col("minutes").sum(), pl.col("attendance").first())
    at_cap = days.group_by("nip").agg(
        pl.len().alias("days"), (pl.col("minutes") >= policy.daily_cap_minutes).sum().alias("capped"),
    ).filter(pl.col("capped") >= AT_CAP_MIN_DAYS, pl.col("capped") >= AT_CAP_MIN_SHARE * pl.col("days")).select(
        "nip", pl.lit("at_cap").alias("flag"),
        pl.format(f"{{}} of {{}} logged days at or over the {policy.daily_cap_minutes}-minute cap",
                  "capped", "days").alias("evidence"))
    copies = entries.group_by("nip", "work_date", "activity_code").agg(pl.col("quantity").sum().alias("copies"))
    repeated = copies.filter(pl.col("copies") >= REPEAT_COPIES).group_by("nip").agg(
        pl.len().alias("days"), pl.col("copies").max(),
        pl.col("activity_code").mode().first().alias("activity_code"),
    ).filter(pl.col("days") >= REPEAT_MIN_DAYS).select(
        "nip", pl.lit("repeated").alias("flag"),
        pl.format("{} logged up to {} times a day, on {} days", "activity_code", "copies", "days").alias("evidence"))
    absent = pl.col("attendance").is_null() | pl.col("attendance").is_in(list(AWAY_STATUSES))
    on_leave = days.filter(absent).group_by("nip").agg(
        pl.len().alias("days"), pl.col("minutes").sum(), pl.col("attendance").fill_null("no row").unique().sort()
        .str.join("/").alias("statuses"),
    ).filter(pl.col("days") >= ON_LEAVE_MIN_DAYS).select(
        "nip", pl.lit("on_leave").alias("flag"),
        pl.format("{} minutes approved on {} days of {}", "minutes", "days", "statuses").alias("evidence"))
    late_from = period.last_day.replace(day=period.last_day.day - MONTH_END_DAYS + 1)
    month_end = entries.filter(pl.col("approved_at").is_not_null()).group_by("nip").agg(
        pl.len().alias("entries"), pl.col("minutes").sum().alias("all"),
        pl.col("minutes").filter(pl.col("approved_at").dt.date() >= late_from).sum().alias("late"),
    ).filter(pl.col("entries") >= MONTH_END_MIN_ENTRIES, pl.col("late") >= MONTH_END_SHARE * pl.col("all")).select(
        "nip", pl.lit("month_end").alias("flag"),
        pl.format(f"{{}} of {{}} minutes approved from {late_from} on", "late", "all").alias("evidence"))
    return pl.concat([at_cap, repeated, on_leave, month_end]).sort("nip", "flag")


def approver_flags(tables: dict[str, pl.DataFrame], entries: pl.DataFrame, period: Period) -> pl.DataFrame:
    """``approver_nip, flag, evidence``:

    - ``rubber_stamp``: 50 decisions or more in the period, none a rejection, 95 % approved
      on the very day of the work;
    - ``impossible_days``: approved a subordinate's day of more than 16 hours of work.
    """
    decided = tables["activity_log"].filter(
        pl.col("work_date").is_between(period.first_day, period.last_day),
        pl.col("status").is_in([LogStatus.APPROVED.value, LogStatus.REJECTED.value]),
        pl.col("approver_nip").is_not_null())
    stamp = decided.group_by("approver_nip").agg(
        pl.len().alias("decisions"), (pl.col("status") == LogStatus.REJECTED.value).sum().alias("rejected"),
        (pl.col("approved_at").dt.date() == pl.col("work_date")).mean().alias("same_day"),
    ).filter(pl.col("decisions") >= STAMP_MIN_DECISIONS, pl.col("rejected") == 0,
             pl.col("same_day") >= STAMP_SAME_DAY_SHARE).select(
        "approver_nip", pl.lit("rubber_stamp").alias("flag"),
        pl.format("{} decisions, none rejected, {} % approved the same day", "decisions",
                  (pl.col("same_day") * 100).round(0).cast(pl.Int64)).alias("evidence"))
    impossible = (
        entries.filter(pl.col("approver_nip").is_not_null())
        .group_by("approver_nip", "nip", "work_date").agg(pl.col("minutes").sum())
        .filter(pl.col("minutes") > IMPOSSIBLE_MINUTES)
        .group_by("approver_nip").agg(pl.len().alias("days"), pl.col("nip").n_unique().alias("people"),
                                      pl.col("minutes").max())
        .select("approver_nip", pl.lit("impossible_days").alias("flag"),
                pl.format(f"approved {{}} days over {IMPOSSIBLE_MINUTES // 60} hours of {{}} subordinates "
                          "(up to {} minutes)", "days", "people", "minutes").alias("evidence"))
    )
    return pl.concat([stamp, impossible]).sort("approver_nip", "flag")


def catalogue_outliers(catalog: pl.DataFrame) -> pl.DataFrame:
    """Activities whose standard minutes are over 3 × the catalogue's median: one entry of them
    is worth many ordinary ones, which invites logging them."""
    median = catalog.select(pl.col("standard_minutes").median()).item()
    return catalog.filter(pl.col("standard_minutes") > OUTLIER_RATIO * median).select(
        "activity_code", "name", "standard_minutes",
        (pl.col("standard_minutes") / median).round(1).alias("times_median")).sort("standard_minutes", descending=True)


def suspect_entries(entries: pl.DataFrame, flags: pl.DataFrame) -> pl.DataFrame:
    """``log_id`` of the entries a flag rests on: work approved on absent days (``on_leave``) and,
    for ``repeated``, every copy of an activity past the second in a day."""
    def flagged(flag: str) -> pl.DataFrame:
        return flags.filter(pl.col("flag") == flag).select("nip")

    absent = pl.col("attendance").is_null() | pl.col("attendance").is_in(list(AWAY_STATUSES))
    on_leave = entries.join(flagged("on_leave"), on="nip").filter(absent).select("log_id")
    copies = (entries.join(flagged("repeated"), on="nip").sort("log_id")
              .filter(pl.int_range(pl.len()).over("nip", "work_date", "activity_code") >= 2).select("log_id"))
    return pl.concat([on_leave, copies]).unique()


def findings(tables: dict[str, pl.DataFrame], register: pl.DataFrame, policy: Policy, period: Period) -> Findings:
    """Every check on one month, and the suspects (a strong flag, or two flags) ranked by flags,
    then by pay at stake.

    Pay at stake: the entitlement the month gives now less the one it gives with the suspect
    entries (:func:`suspect_entries`) removed from the log: what the entries earn, before the
    pool scales it. An employee's entitlement depends on their own inputs only, so removing
    every suspect's entries at once cannot move anyone else's (a pay would: in a binding pool
    the others' removed entries raise everyone's share). Pay at stake is Rp 0 when the month's
    minutes reach the target even without the suspect entries (``target_met_without``): the
    entries earn nothing this month, and ``minutes_at_stake`` says how many minutes they add."""
    entries = period_entries(tables, period)
    people = employee_flags(entries, policy, period)
    dropped = suspect_entries(entries, people)
    without = {**tables, "activity_log": tables["activity_log"].join(dropped, on="log_id", how="anti")}
    empty = pl.DataFrame(schema={"file": pl.String, "row": pl.Int64, "column": pl.String, "reason": pl.String})
    recomputed = month_of(DataDir({k: v.lazy() for k, v in without.items()}, empty, ()), policy, period,
                         "what-if").result.pay_register.to_native()
    ranked = (
        people.group_by("nip").agg(pl.col("flag").str.join(", ").alias("flags"), pl.len().alias("n"),
                                   pl.col("evidence").str.join("; "),
                                   pl.col("flag").is_in(list(STRONG_FLAGS)).any().alias("strong"))
        .filter(pl.col("strong") | (pl.col("n") >= 2))
        .join(register.select("nip", "opd_code", "pay_rp", "entitlement_rp", "minutes"), on="nip", how="left")
        .join(recomputed.select("nip", "target_minutes", pl.col("pay_rp").alias("pay_without_rp"),
                                pl.col("entitlement_rp").alias("entitlement_without_rp"),
                                pl.col("minutes").alias("minutes_without")), on="nip", how="left")
        .with_columns(pay_at_stake_rp=pl.col("entitlement_rp") - pl.col("entitlement_without_rp"),
                      minutes_at_stake=pl.col("minutes") - pl.col("minutes_without"),
                      target_met_without=pl.col("minutes_without") >= pl.col("target_minutes"))
        .sort(["n", "pay_at_stake_rp", "nip"], descending=[True, True, False], nulls_last=True)
        .select("nip", "opd_code", "flags", "evidence", "pay_rp", "pay_without_rp", "pay_at_stake_rp",
                "minutes_at_stake", "target_met_without")
    )
    return Findings(people, approver_flags(tables, entries, period), catalogue_outliers(tables["catalog"]), ranked)
