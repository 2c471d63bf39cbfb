"""Break a copy of a spec example data directory, one small edit at a time.

The bad-input tests copy ``city-9004`` (period 2024-09) into ``tmp_path`` and then change
one cell, add or drop one row or column, or swap the activity log's format. Rows are
numbered like the rejects table: 1 is the first data row (the header is not counted).
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import polars as pl
import pytest

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "spec" / "examples" / "city-9004"
PERIOD = "2024-09"

needs_example = pytest.mark.skipif(not EXAMPLE.is_dir(), reason="spec example city-9004 not found")


def personal_values(data: Path) -> set[str]:
    """Every name and bank account of ``hr/employees.csv``: text no log or reason may show."""
    header, rows = read_rows(data, "hr/employees.csv")
    return {r[header.index(c)] for r in rows for c in ("name", "bank_account")} - {""}


def copy_city(tmp_path: Path) -> Path:
    """A fresh, writable copy of the example's data directory."""
    return Path(shutil.copytree(EXAMPLE / "data", tmp_path / "data"))


def read_rows(data: Path, file: str) -> tuple[list[str], list[list[str]]]:
    with (data / file).open(newline="", encoding="utf-8") as fh:
        header, *rows = csv.reader(fh)
    return header, rows


def write_rows(data: Path, file: str, header: list[str], rows: list[list[str]]) -> None:
    with (data / file).open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, *rows])


def get_row(data: Path, file: str, row: int) -> dict[str, str]:
    """Data row ``row`` (1-based) of a CSV file, as text."""
    header, rows = read_rows(data, file)
    return dict(zip(header, rows[row - 1], strict=True))


def count_rows(data: Path, file: str) -> int:
    return len(read_rows(data, file)[1])


def set_cell(data: Path, file: str, row: int, column: str, value: str) -> dict[str, str]:
    """Overwrite one cell; returns the row as it was before."""
    header, rows = read_rows(data, file)
    before = dict(zip(header, rows[row - 1], strict=True))
    rows[row - 1][header.index(column)] = value
    write_rows(data, file, header, rows)
    return before


def append_copy(data: Path, file: str, row: int, **changes: str) -> int:
    """Append a copy of data row ``row`` with some cells changed; returns the new row number."""
    header, rows = read_rows(data, file)
    copy = dict(zip(header, rows[row - 1], strict=True)) | changes
    rows.append([copy[c] for c in header])
    write_rows(data, file, header, rows)
    return len(rows)


def delete_rows(data: Path, file: str, column: str, value: str) -> None:
    """Remove every data row whose ``column`` equals ``value``."""
    header, rows = read_rows(data, file)
    write_rows(data, file, header, [r for r in rows if r[header.index(column)] != value])


def drop_column(data: Path, file: str, column: str) -> None:
    header, rows = read_rows(data, file)
    i = header.index(column)
    write_rows(data, file, header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows])


def add_column(data: Path, file: str, column: str, value: str) -> None:
    header, rows = read_rows(data, file)
    write_rows(data, file, [*header, column], [[*r, value] for r in rows])


# --- the activity log as Parquet -----------------------------------------------------------

LOG_CSV = "ekinerja/activity_log.csv"


def typed_log(data: Path) -> pl.DataFrame:
    """The CSV activity log with the types a Parquet export would carry."""
    text = pl.read_csv(data / LOG_CSV, infer_schema=False)
    return text.with_columns(
        pl.col("work_date").str.to_date("%Y-%m-%d"),
        pl.col("quantity").cast(pl.Int64),
        pl.col("approved_at").str.to_datetime("%Y-%m-%d %H:%M", time_unit="us"),
    )


def log_to_parquet_file(data: Path) -> None:
    """``ekinerja/activity_log.csv`` → ``ekinerja/activity_log.parquet``."""
    typed_log(data).write_parquet(data / "ekinerja" / "activity_log.parquet")
    (data / LOG_CSV).unlink()


def log_to_hive_folder(data: Path) -> list[str]:
    """``ekinerja/activity_log.csv`` → ``ekinerja/activity_log/period=YYYY-MM/part-0.parquet``,
    one partition per month of ``work_date``; returns the part files' paths, in path order."""
    log = typed_log(data).with_columns(pl.col("work_date").dt.strftime("%Y-%m").alias("month"))
    parts = []
    for month in sorted(log["month"].unique()):
        part = data / "ekinerja" / "activity_log" / f"period={month}" / "part-0.parquet"
        part.parent.mkdir(parents=True)
        log.filter(pl.col("month") == month).drop("month").write_parquet(part)
        parts.append(part.relative_to(data).as_posix())
    (data / LOG_CSV).unlink()
    return parts


def set_parquet_cell(data: Path, file: str, row: int, column: str, value: object) -> dict[str, object]:
    """Overwrite one cell of a Parquet file (row 1-based); returns the row as it was before."""
    frame = pl.read_parquet(data / file)
    before = frame.row(row - 1, named=True)
    index = pl.int_range(pl.len())
    frame = frame.with_columns(pl.when(index == row - 1).then(pl.lit(value, dtype=frame.schema[column]))
                               .otherwise(pl.col(column)).alias(column))
    frame.write_parquet(data / file)
    return before
