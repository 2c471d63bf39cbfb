"""Bad input (SPEC §3.1): every row is accepted or rejected with file, row, column and reason.

Each test copies the spec example city-9004 and breaks one file in one way. A rejected row
must be reported exactly once, be absent from the accepted table, and the file's counts must
satisfy ``accepted + rejected + outside_period = rows read`` (rows of other months in a flat
attendance file are counted, not checked).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from engine import Period
from pipelines.month.run import month_from_folder, run_from_folder
from pipelines.sources import CONTRACTS, readers
from pipelines.sources.readers import DataDir, FileLoad, InputError, read_data_dir
from tests.pipelines.editing import (
    PERIOD,
    add_column,
    append_copy,
    count_rows,
    delete_rows,
    get_row,
    log_to_hive_folder,
    log_to_parquet_file,
    needs_example,
    personal_values,
    read_rows,
    set_cell,
    set_parquet_cell,
)

pytestmark = needs_example

EMP = "hr/employees.csv"
POS = "hr/positions.csv"
KELAS = "hr/kelas.csv"
PLT = "hr/plt.csv"
SANCTIONS = "hr/sanctions.csv"
LOG = "ekinerja/activity_log.csv"
ATT = "eabsensi/attendance.csv"
APBD = "ebudgeting/apbd_lines.csv"
ASSIGN = "eproject/assignments.csv"

UNKNOWN_NIP = "199901012020011999"  # 18 digits, well formed, not in hr/employees.csv


# --- helpers -------------------------------------------------------------------------------

def contract_of(file: str) -> str:
    """The contract name of a file path (``ekinerja/activity_log.csv`` → ``activity_log``)."""
    return next(c.name for c in CONTRACTS.values() if file.startswith(c.path))


def rejects_in(loaded: DataDir, file: str) -> list[tuple[int, str, str]]:
    """(row, column, reason) of the rejects of one file, in row order."""
    rows = loaded.rejects.filter(pl.col("file") == file).sort("row", "column")
    return [(r["row"], r["column"], r["reason"]) for r in rows.iter_rows(named=True)]


def load_of(loaded: DataDir, file: str) -> FileLoad:
    return next(load for load in loaded.loads if load.file == file)


def assert_counts(loaded: DataDir, file: str, rows_read: int, rejected: int) -> None:
    load = load_of(loaded, file)
    assert (load.rows_read, load.rejected) == (rows_read, rejected)
    assert load.accepted + load.rejected + load.outside_period == load.rows_read


def with_key(loaded: DataDir, file: str, row: dict[str, str]) -> pl.DataFrame:
    """Accepted rows of ``file``'s table whose key equals that of ``row`` (CSV text)."""
    name = contract_of(file)
    key = CONTRACTS[name].key
    table = loaded.table(name)
    return table.filter(*[pl.col(k).cast(pl.String) == row[k] for k in key])


def assert_only_reject(loaded: DataDir, data: Path, file: str, row: int, column: str, reason: str,
                       original: dict[str, str]) -> None:
    """``file`` has exactly one reject, at (row, column) with ``reason`` in its text; the row
    (found by its original key) is not accepted, and the counts add up."""
    [(got_row, got_column, got_reason)] = rejects_in(loaded, file)
    assert (got_row, got_column) == (row, column)
    assert reason in got_reason
    assert with_key(loaded, file, original).height == 0
    rows_read = count_rows(data, file)
    assert_counts(loaded, file, rows_read, rejected=1)
    assert loaded.table(contract_of(file)).height == rows_read - 1


# --- one broken cell, one reject -----------------------------------------------------------

ONE_CELL = [
    # wrong types
    pytest.param(EMP, 5, "salary_rp", "3.406.300", "wrong type: expected an integer", id="salary-not-integer"),
    pytest.param(EMP, 5, "salary_rp", "3406300.5", "wrong type: expected an integer", id="salary-decimal"),
    pytest.param(EMP, 7, "start_date", "2021-13-01", "wrong type: expected a date", id="start-date-month-13"),
    pytest.param(LOG, 10, "work_date", "17/09/2024", "wrong type: expected a date", id="log-date-not-iso"),
    pytest.param(LOG, 10, "work_date", "2024-9-17", "wrong type: expected a date", id="log-date-unpadded"),
    pytest.param(LOG, 11, "approved_at", "2024-09-21", "wrong type: expected a date-time", id="approved-at-no-time"),
    pytest.param(ATT, 3, "check_in", "7:5", "wrong type: expected a time HH:MM", id="check-in-7:5"),
    pytest.param(ATT, 3, "check_out", "25:00", "wrong type: expected a time HH:MM", id="check-out-25:00"),
    # missing required value
    pytest.param(EMP, 9, "opd_code", "", "missing required value", id="employee-no-opd"),
    pytest.param(LOG, 12, "activity_code", "", "missing required value", id="log-no-activity"),
    pytest.param(ATT, 4, "status", "", "missing required value", id="attendance-no-status"),
    pytest.param(APBD, 2, "pagu_rp", "", "missing required value", id="apbd-no-pagu"),
    # value outside its allowed set
    pytest.param(ATT, 5, "status", "XX", "value outside its allowed set", id="attendance-status-XX"),
    pytest.param(EMP, 3, "status", "HONORER", "value outside its allowed set", id="employee-status"),
    pytest.param(EMP, 1, "golongan", "V", "golongan not valid for status", id="golongan-V-for-PNS"),
    pytest.param(LOG, 13, "status", "approve", "value outside its allowed set", id="log-status"),
    # negative quantity and money
    pytest.param(LOG, 14, "quantity", "-1", "negative value", id="negative-quantity"),
    pytest.param(APBD, 3, "pagu_rp", "-5000", "negative value", id="negative-pagu"),
    pytest.param(EMP, 6, "salary_rp", "-1", "negative value", id="negative-salary"),
    # bp outside 0-10000
    pytest.param(POS, 2, "bk_bp", "10001", "bp outside 0–10000", id="bk-bp-10001"),
    pytest.param(POS, 3, "pol_bp", "-1", "bp outside 0–10000", id="pol-bp-negative"),
    pytest.param(SANCTIONS, 2, "cut_bp", "12000", "bp outside 0–10000", id="cut-bp-12000"),
    # end before start, out before in
    pytest.param(EMP, 2, "end_date", "2020-11-30", "end_date before start_date", id="employee-ends-before-start"),
    pytest.param(PLT, 5, "end_date", "2024-09-13", "end_date before start_date", id="plt-ends-before-start"),
    pytest.param(SANCTIONS, 1, "end_date", "2024-07-14", "end_date before start_date", id="sanction-ends-before-start"),
    pytest.param(ATT, 3, "check_out", "07:00", "check_out before check_in", id="out-before-in"),
    # a NIP that is not 18 digits (a referencing file takes the format of hr/employees.csv); what
    # is typed where a NIP goes is never quoted: a name or an account lands there too (issue 19)
    pytest.param(EMP, 4, "nip", "20000620202303226", "wrong format", id="nip-17-digits"),
    pytest.param(LOG, 15, "nip", "19850312201001100X", "wrong format", id="log-nip-letter"),
    pytest.param(ATT, 6, "nip", "+19850312201001100", "wrong format", id="attendance-nip-sign"),
    pytest.param(SANCTIONS, 2, "nip", "1985031220100110", "wrong format", id="sanction-nip-short"),
    # unknown references
    # hr/employees.csv holds names and accounts: its reasons quote no value (a shifted row
    # could carry a name into any column), they name the row and column
    pytest.param(EMP, 8, "position_id", "JAB-999", "unknown reference: position_id is not in hr/positions",
                 id="employee-position"),
    pytest.param(LOG, 15, "nip", UNKNOWN_NIP, "unknown reference: nip", id="log-nip"),
    pytest.param(LOG, 16, "activity_code", "KIN-999", "unknown reference: activity_code 'KIN-999'", id="log-activity"),
    pytest.param(ATT, 6, "nip", UNKNOWN_NIP, "unknown reference: nip is not in hr/employees", id="attendance-nip"),
    pytest.param(PLT, 3, "nip", UNKNOWN_NIP, "unknown reference: nip", id="plt-nip"),
    pytest.param(PLT, 3, "position_id", "JAB-999", "unknown reference: position_id", id="plt-position"),
    pytest.param(SANCTIONS, 2, "nip", UNKNOWN_NIP, "unknown reference: nip", id="sanction-nip"),
    pytest.param(ASSIGN, 2, "package_id", "PKT-2024-9999", "unknown reference: package_id 'PKT-2024-9999'",
                 id="assignment-package"),
    pytest.param(ASSIGN, 7, "nip", UNKNOWN_NIP, "unknown reference: nip", id="assignment-nip"),
]


@pytest.mark.parametrize(("file", "row", "column", "value", "reason"), ONE_CELL)
def test_one_bad_cell_rejects_its_row(city: Path, file: str, row: int, column: str, value: str,
                                      reason: str) -> None:
    original = set_cell(city, file, row, column, value)
    loaded = read_data_dir(city)
    assert_only_reject(loaded, city, file, row, column, reason, original)


def test_position_with_unknown_kelas(city: Path) -> None:
    # JAB-048 (positions row 4) is the only position of kelas 4; take kelas 4 out of kelas.csv.
    assert get_row(city, POS, 4)["kelas"] == "4"
    delete_rows(city, KELAS, "kelas", "4")
    loaded = read_data_dir(city)
    assert_only_reject(loaded, city, POS, 4, "kelas", "unknown reference: kelas '4' is not in hr/kelas",
                       get_row(city, POS, 4))


def test_bp_limits_themselves_are_accepted(city: Path) -> None:
    set_cell(city, POS, 2, "bk_bp", "10000")
    set_cell(city, POS, 3, "pol_bp", "0")
    loaded = read_data_dir(city)
    assert rejects_in(loaded, POS) == []


def test_a_row_with_two_problems_counts_once(city: Path) -> None:
    set_cell(city, LOG, 20, "quantity", "-3")
    original = set_cell(city, LOG, 20, "status", "done")
    loaded = read_data_dir(city)
    assert [(r, c) for r, c, _ in rejects_in(loaded, LOG)] == [(20, "quantity"), (20, "status")]
    assert with_key(loaded, LOG, original).height == 0
    assert_counts(loaded, LOG, count_rows(city, LOG), rejected=1)


def test_values_are_shown_in_the_reason(city: Path) -> None:
    # An officer fixing the export needs to see what was wrong.
    set_cell(city, ATT, 5, "status", "XX")
    loaded = read_data_dir(city)
    assert rejects_in(loaded, ATT) == [(5, "status", "value outside its allowed set ('XX')")]


# --- duplicate keys: the first row wins ----------------------------------------------------

def test_duplicate_nip_keeps_the_first_employee(city: Path) -> None:
    first = get_row(city, EMP, 5)
    row = append_copy(city, EMP, 5, salary_rp="1")
    loaded = read_data_dir(city)
    assert rejects_in(loaded, EMP) == [
        (row, "nip", "duplicate key (nip): an earlier row has the same key")]
    assert with_key(loaded, EMP, first)["salary_rp"].to_list() == [int(first["salary_rp"])]
    assert_counts(loaded, EMP, rows_read=row, rejected=1)


def test_duplicate_attendance_day_keeps_the_first_row(city: Path) -> None:
    first = get_row(city, ATT, 3)  # 199302132021212270 on 2024-09-06, H
    row = append_copy(city, ATT, 3, status="TK", check_in="", check_out="")
    loaded = read_data_dir(city)
    [(got_row, column, reason)] = rejects_in(loaded, ATT)
    assert (got_row, column) == (row, "nip, work_date")
    assert "duplicate key (nip, work_date)" in reason
    assert with_key(loaded, ATT, first)["status"].to_list() == ["H"]
    assert_counts(loaded, ATT, rows_read=row, rejected=1)


def test_duplicate_apbd_line_keeps_the_first(city: Path) -> None:
    first = get_row(city, APBD, 2)
    row = append_copy(city, APBD, 2, pagu_rp="1", effective_date="2024-12-31", account_name="Ulang")
    loaded = read_data_dir(city)
    [(got_row, column, reason)] = rejects_in(loaded, APBD)
    assert (got_row, column) == (row, "fiscal_year, revision, opd_code, account_code")
    assert "duplicate key" in reason
    assert with_key(loaded, APBD, first)["pagu_rp"].to_list() == [int(first["pagu_rp"])]
    assert_counts(loaded, APBD, rows_read=row, rejected=1)


def test_same_apbd_account_in_another_revision_is_not_a_duplicate(city: Path) -> None:
    row = get_row(city, APBD, 2)
    append_copy(city, APBD, 2, revision=str(int(row["revision"]) + 5))
    loaded = read_data_dir(city)
    assert rejects_in(loaded, APBD) == []


def test_duplicate_log_id_keeps_the_first(city: Path) -> None:
    first = get_row(city, LOG, 30)
    row = append_copy(city, LOG, 30, quantity="99")
    loaded = read_data_dir(city)
    assert [(r, c) for r, c, _ in rejects_in(loaded, LOG)] == [(row, "log_id")]
    assert with_key(loaded, LOG, first)["quantity"].to_list() == [int(first["quantity"])]


def test_a_rejected_first_row_does_not_shadow_a_valid_later_one(city: Path) -> None:
    # The key is checked among rows still standing: a broken first row is not "the first".
    first = get_row(city, EMP, 5)
    row = append_copy(city, EMP, 5, salary_rp="4000000")
    set_cell(city, EMP, 5, "salary_rp", "abc")
    loaded = read_data_dir(city)
    assert [(r, c) for r, c, _ in rejects_in(loaded, EMP)] == [(5, "salary_rp")]
    assert with_key(loaded, EMP, first)["salary_rp"].to_list() == [4_000_000]
    assert row == count_rows(city, EMP)


def test_a_malformed_nip_does_not_shadow_a_valid_later_log(city: Path) -> None:
    # The NIP format is checked before the key, like every other value check.
    first = get_row(city, LOG, 3)
    row = append_copy(city, LOG, 3)
    set_cell(city, LOG, 3, "nip", "123")
    loaded = read_data_dir(city)
    assert rejects_in(loaded, LOG) == [(3, "nip", "wrong format")]  # a NIP's value is never quoted
    assert with_key(loaded, LOG, first)["nip"].to_list() == [first["nip"]]
    assert row == count_rows(city, LOG)


# --- what is not a reject ------------------------------------------------------------------

@pytest.mark.parametrize("pad", [" ", "\t", "  "])
def test_spaces_around_csv_cells_are_dropped(city: Path, pad: str) -> None:
    # A spreadsheet export with padded cells reads as the same values as a clean one.
    clean = read_data_dir(city)
    row = get_row(city, ATT, 2)
    for column in ("nip", "work_date", "status", "check_in"):
        set_cell(city, ATT, 2, column, f"{pad}{row[column]}{pad}")
    set_cell(city, EMP, 3, "salary_rp", f"{pad}{get_row(city, EMP, 3)['salary_rp']}")
    padded = read_data_dir(city)
    assert padded.rejects.height == 0
    for name in ("attendance", "employees"):
        assert padded.table(name).equals(clean.table(name))


def test_a_blank_cell_is_missing_with_or_without_spaces(city: Path) -> None:
    set_cell(city, ATT, 4, "status", "   ")
    set_cell(city, LOG, 12, "activity_code", "")
    loaded = read_data_dir(city)
    assert rejects_in(loaded, ATT) == [(4, "status", "missing required value")]
    assert rejects_in(loaded, LOG) == [(12, "activity_code", "missing required value")]


def test_extra_columns_are_ignored(city: Path) -> None:
    add_column(city, EMP, "catatan", "pindahan, dari OPD lain")
    add_column(city, LOG, "device", "android")
    loaded = read_data_dir(city)
    assert loaded.rejects.height == 0
    assert loaded.table("employees").columns == list(CONTRACTS["employees"].columns)
    assert_counts(loaded, EMP, count_rows(city, EMP), rejected=0)


def test_empty_optional_cells_are_accepted(city: Path) -> None:
    for column in ("name", "end_date", "bank_account"):
        set_cell(city, EMP, 5, column, "")
    for column in ("approver_nip", "approved_at", "ref"):
        set_cell(city, LOG, 10, column, "")
    set_cell(city, ATT, 3, "check_in", "")
    set_cell(city, ATT, 3, "check_out", "")
    set_cell(city, "eproject/milestones.csv", 1, "completed_date", "")
    loaded = read_data_dir(city)
    assert loaded.rejects.height == 0
    employee = with_key(loaded, EMP, get_row(city, EMP, 5)).row(0, named=True)
    assert (employee["name"], employee["end_date"], employee["bank_account"]) == (None, None, None)


def test_header_only_optional_file_is_empty(city: Path) -> None:
    header, _ = read_rows(city, PLT)
    (city / PLT).write_text(",".join(header) + "\n")
    loaded = read_data_dir(city)
    assert loaded.table("plt").height == 0
    assert_counts(loaded, PLT, rows_read=0, rejected=0)


# --- personal data --------------------------------------------------------------------------

def test_personal_data_never_appears_in_a_reason(city: Path) -> None:
    header, rows = read_rows(city, EMP)
    personal = personal_values(city)
    # Break every employee row in several ways, so every reason a row can get is produced.
    for i in range(1, len(rows) + 1):
        kind = i % 5
        if kind == 0:
            set_cell(city, EMP, i, "bank_account", "rek. " + rows[i - 1][header.index("name")])
            set_cell(city, EMP, i, "salary_rp", "-7")
        elif kind == 1:
            set_cell(city, EMP, i, "status", "XX")
        elif kind == 2:
            set_cell(city, EMP, i, "position_id", "JAB-999")
        elif kind == 3:
            set_cell(city, EMP, i, "golongan", "VI")
            set_cell(city, EMP, i, "status", "PNS")
        else:
            append_copy(city, EMP, i)
    loaded = read_data_dir(city)
    reasons = loaded.rejects["reason"].to_list()
    assert len(rejects_in(loaded, EMP)) >= len(rows)
    leaked = [p for p in personal if any(p in reason for reason in reasons)]
    assert leaked == []


# --- a rejected row takes no part ------------------------------------------------------------

def test_rejected_employee_takes_their_logs_and_attendance_with_them(city: Path) -> None:
    nip = get_row(city, EMP, 8)["nip"]
    set_cell(city, EMP, 8, "salary_rp", "n/a")
    loaded = read_data_dir(city)
    for file in (LOG, ATT):
        header, rows = read_rows(city, file)
        theirs = [i for i, r in enumerate(rows, 1) if r[header.index("nip")] == nip]
        assert theirs, f"{nip} has no rows in {file}"
        assert rejects_in(loaded, file) == [
            (i, "nip", "unknown reference: nip is not in hr/employees") for i in theirs]
        assert_counts(loaded, file, len(rows), rejected=len(theirs))


def test_rejected_attendance_row_counts_as_tk(city: Path, tmp_path: Path) -> None:
    nip = "199302132021212270"
    row = get_row(city, ATT, 3)
    assert (row["nip"], row["work_date"], row["status"], row["check_in"], row["check_out"]) == (
        nip, "2024-09-06", "H", "07:18", "17:01")
    before = _deduction_bp(run_from_folder(city, Period.parse(PERIOD), tmp_path / "before"), nip)

    set_cell(city, ATT, 3, "check_in", "7:18")  # wrong type: the whole row is rejected
    after_run = run_from_folder(city, Period.parse(PERIOD), tmp_path / "after")

    assert rejects_in(after_run.data, ATT) == [(3, "check_in", "wrong type: expected a time HH:MM")]
    # By hand: Friday 2024-09-06 is a working day (not in hr/calendar.csv); the employee
    # (PPPK, since 2021) is active. Present 07:18-17:01 was on time for 07:30-16:00: cost 0.
    # Without a row the day is TK: status_deduction_bp.TK = 300 in perwali-2024-09. So +300.
    assert before < 10000 - 300
    assert _deduction_bp(after_run, nip) == before + 300


def _deduction_bp(run: object, nip: str) -> int:
    register = pl.read_parquet(run.out / "pay_register.parquet")  # type: ignore[attr-defined]
    [value] = register.filter(pl.col("nip") == nip)["deduction_bp"].to_list()
    return int(value)


# --- the activity log as CSV, one Parquet file, or a hive-partitioned folder -----------------

def _register(data: Path) -> pl.DataFrame:
    return month_from_folder(data, Period.parse(PERIOD)).result.pay_register.to_native().drop("run_id")


@pytest.mark.parametrize("convert", [log_to_parquet_file, log_to_hive_folder], ids=["parquet", "hive"])
def test_activity_log_formats_give_the_same_register(city: Path, convert: object) -> None:
    as_csv = _register(city)
    convert(city)  # type: ignore[operator]
    assert not (city / LOG).exists()
    loaded = read_data_dir(city)
    assert loaded.rejects.height == 0
    assert sum(load.rows_read for load in loaded.loads if load.file.startswith("ekinerja/activity_log")) == 4964
    assert _register(city).equals(as_csv)


def test_hive_folder_has_one_load_per_part_file(city: Path) -> None:
    parts = log_to_hive_folder(city)
    assert parts == ["ekinerja/activity_log/period=2024-08/part-0.parquet",
                     "ekinerja/activity_log/period=2024-09/part-0.parquet"]
    loaded = read_data_dir(city)
    # 593 August and 4371 September logs (counted from the CSV's work_date)
    assert [(load_of(loaded, p).rows_read, load_of(loaded, p).accepted) for p in parts] == [(593, 593), (4371, 4371)]
    assert "period" not in loaded.table("activity_log").columns  # the partition key is not a column


def test_reject_in_a_part_file_names_the_part_and_its_own_row(city: Path) -> None:
    parts = log_to_hive_folder(city)
    september = parts[1]
    original = set_parquet_cell(city, september, 3, "quantity", -2)
    loaded = read_data_dir(city)
    # Row 3 of the September part, not 593 + 3 across the folder.
    assert loaded.rejects.rows() == [(september, 3, "quantity", "negative value ('-2')")]
    assert loaded.table("activity_log").filter(pl.col("log_id") == original["log_id"]).height == 0
    assert (load_of(loaded, september).accepted, load_of(loaded, september).rejected) == (4370, 1)


def test_duplicate_across_part_files_keeps_the_one_first_in_path_order(city: Path) -> None:
    august, september = log_to_hive_folder(city)
    first = pl.read_parquet(city / august).row(0, named=True)
    original = set_parquet_cell(city, september, 5, "log_id", first["log_id"])
    loaded = read_data_dir(city)
    assert [(f, r, c) for f, r, c, _ in loaded.rejects.rows()] == [(september, 5, "log_id")]
    kept = loaded.table("activity_log").filter(pl.col("log_id") == first["log_id"])
    assert kept["work_date"].to_list() == [first["work_date"]]
    assert loaded.table("activity_log").filter(pl.col("log_id") == original["log_id"]).height == 0


def test_parquet_bad_value_is_rejected_like_csv(city: Path) -> None:
    log_to_parquet_file(city)
    parquet = "ekinerja/activity_log.parquet"
    original = set_parquet_cell(city, parquet, 7, "status", "APPROVED")
    loaded = read_data_dir(city)
    assert loaded.rejects.rows() == [(parquet, 7, "status", "value outside its allowed set ('APPROVED')")]
    assert loaded.table("activity_log").filter(pl.col("log_id") == original["log_id"]).height == 0
    assert isinstance(original["work_date"], dt.date)


def test_part_files_may_store_a_column_with_different_types(city: Path) -> None:
    # An older exporter wrote August's approved_at as text, the new one as a timestamp.
    as_csv = _register(city)
    august, _ = log_to_hive_folder(city)
    old = pl.read_parquet(city / august)
    old.with_columns(pl.col("approved_at").dt.strftime("%Y-%m-%d %H:%M")).write_parquet(city / august)
    loaded = read_data_dir(city)
    assert loaded.rejects.height == 0
    assert loaded.table("activity_log")["approved_at"].null_count() == _null_approvals(city)
    assert _register(city).equals(as_csv)


def _null_approvals(data: Path) -> int:
    return sum(pl.read_parquet(p)["approved_at"].null_count()
               for p in (data / "ekinerja" / "activity_log").rglob("*.parquet"))


def test_any_input_may_be_parquet(city: Path) -> None:
    as_csv = _register(city)
    for file in ("hr/employees.csv", "eabsensi/attendance.csv"):
        frame = pl.read_csv(city / file, infer_schema=False)
        frame.write_parquet((city / file).with_suffix(".parquet"))
        (city / file).unlink()
    assert _register(city).equals(as_csv)


def test_two_exports_of_one_input_stop_the_run(city: Path) -> None:
    log_to_parquet_file(city)
    (city / LOG).write_text("log_id,nip,work_date,activity_code,quantity,status,approver_nip,approved_at,ref\n")
    with pytest.raises(InputError, match="ekinerja/activity_log.csv and ekinerja/activity_log.parquet"):
        read_data_dir(city)


# --- what a reason may show; cells and lines beyond any real export (issue 19) ---------------

TRANSFERS = "epayment/transfers.csv"


@pytest.mark.parametrize("file", [ATT, TRANSFERS, LOG])
@pytest.mark.parametrize("typed", ["Ahmad Gunawan", "0123456789012"])  # a name, a bank account
def test_what_is_typed_where_a_nip_goes_is_never_quoted(city: Path, file: str, typed: str) -> None:
    original = set_cell(city, file, 2, "nip", typed)
    loaded = read_data_dir(city)
    assert_only_reject(loaded, city, file, 2, "nip", "wrong format", original)
    assert typed not in rejects_in(loaded, file)[0][2]


def test_a_quoted_value_is_cut_to_a_few_dozen_characters(city: Path) -> None:
    code = "KIN-" + "9" * 200  # an activity code: quoted, but only its first 31 characters and "…"
    original = set_cell(city, LOG, 16, "activity_code", code)
    loaded = read_data_dir(city)
    assert_only_reject(loaded, city, LOG, 16, "activity_code",
                       f"unknown reference: activity_code '{code[:31]}…' is not in ekinerja/activity_catalog",
                       original)


@pytest.mark.parametrize(("length", "reason"), [
    (1000, "wrong format"),  # at the bound: read and judged like any value
    (1001, "a value longer than 1,000 bytes"),  # past it: the line is rejected, its values not read
])
def test_a_cell_past_the_longest_real_value_rejects_its_line_unread(city: Path, length: int, reason: str) -> None:
    original = set_cell(city, ATT, 4, "nip", "7" * length)
    loaded = read_data_dir(city)
    column = "nip" if length == 1000 else "(line)"
    assert_only_reject(loaded, city, ATT, 4, column, reason, original)
    assert "7" * 40 not in rejects_in(loaded, ATT)[0][2]


def test_a_long_parquet_text_rejects_its_row_like_csv(city: Path) -> None:
    log_to_parquet_file(city)
    file = "ekinerja/activity_log.parquet"
    set_parquet_cell(city, file, 5, "ref", "x" * 1001)
    loaded = read_data_dir(city)
    [(row, column, reason)] = rejects_in(loaded, file)
    assert (row, column) == (5, "(line)") and "longer than 1,000 bytes" in reason


def test_a_first_line_past_the_longest_header_is_one_sentence(city: Path) -> None:
    """A file with no line end (a 200 MB line in the field; its first 64 KiB + 1 here) stops the
    read with one sentence instead of the CSV module's field-size error."""
    (city / SANCTIONS).write_bytes(b"nip,cut_bp,start_date,end_date," + b"x" * (1 << 16))
    with pytest.raises(InputError, match="hr/sanctions.csv: the first line is longer than 65,536 bytes"):
        read_data_dir(city)


def test_a_line_past_the_longest_line_stops_the_read_before_it_is_held(city: Path) -> None:
    """A 200 MB line in the field (a NIP cell quoted whole in its reason once took 2.6 GB); here
    the smallest that crosses the bound: 1 MiB + 1 byte, refused by a pass in 1 MiB chunks."""
    lines = (city / ATT).read_bytes().split(b"\n")
    lines[4] = b"7" * ((1 << 20) + 1)
    (city / ATT).write_bytes(b"\n".join(lines))
    with pytest.raises(InputError, match="eabsensi/attendance.csv: line 5 is longer than 1,048,576 bytes"):
        read_data_dir(city)
    lines[4] = b"7" * (1 << 20)  # at the bound: a reject like any over-long cell
    (city / ATT).write_bytes(b"\n".join(lines))
    [(row, column, reason)] = rejects_in(read_data_dir(city), ATT)
    assert (row, column) == (4, "(line)") and reason.startswith("a value longer than 1,000 bytes")


# --- what the reader prepares for the engine -------------------------------------------------

def test_day_minutes_summed_in_slices_of_nips_are_the_sums(city: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large log's approved minutes per employee-day are summed a slice of NIPs at a time
    (memory); every employee-day's rows fall in one slice, so the slices give the same sums —
    with 4,964 log rows and at most 1,000 a slice, five slices."""
    whole = read_data_dir(city, Period.parse(PERIOD)).engine_frames["day_minutes"].collect()
    monkeypatch.setattr(readers, "DAY_MINUTES_AT_ONCE", 1_000)
    sliced = read_data_dir(city, Period.parse(PERIOD)).engine_frames["day_minutes"].collect()
    assert sliced.height == whole.height > 0
    assert sliced.sort("nip", "work_date").equals(whole.sort("nip", "work_date"))


def test_attendance_is_read_back_in_its_contracts_types(city: Path) -> None:
    """The reader keeps the attendance compact for the engine (a category, Int16 minutes); what
    everyone else reads of it has the contract's types and values."""
    loaded = read_data_dir(city, Period.parse(PERIOD))
    contract = CONTRACTS["attendance"]
    attendance = loaded.table("attendance")
    assert dict(attendance.schema) == {c: contract.dtypes[c] for c in contract.columns}
    first = attendance.filter(pl.col("check_out").is_not_null()).sort("nip", "work_date").row(0, named=True)
    header, rows = read_rows(city, ATT)
    [line] = [r for r in rows if (r[header.index("nip")], r[header.index("work_date")])
              == (first["nip"], first["work_date"].isoformat())]

    def minute(column: str) -> int:
        hours, minutes = line[header.index(column)].split(":")
        return int(hours) * 60 + int(minutes)

    assert (first["status"], first["check_in"], first["check_out"]) == (
        line[header.index("status")], minute("check_in"), minute("check_out"))
