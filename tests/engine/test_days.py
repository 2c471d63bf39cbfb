"""§4.1 working days, active days, proration. February 2025 has 20 weekdays (3–28 Feb)."""

import datetime as dt

from pipelines.month.backends import Backend
from tests.city import NIP_A, NIP_B, WEEKDAYS, base_city, compute, employee, logs, present, register_row


def test_holiday_is_not_a_working_day(backend: Backend) -> None:
    # Friday 14 Feb a holiday: 19 working days; its log and attendance no longer count.
    tables = base_city(calendar=[{"date": dt.date(2025, 2, 14), "kind": "holiday"}])
    row = register_row(tables, backend=backend)
    assert (row["working_days"], row["active_days"], row["proration_bp"]) == (19, 19, 10000)
    assert (row["minutes"], row["target_minutes"]) == (19 * 300, 19 * 300)


def test_mid_month_joiner_is_prorated(backend: Backend) -> None:
    # Joins Monday 17 Feb: active 17–28 Feb = 10 of 20 days → floor(10000 × 10 / 20) = 5000 bp.
    days_b = [d for d in WEEKDAYS if d >= dt.date(2025, 2, 17)]
    tables = base_city(
        employees=[employee(NIP_A), employee(NIP_B, start=dt.date(2025, 2, 17))],
        attendance=present(NIP_A) + present(NIP_B, days_b),
        activity_log=logs(NIP_A) + logs(NIP_B, days_b),
    )
    row = register_row(tables, NIP_B, backend=backend)
    assert (row["active_days"], row["proration_bp"], row["target_minutes"]) == (10, 5000, 3000)
    # Perfect days: 7,000,000 × 5000 bp = 3,500,000.
    assert row["entitlement_rp"] == 3_500_000


def test_leaver_proration_floors(backend: Backend) -> None:
    # Leaves Wednesday 5 Feb: active 3, 4, 5 Feb = 3 days → floor(30000 / 20) = 1500 bp.
    tables = base_city(employees=[employee(NIP_A, end=dt.date(2025, 2, 5))])
    row = register_row(tables, backend=backend)
    assert (row["active_days"], row["proration_bp"]) == (3, 1500)
    assert row["minutes"] == 900  # only the logs of active days


def test_proration_floors_a_share_that_is_not_whole(backend: Backend) -> None:
    # Friday 14 Feb a holiday (19 working days) and a leaver on Wednesday 5 Feb: 3 active days →
    # floor(30000 / 19) = floor(1578.9) = 1578 bp, not 1579 (the 20-day cases above divide exactly).
    tables = base_city(employees=[employee(NIP_A, end=dt.date(2025, 2, 5))],
                       calendar=[{"date": dt.date(2025, 2, 14), "kind": "holiday"}])
    row = register_row(tables, backend=backend)
    assert (row["working_days"], row["active_days"], row["proration_bp"]) == (19, 3, 1578)


def test_employee_without_active_day_is_not_in_the_run(backend: Backend) -> None:
    tables = base_city(employees=[employee(NIP_A), employee(NIP_B, start=dt.date(2025, 3, 1)),
                                  employee("197001012000011009", end=dt.date(2025, 1, 31))])
    assert compute(tables, backend=backend).pay_register["nip"].to_list() == [NIP_A]
