"""A one-employee city on disk for PPh 21 examples (TPP-RULES §1.6), run through ``eperf``.

The employee's salary is 0 unless given and their TPP equals the example's monthly income: one
position whose performance block is the whole basic (kelas 1, ``basic_rp`` = income, bk 10000
bp), on time every working day with 300 approved minutes a day, so the pay is exactly the basic.
The pool never binds (a pagu of Rp 10^12).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from engine import Period

NIP = "198001012005011001"
YEAR = 2025


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, *([("" if v is None else v) for v in r] for r in rows)])


def one_employee_city(folder: Path, period: Period, income: int, *, ptkp: str = "TK/0", pension: int = 0,
                      salary: int = 0, start: dt.date = dt.date(2020, 1, 1), end: dt.date | None = None,
                      extra_payments: Sequence[tuple[str, str, int]] = (),
                      ytd: tuple[int, int, int, int, int] | None = None, pph21: str = "ter") -> Path:
    """The data directory of ``period`` for the employee (``ytd``: months, salary, TPP, PPh 21 and
    pension of the year before it, as ``hr/pph21_ytd.csv``; none: no file)."""
    extras = ", ".join(f'{{ period = "{p}", kind = "{k}", bp = {bp} }}' for p, k, bp in extra_payments)
    (folder / "hr").mkdir(parents=True, exist_ok=True)
    (folder / "policy.toml").write_text(
        f'[[version]]\neffective_from = 2024-01-01\npph21 = "{pph21}"\nextra_payments = [{extras}]\n')
    _write(folder / "hr/kelas.csv", ["kelas", "basic_rp"], [[1, income]])
    _write(folder / "hr/positions.csv",
           ["position_id", "opd_code", "name", "kelas", "bk_bp", "pk_bp", "kk_bp", "kp_bp", "tb_bp", "pol_bp"],
           [["P1", "1.01.01", "Staf", 1, 10000, 0, 0, 0, 0, 0]])
    _write(folder / "hr/employees.csv",
           ["nip", "name", "opd_code", "position_id", "status", "golongan", "salary_rp", "start_date", "end_date",
            "bank_account", "ptkp_status", "pension_rp"],
           [[NIP, "Tuan A", "1.01.01", "P1", "PNS", "III", salary, start, end, "1234567890", ptkp, pension]])
    _write(folder / "hr/calendar.csv", ["date", "kind"], [])
    if ytd is not None:
        _write(folder / "hr/pph21_ytd.csv",
               ["nip", "fiscal_year", "months", "salary_rp", "tpp_rp", "pph21_rp", "pension_rp"],
               [[NIP, period.year, *ytd]])
    days = [d for d in period.weekdays if d >= start and (end is None or d <= end)]
    _write(folder / "ekinerja/activity_catalog.csv", ["activity_code", "name", "standard_minutes"],
           [["K300", "Kerja", 300]])
    _write(folder / "ekinerja/activity_log.csv",
           ["log_id", "nip", "work_date", "activity_code", "quantity", "status", "approver_nip", "approved_at", "ref"],
           [[f"L-{d}", NIP, d, "K300", 1, "approved", None, None, None] for d in days])
    _write(folder / "eabsensi/attendance.csv", ["nip", "work_date", "status", "check_in", "check_out"],
           [[NIP, d, "H", "07:30", "16:00"] for d in days])
    _write(folder / "ebudgeting/apbd_lines.csv",
           ["fiscal_year", "revision", "effective_date", "opd_code", "account_code", "account_name", "pagu_rp"],
           [[period.year, 0, dt.date(period.year - 1, 12, 1), "1.01.01", "5.1.01.02.01.0001", "TPP", 10**12]])
    return folder
