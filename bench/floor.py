"""The floor: a bare DuckDB scan of the activity log → join the catalogue → sum per employee.

Run as its own process by ``bench_run.py`` (start-up and import included), on the same data
as ``eperf run`` (the period's partition of the log). Prints the employee count and total
minutes so the work is not optimised away.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def main(data: Path, period: str) -> None:
    log = data / "ekinerja" / "activity_log"
    source = (f"read_parquet('{log}/period={period}/*.parquet', hive_partitioning = false)" if log.is_dir()
              else f"read_csv('{log}.csv', all_varchar = true)")
    con = duckdb.connect()
    employees, minutes = con.sql(f"""
        select count(*), sum(minutes) from (
            select l.nip, sum(l.quantity::bigint * c.standard_minutes) as minutes
            from {source} l
            join read_csv('{data}/ekinerja/activity_catalog.csv') c using (activity_code)
            where l.status = 'approved'
            group by l.nip)""").fetchall()[0]
    print(f"floor: {employees} employees, {minutes} approved minutes")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
