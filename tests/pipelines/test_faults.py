"""Commands killed (SIGKILL) at every named point and at random moments (SPEC §8; issue 10).

Each kill is followed by what the next command does first — finish or drop what the killed one
left (here: opening the warehouse) — and then the warehouse, its Parquet mirror and the output
path must be exactly as before the command or exactly as after an uninterrupted one; ``runs``
and ``audit`` must agree; no hidden leftover may remain; and repeating the command must give
the same bytes as the uninterrupted one. Two commands racing on one warehouse or one output path
lose nothing and end with a sentence, not a traceback.
"""

from __future__ import annotations

import dataclasses
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines import faults
from pipelines.cli import app
from pipelines.faults import HOLD_AT, KILL_AT, SAY_AT
from pipelines.warehouse.mirror import MARKER
from pipelines.warehouse.store import WAIT_SECONDS, Refused, open_warehouse
from tests.folders import snapshot
from tests.messages import messages
from tests.pipelines.editing import PERIOD, copy_city, needs_example, read_rows, write_rows

pytestmark = needs_example

EPERF = [sys.executable, "-c", "from pipelines.cli import main; main()"]
EPERF_DEFAULT_SIGNALS = [sys.executable, "-c", "import signal; signal.signal(signal.SIGXFSZ, signal.SIG_DFL); "
                         "from pipelines.cli import main; main()"]
POINTS = ("staged", "before-commit", "committed", "swapped", "mirror")
CLOCKS = {"loads": ["at"], "runs": ["at", "manifest"], "audit": ["at"], "payments": ["at"], "payment_files": ["at"]}
"""Columns that hold when a command ran: not part of what must be the same."""
OWN = ("identity", "mirror_files")
"""Tables of the warehouse's own (its id, a new one each time one is made; what ``stat`` said of
the mirror's files): not part of what must be the same."""
runner = CliRunner()


@dataclasses.dataclass(frozen=True)
class Command:
    """A command, the warehouse state it starts from, and whether it writes ``out``."""

    name: str
    start: str
    args: tuple[str, ...]
    writes: bool = True


COMMANDS = [
    Command("ingest", "empty", ("ingest", "--data", "{data}"), writes=False),
    Command("run-period", "ingested", ("run", "--period", PERIOD), writes=False),
    Command("run-warehouse", "ingested", ("run", "--period", PERIOD, "--out", "{out}")),
    Command("run-data", "none", ("run", "--data", "{data}", "--period", PERIOD, "--out", "{out}")),
    Command("lock", "approved", ("lock", "--period", PERIOD), writes=False),
    Command("export", "locked", ("export", "--period", PERIOD, "--out", "{out}")),
    Command("adjust", "late", ("adjust", "--period", PERIOD, "--out", "{out}")),
    Command("bankfile", "locked", ("bankfile", "--period", PERIOD, "--out", "{out}.csv")),
]
REPORT = Command("report", "locked", ("report", "--period", PERIOD, "--out", "{out}"))
"""Not killed above: a report's files carry the time they were made, so no two are the same bytes."""


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Warehouse states of city-9004, each a folder ``<state>/wh``, and the city in ``data``."""
    root = tmp_path_factory.mktemp("states")
    data = copy_city(root)
    late = root / "late" / "eabsensi"
    late.mkdir(parents=True)
    header, rows = read_rows(data, "eabsensi/attendance.csv")
    changed = [r for r in rows if r[header.index("status")] == "H"][:3]
    for r in changed:
        r[header.index("check_in")] = "09:45"
    write_rows(root / "late", "eabsensi/attendance.csv", header, changed)
    steps = {"empty": [], "ingested": [["ingest", "--data", str(data)]], "approved": [["run", "--period", PERIOD],
             ["approve", "--period", PERIOD]], "locked": [["lock", "--period", PERIOD]],
             "late": [["ingest", "--data", str(root / "late")]]}
    store = root / "work" / "wh" / "warehouse.duckdb"
    store.parent.mkdir(parents=True)
    for state, commands in steps.items():
        for args in commands:
            assert runner.invoke(app, [*args, "--warehouse", str(store)]).exit_code == 0
        shutil.copytree(store.parent, root / state / "wh")
    (root / "none" / "wh").mkdir(parents=True)
    return root


def prepare(states: Path, command: Command, tmp_path: Path) -> tuple[list[str], Path]:
    """A fresh copy of the command's starting state; the command's arguments."""
    shutil.copytree(states / command.start / "wh", tmp_path / "wh")
    store = tmp_path / "wh" / "warehouse.duckdb"
    args = [a.format(data=states / "data", out=tmp_path / "out") for a in command.args]
    return [*args, "--warehouse", str(store)], store


def state(tmp_path: Path) -> dict[str, object]:
    """What must be exactly as before or as after: every warehouse table (less its clocks), the
    mirror's files, and the outputs; and what may never be there: hidden leftovers."""
    store = tmp_path / "wh" / "warehouse.duckdb"
    tables: dict[str, object] = {}
    if store.exists():
        with duckdb.connect(str(store), read_only=True) as con:
            for (name,) in con.execute("select table_name from information_schema.tables").fetchall():
                if name in OWN:
                    continue
                clocks = CLOCKS.get(name, [])
                exclude = f" exclude ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in clocks)})" if clocks else ""
                rows = sorted(repr(row).replace(str(tmp_path), "<here>")  # paths the command was given
                              for row in con.execute(f"select *{exclude} from {name}").fetchall())
                if rows:  # an empty table holds what no file holds: nothing
                    tables[name] = rows
    outputs = {p.name: (snapshot(p, ("manifest.json",)) if p.is_dir() else p.read_bytes())
               for p in tmp_path.iterdir() if p.name.startswith("out")}
    mirror = snapshot(tmp_path / "wh" / "warehouse", (MARKER,)) if (tmp_path / "wh" / "warehouse").is_dir() else {}
    return {"tables": tables, "outputs": outputs, "mirror": mirror}


def hidden(tmp_path: Path) -> list[str]:
    return sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if ".eperf-" in p.name)


def recover(tmp_path: Path) -> None:
    """What the next command does first: finish or drop what a killed one left."""
    store = tmp_path / "wh" / "warehouse.duckdb"
    if store.exists():
        with open_warehouse(store):
            pass
        return
    with pytest.raises(Refused, match="no warehouse here yet"):  # and what a killed maker left is cleared
        with open_warehouse(store):
            pass
    from pipelines.month.outputs import leftovers, remove

    for left in leftovers(tmp_path / "out"):  # no warehouse: the next write to the same output cleans it
        remove(left)


def runs_and_audit_agree(tmp_path: Path) -> None:
    store = tmp_path / "wh" / "warehouse.duckdb"
    if not store.exists():
        return
    with duckdb.connect(str(store), read_only=True) as con:
        runs = {r for (r,) in con.execute("select run_id from runs").fetchall()}
        audited = {r for (r,) in con.execute("select run_id from audit where action in ('run', 'adjust')").fetchall()}
        assert runs == audited
        assert con.execute("select count(*) from pending").fetchall() == [(0,)]


@pytest.fixture(scope="module")
def after(states: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Each command's state before it and after an uninterrupted run, and the named points it passes."""
    found = {}
    for command in COMMANDS:
        folder = tmp_path_factory.mktemp(command.name)
        args, _ = prepare(states, command, folder)
        before = state(folder)
        reached: list[str] = []
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(faults, "point", reached.append)
            result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        recover(folder)
        found[command.name] = {"before": before, "after": state(folder), "reached": set(reached)}
    return found


def check(tmp_path: Path, command: Command, expected: dict[str, object], args: list[str]) -> str:
    """The checks after a kill; returns which of before and after the state is."""
    recover(tmp_path)
    assert hidden(tmp_path) == []
    runs_and_audit_agree(tmp_path)
    now = state(tmp_path)
    assert now in (expected["before"], expected["after"])
    which = "after" if now == expected["after"] else "before"
    if which == "after" and not command.writes:
        return which  # done, and not a command one repeats (a lock is taken once)
    repeated = runner.invoke(app, args)
    assert repeated.exit_code == 0, repeated.output
    recover(tmp_path)
    assert state(tmp_path)["outputs"] == expected["after"]["outputs"]  # type: ignore[index]
    assert hidden(tmp_path) == []
    return which


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_killed_at_a_named_point(states: Path, after: dict[str, dict[str, object]], tmp_path: Path,
                                 command: Command, point: str) -> None:
    if point not in after[command.name]["reached"]:  # type: ignore[operator]
        pytest.skip("the command never passes this point: nothing to kill there")
    args, _ = prepare(states, command, tmp_path)
    proc = subprocess.run([*EPERF, *args], env={**os.environ, KILL_AT: point}, capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr  # it died there
    assert "Traceback" not in proc.stderr
    which = check(tmp_path, command, after[command.name], args)
    if point in ("committed", "swapped", "mirror"):
        assert which == "after"  # once committed, a command's effects stand


def _killed_past(size: int) -> None:
    """In the child, before eperf starts: the first write that takes any file past ``size``
    bytes sends SIGXFSZ, which kills the process in :data:`EPERF_DEFAULT_SIGNALS` (Python
    ignores it otherwise): no cleanup, no ``finally``, like SIGKILL."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


@pytest.mark.parametrize("seed", range(10))
def test_killed_at_a_random_write(states: Path, after: dict[str, dict[str, object]], tmp_path: Path,
                                  seed: int) -> None:
    """Killed at a moment drawn at random but the same on every run: the first write past a
    random size in any file (DuckDB's file and WAL, a Parquet or CSV output, the mirror), in
    the middle of whatever was being written. No clock decides the moment."""
    chance = random.Random(seed)
    command = COMMANDS[seed % len(COMMANDS)]
    args, _ = prepare(states, command, tmp_path)
    size = int(2 ** chance.uniform(10, 23))  # 1 KiB … 8 MiB
    proc = subprocess.run([*EPERF_DEFAULT_SIGNALS, *args], preexec_fn=lambda: _killed_past(size),
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, capture_output=True, text=True)
    assert proc.returncode in (0, -signal.SIGXFSZ), proc.stderr
    check(tmp_path, command, after[command.name], args)


def _file_size_limit(size: int) -> None:
    """In the child: a write that takes any file past ``size`` bytes fails (EFBIG)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


FULL = [  # (command, file-size limit, the path the sentence names)
    ("ingest", 64 << 10, "warehouse.duckdb"),
    ("run-period", 4 << 10, "warehouse.duckdb"),
    ("run-warehouse", 4 << 10, "out"),  # its output is written before it commits
    ("run-data", 4 << 10, "out"),
    ("export", 3 << 10, "out"),
    ("bankfile", 2 << 10, "out.csv"),
    ("report", 64 << 10, "out"),
]


@pytest.mark.parametrize(("name", "size", "place"), FULL, ids=[f[0] for f in FULL])
def test_a_write_the_disk_refuses_is_one_sentence_and_changes_nothing(states: Path, tmp_path: Path, name: str,
                                                                      size: int, place: str) -> None:
    """A full disk in ingest, run, export, report and bankfile (issue 19: tracebacks). Here
    every file's size is capped (RLIMIT_FSIZE), so the write that crosses the cap fails in DuckDB,
    Polars or the report writer as on a full disk (EFBIG where a disk says ENOSPC; the same
    path, tests/pipelines/test_machine.py has the words for each): exit 2, one sentence naming
    where, the warehouse and the output as before, nothing hidden left; then the command
    succeeds as an uninterrupted one."""
    command = next(c for c in [*COMMANDS, REPORT] if c.name == name)
    args, _ = prepare(states, command, tmp_path)
    before = state(tmp_path)
    proc = subprocess.run([*EPERF, *args], preexec_fn=lambda: _file_size_limit(size), capture_output=True, text=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert proc.returncode == 2, proc.stderr
    [line] = messages(proc.stderr)
    assert f"{place}: file too large; nothing was" in line, line
    recover(tmp_path)
    assert hidden(tmp_path) == []
    runs_and_audit_agree(tmp_path)
    assert state(tmp_path) == before
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output


# --- races ---------------------------------------------------------------------------------

def _held(args: list[str], point: str) -> subprocess.Popen[str]:
    """A command started and held at ``point`` until :func:`_let_go`."""
    proc = subprocess.Popen([*EPERF, *args], env={**os.environ, HOLD_AT: point}, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    for line in proc.stderr:
        if f"holding at {point}" in line:
            return proc
    raise AssertionError(f"never reached {point}: {proc.communicate()}")


def _waiting(args: list[str], seconds: str = "3600") -> subprocess.Popen[str]:
    """A command started, once it says it found its warehouse or output path in use and waits
    its turn (up to ``seconds``)."""
    proc = subprocess.Popen([*EPERF, *args], env={**os.environ, SAY_AT: "waiting", WAIT_SECONDS: seconds}, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    for line in proc.stderr:
        if "at waiting" in line:
            return proc
    raise AssertionError(f"never waited: {proc.communicate()}")


def _let_go(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.write("\n")
    proc.stdin.flush()


def test_two_runs_racing_to_one_output_both_finish_whole(states: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["run", "--data", str(states / "data"), "--period", PERIOD, "--out", str(out)]
    first = _held(args, "staged")  # its output written whole, under its hidden name
    second = _waiting(args)  # blocked on the output path's lock
    _let_go(first)
    first.communicate()
    _, err = second.communicate()
    assert (first.returncode, second.returncode) == (0, 0), err
    assert hidden(tmp_path) == []
    assert snapshot(out, ("manifest.json",))  # one whole run


def test_a_second_command_on_the_warehouse_waits_or_gets_a_sentence(states: Path, tmp_path: Path) -> None:
    shutil.copytree(states / "ingested" / "wh", tmp_path / "wh")
    store = ["--warehouse", str(tmp_path / "wh" / "warehouse.duckdb")]
    first = _held(["run", "--period", PERIOD, *store], "before-commit")
    second = _waiting(["runs", *store], seconds="1")  # the first is held however long the second waits
    _, err = second.communicate()
    first.kill()
    first.communicate()
    assert second.returncode == 3
    assert "in use by another eperf command" in err and "Traceback" not in err
    listed = subprocess.run([*EPERF, "runs", *store], capture_output=True, text=True)
    assert listed.returncode == 0 and PERIOD not in listed.stdout  # the killed run left nothing


def test_two_runs_on_one_warehouse_take_turns_and_keep_one_draft(states: Path, tmp_path: Path) -> None:
    shutil.copytree(states / "ingested" / "wh", tmp_path / "wh")
    store = ["--warehouse", str(tmp_path / "wh" / "warehouse.duckdb")]
    first = _held(["run", "--period", PERIOD, *store], "before-commit")
    second = _waiting(["run", "--period", PERIOD, *store])
    _let_go(first)
    first.communicate()
    _, err = second.communicate()
    assert (first.returncode, second.returncode) == (0, 0), err
    with duckdb.connect(str(tmp_path / "wh" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select status, count(*) from runs group by status").fetchall() == [("draft", 1)]
        assert con.execute("select count(*) from audit where action = 'run'").fetchall() == [(2,)]
    assert hidden(tmp_path) == []
