"""A straightforward pandas version of productivity + discipline + entitlement (SPEC §4.1–4.5).

The comparison point for the benchmark: idiomatic, vectorised pandas (merges, group-bys,
``np.select``), no validation, default policy, no PLT and no e-Project activities. Run as its
own process by ``bench_run.py``. Prints Σ entitlement so the work is not optimised away.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

CAP, PER_DAY, CREDIT = 420, 300, 300
CREDIT_STATUSES = ["DL", "CT", "DIK", "CAP"]
BANDS = [(91, 150), (61, 125), (31, 100), (1, 50)]
STATUS_BP = {"PNS": 10000, "CPNS": 8000, "PPPK": 10000}


def read(data: Path, name: str, period: str | None = None) -> pd.DataFrame:
    path = data / name
    if path.is_dir():  # partitioned by month: the period's partition is what a run reads
        parts = sorted((path / f"period={period}").glob("*.parquet")) or \
            sorted((path / f"period={period}").glob("*.csv"))
        return pd.concat([pd.read_parquet(p) if p.suffix == ".parquet" else
                          pd.read_csv(p, dtype={"nip": str}) for p in parts], ignore_index=True)
    if path.with_suffix(".parquet").exists():
        return pd.read_parquet(path.with_suffix(".parquet"))
    return pd.read_csv(path.with_suffix(".csv"), dtype={"nip": str, "opd_code": str})


def band(minutes: pd.Series) -> np.ndarray:
    return np.select([minutes >= m for m, _ in BANDS], [bp for _, bp in BANDS], 0)


def minutes_of(hhmm: pd.Series) -> pd.Series:
    parts = hhmm.str.split(":", expand=True)
    return parts[0].astype(float) * 60 + parts[1].astype(float)


def main(data: Path, period: str) -> None:
    first = pd.Timestamp(f"{period}-01")
    month = pd.date_range(first, first + pd.offsets.MonthEnd(0))
    holidays = pd.to_datetime(read(data, "hr/calendar")["date"])
    days = pd.DataFrame({"work_date": month[(month.day_of_week < 5) & ~month.isin(holidays)]})

    emp = read(data, "hr/employees")
    emp["start_date"] = pd.to_datetime(emp["start_date"])
    emp["end_date"] = pd.to_datetime(emp["end_date"])
    grid = emp[["nip", "start_date", "end_date"]].merge(days, how="cross")
    grid = grid[(grid.start_date <= grid.work_date) & (grid.end_date.isna() | (grid.work_date <= grid.end_date))]
    grid = grid[["nip", "work_date"]]

    logs = read(data, "ekinerja/activity_log", period)
    logs = logs[logs.status == "approved"].copy()
    logs["work_date"] = pd.to_datetime(logs["work_date"])
    logs = logs.merge(read(data, "ekinerja/activity_catalog")[["activity_code", "standard_minutes"]],
                      on="activity_code")
    logs["m"] = logs["quantity"] * logs["standard_minutes"]
    logged = logs.groupby(["nip", "work_date"], as_index=False)["m"].sum()

    att = read(data, "eabsensi/attendance", period)
    att["work_date"] = pd.to_datetime(att["work_date"])
    day = grid.merge(att[["nip", "work_date", "status", "check_in", "check_out"]], on=["nip", "work_date"],
                     how="left").merge(logged, on=["nip", "work_date"], how="left")
    day["status"] = day["status"].fillna("TK")
    credit = day["status"].isin(CREDIT_STATUSES)
    day["minutes"] = np.where(credit, CREDIT, np.minimum(day["m"].fillna(0), CAP))
    late = minutes_of(day["check_in"].fillna("99:99")) - 450
    early = 960 - minutes_of(day["check_out"].fillna("00:00"))
    h_cost = (np.where(day["check_in"].isna(), 150, band(late))
              + np.where(day["check_out"].isna(), 150, band(early)))
    day["deduction"] = np.where(day["status"] == "H", h_cost, np.where(day["status"] == "TK", 300, 0))

    month_rows = day.groupby("nip").agg(active_days=("work_date", "size"), minutes=("minutes", "sum"),
                                        deduction=("deduction", "sum")).reset_index()
    target = month_rows["active_days"] * PER_DAY
    month_rows["productivity_bp"] = np.minimum(10000, (10000 * month_rows["minutes"]) // target)
    month_rows["discipline_bp"] = 10000 - np.minimum(10000, month_rows["deduction"])
    month_rows["proration_bp"] = (10000 * month_rows["active_days"]) // len(days)

    pos = read(data, "hr/positions").merge(read(data, "hr/kelas"), on="kelas")
    for c in ("bk", "pk", "kk", "kp", "tb", "pol"):
        pos[f"amt_{c}"] = (pos["basic_rp"] * pos[f"{c}_bp"] + 5000) // 10000
    pos["P"] = pos.amt_bk + pos.amt_pk
    pos["F"] = pos.amt_kk + pos.amt_kp + pos.amt_tb + pos.amt_pol
    sanctions = read(data, "hr/sanctions")
    last = first + pd.offsets.MonthEnd(0)
    sanctions = sanctions[(pd.to_datetime(sanctions.start_date) <= last)
                          & (sanctions.end_date.isna() | (pd.to_datetime(sanctions.end_date) >= first))]
    cut = sanctions.groupby("nip", as_index=False)["cut_bp"].max()

    out = (emp[["nip", "position_id", "status"]].merge(pos[["position_id", "P", "F"]], on="position_id")
           .merge(month_rows, on="nip").merge(cut, on="nip", how="left"))
    out["cut_bp"] = out["cut_bp"].fillna(0).astype("int64")
    out["score_bp"] = (4000 * out.discipline_bp + 6000 * out.productivity_bp) // 10000
    perf = (out.P * out.score_bp + 5000) // 10000
    e1 = ((perf + out.F) * out.status.map(STATUS_BP) + 5000) // 10000
    e2 = (e1 * out.proration_bp + 5000) // 10000
    out["entitlement_rp"] = (e2 * (10000 - out.cut_bp) + 5000) // 10000
    print(f"pandas: {len(out)} employees, entitlement Rp {int(out.entitlement_rp.sum()):,}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
