"""Exact integer money arithmetic (SPEC §2): whole Rupiah, basis points, round half up."""

from __future__ import annotations

import narwhals.stable.v2 as nw

BP = 10_000


def apply_bp(amount: nw.Expr, bp: nw.Expr | int) -> nw.Expr:
    """``rhu(amount × bp / 10000)`` in integers: ``floor((amount × bp + 5000) / 10000)``.

    For amount ≥ 0 and 0 ≤ bp this is round half up, exactly; no float decides a Rupiah.
    Example: Rp 2,504,064 at 9,275 bp is 2,322,519.36 → Rp 2,322,519; Rp 1 at 5,000 bp → Rp 1.
    """
    return (amount * bp + BP // 2) // BP


def floor_bp(numerator: nw.Expr, denominator: nw.Expr | int) -> nw.Expr:
    """``floor_div(10000 × numerator, denominator)``: a ratio in whole basis points."""
    return (numerator * BP) // denominator
