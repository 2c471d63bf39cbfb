"""Suspicious logging: the checks find the gamers the generator seeded, and each check does
what it says on small cases computed by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from engine import Period
from pipelines.analysis import gaming
from pipelines.month.run import month_from_folder
from pipelines.synthetic.city import generate_city
from tests.city import policy

P = Period.parse("2025-10")
POLICY = policy()


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gaming")
    generate_city(out, employees=1_000, seed=3, months=[str(P)])
    return out


def test_the_seeded_gamers_are_found(city: Path) -> None:
    month = month_from_folder(city, P)
    found = gaming.findings(month.data.frames(), month.result.pay_register.to_native(), month.policy, P)
    seeded = pl.read_csv(city / "truth" / "seeded_gamers.csv", infer_schema=False)
    flags = found.employees.group_by("nip").agg(pl.col("flag"))
    by_nip = dict(flags.iter_rows())
    for nip, kind in seeded.iter_rows():
        expected = {"cap_filler": {"at_cap", "repeated"}, "leave_logger": {"on_leave"}}[kind]
        assert expected <= set(by_nip.get(nip, [])), (nip, kind)
    # The cap fillers carry two flags and rank first. Logs on a day of leave (CT) earn nothing
    # (the day counts its credit minutes whatever is logged): no pay at stake, but a flag.
    fillers = seeded.filter(pl.col("kind") == "cap_filler")["nip"]
    assert set(found.suspects.head(fillers.len())["nip"]) == set(fillers)
    assert (found.suspects["pay_at_stake_rp"] >= 0).all()
    # Rp 0 at stake means the entries earn nothing: the target is met without them, or they add no
    # minutes (days that count credit minutes); entries that add minutes below the target earn pay.
    idle = found.suspects.filter(pl.col("pay_at_stake_rp") == 0)
    assert (idle["target_met_without"] | (idle["minutes_at_stake"] == 0)).all()
    assert (found.suspects.filter(pl.col("pay_at_stake_rp") > 0)["minutes_at_stake"] > 0).all()
    # Their approvers signed days of more than 16 hours.
    log = month.data.table("activity_log")
    approvers = set(log.filter(pl.col("nip").is_in(seeded.filter(pl.col("kind") == "cap_filler")["nip"].implode()),
                               pl.col("status") == "approved")["approver_nip"].drop_nulls())
    impossible = set(found.approvers.filter(pl.col("flag") == "impossible_days")["approver_nip"])
    assert approvers <= impossible


def _entries(rows: list[tuple[str, str, int, str | None]]) -> pl.DataFrame:
    """(nip, day of October, minutes, attendance status) → approved entries of 1 × minutes."""
    return pl.DataFrame(
        [{"log_id": f"L{i}", "nip": n, "work_date": dt.date(2025, 10, d), "activity_code": f"A{m}",
          "quantity": 1, "minutes": m, "attendance": s, "approved_at": dt.datetime(2025, 10, d, 17),
          "approver_nip": "B"} for i, (n, d, m, s) in enumerate(
            (n, int(day), m, s) for n, day, m, s in rows)])


def test_at_cap_needs_five_days_and_sixty_percent() -> None:
    # x: 5 of 8 days at 420 (62.5 %) → flagged; y: 5 of 9 (55.6 %) → not; z: 4 of 4 → too few days.
    rows = [("x", str(d), 420 if d <= 5 else 100, "H") for d in range(1, 9)]
    rows += [("y", str(d), 430 if d <= 5 else 100, "H") for d in range(1, 10)]
    rows += [("z", str(d), 500, "H") for d in range(1, 5)]
    flags = gaming.employee_flags(_entries(rows), POLICY, P)
    assert flags.filter(pl.col("flag") == "at_cap").rows() == [("x", "at_cap", "5 of 8 logged days at or over the "
                                                                                "420-minute cap")]


def test_repeated_counts_copies_of_one_activity_in_a_day() -> None:
    # x logs A20 eight times on 3 days → flagged; y seven times on 5 days → not.
    rows = [("x", str(d), 20, "H") for d in (1, 2, 3) for _ in range(8)]
    rows += [("y", str(d), 20, "H") for d in (1, 2, 3, 6, 7) for _ in range(7)]
    flags = gaming.employee_flags(_entries(rows), POLICY, P)
    assert flags.filter(pl.col("flag") == "repeated")["nip"].to_list() == ["x"]
    # Past the second copy of a day, entries are suspect: 6 a day on 3 days.
    assert gaming.suspect_entries(_entries(rows), flags).height == 18


def test_on_leave_counts_absent_days_and_days_without_a_row() -> None:
    rows = [("x", "1", 60, "CT"), ("x", "2", 60, None), ("x", "3", 60, "H"),  # 2 absent days → flagged
            ("y", "1", 60, "DL"), ("y", "2", 60, "S")]  # DL is work elsewhere: 1 absent day → not
    flags = gaming.employee_flags(_entries(rows), POLICY, P)
    assert flags.filter(pl.col("flag") == "on_leave").rows() == [
        ("x", "on_leave", "120 minutes approved on 2 days of CT/no row")]


def test_month_end_share_of_minutes() -> None:
    late = _entries([("x", str(d), 30, "H") for d in range(1, 21)]).with_columns(
        approved_at=pl.when(pl.int_range(pl.len()) < 10).then(pl.lit(dt.datetime(2025, 10, 29, 9)))
        .otherwise(pl.col("approved_at")))
    flags = gaming.employee_flags(late, POLICY, P)  # 10 of 20 entries, 300 of 600 minutes, from 29 Oct
    assert flags.filter(pl.col("flag") == "month_end")["evidence"].to_list() == [
        "300 of 600 minutes approved from 2025-10-29 on"]


def test_rubber_stamp_and_impossible_days() -> None:
    base = {"activity_code": "A", "quantity": 1, "ref": None}
    log = pl.DataFrame(
        [{**base, "log_id": f"S{i}", "nip": "s", "work_date": dt.date(2025, 10, 1 + i % 20), "status": "approved",
          "approver_nip": "stamp", "approved_at": dt.datetime(2025, 10, 1 + i % 20, 16)} for i in range(50)]
        + [{**base, "log_id": f"C{i}", "nip": "c", "work_date": dt.date(2025, 10, 1 + i % 20),
            "status": "rejected" if i == 0 else "approved", "approver_nip": "careful",
            "approved_at": None if i == 0 else dt.datetime(2025, 10, 1 + i % 20, 16)} for i in range(50)])
    entries = log.filter(pl.col("status") == "approved").with_columns(minutes=pl.lit(1000), attendance=pl.lit("H"))
    flags = gaming.approver_flags({"activity_log": log}, entries.filter(pl.col("nip") == "s").head(1), P)
    assert flags.rows() == [
        ("stamp", "impossible_days", "approved 1 days over 16 hours of 1 subordinates (up to 1000 minutes)"),
        ("stamp", "rubber_stamp", "50 decisions, none rejected, 100 % approved the same day")]


def test_catalogue_outliers_are_over_three_times_the_median() -> None:
    catalog = pl.DataFrame({"activity_code": ["a", "b", "c", "d", "e"], "name": list("abcde"),
                            "standard_minutes": [10, 20, 30, 90, 91]})  # median 30: 91 > 90, 90 is not
    assert gaming.catalogue_outliers(catalog)["activity_code"].to_list() == ["e"]


def test_a_suspect_needs_independent_evidence(city: Path) -> None:
    # At the cap alone is what a hard worker leaves: not a suspect. A strong flag (work on days
    # away, an activity copied again and again) or two flags make one. Every seeded gamer is
    # found, and most suspects are seeded (the README reports the demo city's figures).
    month = month_from_folder(city, P)
    found = gaming.findings(month.data.frames(), month.result.pay_register.to_native(), month.policy, P)
    seeded = set(pl.read_csv(city / "truth" / "seeded_gamers.csv", infer_schema=False)["nip"])
    suspects = set(found.suspects["nip"])
    only_at_cap = set(found.employees.group_by("nip").agg(pl.col("flag")).filter(
        pl.col("flag").list.len() == 1, pl.col("flag").list.first() == "at_cap")["nip"])
    assert only_at_cap and not only_at_cap & suspects
    assert seeded <= suspects  # recall 100 %
    assert len(seeded & suspects) / len(suspects) >= 0.8  # precision
