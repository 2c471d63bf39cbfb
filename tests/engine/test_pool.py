"""§4.6 the pool: budget revision r*, realized SP2D, pool_rp = (pagu − realized) // (13 − month)."""

import datetime as dt

from pipelines.month.backends import Backend
from tests.city import NIP_A, NIP_B, base_city, compute, employee, logs, policy, present

TPP, GAJI = "5.1.01.02.01.0001", "5.1.01.01.01.0001"


def _line(revision: int, effective: dt.date, pagu: int, account: str = TPP, opd: str = "1.01.01",
          year: int = 2025) -> dict:
    return {"fiscal_year": year, "revision": revision, "effective_date": effective, "opd_code": opd,
            "account_code": account, "account_name": "x", "pagu_rp": pagu}


def _sp2d(no: str, period: str, gross: int, status: str = "paid", account: str = TPP, year: int = 2025) -> dict:
    return {"sp2d_no": no, "sp2d_date": dt.date(2025, 1, 28), "fiscal_year": year, "opd_code": "1.01.01",
            "account_code": account, "period": period, "gross_rp": gross, "status": status}


LINES = [
    _line(0, dt.date(2024, 12, 20), 1_200_000_000),
    _line(1, dt.date(2025, 2, 1), 500_000_000),            # effective on the first day: r* = 1
    _line(1, dt.date(2025, 2, 1), 100_000_000, account="5.1.01.02.05.0001"),
    _line(1, dt.date(2025, 2, 1), 900_000_000, account=GAJI),  # not TPP
    _line(2, dt.date(2025, 2, 2), 50_000_000),             # not yet effective
    _line(5, dt.date(2024, 1, 1), 9_000_000_000, year=2024),  # another fiscal year
]


def test_pool_from_latest_effective_revision(backend: Backend) -> None:
    pools = compute(base_city(apbd_lines=LINES), backend=backend).pool_summary.rows(named=True)
    # pagu = 500,000,000 + 100,000,000; February: 11 months left → floor(600,000,000 / 11)
    assert pools == [{"pool_id": "1.01.01", "pagu_rp": 600_000_000, "realized_rp": 0,
                      "pool_rp": 54_545_454, "entitlement_rp": 7_000_000, "cap_rp": 7_000_000,
                      "pay_rp": 7_000_000, "extra_rp": 0, "binding": False, "lambda": 1.0}]


def test_realized_counts_paid_tpp_sp2d_of_earlier_months_of_the_year(backend: Backend) -> None:
    sp2d = [
        _sp2d("1", "2025-01", 100_000_000),
        _sp2d("2", "2025-01", 7_000_000, status="cancelled"),
        _sp2d("3", "2025-02", 8_000_000),                   # this month, not earlier
        _sp2d("4", "2024-12", 9_000_000, year=2024),        # last year
        _sp2d("5", "2025-01", 10_000_000, account=GAJI),    # not TPP
    ]
    pool = compute(base_city(apbd_lines=LINES, sp2d=sp2d), backend=backend).pool_summary.rows(named=True)[0]
    assert (pool["realized_rp"], pool["pool_rp"]) == (100_000_000, 45_454_545)  # 500,000,000 // 11


def test_overspent_pool_is_zero_and_pays_nothing(backend: Backend) -> None:
    result = compute(base_city(sp2d=[_sp2d("1", "2025-01", 2_000_000_000)]), backend=backend)
    pool = result.pool_summary.rows(named=True)[0]
    assert (pool["pool_rp"], pool["pay_rp"], pool["binding"]) == (0, 0, True)
    assert result.pay_register["net_rp"].to_list() == [0]


def test_city_pool_sums_every_opd(backend: Backend) -> None:
    tables = base_city(
        employees=[employee(NIP_A), employee(NIP_B, opd="2.02.01")],
        attendance=present(NIP_A) + present(NIP_B), activity_log=logs(NIP_A) + logs(NIP_B),
        apbd_lines=[_line(0, dt.date(2024, 12, 1), 110_000_000),
                    _line(0, dt.date(2024, 12, 1), 220_000_000, opd="2.02.01"),
                    _line(0, dt.date(2024, 12, 1), 330_000_000, opd="9.99.99")],
    )
    by_opd = compute(tables, backend=backend).pool_summary["pool_id"].to_list()
    assert by_opd == ["1.01.01", "2.02.01"]  # pools only where employees are
    city = compute(tables, pol=policy(pool_scope="city"), backend=backend)
    assert city.pool_summary.select("pool_id", "pagu_rp", "pool_rp").rows() == [
        ("CITY", 660_000_000, 60_000_000)]
    assert set(city.pay_register["pool_id"].to_list()) == {"CITY"}
