"""Benchmark `eperf run` (a whole process) against the full floor and a pandas version.

    python bench/bench_run.py --employees 20000 200000 1000000 [--pandas-python PY]

For each size, generates the city once into ``data/bench/<N>-seed<S>/`` (git-ignored), then runs
each process ``--repeat`` times, interleaved, and prints the median wall time, the peak memory
(max RSS) and, last, one Markdown table of all sizes (the README's). Up to ``--ingest-limit``
employees it also times ``eperf ingest`` of the city into a fresh warehouse. The floor is
``bench/floor.py``; the pandas version (``bench/pandas_baseline.py``) runs up to
``--pandas-limit`` employees. From ``--backends-from`` employees, ``eperf run`` also runs on
DuckDB and on Spark (``local[2]``, its JVM given ``--spark-memory``); Spark's driver (Python)
and JVM peaks are measured apart, by sampling the process tree. Timings are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import polars as pl

from engine import Period

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(cmd: list[str], env: dict[str, str] | None = None, tree: bool = False) -> tuple[float, float, float]:
    """Wall seconds and peak RSS (MiB) of one child process and, with ``tree`` (Spark), the peak
    RSS its descendants (the JVM) held together while it ran, sampled every 0.1 s (only then:
    sampling costs the measured process CPU)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    descendants = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            descendants[0] = max(descendants[0], sum(_rss_mib(p) for p in _descendants(proc.pid)))

    sampler = threading.Thread(target=sample)
    if tree:
        sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    if tree:
        sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode() if proc.stderr else ''}")
    return seconds, usage.ru_maxrss / 1024, descendants[0]


def _descendants(root: int) -> list[int]:
    """Every living process below ``root`` (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def city(employees: int, seed: int, period: str) -> Path:
    """The generated city of the period and the month before it (attendance partitioned by month)."""
    data = ROOT / "data" / "bench" / f"{employees}-seed{seed}-{period}"
    if not (data / "eabsensi" / "attendance" / f"period={period}").is_dir():
        print(f"generating {employees:,} employees into {data} …", flush=True)
        before = Period.parse(period).first_day - dt.timedelta(days=1)
        months = f"{before:%Y-%m},{period}"
        subprocess.run([str(BIN / "eperf"), "generate", "--out", str(data), "--employees", str(employees),
                        "--seed", str(seed), "--months", months], check=True, stdout=subprocess.DEVNULL)
    return data


def flat_city(data: Path) -> Path:
    """The same city with its attendance as one flat file of both months: every other input linked."""
    flat = data.with_name(data.name + "-flat")
    if not (flat / "eabsensi" / "attendance.csv").exists():
        shutil.rmtree(flat, ignore_errors=True)
        for path in data.iterdir():
            if path.name != "eabsensi":
                (flat / path.name).parent.mkdir(parents=True, exist_ok=True)
                (flat / path.name).symlink_to(path)
        (flat / "eabsensi").mkdir()
        parts = sorted((data / "eabsensi" / "attendance").glob("period=*/*.csv"))
        with open(flat / "eabsensi" / "attendance.csv", "wb") as out:
            for i, part in enumerate(parts):
                with open(part, "rb") as fh:
                    header = fh.readline()
                    out.write(header if i == 0 else b"")
                    shutil.copyfileobj(fh, out)
    return flat


def measure(employees: int, args: argparse.Namespace, flat: bool = False) -> dict[str, object]:
    """The run, the floor and the others on the partitioned city (``flat``: the flat attendance one)."""
    data = city(employees, args.seed, args.period)
    if flat:
        data = flat_city(data)
    log_rows = pl.scan_parquet(data / "ekinerja" / "activity_log" / f"period={args.period}" / "*.parquet",
                               hive_partitioning=False).select(pl.len()).collect().item()
    with tempfile.TemporaryDirectory() as tmp:
        commands = {
            "eperf run": [str(BIN / "eperf"), "run", "--data", str(data), "--period", args.period,
                          "--out", f"{tmp}/run"],
            "floor": [sys.executable, str(ROOT / "bench" / "floor.py"), str(data), args.period],
        }
        if employees >= args.backends_from and not flat:
            for backend in ("duckdb", "spark"):
                commands[f"eperf run {backend}"] = [*commands["eperf run"][:-1], f"{tmp}/run-{backend}",
                                                    "--backend", backend]
        if args.pandas_python and employees <= args.pandas_limit and not flat:
            commands["pandas"] = [str(args.pandas_python), str(ROOT / "bench" / "pandas_baseline.py"), str(data),
                                  args.period]
        runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
        spark_env = os.environ | {"PYSPARK_SUBMIT_ARGS": f"--driver-memory {args.spark_memory} pyspark-shell"}
        for _ in range(args.repeat):
            for name, cmd in commands.items():
                spark = name.endswith("spark")
                runs[name].append(timed(cmd, spark_env if spark else None, tree=spark))
        if employees <= args.ingest_limit and not flat:  # a fresh warehouse each time
            runs["eperf ingest"] = [timed([str(BIN / "eperf"), "ingest", "--data", str(data),
                                           "--warehouse", f"{tmp}/warehouse-{i}.duckdb"]) for i in range(args.repeat)]
    seconds = {name: statistics.median(s for s, _, _ in r) for name, r in runs.items()}
    peak = {name: max(m for _, m, _ in r) for name, r in runs.items()}
    jvm = {name: max(j for _, _, j in r) for name, r in runs.items()}
    print(f"\n{employees:,} employees{' (flat attendance)' if flat else ''}, {log_rows:,} activity-log rows, "
          f"period {args.period}, "
          f"{os.cpu_count()} cores, median of {args.repeat}")
    for name in runs:
        below = f" + {jvm[name]:,.0f} MiB JVM" if jvm[name] >= 1 else ""
        print(f"  {name:<18} {seconds[name]:>8.2f} s {log_rows / seconds[name]:>14,.0f} log rows/s "
              f"{peak[name]:>8,.0f} MiB peak{below}")
    return {"employees": employees, "flat": flat, "log_rows": log_rows, "seconds": seconds, "peak": peak, "jvm": jvm}


def table(rows: list[dict[str, object]]) -> str:
    lines = ["| employees | attendance | log rows | `eperf run` | peak | floor | peak | run / floor | pandas "
             "| pandas / run | `eperf ingest` | peak | ingest / run |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        s, m = r["seconds"], r["peak"]
        assert isinstance(s, dict) and isinstance(m, dict)
        pandas = f"{s['pandas']:.2f} s | {s['pandas'] / s['eperf run']:.1f}×" if "pandas" in s else "— | —"
        ingest = "— | — | —"
        if "eperf ingest" in s:
            ratio = s["eperf ingest"] / s["eperf run"]
            ingest = f"{s['eperf ingest']:.1f} s | {m['eperf ingest']:,.0f} MiB | {ratio:.1f}×"
        layout = "flat file" if r["flat"] else "by month"
        lines.append(f"| {r['employees']:,} | {layout} | {r['log_rows']:,} | {s['eperf run']:.2f} s "
                     f"| {m['eperf run']:,.0f} MiB "
                     f"| {s['floor']:.2f} s | {m['floor']:,.0f} MiB | {s['eperf run'] / s['floor']:.2f}× | {pandas} "
                     f"| {ingest} |")
    return "\n".join(lines)


def backend_table(rows: list[dict[str, object]]) -> str:
    """The run on each backend, where measured: seconds, rows per second, peaks, ratio to the floor."""
    lines = ["| employees | backend | seconds | log rows / s | driver peak | JVM peak | / floor |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        s, m, j, n = r["seconds"], r["peak"], r["jvm"], r["log_rows"]
        assert isinstance(s, dict) and isinstance(m, dict) and isinstance(j, dict) and isinstance(n, int)
        if "eperf run spark" not in s:
            continue
        for name in ("eperf run", "eperf run duckdb", "eperf run spark"):
            jvm = f"{j[name]:,.0f} MiB" if j[name] >= 1 else "—"
            lines.append(f"| {r['employees']:,} | {name.removeprefix('eperf run').strip() or 'polars'} "
                         f"| {s[name]:.2f} s | {n / s[name]:,.0f} | {m[name]:,.0f} MiB | {jvm} "
                         f"| {s[name] / s['floor']:.2f}× |")
    return "\n".join(lines) if len(lines) > 2 else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, nargs="+", default=[20_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--period", default="2025-11")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pandas-python", type=Path, default=None,
                        help="a Python with pandas and pyarrow for the pandas version (omit to skip it)")
    parser.add_argument("--pandas-limit", type=int, default=200_000)
    parser.add_argument("--backends-from", type=int, default=200_000,
                        help="also run on DuckDB and Spark (local[2]) from this many employees")
    parser.add_argument("--spark-memory", default="12g", help="the Spark JVM's heap (--driver-memory)")
    parser.add_argument("--ingest-limit", type=int, default=200_000,
                        help="time `eperf ingest` into a fresh warehouse up to this many employees")
    args = parser.parse_args()
    rows = [measure(n, args, flat) for n in args.employees for flat in (False, True)]
    print("\n" + table(rows))
    if backends := backend_table(rows):
        print("\n" + backends)
    print("\ngoals: run / floor ≤ 2.5 (200,000 and 1,000,000; stretch 2); peak ≤ 1,229 MiB at 200,000 and "
          "≤ 3,072 MiB at 1,000,000; pandas / run ≥ 10; ingest at 200,000 ≤ 2,048 MiB and ≤ 4× the run")


if __name__ == "__main__":
    main()
