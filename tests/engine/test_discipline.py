"""§4.4 discipline, with the default schedule 07:30–16:00 (450–960 minutes of the day)."""

import datetime as dt

from pipelines.month.backends import Backend
from tests.city import NIP_A, WEEKDAYS, base_city, policy, present, register_row


def _day(day: dt.date, status: str = "H", check_in: int | None = 450, check_out: int | None = 960) -> dict:
    return {"nip": NIP_A, "work_date": day, "status": status, "check_in": check_in, "check_out": check_out}


def test_every_kind_of_day(backend: Backend) -> None:
    d = WEEKDAYS
    special = [
        _day(d[0], check_in=470),          # 20 min late → TL1 50
        _day(d[1], check_in=495),          # 45 late → TL2 100
        _day(d[2], check_in=525),          # 75 late → TL3 125
        _day(d[3], check_in=545),          # 95 late → TL4 150
        _day(d[4], check_out=900),         # 60 early → PSW2 100 (band 31–60)
        _day(d[5], check_in=None),         # missing check-in → last band 150
        _day(d[6], check_in=None, check_out=None),  # both missing → 150 twice = 300
        # d[7]: no row at all → TK 300
        _day(d[8], status="S", check_in=None, check_out=None),  # sick: 0 by default
        _day(d[9], check_in=450),          # exactly on time → 0
        _day(d[10], check_in=451, check_out=959),  # 1 late + 1 early → 50 + 50
        _day(dt.date(2025, 2, 8), status="TK"),    # a Saturday row is ignored
    ]
    normal = present(NIP_A, d[11:])
    row = register_row(base_city(attendance=special + normal), backend=backend)
    # 50 + 100 + 125 + 150 + 100 + 150 + 300 + 300 + 0 + 0 + 100 = 1,375
    assert (row["deduction_bp"], row["discipline_bp"]) == (1375, 8625)


def test_status_deductions_from_policy(backend: Backend) -> None:
    rows = [_day(WEEKDAYS[0], status="I"), _day(WEEKDAYS[1], status="TK"), _day(WEEKDAYS[2], status="CT")]
    tables = base_city(attendance=rows + present(NIP_A, WEEKDAYS[3:]))
    pol = policy(status_deduction_bp={"I": 50, "TK": 400})
    assert register_row(tables, pol=pol, backend=backend)["deduction_bp"] == 50 + 400 + 0


def test_deduction_capped_at_10000(backend: Backend) -> None:
    # No attendance at all: 20 TK days × 600 = 12,000 → capped 10000, discipline 0.
    row = register_row(base_city(attendance=[]), pol=policy(status_deduction_bp={"TK": 600}), backend=backend)
    assert (row["deduction_bp"], row["discipline_bp"]) == (10000, 0)


def test_custom_schedule_and_bands(backend: Backend) -> None:
    # Schedule 07:00–15:30; bands 1→10, 16→40. In 07:20 (20 late → 40), out 15:25 (5 early → 10).
    pol = policy(schedule={"start": "07:00", "end": "15:30"},
                 tl_psw_bands=[{"min_minutes": 16, "bp": 40}, {"min_minutes": 1, "bp": 10}])
    rows = [_day(WEEKDAYS[0], check_in=440, check_out=925)] + present(NIP_A, WEEKDAYS[1:], 420, 930)
    assert register_row(base_city(attendance=rows), pol=pol, backend=backend)["deduction_bp"] == 50
