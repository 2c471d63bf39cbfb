"""The budget check, outlook and burn-down (derived from SPEC §6 ``budget_check``), by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import narwhals.stable.v2 as nw
import polars as pl

from engine import Period
from engine.budget import BUDGET_COLUMNS, budget_check, budget_outlook, burn_down, projection_rule
from engine.policy import build_policy

P = Period.parse("2025-10")
POLICY = build_policy({"effective_from": P.first_day})


def test_outlook_by_hand() -> None:
    # October: 3 months left (Oct, Nov, Dec): this run, then 2 payments to come.
    check = pl.DataFrame({
        "level": ["pool", "pool", "account", "account", "city"], "pool_id": ["A", "B", "A", "A", None],
        "account_code": [None, None, TPP1, TPP2, "5.1.01"], "pagu_rp": [1200, 1200, 900, 300, 30],
        "realized_rp": [900, 700, 810, 90, None], "this_run_rp": [120, 100, 36, 84, None],
        "extra_rp": [0, 0, 0, 0, None], "status": ["OK", "OK", "OK", "OK", "OVER"]})
    out = budget_outlook(nw.from_native(check), P).to_native()
    # A: 900 + 120 + 120 × 2 = 1260 > 1200 → WARN; B: 700 + 100 + 200 = 1000 → OK;
    # A's accounts by the same rule, their part of A's 360 by what they have left (90 : 210):
    # 810 + 108 = 918 > 900 and 90 + 252 = 342 > 300 → WARN, adding up to 1260; city over the 30 % cap → FAIL.
    assert out["projected_rp"].to_list() == [1260, 1000, 918, 342, None]
    assert out["status"].to_list() == ["WARN", "OK", "WARN", "WARN", "FAIL"]


def _accounts_and_lines(accounts: list[tuple[str, str, int, int]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(pool_id, account_code, pagu_rp, realized_rp)`` rows as budget accounts, and APBD lines
    (revision 0 of 2025) with their pagu and a belanja of 10^6 in all."""
    frame = pl.DataFrame(accounts, schema=["pool_id", "account_code", "pagu_rp", "realized_rp"], orient="row")
    lines = frame.select(pl.lit(2025).alias("fiscal_year"), pl.lit(0).alias("revision"),
                         pl.lit(dt.date(2025, 1, 1)).alias("effective_date"), pl.col("pool_id").alias("opd_code"),
                         "account_code", "pagu_rp")
    goods = lines.head(1).with_columns(account_code=pl.lit("5.1.02.01.01.0001"),
                                       pagu_rp=pl.lit(10**6 - lines["pagu_rp"].sum(), pl.Int64))
    return frame, pl.concat([lines, goods])


def _check(summary: dict[str, list[Any]], accounts: list[tuple[str, str, int, int]], period: Period,
           backend: str = "polars") -> pl.DataFrame:
    frame, lines = _accounts_and_lines(accounts)
    if backend == "duckdb":
        lazy = [nw.from_native(duckdb.from_arrow(f.to_arrow())) for f in (frame, lines)]
    else:
        lazy = [nw.from_native(f.lazy()) for f in (frame, lines)]
    checked: pl.DataFrame = budget_check(nw.from_native(pl.DataFrame(summary)), lazy[0], lazy[1], period).to_native()
    assert checked.columns == list(BUDGET_COLUMNS)
    return checked


TPP1, TPP2, TPP3 = "5.1.01.02.01.0001", "5.1.01.02.03.0001", "5.1.01.02.05.0001"


def test_a_pools_run_is_split_over_its_accounts_by_what_they_have_left() -> None:
    # October, pool A: account 1 pagu 1000, realized 400 (600 left); account 2 pagu 500, realized
    # 100 (400 left). Pool: 1500 − 500 = 1000 over 3 months → pool_rp 333, paid in full.
    # 333 × 600/1000 = 199.8 and 333 × 400/1000 = 133.2: floors 199 and 133 (332), the leftover
    # Rupiah to the larger remainder (0.8) → 200 and 133, adding up to the pool's 333.
    # Pool B (not in the run) has no rows.
    summary = {"pool_id": ["A"], "pagu_rp": [1500], "realized_rp": [500], "pool_rp": [333], "pay_rp": [333],
               "extra_rp": [0]}
    accounts = [("A", TPP1, 1000, 400), ("A", TPP2, 500, 100), ("B", TPP1, 700, 0)]
    checked = _check(summary, accounts, P)
    rows = checked.filter(pl.col("level") != "city").select("level", "account_code", "this_run_rp", "extra_rp",
                                                            "remaining_rp", "status").rows()
    assert rows == [("pool", None, 333, 0, 667, "OK"), ("account", TPP1, 200, 0, 400, "OK"),
                    ("account", TPP2, 133, 0, 267, "OK")]
    out = budget_outlook(nw.from_native(checked), P).to_native().filter(pl.col("level") != "city")
    # One rule: realized + (this run + this run's pay × 2 payments to come). Pool: 500 + 999 = 1499.
    # The accounts' part of the 999, split as the run (600 : 400): 599.4 and 399.6 → 599 and 400.
    # Account 1: 400 + 599 = 999; account 2: 100 + 400 = 500, its pagu. 999 + 500 = 1499.
    assert out["projected_rp"].to_list() == [1499, 999, 500]
    assert out["status"].to_list() == ["OK", "OK", "OK"]
    # The duckdb backend gives the same rows.
    assert _check(summary, accounts, P, "duckdb").equals(checked)


def test_accounts_with_an_extra_payment_ahead_a_correction_and_one_over_its_pagu() -> None:
    # March: THR paid now, gaji-13 in June still ahead. Pool B: account 1 pagu 2000, realized 200
    # (1800 left); account 2 pagu 1000, realized 700 (300 left); account 3 no pagu, realized 10
    # (over: takes no share). This run, pay 170 + THR 170, split once 1800 : 300 : 0 of 2100:
    # 291.43 / 48.57 / 0 → 291, 49, 0 (split apart, 146 + 146 and 24 + 24 would be 292 and 48:
    # two roundings); the THR alone, shown apart: 145.71 / 24.29 → 146, 24.
    march = Period.parse("2025-03")
    summary = {"pool_id": ["B"], "pagu_rp": [3000], "realized_rp": [910], "pool_rp": [174], "pay_rp": [170],
               "extra_rp": [170]}
    accounts = [("B", TPP1, 2000, 200), ("B", TPP2, 1000, 700), ("B", TPP3, 0, 10)]
    checked = _check(summary, accounts, march)
    assert checked.filter(pl.col("level") != "city").select(
        "this_run_rp", "extra_rp", "remaining_rp", "status").rows() == [
        (340, 170, 1750, "OK"), (291, 146, 1509, "OK"), (49, 24, 251, "OK"), (0, 0, -10, "OVER")]
    # A correction takes 25 back from the pool: what the pool is charged, 340 − 25 = 315, is split
    # once, 270 and 45 exactly; each account's correction is its charge less its this run:
    # 270 − 291 = −21, 45 − 49 = −4, 0.
    corrections = pl.DataFrame({"pool_id": ["B"], "corrections_rp": [-25]})
    out = budget_outlook(nw.from_native(checked), march, nw.from_native(corrections),
                         extra_payments_after=1).to_native().filter(pl.col("level") != "city")
    assert out["corrections_rp"].to_list() == [-25, -21, -4, 0]
    assert out["remaining_rp"].to_list() == [1775, 1530, 255, -10]
    # Payments to come: 9 months after March and gaji-13 = 10. Pool: 910 + (340 + 170 × 10 − 25)
    # = 910 + 2015 = 2925. The accounts' part of the 2015 (1800 : 300 : 0): 1727.14 and 287.86 →
    # 1727 and 288: account 1 200 + 1727 = 1927, account 2 700 + 288 = 988, account 3 10 (over
    # its pagu of 0 already: FAIL).
    assert out["projected_rp"].to_list() == [2925, 1927, 988, 10]
    assert out["status"].to_list() == ["OK", "OK", "OK", "FAIL"]
    accounts_only = out.filter(pl.col("level") == "account")
    pool = out.filter(pl.col("level") == "pool")
    for column in ("this_run_rp", "extra_rp", "corrections_rp", "remaining_rp", "projected_rp"):
        assert accounts_only[column].sum() == pool[column].item(), column
    # Without gaji-13 ahead: 9 payments to come, 170 less for the pool: 910 + 1845 = 2755; its
    # accounts 1581.43 and 263.57 → 1581 and 264.
    out = budget_outlook(nw.from_native(checked), march, nw.from_native(corrections)).to_native()
    assert out["projected_rp"].to_list()[:4] == [2755, 1781, 964, 10]


def test_a_pool_with_nothing_left_in_its_accounts_splits_by_pagu() -> None:
    # Both accounts spent to their pagu (a stale lock paid since): the run 100 is split 3 : 1 by pagu.
    summary = {"pool_id": ["C"], "pagu_rp": [400], "realized_rp": [400], "pool_rp": [0], "pay_rp": [101],
               "extra_rp": [0]}
    checked = _check(summary, [("C", TPP1, 300, 300), ("C", TPP2, 100, 100)], P)
    # 101 × 3/4 = 75.75, 101 × 1/4 = 25.25 → 76 and 25.
    assert checked.filter(pl.col("level") == "account")["this_run_rp"].to_list() == [76, 25]
    assert checked["status"].to_list()[:3] == ["OVER", "OVER", "OVER"]


def test_the_rule_in_words_has_the_periods_numbers() -> None:
    assert projection_rule(P).startswith(
        "projected to December = realized + this run + this month's pay × 2 payments to come (2 months) + correction")
    assert "× 10 payments to come (9 months, 1 extra payment)" in projection_rule(Period.parse("2025-03"), 1)
    assert "× 0 payments to come (0 months)" in projection_rule(Period.parse("2025-12"))


def test_a_binding_pool_leaves_no_account_over_by_a_rounding() -> None:
    # October, pool_rp = floor(1000 / 3) = 333 paid in full; accounts with 2 and 998 left.
    # Their part of the run: 0.666 and 332.334 → floors 0 and 332, the leftover Rupiah to the
    # larger remainder: 1 and 332. That part × 3 would project account 1 to 400 + 3, over its 402;
    # its part of the whole 999 (this run and 2 payments to come), 1.998 → 2, projects it to its
    # pagu exactly, and account 2 to 1000 + 997.
    summary = {"pool_id": ["A"], "pagu_rp": [2400], "realized_rp": [1400], "pool_rp": [333], "pay_rp": [333],
               "extra_rp": [0]}
    checked = _check(summary, [("A", TPP1, 402, 400), ("A", TPP2, 1998, 1000)], P)
    assert checked.filter(pl.col("level") == "account")["this_run_rp"].to_list() == [1, 332]
    out = budget_outlook(nw.from_native(checked), P).to_native().filter(pl.col("level") != "city")
    assert out["projected_rp"].to_list() == [2399, 402, 1997]
    assert out["status"].to_list() == ["OK", "OK", "OK"]


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
        "account_code": [None, None, TPP1, "5.1.01"], "pagu_rp": [1200, 1200, 1200, 30],
        "realized_rp": [900, 700, 900, None], "this_run_rp": [120, 100, 120, None],
        "extra_rp": [0, 0, 0, None], "remaining_rp": [180, 400, 180, None], "status": ["OK", "OK", "OK", "OK"]})
    corrections = pl.DataFrame({"pool_id": ["A", "B"], "corrections_rp": [200, -50]})
    out = budget_outlook(nw.from_native(check), P, nw.from_native(corrections)).to_native()
    # A: 180 − 200 = −20 left: over (FAIL), and so is its one account, which takes all of A's
    # correction; B: 400 + 50; the city row carries none.
    assert out["corrections_rp"].to_list() == [200, -50, 200, None]
    assert out["remaining_rp"].to_list() == [-20, 450, -20, None]
    # Projected: A 900 + 120 + 120 × 2 + 200 = 1460, and its account; B 700 + 100 + 200 − 50 = 950.
    assert out["projected_rp"].to_list() == [1460, 950, 1460, None]
    assert out["status"].to_list() == ["FAIL", "OK", "FAIL", "OK"]


def test_outlook_knows_the_extra_payments_to_come() -> None:
    # March, 10 months left (March to December). This run: pay 100 and its THR 100 (this_run 200);
    # gaji-13 in June still to come: 200 now, then 100 for each of the 9 months after and 100 for
    # gaji-13 → 900 + 200 + 1000 = 2100 > 2000 → WARN. Without it: 900 + 200 + 900 = 2000 → OK.
    march = Period.parse("2025-03")
    check = pl.DataFrame({"level": ["pool"], "pool_id": ["A"], "account_code": [None], "pagu_rp": [2000],
                          "realized_rp": [900],
                          "this_run_rp": [200], "extra_rp": [100], "status": ["OK"]})
    out = budget_outlook(nw.from_native(check), march, extra_payments_after=1).to_native()
    assert (out["projected_rp"].item(), out["status"].item()) == (2100, "WARN")
    out = budget_outlook(nw.from_native(check), march).to_native()
    assert (out["projected_rp"].item(), out["status"].item()) == (2000, "OK")


def test_a_run_that_spends_the_pools_last_rupiah_overdraws_no_account() -> None:
    # Pool A: accounts of pagu 1 and 1, nothing realized; pay 1 and THR 1 spend the last Rupiah.
    # Split apart, each would go 0.5 / 0.5 → the leftover to the smaller code: 1 + 1 on account 1,
    # over its pagu by a Rupiah (a FAIL that blocks the bank file). Split once, 2 → 1 and 1.
    summary = {"pool_id": ["A"], "pagu_rp": [2], "realized_rp": [0], "pool_rp": [2], "pay_rp": [1], "extra_rp": [1]}
    checked = _check(summary, [("A", TPP1, 1, 0), ("A", TPP2, 1, 0)], Period.parse("2025-03"))
    assert checked.filter(pl.col("level") != "city").select("this_run_rp", "remaining_rp", "status").rows() == [
        (2, 0, "OK"), (1, 0, "OK"), (1, 0, "OK")]
