"""``eperf explain``: one employee's TPP, step by step, as an HR officer reads it out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import narwhals.stable.v2 as nw
import polars as pl

from engine import (
    BP,
    CATEGORY,
    DEFAULTS,
    SOURCES,
    Inputs,
    Period,
    Policy,
    employee_days,
    entitlements,
    numeric_nips,
    over_daily_cap,
    pasal17_layers,
    plt_decrees,
    resolved_values,
    tax_basis,
    ter_terms,
)
from pipelines.month.backends import engine_inputs
from pipelines.month.run import Month, month_from_folder
from pipelines.numbers import decimal, number, percent, rate, rupiah
from pipelines.sources import CONTRACTS
from pipelines.warehouse.lifecycle import LateChanges


def explain_employee(data: Path, period: Period, nip: str) -> str:
    """The words and Rupiah behind one register row computed from ``data``. Raises LookupError
    for an NIP without a row, saying why they are not in the month."""
    return "\n".join(explain_in(month_from_folder(data, period), period, nip))


def explain_in(month: Month, period: Period, nip: str) -> list[str]:
    """The explanation of ``nip``'s row of ``month`` (computed whole: pay shares its pool)."""
    computed = {"pay_register": month.result.pay_register.to_native(),
                "pool_summary": month.result.pool_summary.to_native()}
    return explanation_of(month.policy, month.data.tables, computed, period, nip)


def explanation_of(policy: Policy, tables: Mapping[str, pl.LazyFrame], shown: dict[str, pl.DataFrame],
                   period: Period, nip: str, note: str | None = None) -> list[str]:
    """The explanation of ``nip``'s row of ``shown`` (``pay_register`` and ``pool_summary``: a
    month's, or a kept run's) from the inputs ``tables`` it was computed from (every employee's
    or ``nip``'s only: the days and terms are recomputed for them alone). ``note`` says why the
    amounts are the kept ones when the terms recomputed today differ from the kept row. Raises
    LookupError for an NIP without a row, saying why."""
    rows = shown["pay_register"].filter(pl.col("nip") == nip).rows(named=True)
    one = {name: table.filter(pl.col("nip") == nip) if "nip" in table.collect_schema() else table
           for name, table in tables.items()}
    employed = one["employees"].collect()
    if not rows:
        raise LookupError(not_in_month(employed, period, nip))
    row = rows[0]
    pool = shown["pool_summary"].filter(pl.col("pool_id") == row["pool_id"]).row(0, named=True)
    inputs = numeric_nips(engine_inputs(one))
    days = employee_days(inputs, policy, period).collect("polars").to_native().sort("work_date")
    terms = _terms(inputs, policy, period)
    post = _post(one, row, terms)
    tax = pph21_terms(row, engine_inputs(one), period) if policy.pph21.ter else None
    lines = explanation(row, pool, days, employed.row(0, named=True), post, policy, terms,
                        regional_lines(inputs, policy, period, terms) if terms else [], tax)
    if note is not None and _recomputed_differs(terms, row):
        lines.append(f"   Note: {note}.")
    return lines


def not_in_month(employed: pl.DataFrame, period: Period, nip: str) -> str:
    """Why ``nip`` has no row in ``period``'s register, from their accepted ``hr/employees`` rows."""
    if employed.is_empty():
        return (f"NIP {nip} is not an accepted employee: no accepted row of hr/employees has it (rejected rows are "
                f"listed in rejects.csv, by file and row); nothing to explain for {period}")
    start, end = employed["start_date"][0], employed["end_date"][0]
    if start > period.last_day:
        return (f"NIP {nip} starts on {start.isoformat()} (hr/employees start_date), after {period}: their first "
                f"month is {Period(start.year, start.month)}; nothing to explain for {period}")
    if end is not None and end < period.first_day:
        return (f"NIP {nip} left on {end.isoformat()} (hr/employees end_date), before {period}; nothing to explain "
                f"for {period}")
    span = f"from {start.isoformat()}" + (f" to {end.isoformat()}" if end is not None else "")
    return (f"NIP {nip} is employed {span}, which holds no working day of {period} that counts (hr/calendar, "
            f"and any day of an unpaid status); nothing to explain for {period}")


def _post(one: Mapping[str, pl.LazyFrame], row: dict[str, Any], terms: dict[str, Any] | None) -> dict[str, Any]:
    """The post whose ceiling the row pays (the acting post when paid as its holder): its
    criteria in bp and its kelas's basic."""
    acting = (terms or {}).get("acting_position_id")
    position = acting if acting is not None else row["position_id"]
    found: dict[str, Any] = (one["positions"].filter(pl.col("position_id") == position)
                             .join(one["kelas"], on="kelas").collect().row(0, named=True))
    return found


def _recomputed_differs(terms: dict[str, Any] | None, row: dict[str, Any]) -> bool:
    """Whether the terms recomputed today (:func:`engine.entitlements`) differ from the kept row."""
    return terms is None or any(terms[c] != row[c] for c in terms.keys() & row.keys() if c != "nip")


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
                post: dict[str, Any], policy: Policy, terms: dict[str, Any] | None = None,
                rules: list[str] | None = None, tax: dict[str, Any] | None = None) -> list[str]:
    """The lines of the explanation (pure: the computed rows in, text out). ``post`` is the
    position the ceiling comes from, with its criteria (``<c>_bp``) and its kelas's ``basic_rp``;
    ``terms`` the employee's row of :func:`engine.entitlements` (the regional rules' terms),
    ``rules`` the lines of :func:`regional_lines`, ``tax`` the PPh 21 under TER (:func:`pph21_terms`)."""
    p = row["amt_bk"] + row["amt_pk"]
    terms = terms or {}
    gate = terms.get("gate_bp", BP)
    lines = [
        f"TPP {row['period']} for NIP {row['nip']} — OPD {row['opd_code']}, position {row['position_id']} "
        f"(kelas {row['kelas']}), {row['status']} golongan {employee['golongan']}",
        "",
        f"1. Days. {row['working_days']} working days in {row['period']}; you were active on "
        f"{row['active_days']} → proration {percent(row['proration_bp'])}.",
        *_ceiling_lines(row, post),
        f"3. Productivity. {number(row['minutes'])} counted minutes of a {number(row['target_minutes'])}-minute target "
        f"({_target_words(row, policy)}) → {percent(row['productivity_bp'])} by the {policy.productivity_rule} rule.",
        *_productivity_days(days, policy),
        f"4. Discipline. Deductions {percent(row['deduction_bp'])} → discipline {percent(row['discipline_bp'])}.",
        *_discipline_days(days, policy),
        *_skp_line(terms, policy, row),
        f"5. Score. {percent(policy.w_discipline_bp)} × discipline + {percent(policy.w_productivity_bp)} × "
        f"productivity" + (f" + {percent(policy.w_skp_bp)} × SKP" if policy.w_skp_bp else "")
        + f" = {percent(row['score_bp'])}"
        + (" (December is paid in full)." if terms.get("score_bp") == BP and policy.december_full
           and row["period"].endswith("-12") else "."),
        f"6. Entitlement. Performance part {rupiah(p)} × {percent(row['score_bp'])} = {rupiah(row['perf_rp'])}, "
        f"plus the fixed part {rupiah(row['fixed_rp'])}; × {row['status']} rate "
        f"{percent(policy.status_bp[row['status']])}, × proration {percent(row['proration_bp'])}, "
        f"less sanction {percent(row['cut_bp'])}"
        + (f", × presence gate {percent(gate)}" if gate != BP else "")
        + (f", plus PLT extra {rupiah(row['plt_extra_rp'])}" if row["plt_extra_rp"] else "")
        + f" = {rupiah(row['entitlement_rp'])} (your ceiling this month: {rupiah(row['cap_rp'])}).",
        *(["   Regional rules of this policy that changed your pay:", *rules] if rules else []),
        _pool_line(row, pool, policy),
        f"8. Deductions. BPJS {percent(policy.bpjs_employee_bp)} on what TPP adds under the "
        f"{rupiah(policy.bpjs_ceiling_rp)} ceiling: {rupiah(row['bpjs_employee_rp'])} (the employer adds "
        f"{rupiah(row['bpjs_employer_rp'])}). PPh 21 {_signed_rupiah(row['pph21_rp'])}"
        + (" withheld." if policy.pph21.withheld else " borne by the city, not withheld."),
        *(_ter_lines(row, tax) if tax is not None else []),
        f"   Net TPP paid: {_signed_rupiah(row['net_rp'])}"
        + (f" (this month's TPP {rupiah(row['pay_rp'])} and {_extra_words(row)} {rupiah(row['extra_rp'])})."
           if row.get("extra_kind") else "."),
    ]
    return lines


CRITERIA_WORDS = {"bk": "beban kerja", "pk": "prestasi kerja", "kk": "kondisi kerja", "kp": "kelangkaan profesi",
                  "tb": "tempat bertugas", "pol": "pertimbangan objektif lainnya"}
"""The six criteria of a post's ceiling (SPEC §4.2), as the Perwali names them."""


def _ceiling_lines(row: dict[str, Any], post: dict[str, Any]) -> list[str]:
    """The ceiling as the sum of the post's criteria, each a percentage of its kelas's basic."""
    share = sum(post[f"{c}_bp"] for c in CRITERIA_WORDS)
    parts = ", ".join(f"{CRITERIA_WORDS[c]} {percent(post[f'{c}_bp'])} = {rupiah(row[f'amt_{c}'])}"
                      for c in CRITERIA_WORDS if post[f"{c}_bp"])
    acting = f" (acting post {post['position_id']}, paid as its holder)" if post["position_id"] != row["position_id"] \
        else ""
    return [
        f"2. Ceiling. Kelas {post['kelas']} basic {rupiah(post['basic_rp'])}{acting}; the post's criteria add to "
        f"{percent(share)} of it: {parts}.",
        f"   Performance part (beban kerja + prestasi kerja) {rupiah(row['amt_bk'] + row['amt_pk'])}; fixed part "
        f"{rupiah(row['fixed_rp'])}; the post's TPP at a full score "
        f"{rupiah(sum(row[f'amt_{c}'] for c in CRITERIA_WORDS))}.",
    ]


def _extra_words(row: dict[str, Any]) -> str:
    return {"thr": "the TPP part of the THR", "gaji13": "the TPP part of gaji-13"}.get(row["extra_kind"], "extra")


def _signed_rupiah(amount: int) -> str:
    return rupiah(amount) if amount >= 0 else f"−{rupiah(-amount)}"


def _ter_lines(row: dict[str, Any], t: dict[str, Any]) -> list[str]:
    """PPh 21 under TER as a treasurer checks it: the category, the month's gross and the rates looked
    up; in the last month the year's Pasal 17 arithmetic line by line."""
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
    parts = [f"{rate(bp)} × {rupiah(part)} = {rupiah(tax)}" for part, bp, tax in pasal17_layers(pkp_rp)]
    return "; ".join(parts) if parts else "nothing on a PKP of Rp 0"


REGIONAL_RULES = ("unpaid_statuses", "target_rule", "activity_gate_pct", "plt_min_days", "plt_rule",
                  "december_full", "presence_gates")
"""The §4.11 options that switch a rule on (the SKP weight is part of the score, step 5)."""


def _terms(inputs: Inputs, policy: Policy, period: Period) -> dict[str, Any] | None:
    """The employee's row of :func:`engine.entitlements` (inputs of one employee), None when they
    are not in the run under ``policy``."""
    rows = entitlements(inputs, policy, period).collect("polars").rows(named=True)
    return rows[0] if rows else None


def regional_lines(inputs: Inputs, policy: Policy, period: Period, now: dict[str, Any]) -> list[str]:
    """Each regional rule (§4.11) of ``policy`` that changed the employee's entitlement, in words,
    and by how much: the entitlement computed without that one rule (at its default), then with it."""
    values = resolved_values(policy.version)
    lines = []
    for key in REGIONAL_RULES:
        if values[key] == DEFAULTS[key]:
            continue
        without = _terms(inputs, policy.with_changes(**{key: DEFAULTS[key]}), period)
        if without is None or without["entitlement_rp"] == now["entitlement_rp"]:
            continue
        words = _RULE_WORDS[key](now, without, policy, plt_decrees(inputs, policy, period))
        lines.append(f"   - {words}; entitlement {rupiah(without['entitlement_rp'])} without this rule → "
                     f"{rupiah(now['entitlement_rp'])}.")
    return lines


def _unpaid_words(now: dict[str, Any], was: dict[str, Any], policy: Policy, decrees: nw.LazyFrame[Any]) -> str:
    return (f"{_days(now['unpaid_days'])} of {', '.join(policy.unpaid_statuses)} are unpaid (unpaid_statuses): "
            f"active days {was['active_days']} → {now['active_days']}, proration {percent(was['proration_bp'])} → "
            f"{percent(now['proration_bp'])}")


def _target_rule_words(now: dict[str, Any], was: dict[str, Any], policy: Policy, decrees: nw.LazyFrame[Any]) -> str:
    return (f"monthly target (target_rule): {number(policy.target_minutes_month)} minutes a month × "
            f"{now['active_days']}/{now['working_days']} working days = {number(now['target_minutes'])} instead of "
            f"{number(was['target_minutes'])}; productivity {percent(was['productivity_bp'])} → "
            f"{percent(now['productivity_bp'])}")


def _gate_words(now: dict[str, Any], was: dict[str, Any], policy: Policy, decrees: nw.LazyFrame[Any]) -> str:
    skp = f", SKP {percent(was['skp_bp'])} → 0" if policy.w_skp_bp else ""
    return (f"activity gate: {number(now['minutes'])} minutes < {policy.activity_gate_pct} % of the "
            f"{number(now['target_minutes'])}-minute target: productivity {percent(was['productivity_bp'])} → 0{skp}")


def _plt_min_words(now: dict[str, Any], was: dict[str, Any], policy: Policy, decrees: nw.LazyFrame[Any]) -> str:
    short = decrees.filter(~nw.col("counts")).collect("polars").sort("start_date").rows(named=True)
    which = ", ".join(f"{d['position_id']} from {d['start_date'].isoformat()} ({_days(d['covered_days'])})"
                      for d in short)
    return f"PLT decrees covering fewer than {policy.plt_min_days} of your days do not count (plt_min_days): {which}"


def _higher_post_words(now: dict[str, Any], was: dict[str, Any], policy: Policy,
                       decrees: nw.LazyFrame[Any]) -> str:
    if now["acting_position_id"] is None:
        return "no acting post above your kelas"
    return (f"acting post {now['acting_position_id']} (kelas {now['acting_kelas']}) is above your kelas "
            f"{now['kelas']}: you are paid as its holder (plt_rule higher_post), performance part "
            f"{rupiah(was['perf_block'])} → {rupiah(now['perf_block'])}, fixed part {rupiah(was['fixed_block'])} → "
            f"{rupiah(now['fixed_block'])}, PLT extra {rupiah(was['plt_extra_rp'])} → 0")


def _december_words(now: dict[str, Any], was: dict[str, Any], policy: Policy, decrees: nw.LazyFrame[Any]) -> str:
    return (f"December is paid in full (december_full): score {percent(was['score_bp'])} → {percent(BP)}, "
            "no presence gate")


def _presence_words(now: dict[str, Any], was: dict[str, Any], policy: Policy, decrees: nw.LazyFrame[Any]) -> str:
    above = [g.min_pct for g in policy.presence_gates if g.min_pct > now["presence_pct"]]
    below = f" < {above[0]} %" if above else ""
    return (f"presence {now['presence_pct']} %{below} ({now['present_days']} of {_days(now['active_days'])} present "
            f"or credited): gate {number(now['gate_bp'])} bp, e3 {rupiah(now['own_post_rp'])} → "
            f"{rupiah(now['entitlement_rp'] - now['plt_extra_rp'])}")


_RULE_WORDS = {"unpaid_statuses": _unpaid_words, "target_rule": _target_rule_words, "activity_gate_pct": _gate_words,
               "plt_min_days": _plt_min_words, "plt_rule": _higher_post_words, "december_full": _december_words,
               "presence_gates": _presence_words}


def _target_words(row: dict[str, Any], policy: Policy) -> str:
    if policy.target_rule == "monthly":
        return f"{number(policy.target_minutes_month)} a month × {row['active_days']}/{row['working_days']} days"
    return f"{row['active_days']} days × {policy.minutes_per_day}"


def _skp_line(terms: dict[str, Any], policy: Policy, row: dict[str, Any]) -> list[str]:
    if not policy.w_skp_bp or not terms:
        return []
    predikat = terms["skp_predikat"]
    rating = (f"predikat {predikat.replace('_', ' ')}, the latest rating before {row['period']}" if predikat
              else "no SKP rating before the month (skp_missing_bp)")
    gated = " (0: under the activity gate)" if terms["activity_gated"] else ""
    return [f"   SKP. {rating} → {percent(terms['skp_bp'])}{gated}."]


def late_data_lines(late: LateChanges, since: str, period: Period) -> list[str]:
    """What a new correction would change for one employee against what was paid after late
    data since ``since``, and which of their inputs changed: the days (minutes, times, status)
    and any other row."""
    changed = _changed_inputs(late, period)
    if late.rows.is_empty():
        return [f"After late data since {since}: inputs of the month changed, but a new correction would not change "
                "this pay against what was paid.", *changed]
    lines = [f"After late data since {since}: a new correction would change this pay against what was paid "
             f"({late.rows['reason'][0]}):"]
    return lines + _field_lines(late.rows) + changed


_DAY_FIELDS = ("attendance_status", "check_in_min", "check_out_min", "logged_minutes", "day_deduction_bp")


def _changed_inputs(late: LateChanges, period: Period) -> list[str]:
    """The employee's inputs that differ between ``late.then`` and ``late.now``: each working day
    whose attendance or approved minutes changed, then every other row added, changed or gone
    (personal columns such as the bank account are never shown)."""
    def days(tables: dict[str, pl.LazyFrame]) -> pl.DataFrame:
        inputs = numeric_nips(engine_inputs(tables))
        listed: pl.DataFrame = employee_days(inputs, late.policy, period).collect("polars").to_native()
        return listed.select("work_date", *_DAY_FIELDS)

    both = days(late.then).join(days(late.now), on="work_date", how="full", coalesce=True, suffix="_now")
    moved = both.filter(pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"{c}_now")) for c in _DAY_FIELDS))
    lines = [f"   {_day(d['work_date'])}: {_day_change(d)}" for d in moved.sort("work_date").iter_rows(named=True)]
    for name in SOURCES:
        if name in ("activity_log", "attendance") or name not in late.now or "nip" not in CONTRACTS[name].columns:
            continue
        lines += _row_changes(name, late.then[name].collect(), late.now[name].collect())
    return ["   What changed in your inputs:", *lines] if lines else []


def _day_change(d: dict[str, Any]) -> str:
    parts = []
    if d["attendance_status"] != d["attendance_status_now"]:
        parts.append(f"status {d['attendance_status'] or 'none'} → {d['attendance_status_now'] or 'none'}")
    for column, words in (("check_in_min", "in"), ("check_out_min", "out")):
        if d[column] != d[f"{column}_now"]:
            parts.append(f"{words} {_clock(d[column])} → {_clock(d[f'{column}_now'])}")
    then, now = d["logged_minutes"] or 0, d["logged_minutes_now"] or 0
    if then != now:
        parts.append(f"approved minutes {number(then)} → {number(now)} ({'+' if now > then else '−'}"
                     f"{number(abs(now - then))})")
    if d["day_deduction_bp"] != d["day_deduction_bp_now"]:
        parts.append(f"deduction {percent(d['day_deduction_bp'] or 0)} → {percent(d['day_deduction_bp_now'] or 0)}")
    return "; ".join(parts)


def _row_changes(name: str, then: pl.DataFrame, now: pl.DataFrame) -> list[str]:
    """``name``'s rows of one employee added, gone or changed, column by column."""
    contract = CONTRACTS[name]
    shown = [c for c in contract.columns if c not in contract.personal and c not in contract.key]
    both = then.join(now, on=list(contract.key), how="full", coalesce=True, suffix="_now", nulls_equal=True)
    lines = []
    for row in both.iter_rows(named=True):
        key = ", ".join(f"{c} {row[c]}" for c in contract.key if c != "nip")
        where = f"{contract.path}{f' ({key})' if key else ''}"
        if all(row[c] is None for c in shown) and name != "employees":
            lines.append(f"   {where}: added")
        elif all(row[f"{c}_now"] is None for c in shown) and name != "employees":
            lines.append(f"   {where}: gone")
        else:
            lines += [f"   {where}: {c} {row[c]} → {row[f'{c}_now']}" for c in shown if row[c] != row[f"{c}_now"]]
    return lines


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
        return head + f"the budget is short, so every entitlement is scaled by {decimal(pool['lambda'], 4)} → {pay}."
    if not pool["binding"]:
        return head + f"the budget covers every ceiling, so each working employee is paid the ceiling → {pay}."
    return head + (f"the budget is below the sum of ceilings and is shared in proportion to entitlement "
                   f"(factor {decimal(pool['lambda'], 4)}, never above a ceiling) → {pay}.")


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
            what = f"in {_clock(d['check_in_min'])}, out {_clock(d['check_out_min'])}: {_late_early(d, policy)}"
        lines.append(f"   {_day(d['work_date'])}: {what} → −{percent(d['day_deduction_bp'])}")
    return lines


def _late_early(day: dict[str, Any], policy: Policy) -> str:
    """An H day's cost in the Perwali's words: TLn for arriving late (terlambat), PSWn for leaving
    early (pulang sebelum waktunya), n the band; a missing time costs the last band."""
    bands = policy.tl_psw_bands
    parts = []
    for code, clock, minutes, words in (
            ("TL", day["check_in_min"], (day["check_in_min"] or 0) - policy.schedule_start_min, "late"),
            ("PSW", day["check_out_min"], policy.schedule_end_min - (day["check_out_min"] or 0), "early")):
        if clock is None:
            parts.append((f"{code}{len(bands)}, no check-{'in' if code == 'TL' else 'out'}", bands[-1].bp))
            continue
        band = max((i for i, b in enumerate(bands) if minutes >= b.min_minutes), default=None)
        if band is not None:
            left = "" if code == "TL" else "left "
            parts.append((f"{code}{band + 1}, {left}{_minutes(minutes)} {words}", bands[band].bp))
    if len(parts) == 1:
        return parts[0][0]
    return "; ".join(f"{what} (−{percent(bp)})" for what, bp in parts)


def _minutes(n: int) -> str:
    return "1 minute" if n == 1 else f"{number(n)} minutes"


def _clock(minutes: int | None) -> str:
    return "missing" if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day(value: dt.date) -> str:
    return value.strftime("%a %d %b")


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"
