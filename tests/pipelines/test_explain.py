"""`eperf explain`: the words carry the register's own Rupiah and the days behind them."""

from __future__ import annotations

import datetime as dt

import polars as pl
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.month.explain import _productivity_days
from tests.city import policy
from tests.pipelines.editing import EXAMPLE, PERIOD, needs_example

NIP = "196202191994121302"  # city-9004, expected register: entitlement 6,404,174, net 6,340,132


@needs_example
def test_explain_reads_out_the_register_row() -> None:
    result = CliRunner().invoke(app, ["explain", "--data", str(EXAMPLE / "data"), "--period", PERIOD, "--nip", NIP])
    assert result.exit_code == 0, result.output
    text = result.output
    assert f"TPP {PERIOD} for NIP {NIP}" in text
    assert "19 working days" in text and "proration 100.00 %" in text
    assert "6.960 counted minutes of a 5.130-minute target" in text
    assert "Deductions 14.50 % → discipline 85.50 %" in text
    assert "= Rp 6.404.174" in text and "Net TPP paid: Rp 6.340.132." in text
    # Every costly day of the example's attendance, by hand: schedule 07:30–16:00, bands from 1, 31,
    # 61 and 91 minutes late or early cost 0.50, 1.00, 1.25 and 1.50 %, a missing time the last
    # band. The other nine working days cost nothing (on time, or DL and CT); the ten add up to 14.50 %.
    lines = text.splitlines()
    listed = lines[lines.index("4. Discipline. Deductions 14.50 % → discipline 85.50 %.") + 1:
                   next(i for i, line in enumerate(lines) if line.startswith("5. Score."))]
    assert listed == [
        "   Tue 03 Sep: in 06:47, out 14:59 → −1.25 %",       # 61 min early
        "   Mon 09 Sep: in 07:31, out 14:30 → −1.75 %",       # 1 min late 0.50 + 90 early 1.25
        "   Tue 10 Sep: in 07:23, out missing → −1.50 %",
        "   Fri 13 Sep: in 07:01, out missing → −1.50 %",
        "   Mon 16 Sep: in 06:59, out 15:59 → −0.50 %",       # 1 min early
        "   Tue 17 Sep: in 07:03, out 14:29 → −1.50 %",       # 91 min early
        "   Wed 18 Sep: in 06:48, out 15:59 → −0.50 %",
        "   Fri 20 Sep: in 07:06, out missing → −1.50 %",
        "   Mon 23 Sep: in 09:30, out 16:53 → −1.50 %",       # 120 min late
        "   Mon 30 Sep: in missing, out missing → −3.00 %",   # both missing: 1.50 each
    ]


@needs_example
def test_explain_unknown_nip_exits_2() -> None:
    result = CliRunner().invoke(app, ["explain", "--data", str(EXAMPLE / "data"), "--period", PERIOD,
                                      "--nip", "199901012020011999"])
    assert result.exit_code == 2
    assert "is not an accepted employee" in result.output


def test_a_credit_day_is_credited_not_capped() -> None:
    # A DL day with 500 logged minutes counts its 300 credit minutes, not the 420 cap: it is
    # listed once, as credited; only the H day over the cap is listed as capped.
    days = pl.DataFrame({"work_date": [dt.date(2025, 2, 3), dt.date(2025, 2, 4)], "credit": [True, False],
                         "logged_minutes": [500, 500]})
    lines = _productivity_days(days, policy())
    assert lines == ["   1 day of leave/travel credited 300 minutes each (Mon 03 Feb).",
                     "   1 day logged more than the daily cap of 420 minutes and count at the cap (Tue 04 Feb)."]


@needs_example
def test_explain_from_the_warehouse_reads_the_locked_run_and_what_late_data_would_change(tmp_path) -> None:
    from tests.pipelines.editing import copy_city, read_rows, write_rows

    data = copy_city(tmp_path)
    store = ["--warehouse", str(tmp_path / "w.duckdb")]
    cli = CliRunner()
    for args in (["ingest", "--data", str(data)], ["run", "--period", PERIOD], ["approve", "--period", PERIOD],
                 ["lock", "--period", PERIOD]):
        assert cli.invoke(app, [*args, *store]).exit_code == 0
    from_data = cli.invoke(app, ["explain", "--data", str(data), "--period", PERIOD, "--nip", NIP]).stdout
    kept = cli.invoke(app, ["explain", "--period", PERIOD, "--nip", NIP, *store])
    assert kept.exit_code == 0, kept.output
    head, _, body = kept.stdout.partition("\n\n")
    assert head.startswith(f"Run {PERIOD}-") and "(locked;" in head
    assert body == from_data  # the locked run, read out as a run from the same files is
    # Late data: one of the employee's H days now starts 09:45 (over 91 minutes late: 1.50 %).
    header, rows = read_rows(data, "eabsensi/attendance.csv")
    mine = [r for r in rows if r[header.index("nip")] == NIP and r[header.index("status")] == "H"
            and r[header.index("check_in")] <= "07:30"][:1]
    mine[0][header.index("check_in")] = "09:45"
    late = tmp_path / "late"
    (late / "eabsensi").mkdir(parents=True)
    write_rows(late, "eabsensi/attendance.csv", header, mine)
    assert cli.invoke(app, ["ingest", "--data", str(late), *store]).exit_code == 0
    after = cli.invoke(app, ["explain", "--period", PERIOD, "--nip", NIP, *store]).stdout
    assert after.startswith(kept.stdout.rstrip("\n"))  # the locked run is still read out as locked
    adjusted = cli.invoke(app, ["adjust", "--period", PERIOD, "--out", str(tmp_path / "adj"), *store])
    assert adjusted.exit_code == 0, adjusted.output
    rows_of_nip = pl.read_csv(tmp_path / "adj" / "adjustment.csv", schema_overrides={"nip": pl.String}).filter(
        pl.col("nip") == NIP)
    assert not rows_of_nip.is_empty()
    assert ("After late data since the lock: a new correction would change this pay against what was paid "
            "(changed since the lock: eabsensi/attendance)") in after
    for row in rows_of_nip.iter_rows(named=True):  # the same amounts adjust pays
        assert f"   {row['field']}: Rp {row['locked']:,} → Rp {row['now']:,}".replace(",", ".") in after


def test_explain_names_an_unknown_run(tmp_path) -> None:
    result = CliRunner().invoke(app, ["explain", "--period", PERIOD, "--nip", NIP, "--run", "nope",
                                      "--warehouse", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 3 and "no warehouse here yet" in result.output
