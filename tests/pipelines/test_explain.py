"""`eperf explain`: the words carry the register's own Rupiah and the days behind them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from engine import Period, Policy
from pipelines.cli import app
from pipelines.month.explain import _productivity_days, explain_in
from pipelines.month.run import month_of
from pipelines.sources.readers import DataDir
from tests.city import NIP_A, NIP_B, WEEKDAYS, base_city, employee, policy, present
from tests.city import PERIOD as CITY_PERIOD
from tests.engine.test_regional import BANJARMASIN, POSTS
from tests.pipelines.editing import EXAMPLE, PERIOD, needs_example
from tests.pph21_city import NIP as ONE
from tests.pph21_city import one_employee_city

NIP = "196202191994121302"  # city-9004, expected register: entitlement 6,404,174, net 6,340,132


@needs_example
def test_explain_reads_out_the_register_row() -> None:
    result = CliRunner().invoke(app, ["explain", "--data", str(EXAMPLE / "data"), "--period", PERIOD, "--nip", NIP])
    assert result.exit_code == 0, result.output
    text = result.output
    assert f"TPP {PERIOD} for NIP {NIP}" in text
    assert "19 working days" in text and "proration 100,00 %" in text
    assert "6.960 counted minutes of a 5.130-minute target" in text
    assert "Deductions 14,50 % → discipline 85,50 %" in text
    assert "= Rp 6.404.174" in text and "Net TPP paid: Rp 6.340.132." in text
    # Every costly day of the example's attendance, by hand: schedule 07:30–16:00, bands from 1, 31,
    # 61 and 91 minutes late or early cost 0.50, 1.00, 1.25 and 1.50 %, a missing time the last
    # band. The other nine working days cost nothing (on time, or DL and CT); the ten add up to 14.50 %.
    lines = text.splitlines()
    listed = lines[lines.index("4. Discipline. Deductions 14,50 % → discipline 85,50 %.") + 1:
                   next(i for i, line in enumerate(lines) if line.startswith("5. Score."))]
    assert listed == [  # each cost in the Perwali's words: TLn late, PSWn early, n the band
        "   Tue 03 Sep: in 06:47, out 14:59: PSW3, left 61 minutes early → −1,25 %",
        "   Mon 09 Sep: in 07:31, out 14:30: TL1, 1 minute late (−0,50 %); PSW3, left 90 minutes early (−1,25 %) → "
        "−1,75 %",
        "   Tue 10 Sep: in 07:23, out missing: PSW4, no check-out → −1,50 %",
        "   Fri 13 Sep: in 07:01, out missing: PSW4, no check-out → −1,50 %",
        "   Mon 16 Sep: in 06:59, out 15:59: PSW1, left 1 minute early → −0,50 %",
        "   Tue 17 Sep: in 07:03, out 14:29: PSW4, left 91 minutes early → −1,50 %",
        "   Wed 18 Sep: in 06:48, out 15:59: PSW1, left 1 minute early → −0,50 %",
        "   Fri 20 Sep: in 07:06, out missing: PSW4, no check-out → −1,50 %",
        "   Mon 23 Sep: in 09:30, out 16:53: TL4, 120 minutes late → −1,50 %",
        "   Mon 30 Sep: in missing, out missing: TL4, no check-in (−1,50 %); PSW4, no check-out (−1,50 %) → −3,00 %",
    ]


@needs_example
def test_explain_unknown_nip_exits_2() -> None:
    result = CliRunner().invoke(app, ["explain", "--data", str(EXAMPLE / "data"), "--period", PERIOD,
                                      "--nip", "199901012020011999"])
    assert result.exit_code == 2
    assert "is not an accepted employee" in result.output


@needs_example
def test_explain_shows_the_posts_criteria_as_shares_of_the_basic() -> None:
    # city-9004, JAB-124 (kelas 12, basic 9,243,500): bk 3011, pk 2709, kk 1623 bp; by hand
    # rhu(9,243,500 × 0.3011) = 2,783,218, × 0.2709 = 2,504,064, × 0.1623 = 1,500,220; 73.43 % in all.
    args = ["explain", "--data", str(EXAMPLE / "data"), "--period", PERIOD, "--nip", NIP]
    text = CliRunner().invoke(app, args).stdout
    assert ("2. Ceiling. Kelas 12 basic Rp 9.243.500; the post's criteria add to 73,43 % of it: beban kerja 30,11 % = "
            "Rp 2.783.218, prestasi kerja 27,09 % = Rp 2.504.064, kondisi kerja 16,23 % = Rp 1.500.220.\n"
            "   Performance part (beban kerja + prestasi kerja) Rp 5.287.282; fixed part Rp 1.500.220; the post's TPP "
            "at a full score Rp 6.787.502.") in text


def test_explain_says_why_an_employee_is_not_in_the_month() -> None:
    # NIP_B starts after February, left before it, or is employed on a weekend only: each is said so.
    for start, end, why in (
            (dt.date(2025, 3, 13), None, f"NIP {NIP_B} starts on 2025-03-13 (hr/employees start_date), after 2025-02: "
                                         "their first month is 2025-03"),
            (dt.date(2020, 1, 1), dt.date(2025, 1, 31), f"NIP {NIP_B} left on 2025-01-31 (hr/employees end_date), "
                                                        "before 2025-02"),
            (dt.date(2025, 2, 1), dt.date(2025, 2, 2), f"NIP {NIP_B} is employed from 2025-02-01 to 2025-02-02, which "
                                                       "holds no working day of 2025-02")):
        tables = base_city(employees=[employee(NIP_A), employee(NIP_B, start=start, end=end)])
        with pytest.raises(LookupError, match=re.escape(why)):
            _explained(tables, policy(), NIP_B)
    with pytest.raises(LookupError, match=f"NIP {NIP_B} is not an accepted employee: no accepted row of hr/employees"):
        _explained(base_city(), policy(), NIP_B)


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
    was_in, day = mine[0][header.index("check_in")], dt.date.fromisoformat(mine[0][header.index("work_date")])
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
    # Which day changed and what it costs now: the new check-in is TL4 (1.50 %) on top of that day's cost.
    changed = after.split("   What changed in your inputs:\n")[1].splitlines()
    assert len(changed) == 1 and changed[0].startswith(f"   {day:%a %d %b}: in {was_in} → 09:45; deduction ")
    then, now = (float(p.strip(" %").replace(",", ".")) for p in changed[0].split("deduction ")[1].split(" → "))
    assert round(now - then, 2) == 1.5


def test_explain_names_an_unknown_run(tmp_path) -> None:
    result = CliRunner().invoke(app, ["explain", "--period", PERIOD, "--nip", NIP, "--run", "nope",
                                      "--warehouse", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 3 and "no warehouse here yet" in result.output


def test_explain_reads_out_the_ter_true_up_line_by_line(tmp_path: Path) -> None:
    # TPP-RULES §1.7 (derived): K/1, gaji 5,000,000, IWP 352,000, TPP 6,000,000, THR in March and gaji-13
    # in June. December's figures by hand: gross 70,000,000 + 84,000,000; BJ capped at 6,000,000; PKP
    # 80,776,000; Pasal 17 3,000,000 + 3,116,400; less 5,640,000 withheld on TPP = 476,400.
    pns = {"ptkp": "K/1", "salary": 5_000_000, "pension": 352_000,
           "extra_payments": (("2025-03", "thr", 10000), ("2025-06", "gaji13", 10000))}
    december = one_employee_city(tmp_path / "dec", Period(2025, 12), 6_000_000, **pns,
                                 ytd=(11, 65_000_000, 78_000_000, 5_640_000, 11 * 352_000))
    result = CliRunner().invoke(app, ["explain", "--data", str(december), "--period", "2025-12", "--nip", ONE])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = next(i for i, line in enumerate(lines) if "PPh 21 by TER" in line)
    assert lines[start] == (
        "   PPh 21 by TER (PP 58/2023): PTKP status K/1 → category B. This month's gross: salary Rp 5.000.000 + "
        "TPP Rp 6.000.000 = Rp 11.000.000 → TER B 2 % = Rp 220.000; the salary alone Rp 5.000.000 → 0 % = Rp 0 "
        "(the salary payroll withholds it).")
    assert lines[start + 2:start + 13] == [
        "     gross over 12 months: salary Rp 70.000.000 + TPP Rp 84.000.000 = Rp 154.000.000",
        "     biaya jabatan: 5 % of it, at most 12 × Rp 500.000 → Rp 6.000.000",
        "     pension (iuran pensiun + THT): Rp 4.224.000",
        "     PTKP K/1: Rp 63.000.000",
        "     PKP: Rp 154.000.000 − Rp 6.000.000 − Rp 4.224.000 − Rp 63.000.000, rounded down to the thousand = "
        "Rp 80.776.000",
        "     Pasal 17: 5 % × Rp 60.000.000 = Rp 3.000.000; 15 % × Rp 20.776.000 = Rp 3.116.400 = Rp 6.116.400",
        "     on the salary alone (biaya jabatan Rp 3.500.000): PKP Rp 0 → Rp 0",
        "     TPP's part of the year's tax: Rp 6.116.400 − Rp 0 = Rp 6.116.400",
        "     less PPh 21 on TPP withheld in the year's earlier months: Rp 5.640.000",
        "     = this month: Rp 476.400",
        "   Net TPP paid: Rp 5.463.600.",  # 6,000,000 − BPJS 60,000 − 476,400
    ]
    # March, an ordinary month with the THR: the gross and the two rates; what TPP adds.
    march = one_employee_city(tmp_path / "mar", Period(2025, 3), 6_000_000, **pns)
    text = CliRunner().invoke(app, ["explain", "--data", str(march), "--period", "2025-03", "--nip", ONE]).output
    assert ("salary Rp 10.000.000 + TPP Rp 6.000.000 + the TPP part of the THR Rp 6.000.000 = Rp 22.000.000 → "
            "TER B 9 % = Rp 1.980.000; the salary alone Rp 10.000.000 → 1,5 % = Rp 150.000") in text.replace("\n", " ")
    assert "What TPP adds: Rp 1.980.000 − Rp 150.000 = Rp 1.830.000." in text


def _explained(tables: dict[str, pl.DataFrame], pol: Policy, nip: str = NIP_A) -> list[str]:
    """``eperf explain``'s lines for ``nip`` of a small city (tests/city.py) computed under ``pol``."""
    data = DataDir({name: frame.lazy() for name, frame in tables.items()}, pl.DataFrame(), ())
    return explain_in(month_of(data, pol, CITY_PERIOD, "test"), CITY_PERIOD, nip)


def _rules(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("   - ")]


def test_explain_names_the_presence_gate_and_what_it_cost() -> None:
    # S6 (Rp 6,000,000 at full score): 8 of 20 days present, 12 izin: 40 % < 50 %, gate 5000 bp.
    attendance = present(NIP_A, WEEKDAYS[:8]) + [{"nip": NIP_A, "work_date": d, "status": "I"} for d in WEEKDAYS[8:]]
    tables = base_city(positions=POSTS, employees=[employee(NIP_A, position="S6")], attendance=attendance)
    lines = _explained(tables, policy(presence_gates=[{"min_pct": 25, "bp": 5000}, {"min_pct": 50, "bp": 10000}]))
    assert _rules(lines) == [
        "   - presence 40 % < 50 % (8 of 20 days present or credited): gate 5.000 bp, e3 Rp 6.000.000 → "
        "Rp 3.000.000; entitlement Rp 6.000.000 without this rule → Rp 3.000.000."]
    assert any(", × presence gate 50,00 % = Rp 3.000.000" in line for line in lines)


def test_explain_names_the_activity_gate_and_the_skp_part() -> None:
    # Banjarmasin: 95 % discipline, 6,000 minutes < 6,750: 3,800,000; without the gate the SKP part
    # (20 % at "baik") would be paid: 5,800,000 (the threshold rule gives productivity 0 either way).
    attendance = present(NIP_A, WEEKDAYS[:10], check_in=455) + present(NIP_A, WEEKDAYS[10:])
    tables = base_city(positions=POSTS, employees=[employee(NIP_A, position="P10")], attendance=attendance,
                       skp=[{"nip": NIP_A, "period_end": dt.date(2024, 12, 31), "predikat": "baik"}])
    lines = _explained(tables, policy(**BANJARMASIN, activity_gate_pct=100))
    assert "   SKP. predikat baik, the latest rating before 2025-02 → 0,00 % (0: under the activity gate)." in lines
    assert any(line.startswith("5. Score. 40,00 % × discipline + 40,00 % × productivity + 20,00 % × SKP = 38,00 %")
               for line in lines)
    assert _rules(lines) == [  # the monthly target of 6,750 (not 20 × 300 = 6,000) changes it too
        "   - monthly target (target_rule): 6.750 minutes a month × 20/20 working days = 6.750 instead of 6.000; "
        "productivity 100,00 % → 0,00 %; entitlement Rp 9.800.000 without this rule → Rp 3.800.000.",
        "   - activity gate: 6.000 minutes < 100 % of the 6.750-minute target: productivity 0,00 % → 0, SKP "
        "100,00 % → 0; entitlement Rp 5.800.000 without this rule → Rp 3.800.000."]


def test_explain_names_a_plt_decree_under_the_minimum() -> None:
    # H10 (kelas 9, Rp 10,000,000) from the 6th working day: 15 days < 20; as holder it would pay 10,000,000.
    tables = base_city(positions=POSTS, employees=[employee(NIP_A, position="S6")],
                       plt=[{"nip": NIP_A, "position_id": "H10", "start_date": WEEKDAYS[5], "end_date": None}])
    lines = _explained(tables, policy(plt_rule="higher_post", plt_min_days=20))
    assert _rules(lines) == [
        "   - PLT decrees covering fewer than 20 of your days do not count (plt_min_days): H10 from 2025-02-10 "
        "(15 days); entitlement Rp 10.000.000 without this rule → Rp 6.000.000."]
    whole = base_city(positions=POSTS, employees=[employee(NIP_A, position="S6")],
                      plt=[{"nip": NIP_A, "position_id": "H10", "start_date": WEEKDAYS[0], "end_date": None}])
    assert _rules(_explained(whole, policy(plt_rule="higher_post", plt_min_days=20))) == [
        "   - acting post H10 (kelas 9) is above your kelas 5: you are paid as its holder (plt_rule higher_post), "
        "performance part Rp 6.000.000 → Rp 10.000.000, fixed part Rp 0 → Rp 0, PLT extra Rp 2.000.000 → 0; "
        "entitlement Rp 8.000.000 without this rule → Rp 10.000.000."]


def test_explain_names_unpaid_days() -> None:
    # 5 CLTN days of 20: active 15, proration 75 %: 7,000,000 → 5,250,000.
    attendance = [{"nip": NIP_A, "work_date": d, "status": "CLTN"} for d in WEEKDAYS[:5]] + present(NIP_A, WEEKDAYS[5:])
    lines = _explained(base_city(attendance=attendance), policy(unpaid_statuses=["CLTN", "TB"]))
    assert _rules(lines) == [
        "   - 5 days of CLTN, TB are unpaid (unpaid_statuses): active days 20 → 15, proration 100,00 % → 75,00 %; "
        "entitlement Rp 7.000.000 without this rule → Rp 5.250.000."]
