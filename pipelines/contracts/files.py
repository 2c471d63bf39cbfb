"""Where each input file lives, its model, key, references and which column is personal data."""

from __future__ import annotations

import dataclasses

import pandera.polars as pa
import polars as pl

from pipelines.contracts import models as m


@dataclasses.dataclass(frozen=True)
class Reference:
    """``column`` must be a value of the same column of ``table`` (its accepted rows), its key."""

    column: str
    table: str


@dataclasses.dataclass(frozen=True)
class Contract:
    """One input file of SPEC §3."""

    name: str
    path: str
    """Without extension: ``hr/kelas`` is ``hr/kelas.csv`` or ``hr/kelas.parquet``."""
    model: type[pa.DataFrameModel]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = ()
    optional: bool = False
    times: tuple[str, ...] = ()
    personal: tuple[str, ...] = ()
    folder_allowed: bool = False
    """Also a folder of Parquet files (hive partitions allowed), read in path order."""
    large: bool = False
    """Millions of rows a month: handed on as a lazy scan, never held in memory whole."""
    dated_by: str | None = None
    """The date column that places a row in a period: a run needs rows of its period."""

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.model.to_schema().columns)

    @property
    def dtypes(self) -> dict[str, pl.DataType]:
        """Each column's type after parsing (``Datetime`` in microseconds)."""
        return {name: pl.Datetime("us") if column.dtype.type == pl.Datetime else column.dtype.type
                for name, column in self.model.to_schema().columns.items()}

CONTRACTS: dict[str, Contract] = {c.name: c for c in (
    Contract("kelas", "hr/kelas", m.Kelas, ("kelas",)),
    Contract("positions", "hr/positions", m.Positions, ("position_id",),
             (Reference("kelas", "kelas"),)),
    Contract("employees", "hr/employees", m.Employees, ("nip",),
             (Reference("position_id", "positions"),),
             personal=("name", "bank_account")),
    Contract("plt", "hr/plt", m.Plt, ("nip", "position_id", "start_date"),
             (Reference("nip", "employees"), Reference("position_id", "positions")),
             optional=True),
    Contract("sanctions", "hr/sanctions", m.Sanctions, ("nip", "start_date"),
             (Reference("nip", "employees"),), optional=True),
    Contract("calendar", "hr/calendar", m.Calendar, ("date",)),
    Contract("catalog", "ekinerja/activity_catalog", m.ActivityCatalog, ("activity_code",)),
    Contract("activity_log", "ekinerja/activity_log", m.ActivityLog, ("log_id",),
             (Reference("nip", "employees"), Reference("activity_code", "catalog")),
             folder_allowed=True, large=True, dated_by="work_date"),
    Contract("attendance", "eabsensi/attendance", m.Attendance, ("nip", "work_date"),
             (Reference("nip", "employees"),), times=("check_in", "check_out"), dated_by="work_date"),
    Contract("apbd_lines", "ebudgeting/apbd_lines", m.ApbdLines,
             ("fiscal_year", "revision", "opd_code", "account_code")),
    Contract("packages", "eproject/packages", m.Packages, ("package_id",), optional=True),
    Contract("assignments", "eproject/assignments", m.Assignments, ("package_id", "nip", "role"),
             (Reference("package_id", "packages"), Reference("nip", "employees")),
             optional=True),
    Contract("milestones", "eproject/milestones", m.Milestones, ("package_id", "milestone_code"),
             (Reference("package_id", "packages"),), optional=True),
    Contract("activity_map", "eproject/activity_map", m.ActivityMap, ("role", "milestone_code"),
             (Reference("activity_code", "catalog"),), optional=True),
    Contract("sp2d", "epayment/sp2d", m.Sp2d, ("sp2d_no",), optional=True),
    Contract("transfers", "epayment/transfers", m.Transfers, ("sp2d_no", "nip"), optional=True),
)}
"""In reading order: a file's references point only to files before it."""
