"""Policy tables as expressions: an integer looked up by key, a step function of thresholds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import narwhals.stable.v2 as nw


def lookup(key: nw.Expr, table: Mapping[str, int]) -> nw.Expr:
    """The integer ``table[key]`` as an expression (0 when absent)."""
    chain = None
    for k, v in sorted(table.items()):
        chain = (nw.when(key == k) if chain is None else chain.when(key == k)).then(nw.lit(v, nw.Int64))
    return nw.lit(0, nw.Int64) if chain is None else chain.otherwise(nw.lit(0, nw.Int64))


def step_bp(value: nw.Expr, steps: Iterable[tuple[int, int]]) -> nw.Expr:
    """The bp of the step with the largest threshold ≤ ``value``; 0 below the first step.

    Steps (threshold, bp) (12, 50), (45, 100), (75, 125), (95, 150): 44 → 50, 95 → 150, 11 → 0.
    """
    chain = None
    for threshold, bp in sorted(steps, reverse=True):
        reached = value >= threshold
        chain = (nw.when(reached) if chain is None else chain.when(reached)).then(nw.lit(bp, nw.Int64))
    return nw.lit(0, nw.Int64) if chain is None else chain.otherwise(nw.lit(0, nw.Int64))
