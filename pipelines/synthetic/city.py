"""Synthetic city: the raw exports of SPEC §3 for a Surabaya-like city government.

`generate_city` writes them system by system, one module each: ``simpeg`` (the organisation and
its people, ``hr/``), ``payroll`` (the PPh 21 year to date), ``ekinerja``, ``eabsensi``, ``ebudgeting``,
``eproject`` and ``epayment``;
``behaviour`` holds the employees' habits and the seeded gamers (``truth/seeded_gamers.csv``,
outside the SPEC §3 layout: the employees seeded to game e-Performance), ``shared`` the helpers.

Every part draws from its own numpy Generator derived from (seed, tag), so the same
arguments give the same bytes. Work is vectorised with numpy/polars: Python loops run over
OPDs, months, fiscal years and employee chunks, never over employees or rows, so 200,000
employees (~23 M log rows a month) fit in about 1.5 GB. Internally dates are integer days
since 1970-01-01.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from contextlib import ExitStack, nullcontext
from pathlib import Path

import numpy as np
import polars as pl

from engine import Period
from pipelines.synthetic.behaviour import GAMING, _gamers, _habits
from pipelines.synthetic.eabsensi import _attendance, _attendance_day
from pipelines.synthetic.ebudgeting import _apbd, _opd_costs
from pipelines.synthetic.ekinerja import CATALOG, _project_events, _write_activity_log
from pipelines.synthetic.epayment import _sp2d, _transfers
from pipelines.synthetic.eproject import ACTIVITY_MAP, _eproject
from pipelines.synthetic.eskp import _skp
from pipelines.synthetic.payroll import _pph21_ytd
from pipelines.synthetic.shared import EXTRA_MONTHS, _month_bounds, _rng, _weekday
from pipelines.synthetic.simpeg import (
    KECAMATAN,
    OPD_TABLE,
    _calendar,
    _employees,
    _kelas,
    _opds,
    _organisation,
    _plt,
    _sanctions,
    _superiors,
    _tax_status,
)

ATTENDANCE = "eabsensi/attendance"
"""The attendance as the generated city holds it: a folder of months, or ``attendance.csv``."""


def _policy(years: list[int]) -> str:
    extras = ",\n".join(f'  {{ period = "{year}-{month:02d}", kind = "{kind}", bp = 10000 }}'
                        for year in years for month, kind in sorted(EXTRA_MONTHS.items()))
    return f"""# Perwali TPP parameters of the synthetic demo city (SPEC §5); unlisted keys take their defaults.

[[version]]
id = "perwali-demo"
effective_from = {years[0]}-01-01
daily_cap_minutes = 420
minutes_per_day = 300
productivity_rule = "proportional"
w_discipline_bp = 4000
w_productivity_bp = 6000
pool_scope = "opd"
allocation = "scale"
pph21 = "ter"
extra_payments = [
{extras},
]
"""


def city_months(text: str) -> list[str]:
    """The months of ``eperf generate --months``: comma-separated ``YYYY-MM``, or ``YYYY`` for a whole
    fiscal year (January to December, so December's true-up can be run from the warehouse).

    >>> city_months("2025-11, 2025-12"), len(city_months("2025")), city_months("2025,2026-01")[-2:]
    (['2025-11', '2025-12'], 12, ['2025-12', '2026-01'])
    """
    months: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if part.isascii() and part.isdigit() and len(part) == 4:
            months += [f"{part}-{m:02d}" for m in range(1, 13)]
        else:
            months.append(str(Period.parse(part)))
    return months


def _in_force(policy: Path, periods: list[str]) -> None:
    """Refuse months the policy file has no version for (a run of them would stop)."""
    from pipelines.policies import read_document, versions_in_force

    uncovered = [str(s.first) for s in versions_in_force(read_document(policy), [Period.parse(p) for p in periods])
                 if s.label is None]
    if uncovered:
        raise ValueError(f"{policy}: no version is in force in {uncovered[0]}; choose later months")


def generate_city(out: Path, employees: int = 20_000, seed: int = 7,
                  months: Sequence[str] = ("2025-09", "2025-10", "2025-11"),
                  policy: Path | None = None, flat_attendance: bool = False) -> dict[str, int]:
    """Write a synthetic city's raw exports (the SPEC §3 layout) under `out`; return row counts per file.

    The attendance is a folder partitioned by month (``eabsensi/attendance/period=YYYY-MM/``, as
    e-Absensi exports a month), or with ``flat_attendance`` one ``eabsensi/attendance.csv`` of
    every month.

    With ``policy`` (a preset's ``policy.toml``) the city runs under it: the file is copied as its
    ``policy.toml``, and the city has ``hr/skp.csv`` and days of cuti besar, CLTN and tugas
    belajar, so any preset's rules have something to act on."""
    out = Path(out)
    periods = sorted({str(Period.parse(m)) for m in months})
    if not periods:
        raise ValueError("at least one month is required")
    if policy is not None:
        _in_force(policy, periods)
    if employees < 3 * (len(OPD_TABLE) + len(KECAMATAN)):
        raise ValueError(f"employees must be at least {3 * (len(OPD_TABLE) + len(KECAMATAN))}")
    years = sorted({int(p[:4]) for p in periods})
    counts: dict[str, int] = {}

    def write(rel: str, df: pl.DataFrame) -> None:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        df.write_csv(path)
        counts[rel] = df.height

    out.mkdir(parents=True, exist_ok=True)
    (out / "policy.toml").write_text(_policy(years) if policy is None else policy.read_text(encoding="utf-8"))
    kelas = _kelas()
    opds = _opds(employees, _rng(seed, "opds"))
    positions, holders = _organisation(opds, _rng(seed, "organisation"))
    emp = _employees(positions, holders, periods, _rng(seed, "employees"))
    superior = _superiors(emp, _rng(seed, "superiors"))
    emp = emp.hstack(_habits(emp, _rng(seed, "habits"))).with_columns(
        gaming=pl.Series(_gamers(emp.height, _rng(seed, "gamers"))))
    emp = emp.hstack(_tax_status(emp, periods, _rng(seed, "tax status")))
    calendar = _calendar(years)
    packages, assignments, milestones = _eproject(opds, emp, periods, _rng(seed, "eproject"))
    costs = _opd_costs(opds, emp, positions, kelas)
    apbd = _apbd(opds, costs, periods, _rng(seed, "apbd"))
    holidays = calendar["date"].cast(pl.Int32).to_numpy()
    sp2d = _sp2d(opds, costs, apbd, periods, holidays, _rng(seed, "sp2d"))

    write("hr/kelas.csv", kelas)
    write("hr/positions.csv", positions.select("position_id", "opd_code", "name", "kelas", "bk_bp", "pk_bp",
                                               "kk_bp", "kp_bp", "tb_bp", "pol_bp"))
    write("hr/employees.csv", emp.select("nip", "name", "opd_code", "position_id", "status", "golongan",
                                         "salary_rp", "start_date", "end_date", "bank_account", "ptkp_status",
                                         "pension_rp"))
    write("hr/pph21_ytd.csv", _pph21_ytd(emp, costs, periods))
    write("hr/plt.csv", _plt(emp, positions, periods, _rng(seed, "plt")))
    write("hr/sanctions.csv", _sanctions(emp, periods, _rng(seed, "sanctions")))
    if policy is not None:
        write("hr/skp.csv", _skp(emp, periods, _rng(seed, "skp")))
    write("hr/calendar.csv", calendar)
    write("hr/opd.csv", opds.select("opd_code", name="opd_name"))
    write("ekinerja/activity_catalog.csv", pl.DataFrame([c[:3] for c in CATALOG], orient="row",
                                                        schema=["activity_code", "name", "standard_minutes"]))
    write("ebudgeting/apbd_lines.csv", apbd)
    write("eproject/packages.csv", packages.select("package_id", "fiscal_year", "opd_code", "name", "value_rp",
                                                   "start_date", "end_date"))
    write("eproject/assignments.csv", assignments.select("package_id", "nip", "role"))
    write("eproject/milestones.csv", milestones.select("package_id", "milestone_code", "planned_date",
                                                       "completed_date", "progress_pct"))
    write("eproject/activity_map.csv", pl.DataFrame(ACTIVITY_MAP, orient="row",
                                                    schema=["role", "milestone_code", "activity_code"]))
    write("epayment/sp2d.csv", sp2d)
    write("epayment/transfers.csv", _transfers(sp2d, emp, costs, periods, _rng(seed, "transfers")))
    write("truth/seeded_gamers.csv", emp.filter(pl.col("gaming") > 0).select(
        "nip", kind=pl.lit(pl.Series(GAMING)).gather(pl.col("gaming"))).sort("kind", "nip"))

    log_dir = out / "ekinerja" / "activity_log"
    shutil.rmtree(log_dir, ignore_errors=True)
    shutil.rmtree(out / "eabsensi", ignore_errors=True)
    (out / "eabsensi").mkdir(parents=True)
    counts[ATTENDANCE] = counts["ekinerja/activity_log"] = 0
    milestone_days = milestones.select("pkg", "milestone_code", "completed")
    officers = assignments.select("pkg", "emp", "role")
    with ExitStack() as files:
        flat = files.enter_context(open(out / f"{ATTENDANCE}.csv", "wb")) if flat_attendance else None
        for i, ym in enumerate(periods):
            first, last = _month_bounds(ym)
            days = np.arange(first, last + 1)
            off = (_weekday(days) >= 5) | np.isin(days, holidays)
            matrices = _attendance(emp, days[~off], seed, ym, regional_leave=policy is not None)
            part = out / ATTENDANCE / f"period={ym}" / "attendance.csv"
            if flat is None:
                part.parent.mkdir(parents=True)
            with nullcontext(flat) if flat is not None else open(part, "wb") as fh:
                for c in range(len(days[~off])):
                    attendance = _attendance_day(emp, matrices, days[~off], c)
                    attendance.write_csv(fh, include_header=c == 0 and (flat is None or i == 0))
                    counts[ATTENDANCE] += attendance.height
            codes = matrices[0]
            events = _project_events(milestone_days, officers, (first, last), _rng(seed, "events", ym))
            counts["ekinerja/activity_log"] += _write_activity_log(
                log_dir, ym, emp, superior, codes, days[~off], days[off], events, packages["package_id"],
                _rng(seed, "activity_log", ym))
    return counts
