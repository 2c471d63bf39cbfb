"""Every failure of the machine is one sentence (pipelines/machine.py; issue 19): a damaged
warehouse file, a read-only folder, a full disk. Exit 2, the warehouse and its file as they were,
nothing hidden left. (A write the disk refuses in each command: tests/pipelines/test_faults.py.)
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner, Result

from pipelines.cli import app
from pipelines.machine import failure, os_errno
from tests.folders import snapshot
from tests.pipelines.editing import PERIOD, copy_city, needs_example

pytestmark = needs_example

runner = CliRunner()
EPERF = [sys.executable, "-c", "from pipelines.cli import main; main()"]


def eperf(*args: str) -> Result:
    return runner.invoke(app, list(args))


def one_sentence(stderr: str, *words: str) -> str:
    [line] = stderr.strip().splitlines()
    assert "Traceback" not in stderr and all(word in line for word in words), line
    return line


# --- the words for each failure ---------------------------------------------------------------

def test_a_full_disk_is_said_the_same_whoever_met_it(tmp_path: Path) -> None:
    """Python, Polars and DuckDB report a full disk each in their own way; /dev/full makes a
    real one (ENOSPC on every write)."""
    frame = pl.DataFrame({"net_rp": list(range(100_000))})
    found = []
    for write in (frame.write_csv, frame.write_parquet):
        with pytest.raises(Exception) as raised:  # noqa: PT011 — OSError from one, ComputeError from the other
            write("/dev/full")
        found.append(raised.value)
    found.append(duckdb.IOException('Could not write file "w.duckdb.wal": No space left on device'))
    for exc in found:
        assert os_errno(exc) == errno.ENOSPC, exc
        said = failure(exc, tmp_path / "out")
        assert said is not None
        assert str(said) == (f"{tmp_path / 'out'}: no space left on device; nothing was changed: free space on that "
                             "disk and run the command again")


def test_what_is_not_the_machine_is_not_said_as_if_it_were(tmp_path: Path) -> None:
    assert failure(ValueError("w_discipline_bp + w_productivity_bp = 9000"), tmp_path) is None
    assert failure(duckdb.BinderException('Referenced column "nip" not found'), tmp_path) is None


# --- a damaged warehouse ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """city-9004's month ingested and run: ``<root>/wh/w.duckdb`` (checkpointed: no WAL)."""
    root = tmp_path_factory.mktemp("kept")
    data = copy_city(root)
    for args in (["ingest", "--data", str(data)], ["run", "--period", PERIOD]):
        assert eperf(*args, "--warehouse", str(root / "wh" / "w.duckdb")).exit_code == 0
    assert not (root / "wh" / "w.duckdb.wal").exists()
    return root


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _bit_rotted(path: Path) -> None:
    """One byte flipped in every 256 KiB block after the headers: whatever is read is damaged."""
    content = bytearray(path.read_bytes())
    for at in range(12288 + 100, len(content), 1 << 18):
        content[at] ^= 0xFF
    path.write_bytes(bytes(content))


def _emptied(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize("damage", [_truncated, _bit_rotted, _emptied], ids=["truncated", "bit-rotted", "empty"])
@pytest.mark.parametrize("command", [["runs"], ["audit"], ["run", "--period", PERIOD],
                                     ["export", "--period", PERIOD, "--out", "{root}/out"],
                                     ["ingest", "--data", "{root}/data"]], ids=lambda c: c[0])
def test_a_damaged_warehouse_says_so_and_what_to_do(kept: Path, tmp_path: Path, damage: object,
                                                    command: list[str]) -> None:
    """A truncated or bit-rotted file ended in DuckDB's IOException or ``Corrupt database
    file``: now one sentence that the file is damaged and to restore the backup; the damaged
    file is left as it was (a copy of it may still be rescued) and no output is written. A
    command that never read the damaged blocks may have committed to the file's log first
    (``ingest`` of files loaded before): then the sentence says so, and to move the log away
    before restoring, since DuckDB would replay it onto the backup."""
    root = Path(shutil.copytree(kept, tmp_path / "root"))
    store = root / "wh" / "w.duckdb"
    assert callable(damage)
    damage(store)
    before = snapshot(root)
    result = eperf(*(a.format(root=root) for a in command), "--warehouse", str(store))
    assert result.exit_code == 2, result.output
    line = one_sentence(result.stderr, str(store), "the warehouse file is damaged",
                        "restore the file from its latest backup copy")
    after = snapshot(root)
    if "wh/w.duckdb.wal" in after:
        assert "move w.duckdb.wal (the damaged file's log) away, then restore" in line
        assert "the command itself is done and recorded" in line
        del after["wh/w.duckdb.wal"]
    else:
        assert "nothing was changed" in line
    assert after == before


# --- a folder one may not write ---------------------------------------------------------------

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _as_an_ordinary_user() -> None:
    """In the child, before eperf starts: when run as root, give up the powers by which root
    writes where a folder's mode says no (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so the
    modes hold for eperf as for any officer's account."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def read_only(kept: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the kept warehouse's folder, made read-only (its modes restored afterwards)."""
    folder = Path(shutil.copytree(kept / "wh", tmp_path / "wh"))
    try:
        yield folder
    finally:
        for path in (folder, *folder.rglob("*")):
            path.chmod(0o700 if path.is_dir() else 0o600)


@pytest.mark.parametrize("file_too", [False, True], ids=["folder", "folder-and-file"])
@pytest.mark.parametrize("command", [["run", "--period", PERIOD], ["approve", "--period", PERIOD]],
                         ids=lambda c: c[0])
def test_a_read_only_folder_is_said_as_such(read_only: Path, file_too: bool, command: list[str]) -> None:
    """A warehouse in a folder one may not write once ended in "cannot rollback - no
    transaction is active", which hid the permission error behind it."""
    store = read_only / "w.duckdb"
    if file_too:
        store.chmod(0o400)
    for path in (read_only, *(p for p in read_only.rglob("*") if p.is_dir())):
        path.chmod(0o500)
    before = snapshot(read_only)
    done = subprocess.run([*EPERF, *command, "--warehouse", str(store)], capture_output=True, text=True, check=False,
                          preexec_fn=_as_an_ordinary_user)
    assert done.returncode == 2, done.stderr
    line = one_sentence(done.stderr, str(store), "permission denied; nothing was changed")
    assert "rollback" not in line
    assert snapshot(read_only) == before
