"""Where eperf writes: every output folder and file goes through here (SPEC §8, "Output folders
never destroy anything").

- A path is refused (:class:`OutputRefused`, exit 2, nothing touched) when it is, holds or lies
  inside a data directory or the warehouse; when it is a file where a folder is meant or the
  reverse; or when it holds something eperf did not write (a folder without an eperf manifest of
  the same kind, a file whose first line does not start as eperf writes it).
- The new output is written whole beside the old under a hidden temporary name, then swapped in
  with one atomic exchange (``renameat2(RENAME_EXCHANGE)``): there is no moment with neither the
  old nor the new output. The old one is then removed.
- A command killed half-way leaves only ``.<name>.eperf-*`` beside the path; the next command
  writing there (or opening the warehouse, for the files it wrote) removes it.
- Writers that share a path take turns (a lock on the parent folder), so two commands racing to
  the same ``--out`` each write whole, one after the other.
- A folder of outputs holding personal data is created 0700 and its files 0600.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import dataclasses
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

from pipelines import faults
from pipelines.machine import failure, short
from pipelines.sources.exports import sha256_of

MANIFEST = "manifest.json"
TEMPORARY = ".eperf-"
"""What the hidden name of a half-written output holds: ``.<name>.eperf-<token>``."""
NAME_MAX = 255
"""Bytes in one name of a path (Linux filesystems): the hidden name must fit too."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these runs as a formula in a spreadsheet (SPEC §8)."""


class OutputRefused(Exception):
    """A path eperf will not write to (exit 2); the message says why and what to do."""


@dataclasses.dataclass(frozen=True)
class Guard:
    """What an output may not touch: the command's data directory and warehouse, by name."""

    protected: tuple[tuple[Path, str], ...] = ()

    def check(self, out: Path) -> None:
        target = resolved(out)
        for place, what in self.protected:
            place = place.resolve()
            if target == place or place.is_relative_to(target) or target.is_relative_to(place):
                raise OutputRefused(f"{out}: is, holds or lies inside {what} ({place}); write the output elsewhere")


def resolved(out: Path) -> Path:
    """``out`` with every link followed; a loop of links is refused."""
    try:
        return out.resolve()
    except (OSError, RuntimeError):  # Python 3.11 says RuntimeError("Symlink loop …"), later ones ELOOP
        raise OutputRefused(f"{out}: is a loop of symbolic links; remove the link or choose another path") from None


def protecting(data: Path | None = None, warehouse: Path | None = None) -> Guard:
    """The :class:`Guard` of a command reading ``data`` and/or keeping ``warehouse`` (with its
    Parquet mirror beside it)."""
    places = [(data, "the data directory")] if data is not None else []
    if warehouse is not None:
        places += [(warehouse, "the warehouse"), (warehouse.with_suffix(""), "the warehouse's Parquet mirror")]
    return Guard(tuple(places))


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell a spreadsheet would run as a formula prefixed with ``'``
    (it stays text); numbers stay numbers."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    risky = pl.col(text).str.slice(0, 1).is_in(list(FORMULA_STARTS))
    return frame.with_columns(pl.when(risky).then(pl.lit("'") + pl.col(text)).otherwise(pl.col(text)).name.keep())


def write_frame(frame: pl.DataFrame, path: Path) -> None:
    """One frame as CSV (formula-safe) or Parquet, by the file's suffix."""
    if path.suffix == ".csv":
        spreadsheet_safe(frame).write_csv(path)
    else:
        frame.write_parquet(path)


@dataclasses.dataclass(frozen=True)
class Staged:
    """An output written whole under its hidden name ``tmp``, to become ``out``; ``identity``
    tells it from an earlier output of the same path (a folder's manifest carries it, a file's
    is its SHA-256)."""

    tmp: Path
    out: Path
    identity: str


@contextlib.contextmanager
def staged(out: Path, kind: str, write: Callable[[Path], object], *, folder: bool, guard: Guard = Guard(),
           personal: bool = False, header: str | None = None,
           announce: Callable[[Path, Path], object] | None = None) -> Iterator[Staged]:
    """Write an output whole under a hidden name beside ``out`` and yield that name; when the
    block ends, swap it in as ``out`` (the block is where a warehouse command commits, with the
    hidden name recorded, so a kill between the two is finished by the next command). An error
    in the block removes it; ``out`` is untouched. ``announce(tmp, out)`` is told the hidden
    name before anything is written there, so that whoever comes next can remove it if this
    command is killed before it commits.

    ``folder``: ``write`` fills a folder (a ``manifest.json`` of ``kind`` is added), else it
    writes one file whose first line starts with ``header``. An earlier ``out`` is replaced only
    when it is eperf's output of the same kind."""
    check_destination(out, kind, folder=folder, guard=guard, header=header)
    with _turn(out):
        _check_earlier(out, kind, folder, header)
        tmp = _temporary(out)
        if announce is not None:
            announce(tmp, out)
        try:
            _create(tmp, folder, personal)
            if folder:
                write(tmp)
                _mark(tmp, kind)
                if personal:
                    for path in tmp.iterdir():
                        path.chmod(0o600)
            else:
                write(tmp)
            faults.point("staged")
        except Exception as exc:
            remove(tmp)
            said = failure(exc, out, "nothing was written")
            if said is None:
                raise
            raise said from None
        except BaseException:
            remove(tmp)
            raise
        try:
            yield Staged(tmp, out, identity(tmp))
        except BaseException:
            remove(tmp)
            raise
        swap_in(tmp, out)
        faults.point("swapped")


def _create(tmp: Path, folder: bool, personal: bool) -> None:
    """The hidden folder or file an output is written into, the owner's alone if ``personal``."""
    try:
        if folder:
            tmp.mkdir(mode=0o700 if personal else 0o777)
        else:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if personal else 0o666))
    except OSError as exc:
        raise OutputRefused(f"{tmp.parent}: cannot write here ({exc.strerror})") from None


def check_destination(out: Path, kind: str, *, folder: bool, guard: Guard = Guard(), header: str | None = None) -> None:
    """Refuse ``out`` now, before any work, if it may not receive this output (:func:`staged`
    checks again when it writes)."""
    check_name(out)
    guard.check(out)
    _check_ordinary(out)
    if folder and out.exists() and not out.is_dir():
        raise OutputRefused(f"{out}: is a file, and the {kind} output is a folder; choose a folder path")
    if not folder and out.is_dir():
        raise OutputRefused(f"{out}: is a folder, and the {kind} is a file; give a file path")
    _check_earlier(out, kind, folder, header)


def check_name(out: Path) -> None:
    """Refuse a name too long for its hidden twin (``.<name>.eperf-<token>``, the name eperf
    writes under first) to fit the filesystem."""
    hidden = len(os.fsencode(_temporary(out).name))
    if hidden > NAME_MAX:
        most = NAME_MAX - (hidden - len(os.fsencode(out.name)))
        raise OutputRefused(f"{short(out.name, 40)}: the name is too long ({len(os.fsencode(out.name))} bytes; at most "
                            f"{most} here, as eperf first writes it under a longer hidden name); choose a shorter name")


def identity(path: Path) -> str:
    """What tells one staged output from another: a folder's ``output_id``, a file's SHA-256."""
    if path.is_dir():
        try:
            return str(json.loads((path / MANIFEST).read_text()).get("output_id", ""))
        except (OSError, ValueError):
            return ""
    return sha256_of(path) if path.is_file() else ""


def finish_staged(staged_output: Staged, abandon: bool = False) -> None:
    """Put in place an output whose command was killed after it committed: swap it in if it is
    still under its hidden name, else (already in place) remove what the swap left there. With
    ``abandon`` (its command never committed) remove the hidden output instead."""
    with _turn(staged_output.out, keep=staged_output.tmp):
        if abandon or identity(staged_output.out) == staged_output.identity:
            remove(staged_output.tmp)
        elif identity(staged_output.tmp) == staged_output.identity:
            swap_in(staged_output.tmp, staged_output.out)


def make_whole(out: Path, make: Callable[[Path], object]) -> None:
    """Make the file ``out`` unless it exists, whole: ``make`` writes it under a hidden name,
    renamed into place once written, so a kill leaves no half-made file (the next maker clears
    the hidden one). Makers take turns (:func:`clear_leftovers`)."""
    with _turn(out):
        if out.exists():
            return
        tmp = _temporary(out)
        try:
            make(tmp)
            os.rename(tmp, out)
        except BaseException:
            remove(tmp)
            raise


def clear_leftovers(out: Path) -> None:
    """Remove what killed writers of ``out`` left beside it, in turn with its writers."""
    with _turn(out):
        pass


def write_folder(out: Path, kind: str, write: Callable[[Path], object], guard: Guard = Guard()) -> None:
    """Fill the folder ``out`` with ``write``, swapped in whole (:func:`staged`)."""
    with staged(out, kind, write, folder=True, guard=guard):
        pass


def _mark(folder: Path, kind: str) -> None:
    """Give the folder's ``manifest.json`` (written by the output's writer or new) its ``kind``
    and a new ``output_id``."""
    path = folder / MANIFEST
    document = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**document, "kind": kind, "output_id": uuid.uuid4().hex}, indent=2) + "\n")


def _check_ordinary(out: Path) -> None:
    """Refuse a FIFO, a socket or a device: reading its first line would wait forever."""
    if out.exists() and not (out.is_dir() or out.is_file()):
        raise OutputRefused(f"{out}: is neither a file nor a folder (a FIFO, a socket or a device); "
                            "choose another path")


def _check_earlier(out: Path, kind: str, folder: bool, header: str | None) -> None:
    _check_ordinary(out)
    if folder and out.is_dir() and any(out.iterdir()) and output_kind(out) != kind:
        raise OutputRefused(f"{out}: is a folder eperf did not write as a {kind} output (it has no manifest.json "
                            "of that kind); choose an empty or new folder")
    if not folder and out.exists() and (header is None or not _first_line(out).startswith(header)):
        raise OutputRefused(f"{out}: is a file eperf did not write as a {kind}; choose a new file name")


def output_kind(folder: Path) -> str | None:
    """The kind an eperf output folder was written as (from its manifest), else None."""
    try:
        kind = json.loads((folder / MANIFEST).read_text()).get("kind")
    except (OSError, ValueError, AttributeError):
        return None
    return kind if isinstance(kind, str) else None


def leftovers(out: Path) -> list[Path]:
    """What killed writers of ``out`` left beside it."""
    if not out.parent.is_dir():
        return []
    return sorted(out.parent.glob(f".{out.name}{TEMPORARY}*"))


def _first_line(path: Path) -> str:
    with path.open("rb") as fh:
        return fh.readline().decode("utf-8", errors="replace").rstrip("\r\n")


def _temporary(out: Path) -> Path:
    return out.parent / f".{out.name}{TEMPORARY}{uuid.uuid4().hex[:12]}"


@contextlib.contextmanager
def _turn(out: Path, keep: Path | None = None) -> Iterator[None]:
    """Hold the lock of ``out``'s parent folder (made if missing) and clear what killed writers
    of ``out`` left (but ``keep``): writers of one path take turns."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(out.parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise OutputRefused(f"{out}: cannot write here ({exc.strerror})") from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            faults.point("waiting")
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        for stale in leftovers(out):
            if stale != keep:
                remove(stale)
        yield
    finally:
        os.close(descriptor)


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


_RENAME_EXCHANGE = 2
_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def swap_in(new: Path, out: Path) -> None:
    """Make ``new`` visible as ``out``: at once when ``out`` does not exist, else by an atomic
    exchange of the two names, then the old output (now under the hidden name) is removed."""
    if not out.exists():
        os.rename(new, out)
        return
    if _libc.renameat2(-100, os.fsencode(new), -100, os.fsencode(out), _RENAME_EXCHANGE) != 0:
        error = ctypes.get_errno()
        raise OutputRefused(f"{out}: cannot replace it ({os.strerror(error)})")
    remove(new)
