"""Benchmark `eperf run` (a whole process) against the floor and a pandas version.

    python bench/bench_run.py --employees 200000

Generates the city once into ``data/bench/<N>-seed<S>/`` (git-ignored), then runs each of the three
processes ``--repeat`` times, interleaved, and prints the median wall time, peak memory (max
RSS), activity-log rows per second and the two ratios. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode() if proc.stderr else ''}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--period", default="2025-11")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pandas-python", type=Path, default=None,
                        help="a Python with pandas and pyarrow for the pandas version (omit to skip it)")
    args = parser.parse_args()

    data = ROOT / "data" / "bench" / f"{args.employees}-seed{args.seed}"
    log = data / "ekinerja" / "activity_log" / f"period={args.period}"
    if not log.is_dir():
        print(f"generating {args.employees:,} employees into {data} …", flush=True)
        subprocess.run([str(BIN / "eperf"), "generate", "--out", str(data), "--employees", str(args.employees),
                        "--seed", str(args.seed), "--months", args.period], check=True, stdout=subprocess.DEVNULL)
    log_rows = pl.scan_parquet(log / "*.parquet", hive_partitioning=False).select(pl.len()).collect().item()
    with tempfile.TemporaryDirectory() as tmp:
        commands = {
            "eperf run": [str(BIN / "eperf"), "run", "--data", str(data), "--period", args.period,
                          "--out", f"{tmp}/run"],
            "floor (duckdb)": [sys.executable, str(ROOT / "bench" / "floor.py"), str(data), args.period],
        }
        if args.pandas_python:
            commands["pandas"] = [str(args.pandas_python), str(ROOT / "bench" / "pandas_baseline.py"), str(data),
                                  args.period]
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, cmd in commands.items():
                results[name].append(timed(cmd))

    print(f"\n{args.employees:,} employees, {log_rows:,} activity-log rows, period {args.period}, "
          f"{os.cpu_count()} cores, median of {args.repeat}")
    print(f"{'process':<16} {'seconds':>9} {'rows/s':>14} {'peak MiB':>9}")
    median = {}
    for name, runs in results.items():
        median[name] = statistics.median(s for s, _ in runs)
        peak = max(m for _, m in runs)
        print(f"{name:<16} {median[name]:>9.2f} {log_rows / median[name]:>14,.0f} {peak:>9,.0f}")
    print(f"\neperf run / floor  = {median['eperf run'] / median['floor (duckdb)']:.2f}×  (goal ≤ 2)")
    if "pandas" in median:
        print(f"pandas / eperf run = {median['pandas'] / median['eperf run']:.1f}×  (goal ≥ 10)")


if __name__ == "__main__":
    main()
