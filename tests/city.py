"""Tiny hand-checkable cities for engine tests.

The base city: February 2025 (20 weekdays, no holiday), kelas 5 with basic Rp 10,000,000, one
position ``P5`` (bk 4000, pk 2000, kk 1000 bp → P = Rp 6,000,000, F = Rp 1,000,000), and one
PNS III employee ``NIP_A`` on time every day (07:30–16:00) logging 300 minutes a day: a
perfect month, entitlement Rp 7,000,000. Pool budget large enough not to bind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import narwhals.stable.v2 as nw
import polars as pl
from polars.testing import assert_frame_equal

from engine import Period, Policy, RunTables, run_period
from engine.policy import build_policy
from pipelines.month.backends import Backend, engine_inputs, lazy_frame
from pipelines.sources import CONTRACTS

IN_PROCESS = (Backend.POLARS, Backend.DUCKDB)
"""The backends every engine test runs on; Spark (a JVM, seconds per plan) is tests/test_spark.py's."""
RUN_TABLES = ("pay_register", "pool_summary", "budget_check")

PERIOD = Period(2025, 2)
NIP_A = "198001012005011001"
NIP_B = "198502022010012002"
WEEKDAYS = PERIOD.weekdays  # 20 days, 3 Feb … 28 Feb


def schema(name: str) -> dict[str, Any]:
    """The accepted-table schema of a contract (times as minutes, Int64)."""
    return {c: col.dtype.type for c, col in CONTRACTS[name].model.to_schema().columns.items()}


def table(name: str, rows: Iterable[dict[str, Any]]) -> pl.DataFrame:
    cols = schema(name)
    return pl.DataFrame([{c: r.get(c) for c in cols} for r in rows], schema=cols, orient="row")


def employee(nip: str, *, opd: str = "1.01.01", position: str = "P5", status: str = "PNS",
             golongan: str = "III", salary: int = 5_000_000, start: dt.date = dt.date(2020, 1, 1),
             end: dt.date | None = None, ptkp: str | None = None, pension: int | None = None) -> dict[str, Any]:
    return {"nip": nip, "name": "Test", "opd_code": opd, "position_id": position, "status": status,
            "golongan": golongan, "salary_rp": salary, "start_date": start, "end_date": end,
            "bank_account": "1234567890", "ptkp_status": ptkp, "pension_rp": pension}


def present(nip: str, days: Iterable[dt.date] = WEEKDAYS, check_in: int = 450,
            check_out: int = 960) -> list[dict[str, Any]]:
    """H rows, on time by default (07:30 = 450, 16:00 = 960)."""
    return [{"nip": nip, "work_date": d, "status": "H", "check_in": check_in, "check_out": check_out}
            for d in days]


def logs(nip: str, days: Iterable[dt.date] = WEEKDAYS, code: str = "K300", quantity: int = 1,
         status: str = "approved", ref: str | None = None, prefix: str = "") -> list[dict[str, Any]]:
    return [{"log_id": f"{prefix}{nip}-{d.isoformat()}-{code}", "nip": nip, "work_date": d,
             "activity_code": code, "quantity": quantity, "status": status, "ref": ref}
            for d in days]


def base_city(**replace: Iterable[dict[str, Any]]) -> dict[str, pl.DataFrame]:
    """The base city's tables; keyword arguments replace a table's rows."""
    rows: dict[str, Iterable[dict[str, Any]]] = {
        "kelas": [{"kelas": 5, "basic_rp": 10_000_000}, {"kelas": 9, "basic_rp": 20_000_000}],
        "positions": [
            {"position_id": "P5", "opd_code": "1.01.01", "name": "Staf", "kelas": 5, "bk_bp": 4000,
             "pk_bp": 2000, "kk_bp": 1000, "kp_bp": 0, "tb_bp": 0, "pol_bp": 0},
            {"position_id": "P9", "opd_code": "1.01.01", "name": "Kepala", "kelas": 9, "bk_bp": 5000,
             "pk_bp": 1000, "kk_bp": 0, "kp_bp": 500, "tb_bp": 0, "pol_bp": 0},
        ],
        "employees": [employee(NIP_A)],
        "plt": [],
        "sanctions": [],
        "skp": [],
        "calendar": [{"date": dt.date(2025, 1, 1), "kind": "holiday"}],
        "catalog": [{"activity_code": "K300", "name": "Kerja", "standard_minutes": 300},
                    {"activity_code": "K60", "name": "Rapat", "standard_minutes": 60},
                    {"activity_code": "EPR", "name": "Kontrak", "standard_minutes": 120}],
        "activity_log": logs(NIP_A),
        "attendance": present(NIP_A),
        "apbd_lines": [{"fiscal_year": 2025, "revision": 0, "effective_date": dt.date(2024, 12, 20),
                        "opd_code": "1.01.01", "account_code": "5.1.01.02.01.0001",
                        "account_name": "TPP", "pagu_rp": 1_200_000_000}],
        "packages": [], "assignments": [], "milestones": [], "activity_map": [],
        "sp2d": [], "transfers": [], "pph21_ytd": [],
    }
    rows.update(replace)
    return {name: table(name, r) for name, r in rows.items()}


def policy(**values: Any) -> Policy:
    """A policy version over the spec defaults (pool never binds in the base city)."""
    return build_policy({"effective_from": dt.date(2025, 1, 1), **values})


def compute(tables: dict[str, pl.DataFrame], pol: Policy | None = None, backend: Backend = Backend.POLARS,
            period: Period = PERIOD) -> RunTables:
    return run_period(engine_inputs(tables, backend), pol or policy(), period, "test")


def register_row(tables: dict[str, pl.DataFrame], nip: str = NIP_A, **kwargs: Any) -> dict[str, Any]:
    """The pay register row of one employee, as a dict."""
    reg = compute(tables, **kwargs).pay_register
    rows = reg.filter(reg["nip"] == nip).rows(named=True)
    assert len(rows) == 1, f"{nip} not in the register"
    return rows[0]


def evaluate(expr: nw.Expr, backend: Backend, **columns: list[Any]) -> list[Any]:
    """``expr`` evaluated on a frame of ``columns`` on ``backend``, as a list."""
    frame = lazy_frame(pl.DataFrame(columns), backend)
    return frame.select(expr.alias("value")).collect("polars")["value"].to_list()


def assert_same_run(other: RunTables, polars: RunTables, backend: Backend) -> None:
    """Every table of a run on ``backend`` equal, value for value and type for type, to polars'."""
    for name in RUN_TABLES:
        try:
            assert_frame_equal(getattr(other, name).to_native(), getattr(polars, name).to_native(), check_exact=True)
        except AssertionError as exc:
            raise AssertionError(f"{name} differs between {backend} (left) and polars (right): {exc}") from None
