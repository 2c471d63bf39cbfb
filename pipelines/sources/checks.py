"""A model's checks as flag expressions: the contract of a file, ready to run over a scan.

Each pandera column check and row rule becomes one :class:`Check`: a narwhals expression that
is true where a row passes, the column a failure is reported against, and the reason. Narwhals
keeps them backend-free: the same checks run on a Polars scan today and on another lazy
backend (DuckDB, Spark) tomorrow.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import narwhals.stable.v2 as nw

from engine import BP
from pipelines.sources.columns import GOLONGAN_FOR_STATUS, OUT_AFTER_IN, RowRule, ends_after_start
from pipelines.sources.contract import Contract

ROW_RULES = {rule.reason: rule for rule in (ends_after_start(), GOLONGAN_FOR_STATUS, OUT_AFTER_IN)}
"""Every :class:`RowRule` a model uses, by the name its pandera check carries."""


@dataclasses.dataclass(frozen=True)
class Check:
    """One check of a contract: ``ok`` is true where a row passes."""

    column: str
    reason: str
    ok: nw.Expr
    quote: bool = False
    """The reason shows the failing value (never in a file that holds personal data)."""
    reads: tuple[str, ...] = ()
    """Every column ``ok`` reads (``column`` when empty)."""


def _column_check(name: str, kind: str, statistics: dict[str, Any]) -> Check:
    """A pandera built-in column check (or the models' ``bp_range``) as a :class:`Check`."""
    value = nw.col(name)
    if kind == "isin":
        return Check(name, "value outside its allowed set", value.is_in(statistics["allowed_values"]), True)
    if kind == "str_matches":
        return Check(name, "wrong format", value.str.contains(statistics["pattern"]), True)
    if kind == "greater_than_or_equal_to":
        low = statistics["min_value"]
        return Check(name, "negative value" if low == 0 else f"value below {low}", value >= low, True)
    if kind == "less_than_or_equal_to":
        high = statistics["max_value"]
        amount = name.endswith("_rp") or name == "quantity"
        return Check(name, "amount out of range" if amount else f"value above {high}", value <= high, True)
    if kind == "in_range":
        low, high = statistics["min_value"], statistics["max_value"]
        return Check(name, f"value outside its allowed range {low}–{high}", value.is_between(low, high), True)
    if kind == "bp_range":
        return Check(name, f"bp outside 0–{BP}", value.is_between(0, BP), True)
    msg = f"contract check {kind!r} on {name} has no flag expression; add it to checks.py"
    raise TypeError(msg)


def _row_check(rule: RowRule) -> Check:
    return Check(rule.column, rule.reason, rule.ok, reads=rule.reads)


def quotable(contract: Contract, column: str) -> bool:
    """Whether a reason may quote a value of ``column``: never in a file that holds personal
    data (a shifted row can carry a name into any column), never a NIP's (a name or an account
    typed where the NIP goes is personal data)."""
    return not contract.personal and column != "nip" and not column.endswith("_nip")


@functools.cache
def contract_checks(contract: Contract) -> tuple[Check, ...]:
    """Every check of ``contract``'s model, column by column, then the row rules.

    A missing value fails only "missing required value"; every other check passes it. Values
    are quoted in reasons where :func:`quotable`."""
    schema = contract.model.to_schema()
    checks: list[Check] = []
    for name, column in schema.columns.items():
        if not column.nullable:
            checks.append(Check(name, "missing required value", ~nw.col(name).is_null()))
        for check in column.checks:
            compiled = _column_check(name, check.name, check.statistics or {})
            checks.append(dataclasses.replace(compiled, ok=nw.col(name).is_null() | compiled.ok))
    checks.extend(_row_check(ROW_RULES[check.name]) for check in schema.checks)
    return tuple(dataclasses.replace(c, quote=c.quote and quotable(contract, c.column)) for c in checks)
