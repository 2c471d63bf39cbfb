"""``eperf run``: read a data directory, compute one period, write the run folder atomically."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import shutil
import tempfile
import time
import tomllib
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import narwhals.stable.v2 as nw
import polars as pl

from engine import Period, Policy, PolicyError, RunResult, policy_for_period, run_period
from engine.budget import budget_check
from engine.policy import policy_versions
from pipelines.backends import Backend, engine_inputs
from pipelines.readers import DataDir, InputError, quiet, read_data_dir

POLICY_FILE = "policy.toml"


@dataclasses.dataclass(frozen=True)
class Month:
    """One computed period: the run id, the policy used, the inputs as read, the results."""

    run_id: str
    policy: Policy
    data: DataDir
    result: RunResult
    budget: pl.DataFrame


@dataclasses.dataclass(frozen=True)
class MonthlyRun(Month):
    """A computed period written to ``out`` with its manifest."""

    out: Path
    manifest: dict[str, object]


def load_policy(data: Path, period: Period) -> Policy:
    """The policy version in force for ``period`` from ``data/policy.toml``."""
    if not data.is_dir():
        raise InputError(f"{data}: data directory not found")
    path = data / POLICY_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"{POLICY_FILE}: required file is missing from {data}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{POLICY_FILE}: unreadable ({exc})") from exc
    return parse_policy(text, period)


def parse_policy(text: str, period: Period) -> Policy:
    """The policy version in force for ``period`` from the text of a ``policy.toml``; every
    version is checked (SPEC §3.1)."""
    try:
        return policy_for_period(_policy_document(text), period.first_day)
    except PolicyError as exc:
        raise InputError(str(exc)) from exc


def check_policy(text: str) -> None:
    """Raise :class:`InputError` unless every version of a ``policy.toml`` is valid."""
    try:
        policy_versions(_policy_document(text))
    except PolicyError as exc:
        raise InputError(str(exc)) from exc


def _policy_document(text: str) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{POLICY_FILE}: unreadable ({exc})") from exc


def compute_month(data: Path, period: Period, backend: Backend = Backend.POLARS,
                  on_step: Callable[[str], None] = quiet) -> Month:
    """Read, validate and compute; nothing is written. Raises :class:`InputError` when fatal."""
    policy = load_policy(data, period)
    loaded = read_data_dir(data, period, on_step)
    on_step("computing pay")
    return compute(loaded, policy, period, _run_id(period, policy, loaded), backend)


def compute(loaded: DataDir, policy: Policy, period: Period, run_id: str,
            backend: Backend = Backend.POLARS) -> Month:
    """The pay of ``period`` from tables that passed their contracts."""
    inputs = engine_inputs(loaded.tables, backend, loaded.engine_frames)
    result = run_period(inputs, policy, period, run_id)
    budget = budget_check(result.pool_summary, inputs.apbd_lines, inputs.sp2d, policy, period)
    return Month(run_id, policy, loaded, result, nw.to_native(budget))


def run_month(data: Path, period: Period, out: Path, backend: Backend = Backend.POLARS,
              on_step: Callable[[str], None] = quiet) -> MonthlyRun:
    """Compute ``period`` from ``data`` and write the SPEC §6 tables into ``out``.

    ``on_step`` hears each stage ("reading hr/employees", "computing pay", "writing") for a
    progress display."""
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    month = compute_month(data, period, backend, on_step)
    on_step("writing")
    manifest = {**manifest_of(month, period, backend), "started_at": started.isoformat(timespec="seconds"),
                "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "seconds": round(time.perf_counter() - clock, 3)}
    write_run(out, outputs_of(month), manifest)
    return MonthlyRun(**vars(month), out=out, manifest=manifest)


def manifest_of(month: Month, period: Period, backend: Backend = Backend.POLARS) -> dict[str, object]:
    """The run manifest (SPEC §6) without its clock times: run, policy, inputs and totals."""
    register = nw.to_native(month.result.pay_register)
    pools = nw.to_native(month.result.pool_summary)
    loads = month.data.loads
    return {
        "run_id": month.run_id,
        "period": str(period),
        "policy": {"id": month.policy.id, "effective_from": month.policy.effective_from.isoformat(),
                   "hash": month.policy.fingerprint},
        "code_version": version("eperf"),
        "backend": str(backend),
        "inputs": [dataclasses.asdict(load) for load in loads],
        "rows": {"read": sum(x.rows_read for x in loads),
                 "accepted": sum(x.accepted for x in loads),
                 "rejected": sum(x.rejected for x in loads)},
        "totals": {"employees": register.height, "pools": pools.height,
                   **{c: int(register[c].sum()) for c in
                      ("entitlement_rp", "cap_rp", "pay_rp", "bpjs_employee_rp", "bpjs_employer_rp",
                       "pph21_rp", "net_rp")},
                   "pool_rp": int(pools["pool_rp"].sum())},
    }


def outputs_of(month: Month) -> dict[str, pl.DataFrame]:
    """The SPEC §6 tables of a computed month, by name."""
    return {"pay_register": nw.to_native(month.result.pay_register),
            "pool_summary": nw.to_native(month.result.pool_summary),
            "budget_check": month.budget, "rejects": month.data.rejects}


def write_run(out: Path, outputs: dict[str, pl.DataFrame], manifest: dict[str, object]) -> None:
    """The SPEC §6 files in ``out`` (the register also as CSV), swapped in whole."""
    frames = {f"{name}.parquet": frame for name, frame in outputs.items()}
    write_frames(out, {**frames, "pay_register.csv": outputs["pay_register"]},
                 {"manifest.json": lambda p: p.write_text(json.dumps(manifest, indent=2) + "\n")})


def write_frames(out: Path, frames: dict[str, pl.DataFrame],
                 others: dict[str, Callable[[Path], object]] | None = None) -> None:
    """Each frame as ``out/<file name>`` (CSV or Parquet by its suffix), and ``others`` by their
    own writers, all swapped in as one folder (:func:`write_atomically`)."""
    write_atomically(out, {**{name: functools.partial(
        pl.DataFrame.write_csv if name.endswith(".csv") else pl.DataFrame.write_parquet, frame)
        for name, frame in frames.items()}, **(others or {})})


def _run_id(period: Period, policy: Policy, loaded: DataDir) -> str:
    """Deterministic: the same inputs and policy give the same run id (reruns are identical)."""
    digest = hashlib.sha256(policy.fingerprint.encode())
    for load in loaded.loads:
        digest.update(f"{load.file}:{load.sha256}".encode())
    return f"{period}-{digest.hexdigest()[:12]}"


def write_atomically(out: Path, writers: dict[str, Callable[[Path], object]]) -> None:
    """Write every file (name → writer) into a temporary sibling folder, then swap it in as ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, write in writers.items():
            write(tmp / name)
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
