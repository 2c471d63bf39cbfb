"""The extra payment, BPJS and PPh 21 on the TPP paid, and the net (SPEC §4.9, §4.10)."""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw

from engine.money import apply_bp
from engine.period import Period
from engine.policy import Policy
from engine.pph21 import TERMS, ter_terms
from engine.steps import lookup


def bpjs_rp(salary: nw.Expr, pay: nw.Expr, bp: int, ceiling: int) -> nw.Expr:
    """The extra BPJS that TPP causes: on min(ceiling, salary + pay) less on min(ceiling, salary).

    Salary Rp 11,500,000, pay Rp 2,000,000, 100 bp, ceiling Rp 12,000,000:
    120,000 − 115,000 = Rp 5,000 (only the Rp 500,000 under the ceiling counts).
    """
    with_tpp = apply_bp(nw.min_horizontal(salary + pay, nw.lit(ceiling, nw.Int64)), bp)
    without = apply_bp(nw.min_horizontal(salary, nw.lit(ceiling, nw.Int64)), bp)
    return with_tpp - without


def pph21_rate_bp(policy: Policy) -> nw.Expr:
    """The final PPh 21 rate of the employee's status and golongan (0 when unlisted)."""
    rates = {f"{s}/{g}": bp for s, by_golongan in policy.pph21_rate_bp.items() for g, bp in by_golongan.items()}
    return lookup(nw.concat_str([nw.col("status"), nw.col("golongan")], separator="/"), rates)


def with_deductions(frame: nw.LazyFrame[Any], policy: Policy, period: Period,
                    ter_rates: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Add ``extra_kind, extra_rp, bpjs_employee_rp, bpjs_employer_rp, pph21_rp, net_rp`` from
    ``pay_rp``, and make ``salary_rp`` the month's ``salary_m``.

    ``frame`` has per employee ``salary_rp`` (the input), ``pay_rp``, ``status``, ``golongan``,
    ``pension_rp`` and ``ptkp_status``; under TER also the :func:`engine.pph21.tax_basis` columns.
    In a period with an extra payment ``extra_rp = rhu(pay × bp)`` and the salary payroll pays
    its own THR or gaji-13, so ``salary_m = salary × 2``; BPJS stays on the month's salary and pay.
    """
    extra = policy.extra_payment(period)
    salary, pay = nw.col("salary_rp"), nw.col("pay_rp")
    frame = frame.with_columns(
        extra_kind=nw.lit(extra.kind.value if extra else None, nw.String),
        extra_rp=apply_bp(pay, extra.bp) if extra else nw.lit(0, nw.Int64),
        salary_m=salary * (2 if extra else 1),
        bpjs_employee_rp=bpjs_rp(salary, pay, policy.bpjs_employee_bp, policy.bpjs_ceiling_rp),
        bpjs_employer_rp=bpjs_rp(salary, pay, policy.bpjs_employer_bp, policy.bpjs_ceiling_rp),
    )
    if policy.pph21.ter:
        frame = ter_terms(frame, ter_rates).drop(*TERMS)
    else:
        frame = frame.with_columns(pph21_rp=apply_bp(pay + nw.col("extra_rp"), pph21_rate_bp(policy)))
    withheld = nw.col("pph21_rp") if policy.pph21.withheld else 0
    return frame.with_columns(net_rp=pay + nw.col("extra_rp") - nw.col("bpjs_employee_rp") - withheld,
                              salary_rp=nw.col("salary_m")).drop("salary_m")
