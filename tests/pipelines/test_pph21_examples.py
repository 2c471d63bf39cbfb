"""The published PPh 21 worked examples (TPP-RULES §1.6), end to end through ``eperf run``.

Each case is a one-employee city (tests/pph21_city.py) whose salary is 0 and whose TPP equals the
example's monthly income, with ``hr/pph21_ytd.csv`` carrying the year's earlier months as the
example states them; the expected ``pph21_rp`` is the example's printed figure. BPJS, computed on
the pay when the salary is 0, plays no part in the PPh. Sources, as TPP-RULES §1.6 cites them:

- T1–T3: PMK 72/2025 Lampiran B nos. 6, 7, 8 (Tuan F, G, H);
- E1, E2: PMK 10/2025 Lampiran B nos. 1, 2 (Tuan A, Tuan B);
- E3–E6: PMK 168/2023 Lampiran B (I.1 Tuan A; Tuan B; Tuan F and Tuan H; Tuan D);
- §1.7: the PNS-shaped example, derived from the rules (not published).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from engine import Period
from pipelines.cli import app
from tests.pph21_city import NIP, one_employee_city

THR_MARCH = (("2025-03", "thr", 10000),)


def _month(tmp_path: Path, period: str, income: int, **city: Any) -> dict[str, Any]:
    """The register row of the one-employee city's ``period`` computed by ``eperf run``."""
    data = one_employee_city(tmp_path / "data", Period.parse(period), income, **city)
    result = CliRunner().invoke(app, ["run", "--data", str(data), "--period", period, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    register = pl.read_csv(tmp_path / "out" / "pay_register.csv", schema_overrides={"nip": pl.String})
    [row] = register.filter(pl.col("nip") == NIP).rows(named=True)
    assert row["pay_rp"] == income  # the TPP is the example's monthly income
    return row


CASES = [
    # T1, PMK 72/2025 Lampiran B no. 6 (Tuan F): TK/0, 7,400,000 a month; THR of one month in March.
    pytest.param("2025-01", 7_400_000, {"extra_payments": THR_MARCH}, 92_500, id="T1-january-1.25%"),
    pytest.param("2025-03", 7_400_000, {"extra_payments": THR_MARCH}, 888_000, id="T1-march-thr-14,800,000-6%"),
    pytest.param("2025-12", 7_400_000, {"extra_payments": THR_MARCH,
                                        "ytd": (11, 0, 7_400_000 * 12, 1_813_000, 0)}, 56_500,
                 id="T1-december-true-up"),
    # T2, no. 7 (Tuan G): TK/0, 8,000,000; a bonus of one month in April (an extra payment of 10000 bp).
    pytest.param("2025-04", 8_000_000, {"extra_payments": (("2025-04", "thr", 10000),)}, 1_120_000,
                 id="T2-april-16,000,000-7%"),
    pytest.param("2025-12", 8_000_000, {"ytd": (11, 0, 96_000_000, 2_320_000, 0)}, -80_000,
                 id="T2-december-over-withheld"),
    # T3, no. 8 (Tuan H): K/3, category C, 9,000,000; a bonus of 18,000,000 in March (two months: more
    # than an extra payment can be, so March's TPP is the month's whole income, 27,000,000).
    pytest.param("2025-01", 9_000_000, {"ptkp": "K/3"}, 112_500, id="T3-january-C-1.25%"),
    pytest.param("2025-03", 27_000_000, {"ptkp": "K/3"}, 2_700_000, id="T3-march-C-10%"),
    pytest.param("2025-12", 9_000_000, {"ptkp": "K/3", "ytd": (11, 0, 117_000_000, 3_825_000, 0)}, -1_425_000,
                 id="T3-december-K3-biaya-jabatan-capped"),
    # E1, PMK 10/2025 Lampiran B no. 1 (Tuan A): TK/0, 8,000,000 × 12.
    pytest.param("2025-01", 8_000_000, {}, 120_000, id="E1-january-1.5%"),
    pytest.param("2025-12", 8_000_000, {"ytd": (11, 0, 88_000_000, 1_320_000, 0)}, 540_000, id="E1-december"),
    # E2, no. 2 (Tuan B): K/1, category B. Jan and Mar 15,000,000; Feb, Apr–Sep 10,000,000; Oct–Dec 12,000,000.
    pytest.param("2025-01", 15_000_000, {"ptkp": "K/1"}, 900_000, id="E2-january-B-6%"),
    pytest.param("2025-02", 10_000_000, {"ptkp": "K/1"}, 150_000, id="E2-february-B-1.5%"),
    pytest.param("2025-10", 12_000_000, {"ptkp": "K/1"}, 360_000, id="E2-october-B-3%"),
    pytest.param("2025-12", 12_000_000, {"ptkp": "K/1", "ytd": (11, 0, 124_000_000, 3_570_000, 0)}, 480_000,
                 id="E2-december"),
    # E3, PMK 168/2023 Lampiran B I.1 (Tuan A): K/0, category A; pension 100,000 and zakat 200,000 a month
    # through the employer. The months' TER figures; for December, pension_rp carries 300,000 a month:
    # Pasal 17(6)(b) and (c) deduct the pension and the zakat paid through the employer alike.
    pytest.param("2025-01", 30_080_000, {"ptkp": "K/0"}, 3_910_400, id="E3-january-13%"),
    pytest.param("2025-02", 35_080_000, {"ptkp": "K/0"}, 4_911_200, id="E3-february-14%"),
    pytest.param("2025-07", 50_080_000, {"ptkp": "K/0"}, 9_014_400, id="E3-july-18%"),
    pytest.param("2025-12", 90_080_000, {"ptkp": "K/0", "pension": 300_000,
                                         "ytd": (11, 0, 360_880_000, 50_120_000, 3_300_000)}, 14_595_000,
                 id="E3-december-25%-layer"),
    # E4, PMK 168 Lampiran B (Tuan B): TK/0, joins 1 September; 15,500,000; pension 100,000. September has
    # no earlier month (no year-to-date file is needed: it is not the last month); December: n = 4,
    # biaya jabatan 4 × 500,000.
    pytest.param("2025-09", 15_500_000, {"start": dt.date(2025, 9, 1), "pension": 100_000}, 1_085_000,
                 id="E4-september-joiner-7%"),
    pytest.param("2025-12", 15_500_000, {"start": dt.date(2025, 9, 1), "pension": 100_000,
                                         "ytd": (3, 0, 46_500_000, 3_255_000, 300_000)}, -2_975_000,
                 id="E4-december-four-months"),
    # E5, PMK 168 Lampiran B, single months: Tuan F K/3 (C) 30,000,000 → 11 %; Tuan H K/2 (B) 6,800,000 → 0.5 %.
    pytest.param("2025-05", 30_000_000, {"ptkp": "K/3"}, 3_300_000, id="E5-tuan-F-C-11%"),
    pytest.param("2025-05", 6_800_000, {"ptkp": "K/2"}, 34_000, id="E5-tuan-H-B-0.5%"),
    # E6, PMK 168 Lampiran B (Tuan D): TK/0, leaves at the end of August; 17,500,000; pension 100,000.
    # August is his last month: end_date 31 August falls before September's first working day.
    pytest.param("2025-01", 17_500_000, {"end": dt.date(2025, 8, 31), "pension": 100_000}, 1_400_000,
                 id="E6-january-8%"),
    pytest.param("2025-08", 17_500_000, {"end": dt.date(2025, 8, 31), "pension": 100_000,
                                         "ytd": (7, 0, 122_500_000, 9_800_000, 700_000)}, -3_620_000,
                 id="E6-august-last-month-by-end-date"),
]


@pytest.mark.parametrize(("period", "income", "city", "pph21"), CASES)
def test_published_example(tmp_path: Path, period: str, income: int, city: dict[str, Any], pph21: int) -> None:
    assert _month(tmp_path, period, income, **city)["pph21_rp"] == pph21


def test_pns_shaped_example_splits_the_tax_between_the_two_payrolls(tmp_path: Path) -> None:
    # TPP-RULES §1.7 (derived, not published): K/1 (B), gaji 5,000,000, IWP 352,000, TPP 6,000,000, THR in
    # March and gaji-13 in June each one month of gaji + TPP. Gaji alone (5,000,000) is B 0 %, so the TPP
    # payroll withholds the whole 220,000 of an ordinary month (11,000,000 → B 2 %).
    pns = {"ptkp": "K/1", "salary": 5_000_000, "pension": 352_000,
           "extra_payments": (("2025-03", "thr", 10000), ("2025-06", "gaji13", 10000))}
    assert _month(tmp_path / "jan", "2025-01", 6_000_000, **pns)["pph21_rp"] == 220_000
    # March: 22,000,000 → B 9 % = 1,980,000 in all; the salary payroll's own THR month (10,000,000 → B 1.5 %)
    # withholds 150,000, so the TPP payroll 1,830,000.
    march = _month(tmp_path / "mar", "2025-03", 6_000_000, **pns)
    assert (march["salary_rp"], march["extra_rp"], march["pph21_rp"]) == (10_000_000, 6_000_000, 1_830_000)
    assert march["pph21_rp"] + 150_000 == 1_980_000
    # December: the year 154,000,000; PKP 80,776,000; tax 6,116,400, all of it the TPP's (the salary alone
    # has PKP 0). The TPP payroll withheld 9 × 220,000 + 2 × 1,830,000 = 5,640,000 → 476,400 now; the
    # salary payroll returns its 300,000: together the example's December, 176,400.
    ytd = (11, 65_000_000, 78_000_000, 5_640_000, 11 * 352_000)
    december = _month(tmp_path / "dec", "2025-12", 6_000_000, **pns, ytd=ytd)
    assert december["pph21_rp"] == 476_400
    assert december["pph21_rp"] - 300_000 == 176_400
