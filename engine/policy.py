"""The Perwali parameters of the TPP computation (SPEC §5): typed, frozen, effective-dated.

A policy document is a TOML array of ``[[version]]`` tables. :func:`policy_for_period` picks
the version in force on the first day of a period and builds a :class:`Policy` from it: a
missing key takes the spec default (never an older version's value), a table-valued key is
merged entry by entry over its default, a list-valued key replaces it. Every problem is a
:class:`PolicyError` naming the key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class PolicyError(ValueError):
    """A policy document that cannot be used; the message names the key."""


class ProductivityRule(StrEnum):
    PROPORTIONAL = "proportional"
    THRESHOLD = "threshold"
    TIERED = "tiered"


class PoolScope(StrEnum):
    OPD = "opd"
    CITY = "city"


class Allocation(StrEnum):
    SCALE = "scale"
    SHARE = "share"


class Pph21Regime(StrEnum):
    FINAL_GOLONGAN = "final_golongan"
    BORNE = "borne"


class TargetRule(StrEnum):
    """How the minute target of §4.3 is set (§4.11)."""

    PER_DAY = "per_day"
    MONTHLY = "monthly"


class PltRule(StrEnum):
    """What an acting official is paid (§4.5, §4.11)."""

    EXTRA = "extra"
    HIGHER_POST = "higher_post"


@dataclasses.dataclass(frozen=True)
class Tier:
    """Productivity tier: ``bp`` once minutes reach ``min_pct_of_target`` % of the target."""

    min_pct_of_target: int
    bp: int


@dataclasses.dataclass(frozen=True)
class Gate:
    """Presence gate (§4.11): ``e3`` is paid at ``bp`` from ``min_pct`` % presence on."""

    min_pct: int
    bp: int


@dataclasses.dataclass(frozen=True)
class Band:
    """TL/PSW band: ``bp`` deducted from ``min_minutes`` late (or early) on."""

    min_minutes: int
    bp: int


ROMAN_PNS = ("I", "II", "III", "IV")
ROMAN_PPPK = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
              "XIII", "XIV", "XV", "XVI", "XVII")
EMPLOYMENT_STATUSES = ("PNS", "CPNS", "PPPK")
ATTENDANCE_STATUSES = ("H", "DL", "CT", "CS", "CM", "CAP", "DIK", "I", "S", "TK", "CB", "CLTN", "TB")
"""e-Absensi statuses; CB cuti besar, CLTN cuti di luar tanggungan negara, TB tugas belajar last."""
AWAY_STATUSES = ("CT", "CS", "CM", "CAP", "I", "S", "TK", "CB", "CLTN", "TB")
"""Days away from work: leave, sickness, permission, absence, study (DL and DIK are work elsewhere)."""
SKP_PREDIKATS = ("sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang")
"""The ratings of an SKP (PermenPAN-RB 6/2022), best first."""


def _pph21_default() -> dict[str, dict[str, int]]:
    pns = {"I": 0, "II": 0, "III": 500, "IV": 1500}
    pppk = {g: (0 if i < 8 else 500 if i < 12 else 1500) for i, g in enumerate(ROMAN_PPPK)}
    return {"PNS": dict(pns), "CPNS": dict(pns), "PPPK": pppk}


DEFAULTS: dict[str, Any] = {
    "daily_cap_minutes": 420,
    "minutes_per_day": 300,
    "credit_statuses": ["DL", "CT", "DIK", "CAP"],
    "credit_minutes_per_day": 300,
    "productivity_rule": "proportional",
    "productivity_tiers": [
        {"min_pct_of_target": 50, "bp": 5000},
        {"min_pct_of_target": 70, "bp": 7000},
        {"min_pct_of_target": 80, "bp": 8000},
        {"min_pct_of_target": 90, "bp": 9000},
        {"min_pct_of_target": 100, "bp": 10000},
    ],
    "schedule": {"start": "07:30", "end": "16:00"},
    "tl_psw_bands": [
        {"min_minutes": 1, "bp": 50},
        {"min_minutes": 31, "bp": 100},
        {"min_minutes": 61, "bp": 125},
        {"min_minutes": 91, "bp": 150},
    ],
    "status_deduction_bp": {"TK": 300, "I": 0, "S": 0},
    "w_discipline_bp": 4000,
    "w_productivity_bp": 6000,
    "status_bp": {"PNS": 10000, "CPNS": 8000, "PPPK": 10000},
    "plt_bp": 2000,
    "pool_scope": "opd",
    "tpp_account_prefix": "5.1.01.02",
    "allocation": "scale",
    "bpjs_ceiling_rp": 12_000_000,
    "bpjs_employee_bp": 100,
    "bpjs_employer_bp": 400,
    "pph21": "final_golongan",
    "pph21_rate_bp": _pph21_default(),
    # §4.11 regional rules: each default leaves §4.1–4.10 unchanged
    "target_rule": "per_day",
    "target_minutes_month": 6750,
    "unpaid_statuses": [],
    "plt_min_days": 0,
    "plt_rule": "extra",
    "december_full": False,
    "w_skp_bp": 0,
    "skp_bp": {"sangat_baik": 10000, "baik": 10000, "butuh_perbaikan": 5000, "kurang": 5000, "sangat_kurang": 0},
    "skp_missing_bp": 0,
    "activity_gate_pct": 0,
    "presence_gates": [],
}
_TABLE_KEYS = ("schedule", "status_bp", "status_deduction_bp", "pph21_rate_bp", "skp_bp")
_BP_SCALARS = ("w_discipline_bp", "w_productivity_bp", "plt_bp", "bpjs_employee_bp",
               "bpjs_employer_bp", "w_skp_bp", "skp_missing_bp")
MAX_TARGET_MINUTES_MONTH = 31 * 1440
"""A month's minute target at most: every minute of 31 days."""
HHMM_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
"""A time of day HH:MM, 00:00–23:59."""
_HHMM = re.compile(HHMM_PATTERN)


@dataclasses.dataclass(frozen=True)
class Policy:
    """One version of the Perwali parameters, every key resolved (SPEC §4, §5)."""

    effective_from: dt.date
    id: str | None
    daily_cap_minutes: int
    minutes_per_day: int
    credit_statuses: tuple[str, ...]
    credit_minutes_per_day: int
    productivity_rule: ProductivityRule
    productivity_tiers: tuple[Tier, ...]
    schedule_start_min: int
    schedule_end_min: int
    tl_psw_bands: tuple[Band, ...]
    status_deduction_bp: Mapping[str, int]
    w_discipline_bp: int
    w_productivity_bp: int
    status_bp: Mapping[str, int]
    plt_bp: int
    pool_scope: PoolScope
    tpp_account_prefix: str
    allocation: Allocation
    bpjs_ceiling_rp: int
    bpjs_employee_bp: int
    bpjs_employer_bp: int
    pph21: Pph21Regime
    pph21_rate_bp: Mapping[str, Mapping[str, int]]
    target_rule: TargetRule
    target_minutes_month: int
    unpaid_statuses: tuple[str, ...]
    plt_min_days: int
    plt_rule: PltRule
    december_full: bool
    w_skp_bp: int
    skp_bp: Mapping[str, int]
    skp_missing_bp: int
    activity_gate_pct: int
    presence_gates: tuple[Gate, ...]
    """Sorted by ``min_pct``."""
    fingerprint: str
    version: Mapping[str, Any] = dataclasses.field(repr=False, compare=False)
    """The ``[[version]]`` table it was built from."""

    @property
    def label(self) -> str:
        """The version's id, else its effective date."""
        return self.id or f"effective {self.effective_from.isoformat()}"

    def with_changes(self, **changes: Any) -> Policy:
        """This version with some ``policy.toml`` keys given other values, checked as a version
        in the file is and with its own fingerprint (``daily_cap_minutes=-5`` is refused).

        >>> base = build_policy({"effective_from": dt.date(2025, 1, 1)})
        >>> changed = base.with_changes(daily_cap_minutes=480)
        >>> changed.daily_cap_minutes, changed.fingerprint != base.fingerprint
        (480, True)
        """
        return build_policy({**self.version, **changes})


def policy_for_period(document: Mapping[str, Any], first_day: dt.date) -> Policy:
    """The :class:`Policy` in force on ``first_day`` from a parsed ``policy.toml``.

    >>> doc = {"version": [{"effective_from": dt.date(2025, 1, 1), "plt_bp": 2500},
    ...                    {"effective_from": dt.date(2025, 6, 1), "id": "rev"}]}
    >>> policy_for_period(doc, dt.date(2025, 3, 1)).plt_bp
    2500
    >>> policy_for_period(doc, dt.date(2025, 7, 1)).plt_bp   # the default, not 2500
    2000
    """
    policies = policy_versions(document)
    in_force = [p for p in policies if p.effective_from <= first_day]
    if not in_force:
        raise PolicyError(f"policy.toml: no version has effective_from <= {first_day.isoformat()}")
    return max(in_force, key=lambda p: p.effective_from)


def policy_versions(document: Mapping[str, Any]) -> list[Policy]:
    """Every ``[[version]]`` of a parsed ``policy.toml`` as a :class:`Policy`, each checked whole
    (SPEC §3.1: a typo in a version not yet in force is reported today, not on the day it
    applies); two versions may not share an ``effective_from``."""
    versions = document.get("version")
    unknown_top = sorted(set(document) - {"version"})
    if unknown_top:
        raise PolicyError(f"policy.toml: unknown top-level key {unknown_top[0]!r}; "
                          "put every parameter inside a [[version]] table")
    if not isinstance(versions, list) or not versions:
        raise PolicyError("policy.toml: no [[version]] table; add one with effective_from = YYYY-MM-DD")
    for i, v in enumerate(versions, start=1):
        eff = v.get("effective_from") if isinstance(v, Mapping) else None
        if type(eff) is not dt.date:
            raise PolicyError(f"policy.toml: version {i}: effective_from must be a TOML date "
                              "such as 2025-03-01")
    dates = [v["effective_from"] for v in versions]
    repeated = sorted({d for d in dates if dates.count(d) > 1})
    if repeated:
        raise PolicyError(f"policy.toml: two versions share effective_from = {repeated[0].isoformat()}")
    return [build_policy(v) for v in versions]


def build_policy(version: Mapping[str, Any]) -> Policy:
    """A :class:`Policy` from one ``[[version]]`` table, over the spec defaults."""
    where = f"policy.toml version {version.get('id') or version.get('effective_from')}"
    values = resolved_values(version)
    _check_types(values, where)
    ident = version.get("id")
    if ident is not None and not isinstance(ident, str):
        raise PolicyError(f"{where}: id must be a string")

    tiers = tuple(sorted((Tier(**t) for t in values["productivity_tiers"]),
                         key=lambda t: t.min_pct_of_target))
    bands = tuple(sorted((Band(**b) for b in values["tl_psw_bands"]), key=lambda b: b.min_minutes))
    gates = tuple(sorted((Gate(**g) for g in values["presence_gates"]), key=lambda g: g.min_pct))
    _check_ranges(values, tiers, bands, where)
    _check_regional(values, gates, where)
    start, end = (_minutes_of_day(values["schedule"][k], f"schedule.{k}", where)
                  for k in ("start", "end"))
    canonical = json.dumps({**values, "effective_from": version["effective_from"].isoformat(),
                            "id": ident}, sort_keys=True)
    return Policy(
        effective_from=version["effective_from"],
        id=ident,
        daily_cap_minutes=values["daily_cap_minutes"],
        minutes_per_day=values["minutes_per_day"],
        credit_statuses=tuple(values["credit_statuses"]),
        credit_minutes_per_day=values["credit_minutes_per_day"],
        productivity_rule=ProductivityRule(values["productivity_rule"]),
        productivity_tiers=tiers,
        schedule_start_min=start,
        schedule_end_min=end,
        tl_psw_bands=bands,
        status_deduction_bp=MappingProxyType(dict(values["status_deduction_bp"])),
        w_discipline_bp=values["w_discipline_bp"],
        w_productivity_bp=values["w_productivity_bp"],
        status_bp=MappingProxyType(dict(values["status_bp"])),
        plt_bp=values["plt_bp"],
        pool_scope=PoolScope(values["pool_scope"]),
        tpp_account_prefix=values["tpp_account_prefix"],
        allocation=Allocation(values["allocation"]),
        bpjs_ceiling_rp=values["bpjs_ceiling_rp"],
        bpjs_employee_bp=values["bpjs_employee_bp"],
        bpjs_employer_bp=values["bpjs_employer_bp"],
        pph21=Pph21Regime(values["pph21"]),
        pph21_rate_bp=MappingProxyType({s: MappingProxyType(dict(r))
                                        for s, r in values["pph21_rate_bp"].items()}),
        target_rule=TargetRule(values["target_rule"]),
        target_minutes_month=values["target_minutes_month"],
        unpaid_statuses=tuple(values["unpaid_statuses"]),
        plt_min_days=values["plt_min_days"],
        plt_rule=PltRule(values["plt_rule"]),
        december_full=values["december_full"],
        w_skp_bp=values["w_skp_bp"],
        skp_bp=MappingProxyType(dict(values["skp_bp"])),
        skp_missing_bp=values["skp_missing_bp"],
        activity_gate_pct=values["activity_gate_pct"],
        presence_gates=gates,
        fingerprint=hashlib.sha256(canonical.encode()).hexdigest()[:16],
        version=MappingProxyType(dict(version)),
    )


def resolved_values(version: Mapping[str, Any]) -> dict[str, Any]:
    """Every key of a ``[[version]]`` table over the spec defaults (SPEC §5): a missing key takes
    its default, a table-valued key is merged entry by entry, a list-valued key replaces it. The
    values are not checked (:func:`build_policy` does); an unknown key is a :class:`PolicyError`.

    >>> resolved_values({"effective_from": dt.date(2025, 1, 1), "skp_bp": {"kurang": 2500}})["skp_bp"]["kurang"]
    2500
    """
    where = f"policy.toml version {version.get('id') or version.get('effective_from')}"
    unknown = sorted(set(version) - set(DEFAULTS) - {"effective_from", "id"})
    if unknown:
        raise PolicyError(f"{where}: unknown key {unknown[0]!r}")
    values: dict[str, Any] = {}
    for key, default in DEFAULTS.items():
        given = version.get(key)
        if key in _TABLE_KEYS and given is not None:
            values[key] = _merged(key, default, given, where)
        else:
            values[key] = default if given is None else given
    return values


def _merged(key: str, default: Mapping[str, Any], given: Any, where: str) -> dict[str, Any]:
    if not isinstance(given, Mapping):
        raise PolicyError(f"{where}: {key} must be a table, e.g. {key} = {{ ... }}")
    allowed = {
        "schedule": ("start", "end"),
        "status_bp": EMPLOYMENT_STATUSES,
        "status_deduction_bp": ATTENDANCE_STATUSES,
        "pph21_rate_bp": EMPLOYMENT_STATUSES,
        "skp_bp": SKP_PREDIKATS,
    }[key]
    out = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in default.items()}
    for k, v in given.items():
        if k not in allowed:
            raise PolicyError(f"{where}: unknown entry {key}.{k}; allowed: {', '.join(allowed)}")
        if key == "pph21_rate_bp":
            grades = ROMAN_PPPK if k == "PPPK" else ROMAN_PNS
            if not isinstance(v, Mapping):
                raise PolicyError(f"{where}: pph21_rate_bp.{k} must be a table of golongan")
            for g in v:
                if g not in grades:
                    raise PolicyError(f"{where}: unknown golongan pph21_rate_bp.{k}.{g}")
            out[k] = {**out[k], **v}
        else:
            out[k] = v
    return out


def _check_types(values: Mapping[str, Any], where: str) -> None:
    def is_int(x: Any) -> bool:
        return type(x) is int

    for key, default in DEFAULTS.items():
        v = values[key]
        if isinstance(default, bool):
            if type(v) is not bool:
                raise PolicyError(f"{where}: {key} must be true or false, got {v!r}")
        elif isinstance(default, int) and not is_int(v):
            raise PolicyError(f"{where}: {key} must be an integer, got {v!r}")
        if isinstance(default, str) and not isinstance(v, str):
            raise PolicyError(f"{where}: {key} must be a string, got {v!r}")
    for key in ("status_bp", "status_deduction_bp", "skp_bp"):
        for k, v in values[key].items():
            if not is_int(v):
                raise PolicyError(f"{where}: {key}.{k} must be an integer, got {v!r}")
    for s, rates in values["pph21_rate_bp"].items():
        for g, v in rates.items():
            if not is_int(v):
                raise PolicyError(f"{where}: pph21_rate_bp.{s}.{g} must be an integer, got {v!r}")
    if not isinstance(values["credit_statuses"], list) or not all(
            s in ATTENDANCE_STATUSES for s in values["credit_statuses"]):
        raise PolicyError(f"{where}: credit_statuses must be a list of attendance statuses "
                          f"({', '.join(ATTENDANCE_STATUSES)})")
    if not isinstance(values["unpaid_statuses"], list) or not all(
            s in ATTENDANCE_STATUSES and s != "H" for s in values["unpaid_statuses"]):
        raise PolicyError(f"{where}: unpaid_statuses must be a list of attendance statuses other than H "
                          f"({', '.join(s for s in ATTENDANCE_STATUSES if s != 'H')})")
    for key, fields in (("productivity_tiers", ("min_pct_of_target", "bp")),
                        ("tl_psw_bands", ("min_minutes", "bp")),
                        ("presence_gates", ("min_pct", "bp"))):
        items = values[key]
        if not isinstance(items, list) or not all(
                isinstance(t, Mapping) and set(t) == set(fields) and all(is_int(t[f]) for f in fields)
                for t in items):
            raise PolicyError(f"{where}: {key} must be a list of {{ {fields[0]} = int, bp = int }}")
    for key, enum in (("productivity_rule", ProductivityRule), ("pool_scope", PoolScope),
                      ("allocation", Allocation), ("pph21", Pph21Regime), ("target_rule", TargetRule),
                      ("plt_rule", PltRule)):
        if values[key] not in {e.value for e in enum}:
            raise PolicyError(f"{where}: {key} = {values[key]!r} is not one of "
                              f"{', '.join(e.value for e in enum)}")


def _check_ranges(values: Mapping[str, Any], tiers: tuple[Tier, ...], bands: tuple[Band, ...],
                  where: str) -> None:
    def bp(name: str, v: int) -> None:
        if not 0 <= v <= 10000:
            raise PolicyError(f"{where}: {name} = {v} is outside 0–10000 bp")

    for key in _BP_SCALARS:
        bp(key, values[key])
    for key in ("status_bp", "status_deduction_bp", "skp_bp"):
        for k, v in values[key].items():
            bp(f"{key}.{k}", v)
    for s, rates in values["pph21_rate_bp"].items():
        for g, v in rates.items():
            bp(f"pph21_rate_bp.{s}.{g}", v)
    for key in ("daily_cap_minutes", "minutes_per_day"):
        if not 1 <= values[key] <= 1440:
            raise PolicyError(f"{where}: {key} = {values[key]} must be 1–1440 minutes")
    if not 0 <= values["credit_minutes_per_day"] <= 1440:
        raise PolicyError(f"{where}: credit_minutes_per_day must be 0–1440 minutes")
    if values["bpjs_ceiling_rp"] < 0:
        raise PolicyError(f"{where}: bpjs_ceiling_rp must not be negative")
    weights = values["w_discipline_bp"] + values["w_productivity_bp"] + values["w_skp_bp"]
    if weights != 10000:
        raise PolicyError(f"{where}: w_discipline_bp + w_productivity_bp + w_skp_bp = {weights}, must be 10000")
    steps = (("productivity_tiers", "min_pct_of_target", 0, [(t.min_pct_of_target, t.bp) for t in tiers]),
             ("tl_psw_bands", "min_minutes", 1, [(b.min_minutes, b.bp) for b in bands]))
    for key, threshold, lowest, items in steps:
        for at, step_bp in items:
            bp(f"{key}.bp", step_bp)
            if at < lowest:
                raise PolicyError(f"{where}: {key}.{threshold} must be at least {lowest}")
        if len({at for at, _ in items}) < len(items):
            raise PolicyError(f"{where}: {key} repeat a {threshold}")
    if any(a.bp > b.bp for a, b in zip(tiers, tiers[1:])):
        raise PolicyError(f"{where}: productivity_tiers: bp falls as min_pct_of_target rises")
    if not bands:
        raise PolicyError(f"{where}: tl_psw_bands must have at least one band")
    if not values["tpp_account_prefix"]:
        raise PolicyError(f"{where}: tpp_account_prefix must not be empty")


def _check_regional(values: Mapping[str, Any], gates: tuple[Gate, ...], where: str) -> None:
    """The ranges of the §4.11 options (their types are checked with the rest)."""
    if not 60 <= values["target_minutes_month"] <= MAX_TARGET_MINUTES_MONTH:
        raise PolicyError(f"{where}: target_minutes_month = {values['target_minutes_month']} must be "
                          f"60–{MAX_TARGET_MINUTES_MONTH:,} minutes")
    if not 0 <= values["plt_min_days"] <= 31:
        raise PolicyError(f"{where}: plt_min_days = {values['plt_min_days']} must be 0–31 days")
    if not 0 <= values["activity_gate_pct"] <= 100:
        raise PolicyError(f"{where}: activity_gate_pct = {values['activity_gate_pct']} must be 0–100 %")
    for gate in gates:
        if not 0 <= gate.min_pct <= 100:
            raise PolicyError(f"{where}: presence_gates.min_pct = {gate.min_pct} must be 0–100 %")
        if not 0 <= gate.bp <= 10000:
            raise PolicyError(f"{where}: presence_gates.bp = {gate.bp} is outside 0–10000 bp")
    if len({g.min_pct for g in gates}) < len(gates):
        raise PolicyError(f"{where}: presence_gates repeat a min_pct")
    if any(a.bp > b.bp for a, b in zip(gates, gates[1:])):
        raise PolicyError(f"{where}: presence_gates: bp falls as min_pct rises")


def _minutes_of_day(text: Any, key: str, where: str) -> int:
    if not isinstance(text, str) or not _HHMM.match(text):
        raise PolicyError(f"{where}: {key} must be a string \"HH:MM\", got {text!r}")
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)
