"""``eperf explain``: one employee's TPP, step by step, as an HR officer reads it out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import narwhals.stable.v2 as nw
import polars as pl

from engine import (
    CATEGORY,
    Inputs,
    Period,
    Policy,
    employee_days,
    numeric_nips,
    over_daily_cap,
    pasal17_layers,
    tax_basis,
    ter_terms,
)
from pipelines.month.backends import engine_inputs
from pipelines.month.run import Month, month_from_folder
from pipelines.numbers import number, percent, rupiah


def explain_employee(data: Path, period: Period, nip: str) -> str:
    """The words and Rupiah behind one register row computed from ``data``. Raises LookupError
    for an unknown NIP."""
    return "\n".join(explain_in(month_from_folder(data, period), period, nip))


def explain_in(month: Month, period: Period, nip: str, tables: dict[str, pl.DataFrame] | None = None,
               note: str | None = None) -> list[str]:
    """The explanation of ``nip``'s row of ``month``'s tables (or of ``tables``, a kept run's
    ``pay_register`` and ``pool_summary``, with the days of ``month`` recomputed from the same
    inputs; ``note`` says why, when the kept row differs from the one computed). Raises
    LookupError for an NIP without a row."""
    policy, loaded = month.policy, month.data
    computed = {"pay_register": month.result.pay_register.to_native(),
                "pool_summary": month.result.pool_summary.to_native()}
    shown = tables or computed
    rows = shown["pay_register"].filter(pl.col("nip") == nip).rows(named=True)
    if not rows:
        known = (loaded.table("employees")["nip"] == nip).any()
        why = "has no active working day in the period" if known else "is not an accepted employee"
        raise LookupError(f"NIP {nip} {why}; nothing to explain for {period}")
    row = rows[0]
    pool = shown["pool_summary"].filter(pl.col("pool_id") == row["pool_id"]).row(0, named=True)
    one = {name: table.filter(pl.col("nip") == nip) if "nip" in table.collect_schema() else table
           for name, table in loaded.tables.items()}
    days = employee_days(numeric_nips(engine_inputs(one)), policy, period).collect("polars").to_native().sort(
        "work_date")
    employee = one["employees"].collect().row(0, named=True)
    basic = loaded.table("kelas").filter(pl.col("kelas") == row["kelas"])["basic_rp"][0]
    terms = pph21_terms(row, engine_inputs(one), period) if policy.pph21.ter else None
    lines = explanation(row, pool, days, employee, basic, policy, terms)
    if note is not None and computed["pay_register"].filter(pl.col("nip") == nip).rows(named=True) != rows:
        lines.append(f"   Note: {note}.")
    return lines


def pph21_terms(row: dict[str, Any], inputs: Inputs, period: Period) -> dict[str, Any]:
    """The terms of the row's PPh 21 under TER (:func:`engine.ter_terms`): its gross, the rates
    looked up, and the year's Pasal 17 arithmetic, from the register row and the employee's
    year to date in ``inputs``."""
    paid = pl.LazyFrame({"nip": [row["nip"]], "salary_m": [row["salary_rp"]], "pay_rp": [row["pay_rp"]],
                         "extra_rp": [row["extra_rp"]], "pension_rp": [row["pension_rp"]],
                         "ptkp_status": [row["ptkp_status"]]})
    frame = nw.from_native(paid).join(tax_basis(inputs, period), on="nip")
    terms: dict[str, Any] = ter_terms(frame, inputs.ter_rates).collect("polars").to_native().row(0, named=True)
    return terms


def explanation(row: dict[str, Any], pool: dict[str, Any], days: pl.DataFrame, employee: dict[str, Any],
                basic_rp: int, policy: Policy, terms: dict[str, Any] | None = None) -> list[str]:
    """The lines of the explanation (pure: the computed rows in, text out); ``terms``: the PPh 21
    under TER (:func:`pph21_terms`)."""
    p = row["amt_bk"] + row["amt_pk"]
    lines = [
        f"TPP {row['period']} for NIP {row['nip']} — OPD {row['opd_code']}, position {row['position_id']} "
        f"(kelas {row['kelas']}), {row['status']} golongan {employee['golongan']}",
        "",
        f"1. Days. {row['working_days']} working days in {row['period']}; you were active on "
        f"{row['active_days']} → proration {percent(row['proration_bp'])}.",
        f"2. Ceiling. Kelas {row['kelas']} basic {rupiah(basic_rp)}: beban kerja {rupiah(row['amt_bk'])}, prestasi "
        f"kerja {rupiah(row['amt_pk'])} (performance part {rupiah(p)}); kondisi kerja {rupiah(row['amt_kk'])}, "
        f"kelangkaan profesi {rupiah(row['amt_kp'])}, tempat bertugas {rupiah(row['amt_tb'])}, pertimbangan lain "
        f"{rupiah(row['amt_pol'])} (fixed part {rupiah(row['fixed_rp'])}).",
        f"3. Productivity. {number(row['minutes'])} counted minutes of a {number(row['target_minutes'])}-minute target "
        f"({row['active_days']} days × {policy.minutes_per_day}) → {percent(row['productivity_bp'])} "
        f"by the {policy.productivity_rule} rule.",
        *_productivity_days(days, policy),
        f"4. Discipline. Deductions {percent(row['deduction_bp'])} → discipline {percent(row['discipline_bp'])}.",
        *_discipline_days(days, policy),
        f"5. Score. {percent(policy.w_discipline_bp)} × discipline + {percent(policy.w_productivity_bp)} × "
        f"productivity = {percent(row['score_bp'])}.",
        f"6. Entitlement. Performance part {rupiah(p)} × {percent(row['score_bp'])} = {rupiah(row['perf_rp'])}, "
        f"plus the fixed part {rupiah(row['fixed_rp'])}; × {row['status']} rate "
        f"{percent(policy.status_bp[row['status']])}, × proration {percent(row['proration_bp'])}, "
        f"less sanction {percent(row['cut_bp'])}"
        + (f", plus PLT extra {rupiah(row['plt_extra_rp'])}" if row["plt_extra_rp"] else "")
        + f" = {rupiah(row['entitlement_rp'])} (your ceiling this month: {rupiah(row['cap_rp'])}).",
        _pool_line(row, pool, policy),
        f"8. Deductions. BPJS {percent(policy.bpjs_employee_bp)} on what TPP adds under the "
        f"{rupiah(policy.bpjs_ceiling_rp)} ceiling: {rupiah(row['bpjs_employee_rp'])} (the employer adds "
        f"{rupiah(row['bpjs_employer_rp'])}). PPh 21 {_signed_rupiah(row['pph21_rp'])}"
        + (" withheld." if policy.pph21.withheld else " borne by the city, not withheld."),
        *(_ter_lines(row, terms) if terms is not None else []),
        f"   Net TPP paid: {_signed_rupiah(row['net_rp'])}"
        + (f" (this month's TPP {rupiah(row['pay_rp'])} and {_extra_words(row)} {rupiah(row['extra_rp'])})."
           if row.get("extra_kind") else "."),
    ]
    return lines


def _extra_words(row: dict[str, Any]) -> str:
    return {"thr": "the TPP part of the THR", "gaji13": "the TPP part of gaji-13"}.get(row["extra_kind"], "extra")


def _signed_rupiah(amount: int) -> str:
    return rupiah(amount) if amount >= 0 else f"−{rupiah(-amount)}"


def _ter_lines(row: dict[str, Any], t: dict[str, Any]) -> list[str]:
    """PPh 21 under TER as a treasurer checks it: the category, the month's gross and the rates looked
    up; in the last month the year's Pasal 17 arithmetic line by line."""
    def rate(bp: int) -> str:
        return f"{bp / 100:g} %"

    extra = f" + {_extra_words(row)} {rupiah(row['extra_rp'])}" if row["extra_rp"] else ""
    lines = [
        f"   PPh 21 by TER (PP 58/2023): PTKP status {row['ptkp_status']} → category {CATEGORY[row['ptkp_status']]}. "
        f"This month's gross: salary {rupiah(row['salary_rp'])} + TPP {rupiah(row['pay_rp'])}{extra} = "
        f"{rupiah(t['gross_m'])} → TER {t['ter_category']} {rate(t['ter_bp'])} = {rupiah(t['tax_gross'])}; "
        f"the salary alone {rupiah(row['salary_rp'])} → {rate(t['ter_bp_salary'])} = {rupiah(t['tax_salary'])} "
        "(the salary payroll withholds it).",
    ]
    if not t["last_month"]:
        return [*lines, f"   What TPP adds: {rupiah(t['tax_gross'])} − {rupiah(t['tax_salary'])} = "
                        f"{_signed_rupiah(row['pph21_rp'])}."]
    year, months = t["year_salary_rp"] + t["year_tpp_rp"], t["year_months"]
    return [
        *lines,
        f"   {row['period']} is your last month of the year (masa pajak terakhir): the year's tax under Pasal 17, "
        "less what the earlier months withheld:",
        f"     gross over {months} month{'s' if months > 1 else ''}: salary {rupiah(t['year_salary_rp'])} + "
        f"TPP {rupiah(t['year_tpp_rp'])} = {rupiah(year)}",
        f"     biaya jabatan: 5 % of it, at most {months} × Rp 500.000 → {rupiah(t['biaya_jabatan_rp'])}",
        f"     pension (iuran pensiun + THT): {rupiah(t['year_pension_rp'])}",
        f"     PTKP {row['ptkp_status']}: {rupiah(t['ptkp_rp'])}",
        f"     PKP: {rupiah(year)} − {rupiah(t['biaya_jabatan_rp'])} − {rupiah(t['year_pension_rp'])} − "
        f"{rupiah(t['ptkp_rp'])}, rounded down to the thousand = {rupiah(t['pkp_rp'])}",
        f"     Pasal 17: {_layers(t['pkp_rp'])} = {rupiah(t['year_tax_rp'])}",
        f"     on the salary alone (biaya jabatan {rupiah(t['biaya_jabatan_salary_rp'])}): PKP "
        f"{rupiah(t['pkp_salary_rp'])} → {rupiah(t['year_tax_salary_rp'])}",
        f"     TPP's part of the year's tax: {rupiah(t['year_tax_rp'])} − {rupiah(t['year_tax_salary_rp'])} = "
        f"{rupiah(t['year_tax_rp'] - t['year_tax_salary_rp'])}",
        f"     less PPh 21 on TPP withheld in the year's earlier months: {rupiah(t['ytd_pph21_rp'])}",
        f"     = this month: {_signed_rupiah(row['pph21_rp'])}"
        + (" (negative: the excess withheld is returned)" if row["pph21_rp"] < 0 else ""),
    ]


def _layers(pkp_rp: int) -> str:
    parts = [f"{bp / 100:g} % × {rupiah(part)} = {rupiah(tax)}" for part, bp, tax in pasal17_layers(pkp_rp)]
    return "; ".join(parts) if parts else "nothing on a PKP of Rp 0"


def late_data_lines(changes: pl.DataFrame, since: str) -> list[str]:
    """What a new correction would change for one employee against what was paid
    (:func:`adjust`'s rows of one NIP), after late data since ``since``."""
    if changes.is_empty():
        return [f"After late data: inputs of the month changed since {since}, but a new correction would not change "
                "this pay against what was paid."]
    lines = [f"After late data since {since}: a new correction would change this pay against what was paid "
             f"({changes['reason'][0]}):"]
    return lines + _field_lines(changes)


def corrected_lines(corrections: list[tuple[str, str, str | None, pl.DataFrame]], issued: pl.DataFrame,
                    paid_at: dict[str, str]) -> list[str]:
    """What each correction of a locked run (``run id, status, payment that paid it or None,
    the employee's fields it changes against the locked run``) did to one employee's pay, and
    what the payment ledger issued them (``issued``: their lines, ``paid_at``: when each payment
    was made)."""
    lines = []
    for run_id, status, paid_in, changes in corrections:
        paid = f"paid in {paid_in} on {paid_at[paid_in]}" if paid_in else "not paid"
        if changes.is_empty():
            lines.append(f"Correction {run_id} ({status}, {paid}) does not change this pay.")
        else:
            lines += [f"Correction {run_id} ({status}, {paid}) changed this pay against the locked run:",
                      *_field_lines(changes)]
    if not issued.is_empty():
        parts = ", ".join(f"{row['payment_id']} {rupiah(row['net_rp'])}" for row in issued.iter_rows(named=True))
        lines.append(f"Issued for the month (payment ledger, net): {parts}; "
                     f"{rupiah(int(issued['net_rp'].sum()))} in all.")
    return ["", *lines] if lines else []


def _field_lines(changes: pl.DataFrame) -> list[str]:
    return [f"   {row['field']}: {rupiah(row['locked'])} → {rupiah(row['now'])} ({_signed(row['delta_rp'])})"
            for row in changes.iter_rows(named=True)]


def _signed(amount: int) -> str:
    return f"+{rupiah(amount)}" if amount > 0 else f"−{rupiah(-amount)}"


def _pool_line(row: dict[str, Any], pool: dict[str, Any], policy: Policy) -> str:
    head = (f"7. Pool {row['pool_id']}. Budget this month {rupiah(pool['pool_rp'])} against entitlements of "
            f"{rupiah(pool['entitlement_rp'])} ({policy.allocation} mode): ")
    pay = rupiah(row["pay_rp"])
    if policy.allocation == "scale":
        if not pool["binding"]:
            return head + f"the budget suffices, so you are paid your entitlement {pay}."
        return head + f"the budget is short, so every entitlement is scaled by {pool['lambda']:.4f} → {pay}."
    if not pool["binding"]:
        return head + f"the budget covers every ceiling, so each working employee is paid the ceiling → {pay}."
    return head + (f"the budget is below the sum of ceilings and is shared in proportion to entitlement "
                   f"(factor {pool['lambda']:.4f}, never above a ceiling) → {pay}.")


def _productivity_days(days: pl.DataFrame, policy: Policy) -> list[str]:
    credit = days.filter(pl.col("credit"))
    capped = nw.from_native(days).filter(~nw.col("credit"), over_daily_cap(policy)).to_native()
    lines = []
    if credit.height:
        lines.append(f"   {_days(credit.height)} of leave/travel credited {policy.credit_minutes_per_day} minutes each "
                     f"({', '.join(_day(d) for d in credit['work_date'])}).")
    if capped.height:
        lines.append(f"   {_days(capped.height)} logged more than the daily cap of {policy.daily_cap_minutes} "
                     f"minutes and count at the cap ({', '.join(_day(d) for d in capped['work_date'])}).")
    return lines


def _discipline_days(days: pl.DataFrame, policy: Policy) -> list[str]:
    costly = days.filter(pl.col("day_deduction_bp") > 0)
    lines = []
    for d in costly.iter_rows(named=True):
        status = d["attendance_status"]
        if status is None:
            what = "no attendance record (counted as TK)"
        elif status != "H":
            what = f"status {status}"
        else:
            what = f"in {_clock(d['check_in_min'])}, out {_clock(d['check_out_min'])}"
        lines.append(f"   {_day(d['work_date'])}: {what} → −{percent(d['day_deduction_bp'])}")
    return lines


def _clock(minutes: int | None) -> str:
    return "missing" if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day(value: dt.date) -> str:
    return value.strftime("%a %d %b")


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"
