"""PPh 21 under TER (SPEC §4.9, PP 58/2023, PMK 168/2023): the monthly effective rate on what TPP
adds to the month's gross, and in the employee's last month of the year the true-up under Pasal 17.

The TER rate is a join with the 125-row table of :mod:`engine.ter_rates` (on the inputs' backend:
``Inputs.ter_rates``), on the category, keeping the row whose bounds hold the exact integer gross.
"""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw

from engine import days
from engine.inputs import Inputs
from engine.money import BP, apply_bp
from engine.period import Period
from engine.steps import lookup
from engine.ter_rates import TER_RATES

PTKP_STATUSES = ("TK/0", "TK/1", "TK/2", "TK/3", "K/0", "K/1", "K/2", "K/3")
"""PTKP statuses a withholding can use (PMK 168 Pasal 9); an empty cell is TK/0."""
DEFAULT_PTKP = "TK/0"
CATEGORY = {"TK/0": "A", "TK/1": "A", "K/0": "A", "TK/2": "B", "TK/3": "B", "K/1": "B", "K/2": "B", "K/3": "C"}
"""The TER table of each PTKP status (PP 58/2023 Pasal 2)."""
PTKP_SELF_RP = 54_000_000
PTKP_STEP_RP = 4_500_000
"""PTKP: Rp 54,000,000 for the taxpayer, Rp 4,500,000 more if married and per dependant (at most 3)."""
PTKP_RP = {s: PTKP_SELF_RP + PTKP_STEP_RP * ((s.startswith("K/")) + int(s[-1])) for s in PTKP_STATUSES}
BIAYA_JABATAN_BP = 500
BIAYA_JABATAN_MONTH_RP = 500_000
"""Biaya jabatan: 5 % of the gross, at most Rp 500,000 a month of the year (PMK 168 Pasal 10(2))."""
PKP_UNIT_RP = 1_000
"""PKP is rounded down to the thousand Rupiah (PMK 168 Pasal 17(5))."""
PASAL17_LAYERS: tuple[tuple[int | None, int], ...] = (
    (60_000_000, 500), (250_000_000, 1500), (500_000_000, 2500), (5_000_000_000, 3000), (None, 3500))
"""UU HPP Pasal 17(1)(a): (upper bound of the layer, rate in bp); the last layer is open."""
YTD_COLUMNS = ("months", "salary_rp", "tpp_rp", "pph21_rp", "pension_rp")
"""The year-to-date totals of ``hr/pph21_ytd.csv``; in the engine ``ytd_<column>``."""
TERMS = ("ter_category", "gross_m", "ter_bp", "tax_gross", "ter_bp_salary", "tax_salary", "year_months",
         "year_salary_rp", "year_tpp_rp", "year_pension_rp", "ptkp_rp", "biaya_jabatan_rp",
         "biaya_jabatan_salary_rp", "pkp_rp", "pkp_salary_rp", "year_tax_rp", "year_tax_salary_rp")
"""The intermediate columns of :func:`ter_terms`, in the order ``eperf explain`` reads them."""
TER_BUCKET_RP = 1_000_000
"""The TER table is joined on (category, the million the gross reaches): a handful of candidate rows,
of which the bounds keep one (every bound is a multiple of 50,000; a million holds at most 4 rows)."""
TER_SCHEMA = {"category": nw.String(), "bucket": nw.Int64(), "row": nw.Int64(), "lower_rp": nw.Int64(),
              "upper_rp": nw.Int64(), "rate_bp": nw.Int64()}


def _bucket(amount: int) -> int:
    """``ceil(amount / 1,000,000)``: the million an amount reaches (0 for 0)."""
    return -(-amount // TER_BUCKET_RP)


LAST_BUCKET = max(_bucket(lower + 1) for _, _, lower, upper, _ in TER_RATES if upper is None)
"""A gross above every last row's lower bound is looked up in this bucket."""


def ter_table() -> dict[str, list[Any]]:
    """The TER tables as columns (:data:`TER_SCHEMA`): each of the 125 rows once per bucket (million)
    it reaches: row 1 from bucket 0, the last row (no upper bound) up to :data:`LAST_BUCKET`.

    Category A row 2 (5,400,000 < g ≤ 5,650,000) is in bucket 6 only; row 1 (0 ≤ g ≤ 5,400,000) in 0–6.
    """
    rows = [(category_, b, row, lower, upper, rate)
            for category_, row, lower, upper, rate in TER_RATES
            for b in range(0 if row == 1 else _bucket(lower + 1),
                           (LAST_BUCKET if upper is None else _bucket(upper)) + 1)]
    return {name: [r[i] for r in rows] for i, name in enumerate(TER_SCHEMA)}


def category(ptkp_status: nw.Expr) -> nw.Expr:
    """The TER category (A, B, C) of a PTKP status."""
    chain = None
    for status, cat in CATEGORY.items():
        chain = (nw.when(ptkp_status == status) if chain is None else chain.when(ptkp_status == status)).then(
            nw.lit(cat))
    assert chain is not None
    return chain.otherwise(nw.lit(CATEGORY[DEFAULT_PTKP]))


def with_ter_rate(frame: nw.LazyFrame[Any], gross: str, alias: str, rates: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """``frame`` (one row per ``nip``, with ``ter_category``) with ``alias``: the ``rate_bp`` of the row
    of its category's table whose bounds hold the integer ``gross``: ``lower < gross ≤ upper``
    (the first row from 0, the last without upper bound). ``rates`` is :func:`ter_table`'s.

    Category A: 5,400,000 → row 1, 0 bp; 5,400,001 → row 2, 25 bp.
    """
    g = nw.col("__gross")
    held = (((nw.col("__lower") < g) | (nw.col("__row") == 1))
            & (nw.col("__upper").is_null() | (g <= nw.col("__upper"))))
    table = rates.select(nw.col("category").alias("ter_category"), nw.col("bucket").alias("__bucket"),
                         nw.col("row").alias("__row"), nw.col("lower_rp").alias("__lower"),
                         nw.col("upper_rp").alias("__upper"), nw.col("rate_bp").alias(alias))
    bucket = nw.min_horizontal((g + (TER_BUCKET_RP - 1)) // TER_BUCKET_RP, nw.lit(LAST_BUCKET, nw.Int64))
    found = (frame.select("nip", "ter_category", nw.col(gross).alias("__gross"))
             .with_columns(__bucket=bucket)
             .join(table, on=["ter_category", "__bucket"]).filter(held).select("nip", alias))
    return frame.join(found, on="nip", how="left")


def tax_basis(inputs: Inputs, period: Period) -> nw.LazyFrame[Any]:
    """``nip, last_month, ytd_months, ytd_salary_rp, ytd_tpp_rp, ytd_pph21_rp, ytd_pension_rp`` for
    every employee of ``inputs``: whether ``period`` is their last month of the year, and their
    totals of the year before it (``pph21_ytd`` of year(m); none: zeros).

    The last month is December, or the month after which the employee has no working day left:
    their ``end_date`` before the first working day of the next month.
    """
    ytd = inputs.pph21_ytd.filter(nw.col("fiscal_year") == period.year).select(
        "nip", *(nw.col(c).cast(nw.Int64).alias(f"ytd_{c}") for c in YTD_COLUMNS))
    staff = inputs.employees.select("nip", "end_date")
    if period.month == 12:
        flagged = staff.with_columns(last_month=nw.lit(True))
    else:
        following = period.following
        first_day = days.working_days(inputs, following).select(nw.col("work_date").min().alias("__next_day"))
        # No working day in the next month at all: the month after it is the next one possible.
        next_day = nw.col("__next_day").fill_null(nw.lit(following.following.first_day))
        flagged = staff.join(first_day, how="cross").with_columns(
            last_month=(~nw.col("end_date").is_null() & (nw.col("end_date") < next_day)).fill_null(False))
    return (flagged.select("nip", "last_month").join(ytd, on="nip", how="left")
            .with_columns(*(nw.col(f"ytd_{c}").fill_null(0) for c in YTD_COLUMNS)))


def in_last_month(inputs: Inputs, period: Period) -> nw.LazyFrame[Any]:
    """``nip``: the employees in the run of ``period`` for whom it is their last month."""
    running = days.active_days(inputs.employees, days.working_days(inputs, period))
    return tax_basis(inputs, period).filter(nw.col("last_month")).join(running, on="nip", how="semi").select("nip")


def biaya_jabatan(gross: nw.Expr, months: nw.Expr) -> nw.Expr:
    """``min(rhu(gross × 5 %), 500,000 × months)``: 96,000,000 over 12 months → 4,800,000;
    126,000,000 → 6,000,000 (the cap); 62,000,000 over 4 months → 2,000,000.

    ``rhu(gross × 500 / 10000) = floor((gross + 10) / 20)``: the dividend stays near the gross, a
    few times 10^15 at most (every input amount is at most 10^15, SPEC §3.1), where Int64 floor
    division is exact on every backend (Spark's below 2^53)."""
    half = BP // BIAYA_JABATAN_BP // 2
    return nw.min_horizontal((gross + half) // (2 * half), months * BIAYA_JABATAN_MONTH_RP)


def pkp(gross: nw.Expr, biaya: nw.Expr, pension: nw.Expr, ptkp: nw.Expr) -> nw.Expr:
    """``floor_div(max(0, gross − biaya jabatan − pension − PTKP), 1000) × 1000``.

    96,000,000 − 4,800,000 − 54,000,000 = 37,200,000; 59,600,500 − 54,000,000 → 5,600,000."""
    neto = nw.max_horizontal(gross - biaya - pension - ptkp, nw.lit(0, nw.Int64))
    return neto // PKP_UNIT_RP * PKP_UNIT_RP


def pasal17(pkp_rp: nw.Expr) -> nw.Expr:
    """The year's tax of a PKP by the layers of Pasal 17: 37,200,000 → 1,860,000; 382,860,000 →
    3,000,000 + 28,500,000 + 33,215,000 = 64,715,000.

    Exact in Int64: the PKP and every layer bound are multiples of 1,000 and every rate a multiple
    of 10 bp, so each layer's tax is ``(part / 1,000) × (bp / 10)``, whole Rupiah, no product
    above 10^16."""
    thousands = pkp_rp // PKP_UNIT_RP
    total, lower = nw.lit(0, nw.Int64), 0
    for upper, bp in PASAL17_LAYERS:
        top = thousands if upper is None else nw.min_horizontal(thousands, nw.lit(upper // PKP_UNIT_RP, nw.Int64))
        total = total + nw.max_horizontal(top - lower, nw.lit(0, nw.Int64)) * (bp * PKP_UNIT_RP // BP)
        lower = (upper or 0) // PKP_UNIT_RP or lower
    return total


def pasal17_layers(pkp_rp: int) -> list[tuple[int, int, int]]:
    """``(part of the PKP, rate bp, tax)`` per layer the PKP reaches, for a reader (``eperf explain``):
    81,200,000 → (60,000,000, 500, 3,000,000), (21,200,000, 1500, 3,180,000)."""
    parts, lower = [], 0
    for upper, bp in PASAL17_LAYERS:
        part = max(0, (pkp_rp if upper is None else min(pkp_rp, upper)) - lower)
        if part:
            parts.append((part, bp, part * bp // BP))
        lower = upper or lower
    return parts


def ter_terms(frame: nw.LazyFrame[Any], rates: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """``frame`` with the terms of SPEC §4.9 under TER (:data:`TERMS`) and ``pph21_rp``.

    ``frame`` has, per ``nip``: ``salary_m, pay_rp, extra_rp, pension_rp, ptkp_status`` and the
    :func:`tax_basis` columns. Every month but the last: ``tax(gross_m) − tax(salary_m)``, what TPP
    adds to the month's tax. The last month: ``pasal17(pkp(S + T)) − pasal17(pkp(S)) − YTD pph21``
    over the year, which may be negative (what was withheld in excess is returned).
    """
    ptkp = nw.col("ptkp_status")
    terms = frame.with_columns(
        ter_category=category(ptkp),
        gross_m=nw.col("salary_m") + nw.col("pay_rp") + nw.col("extra_rp"),
        year_months=nw.col("ytd_months") + 1,
        year_salary_rp=nw.col("ytd_salary_rp") + nw.col("salary_m"),
        year_tpp_rp=nw.col("ytd_tpp_rp") + nw.col("pay_rp") + nw.col("extra_rp"),
        year_pension_rp=nw.col("ytd_pension_rp") + nw.col("pension_rp"),
        ptkp_rp=lookup(ptkp, PTKP_RP),
    )
    terms = with_ter_rate(with_ter_rate(terms, "gross_m", "ter_bp", rates), "salary_m", "ter_bp_salary", rates)
    year = nw.col("year_salary_rp") + nw.col("year_tpp_rp")
    terms = terms.with_columns(
        tax_gross=apply_bp(nw.col("gross_m"), nw.col("ter_bp")),
        tax_salary=apply_bp(nw.col("salary_m"), nw.col("ter_bp_salary")),
        biaya_jabatan_rp=biaya_jabatan(year, nw.col("year_months")),
        biaya_jabatan_salary_rp=biaya_jabatan(nw.col("year_salary_rp"), nw.col("year_months")),
    ).with_columns(
        pkp_rp=pkp(year, nw.col("biaya_jabatan_rp"), nw.col("year_pension_rp"), nw.col("ptkp_rp")),
        pkp_salary_rp=pkp(nw.col("year_salary_rp"), nw.col("biaya_jabatan_salary_rp"), nw.col("year_pension_rp"),
                          nw.col("ptkp_rp")),
    ).with_columns(
        year_tax_rp=pasal17(nw.col("pkp_rp")),
        year_tax_salary_rp=pasal17(nw.col("pkp_salary_rp")),
    )
    true_up = nw.col("year_tax_rp") - nw.col("year_tax_salary_rp") - nw.col("ytd_pph21_rp")
    return terms.with_columns(pph21_rp=nw.when(nw.col("last_month")).then(true_up)
                              .otherwise(nw.col("tax_gross") - nw.col("tax_salary")))
