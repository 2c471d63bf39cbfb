"""The input boundary on a generated city (SPEC §3.1): single-cell mutations never crash a read
and leave their row accepted unchanged or rejected; no message, reject or log line shows a name
or bank account; ``run`` and ``ingest`` reject the same rows for the same reasons; a month is
never computed from nothing; the whole policy is checked."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from engine import Period
from pipelines.cli import app
from pipelines.sources import CONTRACTS
from pipelines.sources.exports import kind_of, open_scan
from pipelines.sources.readers import DataDir, InputError, by_period, read_data_dir
from tests.conftest import GENERATED_MONTHS
from tests.messages import messages
from tests.pipelines.editing import personal_values, read_rows, write_rows

PERIOD = Period.parse(GENERATED_MONTHS[-1])
CSV_INPUTS = ("kelas", "positions", "employees", "plt", "sanctions", "calendar", "catalog", "attendance",
              "apbd_lines", "packages", "assignments", "milestones", "activity_map", "sp2d", "transfers")

cells = st.one_of(
    st.text(max_size=24),
    st.text(alphabet="0123456789-:+. ,\"'\t\n", max_size=22),
    st.sampled_from(["", " ", "NaN", "inf", "-1", "1e20", "4864700.50", "2025-02-30", "24:00", "07:30", "7:5",
                     "2025-11-03", "2025-11-03 08:15", "１２３", "٣", "9223372036854775808", "0", "10000",
                     "10001", "PNS", "III", "approved", "H", "TK", "196805031989081914", "\u00a0H\u00a0"]),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
)


def _same(value: object, written: str, kind: str) -> bool:
    """Whether an accepted value is what was written, read as its column's kind (white space
    around a cell dropped: Unicode's, as Polars strips it)."""
    text = pl.Series([written]).str.strip_chars()[0]
    if not text:
        return value is None
    if kind == "integer":
        return value == int(text)
    if kind == "date":
        return value == dt.date.fromisoformat(text)
    if kind == "datetime":
        return isinstance(value, dt.datetime) and value.strftime("%Y-%m-%d %H:%M") == text
    if kind == "time":
        return value == int(text[:2]) * 60 + int(text[3:])
    return value == text


def _row_of(loaded: DataDir, name: str, file: str, row: int, city: Path) -> dict[str, object] | None:
    """Data row ``row`` of ``file`` among the accepted rows of ``name`` (None: rejected, or a row
    of another month than the period in the flat attendance file: counted, not checked)."""
    rejected = set(loaded.rejects.filter(pl.col("file") == file)["row"].to_list())
    if row in rejected:
        return None
    contract = CONTRACTS[name]
    checked = set(range(1, row + 1))
    if by_period(contract, PERIOD):  # the rows the pass saw, as it parsed their dates
        date = pl.col(str(contract.dated_by))
        seen = open_scan(city, city / file, contract).typed().filter(
            date.is_null() | date.is_between(PERIOD.first_day, PERIOD.last_day)).select(pl.col("__row") + 1)
        checked = set(seen.collect().to_series().to_list())
        if row not in checked:
            return None
    position = sum(1 for r in checked if r < row and r not in rejected)
    return loaded.table(name).row(position, named=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_mutated_cell_is_accepted_unchanged_or_rejected(generated_city: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(CSV_INPUTS), label="input")
    contract = CONTRACTS[name]
    file = contract.path + ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        city = Path(shutil.copytree(generated_city, Path(tmp) / "city"))
        header, rows = read_rows(city, file)
        if not rows:
            return
        row = data.draw(st.integers(1, len(rows)), label="row")
        column = data.draw(st.sampled_from(list(contract.columns)), label="column")
        value = data.draw(cells, label="value")
        rows[row - 1][header.index(column)] = value
        write_rows(city, file, header, rows)
        try:
            loaded = read_data_dir(city, PERIOD)
        except InputError as exc:  # only a month left with nothing to compute from may stop
            assert "never computed from nothing" in str(exc)
            return
        accepted = _row_of(loaded, name, file, row, city)
    for load in loaded.loads:
        assert load.accepted + load.rejected + load.outside_period == load.rows_read
    if accepted is not None:
        assert _same(accepted[column], value, kind_of(column, contract)), (column, value, accepted[column])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_mutated_log_value_is_accepted_unchanged_or_rejected(generated_city: Path, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        city = Path(shutil.copytree(generated_city, Path(tmp) / "city"))
        parts = sorted((city / "ekinerja" / "activity_log" / f"period={PERIOD}").glob("*.parquet"))
        part = data.draw(st.sampled_from(parts), label="part")
        frame = pl.read_parquet(part, hive_partitioning=False)
        row = data.draw(st.integers(1, frame.height), label="row")
        column = data.draw(st.sampled_from(["log_id", "nip", "activity_code", "quantity", "status", "ref"]))
        value: object = data.draw(st.integers(-(2**63), 2**63 - 1) if column == "quantity" else cells, label="value")
        index = pl.int_range(pl.len())
        frame.with_columns(pl.when(index == row - 1).then(pl.lit(value, frame.schema[column])).otherwise(column)
                           .alias(column)).write_parquet(part)
        loaded = read_data_dir(city, PERIOD)
        accepted = _row_of(loaded, "activity_log", part.relative_to(city).as_posix(), row, city)
    if accepted is not None:
        expected = value if column == "quantity" else (value or None)
        assert accepted[column] == expected


# --- personal data ------------------------------------------------------------------------------

def _shift_and_spill(city: Path) -> None:
    """Break hr/employees.csv the ways that carry names and accounts into other columns."""
    header, rows = read_rows(city, "hr/employees.csv")
    col = {c: header.index(c) for c in header}
    for i, r in enumerate(rows[:60]):
        kind = i % 6
        if kind == 0:
            r[col["position_id"]] = r[col["name"]]
        elif kind == 1:
            r[col["status"]] = r[col["bank_account"]]
        elif kind == 2:
            r[col["nip"]] = r[col["bank_account"]]
        elif kind == 3:
            r[col["opd_code"]], r[col["golongan"]] = r[col["name"]], r[col["name"]]
        elif kind == 4:
            r[col["salary_rp"]] = r[col["bank_account"]] + "00000000"
        else:
            r[col["start_date"]] = r[col["name"]]
    write_rows(city, "hr/employees.csv", header, rows)
    with (city / "hr" / "employees.csv").open("a", encoding="utf-8") as fh:  # a shifted line: a name with a comma
        first = rows[70]
        fh.write(",".join([first[0], f"{first[1]}, S.Kom", *first[2:]]) + "\n")


def _leaks(texts: list[str], personal: set[str]) -> list[str]:
    return sorted(p for p in personal if any(p in t for t in texts))


def test_no_message_or_reject_quotes_a_name_or_account(generated_city: Path, tmp_path: Path) -> None:
    city = Path(shutil.copytree(generated_city, tmp_path / "city"))
    personal = {p for p in personal_values(city) if len(p) >= 6}
    _shift_and_spill(city)
    runner = CliRunner()
    run = runner.invoke(app, ["run", "--data", str(city), "--period", str(PERIOD), "--out", str(tmp_path / "out")])
    assert run.exit_code == 0, run.output
    rejects = pl.read_parquet(tmp_path / "out" / "rejects.parquet")
    assert rejects.filter(pl.col("file") == "hr/employees.csv").height >= 61
    ingest = runner.invoke(app, ["ingest", "--data", str(city), "--warehouse", str(tmp_path / "wh.duckdb")])
    assert ingest.exit_code == 0, ingest.output
    texts = [run.output, ingest.output, *rejects["reason"].to_list(), (tmp_path / "out" / "manifest.json").read_text()]
    assert _leaks(texts, personal) == []


def test_an_unreadable_employees_file_names_no_one(generated_city: Path, tmp_path: Path) -> None:
    city = Path(shutil.copytree(generated_city, tmp_path / "city"))
    personal = {p for p in personal_values(city) if len(p) >= 6}
    path = city / "hr" / "employees.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n", '\n"', 3))  # unclosed quotes: the CSV cannot be split
    run = CliRunner().invoke(app, ["run", "--data", str(city), "--period", str(PERIOD), "--out", str(tmp_path / "o")])
    assert run.exit_code == 2
    assert "hr/employees.csv" in run.stderr
    assert _leaks([run.output], personal) == []


# --- run and ingest: one rule --------------------------------------------------------------------

def test_run_and_ingest_reject_the_same_rows(generated_city: Path, tmp_path: Path) -> None:
    city = Path(shutil.copytree(generated_city, tmp_path / "city"))
    log = city / "ekinerja" / "activity_log" / f"period={PERIOD}"
    [whole] = log.glob("*.parquet")
    rows = pl.read_parquet(whole, hive_partitioning=False)
    whole.unlink()
    first, second = log / "part-0.parquet", log / "part-1.parquet"  # the month in two parts
    earlier, later = rows.head(rows.height // 2), rows.tail(rows.height - rows.height // 2)
    earlier.write_parquet(first)
    # a log id repeated in a later part of the folder, a bad quantity, an unknown activity
    later.with_columns(
        pl.when(pl.int_range(pl.len()) == 4).then(pl.lit(earlier["log_id"][9])).otherwise("log_id").alias("log_id"),
        pl.when(pl.int_range(pl.len()) == 7).then(-3).otherwise("quantity").alias("quantity"),
        pl.when(pl.int_range(pl.len()) == 8).then(pl.lit("KIN-999")).otherwise("activity_code").alias("activity_code"),
    ).write_parquet(second)
    header, rows = read_rows(city, "eabsensi/attendance.csv")
    mine = [i for i, r in enumerate(rows) if r[header.index("work_date")].startswith(str(PERIOD))]
    rows[mine[3]][header.index("check_in")] = "7:5"
    rows.append(rows[mine[10]])  # a repeated employee-day
    write_rows(city, "eabsensi/attendance.csv", header, rows)
    other_months = [i + 1 for i, r in enumerate(rows) if not r[header.index("work_date")].startswith(str(PERIOD))]
    header, rows = read_rows(city, "hr/employees.csv")
    rows[2][header.index("salary_rp")] = "-1"
    write_rows(city, "hr/employees.csv", header, rows)

    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(app, ["run", "--data", str(city), "--period", str(PERIOD), "--out", str(out)]).exit_code == 0
    by_run = pl.read_parquet(out / "rejects.parquet")
    warehouse = tmp_path / "wh.duckdb"
    assert runner.invoke(app, ["ingest", "--data", str(city), "--warehouse", str(warehouse)]).exit_code == 0
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        by_ingest = con.sql('select file, "row", "column", reason from rejects').pl()
    read_by_run = set(by_run["file"]) | {f.relative_to(city).as_posix() for f in log.glob("*.parquet")}
    by_ingest = by_ingest.filter(pl.col("file").is_in(sorted(read_by_run)))
    # a run checks only its month's rows of the flat attendance file; ingest checks every row
    by_ingest = by_ingest.filter((pl.col("file") != "eabsensi/attendance.csv") | ~pl.col("row").is_in(other_months))
    assert by_run.sort(pl.all()).equals(by_ingest.sort(pl.all()))
    reasons = by_run["reason"].to_list()
    assert any("duplicate key (log_id)" in r for r in reasons)
    assert any("duplicate key (nip, work_date)" in r for r in reasons)
    assert by_run.height >= 6


# --- a month is never computed from nothing -----------------------------------------------------

def test_a_month_without_activity_or_attendance_is_not_computed_from_the_warehouse(generated_city: Path,
                                                                                    tmp_path: Path) -> None:
    runner = CliRunner()
    warehouse = ["--warehouse", str(tmp_path / "wh.duckdb")]
    assert runner.invoke(app, ["ingest", "--data", str(generated_city), *warehouse]).exit_code == 0
    result = runner.invoke(app, ["run", "--period", "2025-09", *warehouse])  # the month before the city's
    assert result.exit_code == 2
    assert "never computed from nothing" in result.stderr
    assert "Traceback" not in result.output


# --- the policy is checked whole ----------------------------------------------------------------

@pytest.mark.parametrize("command", ["run", "ingest"])
def test_a_typo_in_a_later_policy_version_stops_run_and_ingest(generated_city: Path, tmp_path: Path,
                                                                command: str) -> None:
    city = Path(shutil.copytree(generated_city, tmp_path / "city"))
    with (city / "policy.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[[version]]\nid = "perwali-2030"\neffective_from = 2030-01-01\ndaily_cap_minuts = 400\n')
    args = ["run", "--data", str(city), "--period", str(PERIOD), "--out", str(tmp_path / "out")] if command == "run" \
        else ["ingest", "--data", str(city), "--warehouse", str(tmp_path / "wh.duckdb")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "perwali-2030" in result.stderr and "daily_cap_minuts" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_byte_that_is_not_utf8_in_an_ignored_column_is_read_alike_by_run_and_ingest(generated_city: Path,
                                                                                      tmp_path: Path) -> None:
    """``ingest`` once ended in a KeyError where ``run`` read the file (issue 19): the file read
    again as lossy UTF-8 is another scan of the same file."""
    city = Path(shutil.copytree(generated_city, tmp_path / "city"))
    path = city / "hr" / "positions.csv"
    lines = path.read_bytes().split(b"\n")
    lines = [lines[0] + b",catatan", lines[1] + b",caf\xe9", *(line + b",-" for line in lines[2:] if line)]
    path.write_bytes(b"\n".join(lines) + b"\n")
    runner = CliRunner()
    run = runner.invoke(app, ["run", "--data", str(city), "--period", str(PERIOD), "--out", str(tmp_path / "out")])
    ingest = runner.invoke(app, ["ingest", "--data", str(city), "--warehouse", str(tmp_path / "wh.duckdb")])
    assert (run.exit_code, ingest.exit_code) == (0, 0), ingest.output
    rejects = pl.read_parquet(tmp_path / "out" / "rejects.parquet")
    assert rejects.filter(pl.col("file") == "hr/positions.csv").height == 0
    assert "hr/positions.csv" in ingest.output and "0 rejected" in ingest.output.split("hr/positions.csv")[1]


def _bands(n: int) -> str:
    return "tl_psw_bands = [" + ", ".join(f"{{ min_minutes = {i + 1}, bp = 50 }}" for i in range(n)) + "]\n"


POLICY_BEYOND_BOUNDS = [
    pytest.param(f"bpjs_ceiling_rp = {10**30}\n", ("bpjs_ceiling_rp", "outside 0–1000000000000"), id="ceiling-1e30"),
    pytest.param(f"bpjs_ceiling_rp = {10**12 + 1}\n", ("bpjs_ceiling_rp",), id="ceiling-just-past-1e12"),
    pytest.param(f"tl_psw_bands = [{{ min_minutes = {10**20}, bp = 50 }}]\n", ("tl_psw_bands.min_minutes", "1–1440"),
                 id="band-1e20-minutes"),
    pytest.param(f"productivity_tiers = [{{ min_pct_of_target = {10**20}, bp = 50 }}]\n",
                 ("productivity_tiers.min_pct_of_target",), id="tier-1e20-pct"),
    pytest.param("plt_bp = " + "[" * 5000 + "]" * 5000 + "\n", ("policy.toml", "nested too deep"), id="nested-5000"),
    pytest.param(_bands(101), ("tl_psw_bands has 101 entries", "1–100"), id="101-bands"),
    pytest.param("# " + "x" * (1 << 20) + "\n", ("policy.toml", "larger than 1,048,576 bytes"), id="policy-past-1MiB"),
]


@pytest.mark.parametrize("command", ["run", "ingest"])
@pytest.mark.parametrize(("added", "words"), POLICY_BEYOND_BOUNDS)
def test_a_policy_beyond_its_bounds_stops_run_and_ingest_alike(generated_city: Path, tmp_path: Path, command: str,
                                                               added: str, words: tuple[str, ...]) -> None:
    """Every integer of the policy has a range and every list a length (engine/policy.py RANGES
    and LENGTHS; docs/decisions.md): past them a run once failed later (``conversion from i128 to
    i64 failed``) or recursed for minutes (100,000 bands). Here the smallest input that crosses
    each bound is one sentence naming the key, exit 2, for ``run`` and ``ingest`` alike."""
    city = Path(shutil.copytree(generated_city, tmp_path / "city"))
    policy = city / "policy.toml"
    text = policy.read_text(encoding="utf-8")
    cut = text.index("\n", text.index("effective_from")) + 1  # inside the first [[version]]
    policy.write_text(text[:cut] + added + text[cut:], encoding="utf-8")
    args = ["run", "--data", str(city), "--period", str(PERIOD), "--out", str(tmp_path / "out")] if command == "run" \
        else ["ingest", "--data", str(city), "--warehouse", str(tmp_path / "wh.duckdb")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    [line] = messages(result.stderr)
    assert all(word in line for word in words), line
    assert len(line) < 200
    assert not (tmp_path / "out").exists()


def test_a_policy_at_its_bounds_is_accepted(generated_city: Path, tmp_path: Path) -> None:
    city = Path(shutil.copytree(generated_city, tmp_path / "city"))
    policy = city / "policy.toml"
    text = policy.read_text(encoding="utf-8")
    cut = text.index("\n", text.index("effective_from")) + 1
    policy.write_text(text[:cut] + f"bpjs_ceiling_rp = {10**12}\n" + _bands(100) + text[cut:], encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", "--data", str(city), "--warehouse", str(tmp_path / "wh.duckdb")])
    assert result.exit_code == 0, result.output
