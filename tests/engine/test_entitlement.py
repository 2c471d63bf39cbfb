"""§4.5 entitlement and cap: score, status, proration, sanction cut, PLT extra.

Base: P = Rp 6,000,000, F = Rp 1,000,000. Acting post P9 (kelas 9, basic Rp 20,000,000;
bk 5000, pk 1000, kp 500 bp): P_a = 10,000,000 + 2,000,000 = Rp 12,000,000, F_a = Rp 1,000,000.
"""

import datetime as dt

from pipelines.month.backends import Backend
from tests.city import NIP_A, WEEKDAYS, base_city, employee, logs, present, register_row


def _late_days(n: int) -> list[dict]:
    """n days 95 minutes late (150 bp each), the rest on time."""
    return present(NIP_A, WEEKDAYS[:n], check_in=545) + present(NIP_A, WEEKDAYS[n:])


def _plt(position: str, start: dt.date, end: dt.date | None) -> dict:
    return {"nip": NIP_A, "position_id": position, "start_date": start, "end_date": end}


def test_score_and_perf(backend: Backend) -> None:
    # 9 late days: deduction 1,350, discipline 8,650; productivity 10000.
    # score = floor((4000 × 8650 + 6000 × 10000) / 10000) = 9,460
    # perf = rhu(6,000,000 × 0.9460) = 5,676,000; entitlement = 5,676,000 + 1,000,000.
    row = register_row(base_city(attendance=_late_days(9)), backend=backend)
    assert (row["score_bp"], row["perf_rp"], row["fixed_rp"]) == (9460, 5_676_000, 1_000_000)
    assert (row["entitlement_rp"], row["cap_rp"]) == (6_676_000, 7_000_000)


def test_cpns_joiner_with_sanction(backend: Backend) -> None:
    # CPNS 8000 bp, joins 17 Feb (5000 bp), sanction 2500 bp overlapping the month:
    # 7,000,000 → 5,600,000 → 2,800,000 → 2,100,000; the cap is the same chain at score 10000.
    days = WEEKDAYS[10:]
    tables = base_city(
        employees=[employee(NIP_A, status="CPNS", start=dt.date(2025, 2, 17))],
        attendance=present(NIP_A, days), activity_log=logs(NIP_A, days),
        sanctions=[{"nip": NIP_A, "cut_bp": 2500, "start_date": dt.date(2025, 2, 28),
                    "end_date": dt.date(2025, 6, 30)},
                   {"nip": NIP_A, "cut_bp": 9000, "start_date": dt.date(2024, 1, 1),
                    "end_date": dt.date(2025, 1, 31)}],  # ended before the month: no effect
    )
    row = register_row(tables, backend=backend)
    assert (row["cut_bp"], row["proration_bp"]) == (2500, 5000)
    assert row["entitlement_rp"] == row["cap_rp"] == 2_100_000


def test_largest_overlapping_sanction_wins(backend: Backend) -> None:
    sanctions = [{"nip": NIP_A, "cut_bp": bp, "start_date": dt.date(2025, 1, d), "end_date": None}
                 for bp, d in ((2500, 1), (5000, 2))]
    row = register_row(base_city(sanctions=sanctions), backend=backend)
    assert (row["cut_bp"], row["entitlement_rp"]) == (5000, 3_500_000)


def test_plt_extra_uses_the_score(backend: Backend) -> None:
    # score 9,460 (9 late days): extra = rhu((rhu(12,000,000 × 0.946) + 1,000,000) × 0.2)
    #   = rhu((11,352,000 + 1,000,000) × 0.2) = 2,470,400; cap extra = 13,000,000 × 0.2 = 2,600,000.
    tables = base_city(attendance=_late_days(9), plt=[_plt("P9", dt.date(2025, 2, 10), None)])
    row = register_row(tables, backend=backend)
    assert row["plt_extra_rp"] == 2_470_400
    assert row["entitlement_rp"] == 6_676_000 + 2_470_400
    assert row["cap_rp"] == 7_000_000 + 2_600_000


def test_plt_extra_is_not_prorated_cut_or_status_scaled(backend: Backend) -> None:
    # CPNS joiner (10 days) with a 2500 bp cut: own post 2,100,000 (see above), PLT extra at score
    # 10000 stays 2,600,000 whole.
    days = WEEKDAYS[10:]
    tables = base_city(
        employees=[employee(NIP_A, status="CPNS", start=dt.date(2025, 2, 17))],
        attendance=present(NIP_A, days), activity_log=logs(NIP_A, days),
        sanctions=[{"nip": NIP_A, "cut_bp": 2500, "start_date": dt.date(2025, 2, 1), "end_date": None}],
        plt=[_plt("P9", dt.date(2025, 2, 1), dt.date(2025, 2, 28))],
    )
    assert register_row(tables, backend=backend)["entitlement_rp"] == 2_100_000 + 2_600_000


def test_plt_needs_a_day_of_the_run_and_the_largest_counts(backend: Backend) -> None:
    weekend = _plt("P9", dt.date(2025, 2, 8), dt.date(2025, 2, 9))        # no working day
    before_joining = _plt("P9", dt.date(2025, 3, 1), None)                 # after the month
    assert register_row(base_city(plt=[weekend, before_joining]), backend=backend)["plt_extra_rp"] == 0
    # Two decrees: P5 as acting post gives (6,000,000 + 1,000,000) × 0.2 = 1,400,000 < 2,600,000.
    two = [_plt("P5", dt.date(2025, 2, 3), None), _plt("P9", dt.date(2025, 2, 27), None)]
    assert register_row(base_city(plt=two), backend=backend)["plt_extra_rp"] == 2_600_000
