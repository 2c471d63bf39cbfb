"""§4.3 productivity and §4.8 e-Project activities, computed by hand on the base city.

Base: 20 days, 300 logged minutes a day, target 20 × 300 = 6,000 minutes.
"""

import datetime as dt

import narwhals.stable.v2 as nw
import pytest

from engine.productivity import productivity_bp
from pipelines.month.backends import Backend
from tests.city import NIP_A, WEEKDAYS, base_city, evaluate, logs, policy, present, register_row

D10, D11 = dt.date(2025, 2, 10), dt.date(2025, 2, 11)


def test_daily_cap(backend: Backend) -> None:
    # 2 × 300 = 600 a day, capped at 420 → 20 × 420 = 8,400 minutes; productivity capped at 10000.
    row = register_row(base_city(activity_log=logs(NIP_A, quantity=2)), backend=backend)
    assert (row["minutes"], row["productivity_bp"]) == (8400, 10000)


def test_credit_days_count_the_credit_not_their_logs(backend: Backend) -> None:
    # 5 DL days at a 250-minute credit + 15 days × 300 logged = 5,750 → floor(10000 × 5750 / 6000) = 9583.
    dl = [{"nip": NIP_A, "work_date": d, "status": "DL", "check_in": None, "check_out": None}
          for d in WEEKDAYS[:5]]
    tables = base_city(attendance=dl + present(NIP_A, WEEKDAYS[5:]), activity_log=logs(NIP_A, quantity=2))
    row = register_row(tables, pol=policy(credit_minutes_per_day=250, daily_cap_minutes=300), backend=backend)
    assert (row["minutes"], row["productivity_bp"]) == (5750, 9583)


def test_only_approved_logs_on_days_count(backend: Backend) -> None:
    saturday = dt.date(2025, 2, 8)
    rows = (logs(NIP_A, WEEKDAYS[:10]) + logs(NIP_A, WEEKDAYS[10:], status="submitted")
            + logs(NIP_A, [saturday], code="K60"))
    row = register_row(base_city(activity_log=rows), backend=backend)
    # 10 approved days × 300 = 3,000 of 6,000 → 5000 bp; the Saturday log and submitted ones don't count.
    assert (row["minutes"], row["productivity_bp"]) == (3000, 5000)


def test_days_without_attendance_count_their_logs(backend: Backend) -> None:
    row = register_row(base_city(attendance=present(NIP_A, WEEKDAYS[1:])), backend=backend)
    assert row["minutes"] == 6000  # the missing day is TK for discipline but its log counts


RULE_CASES = [
    # (rule, minutes, target, expected bp)
    ("proportional", 4330, 6480, 6682),   # floor(43,300,000 / 6,480) = 6,682
    ("proportional", 7000, 6000, 10000),  # capped
    ("threshold", 5999, 6000, 0),
    ("threshold", 6000, 6000, 10000),
    ("tiered", 4800, 6000, 8000),         # 480,000 ≥ 80 × 6,000
    ("tiered", 4799, 6000, 7000),         # 479,900 < 480,000 but ≥ 70 × 6,000
    ("tiered", 2999, 6000, 0),            # below 50 %
    ("tiered", 6000, 6000, 10000),
]


@pytest.mark.parametrize(("rule", "minutes", "target", "expected"), RULE_CASES)
def test_productivity_rules(rule: str, minutes: int, target: int, expected: int, backend: Backend) -> None:
    expr = productivity_bp(nw.col("minutes"), nw.col("target"), policy(productivity_rule=rule))
    assert evaluate(expr, backend, minutes=[minutes], target=[target]) == [expected]


def test_tiers_in_any_order_and_unreached_is_zero(backend: Backend) -> None:
    tiers = [{"min_pct_of_target": 110, "bp": 10000}, {"min_pct_of_target": 60, "bp": 4000},
             {"min_pct_of_target": 100, "bp": 9000}]
    pol = policy(productivity_rule="tiered", productivity_tiers=tiers)
    row = register_row(base_city(), pol=pol, backend=backend)
    assert row["productivity_bp"] == 9000  # exactly 100 %: tier 100 reached, 110 not


def _eproject(**extra: list[dict]) -> dict:
    # Package PKG1: NIP_A is PPK; its KONTRAK milestone completes Monday 10 Feb → one EPR (120 min).
    # The day's own 300-minute log is removed so the cap does not hide anything.
    base = {
        "packages": [{"package_id": "PKG1", "fiscal_year": 2025, "opd_code": "1.01.01", "name": "x",
                      "value_rp": 1, "start_date": dt.date(2025, 1, 1)}],
        "assignments": [{"package_id": "PKG1", "nip": NIP_A, "role": "PPK"}],
        "milestones": [{"package_id": "PKG1", "milestone_code": "KONTRAK", "completed_date": D10}],
        "activity_map": [{"role": "PPK", "milestone_code": "KONTRAK", "activity_code": "EPR"}],
        "activity_log": [r for r in logs(NIP_A) if r["work_date"] != D10],
    }
    base.update(extra)
    return base_city(**base)


def test_eproject_milestone_generates_an_activity(backend: Backend) -> None:
    assert register_row(_eproject(), backend=backend)["minutes"] == 19 * 300 + 120


def test_eproject_activity_dropped_when_logged_with_the_package_ref(backend: Backend) -> None:
    own = logs(NIP_A, [D10], code="EPR", ref="PKG1", prefix="x")
    rows = [r for r in logs(NIP_A) if r["work_date"] != D10] + own
    assert register_row(_eproject(activity_log=rows), backend=backend)["minutes"] == 19 * 300 + 120


@pytest.mark.parametrize(("day", "ref"), [(D10, None), (D11, "PKG1")])
def test_eproject_activity_kept_when_log_lacks_ref_or_is_another_day(day, ref, backend: Backend) -> None:
    own = logs(NIP_A, [day], code="EPR", ref=ref, prefix="x")
    rows = [r for r in logs(NIP_A) if r["work_date"] != D10] + own
    # generated 120 + logged 120 (on D10, or on D11 next to its 300: 420, within the cap)
    assert register_row(_eproject(activity_log=rows), backend=backend)["minutes"] == 19 * 300 + 240


def test_eproject_milestone_on_a_weekend_or_other_month_is_not_counted(backend: Backend) -> None:
    for completed in (dt.date(2025, 2, 8), dt.date(2025, 1, 31)):
        tables = _eproject(milestones=[{"package_id": "PKG1", "milestone_code": "KONTRAK",
                                        "completed_date": completed}])
        assert register_row(tables, backend=backend)["minutes"] == 19 * 300


def test_approved_entries_carry_their_minutes_and_only_approved_count() -> None:
    import narwhals.stable.v2 as nw
    import polars as pl

    from engine.productivity import approved_entries, over_daily_cap

    log = pl.DataFrame({"log_id": ["1", "2", "3", "4"], "activity_code": ["A", "A", "B", "B"],
                        "quantity": [3, 1, 2, 1], "status": ["approved", "submitted", "approved", "rejected"]})
    catalog = pl.DataFrame({"activity_code": ["A", "B"], "standard_minutes": [30, 45]})
    out = approved_entries(nw.from_native(log.lazy()), nw.from_native(catalog.lazy())).collect("polars").to_native()
    assert sorted(out.select("log_id", "minutes").rows()) == [("1", 90), ("3", 90)]  # 3 × 30, 2 × 45
    days = pl.DataFrame({"logged_minutes": [420, 421, None]})
    capped = nw.from_native(days).select(over_daily_cap(policy(daily_cap_minutes=420)).alias("over")).to_native()
    assert capped["over"].to_list() == [False, True, None]
