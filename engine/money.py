"""Exact integer money arithmetic (SPEC §2): whole Rupiah, basis points, round half up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals.stable.v2 as nw

BP = 10_000
INT64_MAX = 2**63 - 1


class AmountOverflow(ValueError):
    """A sum of Rupiah that does not fit in 64 bits: inputs that cannot be a real budget."""


def fitting_int64(frame: nw.LazyFrame[Any], columns: Sequence[str], what: str) -> nw.LazyFrame[Any]:
    """``frame`` with ``columns`` (sums computed in Int128, so nothing wrapped) as Int64, once
    every value is shown to fit; otherwise :class:`AmountOverflow` names the column.

    Each input amount is at most 10^15 (SPEC §3.1), so only a sum of thousands of them can get
    here: a thousand national budgets.
    """
    largest = frame.select(*(nw.col(c).abs().max().alias(c) for c in columns)).collect("polars").row(0)
    for column, value in zip(columns, largest, strict=True):
        if value is not None and value > INT64_MAX:
            msg = (f"{what}: {column} adds up to Rp {value:,}, more than 64-bit Rupiah can hold; "
                   "check the APBD and SP2D exports")
            raise AmountOverflow(msg)
    return frame.with_columns(*(nw.col(c).cast(nw.Int64) for c in columns))


def apply_bp(amount: nw.Expr, bp: nw.Expr | int) -> nw.Expr:
    """``rhu(amount × bp / 10000)`` in integers: ``floor((amount × bp + 5000) / 10000)``.

    For amount ≥ 0 and 0 ≤ bp this is round half up, exactly; no float decides a Rupiah.
    Example: Rp 2,504,064 at 9,275 bp is 2,322,519.36 → Rp 2,322,519; Rp 1 at 5,000 bp → Rp 1.
    """
    return (amount * bp + BP // 2) // BP


def exact_floor_div(numerator: nw.Expr, denominator: nw.Expr | int) -> nw.Expr:
    """``floor(numerator / denominator)`` exactly on every backend, for wide (Int128) operands
    and a non-negative numerator.

    ``(n − n mod d) // d``: the dividend is a multiple of ``d``, so a backend that divides
    through a rounded quotient (Spark divides decimals to 6 places, rounding half up, before
    the floor: 49,999,999 // 10,000,000 would be 5) still lands on the integer. The same
    value as ``n // d`` wherever integer division is exact (polars, DuckDB).
    """
    return (numerator - numerator % denominator) // denominator


def floor_bp(numerator: nw.Expr, denominator: nw.Expr | int) -> nw.Expr:
    """``floor_div(10000 × numerator, denominator)``: a ratio in whole basis points."""
    return (numerator * BP) // denominator
