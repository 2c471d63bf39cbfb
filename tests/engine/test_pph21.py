"""§4.9 PPh 21 under TER and §4.10 extra payments: the TER table, its row boundaries, Pasal 17,
the last month, and what an extra payment does to the pool, the salary and the tax.

Figures computed by hand from SPEC §4.9–4.10 and the published examples of TPP-RULES §1.6 (cited
where used); the end-to-end examples through ``eperf run`` are tests/pipelines/test_pph21_examples.py.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import narwhals.stable.v2 as nw
import polars as pl
import pytest

from engine import TER_SCHEMA, Period, ter_table
from engine.pph21 import biaya_jabatan, pasal17, pasal17_layers, pkp, tax_basis, with_ter_rate
from engine.ter_rates import TER_COLUMNS, TER_RATES
from pipelines.month.backends import Backend, engine_inputs, lazy_frame
from tests.city import NIP_A, NIP_B, base_city, compute, employee, evaluate, logs, policy, present, register_row

TER_CSV = Path(__file__).resolve().parents[3] / "shared" / "spec" / "pph21_ter.csv"
THR_FEB = [{"period": "2025-02", "kind": "thr", "bp": 10000}]


@pytest.mark.skipif(not TER_CSV.is_file(), reason="spec's pph21_ter.csv not found beside the project")
def test_the_engines_ter_table_is_the_spec_file_row_for_row() -> None:
    with TER_CSV.open(newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == TER_COLUMNS
        rows = [(r["category"], int(r["row"]), int(r["lower_rp"]), int(r["upper_rp"]) if r["upper_rp"] else None,
                 int(r["rate_bp"])) for r in reader]
    assert rows == list(TER_RATES)
    assert [sum(1 for r in rows if r[0] == c) for c in "ABC"] == [44, 40, 41]  # TPP-RULES §1.3


def _rates_of(grosses: list[tuple[str, int]], backend: Backend) -> list[int]:
    frame = pl.DataFrame({"nip": list(range(len(grosses))), "ter_category": [c for c, _ in grosses],
                          "gross": [g for _, g in grosses]})
    con = duckdb.connect() if backend is Backend.DUCKDB else None
    rates = lazy_frame(nw.from_dict(ter_table(), TER_SCHEMA, backend=pl).to_native(), backend, con)
    found = with_ter_rate(lazy_frame(frame, backend, con), "gross", "rate", rates).collect("polars").to_native()
    return found.sort("nip")["rate"].to_list()


def test_every_ter_row_boundary_on_all_three_categories(backend: Backend) -> None:
    # Lower bound exclusive: g = upper is the row, g = upper + 1 the next row (A, B and C);
    # the first row holds 0.
    cases: list[tuple[str, int]] = []
    expected: list[int] = []
    for (cat, _, lower, upper, rate), following in zip(TER_RATES, TER_RATES[1:] + (None,)):
        if lower == 0:
            cases.append((cat, 0))
            expected.append(rate)
        if upper is not None:
            assert following is not None and following[0] == cat and following[2] == upper  # rows are contiguous
            cases += [(cat, upper), (cat, upper + 1)]
            expected += [rate, following[4]]
    assert len(cases) == 125 + 122  # every upper bound twice, every first row at 0
    assert _rates_of(cases, backend) == expected


def test_ter_boundaries_by_hand(backend: Backend) -> None:
    # TPP-RULES §1.3: A 5,400,000 → 0 %; 5,400,001 → 0.25 %. §1.6 T3: C 27,000,000 → 10 %; E5: C 30,000,000 → 11 %,
    # B 6,800,000 → 0.5 %; the last row (no upper bound) holds anything above 1,400,000,000: A 34 %.
    cases = [("A", 5_400_000), ("A", 5_400_001), ("C", 27_000_000), ("C", 30_000_000), ("B", 6_800_000),
             ("A", 10**12)]
    assert _rates_of(cases, backend) == [0, 25, 1000, 1100, 50, 3400]


@pytest.mark.parametrize(("pkp_rp", "tax"), [
    (0, 0),
    (37_200_000, 1_860_000),                 # E1: 5 % × 37,200,000
    (48_000_000, 2_400_000),                 # T3
    (81_200_000, 6_180_000),                 # E6: 3,000,000 + 15 % × 21,200,000
    (382_860_000, 64_715_000),               # E3: 3,000,000 + 28,500,000 + 25 % × 132,860,000
    (5_000_000_000, 1_444_000_000),          # 3,000,000 + 28,500,000 + 62,500,000 + 30 % × 4,500,000,000
    (6_000_000_000, 1_794_000_000),          # … + 35 % × 1,000,000,000
])
def test_pasal17_layers(pkp_rp: int, tax: int, backend: Backend) -> None:
    assert evaluate(pasal17(nw.col("p")), backend, p=[pkp_rp]) == [tax]
    assert sum(t for _, _, t in pasal17_layers(pkp_rp)) == tax


@pytest.mark.parametrize(("gross", "months", "pension", "ptkp", "bj", "pkp_rp"), [
    (96_000_000, 12, 0, 54_000_000, 4_800_000, 37_200_000),           # E1
    (126_000_000, 12, 0, 72_000_000, 6_000_000, 48_000_000),          # T3: BJ capped at 12 × 500,000
    (62_000_000, 4, 400_000, 54_000_000, 2_000_000, 5_600_000),       # E4: joiner, BJ cap 4 × 500,000
    (96_200_000, 12, 0, 54_000_000, 4_810_000, 37_390_000),           # T1
    (50_000_000, 12, 0, 54_000_000, 2_500_000, 0),                    # below PTKP: 0, never negative
    (60_001_999, 12, 0, 54_000_000, 3_000_100, 3_001_000),            # rhu(3,000,099.95); 3,001,899 floored
])
def test_biaya_jabatan_and_pkp(gross, months, pension, ptkp, bj, pkp_rp, backend: Backend) -> None:
    g, n = nw.col("g"), nw.col("n")
    assert evaluate(biaya_jabatan(g, n), backend, g=[gross], n=[months]) == [bj]
    got = pkp(g, biaya_jabatan(g, n), nw.col("p"), nw.col("t"))
    assert evaluate(got, backend, g=[gross], n=[months], p=[pension], t=[ptkp]) == [pkp_rp]


# --------------------------------------------------------------------------- the last month

def _last_months(tables: dict[str, pl.DataFrame], period: Period) -> dict[str, bool]:
    basis = tax_basis(engine_inputs(tables), period).collect("polars").to_native()
    return dict(basis.select("nip", "last_month").iter_rows())


def test_last_month_is_when_no_working_day_is_left() -> None:
    # February 2025; March's first working day is Monday 3 March. Ending Friday 28 Feb or Sunday
    # 2 March: February is the last month; ending Monday 3 March: it is not.
    nips = {"198001012005011001": dt.date(2025, 2, 28), "198001012005011002": dt.date(2025, 3, 2),
            "198001012005011003": dt.date(2025, 3, 3), "198001012005011004": None}
    tables = base_city(employees=[employee(n, end=e) for n, e in nips.items()])
    assert list(_last_months(tables, Period(2025, 2)).values()) == [True, True, False, False]
    # A holiday on 3 March moves March's first working day to the 4th: ending on the 3rd is the last.
    holiday = [{"date": dt.date(2025, 3, 3), "kind": "holiday"}]
    assert _last_months(base_city(employees=[employee(n, end=e) for n, e in nips.items()], calendar=holiday),
                        Period(2025, 2))["198001012005011003"] is True
    # December is everyone's last month.
    assert set(_last_months(tables, Period(2025, 12)).values()) == {True}


def test_ytd_of_the_year_only_and_zeros_without_a_row() -> None:
    ytd = [{"nip": NIP_A, "fiscal_year": 2025, "months": 1, "salary_rp": 5_000_000, "tpp_rp": 7_000_000,
            "pph21_rp": 120_000, "pension_rp": 400_000},
           {"nip": NIP_A, "fiscal_year": 2024, "months": 11, "salary_rp": 1, "tpp_rp": 1, "pph21_rp": 1,
            "pension_rp": 1}]
    tables = base_city(employees=[employee(NIP_A), employee(NIP_B)], pph21_ytd=ytd)
    basis = tax_basis(engine_inputs(tables), Period(2025, 2)).collect("polars").to_native().sort("nip")
    assert basis.drop("nip", "last_month").rows() == [(1, 5_000_000, 7_000_000, 120_000, 400_000), (0, 0, 0, 0, 0)]


# --------------------------------------------------------------------------- through the engine

def test_ter_in_an_ordinary_month_is_what_tpp_adds(backend: Backend) -> None:
    # Base city: salary 5,000,000, pay 7,000,000, TK/0 (A). gross 12,000,000 → A 4 % → 480,000; the
    # salary alone, 5,000,000 → 0 %. PPh 480,000; net 7,000,000 − BPJS 70,000 − 480,000.
    row = register_row(base_city(), pol=policy(pph21="ter"), backend=backend)
    assert (row["pph21_rp"], row["net_rp"], row["ptkp_status"], row["salary_rp"]) == (
        480_000, 6_450_000, "TK/0", 5_000_000)
    # K/3 (C): 12,000,000 → C 2 % (11,200,000 < g ≤ 12,050,000) → 240,000; 5,000,000 → 0.
    k3 = base_city(employees=[employee(NIP_A, ptkp="K/3", pension=400_000)])
    row = register_row(k3, pol=policy(pph21="ter"), backend=backend)
    assert (row["pph21_rp"], row["ptkp_status"], row["pension_rp"]) == (240_000, "K/3", 400_000)
    # ter_borne: computed, reported, not deducted.
    row = register_row(base_city(), pol=policy(pph21="ter_borne"), backend=backend)
    assert (row["pph21_rp"], row["net_rp"]) == (480_000, 6_930_000)


def test_an_extra_payment_month(backend: Backend) -> None:
    # THR in February at 10000 bp: extra 7,000,000; the salary payroll pays its own THR, so
    # salary_m = 10,000,000; gross 24,000,000 → A 9 % = 2,160,000, less 10,000,000 at A 2 % =
    # 200,000: PPh 1,960,000. BPJS stays on the month's salary and pay: 70,000.
    # Net = 7,000,000 + 7,000,000 − 70,000 − 1,960,000.
    row = register_row(base_city(), pol=policy(pph21="ter", extra_payments=THR_FEB), backend=backend)
    assert (row["extra_kind"], row["extra_rp"], row["salary_rp"], row["bpjs_employee_rp"], row["pph21_rp"],
            row["net_rp"]) == ("thr", 7_000_000, 10_000_000, 70_000, 1_960_000, 11_970_000)
    # Half a month (5000 bp) under final_golongan: extra 3,500,000; PPh 5 % of 10,500,000.
    half = [{"period": "2025-02", "kind": "gaji13", "bp": 5000}]
    row = register_row(base_city(), pol=policy(extra_payments=half), backend=backend)
    assert (row["extra_kind"], row["extra_rp"], row["pph21_rp"], row["net_rp"]) == (
        "gaji13", 3_500_000, 525_000, 7_000_000 + 3_500_000 - 70_000 - 525_000)
    # Another month's extra payment does nothing this month: no kind, 0, the salary as it is.
    row = register_row(base_city(), pol=policy(extra_payments=[{"period": "2025-03", "kind": "thr", "bp": 10000}]),
                       backend=backend)
    assert (row["extra_kind"], row["extra_rp"], row["salary_rp"]) == (None, 0, 5_000_000)


def test_the_pool_reserves_the_extra_payments_still_to_come(backend: Backend) -> None:
    # Pagu 1,200,000,000 in February: 11 months left; THR in March and gaji-13 in June still to
    # pay → divisor 13, pool 92,307,692. A December 2024 payment or one of 2026 is not this year's.
    extras = [{"period": "2025-03", "kind": "thr", "bp": 10000}, {"period": "2025-06", "kind": "gaji13", "bp": 10000},
              {"period": "2026-03", "kind": "thr", "bp": 10000}, {"period": "2024-12", "kind": "gaji13", "bp": 10000}]
    pool = compute(base_city(), policy(extra_payments=extras), backend=backend).pool_summary.rows(named=True)[0]
    assert (pool["pool_rp"], pool["extra_rp"]) == (1_200_000_000 // 13, 0) == (92_307_692, 0)
    # In a month with the payment: that one still counts (k = 1 in June: 7 + 1 = 8).
    june = compute(base_city(), policy(extra_payments=extras), backend=backend, period=Period(2025, 6))
    assert june.pool_summary.rows(named=True)[0]["pool_rp"] == 1_200_000_000 // 8


def test_extra_payment_within_a_binding_pool(backend: Backend) -> None:
    # Pool 10,000,000 × 12 / (11 + 1) = 10,000,000 for two employees entitled to 7,000,000 each:
    # it binds, each is paid 5,000,000, and the THR is 5,000,000 each: Σ extra = pool.
    lines = [{"fiscal_year": 2025, "revision": 0, "effective_date": dt.date(2024, 12, 20), "opd_code": "1.01.01",
              "account_code": "5.1.01.02.01.0001", "account_name": "TPP", "pagu_rp": 120_000_000}]
    tables = base_city(employees=[employee(NIP_A), employee(NIP_B)], apbd_lines=lines,
                       activity_log=logs(NIP_A) + logs(NIP_B), attendance=present(NIP_A) + present(NIP_B))
    run = compute(tables, policy(extra_payments=THR_FEB), backend=backend)
    pool = run.pool_summary.rows(named=True)[0]
    assert (pool["pool_rp"], pool["pay_rp"], pool["extra_rp"], pool["binding"]) == (
        10_000_000, 10_000_000, 10_000_000, True)
    assert run.pay_register["extra_rp"].to_list() == [5_000_000, 5_000_000]


def test_the_true_up_returns_an_excess_and_may_leave_a_negative_net(backend: Backend) -> None:
    # December, TK/0, salary 0, pay 7,000,000 (BPJS with salary 0: 1 % of the pay, 70,000). YTD: 11
    # months of TPP 20,000,000. Year: S = 0; T = 227,000,000; BJ 6,000,000 (cap); PKP 167,000,000;
    # tax 3,000,000 + 15 % × 107,000,000 = 19,050,000.
    dec = Period(2025, 12)

    def december(ytd_pph21: int) -> dict:
        ytd = [{"nip": NIP_A, "fiscal_year": 2025, "months": 11, "salary_rp": 0, "tpp_rp": 220_000_000,
                "pph21_rp": ytd_pph21, "pension_rp": 0}]
        tables = base_city(employees=[employee(NIP_A, salary=0)], pph21_ytd=ytd,
                           activity_log=logs(NIP_A, dec.weekdays), attendance=present(NIP_A, dec.weekdays))
        return register_row(tables, pol=policy(pph21="ter"), backend=backend, period=dec)

    # Withheld 26,400,000 (12 % a month): 7,350,000 too much comes back; net 7,000,000 − 70,000 + 7,350,000.
    row = december(26_400_000)
    assert (row["pay_rp"], row["bpjs_employee_rp"], row["pph21_rp"], row["net_rp"]) == (
        7_000_000, 70_000, -7_350_000, 14_280_000)
    # Nothing withheld before: the whole 19,050,000 now, more than the pay: net −12,120,000, kept.
    row = december(0)
    assert (row["pph21_rp"], row["net_rp"]) == (19_050_000, 7_000_000 - 70_000 - 19_050_000) == (
        19_050_000, -12_120_000)
