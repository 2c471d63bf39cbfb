"""Read a data directory (SPEC §3) through its contracts: every row accepted or rejected.

Each input is read in one streaming pass (:func:`check_input`): the typed rows of its files
(:mod:`pipelines.sources.exports`) get a flag telling whether they pass every check of the contract
(:mod:`pipelines.sources.checks`) and every reference, and flow in batches past an inspector
that keeps only what is small — the failing rows (which become the rejects ``file, row,
column, reason``), the counts per file, the proof that the key is unique (keys in increasing
order prove it in the same pass; otherwise the duplicates are found by hash) — and whatever
the caller asks to keep of the accepted rows: every row of an input but the activity log.

The activity log is never held whole: of its accepted rows the pass keeps the few that name an
e-Project package, and its approved minutes per employee-day are summed right after the pass
from a second read of the accepted rows, in slices of NIPs when the log is large (summing them
batch by batch in the checking pass measured slower; docs/decisions.md). The attendance the
engine reads is kept compact, and an input the month does not compute from is not held.

A fatal problem (a required file missing or unreadable, a required column absent, a Parquet
column of a foreign type, a month with nothing to compute from) raises :class:`InputError`
naming the file and column; the caller writes nothing. A reason never quotes a value from a
file that holds personal data nor a NIP, and never more than :data:`QUOTED_CHARS` characters.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

import narwhals.stable.v2 as nw
import numpy as np
import polars as pl

from engine import ATTENDANCE_STATUSES, SOURCES, Period, approved_day_minutes, referenced_logs
from pipelines.progress import stage
from pipelines.sources import CONTRACTS, Contract, Reference
from pipelines.sources.checks import contract_checks, quotable
from pipelines.sources.exports import (
    KIND_WORDS,
    MAX_CELL_BYTES,
    Fingerprints,
    InputError,
    Scan,
    contract_files,
    kind_of,
    open_scan,
)

__all__ = ["CheckedInput", "DataDir", "FileLoad", "InputError", "check_input", "nothing", "read_data_dir", "whole"]

_FILE = "__file"
_ROW = "__row"
_FINE = "__fine"
_LINE_FLAGS = ("__extra", "__garbled", "__blank", "__long")
LINE = "(line)"
"""The rejects' column for a problem with the whole line rather than one value."""
BATCH_ROWS = 500_000
DAY_MINUTES_AT_ONCE = 60_000_000
"""Log rows summed into employee-days by one group-by: 100 M rows of 1,000,000 employees
(18 M employee-days) take 2.3 GiB at once, each half of the NIPs 1.4 GiB (docs/decisions.md)."""
HASHES_AT_ONCE = 20_000_000
"""Key hashes counted in one scan when looking for duplicates (about 1 GiB of hash table)."""

REFERENCED_LOG_COLUMNS = ("nip", "work_date", "activity_code", "status", "ref")
"""What :func:`engine.productivity.referenced_logs` reads of the log."""
Reduction = Callable[[pl.LazyFrame], pl.LazyFrame]
"""A lazy function of an input's accepted rows (typed as its contract)."""


@dataclasses.dataclass(frozen=True)
class FileLoad:
    """What happened to one physical file: counted rows and its fingerprint."""

    file: str
    sha256: str
    rows_read: int
    accepted: int
    rejected: int
    outside_period: int = 0
    """Rows of another month in a file that holds several (not checked; SPEC §3.1 as decided:
    ``accepted + rejected + outside_period = rows_read``)."""


@dataclasses.dataclass(frozen=True)
class DataDir:
    """Accepted rows per contract (typed, lazy), every rejected row, and per-file counts.

    ``engine_frames``: frames the engine reads instead of deriving them from ``tables`` — the
    two reductions of the activity log (``day_minutes``, ``referenced_logs``) and the attendance
    with numeric NIPs, as the reader prepared them (:func:`pipelines.month.backends.engine_inputs`)."""

    tables: dict[str, pl.LazyFrame]
    rejects: pl.DataFrame
    loads: tuple[FileLoad, ...]
    engine_frames: dict[str, pl.LazyFrame] = dataclasses.field(default_factory=dict)

    def table(self, name: str) -> pl.DataFrame:
        """One accepted table, computed."""
        return self.tables[name].collect()

    def frames(self) -> dict[str, pl.DataFrame]:
        """Every accepted table, computed (for analysis: the whole activity log in memory)."""
        return dict(zip(self.tables, pl.collect_all(self.tables.values())))


@dataclasses.dataclass(frozen=True)
class CheckedInput:
    """One input after its pass (:func:`check_input`)."""

    contract: Contract
    scans: tuple[Scan, ...]
    rejected_rows: tuple[pl.Series, ...]
    """Per scan, the ``__row`` positions of its rejected rows."""
    rejects: pl.DataFrame
    counts: tuple[tuple[int, int], ...]
    """Per scan: rows read, rows rejected."""
    outside: tuple[int, ...]
    """Per scan: rows read of another month than the period (:func:`by_period`), not checked."""
    period_rows: int
    """Accepted rows dated in the period (0 when no period was given or the input is not dated)."""
    kept: pl.DataFrame
    """What the caller asked to keep of the accepted rows."""
    within: Period | None = None
    """The period whose rows alone were checked (:func:`by_period`); None: every row."""

    def accepted(self, file: int | None = None) -> pl.LazyFrame:
        """The accepted rows (of every file, or of file number ``file``), typed as the contract,
        in reading order: the files scanned again less the rejected rows (lazily: nothing is
        read until the frame is)."""
        parts = [
            (scan.typed(accepted=True) if rows.len() == 0
             else scan.typed(accepted=True).filter(~pl.col(_ROW).is_in(rows.implode())))
            .select(_typed(self.contract))
            for i, (scan, rows) in enumerate(zip(self.scans, self.rejected_rows)) if file in (None, i)
        ]
        if self.within is not None:
            parts = [p.filter(_dated_in(self.contract, self.within)) for p in parts]
        return pl.concat(parts) if parts else pl.LazyFrame(schema=self.contract.dtypes)

    def loads(self, sha256: Callable[[Scan], str]) -> list[FileLoad]:
        return [FileLoad(scan.file, sha256(scan), read, read - rejected - outside, rejected, outside)
                for scan, (read, rejected), outside in zip(self.scans, self.counts, self.outside)]


def _typed(contract: Contract, columns: list[str] | None = None) -> list[pl.Expr]:
    """The contract's columns (or ``columns``) in its types (integers are parsed as Int128 to be
    range-checked)."""
    return [pl.col(c).cast(t) for c, t in contract.dtypes.items() if columns is None or c in columns]


def whole(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Keep every accepted row."""
    return rows


def read_data_dir(data: Path, period: Period | None = None) -> DataDir:
    """Read and validate every input file of ``data`` in dependency order.

    With ``period``, an activity-log folder partitioned by ``period=YYYY-MM`` is read for that
    partition only (the other months' rows are not inputs of this run), and a month with no
    accepted employee, activity or attendance stops the run.
    """
    if not data.is_dir():
        raise InputError(f"{data}: data directory not found")
    files = {c.name: contract_files(data, c, None if period is None else str(period)) for c in CONTRACTS.values()}
    fingerprints = Fingerprints(p for paths in files.values() for p in paths)
    tables: dict[str, pl.LazyFrame] = {}
    rejects: list[pl.DataFrame] = []
    checked_inputs: list[CheckedInput] = []
    engine_frames: dict[str, pl.LazyFrame] = {}
    for contract in CONTRACTS.values():
        stage(f"reading {contract.path}")
        scans = [open_scan(data, path, contract) for path in files[contract.name]]
        targets = {ref.column: _target_values(tables[ref.table], ref) for ref in contract.references}
        if contract.large:
            checked = check_input(contract, scans, targets, period, keep=_native(referenced_logs),
                                  keep_reads=REFERENCED_LOG_COLUMNS)
            tables[contract.name] = checked.accepted()
            accepted = sum(read - rejected for read, rejected in checked.counts)
            engine_frames |= {"day_minutes": _day_minutes(tables[contract.name], tables["catalog"], accepted),
                              "referenced_logs": checked.kept.lazy()}
        elif contract.dated_by:  # attendance: millions of rows, kept compact (15 bytes a row, not 44)
            checked = check_input(contract, scans, targets, period, keep=_compact_attendance)
            engine_frames[contract.name] = checked.kept.lazy()
            tables[contract.name] = checked.kept.lazy().with_columns(
                pl.col("nip").cast(pl.String).str.zfill(18), pl.col("status").cast(pl.String),
                pl.col(contract.times).cast(pl.Int64))
        elif contract.name in SOURCES:
            checked = check_input(contract, scans, targets, period)
            tables[contract.name] = checked.kept.lazy()
        else:  # not the month's (e-Payment's transfers: 126 MiB at 1,000,000 employees): read again if asked for
            checked = check_input(contract, scans, targets, period, keep=nothing)
            tables[contract.name] = checked.accepted()
        rejects.append(checked.rejects)
        checked_inputs.append(checked)
        if period is not None:
            _require_rows(checked, period)
    loads = tuple(load for checked in checked_inputs for load in checked.loads(lambda s: fingerprints.sha256(s.path)))
    return DataDir(tables, pl.concat(rejects).sort("file", "row", "column", "reason"), loads, engine_frames)


def nothing(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Keep no accepted row."""
    return rows.clear()


_STATUS = pl.Enum(ATTENDANCE_STATUSES)


def _compact_attendance(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Accepted attendance as the engine reads it, small (the engine casts back): the NIP (18
    ASCII digits, proved) as an Int64, the status (one of the allowed, proved) as a one-byte
    category, the times (minutes of the day, proved below 1440) as Int16."""
    return rows.with_columns(pl.col("nip").cast(pl.Int64), pl.col("status").cast(_STATUS),
                             pl.col("check_in", "check_out").cast(pl.Int16))


def _day_minutes(log: pl.LazyFrame, catalog: pl.LazyFrame, rows: int) -> pl.LazyFrame:
    """The accepted log's approved minutes per employee-day (:func:`engine.approved_day_minutes`,
    ``rows`` accepted rows), computed now in slices of NIPs of at most :data:`DAY_MINUTES_AT_ONCE`
    rows each (an employee-day's rows all fall in one slice, so the slices' sums are the sums)."""
    slices = max(1, -(-rows // DAY_MINUTES_AT_ONCE))
    minutes = _native(approved_day_minutes, catalog)
    nip = pl.col("nip").cast(pl.Int64, strict=False)  # proved 18 digits on every accepted row
    parts = [minutes(log if slices == 1 else log.filter(nip % slices == i)).collect(engine="streaming")
             for i in range(slices)]
    return pl.concat(parts).lazy()


def _native(function: Callable[..., nw.LazyFrame[pl.LazyFrame]], *others: pl.LazyFrame) -> Reduction:
    """An engine function of narwhals frames as a :data:`Reduction` of Polars frames."""
    def reduce(rows: pl.LazyFrame) -> pl.LazyFrame:
        return nw.to_native(function(nw.from_native(rows), *(nw.from_native(o) for o in others)))

    return reduce


def _target_values(table: pl.LazyFrame, ref: Reference) -> pl.Series:
    return table.select(pl.col(ref.column).unique()).collect().to_series()


def _require_rows(checked: CheckedInput, period: Period) -> None:
    """A month is never computed from nothing (SPEC §3.1): the employees, and the activity log
    and attendance of the period, each need an accepted row."""
    contract = checked.contract
    read = sum(n for n, _ in checked.counts)
    if contract.name == "employees" and read == sum(r for _, r in checked.counts):
        raise InputError(f"{contract.path}: no accepted employee ({read} rows read); "
                         "a month is never computed from nothing")
    if contract.dated_by and checked.period_rows == 0:
        raise InputError(f"{contract.path}: no accepted row in {period} ({read} rows read in all); "
                         "a month is never computed from nothing")


# --------------------------------------------------------------------------- the pass

def check_input(contract: Contract, scans: list[Scan], targets: Mapping[str, pl.Series],
                period: Period | None = None, keep: Reduction = whole,
                keep_reads: tuple[str, ...] | None = None) -> CheckedInput:
    """Check every row of ``scans`` (one input's files, in reading order) against ``contract``;
    ``targets`` holds, per referencing column, the values it may take (the accepted keys of
    the input it references). ``keep`` says what to keep of the accepted rows (applied batch
    by batch: a projection or a filter); ``keep_reads``, the columns it reads (default: all).

    Per row, in order: the line itself (its fields, its encoding), each value's type, the
    model's checks, the references; among the rows still standing, the key (the first row
    wins). A row with several problems gets one reject per column and counts once."""
    try:
        return _checked(contract, scans, targets, period, keep, keep_reads)
    except pl.exceptions.ComputeError as exc:
        if "utf-8" not in str(exc).lower():
            raise InputError(f"{_culprit(scans)}: unreadable as CSV (a line cannot be split into fields: "
                             "an unclosed quote?)") from None
        garbled = [scan.with_garbled() if not scan.parquet else scan for scan in scans]
        return _checked(contract, garbled, targets, period, keep, keep_reads)


def _culprit(scans: list[Scan]) -> str:
    return " or ".join(s.file for s in scans if not s.parquet) or " or ".join(s.file for s in scans)


def _checked(contract: Contract, scans: list[Scan], targets: Mapping[str, pl.Series], period: Period | None,
             keep: Reduction, keep_reads: tuple[str, ...] | None) -> CheckedInput:
    within = period if by_period(contract, period) else None
    flagged = _flagged(contract, scans, targets, within)
    inspector = _Inspector(contract, len(scans), flagged.collect_schema(), period, keep, keep_reads)
    flagged.select(inspector.columns).sink_batches(inspector, chunk_size=BATCH_ROWS)
    inspector.raise_inexact(scans)
    duplicates = None if inspector.proof.unique else _later_duplicates(flagged, contract, int(inspector.read.sum()))
    failed = pl.concat(inspector.failing) if inspector.failing else \
        flagged.select(inspector.columns).clear().collect()
    rejects = pl.concat([_reasons(failed, contract, targets), _duplicate_reasons(duplicates, contract)])
    rejects = rejects.unique([_FILE, _ROW, "column"], keep="first", maintain_order=True)
    rejected_rows = tuple(rejects.filter(pl.col(_FILE) == i)[_ROW].unique().sort() for i in range(len(scans)))
    located = rejects.select(
        pl.col(_FILE).replace_strict(range(len(scans)), [s.file for s in scans], return_dtype=pl.String)
        .alias("file") if scans else pl.lit(None, pl.String).alias("file"),
        (pl.col(_ROW).cast(pl.Int64) + 1).alias("row"), "column", "reason")
    checked_rows = [int(n) for n in inspector.read]
    every = [_rows_in(scan) for scan in scans] if within is not None else checked_rows
    counts = tuple((n, rows.len()) for n, rows in zip(every, rejected_rows))
    outside = tuple(n - m for n, m in zip(every, checked_rows))
    kept = pl.concat(inspector.kept) if inspector.kept else \
        keep(flagged.select(_typed(contract, inspector.kept_columns)).clear()).collect()
    checked = CheckedInput(contract, tuple(scans), rejected_rows, located, counts, outside, inspector.period_rows,
                           kept, within)
    if duplicates is None:
        return checked
    # The first row wins: what was kept while the duplicates were unknown is kept again.
    accepted = checked.accepted()
    dated = 0 if period is None or not contract.dated_by else \
        accepted.select(_dated_in(contract, period).sum()).collect().item()
    return dataclasses.replace(checked, kept=keep(accepted).collect(), period_rows=dated)


class _Inspector:
    """Sees every row of an input go by in batches, in reading order (:meth:`__call__`), and
    keeps the counts, the failing rows, the key proof and what the caller keeps."""

    def __init__(self, contract: Contract, files: int, schema: pl.Schema, period: Period | None,
                 keep: Reduction, keep_reads: tuple[str, ...] | None) -> None:
        self.contract, self.period, self.keep = contract, period, keep
        self.inexact = [c for c in schema if c.startswith("__inexact_")]
        flags = [c for c in schema if c.startswith("__bad_") or c in _LINE_FLAGS]
        self.kept_columns = list(contract.columns if keep_reads is None else keep_reads)
        judged = [c for check in contract_checks(contract) for c in check.reads or (check.column,)]
        shown = [*judged, *(r.column for r in contract.references), *contract.key,
                 *([contract.dated_by] if contract.dated_by else []), *self.kept_columns]
        self.columns = list(dict.fromkeys([_FILE, _ROW, *(c for c in contract.columns if c in shown), *flags,
                                           *self.inexact, _FINE]))
        self.read = np.zeros(files, dtype=np.int64)
        self.failing: list[pl.DataFrame] = []
        self.kept: list[pl.DataFrame] = []
        self.proof = _KeyProof(contract.key)
        self.period_rows = 0
        self.first_inexact: pl.DataFrame | None = None
        self._lock = threading.Lock()

    def __call__(self, batch: pl.DataFrame) -> None:
        with self._lock:
            files = batch[_FILE]
            if files[0] == files[-1]:
                self.read[files[0]] += batch.height
            else:
                self.read += np.bincount(files.to_numpy(), minlength=len(self.read))
            if self.inexact and self.first_inexact is None:
                inexact = batch.filter(pl.any_horizontal(self.inexact))
                self.first_inexact = inexact.head(1) if inexact.height else None
            fine = batch[_FINE]
            all_fine = bool(fine.all())
            if not all_fine:
                self.failing.append(_without_long_values(batch.filter(~fine), self.contract))
            standing = batch if all_fine else batch.filter(fine)
            self.proof.extend(standing)
            rows = standing.lazy().select(_typed(self.contract, self.kept_columns))
            self.kept.append(self.keep(rows).collect(engine="in-memory"))
            if self.period is not None and self.contract.dated_by:
                self.period_rows += int(standing.select(_dated_in(self.contract, self.period).sum()).item())

    def raise_inexact(self, scans: list[Scan]) -> None:
        """Stop on a Parquet value of another type that does not convert exactly."""
        if self.first_inexact is None:
            return
        row = self.first_inexact.row(0, named=True)
        name = next(c for c in self.inexact if row[c]).removeprefix("__inexact_")
        scan = scans[row[_FILE]]
        kind = KIND_WORDS[kind_of(name, scan.contract)]
        raise InputError(f"{scan.file}: column '{name}' is stored as {dict(scan.source_types)[name]} and row "
                         f"{row[_ROW] + 1} holds a value that is not {kind} exactly (Parquet types are not "
                         f"guessed; export the column as {kind})")


def _without_long_values(failed: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """Failing rows with the text values of a line holding an over-long cell dropped: its
    reason names the line, and nothing of it is held longer than the batch."""
    if "__long" not in failed.columns or not failed["__long"].any():
        return failed
    texts = [c for c in contract.columns if failed.schema.get(c) == pl.String]
    return failed.with_columns(pl.when(~pl.col("__long")).then(pl.col(c)).alias(c) for c in texts)


class _KeyProof:
    """Watches the standing rows of an input go by, in reading order: keys that only increase
    within each file (in the key's column order, or reversed for a two-column key: exports
    sorted by date, then NIP), in files whose key ranges do not overlap, cannot repeat — in
    whatever order the files' names put them (``part-10`` before ``part-2``). The cheapest proof
    that a key is unique; without it the duplicates are looked for by hash
    (:func:`_later_duplicates`)."""

    def __init__(self, key: tuple[str, ...]) -> None:
        self.orders = [list(key), list(key)[::-1]] if len(key) == 2 else [list(key)]
        self.increasing = [True] * len(self.orders)
        self.ranges: list[dict[int, list[tuple[object, ...]]]] = [{} for _ in self.orders]
        """Per order, per file: its first and its last key so far."""

    @property
    def unique(self) -> bool:
        for increasing, ranges in zip(self.increasing, self.ranges):
            spans = sorted(ranges.values())
            if increasing and all(a[1] < b[0] for a, b in zip(spans, spans[1:])):
                return True
        return False

    def extend(self, rows: pl.DataFrame) -> None:
        if rows.height == 0:
            return
        files = rows[_FILE]
        parts = [rows] if files[0] == files[-1] else rows.partition_by(_FILE, maintain_order=True)
        for part in parts:
            file = part[_FILE][0]
            for i, order in enumerate(self.orders):
                if not self.increasing[i]:
                    continue
                span = self.ranges[i].get(file)
                self.increasing[i], last = _still_increasing(part, order, span[1] if span else None)
                self.ranges[i][file] = [span[0] if span else part.select(order).row(0), last]


def _still_increasing(rows: pl.DataFrame, key: list[str], last: tuple[object, ...] | None
                      ) -> tuple[bool, tuple[object, ...]]:
    """Whether ``rows`` continue a strictly increasing run of ``key`` values after ``last``."""
    columns = [rows[c] for c in key]
    first, final = tuple(c[0] for c in columns), tuple(c[-1] for c in columns)
    if last is not None and not first > last:
        return False, final
    n = rows.height
    greater: pl.Series | None = None
    for column in reversed(columns):
        now, before = column.slice(1), column.slice(0, n - 1)
        greater = now > before if greater is None else (now > before) | ((now == before) & greater)
    return greater is None or bool(greater.all()), final


def by_period(contract: Contract, period: Period | None) -> bool:
    """Whether a run of ``period`` checks only the period's rows of ``contract``'s files: a dated
    input whose key holds its date (the attendance), so that a row of another month can never
    decide which of the period's rows a key keeps. The others are checked whole."""
    return period is not None and contract.dated_by is not None and contract.dated_by in contract.key


def _dated_in(contract: Contract, period: Period) -> pl.Expr:
    """Whether a row of ``contract`` (a dated input) is dated in ``period`` (null: no date)."""
    if contract.dated_by is None:
        raise TypeError(f"{contract.name} is not dated")
    return pl.col(contract.dated_by).is_between(period.first_day, period.last_day)


def _rows_in(scan: Scan) -> int:
    """Every row of the file: one past its last row's number, streamed (no value is parsed).
    Counted with ``len`` the file is mapped whole at once: 2.2 GiB more resident for a flat
    attendance file of 1,000,000 employees' two months."""
    last = scan.typed().select(pl.col(_ROW).max()).collect(engine="streaming").item()
    return 0 if last is None else int(last) + 1


def _flagged(contract: Contract, scans: list[Scan], targets: Mapping[str, pl.Series],
             period: Period | None = None) -> pl.LazyFrame:
    """The typed rows of every file of the input (``__file`` numbers the file) with the scans'
    flag columns and ``__fine``: the row passes every check and reference; with ``period``, only
    the rows dated in it or with no date that parses (to be rejected) — the other months' rows
    are left before any check.

    The files are joined first and checked once: a reference's set of targets is built once,
    not per file."""
    if not scans:
        return pl.LazyFrame(schema={_ROW: pl.UInt32, _FILE: pl.UInt16, _FINE: pl.Boolean,
                                    **{c: pl.Int128 if kind_of(c, contract) == "integer" else contract.dtypes[c]
                                       for c in contract.columns}})
    typed = pl.concat([scan.typed().with_columns(pl.lit(i, pl.UInt16).alias(_FILE)) for i, scan in enumerate(scans)],
                      how="diagonal_relaxed")
    if period is not None:
        typed = typed.filter(_dated_in(contract, period).fill_null(True))  # no date: to be rejected
    flags = [c for c in typed.collect_schema() if c in _LINE_FLAGS or c.startswith("__bad_")]
    checks = nw.any_horizontal(*(~check.ok for check in contract_checks(contract)), ignore_nulls=True)
    references = [_unknown(pl.col(ref.column), targets[ref.column]) for ref in contract.references]
    return (
        nw.from_native(typed.with_columns(pl.col(flags).fill_null(False))).with_columns(checks.alias("__checks"))
        .to_native()
        .with_columns((~pl.any_horizontal("__checks", *flags, *references)).alias(_FINE))
        .drop("__checks")
    )


def _unknown(value: pl.Expr, targets: pl.Series) -> pl.Expr:
    return value.is_not_null() & ~value.is_in(targets.implode())


def _later_duplicates(flagged: pl.LazyFrame, contract: Contract, rows: int) -> pl.DataFrame:
    """Standing rows whose key an earlier standing row already has (reading order: file, row).

    Only rows whose key hash repeats are compared exactly. The hashes are counted a slice of
    the hash range at a time (a scan each), so memory holds at most HASHES_AT_ONCE of them."""
    key = list(contract.key)
    keyed = flagged.filter(pl.col(_FINE)).select(_FILE, _ROW, *key, pl.struct(key).hash(7).alias("__hash"))
    slices = -(-rows // HASHES_AT_ONCE)
    repeated = pl.concat([
        keyed.filter(pl.col("__hash") % slices == i).group_by("__hash").len().filter(pl.col("len") > 1)
        .select("__hash").collect(engine="streaming").to_series() for i in range(max(slices, 1))])
    suspects = keyed.filter(pl.col("__hash").is_in(repeated.implode())).drop("__hash").collect().sort(_FILE, _ROW)
    return suspects.filter(~pl.struct(key).is_first_distinct())


# --------------------------------------------------------------------------- reasons

def _reasons(failed: pl.DataFrame, contract: Contract, targets: Mapping[str, pl.Series]) -> pl.DataFrame:
    """``__file, __row, column, reason`` of the failing rows, most basic problem first: the
    line, each value's type, the model's checks (on values of the right type), then the
    references (only for rows with no other problem)."""
    if failed.height == 0:
        return _no_reasons()
    absent = [c for c in (*_LINE_FLAGS, *(f"__bad_{c}" for c in contract.columns)) if c not in failed.columns]
    failed = failed.with_columns(pl.lit(False).alias(c) for c in absent)
    checks = contract_checks(contract)
    failures = nw.from_native(failed).with_columns(
        *((~check.ok).fill_null(False).alias(f"__check{k}") for k, check in enumerate(checks))).to_native()
    found: list[pl.DataFrame] = []

    def add(mask: pl.Expr, column: str, reason: pl.Expr | str) -> None:
        text = pl.lit(reason) if isinstance(reason, str) else reason
        found.append(failures.filter(mask).select(_FILE, _ROW, pl.lit(column).alias("column"), text.alias("reason")))

    add(pl.col("__extra"), LINE, "the line has more fields than the header (a value holding an unquoted "
                                 "separator shifts the row)")
    add(pl.col("__garbled") & ~pl.col("__extra"), LINE, "text is not UTF-8 (export the file as UTF-8)")
    add(pl.col("__blank") & ~pl.col("__extra"), LINE, "no value in any column (an empty line)")
    add(pl.col("__long") & ~pl.col("__extra"), LINE, f"a value longer than {MAX_CELL_BYTES:,} bytes (a quote left "
                                                     "open swallowing lines?); the line's values are not read")
    readable = ~pl.any_horizontal(_LINE_FLAGS)  # a broken line's values mean nothing: they are not judged
    for c in contract.columns:
        add(readable & pl.col(f"__bad_{c}"), c, f"wrong type: expected {KIND_WORDS[kind_of(c, contract)]}")
    for k, check in enumerate(checks):
        reason = _quoted(check.reason, check.column) if check.quote else check.reason
        add(readable & pl.col(f"__check{k}") & ~pl.col(f"__bad_{check.column}"), check.column, reason)
    others = pl.any_horizontal(pl.col(r"^__(check\d+|bad_.*|extra|garbled|blank|long)$"))
    for ref in contract.references:
        add(_unknown(pl.col(ref.column), targets[ref.column]) & ~others, ref.column, _unknown_reason(ref, contract))
    return pl.concat(found).sort(_FILE, _ROW, maintain_order=True)


QUOTED_CHARS = 32
"""A reason quotes at most this many characters of a value (and "…" when it is longer)."""


def _quoted(reason: str, column: str) -> pl.Expr:
    return pl.concat_str(pl.lit(f"{reason} ('"), _shown(pl.col(column)), pl.lit("')"))


def _shown(value: pl.Expr) -> pl.Expr:
    """A value as a reason quotes it: at most :data:`QUOTED_CHARS` characters."""
    text = value.cast(pl.String)
    return pl.when(text.str.len_chars() > QUOTED_CHARS).then(
        text.str.slice(0, QUOTED_CHARS - 1) + pl.lit("…")).otherwise(text)


def _unknown_reason(ref: Reference, contract: Contract) -> pl.Expr:
    """"unknown reference" — or "wrong format" when the value does not even have the format of
    the column it refers to (a NIP of 17 digits is not some employee we do not know)."""
    target_file = CONTRACTS[ref.table].path
    target = CONTRACTS[ref.table].model.to_schema().columns[ref.column]
    pattern = next((c.statistics["pattern"] for c in target.checks if c.name == "str_matches"), None)
    value = pl.col(ref.column)
    if not quotable(contract, ref.column):
        unknown = pl.lit(f"unknown reference: {ref.column} is not in {target_file}")
        malformed = pl.lit("wrong format")
    else:
        unknown = pl.concat_str(pl.lit(f"unknown reference: {ref.column} '"), _shown(value),
                                pl.lit(f"' is not in {target_file}"))
        malformed = _quoted("wrong format", ref.column)
    if pattern is None:
        return unknown
    return pl.when(value.str.contains(pattern)).then(unknown).otherwise(malformed)


def _duplicate_reasons(duplicates: pl.DataFrame | None, contract: Contract) -> pl.DataFrame:
    if duplicates is None or duplicates.height == 0:
        return _no_reasons()
    key = ", ".join(contract.key)
    return duplicates.select(_FILE, _ROW, pl.lit(key).alias("column"),
                             pl.lit(f"duplicate key ({key}): an earlier row has the same key").alias("reason"))


def _no_reasons() -> pl.DataFrame:
    return pl.DataFrame(schema={_FILE: pl.UInt16, _ROW: pl.UInt32, "column": pl.String, "reason": pl.String})
