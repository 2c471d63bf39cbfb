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

from engine.money import BP
from engine.period import PERIOD_PATTERN, Period


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
    TER = "ter"
    TER_BORNE = "ter_borne"

    @property
    def ter(self) -> bool:
        """PPh 21 by the monthly effective rate and the year's true-up (PP 58/2023)."""
        return self in (Pph21Regime.TER, Pph21Regime.TER_BORNE)

    @property
    def withheld(self) -> bool:
        """Deducted from the pay (not borne by the government)."""
        return self in (Pph21Regime.FINAL_GOLONGAN, Pph21Regime.TER)


class ExtraKind(StrEnum):
    """An extra payment's kind (SPEC §4.10): the TPP part of THR or of gaji-13."""

    THR = "thr"
    GAJI13 = "gaji13"


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


@dataclasses.dataclass(frozen=True)
class ExtraPayment:
    """An extra payment (SPEC §4.10): in ``period`` each employee gets ``bp`` of the month's pay."""

    period: str
    kind: ExtraKind
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
    "extra_payments": [],
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
MAX_TARGET_MINUTES_MONTH = 31 * 1440
"""A month's minute target at most: every minute of 31 days."""
MAX_POLICY_RP = 10**12
"""A Rupiah amount of the policy: at most Rp 1 trillion (a city's whole belanja pegawai is less)."""
RANGES: dict[str, tuple[int, int]] = {
    # key                                    lowest  highest         what
    "daily_cap_minutes":                     (1,     1440),          # minutes of one day
    "minutes_per_day":                       (1,     1440),
    "credit_minutes_per_day":                (0,     1440),
    "bpjs_ceiling_rp":                       (0,     MAX_POLICY_RP),  # Rupiah
    "w_discipline_bp":                       (0,     BP),            # basis points, 10000 = 100 %
    "w_productivity_bp":                     (0,     BP),
    "plt_bp":                                (0,     BP),
    "bpjs_employee_bp":                      (0,     BP),
    "bpjs_employer_bp":                      (0,     BP),
    "status_bp.<status>":                    (0,     BP),
    "status_deduction_bp.<status>":          (0,     BP),
    "pph21_rate_bp.<status>.<golongan>":     (0,     BP),
    "productivity_tiers.min_pct_of_target":  (0,     1000),          # % of the target minutes
    "productivity_tiers.bp":                 (0,     BP),
    "tl_psw_bands.min_minutes":              (1,     1440),          # minutes late or early
    "tl_psw_bands.bp":                       (0,     BP),
    "extra_payments.bp":                     (0,     BP),
    "w_skp_bp":                              (0,     BP),            # §4.11 regional rules
    "skp_missing_bp":                        (0,     BP),
    "skp_bp.<predikat>":                     (0,     BP),
    "target_minutes_month":                  (60,    MAX_TARGET_MINUTES_MONTH),
    "plt_min_days":                          (0,     31),            # days of the month
    "activity_gate_pct":                     (0,     100),           # % of the target minutes
    "presence_gates.min_pct":                (0,     100),           # % of the active days
    "presence_gates.bp":                     (0,     BP),
}
"""Every integer of a policy version and its inclusive range (docs/decisions.md, "Policy
bounds"): a value outside it names the key, so no later formula meets a number it cannot hold."""
LENGTHS: dict[str, tuple[int, int]] = {
    "productivity_tiers": (0, 100), "tl_psw_bands": (1, 100), "credit_statuses": (0, len(ATTENDANCE_STATUSES)),
    "extra_payments": (0, 24), "unpaid_statuses": (0, len(ATTENDANCE_STATUSES)), "presence_gates": (0, 101),
    "tpp_account_prefix": (1, 64), "id": (1, 64), "version": (1, 1000),
}
"""How many entries each list (or characters each text) may hold: a policy is a page of
parameters, and its size bounds the time and memory every run spends on it."""
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
    extra_payments: tuple[ExtraPayment, ...]
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

    def extra_payment(self, period: Period) -> ExtraPayment | None:
        """The extra payment made in ``period``, if any."""
        return next((e for e in self.extra_payments if e.period == str(period)), None)

    def extra_payments_ahead(self, period: Period) -> int:
        """``k`` of SPEC §4.6: the extra payments of year(m) at or after ``period``.

        >>> pol = build_policy({"effective_from": dt.date(2025, 1, 1), "extra_payments": [
        ...     {"period": "2025-03", "kind": "thr", "bp": 10000},
        ...     {"period": "2025-06", "kind": "gaji13", "bp": 10000}]})
        >>> [pol.extra_payments_ahead(Period(2025, m)) for m in (1, 3, 4, 6, 7)]
        [2, 2, 1, 1, 0]
        """
        return sum(1 for e in self.extra_payments
                   if e.period.startswith(f"{period.year:04d}-") and e.period >= str(period))

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
        raise PolicyError(f"policy.toml: unknown top-level key {shown(unknown_top[0])}; "
                          "put every parameter inside a [[version]] table")
    if not isinstance(versions, list) or not versions:
        raise PolicyError("policy.toml: no [[version]] table; add one with effective_from = YYYY-MM-DD")
    _check_length("policy.toml", "version", versions)
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
    ident = version.get("id")
    where = f"policy.toml version {cut(ident) if isinstance(ident, str) and ident else version['effective_from']}"
    values = resolved_values(version, where)
    _check_types(values, where)
    if ident is not None and not isinstance(ident, str):
        raise PolicyError(f"{where}: id must be a string")
    _check_length(where, "id", ident)

    tiers = tuple(sorted((Tier(**t) for t in values["productivity_tiers"]),
                         key=lambda t: t.min_pct_of_target))
    bands = tuple(sorted((Band(**b) for b in values["tl_psw_bands"]), key=lambda b: b.min_minutes))
    gates = tuple(sorted((Gate(**g) for g in values["presence_gates"]), key=lambda g: g.min_pct))
    _check_ranges(values, tiers, bands, where)
    _check_regional(gates, where)
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
        extra_payments=tuple(ExtraPayment(e["period"], ExtraKind(e["kind"]), e["bp"])
                             for e in sorted(values["extra_payments"], key=lambda e: e["period"])),
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


def resolved_values(version: Mapping[str, Any], where: str | None = None) -> dict[str, Any]:
    """Every key of a ``[[version]]`` table over the spec defaults (SPEC §5): a missing key takes
    its default, a table-valued key is merged entry by entry, a list-valued key replaces it. The
    values are not checked (:func:`build_policy` does); an unknown key is a :class:`PolicyError`
    (said as from ``where``).

    >>> resolved_values({"effective_from": dt.date(2025, 1, 1), "skp_bp": {"kurang": 2500}})["skp_bp"]["kurang"]
    2500
    """
    where = where or f"policy.toml version {version.get('id') or version.get('effective_from')}"
    unknown = sorted(set(version) - set(DEFAULTS) - {"effective_from", "id"})
    if unknown:
        raise PolicyError(f"{where}: unknown key {shown(unknown[0])}")
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
            raise PolicyError(f"{where}: unknown entry {key}.{cut(k)}; allowed: {', '.join(allowed)}")
        if key == "pph21_rate_bp":
            grades = ROMAN_PPPK if k == "PPPK" else ROMAN_PNS
            if not isinstance(v, Mapping):
                raise PolicyError(f"{where}: pph21_rate_bp.{k} must be a table of golongan")
            for g in v:
                if g not in grades:
                    raise PolicyError(f"{where}: unknown golongan pph21_rate_bp.{k}.{cut(g)}")
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
                raise PolicyError(f"{where}: {key} must be true or false, got {shown(v)}")
        elif isinstance(default, int) and not is_int(v):
            raise PolicyError(f"{where}: {key} must be an integer, got {shown(v)}")
        if isinstance(default, str) and not isinstance(v, str):
            raise PolicyError(f"{where}: {key} must be a string, got {shown(v)}")
    for key in ("status_bp", "status_deduction_bp", "skp_bp"):
        for k, v in values[key].items():
            if not is_int(v):
                raise PolicyError(f"{where}: {key}.{k} must be an integer, got {shown(v)}")
    for s, rates in values["pph21_rate_bp"].items():
        for g, v in rates.items():
            if not is_int(v):
                raise PolicyError(f"{where}: pph21_rate_bp.{s}.{g} must be an integer, got {shown(v)}")
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
    extras = values["extra_payments"]
    if not isinstance(extras, list) or not all(
            isinstance(e, Mapping) and set(e) == {"period", "kind", "bp"} and isinstance(e["period"], str)
            and isinstance(e["kind"], str) and is_int(e["bp"]) for e in extras):
        raise PolicyError(f"{where}: extra_payments must be a list of "
                          "{ period = \"YYYY-MM\", kind = \"thr\" | \"gaji13\", bp = int }")
    for e in extras:
        if not re.match(PERIOD_PATTERN, e["period"]):
            raise PolicyError(f"{where}: extra_payments.period = {e['period']!r} is not YYYY-MM")
        if e["kind"] not in {k.value for k in ExtraKind}:
            raise PolicyError(f"{where}: extra_payments.kind = {e['kind']!r} is not one of "
                              f"{', '.join(k.value for k in ExtraKind)}")
    for key, enum in (("productivity_rule", ProductivityRule), ("pool_scope", PoolScope),
                      ("allocation", Allocation), ("pph21", Pph21Regime), ("target_rule", TargetRule),
                      ("plt_rule", PltRule)):
        if values[key] not in {e.value for e in enum}:
            raise PolicyError(f"{where}: {key} = {shown(values[key])} is not one of "
                              f"{', '.join(e.value for e in enum)}")


def _check_ranges(values: Mapping[str, Any], tiers: tuple[Tier, ...], bands: tuple[Band, ...],
                  where: str) -> None:
    """Every integer within its :data:`RANGES`, every list within its :data:`LENGTHS`, and the
    rules across keys."""
    def within(rule: str, name: str, v: int) -> None:
        low, high = RANGES[rule]
        if not low <= v <= high:
            raise PolicyError(f"{where}: {name} = {shown(v)} is outside {low}–{high}")

    for key in ("productivity_tiers", "tl_psw_bands", "credit_statuses", "tpp_account_prefix", "extra_payments",
                "unpaid_statuses", "presence_gates"):
        _check_length(where, key, values[key])
    for key in RANGES:
        if "." not in key:
            within(key, key, values[key])
    for key in ("status_bp", "status_deduction_bp"):
        for k, v in values[key].items():
            within(f"{key}.<status>", f"{key}.{k}", v)
    for status, rates in values["pph21_rate_bp"].items():
        for g, v in rates.items():
            within("pph21_rate_bp.<status>.<golongan>", f"pph21_rate_bp.{status}.{g}", v)
    for tier in tiers:
        within("productivity_tiers.min_pct_of_target", "productivity_tiers.min_pct_of_target", tier.min_pct_of_target)
        within("productivity_tiers.bp", "productivity_tiers.bp", tier.bp)
    for band in bands:
        within("tl_psw_bands.min_minutes", "tl_psw_bands.min_minutes", band.min_minutes)
        within("tl_psw_bands.bp", "tl_psw_bands.bp", band.bp)
    for k, v in values["skp_bp"].items():
        within("skp_bp.<predikat>", f"skp_bp.{k}", v)
    weights = values["w_discipline_bp"] + values["w_productivity_bp"] + values["w_skp_bp"]
    if weights != BP:
        raise PolicyError(f"{where}: w_discipline_bp + w_productivity_bp + w_skp_bp = {weights}, must be {BP}")
    for key, threshold, items in (("productivity_tiers", "min_pct_of_target", [t.min_pct_of_target for t in tiers]),
                                  ("tl_psw_bands", "min_minutes", [b.min_minutes for b in bands])):
        if len(set(items)) < len(items):
            raise PolicyError(f"{where}: {key} repeat a {threshold}")
    if any(a.bp > b.bp for a, b in zip(tiers, tiers[1:])):
        raise PolicyError(f"{where}: productivity_tiers: bp falls as min_pct_of_target rises")
    periods = [e["period"] for e in values["extra_payments"]]
    for e in values["extra_payments"]:
        within("extra_payments.bp", "extra_payments.bp", e["bp"])
    repeated = sorted({p for p in periods if periods.count(p) > 1})
    if repeated:
        raise PolicyError(f"{where}: extra_payments: two extra payments in {repeated[0]}; "
                          "one period has at most one")


def _check_length(where: str, key: str, value: Any) -> None:
    """A list (or text) of ``key`` within its :data:`LENGTHS`."""
    low, high = LENGTHS[key]
    if value is not None and not low <= len(value) <= high:
        what = "characters" if isinstance(value, str) else "entries"
        raise PolicyError(f"{where}: {key} has {len(value)} {what}; it must have {low}–{high}")


def shown(value: Any, width: int = 40) -> str:
    """``value`` as a policy message quotes it: its ``repr``, cut to ``width`` characters.

    >>> shown(10**30)
    '1000000000000000000000000000000'
    >>> shown("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"
    """
    return cut(repr(value) if len(str(value)) <= 10 * width else repr(str(value)[: 2 * width]), width)


def cut(text: str, width: int = 40) -> str:
    """``text`` cut to ``width`` characters (a key name as a message shows it)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _check_regional(gates: tuple[Gate, ...], where: str) -> None:
    """The presence gates (§4.11): each within its range, each ``min_pct`` once, and a ``bp``
    that does not fall as ``min_pct`` rises (the other options are in :data:`RANGES`)."""
    for gate in gates:
        for field, v in (("min_pct", gate.min_pct), ("bp", gate.bp)):
            low, high = RANGES[f"presence_gates.{field}"]
            if not low <= v <= high:
                raise PolicyError(f"{where}: presence_gates.{field} = {shown(v)} is outside {low}–{high}")
    if len({g.min_pct for g in gates}) < len(gates):
        raise PolicyError(f"{where}: presence_gates repeat a min_pct")
    if any(a.bp > b.bp for a, b in zip(gates, gates[1:])):
        raise PolicyError(f"{where}: presence_gates: bp falls as min_pct rises")


def _minutes_of_day(text: Any, key: str, where: str) -> int:
    if not isinstance(text, str) or not _HHMM.match(text):
        raise PolicyError(f"{where}: {key} must be a string \"HH:MM\", got {shown(text)}")
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)
