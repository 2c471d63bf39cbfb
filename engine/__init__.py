"""The TPP pay engine: pure computation over narwhals frames (SPEC §4).

This is its public face: pipelines import the engine from here (a ruff rule keeps it so).
"""

from engine.budget import budget_check, budget_outlook, burn_down, projection_rule
from engine.ceiling import CRITERIA
from engine.correction import corrected_pay, corrected_pools, locked_rates
from engine.days import overlaps, period_rows
from engine.inputs import SOURCES, TABLES, Inputs
from engine.money import BP
from engine.period import PERIOD_PATTERN, Period
from engine.policy import (
    ATTENDANCE_STATUSES,
    AWAY_STATUSES,
    DEFAULTS,
    EMPLOYMENT_STATUSES,
    ROMAN_PNS,
    ROMAN_PPPK,
    SKP_PREDIKATS,
    Allocation,
    ExtraKind,
    ExtraPayment,
    Policy,
    PolicyError,
    Pph21Regime,
    ProductivityRule,
    policy_for_period,
    policy_versions,
    resolved_values,
)
from engine.pool import budget_accounts, paid_tpp, pools
from engine.pph21 import (
    CATEGORY,
    DEFAULT_PTKP,
    PTKP_STATUSES,
    TER_SCHEMA,
    YTD_COLUMNS,
    in_last_month,
    pasal17_layers,
    tax_basis,
    ter_table,
    ter_terms,
)
from engine.productivity import approved_day_minutes, approved_entries, over_daily_cap, referenced_logs
from engine.run import (
    POOL_COLUMNS,
    REGISTER_COLUMNS,
    REGISTER_TEXT,
    RunTables,
    employee_days,
    entitlements,
    inputs_digest,
    numeric_nips,
    plt_decrees,
    run_id_of,
    run_period,
)
from engine.states import Check, LogStatus, Sp2dStatus, TransferStatus, Verdict, values

__all__ = [
    "Allocation", "approved_day_minutes", "approved_entries", "ATTENDANCE_STATUSES", "AWAY_STATUSES", "BP",
    "budget_accounts", "budget_check", "budget_outlook", "burn_down", "CATEGORY", "Check", "corrected_pay",
    "corrected_pools", "CRITERIA", "DEFAULT_PTKP", "DEFAULTS", "employee_days", "EMPLOYMENT_STATUSES", "entitlements",
    "ExtraKind", "ExtraPayment", "in_last_month", "Inputs", "inputs_digest", "locked_rates", "LogStatus",
    "numeric_nips", "over_daily_cap", "overlaps", "paid_tpp", "pasal17_layers", "Period", "PERIOD_PATTERN",
    "period_rows", "plt_decrees", "Policy", "policy_for_period", "policy_versions", "PolicyError", "POOL_COLUMNS",
    "pools", "Pph21Regime", "projection_rule", "ProductivityRule", "PTKP_STATUSES", "referenced_logs",
    "REGISTER_COLUMNS", "REGISTER_TEXT", "resolved_values", "ROMAN_PNS", "ROMAN_PPPK", "run_id_of", "run_period",
    "RunTables", "SKP_PREDIKATS", "SOURCES", "Sp2dStatus", "TABLES", "tax_basis", "TER_SCHEMA", "ter_table",
    "ter_terms", "TransferStatus", "values", "Verdict", "YTD_COLUMNS",
]
