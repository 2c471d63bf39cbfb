"""A correction pays the recomputed employees at their pool's locked rate (docs/decisions.md)."""

from __future__ import annotations

import narwhals.stable.v2 as nw
import polars as pl

from engine.correction import corrected_pay, locked_rates
from tests.city import PERIOD, policy

SALARY = {"salary_rp": 3_000_000, "status": "PNS", "golongan": "III"}


def _rates(allocation: str, register: list[tuple[str, int, int, int]], pools: list[tuple[str, int, int, bool]]):
    reg = pl.DataFrame(register, schema=["pool_id", "entitlement_rp", "cap_rp", "pay_rp"], orient="row")
    summary = pl.DataFrame(pools, schema=["pool_id", "pool_rp", "entitlement_rp", "binding"], orient="row")
    return locked_rates(nw.from_native(reg), nw.from_native(summary), policy(allocation=allocation))


def _pay(allocation: str, rates, rows: list[tuple[str, int, int, int]]) -> list[int]:
    now = pl.DataFrame(rows, schema=["pool_id", "entitlement_rp", "cap_rp", "pay_rp"], orient="row").with_columns(
        **{k: pl.lit(v) for k, v in SALARY.items()}, bpjs_employee_rp=0, bpjs_employer_rp=0, pph21_rp=0, net_rp=0)
    out = corrected_pay(nw.from_native(now), rates, policy(allocation=allocation), PERIOD).to_native()
    return out["pay_rp"].to_list()


def test_scale_pays_the_locked_fraction_floored() -> None:
    # Locked: pool 100 over entitlements 60 and 90 (E = 150) → rate 100/150. A corrected
    # entitlement of 1,000 → floor(666.67) = 666; an unbound pool B pays the entitlement.
    rates = _rates("scale", [("A", 60, 80, 40), ("A", 90, 100, 60), ("B", 10, 10, 10)],
                   [("A", 100, 150, True), ("B", 500, 10, False)])
    assert _pay("scale", rates, [("A", 1000, 2000, 0), ("B", 70, 90, 0)]) == [666, 70]


def test_share_pays_the_locked_lambda_within_the_cap() -> None:
    # Locked: pool 150 over (ent, cap) (50, 60) and (50, 100), paid 60 and 90. λ = 90/50 from the
    # one paid below its cap. Corrected (40, 100) → floor(72) = 72; (40, 50) → its cap 50; a pool
    # that did not bind pays the cap; a pool the locked run did not pay keeps today's pay (33).
    rates = _rates("share", [("A", 50, 60, 60), ("A", 50, 100, 90), ("B", 10, 20, 20)],
                   [("A", 150, 100, True), ("B", 500, 10, False)])
    assert _pay("share", rates, [("A", 40, 100, 0), ("A", 40, 50, 0), ("B", 5, 30, 0), ("C", 40, 50, 33)]) == [
        72, 50, 30, 33]


def test_deductions_follow_the_corrected_pay() -> None:
    rates = _rates("scale", [("A", 60, 80, 40)], [("A", 100, 150, True)])
    now = pl.DataFrame({"pool_id": ["A"], "entitlement_rp": [1_500_000], "cap_rp": [2_000_000], "pay_rp": [0],
                        "bpjs_employee_rp": [0], "bpjs_employer_rp": [0], "pph21_rp": [0], "net_rp": [0],
                        **{k: [v] for k, v in SALARY.items()}})
    row = corrected_pay(nw.from_native(now), rates, policy(allocation="scale"), PERIOD).to_native().row(0, named=True)
    # 1,500,000 × 100/150 = 1,000,000; BPJS 1 % of it (under the ceiling); PPh 21 III 5 %: 50,000.
    assert (row["pay_rp"], row["bpjs_employee_rp"], row["pph21_rp"]) == (1_000_000, 10_000, 50_000)
    assert row["net_rp"] == 940_000


def test_an_employee_whose_entitlement_did_not_change_keeps_the_pay_paid() -> None:
    # Late logs of someone already at the cap: entitlement unchanged, so the locked pay (which got
    # a leftover Rupiah: 667, not the floor 666) stands; another employee's changed entitlement
    # is paid at the rate.
    rates = _rates("scale", [("A", 60, 80, 40), ("A", 90, 100, 60)], [("A", 100, 150, True)])
    nips = ["1" * 18, "2" * 18]
    now = pl.DataFrame({"nip": nips, "pool_id": ["A", "A"], "status": ["PNS", "PNS"],
                        "entitlement_rp": [1000, 1200], "cap_rp": [2000, 2000], "pay_rp": [0, 0],
                        "bpjs_employee_rp": [0, 0], "bpjs_employer_rp": [0, 0], "pph21_rp": [0, 0], "net_rp": [0, 0],
                        "salary_rp": [3_000_000] * 2, "golongan": ["III"] * 2})
    paid = pl.DataFrame({"nip": nips, "pool_id": ["A", "A"], "status": ["PNS", "PNS"],
                         "entitlement_rp": [1000, 1000], "cap_rp": [2000, 2000], "pay_rp": [667, 667]})
    out = corrected_pay(nw.from_native(now), rates, policy(allocation="scale"), PERIOD,
                        nw.from_native(paid)).to_native()
    assert dict(out.select("nip", "pay_rp").iter_rows()) == {nips[0]: 667, nips[1]: 800}
