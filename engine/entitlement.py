"""Entitlement and cap per employee (SPEC §4.5)."""

from __future__ import annotations

import narwhals.stable.v2 as nw

from engine.money import BP, apply_bp
from engine.policy import Policy


def score_bp(discipline: nw.Expr, productivity: nw.Expr, policy: Policy, skp: nw.Expr | int = 0) -> nw.Expr:
    """``floor_div(w_d × discipline + w_p × productivity + w_skp × skp, 10000)`` (§4.5, §4.11).

    Weights 4000/6000, discipline 9,250, productivity 7,466 → floor(81,796) = 8,179 bp.
    Weights 4000/4000/2000, discipline 9,500, productivity 10000, SKP 5000 → 8,800 bp.
    """
    return (policy.w_discipline_bp * discipline + policy.w_productivity_bp * productivity
            + policy.w_skp_bp * skp) // BP


def own_post_rp(perf_rp: nw.Expr, fixed_rp: nw.Expr, status_bp: nw.Expr, proration: nw.Expr,
                cut: nw.Expr) -> nw.Expr:
    """``e3``: (perf + fixed), then status, proration and sanction cut, each rounded half up.

    Perf Rp 429,563 + fixed Rp 155,529, PNS 10000 bp, 10000 bp prorated, no cut → Rp 585,092.
    A CPNS (8000 bp) on 14 of 21 days (6666 bp) with a 2500 bp cut and Rp 1,000,000:
    800,000 → rhu(533,280) = 533,280 → rhu(399,960) = Rp 399,960.
    """
    e1 = apply_bp(perf_rp + fixed_rp, status_bp)
    e2 = apply_bp(e1, proration)
    return apply_bp(e2, BP - cut)


def plt_extra_rp(acting_perf_block: nw.Expr, acting_fixed_block: nw.Expr, score: nw.Expr | int,
                 policy: Policy) -> nw.Expr:
    """``rhu((rhu(P_a × score / 10000) + F_a) × plt_bp / 10000)``: not prorated, not cut."""
    return apply_bp(apply_bp(acting_perf_block, score) + acting_fixed_block, policy.plt_bp)
