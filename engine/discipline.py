"""Discipline from attendance (SPEC §4.4)."""

from __future__ import annotations

import narwhals.stable.v2 as nw

from engine.money import BP
from engine.policy import Band, Policy
from engine.steps import lookup, step_bp


def band_bp(minutes: nw.Expr, bands: tuple[Band, ...]) -> nw.Expr:
    """The bp of the band with the largest ``min_minutes ≤ minutes``; 0 below the first band.

    Default bands: 12 minutes late → 50 bp (TL1), 45 → 100 (TL2), 75 → 125, 95 → 150 (TL4).
    """
    return step_bp(minutes, ((b.min_minutes, b.bp) for b in bands))


def absent_day_bp(policy: Policy) -> int:
    """What a day without an attendance row costs: it counts as TK."""
    return policy.status_deduction_bp.get("TK", 0)


def day_deduction_bp(policy: Policy) -> nw.Expr:
    """bp one day costs, from ``attendance_status``, ``check_in_min``, ``check_out_min``.

    No attendance row counts as TK. An H day pays the TL band of ``check_in − start`` and the
    PSW band of ``end − check_out``; a missing check-in or check-out costs the last band each.
    With schedule 07:30–16:00: in 07:50, out 15:00 → 50 (20 late) + 100 (60 early) = 150 bp.
    """
    status = nw.col("attendance_status").fill_null("TK")
    last_bp = nw.lit(policy.tl_psw_bands[-1].bp, nw.Int64)
    late = nw.col("check_in_min") - policy.schedule_start_min
    early = policy.schedule_end_min - nw.col("check_out_min")
    late_cost = nw.when(nw.col("check_in_min").is_null()).then(last_bp).otherwise(band_bp(late, policy.tl_psw_bands))
    early_cost = nw.when(nw.col("check_out_min").is_null()).then(last_bp).otherwise(band_bp(early, policy.tl_psw_bands))
    return nw.when(status == "H").then(late_cost + early_cost).otherwise(lookup(status, policy.status_deduction_bp))


def discipline_bp(deduction_bp: nw.Expr) -> nw.Expr:
    """``10000 − deduction_bp`` (the deduction is already capped at 10000)."""
    return BP - deduction_bp


def capped_deduction_bp(total: nw.Expr) -> nw.Expr:
    """``min(10000, Σ day deductions)``."""
    return nw.min_horizontal(total, nw.lit(BP, nw.Int64))
