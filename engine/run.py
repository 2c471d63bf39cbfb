"""One monthly TPP run: validated inputs in, pay register and pool summary out (SPEC §4, §6)."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import narwhals.stable.v2 as nw

from engine import (
    allocation,
    budget,
    ceiling,
    days,
    deductions,
    discipline,
    entitlement,
    pool,
    pph21,
    productivity,
    regional,
)
from engine.inputs import Inputs
from engine.money import BP, apply_bp
from engine.period import Period
from engine.policy import Policy
from engine.steps import lookup

REGISTER_COLUMNS = (
    "period", "run_id", "nip", "opd_code", "pool_id", "position_id", "kelas", "status",
    "working_days", "active_days", "proration_bp", "amt_bk", "amt_pk", "amt_kk", "amt_kp",
    "amt_tb", "amt_pol", "minutes", "target_minutes", "productivity_bp", "deduction_bp",
    "discipline_bp", "score_bp", "perf_rp", "fixed_rp", "plt_extra_rp", "cut_bp",
    "entitlement_rp", "cap_rp", "pay_rp", "extra_kind", "extra_rp", "salary_rp", "pension_rp",
    "ptkp_status", "bpjs_employee_rp", "bpjs_employer_rp", "pph21_rp", "net_rp",
)
REGISTER_TEXT = ("period", "run_id", "nip", "opd_code", "pool_id", "position_id", "status", "extra_kind",
                 "ptkp_status")
"""The register's text columns; every other is an integer (Int64)."""
POOL_COLUMNS = ("pool_id", "pagu_rp", "realized_rp", "pool_rp", "entitlement_rp", "cap_rp",
                "pay_rp", "extra_rp", "binding", "lambda")


@dataclasses.dataclass(frozen=True)
class RunTables:
    """The computed tables of one run (SPEC §6), as eager narwhals frames (backend: polars)."""

    pay_register: nw.DataFrame[Any]
    pool_summary: nw.DataFrame[Any]
    budget_check: nw.DataFrame[Any]


def inputs_digest(*parts: str) -> str:
    """The SHA-256 (hex) of everything a run reads, each part one input's content digest, the
    policy or the code version: the same parts, the same digest."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def run_id_of(period: Period, digest: str, kind: str | None = None) -> str:
    """A run's id: ``<period>-<12 hex of its inputs' digest>`` (``<period>-<kind>-…`` for a
    run of another kind, a correction's ``adj``). Different inputs never share one; a rerun on
    the same inputs has the same.

    >>> run_id_of(Period.parse("2025-10"), "ab" * 32, "adj")
    '2025-10-adj-abababababab'
    """
    return f"{period}-{kind + '-' if kind else ''}{digest[:12]}"


def _day_inputs(inputs: Inputs, period: Period) -> tuple[nw.LazyFrame[Any], nw.LazyFrame[Any]]:
    """``attendance`` (renamed for the day expressions) and ``logged`` minutes per employee-day."""
    generated = productivity.eproject_activities(
        inputs.milestones, inputs.assignments, inputs.activity_map, inputs.referenced_logs, period)
    logged = productivity.logged_minutes(inputs.day_minutes, generated, inputs.catalog)
    attendance = inputs.attendance.select(  # a reader may hold them smaller (status as a category)
        "nip", "work_date", nw.col("status").cast(nw.String).alias("attendance_status"),
        nw.col("check_in_min", "check_out_min").cast(nw.Int64))
    return attendance, logged


def employee_days(inputs: Inputs, policy: Policy, period: Period) -> nw.LazyFrame[Any]:
    """``nip, work_date, attendance_status, check_in_min, check_out_min, logged_minutes, credit,
    day_minutes, day_deduction_bp``: one row per active working day of every employee (a day of
    an unpaid status, §4.11, is not an active day).

    The literal reading of §4.3–4.4, day by day (``eperf explain`` lists it);
    :func:`employee_month` sums the same quantities without building every day.
    """
    grid = days.active_day_grid(inputs.employees, days.working_days(inputs, period))
    attendance, logged = _day_inputs(inputs, period)
    return (
        grid.join(attendance, on=["nip", "work_date"], how="left")
        .filter(~regional.unpaid_day(policy))
        .join(logged, on=["nip", "work_date"], how="left")
        .with_columns(credit=productivity.credit_day(policy), day_minutes=productivity.day_minutes(policy),
                      day_deduction_bp=discipline.day_deduction_bp(policy))
    )


def uncounted_days(inputs: Inputs, policy: Policy, period: Period) -> nw.LazyFrame[Any]:
    """``nip, work_date, unpaid``: the employees' days whose logs do not count — credit days
    (they count the credit) and days of an unpaid status (not active days, §4.11)."""
    working = days.working_days(inputs, period)
    attendance, _ = _day_inputs(inputs, period)
    return (days.on_active_days(attendance, inputs.employees, working)
            .with_columns(unpaid=regional.unpaid_day(policy), credit=productivity.credit_day(policy))
            .filter(nw.col("credit") | nw.col("unpaid"))
            .select("nip", "work_date", "unpaid"))


def employee_month(inputs: Inputs, policy: Policy, period: Period,
                   uncounted: nw.LazyFrame[Any] | None = None) -> nw.LazyFrame[Any]:
    """Per employee in the run: days, minutes, productivity, deductions, discipline and presence.

    Σ over :func:`employee_days`, computed from the rows that exist: attendance rows on active
    days give their deductions, the credit, present and unpaid days; a day without a row costs
    TK; approved minutes count, capped, on every active day that is not a credit day.
    ``uncounted`` is :func:`uncounted_days` when the caller has it computed already.
    """
    working = days.working_days(inputs, period)
    attendance, logged = _day_inputs(inputs, period)
    unpaid = regional.unpaid_day(policy)
    attended = days.on_active_days(attendance, inputs.employees, working).with_columns(
        day_deduction_bp=nw.when(unpaid).then(0).otherwise(discipline.day_deduction_bp(policy)),
        credit=productivity.credit_day(policy), unpaid=unpaid)
    skipped = uncounted if uncounted is not None else uncounted_days(inputs, policy, period)
    worked = (days.on_active_days(logged, inputs.employees, working)
              .join(skipped.select("nip", "work_date"), on=["nip", "work_date"], how="anti"))
    present = (nw.col("attendance_status") == "H") | nw.col("credit")
    month = (
        days.active_days(inputs.employees, working)
        .join(attended.group_by("nip").agg(
            (~nw.col("unpaid")).cast(nw.Int64).sum().alias("attended_days"),
            nw.col("unpaid").cast(nw.Int64).sum().alias("unpaid_days"),
            nw.col("credit").cast(nw.Int64).sum().alias("credit_days"),
            present.cast(nw.Int64).sum().alias("present_days"),
            nw.col("day_deduction_bp").sum().cast(nw.Int64).alias("attended_bp")), on="nip", how="left")
        .join(worked.group_by("nip").agg(productivity.capped_minutes(policy).sum().cast(nw.Int64)
                                         .alias("logged_minutes")), on="nip", how="left")
        .with_columns(*(nw.col(c).fill_null(0) for c in ("attended_days", "unpaid_days", "credit_days",
                                                          "present_days", "attended_bp", "logged_minutes")))
        .join(working.select(nw.len().cast(nw.Int64).alias("working_days")), how="cross")
        .rename({"active_days": "employed_days"})
        .with_columns(active_days=nw.col("employed_days") - nw.col("unpaid_days"))
        .filter(nw.col("active_days") > 0)
    )
    absent_days = nw.col("active_days") - nw.col("attended_days")
    minutes = nw.col("logged_minutes") + nw.col("credit_days") * policy.credit_minutes_per_day
    target = regional.target_minutes(nw.col("active_days"), nw.col("working_days"), policy)
    gated = regional.below_activity_gate(minutes, target, policy)
    return month.with_columns(
        proration_bp=days.proration_bp(nw.col("active_days"), nw.col("working_days")),
        minutes=minutes,
        target_minutes=target,
        activity_gated=gated,
        productivity_bp=nw.when(gated).then(0).otherwise(productivity.productivity_bp(minutes, target, policy)),
        deduction_bp=discipline.capped_deduction_bp(
            nw.col("attended_bp") + absent_days * discipline.absent_day_bp(policy)),
        presence_pct=regional.presence_pct(nw.col("present_days"), nw.col("active_days")),
    ).with_columns(discipline_bp=discipline.discipline_bp(nw.col("deduction_bp"))).select(
        "nip", "employed_days", "unpaid_days", "active_days", "working_days", "proration_bp", "minutes",
        "target_minutes", "activity_gated", "productivity_bp", "deduction_bp", "discipline_bp", "present_days",
        "presence_pct")


def sanction_cut_bp(sanctions: nw.LazyFrame[Any], period: Period) -> nw.LazyFrame[Any]:
    """``nip, cut_bp``: the largest cut of sanctions overlapping the calendar month."""
    return (
        sanctions.filter(days.overlaps(period))
        .group_by("nip")
        .agg(nw.col("cut_bp").max())
    )


ACTING = ("kelas", "perf_block", "fixed_block", *(f"amt_{c}" for c in ceiling.CRITERIA))
"""The columns of a post that an acting official's decree brings, each prefixed ``acting_``."""


def acting_decrees(inputs: Inputs, period: Period, blocks: nw.LazyFrame[Any],
                   uncounted: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """``nip, position_id, start_date, covered_days, acting_<kelas, blocks, amounts>``: each PLT
    decree (one ``plt.csv`` row) that covers a day of §4.3 of its employee — an active working
    day, not one of an unpaid status — and how many (``uncounted`` marks the unpaid days)."""
    working = days.working_days(inputs, period)
    decree_days = (inputs.plt.join(working, how="cross").filter(days.is_active(nw.col("work_date")))
                   .select("nip", "position_id", nw.col("start_date").alias("decree_start"), "work_date"))
    unpaid = uncounted.filter(nw.col("unpaid")).select("nip", "work_date")
    return (
        days.on_active_days(decree_days, inputs.employees, working)
        .join(unpaid, on=["nip", "work_date"], how="anti")
        .group_by("nip", "position_id", "decree_start")
        .agg(nw.len().cast(nw.Int64).alias("covered_days"))
        .join(blocks.select("position_id", *(nw.col(c).alias(f"acting_{c}") for c in ACTING)), on="position_id")
        .rename({"decree_start": "start_date"})
    )


def plt_decrees(inputs: Inputs, policy: Policy, period: Period) -> nw.LazyFrame[Any]:
    """``nip, position_id, start_date, covered_days, counts, acting_kelas``: every PLT decree
    covering a day of §4.3 (inputs keyed by numeric NIP), and whether it counts (``plt_min_days``)."""
    blocks = ceiling.position_blocks(inputs.positions, inputs.kelas)
    return acting_decrees(inputs, period, blocks, uncounted_days(inputs, policy, period)).select(
        "nip", "position_id", "start_date", "covered_days",
        regional.counting_decree(nw.col("covered_days"), policy).alias("counts"), "acting_kelas")


def higher_posts(decrees: nw.LazyFrame[Any], own: nw.LazyFrame[Any], policy: Policy) -> nw.LazyFrame[Any]:
    """``nip, acting_position_id, acting_<kelas, blocks, amounts>``: under ``higher_post``, the
    counting decree's post above the employee's own ``kelas`` (from ``own``: ``nip, kelas``)
    that they are paid as holder of — the largest kelas, then the largest P + F, then the largest
    ``position_id``. Empty under ``extra``."""
    by_nip = "nip"
    candidates = (
        decrees.filter(regional.counting_decree(nw.col("covered_days"), policy))
        .join(own, on="nip")
        .filter(regional.holds_higher_post(nw.col("acting_kelas"), nw.col("kelas"), policy))
        .with_columns(acting_total=nw.col("acting_perf_block") + nw.col("acting_fixed_block"))
    )
    for column in ("acting_kelas", "acting_total", "position_id"):
        candidates = candidates.filter(nw.col(column) == nw.col(column).max().over(by_nip))
    return (candidates.select("nip", nw.col("position_id").alias("acting_position_id"),
                              *(f"acting_{c}" for c in ACTING))
            .unique())  # two decrees for one post: the same row


def numeric_nips(inputs: Inputs) -> Inputs:
    """The inputs with every ``nip`` as Int64: validated NIPs are 18 digits, and as integers
    they join and group several times faster than as text. :func:`run_period` turns them back."""
    keyed = {name: frame.with_columns(nw.col("nip").cast(nw.Int64)) if "nip" in frame.columns else frame
             for name, frame in inputs.tables.items()}
    return dataclasses.replace(inputs, **keyed)  # type: ignore[arg-type]  # only the frame fields


def entitlements(inputs: Inputs, policy: Policy, period: Period) -> nw.LazyFrame[Any]:
    """Per employee in the run (inputs keyed by numeric NIP, :func:`numeric_nips`): the register's
    columns up to ``entitlement_rp`` and ``cap_rp`` (§4.1–4.5, §4.11), and the terms of the
    regional rules that lead to them — ``employed_days``, ``unpaid_days``, ``present_days``,
    ``presence_pct``, ``activity_gated``, ``skp_predikat``, ``skp_bp``, ``acting_position_id``
    (a higher post paid as holder), ``own_post_rp`` (e3 before the presence gate) and ``gate_bp``."""
    blocks = ceiling.position_blocks(inputs.positions, inputs.kelas)
    uncounted = inputs.materialize(uncounted_days(inputs, policy, period))  # read by minutes and PLT
    decrees = acting_decrees(inputs, period, blocks, uncounted)
    own = inputs.employees.select("nip", "position_id").join(blocks.select("position_id", "kelas"), on="position_id")
    higher = higher_posts(decrees, own.select("nip", "kelas"), policy)
    as_holder = ~nw.col("acting_position_id").is_null()
    paid_as = [nw.when(as_holder).then(nw.col(f"acting_{c}")).otherwise(nw.col(c)).alias(c)
               for c in ACTING if c != "kelas"]  # the register's kelas stays the employee's own
    skp = regional.skp_rating_bp(nw.col("skp_predikat"), policy)
    people = (
        inputs.employees.select("nip", "opd_code", "position_id", "status", "golongan", "salary_rp",
                                nw.col("pension_rp").fill_null(0),
                                nw.col("ptkp_status").fill_null(pph21.DEFAULT_PTKP))
        .join(blocks, on="position_id")
        .join(employee_month(inputs, policy, period, uncounted), on="nip")
        .join(sanction_cut_bp(inputs.sanctions, period), on="nip", how="left")
        .join(regional.skp_ratings(inputs.skp, period), on="nip", how="left")
        .join(higher, on="nip", how="left")
        .with_columns(*paid_as)
        .with_columns(nw.col("cut_bp").fill_null(0).cast(nw.Int64),
                      pool.pool_id(policy).alias("pool_id"),
                      skp_bp=nw.when(nw.col("activity_gated")).then(0).otherwise(skp))
        .with_columns(score_bp=nw.when(regional.paid_in_full(policy, period)).then(nw.lit(BP, nw.Int64)).otherwise(
            entitlement.score_bp(nw.col("discipline_bp"), nw.col("productivity_bp"), policy, nw.col("skp_bp"))))
        .with_columns(perf_rp=apply_bp(nw.col("perf_block"), nw.col("score_bp")),
                      fixed_rp=nw.col("fixed_block"),
                      status_bp=lookup(nw.col("status"), policy.status_bp),
                      gate_bp=regional.presence_gate_bp(nw.col("presence_pct"), policy, period))
    )
    people = inputs.materialize(people)  # read twice below: for the PLT extra and the pay
    plt = (
        decrees.filter(regional.counting_decree(nw.col("covered_days"), policy))
        .join(people.filter(~as_holder).select("nip", "score_bp"), on="nip")
        .with_columns(
            plt_extra_rp=entitlement.plt_extra_rp(nw.col("acting_perf_block"), nw.col("acting_fixed_block"),
                                                  nw.col("score_bp"), policy),
            plt_cap_rp=entitlement.plt_extra_rp(nw.col("acting_perf_block"), nw.col("acting_fixed_block"),
                                                BP, policy),
        )
        .group_by("nip")
        .agg(nw.col("plt_extra_rp").max(), nw.col("plt_cap_rp").max())
    )
    chain = (nw.col("status_bp"), nw.col("proration_bp"), nw.col("cut_bp"))
    return (
        people.join(plt, on="nip", how="left")
        .with_columns(nw.col("plt_extra_rp").fill_null(0).cast(nw.Int64),
                      nw.col("plt_cap_rp").fill_null(0).cast(nw.Int64),
                      own_post_rp=entitlement.own_post_rp(nw.col("perf_rp"), nw.col("fixed_rp"), *chain))
        .with_columns(
            entitlement_rp=regional.gated_rp(nw.col("own_post_rp"), nw.col("gate_bp")) + nw.col("plt_extra_rp"),
            cap_rp=entitlement.own_post_rp(nw.col("perf_block"), nw.col("fixed_block"), *chain)
            + nw.col("plt_cap_rp"),
        )
    )


def run_period(inputs: Inputs, policy: Policy, period: Period, run_id: str) -> RunTables:
    """Compute one period's TPP: the pay register (sorted by NIP), the pool summary and the
    budget check (SPEC §6).

    Pure: the inputs, policy, period and run id are all it uses.
    """
    inputs = numeric_nips(inputs)
    people = entitlements(inputs, policy, period)
    accounts = inputs.materialize(pool.budget_accounts(inputs.apbd_lines, inputs.sp2d, policy, period))
    pools = pool.pools(people.select("pool_id"), accounts, period, policy.extra_payments_ahead(period))
    paid = allocation.allocate(people.join(pools, on="pool_id"), policy)
    if policy.pph21.ter:
        paid = paid.join(pph21.tax_basis(inputs, period), on="nip", how="left")
    register = deductions.with_deductions(paid, policy, period, inputs.ter_rates).with_columns(
        period=nw.lit(str(period)), run_id=nw.lit(run_id), nip=nw.col("nip").cast(nw.String).str.zfill(18)
    ).select(  # only what the outputs read: all the columns made, for 1,000,000 employees, held 1 GiB more
        *(nw.col(c) if c in REGISTER_TEXT else nw.col(c).cast(nw.Int64) for c in REGISTER_COLUMNS), "binding", "lambda"
    ).sort("nip").collect("polars")
    pool_summary = summarize_pools(register, pools.collect("polars"))
    return RunTables(register.select(REGISTER_COLUMNS), pool_summary,
                     budget.budget_check(pool_summary, accounts, inputs.apbd_lines, period))


def summarize_pools(register: nw.DataFrame[Any], pools: nw.DataFrame[Any]) -> nw.DataFrame[Any]:
    """One row per pool, sorted: its budget (``pools``), Σ entitlement, Σ cap, Σ pay and Σ extra
    payment of its members, and how the allocation went (binding, λ: one value per pool in every
    member's row)."""
    members = register.group_by("pool_id").agg(
        nw.col("entitlement_rp").sum(), nw.col("cap_rp").sum(), nw.col("pay_rp").sum(), nw.col("extra_rp").sum())
    allocation_terms = register.select("pool_id", "binding", "lambda").unique()
    return (
        pools.join(members, on="pool_id").join(allocation_terms, on="pool_id")
        .with_columns(*(nw.col(c).cast(nw.Int64) for c in POOL_COLUMNS if c.endswith("_rp")))
        .select(*POOL_COLUMNS)
        .sort("pool_id")
    )
