"""The corpus of broken exports (SPEC §3.1): every file, CSV and Parquet, run through `eperf run`.

Each case breaks a copy of the spec example city-9004 in one way and states the exact outcome:
the input is accepted (and, where the break changes no value, the register is the clean one),
one row is rejected with its column and reason, or the run stops with exit 2 and one line that
names the file and column. No case may end in a traceback, and in every run that completes
each file's counts add up: accepted + rejected + of other months = read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from tests.messages import messages
from tests.pipelines.editing import PERIOD, add_column, get_row, needs_example, read_rows, set_cell, write_rows

pytestmark = needs_example

EMP, POS, KELAS, PLT = "hr/employees.csv", "hr/positions.csv", "hr/kelas.csv", "hr/plt.csv"
SANCTIONS, LOG, ATT, APBD = "hr/sanctions.csv", "ekinerja/activity_log.csv", "eabsensi/attendance.csv", \
    "ebudgeting/apbd_lines.csv"
YTD = "hr/pph21_ytd.csv"
YTD_HEADER = ["nip", "fiscal_year", "months", "salary_rp", "tpp_rp", "pph21_rp", "pension_rp"]


@dataclasses.dataclass(frozen=True)
class Accepted:
    """Every row of ``file`` accepted; ``same``: the register equals the clean city's."""

    file: str
    same: bool = True


@dataclasses.dataclass(frozen=True)
class Rejected:
    """``file`` has exactly one reject: ``row``, ``column``, and a reason containing ``reason``."""

    file: str
    row: int
    column: str
    reason: str


@dataclasses.dataclass(frozen=True)
class Fatal:
    """Exit 2 and one line on stderr holding every word; nothing written."""

    words: tuple[str, ...]


Break = Callable[[Path], object]


# --- ways to break a file ------------------------------------------------------------------------

def cell(file: str, row: int, column: str, value: str) -> Break:
    return lambda data: set_cell(data, file, row, column, value)


def raw(file: str, edit: Callable[[bytes], bytes]) -> Break:
    def apply(data: Path) -> None:
        path = data / file
        path.write_bytes(edit(path.read_bytes()))
    return apply


def line(file: str, row: int, text: str) -> Break:
    """Replace data row ``row`` (1-based) with a raw line of text."""
    def apply(data: Path) -> None:
        lines = (data / file).read_bytes().split(b"\n")
        lines[row] = text.encode("utf-8")
        (data / file).write_bytes(b"\n".join(lines))
    return apply


def column(file: str, name: str, value: str = "", **rows: str) -> Break:
    """Add column ``name`` holding ``value``, and ``rows[f"r{n}"]`` in data row n."""
    def apply(data: Path) -> None:
        add_column(data, file, name, value)
        for key, text in rows.items():
            set_cell(data, file, int(key.removeprefix("r")), name, text)
    return apply


def ytd_file(*rows: list[str]) -> Break:
    """An ``hr/pph21_ytd.csv``: a row for the first employee (8 months of 2024), then ``rows``."""
    def apply(data: Path) -> None:
        nip = get_row(data, EMP, 1)["nip"]
        write_rows(data, YTD, YTD_HEADER, [[nip, "2024", "8", "27250400", "40000000", "1200000", "2180032"],
                                           *rows])
    return apply


def under_ter(data: Path) -> None:
    """The policy's every version under ``pph21 = "ter"``."""
    policy = data / "policy.toml"
    policy.write_text(policy.read_text().replace('pph21 = "borne"', 'pph21 = "ter"'))


def header_only(file: str) -> Break:
    return raw(file, lambda b: b.split(b"\n", 1)[0] + b"\n")


def separator(file: str, sep: str) -> Break:
    def apply(data: Path) -> None:
        header, rows = read_rows(data, file)
        (data / file).write_text("\n".join(sep.join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return apply


def reorder(file: str) -> Break:
    def apply(data: Path) -> None:
        header, rows = read_rows(data, file)
        order = list(reversed(range(len(header))))
        write_rows(data, file, [header[i] for i in order], [[r[i] for i in order] for r in rows])
    return apply


def to_parquet(file: str, **columns: pl.Expr | Callable[[pl.DataFrame], pl.Series]) -> Break:
    """``file`` as Parquet, with some columns stored in other types (an expression over the
    text, or a function of the frame giving the stored column)."""
    def apply(data: Path) -> None:
        frame = pl.read_csv(data / file, infer_schema=False)
        for name, make in columns.items():
            stored = make(frame) if callable(make) and not isinstance(make, pl.Expr) else frame.select(make).to_series()
            frame = frame.with_columns(stored.alias(name))
        frame.write_parquet((data / file).with_suffix(".parquet"))
        (data / file).unlink()
    return apply


def both(*breaks: Break) -> Break:
    def apply(data: Path) -> None:
        for b in breaks:
            b(data)
    return apply


def row_value(row: int, column: str, stored: pl.Expr, value: object) -> Callable[[pl.DataFrame], pl.Series]:
    """The text column stored as ``stored`` (an expression over it), but ``value`` in data row ``row``."""
    def make(frame: pl.DataFrame) -> pl.Series:
        series = frame.select(stored).to_series()
        values = series.to_list()
        values[row - 1] = value
        return pl.Series(column, values, dtype=series.dtype)
    return make


def replace_with_folder(file: str) -> Break:
    def apply(data: Path) -> None:
        (data / file).unlink()
        (data / file).mkdir()
    return apply


def replace_with_link(file: str, target: str | None) -> Break:
    def apply(data: Path) -> None:
        path = data / file
        moved = path.with_name("real-" + path.name)
        path.rename(moved)
        path.symlink_to(moved.name if target is None else target)
    return apply


def excel_nip(data: Path) -> None:
    set_cell(data, EMP, 5, "nip", f"{float(get_row(data, EMP, 5)['nip']):.5E}")


def apbd_beyond_int64(data: Path) -> None:
    """9,300 TPP lines of Rp 10^15 for one OPD: each in range, their sum past 2^63."""
    header, rows = read_rows(data, APBD)
    tpp = next(r for r in rows if r[header.index("account_code")].startswith("5.1.01.02")
               and r[header.index("fiscal_year")] == "2024" and r[header.index("revision")] == "1")  # r* of 2024-09
    extra = [[*tpp] for _ in range(9300)]
    for i, r in enumerate(extra):
        r[header.index("account_code")] = f"5.1.01.02.99.{i:05d}"
        r[header.index("pagu_rp")] = str(10**15)
    write_rows(data, APBD, header, rows + extra)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) - ord("0") + ord("０")) if c.isdigit() else c for c in text)


def time_of(text: pl.Expr) -> pl.Expr:
    return text.str.to_time("%H:%M", strict=False)


CASES = [
    # encodings, line ends, separators, quoting
    pytest.param(raw(EMP, lambda b: b"\xef\xbb\xbf" + b), Accepted(EMP), id="bom"),
    pytest.param(raw(ATT, lambda b: b.replace(b"\n", b"\r\n")), Accepted(ATT), id="crlf"),
    pytest.param(separator(POS, ";"), Accepted(POS), id="semicolons"),
    pytest.param(separator(KELAS, "\t"), Accepted(KELAS), id="tabs"),
    pytest.param(raw(EMP, lambda b: b.replace(b"Joko Prasetyo", b'"Prasetyo, Joko"')),
                 Accepted(EMP), id="quoted-comma"),
    pytest.param(raw(EMP, lambda b: b.replace(b"Joko Prasetyo", b"Prasetyo, Joko")),
                 Rejected(EMP, 1, "(line)", "more fields than the header"), id="unquoted-comma-shifts-row"),
    pytest.param(raw(EMP, lambda b: b.replace(b"Joko Prasetyo", "Joko Pras\u00e9tyo".encode("latin-1"))),
                 Rejected(EMP, 1, "(line)", "text is not UTF-8"), id="latin-1"),
    pytest.param(raw(SANCTIONS, lambda b: b.replace(b"\n198011", b'\n"198011')),
                 Fatal(("hr/sanctions.csv", "unreadable")),
                 id="unclosed-quote"),
    pytest.param(line(SANCTIONS, 1, ""), Rejected(SANCTIONS, 1, "(line)", "no value in any column"), id="blank-line"),
    pytest.param(line(SANCTIONS, 1, ",,,"),
                 Rejected(SANCTIONS, 1, "(line)", "no value in any column"), id="empty-cells"),
    pytest.param(line(SANCTIONS, 1, "198409012021211237,2500"),
                 Rejected(SANCTIONS, 1, "start_date", "missing required value"), id="too-few-fields"),
    # header and columns
    pytest.param(header_only(ATT),
                 Fatal(("eabsensi/attendance", "no accepted row in 2024-09")), id="header-only-attendance"),
    pytest.param(header_only(LOG),
                 Fatal(("ekinerja/activity_log", "no accepted row in 2024-09")), id="header-only-log"),
    pytest.param(header_only(EMP), Fatal(("hr/employees", "no accepted employee")), id="header-only-employees"),
    pytest.param(raw(EMP, lambda b: b""), Fatal(("hr/employees.csv", "empty file")), id="empty-file"),
    pytest.param(raw(ATT, lambda b: b.replace(b"check_out", b"status", 1)),
                 Fatal(("eabsensi/attendance.csv", "'status'", "twice")), id="duplicated-column"),
    pytest.param(raw(ATT, lambda b: b.replace(b"check_out", b"checkout", 1)),
                 Fatal(("eabsensi/attendance.csv", "missing required column 'check_out'")), id="missing-column"),
    pytest.param(reorder(POS), Accepted(POS), id="reordered-columns"),
    # NIPs as spreadsheets and keyboards write them
    pytest.param(excel_nip, Rejected(EMP, 5, "nip", "wrong format"), id="nip-as-excel-float"),
    pytest.param(cell(ATT, 6, "nip", "'198503122010011001"),
                 Rejected(ATT, 6, "nip", "wrong format"), id="nip-apostrophe"),
    pytest.param(cell(EMP, 4, "nip", "1985031220100110012"),
                 Rejected(EMP, 4, "nip", "wrong format"), id="nip-19-digits"),
    pytest.param(cell(EMP, 4, "nip", full_width("198503122010011001")), Rejected(EMP, 4, "nip", "wrong format"),
                 id="nip-full-width"),
    pytest.param(cell(LOG, 15, "nip", "19850312201001100"),
                 Rejected(LOG, 15, "nip", "wrong format"),
                 id="log-nip-17-digits"),
    # amounts
    pytest.param(cell(EMP, 5, "salary_rp", "-1"),
                 Rejected(EMP, 5, "salary_rp", "negative value"), id="salary-negative"),
    pytest.param(cell(EMP, 5, "salary_rp", "1e20"), Rejected(EMP, 5, "salary_rp", "wrong type: expected an integer"),
                 id="salary-1e20"),
    pytest.param(cell(EMP, 5, "salary_rp", "4864700.50"), Rejected(EMP, 5, "salary_rp", "wrong type"),
                 id="salary-decimal"),
    pytest.param(cell(EMP, 5, "salary_rp", "1000000001"), Rejected(EMP, 5, "salary_rp", "amount out of range"),
                 id="salary-above-1e9"),
    pytest.param(cell(EMP, 5, "salary_rp", "9223372036854775807"), Rejected(EMP, 5, "salary_rp", "amount out of range"),
                 id="salary-int64-max"),
    pytest.param(cell(EMP, 5, "salary_rp", "99999999999999999999999"),
                 Rejected(EMP, 5, "salary_rp", "amount out of range"), id="salary-23-digits"),
    pytest.param(cell(EMP, 5, "salary_rp", full_width("3406300")), Rejected(EMP, 5, "salary_rp", "wrong type"),
                 id="salary-full-width"),
    pytest.param(cell(APBD, 2, "pagu_rp", "5000000000000000000"), Rejected(APBD, 2, "pagu_rp", "amount out of range"),
                 id="pagu-5e18"),
    pytest.param(apbd_beyond_int64, Fatal(("pool budgets", "pagu_rp", "64-bit")), id="pagu-sum-beyond-int64"),
    pytest.param(cell(LOG, 14, "quantity", "10001"), Rejected(LOG, 14, "quantity", "amount out of range ('10001')"),
                 id="quantity-above-1e4"),
    pytest.param(cell(LOG, 14, "quantity", "NaN"), Rejected(LOG, 14, "quantity", "wrong type: expected an integer"),
                 id="quantity-nan"),
    pytest.param(cell(KELAS, 3, "basic_rp", "inf"), Rejected(KELAS, 3, "basic_rp", "wrong type"), id="basic-inf"),
    pytest.param(cell(POS, 2, "kelas", "inf"), Rejected(POS, 2, "kelas", "wrong type"), id="kelas-inf"),
    pytest.param(cell(POS, 2, "bk_bp", "10001"),
                 Rejected(POS, 2, "bk_bp", "bp outside 0–10000 ('10001')"), id="bp-10001"),
    # dates and times
    pytest.param(cell(EMP, 7, "start_date", "2021-02-30"),
                 Rejected(EMP, 7, "start_date", "wrong type: expected a date"),
                 id="date-feb-30"),
    pytest.param(cell(EMP, 7, "start_date", "+021-02-03"),
                 Rejected(EMP, 7, "start_date", "wrong type"), id="date-signed"),
    pytest.param(cell(EMP, 2, "end_date", "2020-11-30"), Rejected(EMP, 2, "end_date", "end_date before start_date"),
                 id="ends-before-start"),
    pytest.param(cell(ATT, 3, "check_in", "24:00"), Rejected(ATT, 3, "check_in", "wrong type: expected a time HH:MM"),
                 id="time-24:00"),
    pytest.param(cell(ATT, 3, "check_in", "7:18"), Rejected(ATT, 3, "check_in", "wrong type"), id="time-unpadded"),
    pytest.param(cell(ATT, 3, "check_out", "07:00"), Rejected(ATT, 3, "check_out", "check_out before check_in"),
                 id="out-before-in"),
    pytest.param(cell(LOG, 11, "approved_at", "2024-09-21T10:00"),
                 Rejected(LOG, 11, "approved_at", "wrong type: expected a date-time"), id="approved-at-iso-t"),
    # Parquet: types are not guessed
    pytest.param(to_parquet(EMP, start_date=pl.col("start_date").str.to_date().cast(pl.Int32)),
                 Fatal(("hr/employees.parquet", "'start_date'", "Int32", "a date")), id="parquet-date-as-integer"),
    pytest.param(to_parquet(EMP, salary_rp=pl.col("salary_rp").cast(pl.Decimal(14, 2))),
                 Accepted("hr/employees.parquet"),
                 id="parquet-whole-decimal"),
    pytest.param(to_parquet(EMP, salary_rp=row_value(5, "salary_rp", pl.col("salary_rp").cast(pl.Decimal(14, 2)),
                                                     Decimal("4864700.50"))),
                 Fatal(("hr/employees.parquet", "'salary_rp'", "row 5", "not an integer exactly")),
                 id="parquet-decimal-with-fraction"),
    pytest.param(to_parquet(POS, bk_bp=pl.col("bk_bp").cast(pl.Float64)), Accepted("hr/positions.parquet"),
                 id="parquet-whole-float"),
    pytest.param(to_parquet(LOG, quantity=pl.col("quantity").cast(pl.Int64).cast(pl.Boolean)),
                 Fatal(("ekinerja/activity_log.parquet", "'quantity'", "Boolean", "an integer")), id="parquet-boolean"),
    pytest.param(to_parquet(LOG, activity_code=pl.concat_list("activity_code")),
                 Fatal(("ekinerja/activity_log.parquet", "'activity_code'", "List")), id="parquet-list"),
    pytest.param(to_parquet(ATT, check_in=time_of(pl.col("check_in")), check_out=time_of(pl.col("check_out"))),
                 Accepted("eabsensi/attendance.parquet"), id="parquet-time"),
    pytest.param(to_parquet(ATT, check_in=row_value(2, "check_in", time_of(pl.col("check_in")), dt.time(7, 30, 15))),
                 Fatal(("eabsensi/attendance.parquet", "'check_in'", "not a time HH:MM exactly")),
                 id="parquet-time-with-seconds"),
    pytest.param(to_parquet(EMP, nip=pl.col("nip").cast(pl.Int64)),
                 Accepted("hr/employees.parquet"), id="parquet-nip-int"),
    pytest.param(to_parquet(EMP, nip=pl.col("nip").cast(pl.Float64)),
                 Fatal(("hr/employees.parquet", "'nip'", "Float64", "text")), id="parquet-nip-float"),
    pytest.param(to_parquet(EMP, salary_rp=row_value(5, "salary_rp", pl.col("salary_rp").cast(pl.UInt64), 2**63)),
                 Rejected("hr/employees.parquet", 5, "salary_rp", "amount out of range"), id="parquet-uint64-huge"),
    pytest.param(to_parquet(LOG, approved_at=pl.col("approved_at").str.to_datetime("%Y-%m-%d %H:%M",
                                                                                   time_zone="Asia/Jakarta")),
                 Accepted("ekinerja/activity_log.parquet"), id="parquet-timestamp-with-zone"),
    pytest.param(to_parquet(LOG, status=pl.col("status").cast(pl.Categorical)),
                 Accepted("ekinerja/activity_log.parquet"),
                 id="parquet-categorical-text"),
    # PTKP status, pension and the PPh 21 year to date (SPEC §3, §4.9)
    pytest.param(column(EMP, "ptkp_status", "K/1", r2="", r3="TK/2"), Accepted(EMP, same=False), id="ptkp-status"),
    pytest.param(column(EMP, "ptkp_status", "", r3="K/4"),
                 Rejected(EMP, 3, "ptkp_status", "value outside its allowed set"), id="ptkp-k4"),
    pytest.param(column(EMP, "ptkp_status", "", r3="K/I/1"),
                 Rejected(EMP, 3, "ptkp_status", "value outside its allowed set"), id="ptkp-combined-income"),
    pytest.param(column(EMP, "pension_rp", "", r4="272504"), Accepted(EMP, same=False), id="pension"),
    pytest.param(column(EMP, "pension_rp", "", r4="-1"), Rejected(EMP, 4, "pension_rp", "negative value"),
                 id="pension-negative"),
    pytest.param(column(EMP, "pension_rp", "", r4="1000000000000001"),
                 Rejected(EMP, 4, "pension_rp", "amount out of range"), id="pension-above-1e15"),
    pytest.param(ytd_file(), Accepted(YTD), id="ytd"),
    pytest.param(ytd_file(["199001192020121251", "2024", "12", "0", "0", "0", "0"]),
                 Rejected(YTD, 2, "months", "value outside its allowed range 0–11"), id="ytd-12-months"),
    pytest.param(ytd_file(["199001192020121299", "2024", "8", "0", "0", "0", "0"]),
                 Rejected(YTD, 2, "nip", "unknown reference: nip is not in hr/employees"),
                 id="ytd-unknown-nip"),
    pytest.param(ytd_file(["197011161999061293", "2024", "8", "0", "0", "0", "0"]),
                 Rejected(YTD, 2, "nip, fiscal_year", "duplicate key"), id="ytd-duplicate"),
    pytest.param(ytd_file(["199001192020121251", "2024", "8", "0", "-5", "0", "0"]),
                 Rejected(YTD, 2, "tpp_rp", "negative value"), id="ytd-negative"),
    pytest.param(ytd_file(["199001192020121251", "1999", "8", "0", "0", "0", "0"]),
                 Rejected(YTD, 2, "fiscal_year", "value outside its allowed range 2000–2100"), id="ytd-year"),
    # city-9004: rows 9 and 63 leave in September 2024 (the 7th, the 6th): it is their last month.
    pytest.param(under_ter, Fatal(("hr/pph21_ytd.csv", "required under pph21 = \"ter\"", "last month",
                                   "for 2 employee(s)")), id="ter-last-month-without-ytd"),
    pytest.param(both(under_ter, ytd_file()), Accepted(YTD, same=False), id="ter-last-month-with-ytd"),
    pytest.param(both(under_ter, cell(EMP, 9, "end_date", ""), cell(EMP, 63, "end_date", "2024-10-01")),
                 Accepted(EMP, same=False), id="ter-no-last-month-needs-no-ytd"),
    pytest.param(both(ytd_file(), raw(YTD, lambda b: b.replace(b"pph21_rp", b"pph21", 1))),
                 Fatal(("hr/pph21_ytd.csv", "missing required column 'pph21_rp'")), id="ytd-missing-column"),
    # what sits where a file should be
    pytest.param(replace_with_folder(EMP), Fatal(("hr/employees.csv", "is a folder")), id="folder-for-file"),
    pytest.param(replace_with_link(POS, None), Accepted(POS), id="symlink-to-file"),
    pytest.param(replace_with_link(POS, "nowhere.csv"),
                 Fatal(("hr/positions.csv", "does not exist")), id="dangling-link"),
]


@pytest.fixture(scope="module")
def clean_register(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    from tests.pipelines.editing import copy_city

    data = copy_city(tmp_path_factory.mktemp("clean"))
    out = tmp_path_factory.mktemp("clean-out") / "run"
    assert run(data, out).exit_code == 0
    return pl.read_parquet(out / "pay_register.parquet").drop("run_id")


def run(data: Path, out: Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["run", "--data", str(data), "--period", PERIOD, "--out", str(out)])


@pytest.mark.parametrize(("broken", "outcome"), CASES)
def test_broken_export(city: Path, tmp_path: Path, clean_register: pl.DataFrame, broken: Break,
                       outcome: Accepted | Rejected | Fatal) -> None:
    broken(city)
    out = tmp_path / "out"
    result = run(city, out)
    assert "Traceback" not in result.output
    if isinstance(outcome, Fatal):
        assert result.exit_code == 2, result.output
        [message] = messages(result.stderr)
        for word in outcome.words:
            assert word in message
        assert not out.exists()
        assert [p.name for p in tmp_path.iterdir()] == ["data"]
        return
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    for load in manifest["inputs"]:
        assert load["accepted"] + load["rejected"] + load["outside_period"] == load["rows_read"]
    rejects = pl.read_parquet(out / "rejects.parquet").filter(pl.col("file") == outcome.file)
    if isinstance(outcome, Accepted):
        assert rejects.height == 0
        assert outcome.file in {load["file"] for load in manifest["inputs"]}
        if outcome.same:
            assert pl.read_parquet(out / "pay_register.parquet").drop("run_id").equals(clean_register)
        return
    [(row, column, reason)] = rejects.select("row", "column", "reason").rows()
    assert (row, column) == (outcome.row, outcome.column)
    assert outcome.reason in reason


def test_the_corpus_covers_every_file_and_both_formats() -> None:
    files = {c.values[1].file if not isinstance(c.values[1], Fatal) else c.values[1].words[0] for c in CASES}
    stems = {f.split(".")[0] for f in files}
    assert {"hr/employees", "hr/positions", "hr/kelas", "hr/sanctions", "ekinerja/activity_log",
            "eabsensi/attendance", "ebudgeting/apbd_lines"} <= stems
    assert any(f.endswith(".parquet") for f in files) and any(f.endswith(".csv") for f in files)
    assert len(CASES) >= 40


def fifo_for(file: str) -> Break:
    def apply(data: Path) -> None:
        (data / file).unlink()
        os.mkfifo(data / file)
    return apply


@pytest.mark.parametrize(("broken", "words"), [
    (fifo_for(EMP), ("hr/employees.csv", "is not a file (a FIFO")),
    (fifo_for("policy.toml"), ("policy.toml", "is not a file")),
], ids=["employees", "policy"])
def test_a_fifo_where_an_export_goes_is_one_sentence_not_a_wait(city: Path, tmp_path: Path, broken: Break,
                                                                 words: tuple[str, ...]) -> None:
    """Reading a FIFO waits for a writer that never comes: it is refused by what it is."""
    broken(city)
    result = run(city, tmp_path / "out")
    assert result.exit_code == 2, result.output
    [message] = messages(result.stderr)
    assert all(word in message for word in words), message
