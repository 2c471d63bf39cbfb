"""A correction (rapel) of a locked month: who is recomputed and at what rate (docs/decisions.md).

Late data changes some employees' entitlement. Their pay is recomputed at the rate the locked
run paid their pool, never above their cap; everyone else keeps the pay that was locked, so a
colleague's late approval never claws a few Rupiah back from thousands of people.

- ``scale``: the locked pool paid ``entitlement × T / E`` (T the pool paid out, E its Σ
  entitlement); a corrected employee gets ``floor(entitlement × T / E)``, and their entitlement
  when the pool did not bind.
- ``share``: the locked pool paid ``min(cap, λ × entitlement)``; λ is exactly Σ pay / Σ
  entitlement of the members paid below their cap; a corrected employee gets
  ``min(cap, floor(entitlement × λ))``, and their cap when the pool did not bind.
"""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw

from engine.deductions import with_deductions
from engine.money import exact_floor_div
from engine.period import Period
from engine.policy import Allocation, Policy
from engine.pph21 import TER_SCHEMA, ter_table
from engine.run import POOL_COLUMNS

_BIG = nw.Int128


def locked_rates(register: nw.DataFrame[Any], pools: nw.DataFrame[Any], policy: Policy) -> nw.DataFrame[Any]:
    """``pool_id, binding, rate_num, rate_den``: the fraction of an entitlement the locked run
    paid in each pool (1/1 where it did not bind).

    Scale, pool Rp 100 over entitlements 60 and 90 (E = 150): 100/150. Share, pool Rp 150 over
    (ent, cap) (50, 60) and (50, 100), paid 60 and 90: only the second is below its cap, so
    λ = 90/50.
    """
    if policy.allocation is Allocation.SCALE:
        fraction = pools.select("pool_id", "binding", nw.col("pool_rp").alias("rate_num"),
                                nw.col("entitlement_rp").alias("rate_den"))
    else:
        below_cap = register.filter(nw.col("entitlement_rp") > 0, nw.col("pay_rp") < nw.col("cap_rp"))
        fraction = pools.select("pool_id", "binding").join(
            below_cap.group_by("pool_id").agg(nw.col("pay_rp").sum().alias("rate_num"),
                                              nw.col("entitlement_rp").sum().alias("rate_den")),
            on="pool_id", how="left")
    paid_in_full = ~nw.col("binding") | nw.col("rate_den").is_null() | (nw.col("rate_den") == 0)
    return fraction.select(
        "pool_id", "binding",
        nw.when(paid_in_full).then(1).otherwise(nw.col("rate_num")).cast(nw.Int64).alias("rate_num"),
        nw.when(paid_in_full).then(1).otherwise(nw.col("rate_den")).cast(nw.Int64).alias("rate_den"))


def corrected_pay(now: nw.DataFrame[Any], rates: nw.DataFrame[Any], policy: Policy, period: Period,
                  paid: nw.DataFrame[Any] | None = None, basis: nw.DataFrame[Any] | None = None) -> nw.DataFrame[Any]:
    """``now`` (register rows recomputed on today's inputs, with the input ``salary_rp`` and
    ``golongan``) paid at its pools' locked ``rates``, with the extra payment, BPJS, PPh 21 and
    net recomputed on that pay: under TER from ``basis`` (:func:`engine.pph21.tax_basis`).

    Entitlement Rp 1,000 at 100/150 → Rp 666 (the floor: a correction pays whole Rupiah and has
    no leftover to share). A row of a pool the locked run did not pay keeps the pay ``now`` has.
    An employee of ``paid`` (``nip, pool_id, status, entitlement_rp, cap_rp, pay_rp`` as paid
    before) whose entitlement, cap, pool and status did not change keeps the pay paid: only their
    deductions follow today's salary and golongan.
    """
    share = policy.allocation is Allocation.SHARE
    at_rate = exact_floor_div(nw.col("entitlement_rp").cast(_BIG) * nw.col("rate_num").cast(_BIG),
                              nw.col("rate_den").cast(_BIG))
    full = nw.col("cap_rp") if share else nw.col("entitlement_rp")
    bound = nw.min_horizontal(at_rate, nw.col("cap_rp").cast(_BIG)) if share else at_rate
    pay = nw.when(nw.col("binding").is_null()).then(nw.col("pay_rp")).otherwise(
        nw.when(nw.col("binding")).then(bound).otherwise(full))
    rated = (now.drop("extra_kind", "extra_rp", "bpjs_employee_rp", "bpjs_employer_rp", "pph21_rp", "net_rp",
                      strict=False)
             .join(rates, on="pool_id", how="left").with_columns(pay_rp=pay.cast(nw.Int64)))
    if paid is not None:
        same = ["nip", "pool_id", "status", "entitlement_rp", "cap_rp"]
        rated = rated.join(paid.select(*same, nw.col("pay_rp").alias("paid_rp")), on=same, how="left").with_columns(
            pay_rp=nw.coalesce("paid_rp", "pay_rp")).drop("paid_rp")
    if policy.pph21.ter:
        if basis is None:
            raise ValueError("a correction under TER needs each employee's tax basis (engine.pph21.tax_basis)")
        rated = rated.join(basis, on="nip", how="left")
    ter_rates = nw.from_dict(ter_table(), schema=TER_SCHEMA, backend=rated.implementation).lazy()
    deducted = with_deductions(rated.lazy(), policy, period, ter_rates).collect()
    return deducted.drop("binding", "rate_num", "rate_den", *(c for c in deducted.columns if c.startswith("ytd_")
                                                              or c == "last_month"))


def corrected_pools(register: nw.DataFrame[Any], locked: nw.DataFrame[Any],
                    now: nw.DataFrame[Any]) -> nw.DataFrame[Any]:
    """The pool summary of a corrected register: each pool's budget and allocation as locked
    (as computed today for a pool the locked run did not pay), its members' sums as corrected."""
    facts = ["pool_id", "pagu_rp", "realized_rp", "pool_rp", "binding", "lambda"]
    budgets = nw.concat([locked.select(facts), now.select(facts).join(locked.select("pool_id"), on="pool_id",
                                                                       how="anti")])
    sums = register.group_by("pool_id").agg(
        nw.col("entitlement_rp").sum(), nw.col("cap_rp").sum(), nw.col("pay_rp").sum(), nw.col("extra_rp").sum())
    return budgets.join(sums, on="pool_id").select(*POOL_COLUMNS).with_columns(
        *(nw.col(c).cast(nw.Int64) for c in POOL_COLUMNS if c.endswith("_rp"))).sort("pool_id")
