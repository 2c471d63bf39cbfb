"""Policy presets and policy files in words: the regions' ``policy.toml`` shipped in the repository's
``policies/`` folder, which version is in force in which month, and a version with every default
filled in (``eperf policy check``, ``eperf policy show``, ``eperf generate --policy``).

The presets are data beside the code: ``policies/<region>/policy.toml`` at the top of the
repository, found from this package's own place (a clone installed with ``pip install -e``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from engine import Period, Policy, PolicyError, policy_for_period, policy_versions, resolved_values
from pipelines.month.run import check_policy, read_policy
from pipelines.month.run import policy_text as decoded
from pipelines.sources.exports import POLICY_FILE
from pipelines.sources.readers import InputError

PRESETS = Path(__file__).resolve().parents[1] / "policies"
"""The repository's ``policies/`` folder: one ``<region>/policy.toml`` each."""


def preset_names() -> list[str]:
    """The regions with a preset, sorted."""
    return sorted(p.parent.name for p in PRESETS.glob(f"*/{POLICY_FILE}"))


def preset_file(preset: str) -> Path:
    """The ``policy.toml`` of a preset named ``preset`` (``banjarmasin``), or ``preset`` itself
    when it is a path to a policy file or to a folder holding one."""
    given = Path(preset)
    for candidate in (given, given / POLICY_FILE, PRESETS / preset / POLICY_FILE):
        if candidate.is_file():
            return candidate
    names = ", ".join(preset_names()) or f"none found in {PRESETS}"
    raise InputError(f"{preset}: no such policy preset or policy file (presets: {names})")


def read_document(path: Path) -> dict[str, Any]:
    """A ``policy.toml`` parsed, every version checked, within the bounds ``eperf run`` reads a
    policy with (:func:`pipelines.month.run.read_policy`); :class:`InputError` names the file."""
    try:
        text = decoded(read_policy(path))
        check_policy(text)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    document: dict[str, Any] = tomllib.loads(text)
    return document


@dataclasses.dataclass(frozen=True)
class InForce:
    """A run of consecutive months under one version (``label`` None: no version yet)."""

    first: Period
    last: Period
    label: str | None


def versions_in_force(document: Mapping[str, Any], months: Iterable[Period]) -> list[InForce]:
    """The version in force in each of ``months``, consecutive months with the same version
    joined into one span."""
    spans: list[InForce] = []
    for month in months:
        try:
            label: str | None = policy_for_period(document, month.first_day).label
        except PolicyError:
            label = None
        if spans and spans[-1].label == label:
            spans[-1] = dataclasses.replace(spans[-1], last=month)
        else:
            spans.append(InForce(month, month, label))
    return spans


def years_months(first_year: int, years: int) -> list[Period]:
    """Every month of ``years`` calendar years from ``first_year``."""
    return [Period(y, m) for y in range(first_year, first_year + years) for m in range(1, 13)]


def check_lines(path: Path, year: int) -> list[str]:
    """``eperf policy check``: the file's versions and, for ``year`` and the next, which one is
    in force month by month."""
    document = read_document(path)
    versions = sorted(policy_versions(document), key=lambda p: p.effective_from)
    lines = [f"{path}: {len(versions)} version{'s' if len(versions) > 1 else ''}, every one valid"]
    lines += [f"  effective_from {p.effective_from.isoformat()}  {p.id or '(no id)'}" for p in versions]
    lines.append(f"In force, {year}–{year + 1}:")
    for span in versions_in_force(document, years_months(year, 2)):
        months = str(span.first) if span.first == span.last else f"{span.first} … {span.last}"
        lines.append(f"  {months:<19} {span.label or 'no version in force: a run of these months stops'}")
    return lines


def policy_text(policy: Policy) -> str:
    """``eperf policy show``: the version, every key with its value in force (defaults filled in),
    as TOML one could paste into a ``policy.toml``."""
    lines = ["[[version]]"]
    if policy.id is not None:
        lines.append(f"id = {_toml(policy.id)}")
    lines.append(f"effective_from = {policy.effective_from.isoformat()}")
    lines += [f"{key} = {_toml(value)}" for key, value in resolved_values(policy.version).items()]
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    """A value as TOML (strings, integers, booleans, dates, lists and inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }" if value else "{}"
    return "[" + ", ".join(_toml(v) for v in value) + "]"


def preset_policy(preset: str, period: Period) -> Policy:
    """The version of a preset (or policy file) in force for ``period``."""
    path = preset_file(preset)
    try:
        return policy_for_period(read_document(path), period.first_day)
    except PolicyError as exc:
        raise InputError(f"{path}: {exc}") from None
