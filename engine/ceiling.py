"""Ceiling components per position (SPEC §4.2)."""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw

from engine.money import apply_bp

CRITERIA = ("bk", "pk", "kk", "kp", "tb", "pol")
"""Beban kerja, prestasi kerja, kondisi kerja, kelangkaan profesi, tempat bertugas, pertimbangan objektif lainnya."""
PERFORMANCE = ("bk", "pk")
FIXED = ("kk", "kp", "tb", "pol")


def position_blocks(positions: nw.LazyFrame[Any], kelas: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """``position_id, kelas, amt_<c>, perf_block, fixed_block`` for every position.

    ``amt_c = rhu(basic_rp[kelas] × c_bp / 10000)``: kelas 1 with basic Rp 891,000 and
    bk 4,951 bp gives rhu(441,134.1) = Rp 441,134. ``perf_block`` P = bk + pk,
    ``fixed_block`` F = kk + kp + tb + pol.
    """
    amounts = [apply_bp(nw.col("basic_rp"), nw.col(f"{c}_bp")).alias(f"amt_{c}") for c in CRITERIA]
    return (
        positions.join(kelas, on="kelas", how="inner")
        .select("position_id", "kelas", *amounts)
        .with_columns(
            perf_block=nw.sum_horizontal(*(nw.col(f"amt_{c}") for c in PERFORMANCE)),
            fixed_block=nw.sum_horizontal(*(nw.col(f"amt_{c}") for c in FIXED)),
        )
    )
