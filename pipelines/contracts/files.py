"""Where each input file lives, its model, key, references and which column is personal data."""

from __future__ import annotations

import dataclasses

import pandera.polars as pa

from pipelines.contracts import models as m


@dataclasses.dataclass(frozen=True)
class Reference:
    """``column`` must be a key of ``table`` (its accepted rows)."""

    column: str
    table: str
    target: str

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

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.model.to_schema().columns)

CONTRACTS: dict[str, Contract] = {c.name: c for c in (
    Contract("kelas", "hr/kelas", m.Kelas, ("kelas",)),
    Contract("positions", "hr/positions", m.Positions, ("position_id",),
             (Reference("kelas", "kelas", "kelas"),)),
    Contract("employees", "hr/employees", m.Employees, ("nip",),
             (Reference("position_id", "positions", "position_id"),),
             personal=("name", "bank_account")),
    Contract("plt", "hr/plt", m.Plt, ("nip", "position_id", "start_date"),
             (Reference("nip", "employees", "nip"), Reference("position_id", "positions", "position_id")),
             optional=True),
    Contract("sanctions", "hr/sanctions", m.Sanctions, ("nip", "start_date"),
             (Reference("nip", "employees", "nip"),), optional=True),
    Contract("calendar", "hr/calendar", m.Calendar, ("date",)),
    Contract("catalog", "ekinerja/activity_catalog", m.ActivityCatalog, ("activity_code",)),
    Contract("activity_log", "ekinerja/activity_log", m.ActivityLog, ("log_id",),
             (Reference("nip", "employees", "nip"), Reference("activity_code", "catalog", "activity_code")),
             folder_allowed=True),
    Contract("attendance", "eabsensi/attendance", m.Attendance, ("nip", "work_date"),
             (Reference("nip", "employees", "nip"),), times=("check_in", "check_out")),
    Contract("apbd_lines", "ebudgeting/apbd_lines", m.ApbdLines,
             ("fiscal_year", "revision", "opd_code", "account_code")),
    Contract("packages", "eproject/packages", m.Packages, ("package_id",), optional=True),
    Contract("assignments", "eproject/assignments", m.Assignments, ("package_id", "nip", "role"),
             (Reference("package_id", "packages", "package_id"), Reference("nip", "employees", "nip")),
             optional=True),
    Contract("milestones", "eproject/milestones", m.Milestones, ("package_id", "milestone_code"),
             (Reference("package_id", "packages", "package_id"),), optional=True),
    Contract("activity_map", "eproject/activity_map", m.ActivityMap, ("role", "milestone_code"),
             (Reference("activity_code", "catalog", "activity_code"),), optional=True),
    Contract("sp2d", "epayment/sp2d.csv", m.Sp2d, ("sp2d_no",), optional=True),
    Contract("transfers", "epayment/transfers", m.Transfers, ("sp2d_no", "nip"), optional=True),
)}
"""In reading order: a file's references point only to files before it."""
