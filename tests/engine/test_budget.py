"""The budget outlook and burn-down (derived from SPEC §6 ``budget_check``), by hand."""

from __future__ import annotations

import narwhals.stable.v2 as nw
import polars as pl

from engine import Period
from engine.budget import budget_outlook, burn_down
from engine.policy import build_policy

P = Period.parse("2025-10")
POLICY = build_policy({"effective_from": P.first_day})


def test_outlook_by_hand() -> None:
    # October: 3 months left (Oct, Nov, Dec), 9 elapsed.
    check = pl.DataFrame({
        "level": ["pool", "pool", "account", "city"], "pool_id": ["A", "B", "A", None],
        "pagu_rp": [1200, 1200, 900, 30], "realized_rp": [900, 700, 810, None], "this_run_rp": [120, 100, None, None],
        "extra_rp": [0, 0, None, None], "status": ["OK", "OK", "OK", "OVER"]})
    out = budget_outlook(nw.from_native(check), P).to_native()
    # A: 900 + 120 × 3 = 1260 > 1200 → WARN; B: 700 + 300 = 1000 → OK;
    # account: 810 + 810 // 9 × 3 = 1080 > 900 → WARN; city over the 30 % cap → FAIL.
    assert out["projected_rp"].to_list() == [1260, 1000, 1080, None]
    assert out["status"].to_list() == ["WARN", "OK", "WARN", "FAIL"]


def test_burn_down_by_hand() -> None:
    tpp = POLICY.tpp_account_prefix
    sp2d = pl.DataFrame({
        "period": ["2025-08", "2025-08", "2025-09", "2025-09", "2025-09", "2024-12", "2025-10"],
        "fiscal_year": [2025, 2025, 2025, 2025, 2025, 2024, 2025],
        "account_code": [tpp + ".1", tpp + ".2", tpp + ".1", "5.2.01", tpp + ".1", tpp + ".1", tpp + ".1"],
        "gross_rp": [100, 50, 200, 999, 7, 1000, 300],
        "status": ["paid", "paid", "paid", "paid", "cancelled", "paid", "paid"]})
    out = burn_down(nw.from_native(sp2d), POLICY, P, gross_rp=400, pagu_rp=2000).to_native()
    # August 150, September 200 (not the goods account, not the cancelled SP2D), last year's and
    # October's own SP2D left out; then this run's 400 as October.
    assert out.rows() == [("2025-08", 150, 2000), ("2025-09", 350, 2000), ("2025-10", 750, 2000)]


def test_a_correction_counts_against_what_remains() -> None:
    check = pl.DataFrame({
        "level": ["pool", "pool", "account", "city"], "pool_id": ["A", "B", "A", None],
        "pagu_rp": [1200, 1200, 900, 30], "realized_rp": [900, 700, 810, None], "this_run_rp": [120, 100, None, None],
        "extra_rp": [0, 0, None, None], "remaining_rp": [180, 400, 90, None], "status": ["OK", "OK", "OK", "OK"]})
    corrections = pl.DataFrame({"pool_id": ["A", "B"], "corrections_rp": [200, -50]})
    out = budget_outlook(nw.from_native(check), P, nw.from_native(corrections)).to_native()
    # A: 180 − 200 = −20 left: over (FAIL); B: 400 + 50; the account and city rows carry none.
    assert out["corrections_rp"].to_list() == [200, -50, None, None]
    assert out["remaining_rp"].to_list() == [-20, 450, 90, None]
    # Projected: A 900 + 120 × 3 + 200 = 1460; B 700 + 100 × 3 − 50 = 950 (within its 1200).
    assert out["projected_rp"].to_list() == [1460, 950, 1080, None]
    assert out["status"].to_list() == ["FAIL", "OK", "WARN", "OK"]


def test_outlook_knows_the_extra_payments_to_come() -> None:
    # March, 10 months left (March to December). This run: pay 100 and its THR 100 (this_run 200);
    # gaji-13 in June still to come: 200 now, then 100 for each of the 9 months after and 100 for
    # gaji-13 → 900 + 200 + 1000 = 2100 > 2000 → WARN. Without it: 900 + 200 + 900 = 2000 → OK.
    march = Period.parse("2025-03")
    check = pl.DataFrame({"level": ["pool"], "pool_id": ["A"], "pagu_rp": [2000], "realized_rp": [900],
                          "this_run_rp": [200], "extra_rp": [100], "status": ["OK"]})
    out = budget_outlook(nw.from_native(check), march, extra_payments_after=1).to_native()
    assert (out["projected_rp"].item(), out["status"].item()) == (2100, "WARN")
    out = budget_outlook(nw.from_native(check), march).to_native()
    assert (out["projected_rp"].item(), out["status"].item()) == (2000, "OK")
