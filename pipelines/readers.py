"""Read a data directory (SPEC §3) through its contracts: every row accepted or rejected.

A fatal problem (a required file missing or unreadable, a required column absent) raises
:class:`InputError` naming the file and column; the caller writes nothing. Everything else is
per row: a row that fails its contract, repeats a key or points to something unknown goes to
the rejects with ``file, row, column, reason`` and takes no part in the computation.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import itertools
from collections.abc import Callable
from pathlib import Path

import pandera.polars as pa
import polars as pl

from engine.policy import HHMM_PATTERN
from pipelines.contracts import CONTRACTS, Contract, Reference

_INDEX = "__index"
_CHECK_REASONS = {
    "not_nullable": "missing required value",
    "greater_than_or_equal_to": "negative value",
    "str_matches": "wrong format",
    "isin": "value outside its allowed set",
    "bp_range": "bp outside 0–10000",
}
_DTYPE_WORDS = {pl.Int64: "an integer", pl.Date: "a date YYYY-MM-DD",
                pl.Datetime: "a date-time YYYY-MM-DD HH:MM"}


class InputError(Exception):
    """A fatal input problem: the run stops and writes nothing."""


@dataclasses.dataclass(frozen=True)
class FileLoad:
    """What happened to one physical file: counted rows and its fingerprint."""

    file: str
    sha256: str
    rows_read: int
    accepted: int
    rejected: int


@dataclasses.dataclass(frozen=True)
class Export:
    """One physical file's bytes, its path relative to the data directory and its SHA-256."""

    file: str
    content: bytes
    sha256: str


@dataclasses.dataclass(frozen=True)
class RawFile:
    """One physical file as read: its path relative to the data directory, its rows and its
    fingerprint. ``padded``: a CSV whose text cells may need trimming (see :func:`_may_be_padded`)."""

    file: str
    frame: pl.DataFrame
    sha256: str = ""
    padded: bool = False


@dataclasses.dataclass(frozen=True)
class DataDir:
    """Accepted rows per contract (typed), every rejected row, and per-file counts."""

    tables: dict[str, pl.DataFrame]
    rejects: pl.DataFrame
    loads: tuple[FileLoad, ...]


def quiet(step: str) -> None:
    """The progress listener that says nothing."""


def read_data_dir(data: Path, period: str | None = None, on_step: Callable[[str], None] = quiet) -> DataDir:
    """Read and validate every input file of ``data`` in dependency order.

    With ``period``, an activity-log folder partitioned by ``period=YYYY-MM`` is read for that
    partition only: the other months' rows are not inputs of this run.
    """
    if not data.is_dir():
        raise InputError(f"{data}: data directory not found")
    tables: dict[str, pl.DataFrame] = {}
    sources: dict[str, str] = {}
    rejects: list[pl.DataFrame] = []
    loads: list[FileLoad] = []
    for contract in CONTRACTS.values():
        on_step(f"reading {contract.path}")
        files = contract_files(data, contract, period)
        raw = [read_file(read_export(data, f), contract) for f in files]
        accepted, rejected = validate(raw, contract, tables, sources)
        tables[contract.name] = accepted
        if len(raw) == 1:
            sources[contract.name] = raw[0].file
        rejects.append(rejected)
        loads.extend(file_loads(raw, rejected))
    all_rejects = pl.concat(rejects).sort("file", "row", "column", "reason")
    return DataDir(tables, all_rejects, tuple(loads))


def contract_files(data: Path, contract: Contract, period: str | None = None,
                   complete: bool = True) -> list[Path]:
    """The physical files of a contract, in the order their rows are read.

    ``complete``: the directory must hold every required input (a run); a daily feed into the
    warehouse holds only what arrived, and an absent input has no files.

    Each input is ``<path>.csv`` or ``<path>.parquet``; ``ekinerja/activity_log`` may also be a
    folder of Parquet files (hive partitions allowed), read in path order. Two forms of one
    input at once are ambiguous and stop the run. A folder partitioned by ``period=`` with
    ``period`` given yields that partition's files; a missing partition stops the run.
    """
    path = data / contract.path
    forms = [p for p in (path.with_suffix(".csv"), path.with_suffix(".parquet")) if p.is_file()]
    if contract.folder_allowed and path.is_dir():
        parts = sorted(path.rglob("*.parquet"))
        if not parts:
            raise InputError(f"{contract.path}/: folder holds no Parquet file")
        partitioned = [p for p in parts if p.relative_to(path).parts[0].startswith("period=")]
        if period is not None and partitioned:
            parts = [p for p in partitioned if p.relative_to(path).parts[0] == f"period={period}"]
            if not parts:
                found = sorted({p.relative_to(path).parts[0] for p in partitioned})
                raise InputError(f"{contract.path}/period={period}/: no activity log for the period "
                                 f"(partitions found: {', '.join(found)})")
        forms.append(path)
    if len(forms) > 1:
        shown = " and ".join(p.relative_to(data).as_posix() for p in forms)
        raise InputError(f"{shown}: two exports of the same input; keep one")
    if forms:
        return parts if forms[0].is_dir() else forms
    if contract.optional or not complete:
        return []
    also = ", .parquet or a folder of Parquet files" if contract.folder_allowed else " or .parquet"
    raise InputError(f"{contract.path}.csv: required file is missing from {data} "
                     f"(a {contract.path}{also} is accepted too)")


def read_export(data: Path, path: Path) -> Export:
    """The bytes of one input file (read once: they are parsed and fingerprinted)."""
    rel = path.relative_to(data).as_posix()
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{rel}: unreadable ({type(exc).__name__}: {exc})") from exc
    return Export(rel, content, hashlib.sha256(content).hexdigest())


def read_file(export: Export, contract: Contract) -> RawFile:
    """One file as read (its own column types: text in one Parquet part, typed in another)."""
    rel, content = export.file, export.content
    parquet = rel.endswith(".parquet")
    try:
        present = (pl.read_parquet_schema(io.BytesIO(content)) if parquet
                   else pl.read_csv(content, n_rows=0, infer_schema=False).schema)
        missing = [c for c in contract.columns if c not in present]
        if missing:
            raise InputError(f"{rel}: missing required column '{missing[0]}' "
                             f"(expected columns: {', '.join(contract.columns)})")
        columns = list(contract.columns)
        frame = (pl.read_parquet(io.BytesIO(content), columns=columns, hive_partitioning=False) if parquet
                 else pl.read_csv(content, columns=columns, infer_schema=False))
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 — any reader failure is the same fatal problem
        raise InputError(f"{rel}: unreadable ({type(exc).__name__}: {str(exc).splitlines()[0]})") from exc
    return RawFile(rel, frame, export.sha256, not parquet and _may_be_padded(content))


_PADDING = (b" ", b"\t", b"\r", b"\x0b", b"\x0c", b'"')


def _may_be_padded(csv: bytes) -> bool:
    """Whether a CSV may hold a text cell with white space around it or a quoted empty text.

    Only a plain ASCII file without spaces, tabs, carriage returns or quotes is proved not to;
    its cells are taken as read (an empty cell is already missing), which spares trimming
    every cell of a large export.
    """
    return not csv.isascii() or any(b in csv for b in _PADDING)


def validate(raw: list[RawFile], contract: Contract, accepted: dict[str, pl.DataFrame],
             sources: dict[str, str] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split the rows of ``raw`` (one frame per file, in reading order) into accepted (typed,
    contract columns) and rejects (``file, row, column, reason``). ``accepted`` holds the
    tables read before, for references; ``sources`` names the file each was read from.

    Order of checks: type, the pandera model (required, ranges, allowed sets, cross-column)
    and the format a reference takes from its target, then among the rows still standing the
    key (first row wins) and the references. Rows are tracked by their position in the
    concatenated files (``__index``).
    """
    dtypes = contract.dtypes
    typed = [_parse_file(f, dtypes, contract) for f in raw] or [_parse_file(RawFile("", _empty(contract)),
                                                                             dtypes, contract)]
    offsets = list(itertools.accumulate((frame.height for frame, _ in typed), initial=0))
    unknown = {ref: f"__unknown_{ref.column}" for ref in contract.references}
    rows = pl.concat([frame for frame, _ in typed], how="vertical_relaxed").with_row_index(_INDEX).lazy()
    # The reference lookups and the proof of unique keys share one parallel pass.
    parsed, keys = pl.collect_all([
        rows.with_columns(
            (pl.col(ref.column).is_not_null() & ~pl.col(ref.column).is_in(accepted[ref.table][ref.column].implode()))
            .alias(flag) for ref, flag in unknown.items()),
        rows.select(_key_hash(contract.key).n_unique()),
    ], engine="in-memory")
    type_errors = pl.concat([errors.with_columns(pl.col(_INDEX) + start)
                             for (_, errors), start in zip(typed, offsets, strict=False)])
    checked = _contract_failures(parsed, contract).join(type_errors.select(_INDEX, "column"),
                                                        on=[_INDEX, "column"], how="anti")
    malformed = [_malformed_references(parsed.filter(pl.col(flag)), ref) for ref, flag in unknown.items()]
    failures = pl.concat([type_errors, checked, *malformed])
    standing = _without(parsed, failures)

    unique_keys = keys.item() == parsed.height  # then no subset of the rows repeats a key either
    duplicates = _empty_rejects() if unique_keys else _later_duplicates(standing, contract.key)
    standing = _without(standing, duplicates)

    unmatched = []
    sources = sources or {}
    for ref, flag in unknown.items():
        bad = standing.filter(pl.col(flag))
        target_file = sources.get(ref.table, CONTRACTS[ref.table].path + ".csv")
        unmatched.append(bad.select(
            _INDEX, pl.lit(ref.column).alias("column"),
            pl.format(f"unknown reference: {ref.column} '{{}}' is not in {target_file}", pl.col(ref.column))
            .alias("reason")))
        standing = _without(standing, bad)
    rejects = _located(pl.concat([failures, duplicates, *unmatched]), [f.file for f in raw], offsets)
    return standing.select(contract.columns), rejects


def _malformed_references(unknown: pl.DataFrame, ref: Reference) -> pl.DataFrame:
    """Of the rows whose ``ref.column`` is not among the accepted targets, those whose value
    does not even have the target's format (a NIP's 18 digits), as "wrong format" rejects.

    A value found among the targets has their format already: checking the format only here
    spares a pattern match over every row of a large file.
    """
    target = CONTRACTS[ref.table].model.to_schema().columns[ref.column]
    pattern = next((c.statistics["pattern"] for c in target.checks if c.name == "str_matches"), None)
    if pattern is None:
        return _empty_rejects()
    value = pl.col(ref.column)
    return unknown.filter(~value.str.contains(pattern)).select(
        _INDEX, pl.lit(ref.column).alias("column"), pl.format("wrong format ('{}')", value).alias("reason"))


def _located(rejects: pl.DataFrame, files: list[str], offsets: list[int]) -> pl.DataFrame:
    """``__index`` (position across the files) as ``file`` and 1-based ``row`` within it."""
    starts = pl.Series(offsets[:-1], dtype=pl.UInt32)
    which = starts.search_sorted(rejects[_INDEX], side="right") - 1
    return rejects.select(
        pl.Series("file", files, dtype=pl.String).gather(which).alias("file") if files
        else pl.lit(None, pl.String).alias("file"),
        (pl.col(_INDEX).cast(pl.Int64) - starts.gather(which).cast(pl.Int64) + 1).alias("row"),
        pl.col("column").cast(pl.String), pl.col("reason").cast(pl.String),
    )


def _without(frame: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """``frame`` less the rows (by ``__index``) of ``rows``; reading order is kept."""
    if rows.height == 0:
        return frame
    return frame.filter(~pl.col(_INDEX).is_in(rows[_INDEX].unique().implode()))


def _key(key: tuple[str, ...]) -> pl.Expr:
    return pl.struct(list(key)) if len(key) > 1 else pl.col(key[0])


def _key_hash(key: tuple[str, ...]) -> pl.Expr:
    """A 64-bit hash of the key: as many distinct hashes as rows proves the keys unique in one
    cheap pass; only a file with a repeated hash pays for :func:`_later_duplicates`."""
    return _key(key).hash(7)


def _later_duplicates(frame: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
    """Rows whose key an earlier row already has, as rejects (the first row wins)."""
    return frame.filter(~_key(key).is_first_distinct()).select(
        _INDEX, pl.lit(", ".join(key)).alias("column"),
        pl.lit(f"duplicate key ({', '.join(key)}): an earlier row has the same key").alias("reason"))


def _parse_file(raw: RawFile, dtypes: dict[str, pl.DataType],
                contract: Contract) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One file's columns parsed to the contract types, and its values that do not parse
    (``__index`` is the position within this file)."""
    frame = _cells(raw)
    parsed = frame.select(_parse(frame, name, dtype, name in contract.times).alias(name)
                          for name, dtype in dtypes.items())
    unparsed = [name for name, dtype in dtypes.items() if dtype != pl.String]
    failed = [(name, frame[name].is_not_null() & parsed[name].is_null()) for name in unparsed]
    type_errors = pl.concat(
        [pl.DataFrame({_INDEX: mask.arg_true().cast(pl.UInt32)}).select(
            _INDEX, pl.lit(name).alias("column"),
            pl.lit(f"wrong type: expected {_type_word(dtypes[name], name in contract.times)}").alias("reason"))
         for name, mask in failed if mask.any()]
        or [_empty_rejects()],
    )
    return parsed, type_errors


def _empty(contract: Contract) -> pl.DataFrame:
    return pl.DataFrame(schema={c: pl.String for c in contract.columns})


def _cells(raw: RawFile) -> pl.DataFrame:
    """The file's values before parsing: an empty text is missing, and spaces around a CSV
    cell are dropped (spreadsheet exports); Parquet text is otherwise taken as is."""
    frame = raw.frame
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if raw.padded:
        cells = {name: pl.col(name).str.strip_chars() for name in text}
    else:
        cells = {name: pl.col(name) for name in text if (frame[name] == "").any()}
    return frame.with_columns(pl.when(cell != "").then(cell).alias(name) for name, cell in cells.items())


def _parse(cells: pl.DataFrame, name: str, dtype: object, is_time: bool) -> pl.Expr:
    """``name`` parsed to ``dtype`` (null where it does not parse)."""
    col = pl.col(name)
    source = cells.schema[name]
    if dtype == pl.String:
        return col.cast(pl.String)
    if source != pl.String:
        if dtype == pl.Date and source == pl.Datetime:
            return col.dt.date()
        if source.is_float() and dtype == pl.Int64:
            return pl.when(col == col.floor()).then(col.cast(pl.Int64, strict=False)).alias(name)
        return col.cast(dtype, strict=False)  # type: ignore[arg-type]
    if is_time:
        ok = col.str.contains(HHMM_PATTERN)
        minutes = col.str.slice(0, 2).cast(pl.Int64) * 60 + col.str.slice(3, 2).cast(pl.Int64)
        return pl.when(ok).then(minutes).alias(name)
    if dtype == pl.Int64:
        return col.cast(pl.Int64, strict=False).alias(name)
    if dtype == pl.Date:
        iso = col.str.len_bytes() == 10  # strictly YYYY-MM-DD: 2024-9-5 is a wrong type
        return pl.when(iso).then(col.str.to_date("%Y-%m-%d", strict=False)).alias(name)
    iso = col.str.len_bytes() == 16
    return pl.when(iso).then(col.str.to_datetime("%Y-%m-%d %H:%M", strict=False, time_unit="us")).alias(name)


def _type_word(dtype: object, is_time: bool) -> str:
    if is_time:
        return "a time HH:MM"
    return next((w for t, w in _DTYPE_WORDS.items() if dtype == t), str(dtype))


def _contract_failures(parsed: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """Rows that break the pandera model, as rejects (values of personal columns not shown)."""
    try:
        contract.model.validate(parsed, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases.filter(pl.col("index").is_not_null())
    else:
        return _empty_rejects()
    by_check = cases.with_columns(
        kind=pl.col("check").str.extract(r"^([a-z_]+)", 1),
        column=pl.when(pl.col("schema_context") == "Column").then(pl.col("column"))
        .otherwise(pl.col("check").str.extract(r"^(\w+)", 1)),
    )
    reason = (
        pl.when(pl.col("schema_context") != "Column").then(pl.col("check"))
        .when(pl.col("kind") == "in_range").then(pl.format("value outside its allowed range: {}", pl.col("check")))
        .otherwise(pl.col("kind").replace_strict(_CHECK_REASONS, default=pl.col("check")))
    )
    shown = pl.when(pl.col("column").is_in(list(contract.personal)) | (pl.col("kind") == "not_nullable")
                    | (pl.col("schema_context") != "Column")).then(reason).otherwise(
        pl.format("{} ('{}')", reason, pl.col("failure_case")))
    return (
        by_check.select(pl.col("index").cast(pl.UInt32).alias(_INDEX), pl.col("column").cast(pl.String),
                        shown.alias("reason"))
        .unique(maintain_order=True)
    )


def _empty_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema={_INDEX: pl.UInt32, "column": pl.String, "reason": pl.String})


def file_loads(raw: list[RawFile], rejects: pl.DataFrame) -> list[FileLoad]:
    """Per file: rows read, accepted and rejected (a row with several rejects counts once)."""
    rejected = dict(rejects.group_by("file").agg(pl.col("row").n_unique()).iter_rows())
    return [FileLoad(f.file, f.sha256, f.frame.height, f.frame.height - rejected.get(f.file, 0),
                     rejected.get(f.file, 0)) for f in raw]
