"""The full floor: what any engine must at least do to compute a month, and nothing more.

One Polars process that reads every row a month needs exactly once — the period's partition of
the activity log and of the attendance (or the whole flat attendance file, of which it keeps the
period's rows), the employees and the catalogue — each typed as its
contract says (dates as dates, check-in and check-out as times, money and quantities as
integers), joins the log to the catalogue, groups the log and the attendance per employee,
and counts the log's distinct keys (the least a duplicate-key check costs). No validation
beyond the types, no rejects, no pay rules, no outputs.

Run as its own process by ``bench_run.py`` (start-up and imports included), on the same data
as ``eperf run``. Prints a few totals so the work cannot be optimised away.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl


def main(data: Path, period: str) -> None:
    log_dir = data / "ekinerja" / "activity_log"
    log = (pl.scan_parquet(log_dir / f"period={period}" / "*.parquet", hive_partitioning=False) if log_dir.is_dir()
           else pl.scan_csv(data / "ekinerja" / "activity_log.csv", try_parse_dates=True))
    types = {"nip": pl.String, "work_date": pl.Date, "status": pl.String, "check_in": pl.String,
             "check_out": pl.String}
    by_month = data / "eabsensi" / "attendance"
    first = pl.lit(f"{period}-01").str.to_date()
    attendance = (pl.scan_csv(by_month / f"period={period}" / "*.csv", schema_overrides=types) if by_month.is_dir()
                  else pl.scan_csv(data / "eabsensi" / "attendance.csv", schema_overrides=types)
                  .filter(pl.col("work_date").dt.month_start() == first))
    employees = pl.scan_csv(data / "hr" / "employees.csv", schema_overrides={
        "nip": pl.String, "salary_rp": pl.Int64, "start_date": pl.Date, "end_date": pl.Date})
    catalog = pl.scan_csv(data / "ekinerja" / "activity_catalog.csv",
                          schema_overrides={"activity_code": pl.String, "standard_minutes": pl.Int64})
    minutes = (
        log.join(catalog.select("activity_code", "standard_minutes"), on="activity_code")
        .group_by("nip")
        .agg((pl.col("quantity") * pl.col("standard_minutes")).filter(pl.col("status") == "approved").sum())
        .select(pl.len(), pl.col("quantity").sum())
    )
    keys = log.select(pl.col("log_id").count())
    days = (
        attendance.with_columns(pl.col("check_in", "check_out").str.to_time("%H:%M", strict=False))
        .group_by("nip")
        .agg(pl.len().alias("days"), pl.col("check_in").min(), pl.col("check_out").max(), pl.col("work_date").max())
        .select(pl.len(), pl.col("days").sum())
    )
    people = employees.select(pl.len(), pl.col("salary_rp").sum(), pl.col("start_date").min())
    totals = pl.collect_all([minutes, keys, days, people])
    print("floor:", " | ".join(str(frame.row(0)) for frame in totals))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
