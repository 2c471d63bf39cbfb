"""``eperf ingest``: load a folder of source exports into the warehouse through the contracts.

Each file is checked exactly as ``eperf run`` checks it (SPEC §3.1), its references against
what the warehouse holds. A file already loaded (same SHA-256) adds nothing. Otherwise each
accepted row is new (a key not seen), replaces the current row of its key (a corrected
re-export: the old version is kept, marked as replaced by this load) or is unchanged.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import polars as pl

from engine import SOURCES, Period
from pipelines.month.backends import arrow_batches
from pipelines.month.run import check_policy, policy_text, read_policy
from pipelines.progress import stage
from pipelines.sources import CONTRACTS, Contract
from pipelines.sources.exports import POLICY_FILE, Scan, contract_files, open_scan, sha256_of
from pipelines.sources.readers import InputError, check_input, nothing
from pipelines.warehouse.store import BUDGET_TABLES, RunStatus, Warehouse


@dataclasses.dataclass(frozen=True)
class FileIngest:
    """What one file did to the warehouse."""

    file: str
    load_id: int | None
    """None: the same bytes were loaded before (``earlier``)."""
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    inserted: int = 0
    replaced: int = 0
    earlier: int | None = None


@dataclasses.dataclass(frozen=True)
class Ingest:
    files: tuple[FileIngest, ...]
    late: dict[str, list[str]]
    """Locked period → the inputs this ingest changed for it."""


def ingest(wh: Warehouse, data: Path) -> Ingest:
    """Load every export found in ``data``; raises :class:`InputError` on a fatal problem (the
    caller's transaction then rolls back: nothing is loaded).

    The new files of one input are checked together, in path order, exactly as ``eperf run``
    checks them (duplicates across the parts of a log folder: the first row wins); their
    references are checked against what the warehouse holds."""
    if not data.is_dir():
        raise InputError(f"{data}: data directory not found")
    before = wh.watermark()
    found = {c.name: contract_files(data, c, complete=False) for c in CONTRACTS.values()}
    policy = data / POLICY_FILE
    if not any(found.values()) and not policy.is_file():
        raise InputError(f"{data}: no source export found (expected files such as hr/employees.csv)")
    files: list[FileIngest] = [_ingest_policy(wh, policy)] if policy.is_file() else []
    for contract in CONTRACTS.values():
        new = []
        for path in found[contract.name]:
            digest = sha256_of(path)
            earlier = _loaded_before(wh, contract.name, digest)
            if earlier is None:
                new.append((open_scan(data, path, contract), digest))
            else:
                files.append(FileIngest(path.relative_to(data).as_posix(), None, earlier=earlier))
        if new:
            stage(f"checking {contract.path}")
            files.extend(_ingest_files(wh, contract, new))
    done = tuple(files)
    stage("looking for late data")
    late = late_inputs(wh, before)
    for period, tables in late.items():
        wh.record("late data", period, None, inputs=tables)
    wh.record("ingest", None, None, data=str(data), files=[dataclasses.asdict(f) for f in done])
    return Ingest(done, late)


def _ingest_policy(wh: Warehouse, path: Path) -> FileIngest:
    content = read_policy(path)
    digest = hashlib.sha256(content).hexdigest()
    earlier = _loaded_before(wh, "policy", digest)
    if earlier is not None:
        return FileIngest(POLICY_FILE, None, earlier=earlier)
    text = policy_text(content)
    check_policy(text)
    load_id = wh.next_load()
    wh.rows("insert into loads values (?, ?, ?, 'policy', ?, ?, 1, 1, 0, 1, 0)",
            [load_id, wh.at, wh.by, POLICY_FILE, digest])
    wh.rows("insert into policies values (?, ?, ?)", [load_id, digest, text])
    return FileIngest(POLICY_FILE, load_id, 1, 1, 0, 1, 0)


def _loaded_before(wh: Warehouse, source: str, digest: str) -> int | None:
    earlier = wh.rows("select min(load_id) from loads where source = ? and sha256 = ?", [source, digest])[0][0]
    return None if earlier is None else int(earlier)


def _ingest_files(wh: Warehouse, contract: Contract, new: list[tuple[Scan, str]]) -> list[FileIngest]:
    """Check the new files of one input together, then load them in one statement, each
    file's rows under its own load."""
    targets = {ref.column: wh.table(ref.table, columns=(ref.column,))[ref.column].unique()
               for ref in contract.references}
    scans = [scan for scan, _ in new]
    checked = check_input(contract, scans, targets, keep=nothing)
    digests = {scan.file: digest for scan, digest in new}  # by name: a re-read as lossy UTF-8 is another Scan
    loads = checked.loads(lambda scan: digests[scan.file])
    first = wh.next_load()
    accepted = pl.concat([checked.accepted(i).with_columns(pl.lit(first + i, pl.Int64).alias("_load"))
                          for i in range(len(loads))])
    counts = _upsert(wh, contract, accepted)
    loaded = []
    for i, load in enumerate(loads):
        load_id = first + i
        inserted, replaced = counts.get(load_id, (0, 0))
        wh.rows("insert into loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [load_id, wh.at, wh.by, contract.name, load.file, load.sha256, load.rows_read, load.accepted,
                 load.rejected, inserted, replaced])
        loaded.append(FileIngest(load.file, load_id, load.rows_read, load.accepted, load.rejected, inserted, replaced))
    wh.con.register("new_rejects", checked.rejects.with_columns(
        pl.col("file").replace_strict([x.file for x in loads], range(first, first + len(loads)),
                                      return_dtype=pl.Int64).alias("load_id")).to_arrow())
    wh.rows('insert into rejects select load_id, file, "row", "column", reason from new_rejects')
    wh.con.unregister("new_rejects")
    return loaded


def _upsert(wh: Warehouse, contract: Contract, accepted: pl.LazyFrame) -> dict[int, tuple[int, int]]:
    """Add the rows whose key is new or whose values changed; mark the rows they replace with
    the load that replaced them (the accepted rows, each with its ``_load``, stream into DuckDB
    in batches). Returns per load: (new keys, replaced rows)."""
    key = [f'"{k}"' for k in contract.key]
    values = [f'"{c}"' for c in contract.columns if c not in contract.key]
    same_key = " and ".join(f"cur.{k} = inc.{k}" for k in key)
    differs = " or ".join(f"cur.{v} is distinct from inc.{v}" for v in values) or "false"
    wh.con.register("incoming", arrow_batches(accepted))
    wh.rows(f"""
        create or replace temp table fresh as
        select inc.*, cur._load is null as _new
        from incoming inc left join src_{contract.name} cur on {same_key} and cur._replaced_by is null
        where cur._load is null or {differs}""")
    wh.con.unregister("incoming")
    on = " and ".join(f"src.{k} = fresh.{k}" for k in key)
    wh.rows(f"update src_{contract.name} src set _replaced_by = fresh._load from fresh "
            f"where src._replaced_by is null and not fresh._new and {on}")
    columns = ", ".join(f'"{c}"' for c in contract.columns)
    wh.rows(f"insert into src_{contract.name} select {columns}, _load, null from fresh")
    counts = wh.rows("select _load, count(*) filter (where _new), count(*) filter (where not _new) from fresh "
                     "group by _load")
    wh.rows("drop table fresh")
    return {int(load): (int(new), int(changed)) for load, new, changed in counts}


def late_inputs(wh: Warehouse, since: int) -> dict[str, list[str]]:
    """Per locked period, the inputs whose rows for it changed after load ``since`` (late
    activity approvals, corrected attendance, retroactive sanctions or PLT decrees…): what an
    ingest brought, not what an earlier one did (a file loaded again brings nothing)."""
    late = {}
    pay_inputs = [name for name in SOURCES if name not in BUDGET_TABLES]
    for (period,) in wh.rows("select period from runs where status = ? and adjusts is null order by period",
                             [RunStatus.LOCKED.value]):
        changed = wh.changed(Period.parse(str(period)), since, pay_inputs)
        if changed:
            late[str(period)] = [CONTRACTS[name].path for name in changed]
    return late
