"""The Parquet mirror belongs to its warehouse and cannot be turned against anything else
(pipelines/warehouse/mirror.py; issue 19): a backup copy cannot rewrite the live mirror, a link
in the mirror cannot reach the data, a stray or hand-edited file does not survive the next
command, and a warehouse or mirror path in a data directory is refused before anything is made.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner, Result

from pipelines.cli import app
from pipelines.warehouse.mirror import MARKER
from tests.folders import snapshot
from tests.pipelines.editing import PERIOD, copy_city, log_to_hive_folder, needs_example

pytestmark = needs_example

runner = CliRunner()


def eperf(*args: str) -> Result:
    return runner.invoke(app, list(args))


def refused(result: Result, *words: str) -> str:
    """Exit 2 and one line on stderr holding every word; the line."""
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert all(word in line for word in words), line
    return line


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding ``data`` (city-9004, its activity log as period partitions) and
    ``w.duckdb`` with the month run, mirrored in ``w/``."""
    root = tmp_path_factory.mktemp("kept")
    data = copy_city(root)
    log_to_hive_folder(data)
    for args in (["ingest", "--data", str(data)], ["run", "--period", PERIOD]):
        assert eperf(*args, "--warehouse", str(root / "w.duckdb")).exit_code == 0
    return root


@pytest.fixture
def place(kept: Path, tmp_path: Path) -> Path:
    shutil.copytree(kept, tmp_path / "place")
    return tmp_path / "place"


def mirrored(place: Path, name: str = "w") -> dict[str, bytes]:
    return snapshot(place / name, (MARKER,))


def test_a_backup_copy_cannot_rewrite_the_live_mirror(place: Path) -> None:
    """``cp w.duckdb w.bak; eperf runs --warehouse w.bak`` rewrote ``w/`` to the backup's runs:
    a warehouse is named ``*.duckdb``, its mirror the name without it, so no two share one."""
    live = mirrored(place)
    shutil.copy(place / "w.duckdb", place / "w.bak")
    refused(eperf("runs", "--warehouse", str(place / "w.bak")), "w.bak", "ends in .duckdb", "w-copy.duckdb")
    assert mirrored(place) == live
    shutil.copy(place / "w.duckdb", place / "w-copy.duckdb")  # a copy named as the sentence says: a mirror of its own
    assert eperf("runs", "--warehouse", str(place / "w-copy.duckdb")).exit_code == 0
    assert mirrored(place, "w-copy") == live and mirrored(place) == live


def test_a_path_without_the_suffix_is_refused_before_anything_is_made(place: Path) -> None:
    """A warehouse path without a suffix once committed a run, then every command ended in
    NotADirectoryError (its mirror was the file itself)."""
    for args in (["ingest", "--data", str(place / "data")], ["run", "--period", PERIOD], ["runs"]):
        refused(eperf(*args, "--warehouse", str(place / "gudang")), "gudang", "ends in .duckdb")
    assert not (place / "gudang").exists()


def test_a_link_in_the_mirror_cannot_reach_the_data(place: Path) -> None:
    """``w/pay_register`` replaced by a link to the activity log's folder: ``eperf runs`` once
    deleted the log's partitions and wrote into the data folder. The link goes (never what it
    points to) and the mirror is made again."""
    data = snapshot(place / "data")
    live = mirrored(place)
    shutil.rmtree(place / "w" / "pay_register")
    (place / "w" / "pay_register").symlink_to(place / "data" / "ekinerja" / "activity_log")
    shutil.rmtree(place / "w" / "pool_summary" / f"period={PERIOD}")
    (place / "w" / "pool_summary" / f"period={PERIOD}").symlink_to(place / "data" / "hr")
    assert eperf("runs", "--warehouse", str(place / "w.duckdb")).exit_code == 0
    assert snapshot(place / "data") == data
    assert not (place / "w" / "pay_register").is_symlink()
    assert mirrored(place) == live


def test_files_eperf_did_not_write_are_removed_and_edited_ones_written_again(place: Path) -> None:
    live = mirrored(place)
    folder = place / "w" / "pay_register" / f"period={PERIOD}"
    [own] = folder.glob("*.parquet")
    register = pl.read_parquet(own)
    register.write_parquet(folder / "zzzz.parquet")  # a stray copy: analysts reading **/*.parquet see it twice
    (place / "w" / "pool_summary" / "notes.parquet").write_bytes(b"PAR1")
    (folder / f".{own.name}.eperf-part").write_bytes(b"half")  # what a killed writer left
    assert eperf("runs", "--warehouse", str(place / "w.duckdb")).exit_code == 0
    assert mirrored(place) == live
    # A hand edit, even one that keeps the size and the modification time, is written over.
    stat = own.stat()
    edited = register.with_columns(pl.col("net_rp") + 1)
    edited.write_parquet(own)
    os.utime(own, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert eperf("audit", "--warehouse", str(place / "w.duckdb")).exit_code == 0
    assert mirrored(place) == live


def test_a_mirror_of_another_warehouse_is_refused(place: Path) -> None:
    marker = place / "w" / MARKER
    document = json.loads(marker.read_text())
    marker.write_text(json.dumps({**document, "warehouse_id": "0" * 32}))
    live = snapshot(place / "w")
    refused(eperf("runs", "--warehouse", str(place / "w.duckdb")), "is the Parquet mirror of another warehouse")
    assert snapshot(place / "w") == live


@pytest.mark.parametrize("what", ["data", "notes"])
def test_a_mirror_holding_what_eperf_did_not_write_is_refused_untouched(place: Path, what: str) -> None:
    if what == "data":
        shutil.copytree(place / "data", place / "w" / "pay_register" / "city")
    else:
        (place / "w" / "catatan.txt").write_text("jangan dihapus\n")
    live = snapshot(place / "w")
    refused(eperf("run", "--period", PERIOD, "--warehouse", str(place / "w.duckdb")), "which eperf does not write")
    assert snapshot(place / "w") == live


def test_a_warehouse_beside_a_data_folder_of_its_name_is_refused(place: Path) -> None:
    """``--warehouse DATA.duckdb`` beside a folder ``DATA`` once wrote the mirror into the data."""
    data = snapshot(place / "data")
    refused(eperf("ingest", "--data", str(place / "data"), "--warehouse", str(place / "data.duckdb")),
            "already holds files", "the new warehouse's Parquet mirror")
    assert snapshot(place / "data") == data and not (place / "data.duckdb").exists()
    shutil.copy(place / "w.duckdb", place / "data.duckdb")  # an existing warehouse: its mirror would be the data
    refused(eperf("runs", "--warehouse", str(place / "data.duckdb")), "which eperf does not write")
    assert snapshot(place / "data") == data


@pytest.mark.parametrize("inside", ["data/w.duckdb", "data/hr/w.duckdb"])
def test_a_warehouse_inside_a_data_directory_is_refused(place: Path, inside: str) -> None:
    refused(eperf("ingest", "--data", str(place / "data"), "--warehouse", str(place / inside)),
            "lies inside the data directory")
    assert not (place / inside).exists()


def test_a_mirror_folder_that_is_a_link_is_refused(place: Path) -> None:
    shutil.move(place / "w", place / "elsewhere")
    (place / "w").symlink_to(place / "elsewhere")
    refused(eperf("runs", "--warehouse", str(place / "w.duckdb")), "is a symbolic link")


@pytest.mark.parametrize("what", ["fifo", "folder", "loop"])
def test_a_warehouse_path_that_is_not_a_file_is_refused(tmp_path: Path, what: str) -> None:
    path = tmp_path / "w.duckdb"
    if what == "fifo":
        os.mkfifo(path)
    elif what == "folder":
        path.mkdir()
    else:
        path.symlink_to("w.duckdb")
    words = "cannot be followed" if what == "loop" else "is not a warehouse file"
    refused(eperf("runs", "--warehouse", str(path)), words)


def test_a_mirror_written_before_it_had_an_owner_is_adopted(place: Path) -> None:
    """A mirror from before the marker (pay_register and pool_summary only) is taken over."""
    live = mirrored(place)
    (place / "w" / MARKER).unlink()
    assert eperf("runs", "--warehouse", str(place / "w.duckdb")).exit_code == 0
    assert (place / "w" / MARKER).is_file() and mirrored(place) == live


def test_a_warehouse_name_too_long_for_its_hidden_twin_is_refused(place: Path) -> None:
    path = place / ("w" * 240 + ".duckdb")
    refused(eperf("ingest", "--data", str(place / "data"), "--warehouse", str(path)), "the name is too long")
    assert [p.name for p in place.iterdir() if p.name.startswith((".w", "ww"))] == []
