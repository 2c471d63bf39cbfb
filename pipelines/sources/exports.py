"""The edge where exports come in: find an input's files, read their header or schema, and scan
them as typed lazy frames (Polars), fingerprinting their bytes alongside.

Everything here is about one file's *format*; what a valid row is lives in the contracts. A
problem with the file as a whole (missing, unreadable, a required column absent or twice, a
Parquet column of a type that is not the contract's) is an :class:`InputError`: the run stops
and writes nothing. A problem with one cell is a flag column of the scan, for the checks to
turn into a reject.

The typed frame of a file (:meth:`Scan.typed`) has ``__row`` (0-based position in the file),
the contract's columns parsed to their types (integers as Int128 until range-checked), and:

- ``__bad_<column>``: the cell holds something that is not of the column's type;
- ``__inexact_<column>``: a Parquet value of another type that does not convert exactly
  (a fraction in a float of Rupiah, a timestamp with a time for a date) — fatal for the file;
- ``__extra``: a CSV line with more fields than its header (a shifted row);
- ``__long``: a cell longer than :data:`MAX_CELL_BYTES` (a lost quote swallowing lines);
- ``__blank``: a CSV line with no value in any of the contract's columns;
- ``__garbled``: a CSV line whose text is not UTF-8.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import hashlib
import threading
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from pipelines.sources import CONTRACTS, Contract

MAX_CELL_BYTES = 1000
"""The longest value a cell may hold: the longest real ones (an APBD account name, a package
name) are a few hundred bytes; a longer one is a broken export, and its line is rejected whole."""
MAX_HEADER_BYTES = 1 << 16
"""The longest header line: a few dozen column names."""
MAX_LINE_BYTES = 1 << 20
"""The longest line of a CSV export: a file with a longer one is broken (lines ending in a lone
CR, a quote left open) and is refused before it is read, so no line is ever held whole in memory
beyond this."""
EXTRA_FIELDS = 2
"""Fields read beyond a CSV header's, to see a row that has more (truncating beyond that)."""
POLICY_FILE = "policy.toml"
SEPARATORS = (",", ";", "\t", "|")
"""CSV separators recognised from the header line (Excel in an Indonesian locale writes ``;``)."""
_TEXT = (pl.String, pl.Categorical, pl.Enum)
_REPLACEMENT = "\N{REPLACEMENT CHARACTER}"


class InputError(Exception):
    """A fatal input problem: the run stops and writes nothing."""


def contract_files(data: Path, contract: Contract, period: str | None = None,
                   complete: bool = True) -> list[Path]:
    """The physical files of a contract, in the order their rows are read.

    ``complete``: the directory must hold every required input (a run); a daily feed into the
    warehouse holds only what arrived, and an absent input has no files.

    Each input is ``<path>.csv`` or ``<path>.parquet``; ``ekinerja/activity_log`` and
    ``eabsensi/attendance`` may also be a folder of CSV or Parquet files (hive partitions
    allowed), read in path order; hidden files in it (a part being written) are not read. Two
    forms of one input at once are ambiguous and stop the run. A folder partitioned by
    ``period=`` with ``period`` given yields that partition's files; a missing partition stops
    the run.
    """
    path = data / contract.path
    candidates = [path.with_suffix(".csv"), path.with_suffix(".parquet")]
    for candidate in candidates:
        if candidate.is_dir():
            raise InputError(f"{_rel(data, candidate)}: is a folder, not a file; put the export itself there")
        if candidate.exists() and not candidate.is_file():
            raise InputError(f"{_rel(data, candidate)}: is not a file (a FIFO, a socket or a device); put the export "
                             "itself there")
        if candidate.is_symlink() and not candidate.exists():
            raise InputError(f"{_rel(data, candidate)}: a link to a file that does not exist")
    forms = [p for p in candidates if p.is_file()]
    parts: list[Path] = []
    if contract.folder_allowed and path.is_dir():
        parts = sorted(p for p in path.rglob("*") if p.suffix in (".csv", ".parquet")
                       and p.is_file() and not any(x.startswith(".") for x in p.relative_to(path).parts))
        if not parts:
            raise InputError(f"{contract.path}/: folder holds no CSV or Parquet file")
        partitioned = [p for p in parts if p.relative_to(path).parts[0].startswith("period=")]
        if period is not None and partitioned:
            parts = [p for p in partitioned if p.relative_to(path).parts[0] == f"period={period}"]
            if not parts:
                found = sorted({p.relative_to(path).parts[0] for p in partitioned})
                raise InputError(f"{contract.path}/period={period}/: no {contract.path} for the period "
                                 f"(partitions found: {', '.join(found)})")
        forms.append(path)
    if len(forms) > 1:
        shown = " and ".join(_rel(data, p) for p in forms)
        raise InputError(f"{shown}: two exports of the same input; keep one")
    if forms:
        return parts if forms[0].is_dir() else forms
    if contract.optional or not complete:
        return []
    also = ", .parquet or a folder of them" if contract.folder_allowed else " or .parquet"
    raise InputError(f"{contract.path}.csv: required file is missing from {data} "
                     f"(a {contract.path}{also} is accepted too)")


def is_data_directory(folder: Path) -> bool:
    """Whether ``folder`` holds source exports: a ``policy.toml`` or any input file of SPEC §3
    (a place eperf reads and never writes)."""
    places = [folder / POLICY_FILE, *(folder / f"{c.path}{suffix}" for c in CONTRACTS.values()
                                      for suffix in (".csv", ".parquet"))]
    return any(p.exists() for p in places) or any((folder / c.path).is_dir() for c in CONTRACTS.values()
                                                  if c.folder_allowed)


def _rel(data: Path, path: Path) -> str:
    return path.relative_to(data).as_posix()


# --------------------------------------------------------------------------- fingerprints

class Fingerprints:
    """SHA-256 of files, computed by a background thread while the files are scanned (hashlib
    releases the interpreter lock, so this costs a share of the second core, not wall time)."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self._paths = list(paths)
        self._digests: dict[Path, str] = {}
        self._error: dict[Path, OSError] = {}
        self._thread = threading.Thread(target=self._run, name="sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        for path in self._paths:
            try:
                self._digests[path] = sha256_of(path)
            except OSError as exc:
                self._error[path] = exc

    def sha256(self, path: Path) -> str:
        """The file's SHA-256 (waits for the thread to hash every file)."""
        self._thread.join()
        if path in self._error:
            raise InputError(f"{path.name}: unreadable ({type(self._error[path]).__name__})")
        return self._digests[path]


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read 16 MiB at a time: the interpreter lock is let go while each
    chunk is read and hashed, so the scans running beside it are not held up."""
    digest = hashlib.sha256()
    buffer = bytearray(1 << 24)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as fh:
        while size := fh.readinto(buffer):
            digest.update(view[:size])
    return digest.hexdigest()


# --------------------------------------------------------------------------- scans

@dataclasses.dataclass(frozen=True)
class Scan:
    """How to read one file of one contract: its format, where its columns are, their types."""

    file: str
    """The path relative to the data directory: what rejects and messages name."""
    path: Path
    contract: Contract
    separator: str | None = None
    """CSV only: the separator, and each contract column's position in the header."""
    positions: tuple[tuple[str, int], ...] = ()
    fields: int = 0
    padded: bool = False
    """CSV only: the file may hold a cell with white space around it (:func:`_may_be_padded`)."""
    garbled: bool = False
    """CSV only: read as lossy UTF-8 (the strict read failed), garbled lines flagged."""
    source_types: tuple[tuple[str, pl.DataType], ...] = ()
    """Parquet only: each contract column's stored type."""

    @property
    def parquet(self) -> bool:
        return self.separator is None

    def with_garbled(self) -> Scan:
        return dataclasses.replace(self, garbled=True)

    def typed(self, accepted: bool = False) -> pl.LazyFrame:
        """The file's rows: ``__row``, the contract's columns parsed, and the flag columns.

        ``accepted``: only rows that passed their checks will be read, so what matters only for
        a rejected row is skipped (an empty text in a required column)."""
        return self._parquet(accepted) if self.parquet else self._csv()

    def _csv(self) -> pl.LazyFrame:
        names = [f"__f{i}" for i in range(self.fields + EXTRA_FIELDS)]
        raw = pl.scan_csv(
            self.path, has_header=False, skip_rows=1, separator=self.separator or ",",
            schema={n: pl.String for n in names}, missing_columns="insert", truncate_ragged_lines=True,
            encoding="utf8-lossy" if self.garbled else "utf8", row_index_name="__row", raise_if_empty=False)
        cells = {c: _trimmed(pl.col(f"__f{i}")) if self.padded else pl.col(f"__f{i}") for c, i in self.positions}
        cells |= {c: pl.lit(None, pl.String) for c in self.contract.columns if c not in cells}  # an optional column
        extra = pl.any_horizontal(pl.col(n).is_not_null() for n in names[self.fields:]).alias("__extra")
        blank = pl.all_horizontal(cell.is_null() for cell in cells.values()).alias("__blank")
        flags = [extra, blank, _long(names)]
        if self.garbled:
            flags.append(pl.any_horizontal(pl.col(f"__f{i}").str.contains(_REPLACEMENT, literal=True)
                                           for _, i in self.positions).fill_null(False).alias("__garbled"))
        columns = [expr for c, cell in cells.items() for expr in _from_text(c, cell, self.contract)]
        return raw.select("__row", *columns, *flags)

    def _parquet(self, accepted: bool) -> pl.LazyFrame:
        raw = pl.scan_parquet(self.path, hive_partitioning=False, row_index_name="__row",
                              missing_columns="raise")
        stored = dict(self.source_types)
        required = {name for name, column in self.contract.model.to_schema().columns.items() if not column.nullable}
        columns = [expr for c in self.contract.columns
                   for expr in _from_typed(c, stored[c], self.contract, accepted and c in required)]
        texts = [c for c in self.contract.columns if stored[c] == pl.String]
        return raw.select("__row", *columns, *([_long(texts)] if texts else []))


def _long(columns: list[str]) -> pl.Expr:
    """``__long``: a cell of ``columns`` (raw text) longer than :data:`MAX_CELL_BYTES`."""
    return pl.any_horizontal(pl.col(c).str.len_bytes() > MAX_CELL_BYTES for c in columns).fill_null(False) \
        .alias("__long")


def open_scan(data: Path, path: Path, contract: Contract) -> Scan:
    """A :class:`Scan` of one file of ``contract`` after reading its header (CSV) or schema
    (Parquet). Raises :class:`InputError` for a problem with the file as a whole."""
    rel = _rel(data, path)
    if path.suffix == ".parquet":
        try:
            schema = pl.read_parquet_schema(path)
        except Exception as exc:  # noqa: BLE001 — any reader failure is the same fatal problem
            raise InputError(f"{rel}: unreadable as Parquet ({type(exc).__name__})") from exc
        _require(rel, contract, list(schema))
        stored = {c: schema.get(c, pl.Null()) for c in contract.columns}  # an optional column absent: all missing
        for c in contract.columns:
            _target_accepts(rel, c, stored[c], contract)
        return Scan(rel, path, contract, source_types=tuple(stored.items()))
    header = _header(path, rel)
    _check_line_lengths(path, rel)
    separator = max(SEPARATORS, key=lambda s: sum(name in contract.columns for name in _split(header, s)))
    names = _split(header, separator)
    _require(rel, contract, names)
    return Scan(rel, path, contract, separator, tuple((c, names.index(c)) for c in contract.columns if c in names),
                len(names), padded=_may_be_padded(path))


def _header(path: Path, rel: str) -> str:
    """The first line of a CSV file as text (a UTF-8 byte-order mark dropped)."""
    try:
        with path.open("rb") as fh:
            first = fh.readline(MAX_HEADER_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{rel}: unreadable ({type(exc).__name__})") from exc
    if not first.strip():
        raise InputError(f"{rel}: empty file: no header line with the column names")
    if len(first) > MAX_HEADER_BYTES:
        raise InputError(f"{rel}: the first line is longer than {MAX_HEADER_BYTES:,} bytes, so it is not a header "
                         "of column names (a file without line ends?)")
    return codecs.decode(first, "utf-8-sig", errors="replace").rstrip("\r\n")


def _check_line_lengths(path: Path, rel: str) -> None:
    """Refuse a CSV file with a line longer than :data:`MAX_LINE_BYTES` (one pass, in chunks of
    that size: a line inside a chunk is shorter, one across chunks is measured exactly)."""
    since, lines = 0, 1  # bytes since the last line end; the line being read, 1-based with the header
    with path.open("rb", buffering=0) as fh:
        while chunk := fh.read(MAX_LINE_BYTES):
            first = chunk.find(b"\n")
            if first < 0:
                since += len(chunk)
            else:
                since += first
            if since > MAX_LINE_BYTES:
                raise InputError(f"{rel}: line {lines} is longer than {MAX_LINE_BYTES:,} bytes (lines ending in a "
                                 "lone CR, or a quote left open?); export the file again")
            if first >= 0:
                lines += chunk.count(b"\n")
                since = len(chunk) - chunk.rfind(b"\n") - 1


def _split(header: str, separator: str) -> list[str]:
    try:
        return [name.strip() for name in next(csv.reader([header], delimiter=separator))]
    except csv.Error:  # a NUL byte, a quote left open: not a header anyway
        return []


def _require(rel: str, contract: Contract, present: list[str]) -> None:
    for c in contract.columns:
        if c not in present and c not in contract.optional_columns:
            raise InputError(f"{rel}: missing required column '{c}' (expected columns: {', '.join(contract.columns)})")
        if present.count(c) > 1:
            raise InputError(f"{rel}: column '{c}' appears twice in the header; keep one")


# --------------------------------------------------------------------------- parsing

def _trimmed(raw: pl.Expr) -> pl.Expr:
    """A CSV cell with the white space around it dropped (spreadsheet exports); empty is missing
    (the CSV reader already reads an empty cell as missing)."""
    return raw.str.strip_chars().replace("", None)


def _may_be_padded(path: Path) -> bool:
    """Whether a CSV file may hold a cell with white space around it: only a plain ASCII file
    without spaces or tabs is proved not to, and its cells are taken as read, which spares
    trimming every cell of a large export (read in chunks: nothing is held)."""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 23):
            if not chunk.isascii() or b" " in chunk or b"\t" in chunk:
                return True
    return False


def _parquet_text(raw: pl.Expr) -> pl.Expr:
    """A Parquet text value: taken as stored (it is typed data, not a spreadsheet cell), but an
    empty text is missing."""
    return pl.when(raw != "").then(raw)


def kind_of(column: str, contract: Contract) -> str:
    """``text``, ``integer``, ``date``, ``datetime`` or ``time`` (a time of day HH:MM)."""
    if column in contract.times:
        return "time"
    dtype = contract.dtypes[column]
    return {pl.Int64: "integer", pl.Date: "date", pl.Datetime: "datetime"}.get(dtype.base_type(), "text")


_SHAPES = {"date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "datetime": r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}$",
           "time": r"^[0-9]{2}:[0-9]{2}$"}
"""ASCII digits in the exact ISO shape; the parser then checks the ranges (no 2025-02-30, no 24:00)."""
KIND_WORDS = {"text": "text", "integer": "an integer", "date": "a date YYYY-MM-DD",
              "datetime": "a date-time YYYY-MM-DD HH:MM", "time": "a time HH:MM"}


def _from_text(column: str, cell: pl.Expr, contract: Contract) -> list[pl.Expr]:
    """``column`` and ``__bad_<column>`` from a text cell."""
    kind = kind_of(column, contract)
    if kind == "text":
        return [cell.alias(column)]
    if kind == "integer":
        return _with_bad(column, cell, cell.cast(pl.Int128, strict=False))
    shaped = pl.when(cell.str.contains(_SHAPES[kind]))
    value: pl.Expr
    if kind == "date":
        value = shaped.then(cell.str.to_date("%Y-%m-%d", strict=False))
    elif kind == "datetime":
        value = shaped.then(cell.str.to_datetime("%Y-%m-%d %H:%M", strict=False, time_unit="us"))
    else:
        value = _minute_of_day(shaped.then(cell.str.to_time("%H:%M", strict=False)))
    return _with_bad(column, cell, value)


_NS_PER_MINUTE = 60_000_000_000


def _minute_of_day(time: pl.Expr) -> pl.Expr:
    """A time of day as its minute (07:31 → 451; seconds dropped): its nanoseconds since midnight
    floored to minutes, which reads the value once where hour × 60 + minute reads it twice."""
    return time.cast(pl.Int64) // _NS_PER_MINUTE


def _with_bad(column: str, cell: pl.Expr, value: pl.Expr) -> list[pl.Expr]:
    """The parsed ``column`` and ``__bad_<column>``: a cell that holds something the parse rejected."""
    return [value.alias(column), (cell.is_not_null() & value.is_null()).alias(f"__bad_{column}")]


def _target_accepts(rel: str, column: str, stored: pl.DataType, contract: Contract) -> None:
    """Refuse a Parquet column whose stored type is not the contract's or exactly convertible."""
    kind = kind_of(column, contract)
    ok = (isinstance(stored, _TEXT) or stored == pl.Null
          or (kind == "text" and stored.is_integer())
          or (kind == "integer" and (stored.is_integer() or stored.is_float() or isinstance(stored, pl.Decimal)))
          or (kind == "date" and isinstance(stored, pl.Date | pl.Datetime))
          or (kind == "datetime" and isinstance(stored, pl.Date | pl.Datetime))
          or (kind == "time" and isinstance(stored, pl.Time)))
    if not ok:
        raise InputError(f"{rel}: column '{column}' is stored as {stored}, expected {KIND_WORDS[kind]} "
                         "(Parquet types are not guessed; export the column as text or as that type)")


def _from_typed(column: str, stored: pl.DataType, contract: Contract, present: bool = False) -> list[pl.Expr]:
    """``column`` (and ``__bad_``/``__inexact_`` flags) from a Parquet column of type ``stored``;
    ``present``: the value is known to be there (an accepted row's required column)."""
    col = pl.col(column)
    if isinstance(stored, _TEXT):
        text = col if stored == pl.String else col.cast(pl.String)
        return _from_text(column, text if present else _parquet_text(text), contract)
    kind = kind_of(column, contract)
    if stored == pl.Null:
        return [pl.lit(None, contract.dtypes[column] if kind != "integer" else pl.Int128).alias(column)]
    if kind == "text":
        return [col.cast(pl.String).alias(column)]
    inexact: pl.Expr | None = None
    if kind == "integer":
        value = col.cast(pl.Int64) if stored.is_integer() and stored != pl.UInt64 else col.cast(pl.Int128, strict=False)
        if stored.is_float():
            inexact = col.is_not_null() & (~col.is_finite() | (col != col.floor()))
        elif isinstance(stored, pl.Decimal):
            inexact = col.is_not_null() & (value.cast(stored) != col)
    elif kind == "date":
        value = col.dt.date() if isinstance(stored, pl.Datetime) else col
        if isinstance(stored, pl.Datetime):
            inexact = col.is_not_null() & (col.dt.time() != pl.time(0))
    elif kind == "datetime":
        value = col.cast(pl.Datetime("us")) if isinstance(stored, pl.Date) else \
            col.dt.replace_time_zone(None).dt.cast_time_unit("us")
    else:
        value = _minute_of_day(col)
        inexact = col.is_not_null() & (col.cast(pl.Int64) % _NS_PER_MINUTE != 0)
    exprs = [value.alias(column)]
    if inexact is not None:
        exprs.append(inexact.alias(f"__inexact_{column}"))
    return exprs
