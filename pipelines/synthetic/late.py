"""Late exports for a generated city: what arrives after a month is locked (the walk-through's
``late-exports/``). Approvals that came late in e-Kinerja, and attendance that e-Absensi
corrected from TK (absent) to present."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from engine import LogStatus, Period
from pipelines.synthetic.shared import _rng

LATE_SHARE = 0.002
"""Of the month's employees, this share gets late approvals and as many a corrected absence."""
LATE_ENTRIES = 3


def late_exports(city: Path, period: Period, out: Path, seed: int) -> dict[str, int]:
    """Write into ``out`` the late data of ``period`` for the city generated in ``city``: for a
    few employees, three more approved activities on a day they logged, and a TK day corrected
    to on time. Returns the rows written per file."""
    rng = _rng(seed, "late", str(period))
    log = pl.read_parquet(city / "ekinerja" / "activity_log" / f"period={period}", hive_partitioning=False)
    approved = log.filter(pl.col("status") == LogStatus.APPROVED.value).sort("log_id")
    nips = approved["nip"].unique().sort()
    n = max(1, int(len(nips) * LATE_SHARE))
    chosen = pl.Series("nip", rng.choice(nips.to_numpy(), size=min(n, len(nips)), replace=False))
    first = approved.filter(pl.col("nip").is_in(chosen.implode())).group_by("nip").first()
    copies = pl.DataFrame({"copy": np.arange(LATE_ENTRIES)})
    added = first.join(copies, how="cross").with_columns(
        log_id=pl.format("LATE-{}-{}-{}", pl.lit(str(period)), "nip", "copy"),
        quantity=pl.lit(1, log["quantity"].dtype),
    ).select(log.columns).sort("log_id")
    partition = out / "ekinerja" / "activity_log" / f"period={period}"
    partition.mkdir(parents=True, exist_ok=True)
    added.write_parquet(partition / "late.parquet")

    flat = city / "eabsensi" / "attendance.csv"
    attendance = pl.read_csv(flat if flat.exists() else city / "eabsensi" / "attendance" / f"period={period}" /
                             "attendance.csv", infer_schema=False)
    absent = attendance.filter(pl.col("work_date").str.starts_with(str(period)), pl.col("status") == "TK")
    picked = absent.sort("nip", "work_date")[np.sort(rng.choice(absent.height, size=min(n, absent.height),
                                                                replace=False))]
    corrected = picked.with_columns(status=pl.lit("H"), check_in=pl.lit("07:25"), check_out=pl.lit("16:05"))
    (out / "eabsensi").mkdir(parents=True, exist_ok=True)
    corrected.write_csv(out / "eabsensi" / "attendance.csv")
    return {"ekinerja/activity_log": added.height, "eabsensi/attendance.csv": corrected.height}
