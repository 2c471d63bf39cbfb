"""Allocation of each pool to whole Rupiah (SPEC §4.7).

Both modes are closed-form passes over a frame with one row per employee and the columns
``pool_id, nip, pool_rp, entitlement_rp, cap_rp``; they add ``pay_rp, binding, lambda``.
Products that can exceed Int64 (entitlement × pool) are computed in Int128. Whole Rupiah come
from the exact quotient and remainder of each share: the floor to everyone, then the leftover
Rupiah one each to the largest remainders, ties to the smaller NIP.
"""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw

from engine.money import exact_floor_div
from engine.policy import Allocation, Policy

_BIG = nw.Int128
_POOL = "pool_id"


def allocate(employees: nw.LazyFrame[Any], policy: Policy) -> nw.LazyFrame[Any]:
    """Add ``pay_rp``, ``binding`` and ``lambda`` by the policy's allocation mode."""
    if policy.allocation is Allocation.SCALE:
        return allocate_scale(employees)
    return allocate_share(employees)


def allocate_scale(employees: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """``scale``: when Σ entitlement E exceeds the pool T, pay ``entitlement × T / E``.

    Pool Rp 100 over entitlements 60 and 90 (E = 150): shares 40 and 60 exactly. Over 50, 50
    and 50 with pool Rp 100: 33⅓ each → 33, 33, 33 and the one leftover Rupiah to the
    smallest NIP (equal remainders).
    """
    ent = nw.col("entitlement_rp")
    frame = employees.with_columns(total_entitlement=ent.sum().over(_POOL)).with_columns(
        binding=nw.col("total_entitlement") > nw.col("pool_rp"),
        target=nw.min_horizontal(nw.col("pool_rp"), nw.col("total_entitlement")),
    )
    # Not binding: target = E, so each share is exactly the entitlement.
    divisor = nw.when(nw.col("total_entitlement") > 0).then(nw.col("total_entitlement")).otherwise(1).cast(_BIG)
    numerator = ent.cast(_BIG) * nw.col("target").cast(_BIG)
    frame = frame.with_columns(share_floor=exact_floor_div(numerator, divisor), share_rem=numerator % divisor)
    lam = (nw.col("pool_rp").cast(nw.Float64) / nw.col("total_entitlement").cast(nw.Float64))
    return _largest_remainder(frame, target=nw.col("target")).with_columns(
        **{"lambda": nw.when(nw.col("binding")).then(lam).otherwise(nw.lit(1.0, nw.Float64))},
    ).drop("total_entitlement", "target")


def allocate_share(employees: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """``share``: water-fill ``min(cap, λ × entitlement)`` to ``T = min(pool, Σ cap)``.

    Employees are taken in order of ``cap / entitlement`` (the λ at which each saturates).
    Employee j saturates when the total at λ = cap_j/ent_j is still ≤ T; in integers:
    ``Σcap(≤j) × ent_j + cap_j × Σent(>j) ≤ T × ent_j``. The others share ``N = T − Σ cap of
    the saturated`` in proportion to entitlement (``λ = N / D``, ``D = Σ their entitlement``),
    so every share is an exact fraction and ties never depend on a float.
    Pool Rp 150, (ent, cap) = (50, 60), (50, 100): λ = 1.5 would give 75 and 75, but the first
    saturates at 60, so the second gets 90 (λ = 1.8).
    """
    ent, cap = nw.col("entitlement_rp"), nw.col("cap_rp")
    paid = ent > 0
    frame = employees.with_columns(
        share_ent=nw.when(paid).then(ent).otherwise(0).cast(_BIG),
        share_cap=nw.when(paid).then(cap).otherwise(0).cast(_BIG),
        saturation=nw.when(paid).then(cap.cast(nw.Float64) / ent.cast(nw.Float64)).otherwise(1e300),
    )
    order = ["saturation", "nip"]
    frame = frame.with_columns(
        cum_cap=nw.col("share_cap").cum_sum().over(_POOL, order_by=order).cast(_BIG),
        cum_ent=nw.col("share_ent").cum_sum().over(_POOL, order_by=order).cast(_BIG),
        total_cap=nw.col("share_cap").sum().over(_POOL).cast(_BIG),
        total_ent=nw.col("share_ent").sum().over(_POOL).cast(_BIG),
    ).with_columns(
        binding=nw.col("pool_rp") < nw.col("total_cap"),
        target=nw.min_horizontal(nw.col("pool_rp").cast(_BIG), nw.col("total_cap")),
    )
    at_own_lambda = nw.col("cum_cap") * nw.col("share_ent") + nw.col("share_cap") * (
        nw.col("total_ent") - nw.col("cum_ent"))
    frame = frame.with_columns(
        saturated=paid & (at_own_lambda <= nw.col("target") * nw.col("share_ent"))
    )
    open_ = paid & ~nw.col("saturated")
    frame = frame.with_columns(
        rest=(nw.col("target") - nw.when(nw.col("saturated")).then(nw.col("share_cap")).otherwise(0)
              .sum().over(_POOL)).cast(_BIG),
        rest_ent=nw.when(open_).then(nw.col("share_ent")).otherwise(0).sum().over(_POOL).cast(_BIG),
        max_saturation=nw.when(paid).then(nw.col("saturation")).otherwise(None).max().over(_POOL),
    )
    divisor = nw.when(nw.col("rest_ent") > 0).then(nw.col("rest_ent")).otherwise(1).cast(_BIG)
    numerator = nw.col("share_ent") * nw.col("rest")
    frame = frame.with_columns(
        share_floor=nw.when(nw.col("saturated")).then(nw.col("share_cap"))
        .when(open_).then(exact_floor_div(numerator, divisor)).otherwise(0).cast(_BIG),
        share_rem=nw.when(open_).then(numerator % divisor).otherwise(0).cast(_BIG),
    )
    lam = nw.when(nw.col("rest_ent") > 0).then(
        nw.col("rest").cast(nw.Float64) / nw.col("rest_ent").cast(nw.Float64)
    ).otherwise(nw.col("max_saturation").fill_null(1.0))
    return _largest_remainder(frame, target=nw.col("target")).with_columns(
        **{"lambda": lam}
    ).drop("share_ent", "share_cap", "saturation", "cum_cap", "cum_ent", "total_cap", "total_ent",
           "target", "saturated", "rest", "rest_ent", "max_saturation")


def _largest_remainder(frame: nw.LazyFrame[Any], target: nw.Expr) -> nw.LazyFrame[Any]:
    """``pay_rp`` = ``share_floor`` + 1 for the ``target − Σ share_floor`` largest ``share_rem``."""
    frame = frame.with_columns(
        leftover=(target.cast(_BIG) - nw.col("share_floor").sum().over(_POOL).cast(_BIG)),
        rem_desc=nw.lit(0, _BIG) - nw.col("share_rem"),
        one=nw.lit(1, nw.Int64),
    ).with_columns(rank_in_pool=nw.col("one").cum_sum().over(_POOL, order_by=["rem_desc", "nip"]))
    bonus = nw.when(nw.col("rank_in_pool").cast(_BIG) <= nw.col("leftover")).then(1).otherwise(0)
    return frame.with_columns(pay_rp=(nw.col("share_floor") + bonus).cast(nw.Int64)).drop(
        "leftover", "rem_desc", "one", "rank_in_pool", "share_floor", "share_rem"
    )
