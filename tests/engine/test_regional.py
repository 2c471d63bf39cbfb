"""§4.11 regional rules, one small city each, the expected register row computed by hand.

February 2025 has 20 working days. Besides the base city's P5 (P = Rp 6,000,000, F = Rp 1,000,000,
kelas 5 at basic Rp 10,000,000) these posts are used:
- ``P10``: kelas 5, bk 6000 + pk 4000 bp → P = Rp 10,000,000, F = 0 (the Banjarmasin case).
- ``S6``: kelas 5, bk 6000 bp → P = Rp 6,000,000, F = 0 (own TPP Rp 6,000,000 at full score).
- ``A10``: kelas 5 like ``P10`` (Rp 10,000,000): an acting post at the same level as ``S6``.
- ``H10``: kelas 9 (basic Rp 20,000,000), bk 5000 bp → Rp 10,000,000: an acting post one level up.
"""

from __future__ import annotations

import datetime as dt

import pytest

from engine import Period
from pipelines.month.backends import Backend
from tests.city import NIP_A, WEEKDAYS, base_city, compute, employee, logs, policy, present, register_row

POSTS = [
    {"position_id": "P5", "opd_code": "1.01.01", "name": "Staf", "kelas": 5, "bk_bp": 4000, "pk_bp": 2000,
     "kk_bp": 1000, "kp_bp": 0, "tb_bp": 0, "pol_bp": 0},
    {"position_id": "P10", "opd_code": "1.01.01", "name": "Analis", "kelas": 5, "bk_bp": 6000, "pk_bp": 4000,
     "kk_bp": 0, "kp_bp": 0, "tb_bp": 0, "pol_bp": 0},
    {"position_id": "S6", "opd_code": "1.01.01", "name": "Kasubag", "kelas": 5, "bk_bp": 6000, "pk_bp": 0,
     "kk_bp": 0, "kp_bp": 0, "tb_bp": 0, "pol_bp": 0},
    {"position_id": "A10", "opd_code": "1.01.01", "name": "Kasubag lain", "kelas": 5, "bk_bp": 6000,
     "pk_bp": 4000, "kk_bp": 0, "kp_bp": 0, "tb_bp": 0, "pol_bp": 0},
    {"position_id": "H10", "opd_code": "1.01.01", "name": "Kabag", "kelas": 9, "bk_bp": 5000, "pk_bp": 0,
     "kk_bp": 0, "kp_bp": 0, "tb_bp": 0, "pol_bp": 0},
]
BANJARMASIN = {"w_discipline_bp": 4000, "w_productivity_bp": 4000, "w_skp_bp": 2000, "target_rule": "monthly",
               "target_minutes_month": 6750, "productivity_rule": "threshold"}


def _city(position: str = "P5", **replace: list[dict]) -> dict:
    return base_city(**{"positions": POSTS, "employees": [employee(NIP_A, position=position)], **replace})


def _away(status: str, days: list[dt.date]) -> list[dict]:
    return [{"nip": NIP_A, "work_date": d, "status": status} for d in days]


def _skp(*rows: tuple[dt.date, str]) -> list[dict]:
    return [{"nip": NIP_A, "period_end": end, "predikat": predikat} for end, predikat in rows]


# --------------------------------------------------------------------------- SKP and the activity gate

def _banjarmasin_city(minutes_logged: str, predikat: str | None) -> dict:
    """P10, 95 % discipline: 10 days 5 minutes late (TL1, 50 bp each → 500 bp). ``full`` logs
    300 + 60 minutes a day (7,200 ≥ 6,750); ``short`` logs 300 (6,000 < 6,750)."""
    attendance = present(NIP_A, WEEKDAYS[:10], check_in=455) + present(NIP_A, WEEKDAYS[10:])
    activity = logs(NIP_A) + (logs(NIP_A, code="K60") if minutes_logged == "full" else [])
    ratings = _skp((dt.date(2024, 9, 30), "sangat_kurang"), (dt.date(2024, 12, 31), predikat or "baik"),
                   (dt.date(2025, 2, 1), "sangat_kurang"))  # 1 Feb is not before the first day of February
    return _city("P10", attendance=attendance, activity_log=activity, skp=ratings if predikat else [])


@pytest.mark.parametrize(("predikat", "expected"), [
    ("baik", 9_800_000),     # 40 % × 9500 + 40 % × 10000 + 20 % × 10000 = 9,800 bp → Rp 9,800,000
    ("kurang", 8_800_000),   # the SKP part halved: 3,800 + 4,000 + 1,000 = 8,800 bp
    (None, 7_800_000),       # no rating: skp_missing_bp 0 → 3,800 + 4,000 = 7,800 bp
])
def test_skp_weight_banjarmasin(predikat: str | None, expected: int, backend: Backend) -> None:
    row = register_row(_banjarmasin_city("full", predikat), pol=policy(**BANJARMASIN), backend=backend)
    assert (row["discipline_bp"], row["minutes"], row["target_minutes"], row["productivity_bp"]) == (
        9500, 7200, 6750, 10000)
    assert (row["score_bp"], row["perf_rp"], row["entitlement_rp"], row["cap_rp"]) == (
        expected // 1000, expected, expected, 10_000_000)


def test_skp_missing_rating_takes_skp_missing_bp(backend: Backend) -> None:
    # skp_missing_bp 5000: 3,800 + 4,000 + 1,000 = 8,800 bp.
    pol = policy(**BANJARMASIN, skp_missing_bp=5000)
    assert register_row(_banjarmasin_city("full", None), pol=pol, backend=backend)["entitlement_rp"] == 8_800_000


def test_activity_gate_zeroes_productivity_and_skp(backend: Backend) -> None:
    # 6,000 minutes < 100 % of 6,750: productivity and SKP 0, discipline alone: 40 % × 9500 = 3,800 bp.
    pol = policy(**BANJARMASIN, activity_gate_pct=100)
    row = register_row(_banjarmasin_city("short", "baik"), pol=pol, backend=backend)
    assert (row["minutes"], row["productivity_bp"], row["score_bp"], row["entitlement_rp"]) == (
        6000, 0, 3800, 3_800_000)
    full = register_row(_banjarmasin_city("full", "baik"), pol=pol, backend=backend)
    assert full["entitlement_rp"] == 9_800_000  # 7,200 minutes pass the gate


@pytest.mark.parametrize(("daily", "productivity"), [(147, 0), (150, 5000)])
def test_activity_gate_edge(daily: int, productivity: int, backend: Backend) -> None:
    # Per-day target 20 × 300 = 6,000; gate 50 % = 3,000 minutes. 20 days × 147 = 2,940 (49 %) is
    # below it; 20 × 150 = 3,000 is not, proportional 5,000 bp.
    catalog = [{"activity_code": "K300", "name": "Kerja", "standard_minutes": daily}]
    row = register_row(_city(catalog=catalog), pol=policy(activity_gate_pct=50), backend=backend)
    assert row["productivity_bp"] == productivity


# --------------------------------------------------------------------------- PLT

def _decree(position: str, start: dt.date) -> dict:
    return {"nip": NIP_A, "position_id": position, "start_date": start, "end_date": None}


@pytest.mark.parametrize(("post", "start", "values", "entitlement"), [
    # Same level, whole month: 6,000,000 + 20 % × 10,000,000 = 8,000,000.
    ("A10", WEEKDAYS[0], {"plt_min_days": 20}, 8_000_000),
    # Same level, the decree covers 15 working days (from the 6th), under a 20-day minimum: 6,000,000.
    ("A10", WEEKDAYS[5], {"plt_min_days": 20}, 6_000_000),
    # ... and without a minimum it counts: 8,000,000.
    ("A10", WEEKDAYS[5], {}, 8_000_000),
    # Higher level (kelas 9 > 5) under higher_post: paid as holder, 10,000,000, no extra.
    ("H10", WEEKDAYS[0], {"plt_rule": "higher_post"}, 10_000_000),
    # The same decree under "extra": 6,000,000 + 2,000,000.
    ("H10", WEEKDAYS[0], {}, 8_000_000),
    # Same level under higher_post: the extra as in §4.5.
    ("A10", WEEKDAYS[0], {"plt_rule": "higher_post"}, 8_000_000),
    # A higher post whose decree is under the minimum does not count either: own 6,000,000.
    ("H10", WEEKDAYS[5], {"plt_rule": "higher_post", "plt_min_days": 20}, 6_000_000),
])
def test_plt_balangan(post: str, start: dt.date, values: dict, entitlement: int, backend: Backend) -> None:
    row = register_row(_city("S6", plt=[_decree(post, start)]), pol=policy(**values), backend=backend)
    assert (row["entitlement_rp"], row["cap_rp"]) == (entitlement, entitlement)  # a perfect month
    assert (row["position_id"], row["kelas"]) == ("S6", 5)  # the register keeps the own post


def test_higher_post_reports_the_acting_posts_components(backend: Backend) -> None:
    row = register_row(_city("S6", plt=[_decree("H10", WEEKDAYS[0])]), pol=policy(plt_rule="higher_post"),
                       backend=backend)
    assert (row["amt_bk"], row["amt_pk"], row["perf_rp"], row["fixed_rp"], row["plt_extra_rp"]) == (
        10_000_000, 0, 10_000_000, 0, 0)


def test_higher_post_ties_go_to_the_largest_kelas_then_amount(backend: Backend) -> None:
    # H10 (kelas 9, Rp 10,000,000) and H12 (kelas 9, bk 6000 → Rp 12,000,000) and H8 (kelas 17
    # would win, but it is only 15 days under a 16-day minimum): H12 is paid, 12,000,000.
    posts = [*POSTS,
             {"position_id": "H12", "opd_code": "1.01.01", "name": "x", "kelas": 9, "bk_bp": 6000, "pk_bp": 0,
              "kk_bp": 0, "kp_bp": 0, "tb_bp": 0, "pol_bp": 0},
             {"position_id": "H8", "opd_code": "1.01.01", "name": "x", "kelas": 17, "bk_bp": 500, "pk_bp": 0,
              "kk_bp": 0, "kp_bp": 0, "tb_bp": 0, "pol_bp": 0}]
    kelas = [{"kelas": 5, "basic_rp": 10_000_000}, {"kelas": 9, "basic_rp": 20_000_000},
             {"kelas": 17, "basic_rp": 90_000_000}]
    decrees = [_decree("H10", WEEKDAYS[0]), _decree("H12", WEEKDAYS[0]), _decree("H8", WEEKDAYS[5])]
    tables = base_city(positions=posts, kelas=kelas, employees=[employee(NIP_A, position="S6")], plt=decrees)
    row = register_row(tables, pol=policy(plt_rule="higher_post", plt_min_days=16), backend=backend)
    assert (row["entitlement_rp"], row["plt_extra_rp"]) == (12_000_000, 0)


def test_plt_min_days_count_only_the_employees_paid_days(backend: Backend) -> None:
    # A whole-month decree, but 6 TB days are unpaid: it covers 14 of the employee's days, under 15.
    # Own post on 14 of 20 days: rhu(6,000,000 × 0.7) = 4,200,000; no PLT extra.
    attendance = [{"nip": NIP_A, "work_date": d, "status": "TB"} for d in WEEKDAYS[:6]] + present(NIP_A, WEEKDAYS[6:])
    tables = _city("S6", plt=[_decree("A10", WEEKDAYS[0])], attendance=attendance)
    row = register_row(tables, pol=policy(unpaid_statuses=["TB"], plt_min_days=15), backend=backend)
    assert (row["active_days"], row["proration_bp"], row["plt_extra_rp"], row["entitlement_rp"]) == (
        14, 7000, 0, 4_200_000)
    row = register_row(tables, pol=policy(unpaid_statuses=["TB"], plt_min_days=14), backend=backend)
    assert (row["plt_extra_rp"], row["entitlement_rp"]) == (2_000_000, 6_200_000)


# --------------------------------------------------------------------------- presence gates

@pytest.mark.parametrize(("present_days", "entitlement"), [
    (4, 0),               # 4 of 20 = 20 % < 25 %: gate 0
    (8, 3_000_000),       # 40 %: gate 5000, e3 6,000,000 → 3,000,000
    (10, 6_000_000),      # 50 %: gate 10000
    (12, 6_000_000),      # 60 %
])
def test_presence_gates_manado(present_days: int, entitlement: int, backend: Backend) -> None:
    # Present on the first days, izin (I, 0 bp) on the others; logs every day: score 10000.
    attendance = present(NIP_A, WEEKDAYS[:present_days]) + [
        {"nip": NIP_A, "work_date": d, "status": "I"} for d in WEEKDAYS[present_days:]]
    pol = policy(presence_gates=[{"min_pct": 50, "bp": 10000}, {"min_pct": 25, "bp": 5000}])
    row = register_row(_city("S6", attendance=attendance), pol=pol, backend=backend)
    assert (row["score_bp"], row["entitlement_rp"], row["cap_rp"]) == (10000, entitlement, 6_000_000)


def test_credit_days_are_present_and_the_plt_extra_is_not_gated(backend: Backend) -> None:
    # 4 H and 6 CT (credit) days of 20 = 50 %; 10 TK-free I days. Gates 60 → 10000 only: below it, e3
    # is 0 but the PLT extra (A10, 2,000,000 at score 10000) is paid.
    attendance = (present(NIP_A, WEEKDAYS[:4]) + _away("CT", WEEKDAYS[4:10]) + _away("I", WEEKDAYS[10:]))
    tables = _city("S6", attendance=attendance, plt=[_decree("A10", WEEKDAYS[0])])
    gated = register_row(tables, pol=policy(presence_gates=[{"min_pct": 60, "bp": 10000}]), backend=backend)
    assert (gated["score_bp"], gated["entitlement_rp"]) == (10000, 2_000_000)
    passed = register_row(tables, pol=policy(presence_gates=[{"min_pct": 50, "bp": 10000}]), backend=backend)
    assert passed["entitlement_rp"] == 8_000_000


# --------------------------------------------------------------------------- unpaid statuses

def test_unpaid_cltn_days_lower_active_days(backend: Backend) -> None:
    # 5 CLTN days (logged anyway, and costing 500 bp each if they counted): active 15 of 20, proration
    # 7500; minutes 15 × 300 of a 4,500 target; no deduction. e2 = rhu(7,000,000 × 0.75) = 5,250,000.
    attendance = [{"nip": NIP_A, "work_date": d, "status": "CLTN"} for d in WEEKDAYS[:5]] + present(NIP_A, WEEKDAYS[5:])
    tables = _city(attendance=attendance)
    pol = policy(unpaid_statuses=["CLTN", "TB"], status_deduction_bp={"CLTN": 500})
    row = register_row(tables, pol=pol, backend=backend)
    assert (row["working_days"], row["active_days"], row["proration_bp"]) == (20, 15, 7500)
    assert (row["minutes"], row["target_minutes"], row["deduction_bp"]) == (4500, 4500, 0)
    assert (row["entitlement_rp"], row["cap_rp"]) == (5_250_000, 5_250_000)
    # Paid, the same days cost 5 × 500 = 2,500 bp: discipline 7500, score 9000, perf 5,400,000.
    paid = register_row(tables, pol=policy(status_deduction_bp={"CLTN": 500}), backend=backend)
    assert (paid["active_days"], paid["minutes"], paid["entitlement_rp"]) == (20, 6000, 6_400_000)


def test_unpaid_wins_over_credit_and_a_day_without_a_row_is_paid(backend: Backend) -> None:
    # TB is a credit status here, but unpaid wins: 2 TB days are not active. 3 days have no row: they
    # stay active and cost TK 300 each (900 bp). Active 18; minutes 15 × 300 on H days of 5,400:
    # productivity 8333; score = floor((4000 × 9100 + 6000 × 8333) / 10000) = 8639.
    attendance = ([{"nip": NIP_A, "work_date": d, "status": "TB"} for d in WEEKDAYS[:2]]
                  + present(NIP_A, WEEKDAYS[5:]))
    pol = policy(unpaid_statuses=["TB"], credit_statuses=["DL", "TB"])
    row = register_row(_city(attendance=attendance, activity_log=logs(NIP_A, WEEKDAYS[5:])), pol=pol, backend=backend)
    assert (row["active_days"], row["minutes"], row["target_minutes"]) == (18, 4500, 5400)
    assert (row["deduction_bp"], row["productivity_bp"], row["score_bp"]) == (900, 8333, 8639)


def test_an_employee_with_every_day_unpaid_is_not_in_the_run(backend: Backend) -> None:
    b = "198502022010012002"
    attendance = [{"nip": NIP_A, "work_date": d, "status": "TB"} for d in WEEKDAYS] + present(b)
    tables = base_city(employees=[employee(NIP_A), employee(b)], attendance=attendance)
    reg = compute(tables, policy(unpaid_statuses=["TB"]), backend).pay_register
    assert reg["nip"].to_list() == [b]


# --------------------------------------------------------------------------- monthly target

def test_monthly_target_in_proportion_to_active_days(backend: Backend) -> None:
    # Joins 17 Feb: 10 of 20 days. Target floor(6,750 × 10 / 20) = 3,375; 10 × 300 = 3,000 minutes →
    # floor(30,000,000 / 3,375) = 8,888 bp; score floor((40,000,000 + 53,328,000) / 10000) = 9,332;
    # perf rhu(6,000,000 × 0.9332) = 5,599,200; (5,599,200 + 1,000,000) × 0.5 = 3,299,600.
    days = WEEKDAYS[10:]
    tables = _city(employees=[employee(NIP_A, start=dt.date(2025, 2, 17))], attendance=present(NIP_A, days),
                   activity_log=logs(NIP_A, days))
    row = register_row(tables, pol=policy(target_rule="monthly"), backend=backend)
    assert (row["target_minutes"], row["productivity_bp"], row["score_bp"]) == (3375, 8888, 9332)
    assert (row["perf_rp"], row["entitlement_rp"]) == (5_599_200, 3_299_600)
    per_day = register_row(tables, pol=policy(), backend=backend)  # 10 × 300 = 3,000: all of it
    assert (per_day["target_minutes"], per_day["productivity_bp"]) == (3000, 10000)


# --------------------------------------------------------------------------- December in full

DECEMBER = Period(2025, 12)


def test_december_full_pays_the_ceiling(backend: Backend) -> None:
    # December 2025: 23 weekdays, no attendance, no log: deductions 23 × 300 = 6,900 bp, discipline
    # 3,100, productivity 0, score 1,240. In full: score 10000, no presence gate, 7,000,000.
    tables = base_city(attendance=[], activity_log=[])
    gates = [{"min_pct": 50, "bp": 10000}]
    plain = register_row(tables, pol=policy(presence_gates=gates), backend=backend, period=DECEMBER)
    assert (plain["deduction_bp"], plain["score_bp"], plain["entitlement_rp"]) == (6900, 1240, 0)
    full = register_row(tables, pol=policy(presence_gates=gates, december_full=True), backend=backend,
                        period=DECEMBER)
    assert (full["productivity_bp"], full["score_bp"], full["entitlement_rp"], full["cap_rp"]) == (
        0, 10000, 7_000_000, 7_000_000)


def test_december_full_changes_no_other_month(backend: Backend) -> None:
    tables = _city(attendance=present(NIP_A, WEEKDAYS[:10]))  # 10 days without a row: 3,000 bp
    assert (register_row(tables, pol=policy(december_full=True), backend=backend)
            == register_row(tables, pol=policy(), backend=backend))
