"""``eperf run``: read a data directory, compute one period, write the run folder atomically."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
import tomllib
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import narwhals.stable.v2 as nw
import polars as pl

from engine import (
    Period,
    Policy,
    PolicyError,
    RunTables,
    in_last_month,
    inputs_digest,
    policy_for_period,
    policy_versions,
    run_id_of,
    run_period,
)
from pipelines.machine import short
from pipelines.month.backends import Backend, engine_inputs
from pipelines.month.outputs import check_destination, protecting, write_folder, write_frame
from pipelines.month.spark import chosen_master, out_of_memory_said
from pipelines.progress import stage
from pipelines.sources import CONTRACTS
from pipelines.sources.exports import POLICY_FILE
from pipelines.sources.readers import DataDir, InputError, read_data_dir

RUN_KIND = "run"
"""What a run's folder is, in its manifest: an ``--out`` holding one may be replaced by a run."""


@dataclasses.dataclass(frozen=True)
class Month:
    """One computed period: the run id, the policy used, the inputs as read, the results."""

    run_id: str
    policy: Policy
    data: DataDir
    result: RunTables


@dataclasses.dataclass(frozen=True)
class WrittenMonth(Month):
    """A computed period written to ``out`` with its manifest."""

    out: Path
    manifest: dict[str, object]


MAX_POLICY_BYTES = 1 << 20
"""A ``policy.toml`` is a page of parameters (the demo's is 2 KB): 1 MiB is far beyond any real
one, and bounds the time and memory spent reading one."""


def load_policy(data: Path, period: Period) -> Policy:
    """The policy version in force for ``period`` from ``data/policy.toml``."""
    if not data.is_dir():
        raise InputError(f"{data}: data directory not found")
    return parse_policy(policy_text(read_policy(data / POLICY_FILE)), period)


def read_policy(path: Path) -> bytes:
    """The bytes of a ``policy.toml``, at most :data:`MAX_POLICY_BYTES` (a larger one is refused
    before it is read whole)."""
    if path.exists() and not path.is_file():
        raise InputError(f"{POLICY_FILE}: is not a file (a folder, a FIFO or a device); put the policy itself there")
    try:
        with path.open("rb") as fh:
            content = fh.read(MAX_POLICY_BYTES + 1)
    except FileNotFoundError as exc:
        raise InputError(f"{POLICY_FILE}: required file is missing from {path.parent}") from exc
    except OSError as exc:
        raise InputError(f"{POLICY_FILE}: unreadable ({exc.strerror})") from exc
    if len(content) > MAX_POLICY_BYTES:
        raise InputError(f"{POLICY_FILE}: larger than {MAX_POLICY_BYTES:,} bytes; a policy is a page of parameters")
    return content


def policy_text(content: bytes) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{POLICY_FILE}: unreadable (not UTF-8 text)") from exc


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
    if len(text) > MAX_POLICY_BYTES:
        raise InputError(f"{POLICY_FILE}: larger than {MAX_POLICY_BYTES:,} bytes; a policy is a page of parameters")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{POLICY_FILE}: unreadable ({short(str(exc), 80)})") from exc
    except (RecursionError, ValueError):  # arrays or tables nested thousands deep; a 5,000-digit integer
        raise InputError(f"{POLICY_FILE}: unreadable (values nested too deep or numbers too long for a "
                         "policy)") from None


def month_from_folder(data: Path, period: Period, backend: Backend = Backend.POLARS) -> Month:
    """Read, validate and compute; nothing is written. Raises :class:`InputError` when fatal."""
    policy = load_policy(data, period)
    loaded = read_data_dir(data, period)
    require_ytd_file(loaded, policy, period)
    stage("computing pay")
    return month_of(loaded, policy, period, _run_id(period, policy, loaded), backend)


def require_ytd_file(loaded: DataDir, policy: Policy, period: Period) -> None:
    """Under TER, a month that is some employee's last of the year needs ``hr/pph21_ytd.csv``: the
    true-up subtracts what the year's earlier months withheld (SPEC §4.9). Without the file, stop."""
    path = CONTRACTS["pph21_ytd"].path
    if not policy.pph21.ter or any(load.file.startswith(f"{path}.") for load in loaded.loads):
        return
    last = in_last_month(engine_inputs(loaded.tables, Backend.POLARS, loaded.engine_frames), period)
    employees = last.select(nw.len()).collect("polars").item()
    if employees:
        raise InputError(f"{path}.csv: required under pph21 = \"{policy.pph21}\": {period} is the last month of "
                         f"the year for {employees} employee(s), and the true-up subtracts what the year's earlier "
                         "months withheld; export the salary payroll's year to date (nip, fiscal_year, months, "
                         "salary_rp, tpp_rp, pph21_rp, pension_rp)")


def month_of(loaded: DataDir, policy: Policy, period: Period, run_id: str,
            backend: Backend = Backend.POLARS) -> Month:
    """The pay of ``period`` from tables that passed their contracts."""
    with out_of_memory_said():  # only a JVM says java.lang.OutOfMemoryError
        inputs = engine_inputs(loaded.tables, backend, loaded.engine_frames)
        return Month(run_id, policy, loaded, run_period(inputs, policy, period, run_id))


def run_from_folder(data: Path, period: Period, out: Path, backend: Backend = Backend.POLARS) -> WrittenMonth:
    """Compute ``period`` from ``data`` and write the SPEC §6 tables into ``out``.

    ``out`` is checked first (:mod:`pipelines.month.outputs`: never the data directory, never a folder
    eperf did not write). Its stages ("reading hr/employees", "computing pay", "writing") are
    said to :mod:`pipelines.progress`."""
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    guard = protecting(data=data)
    check_destination(out, RUN_KIND, folder=True, guard=guard)
    month = month_from_folder(data, period, backend)
    stage("writing")
    manifest = {**manifest_of(month, period, backend), "started_at": started.isoformat(timespec="seconds"),
                "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "seconds": round(time.perf_counter() - clock, 3)}
    write_folder(out, RUN_KIND, run_folder(outputs_of(month), manifest), guard)
    return WrittenMonth(**vars(month), out=out, manifest=manifest)


def manifest_of(month: Month, period: Period, backend: Backend = Backend.POLARS) -> dict[str, object]:
    """The run manifest (SPEC §6) without its clock times: run, policy, inputs and totals.

    ``rows.rejected`` counts the rows of ``rejects.parquet``: from a folder, the sum of each
    file's rejected rows; from the warehouse, the rows its loads rejected up to the run (its
    inputs, the month's rows, were all accepted when loaded)."""
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
        **({"spark_master": chosen_master()} if backend is Backend.SPARK else {}),
        "inputs": [dataclasses.asdict(load) for load in loads],
        "rows": {"read": sum(x.rows_read for x in loads),
                 "accepted": sum(x.accepted for x in loads),
                 "outside_period": sum(x.outside_period for x in loads),
                 "rejected": month.data.rejects.select("file", "row").n_unique()},  # the rows rejects.parquet lists
        "totals": {"employees": register.height, "pools": pools.height,
                   **{c: int(register[c].sum()) for c in
                      ("entitlement_rp", "cap_rp", "pay_rp", "extra_rp", "bpjs_employee_rp", "bpjs_employer_rp",
                       "pph21_rp", "net_rp")},
                   "pool_rp": int(pools["pool_rp"].sum())},
    }


def outputs_of(month: Month) -> dict[str, pl.DataFrame]:
    """The SPEC §6 tables of a computed month, by name."""
    return {"pay_register": nw.to_native(month.result.pay_register),
            "pool_summary": nw.to_native(month.result.pool_summary),
            "budget_check": month.result.budget_check.to_native(), "rejects": month.data.rejects}


def run_folder(outputs: dict[str, pl.DataFrame], manifest: dict[str, object]) -> Callable[[Path], None]:
    """The writer of a run's folder: the SPEC §6 files (the register also as CSV)."""
    def write(folder: Path) -> None:
        for name, frame in outputs.items():
            write_frame(frame, folder / f"{name}.parquet")
        write_frame(outputs["pay_register"], folder / "pay_register.csv")
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")

    return write


def table_folder(frames: dict[str, pl.DataFrame]) -> Callable[[Path], None]:
    """The writer of a folder of tables (CSV or Parquet by each name's suffix)."""
    def write(folder: Path) -> None:
        for name, frame in frames.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            write_frame(frame, folder / name)

    return write


def _run_id(period: Period, policy: Policy, loaded: DataDir) -> str:
    """From the period, the policy, the code version and every input file's name and SHA-256."""
    files = (f"{load.file}:{load.sha256}" for load in loaded.loads)
    return run_id_of(period, inputs_digest(str(period), policy.fingerprint, version("eperf"), *files))
