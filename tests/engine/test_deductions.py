"""§4.9 BPJS and PPh 21."""

import narwhals.stable.v2 as nw
import pytest

from engine.deductions import bpjs_rp
from pipelines.month.backends import Backend
from tests.city import NIP_A, base_city, employee, evaluate, policy, register_row


@pytest.mark.parametrize(("salary", "pay", "bp", "expected"), [
    (5_000_000, 7_000_000, 100, 70_000),        # 120,000 − 50,000: capped at Rp 12,000,000
    (11_500_000, 2_000_000, 100, 5_000),        # only the Rp 500,000 under the ceiling
    (11_500_000, 2_000_000, 400, 20_000),
    (13_000_000, 2_000_000, 100, 0),            # salary already above the ceiling
    (1_000_050, 1_000_000, 100, 10_000),        # rhu(20,000.5) − rhu(10,000.5) = 20,001 − 10,001
])
def test_bpjs_only_on_what_tpp_adds_under_the_ceiling(salary, pay, bp, expected, backend: Backend) -> None:
    expr = bpjs_rp(nw.col("salary"), nw.col("pay"), bp, 12_000_000)
    assert evaluate(expr, backend, salary=[salary], pay=[pay]) == [expected]


@pytest.mark.parametrize(("status", "golongan", "rate_bp", "pph21"), [
    ("PNS", "III", 500, 350_000), ("PNS", "IV", 1500, 1_050_000), ("CPNS", "II", 0, 0),
    ("PPPK", "IX", 500, 350_000), ("PPPK", "XIII", 1500, 1_050_000), ("PPPK", "VIII", 0, 0),
])
def test_pph21_final_by_golongan(status: str, golongan: str, rate_bp: int, pph21: int, backend: Backend) -> None:
    # Perfect PNS-like month: pay 7,000,000 (CPNS 5,600,000 at 8000 bp); BPJS 1 % of what TPP adds.
    # PPh 21 = pay × rate: 7,000,000 × 5 % = 350,000, × 15 % = 1,050,000.
    tables = base_city(employees=[employee(NIP_A, status=status, golongan=golongan)])
    row = register_row(tables, backend=backend)
    pay = row["pay_rp"]
    assert row["pph21_rp"] == pay * rate_bp // 10000 == pph21
    assert row["net_rp"] == pay - row["bpjs_employee_rp"] - row["pph21_rp"]


def test_pph21_borne_is_reported_not_deducted(backend: Backend) -> None:
    row = register_row(base_city(), pol=policy(pph21="borne"), backend=backend)
    assert (row["pph21_rp"], row["bpjs_employee_rp"]) == (350_000, 70_000)
    assert row["net_rp"] == 7_000_000 - 70_000
