"""The HR warehouse: one DuckDB file with every version of every input row, every run with its
outputs, and an append-only audit trail.

- ``loads``: one row per file loaded (who, when, its SHA-256 and row counts); ``rejects`` its
  rejected rows; ``policies`` each ``policy.toml`` text loaded.
- ``src_<table>``: the accepted rows of every load, versioned by the contract's key. ``_load``
  is the load that brought the row, ``_replaced_by`` the load whose row replaced it (empty while
  the row is current). Nothing is deleted, so the warehouse can be read as of any load.
- ``runs`` and ``run_<output>``: each run, its status and its SPEC §6 tables.
- ``audit``: every ingest, run, approval, lock, unlock, adjustment and bank file.
- ``payments``, ``payment_lines``, ``payment_files``: the payment ledger, what every bank file
  issued (:mod:`pipelines.warehouse.ledger`).

Beside the file, ``<warehouse>/pay_register/period=YYYY-MM/`` and ``pool_summary/`` hold each
period's run that counts as Parquet for analysts (:mod:`pipelines.warehouse.mirror`).

Every command works in one transaction (:func:`open_warehouse`): it commits whole, or the
warehouse stays as it was, also when the process is killed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import getpass
import json
import os
import stat
import time
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import narwhals.stable.v2 as nw
import polars as pl

from engine import Period, period_rows
from pipelines import faults
from pipelines.machine import MachineFailure, damaged, failure, os_errno, short
from pipelines.month.outputs import (
    OutputRefused,
    Staged,
    check_name,
    clear_leftovers,
    finish_staged,
    make_whole,
)
from pipelines.sources import CONTRACTS
from pipelines.sources.exports import is_data_directory
from pipelines.warehouse.mirror import claim, mirror_of, sync, warehouse_id

if TYPE_CHECKING:
    import duckdb

DUCKDB_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "memory_limit": "1GB", "preserve_insertion_order": False}
"""A load of millions of rows spills to disk beyond 1 GB instead of taking the machine's memory;
row order inside a table means nothing here (every read orders or keys its rows)."""
_SQL_TYPES = {pl.Int64: "BIGINT", pl.Date: "DATE", pl.Datetime: "TIMESTAMP", pl.String: "VARCHAR"}
_SCHEMA = """
create table if not exists loads (
    load_id bigint primary key, "at" timestamp, "by" varchar, source varchar, file varchar,
    sha256 varchar, rows_read bigint, accepted bigint, rejected bigint, inserted bigint, replaced bigint);
create table if not exists rejects (load_id bigint, file varchar, "row" bigint, "column" varchar, reason varchar);
create table if not exists policies (load_id bigint, sha256 varchar, text varchar);
create table if not exists runs (
    run_id varchar primary key, period varchar, status varchar, "at" timestamp, "by" varchar,
    watermark bigint, fingerprint varchar, adjusts varchar, manifest varchar);
create table if not exists audit (
    seq bigint, "at" timestamp, "by" varchar, action varchar, period varchar, run_id varchar, detail varchar);
create table if not exists pending (tmp varchar, "out" varchar, identity varchar);
create table if not exists payments (
    payment_id varchar primary key, period varchar, kind varchar, "number" bigint, run_id varchar, "at" timestamp,
    "by" varchar, watermark bigint, transfers_sha256 varchar, over_budget varchar, adopted_from bigint);
create table if not exists payment_lines (
    payment_id varchar, nip varchar, opd_code varchar, gross_rp bigint, net_rp bigint);
create table if not exists payment_files (
    payment_id varchar, issue bigint, "at" timestamp, "by" varchar, file varchar, sha256 varchar, reason varchar);
"""

BUDGET_TABLES = ("apbd_lines", "sp2d")
"""Inputs of the pool, not of anyone's entitlement: kept as of the lock in a correction."""


class RunStatus(StrEnum):
    """A kept run's state: a draft is approved, then locked; a newer draft supersedes a draft."""

    DRAFT = "draft"
    APPROVED = "approved"
    LOCKED = "locked"
    SUPERSEDED = "superseded"


class Refused(Exception):
    """A command that cannot be carried out in the warehouse's state (exit code 3)."""


@dataclasses.dataclass(frozen=True)
class Warehouse:
    """An open warehouse inside its command's transaction: who acts and when."""

    con: duckdb.DuckDBPyConnection
    by: str
    at: dt.datetime

    def publish(self, output: Staged) -> None:
        """Commit the command's work, recording the staged output that goes with it: from here
        on its effects stand, and if the command is killed before the output is in place the
        next command on the warehouse puts it there (:func:`finish_pending`). Its entry is
        removed when the command ends."""
        self.rows("insert into pending values (?, ?, ?)", [str(output.tmp), str(output.out), output.identity])
        faults.point("before-commit")
        self.con.execute("commit")
        faults.point("committed")
        self.con.execute("begin transaction")
        self.rows("delete from pending where tmp = ?", [str(output.tmp)])

    def announce(self, tmp: Path, out: Path) -> None:
        """Record at once, outside the command's transaction, the hidden name an output is about
        to be written under: if the command is killed before it commits, the next command on the
        warehouse removes it (:func:`finish_pending`)."""
        with self.con.cursor() as own:
            own.execute("insert into pending values (?, ?, null)", [str(tmp), str(out)])

    def rows(self, sql: str, params: object = None) -> list[tuple[Any, ...]]:
        """The result rows of ``sql``, all fetched (DuckDB keeps a half-read result open). Values
        are typed ``Any``, as in DuckDB's stubs: a caller converts them (``int(...)``) where it
        needs a type."""
        return self.con.execute(sql, params).fetchall()

    def next_load(self) -> int:
        return int(self.rows("select coalesce(max(load_id), 0) + 1 from loads")[0][0])

    def watermark(self) -> int:
        """The last load: the warehouse's state is the loads up to it."""
        return self.next_load() - 1

    def record(self, action: str, period: str | None = None, run_id: str | None = None,
               **detail: object) -> None:
        """Append one entry to the audit trail."""
        seq = self.rows("select coalesce(max(seq), 0) + 1 from audit")[0][0]
        self.rows("insert into audit values (?, ?, ?, ?, ?, ?, ?)",
                  [seq, self.at, self.by, action, period, run_id, json.dumps(detail, sort_keys=True)])

    def table(self, name: str, period: Period | None = None, as_of: int | None = None,
              columns: tuple[str, ...] | None = None, nip: str | None = None) -> pl.DataFrame:
        """The rows of input table ``name`` current after load ``as_of`` (default: now), those of
        ``period`` only when given (:func:`engine.period_rows`), of employee ``nip`` only when
        given and the table has NIPs, typed as its contract."""
        contract = CONTRACTS[name]
        rows = self._rows(name, period, as_of, nip).select(*(columns or contract.columns)).to_native()
        frame: pl.DataFrame = rows.pl()
        return frame.cast({c: contract.dtypes[c] for c in frame.columns})

    def fingerprint(self, name: str, period: Period, as_of: int | None = None, nip: str | None = None) -> list[int]:
        """Rows and Σ of the rows' hashes (every column) of ``name``'s rows in ``period`` (of
        ``nip`` only when given): any added, changed or dropped value changes it; the same rows
        loaded again do not."""
        columns = ", ".join(f'"{c}"' for c in CONTRACTS[name].columns)
        rows = self._rows(name, period, as_of, nip).to_native()
        return [int(x) for x in rows.aggregate(f"count(*), coalesce(sum(hash({columns})::hugeint), 0)").fetchall()[0]]

    def _rows(self, name: str, period: Period | None, as_of: int | None, nip: str | None = None) -> nw.LazyFrame[Any]:
        """The versions of ``name``'s rows current after ``as_of`` (default: now), of ``period``
        only when given, of ``nip`` only when given and ``name`` has NIPs."""
        if as_of is None:
            current = self.con.sql(f"select * from src_{name} where _replaced_by is null")
        else:
            current = self.con.sql(f"select * from src_{name} where _load <= $as_of and "
                                   "(_replaced_by is null or _replaced_by > $as_of)", params={"as_of": as_of})
        rows = nw.from_native(current).drop("_load", "_replaced_by")
        if nip is not None and "nip" in CONTRACTS[name].columns:
            rows = rows.filter(nw.col("nip") == nip)
        scope = period_rows(name, period) if period is not None else None
        return rows if scope is None else rows.filter(scope)

    def changed(self, period: Period, since: int, names: Iterable[str], nip: str | None = None) -> list[str]:
        """The tables among ``names`` whose rows for ``period`` (of ``nip`` only, when given)
        changed after load ``since``."""
        return [name for name in names
                if self.fingerprint(name, period, nip=nip) != self.fingerprint(name, period, since, nip)]

    def rejects(self, as_of: int) -> pl.DataFrame:
        rejects: pl.DataFrame = self.con.sql('select file, "row", "column", reason from rejects where load_id <= ? '
                                             'order by file, "row", "column", reason', params=[as_of]).pl()
        return rejects


@dataclasses.dataclass(frozen=True)
class AuditEntry:
    """One entry of the audit trail: who did what, when, to which period and run."""

    seq: int
    at: str
    by: str
    action: str
    period: str | None
    run_id: str | None
    detail: str
    """What the action carried, as JSON."""


def audit_trail(wh: Warehouse) -> list[AuditEntry]:
    """Every entry of the audit trail, in order."""
    rows = wh.rows('select seq, strftime("at", \'%Y-%m-%d %H:%M:%S\'), "by", action, period, run_id, detail '
                   "from audit order by seq")
    return [AuditEntry(int(seq), str(at), str(by), str(action), _text(period), _text(run_id), str(detail))
            for seq, at, by, action, period, run_id, detail in rows]


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _create_source_tables(con: duckdb.DuckDBPyConnection) -> None:
    for contract in CONTRACTS.values():
        columns = ", ".join(f'"{c}" {_SQL_TYPES[t.base_type()]}' for c, t in contract.dtypes.items())
        con.execute(f"create table if not exists src_{contract.name} ({columns}, _load bigint, _replaced_by bigint)")


WAIT_SECONDS = "EPERF_WAIT_SECONDS"
"""How long a command waits for another on the same warehouse to finish (default 10 s)."""
SUFFIX = ".duckdb"


@contextlib.contextmanager
def open_warehouse(path: Path, by: str | None = None, create: bool = False,
                   wait_seconds: float | None = None) -> Iterator[Warehouse]:
    """The warehouse at ``path`` (made when missing if ``create``) inside one transaction.

    Commands on one warehouse take turns: a second one waits up to ``wait_seconds`` (default:
    ``EPERF_WAIT_SECONDS``, else 10) for the first to finish, then is refused. An exception
    rolls everything back. The path is checked first (:func:`check_warehouse_path`); a failure
    of the machine (a damaged file, a full disk, a read-only folder) is one sentence
    (:class:`~pipelines.machine.MachineFailure`).
    """
    check_warehouse_path(path)
    umask = os.umask(0o077)  # every name and account, every version: the file, its WAL and mirror are the owner's
    try:
        with _said(path), _connected(path, create, _wait(wait_seconds)) as con:
            yield from _transaction(con, path, by)
    finally:
        os.umask(umask)


def check_warehouse_path(path: Path) -> None:
    """Refuse (:class:`OutputRefused`, exit 2) a warehouse path eperf would misuse: a name
    without ``.duckdb`` (its mirror, the name without the suffix, would be another's), a link
    loop, something other than a file, a place inside a data directory, and for a new
    warehouse a mirror folder already holding files."""
    if path.suffix != SUFFIX:
        msg = (f"{path}: a warehouse file's name ends in {SUFFIX} (its Parquet mirror is the folder of the same "
               f"name without it); to open a copy, give the copy a name of its own, e.g. {path.stem}-copy{SUFFIX}")
        raise OutputRefused(msg)
    check_name(path)
    try:
        resolved = path.resolve()
        info = path.stat() if path.exists() or path.is_symlink() else None
    except (OSError, RuntimeError) as exc:
        raise OutputRefused(f"{path}: cannot be followed ({exc}); remove the link or give another path") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OutputRefused(f"{path}: is not a warehouse file (a folder, a FIFO or a device); give the .duckdb file")
    for folder in resolved.parents:
        if is_data_directory(folder):
            msg = (f"{path}: lies inside the data directory {folder}; keep the warehouse outside the exports "
                   "(the default is data/warehouse.duckdb)")
            raise OutputRefused(msg)
    if info is None:
        claim(path, None)


def _wait(seconds: float | None) -> float:
    if seconds is not None:
        return seconds
    given = os.environ.get(WAIT_SECONDS, "10")
    try:
        return max(0.0, float(given))
    except ValueError:
        raise OutputRefused(f"{WAIT_SECONDS}={given!r} is not a number of seconds") from None


@contextlib.contextmanager
def _said(path: Path) -> Iterator[None]:
    """A damaged warehouse file or a failure of the machine while the command works on the
    warehouse, as one sentence; anything else passes through."""
    import duckdb

    try:
        yield
    except (duckdb.Error, OSError, pl.exceptions.ComputeError) as exc:
        if isinstance(exc, duckdb.Error) and damaged(exc):
            raise _damaged(path, short(str(exc), 80)) from None
        said = failure(exc, Path(exc.filename) if isinstance(exc, OSError) and exc.filename else path)
        if said is None:
            raise
        raise said from None


def _damaged(path: Path, detail: str, done: str = "nothing was changed") -> MachineFailure:
    """The sentence for a damaged warehouse file. Its write-ahead log, if any, belongs to the
    damaged file: DuckDB would replay it onto a backup copied over the file."""
    wal = path.with_name(f"{path.name}.wal")
    first = f"move {wal.name} (the damaged file's log) away, then " if wal.exists() else ""
    return MachineFailure(f"{path}: the warehouse file is damaged ({detail}); {done}: {first}restore the file from "
                          "its latest backup copy and run the command again")


@contextlib.contextmanager
def _connected(path: Path, create: bool, wait_seconds: float) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse file, waiting up to ``wait_seconds`` for another command."""
    import duckdb

    if not path.is_file():
        if not create:
            if path.parent.is_dir():
                clear_leftovers(path)
            raise Refused(f"{path}: no warehouse here yet; load the exports first with `eperf ingest --data DIR`")
        make_whole(path, lambda new: duckdb.connect(str(new), config=DUCKDB_CONFIG).close())
    deadline = time.monotonic() + wait_seconds
    waiting = False
    while True:
        try:
            con = duckdb.connect(str(path), config=DUCKDB_CONFIG)
            break
        except duckdb.IOException as exc:
            if damaged(exc) or os_errno(exc) is not None:
                raise  # said by _said
            if "lock" not in str(exc).lower():
                raise Refused(f"{path}: not a warehouse this version can open ({short(str(exc), 80)})") from exc
            if time.monotonic() >= deadline:
                raise Refused(f"{path} is in use by another eperf command; run this one when it has finished") from exc
            if not waiting:
                faults.point("waiting")
                waiting = True
            time.sleep(0.2)
    try:
        yield con
    finally:
        with contextlib.suppress(duckdb.Error):  # a file DuckDB gave up on: the first error is the one to say
            con.close()


def _transaction(con: duckdb.DuckDBPyConnection, path: Path, by: str | None) -> Iterator[Warehouse]:
    """The command's transaction (after finishing what a killed command left), the mirror
    brought in line once it commits."""
    import duckdb

    con.execute(_SCHEMA)
    _create_source_tables(con)
    claim(path, warehouse_id(con))
    finish_pending(con)
    con.execute("begin transaction")
    try:
        yield Warehouse(con, by or getpass.getuser(), dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0))
        faults.point("before-commit")
        con.execute("commit")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # a failed commit has no transaction left: its own error is said
            con.execute("rollback")
        raise
    faults.point("committed")
    done = "the command itself is done and recorded, only the Parquet mirror is behind"
    try:
        sync(con, path, _counted_runs(con))
    except (duckdb.Error, OSError) as exc:
        if isinstance(exc, duckdb.Error) and damaged(exc):
            raise _damaged(path, short(str(exc), 80), done) from None
        said = failure(exc, mirror_of(path), f"{done} (the next command brings it in line)")
        if said is None:
            raise
        raise said from None


def _counted_runs(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Period → the run that counts for it (not a correction, not superseded): what the mirror
    shows."""
    return {str(period): str(run_id) for period, run_id in con.execute(
        "select period, run_id from runs where adjusts is null and status <> ?", [RunStatus.SUPERSEDED.value])
        .fetchall()}


def finish_pending(con: duckdb.DuckDBPyConnection) -> None:
    """Swap in the outputs a killed command committed but did not put in place; remove those
    whose command was killed before it committed (announced, never published)."""
    rows = con.execute('select tmp, any_value("out"), max(identity) from pending group by tmp').fetchall()
    for tmp, out, ident in rows:
        finish_staged(Staged(Path(tmp), Path(out), ident or ""), abandon=ident is None)
        con.execute("delete from pending where tmp = ?", [tmp])


def store_outputs(wh: Warehouse, run_id: str, outputs: dict[str, pl.DataFrame]) -> None:
    """Keep a run's output tables (``run_<name>``), replacing any kept under the same run id."""
    for name, frame in outputs.items():
        rows = frame.with_row_index("_row").with_columns(pl.lit(run_id).alias("_run"))
        wh.con.register("output_rows", rows.to_arrow())
        wh.rows(f"create table if not exists run_{name} as select * from output_rows limit 0")
        wh.rows(f"delete from run_{name} where _run = ?", [run_id])
        wh.rows(f"insert into run_{name} select * from output_rows")
        wh.con.unregister("output_rows")


def kept_outputs(wh: Warehouse, run_id: str, nip: str | None = None) -> dict[str, pl.DataFrame]:
    """The output tables kept for ``run_id``, in the order and types they were computed (of
    employee ``nip`` only, when given, in the tables that have NIPs)."""
    names = [str(r[0]).removeprefix("run_") for r in wh.rows(
        "select table_name from information_schema.tables where table_name like 'run\\_%' escape '\\' "
        "order by table_name")]
    return {name: _kept_table(wh, name, run_id, nip) for name in names}


def _kept_table(wh: Warehouse, name: str, run_id: str, nip: str | None) -> pl.DataFrame:
    one = nip is not None and "nip" in wh.con.table(f"run_{name}").columns
    frame: pl.DataFrame = wh.con.sql(
        f"select * exclude (_row, _run) from run_{name} where _run = $run{' and nip = $nip' if one else ''} "
        "order by _row", params={"run": run_id, **({"nip": nip} if one else {})}).pl()
    return frame
