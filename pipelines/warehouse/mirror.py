"""The Parquet mirror beside the warehouse, for analysts: in the folder named as the warehouse
file without ``.duckdb``, ``pay_register/period=YYYY-MM/<run id>.parquet`` and
``pool_summary/…`` hold each period's run that counts.

The mirror belongs to its warehouse, and it can never be turned against anything else:

- **Whose it is.** ``eperf-mirror.json`` names the warehouse's id (kept in the warehouse, made
  when the warehouse is). A folder naming another warehouse, or holding anything besides the
  mirror's own folders (a data directory, someone's notes), is refused with one sentence before
  the command does any work (:func:`claim`).
- **Derived, never a source.** After every command it is brought in line with the warehouse
  (:func:`sync`): a file eperf did not write there is removed (a stray Parquet file, a symbolic
  link — the link, never what it points to), a file whose bytes differ from what the warehouse
  recorded when it wrote it (its SHA-256) is written again, a missing one is written. A folder
  it did not make is left alone (and refused by the next :func:`claim`).
- **It never leaves its folder.** Every file and folder is opened relative to the folder it
  lies in and never through a symbolic link (``O_NOFOLLOW``), so nothing outside the mirror is
  read, written or removed, whatever is renamed or linked while a command runs.
- **Whole files.** A file appears by rename from a hidden name: a reader of ``**/*.parquet``
  never sees one half-written.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines import faults
from pipelines.month.outputs import OutputRefused

if TYPE_CHECKING:
    import duckdb

MIRRORED = ("pay_register", "pool_summary")
MARKER = "eperf-mirror.json"
"""The mirror's own file: the id of the warehouse it belongs to."""
SCHEMA = """
create table if not exists identity (warehouse_id varchar);
create table if not exists mirror_files (
    file varchar primary key, sha256 varchar, size bigint, mtime_ns bigint, ctime_ns bigint, inode bigint);
"""
"""The warehouse's id and, per mirror file written, its SHA-256 and what ``stat`` said of it then
(a file whose size, times and inode are unchanged is unchanged; any other is hashed)."""
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
_HIDDEN = ".eperf-part"


def mirror_of(warehouse: Path) -> Path:
    """The mirror's folder: ``data/warehouse.duckdb`` → ``data/warehouse``."""
    return warehouse.with_suffix("")


def warehouse_id(con: duckdb.DuckDBPyConnection) -> str:
    """The warehouse's id, made the first time a warehouse is opened (a copy keeps it)."""
    con.execute(SCHEMA)
    found = con.execute("select warehouse_id from identity").fetchall()
    if found:
        return str(found[0][0])
    made = uuid.uuid4().hex
    con.execute("insert into identity values (?)", [made])
    return made


def claim(warehouse: Path, ident: str | None) -> None:
    """Refuse (:class:`OutputRefused`) a mirror folder that is not this warehouse's: a link, a
    file, a folder naming another warehouse, or one holding what eperf does not write there.
    ``ident`` None: the warehouse is yet to be made, so its mirror may not exist yet."""
    root = mirror_of(warehouse)
    try:
        info = root.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        what = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a folder"
        msg = (f"{root}: is {what}, where the warehouse's Parquet mirror goes (the folder beside "
               f"{warehouse.name}); move it away or give the warehouse another name")
        raise OutputRefused(msg)
    owner = _owner(root)
    if ident is None and (owner is not None or any(root.iterdir())):
        msg = (f"{root}: already holds files, where the new warehouse's Parquet mirror goes; "
               "move them away or give the warehouse another name")
        raise OutputRefused(msg)
    if owner is not None and owner != ident:
        msg = (f"{root}: is the Parquet mirror of another warehouse ({MARKER} names {owner[:12]}…, this one is "
               f"{(ident or '')[:12]}…); move that folder away or give this warehouse another name")
        raise OutputRefused(msg)
    foreign = sorted(p.relative_to(root).as_posix() for p in _foreign(root))
    if foreign:
        msg = (f"{root}: holds {foreign[0]}, which eperf does not write in a Parquet mirror (a data directory or "
               "someone's files?); move it out of the mirror's folder")
        raise OutputRefused(msg)


def _owner(root: Path) -> str | None:
    """The warehouse id the mirror's marker names (None: no marker, a folder eperf may adopt)."""
    try:
        fd = os.open(root / MARKER, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError:
        return "unreadable"
    with os.fdopen(fd, "rb") as fh:
        try:
            return str(json.loads(fh.read(1 << 16))["warehouse_id"])
        except (ValueError, KeyError, TypeError):
            return "unreadable"


def _foreign(root: Path) -> Iterator[Path]:
    """What in the mirror's folder eperf does not write there: any entry of the folder itself
    but the marker and the tables; any folder inside a table but its period folders; any
    folder inside a period folder (a stray file or link is removed by :func:`sync`)."""
    for entry in os.scandir(root):
        if entry.name == MARKER or _hidden_part(entry.name):
            continue
        if entry.name not in MIRRORED:
            yield Path(entry.path)
        elif entry.is_dir(follow_symlinks=False):
            for part in os.scandir(entry.path):
                if not part.is_dir(follow_symlinks=False):
                    continue
                if not part.name.startswith("period="):
                    yield Path(part.path)
                else:
                    yield from (Path(x.path) for x in os.scandir(part.path) if x.is_dir(follow_symlinks=False))


def _hidden_part(name: str) -> bool:
    """Whether ``name`` is a file eperf was writing when it was killed (:func:`_write`)."""
    return name.startswith(".") and name.endswith(_HIDDEN)


def sync(con: duckdb.DuckDBPyConnection, warehouse: Path, counted: dict[str, str]) -> None:
    """Bring the mirror in line with the warehouse: the run of each period in ``counted``
    (period → run id), every file as the warehouse recorded it, nothing else."""
    records = {str(r[0]): tuple(r[1:]) for r in con.execute("select * from mirror_files").fetchall()}
    root = mirror_of(warehouse)
    with _directory(None, str(root)) as top:
        for entry in os.scandir(top):
            if _hidden_part(entry.name) and not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.name, dir_fd=top)
        _write_marker(top, warehouse_id(con), warehouse)
        for name in MIRRORED:
            with _directory(top, name) as table:
                for period, run_id in _table_periods(table, counted):
                    with _directory(table, f"period={period}") as folder:
                        _sync_period(con, folder, name, period, run_id, records)
                    if run_id is None:
                        with contextlib.suppress(OSError):  # it holds a folder eperf did not make
                            os.rmdir(f"period={period}", dir_fd=table)
    shown = [f"{name}/period={period}/{run_id}.parquet" for name in MIRRORED for period, run_id in counted.items()]
    con.execute("delete from mirror_files where not list_contains(?, file)", [shown])


def _table_periods(table: int, counted: dict[str, str]) -> list[tuple[str, str | None]]:
    """Each period of a table folder, with the run that counts for it (None: none, its folder
    goes); a stray file or link in the table folder is removed."""
    present = []
    for entry in os.scandir(table):
        if entry.is_dir(follow_symlinks=False):
            if entry.name.startswith("period="):
                present.append(entry.name.removeprefix("period="))
        else:
            os.unlink(entry.name, dir_fd=table)
    return [(p, counted.get(p)) for p in sorted(set(present) | set(counted))]


def _sync_period(con: duckdb.DuckDBPyConnection, folder: int, table: str, period: str, run_id: str | None,
                 records: dict[str, tuple[object, ...]]) -> None:
    """One period folder: its run's file kept if it is as recorded, every other file removed,
    the file written when missing."""
    target = None if run_id is None else f"{run_id}.parquet"
    relative = f"{table}/period={period}/{target}"
    keep = False
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False):
            continue
        if entry.name == target and entry.is_file(follow_symlinks=False) and \
                _as_recorded(con, folder, target, relative, records.get(relative)):
            keep = True
            continue
        os.unlink(entry.name, dir_fd=folder)
    if target is not None and not keep:
        rows = con.sql(f"select * exclude (_row, _run) from run_{table} where _run = ? order by _row",
                       params=[run_id]).pl()
        buffer = io.BytesIO()
        rows.write_parquet(buffer)
        _write(folder, target, buffer.getvalue())
        _record(con, folder, target, relative, hashlib.sha256(buffer.getvalue()).hexdigest())


def _as_recorded(con: duckdb.DuckDBPyConnection, folder: int, name: str, relative: str,
                 record: tuple[object, ...] | None) -> bool:
    """Whether the file holds the bytes the warehouse recorded: unchanged since written (size,
    times, inode), or else the same SHA-256 (then its new ``stat`` is recorded)."""
    if record is None:
        return False
    info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    if (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino) == tuple(record[1:]):
        return True
    digest = hashlib.sha256()
    with os.fdopen(os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=folder), "rb") as fh:
        while chunk := fh.read(1 << 24):
            digest.update(chunk)
    if digest.hexdigest() != record[0]:
        return False
    _record(con, folder, name, relative, digest.hexdigest())
    return True


def _write(folder: int, name: str, content: bytes, point: str | None = "mirror") -> None:
    """``content`` as ``name`` in ``folder``, whole: written under a hidden name, then renamed
    (``point``: the named point between the two, :mod:`pipelines.faults`)."""
    hidden = f".{name}{_HIDDEN}"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(hidden, dir_fd=folder)
    fd = os.open(hidden, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        if point is not None:
            faults.point(point)
        os.rename(hidden, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(hidden, dir_fd=folder)
        raise


def _record(con: duckdb.DuckDBPyConnection, folder: int, name: str, relative: str, sha256: str) -> None:
    info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    con.execute("insert or replace into mirror_files values (?, ?, ?, ?, ?, ?)",
                [relative, sha256, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino])


def _write_marker(top: int, ident: str, warehouse: Path) -> None:
    content = json.dumps({"warehouse_id": ident, "warehouse": warehouse.name,
                          "note": "the Parquet mirror of this warehouse, written by eperf after every command; "
                                  "what is edited or added here is undone"}, indent=2).encode() + b"\n"
    try:
        with os.fdopen(os.open(MARKER, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=top), "rb") as fh:
            if fh.read(1 << 16) == content:
                return
    except FileNotFoundError:
        pass
    except OSError:  # a link or a folder by that name: not ours
        os.unlink(MARKER, dir_fd=top)
    _write(top, MARKER, content, point=None)


@contextlib.contextmanager
def _directory(parent: int | None, name: str) -> Iterator[int]:
    """The folder ``name`` in ``parent`` (a descriptor; None: ``name`` is a path), opened without
    following a link, made when missing (a link or a file in its place is removed first: it is
    not the mirror's)."""
    try:
        info = os.stat(name, dir_fd=parent, follow_symlinks=False)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISDIR(info.st_mode):
        os.unlink(name, dir_fd=parent)
        info = None
    if info is None:
        os.mkdir(name, 0o700, dir_fd=parent)
    fd = os.open(name, _DIRECTORY, dir_fd=parent)
    try:
        yield fd
    finally:
        os.close(fd)
