"""Where each input file lives, its model, key, references and which column is personal data."""

from __future__ import annotations

import dataclasses

import pandera.polars as pa
import polars as pl


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
    """Also a folder of CSV or Parquet files (hive partitions allowed), read in path order."""
    large: bool = False
    """Millions of rows a month: handed on as a lazy scan, never held in memory whole."""
    dated_by: str | None = None
    """The date column that places a row in a period: a run needs rows of its period."""
    optional_columns: tuple[str, ...] = ()
    """Columns a file may lack: then every row's value is missing (``ptkp_status`` of an older export)."""

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.model.to_schema().columns)

    @property
    def dtypes(self) -> dict[str, pl.DataType]:
        """Each column's type after parsing (``Datetime`` in microseconds)."""
        return {name: pl.Datetime("us") if column.dtype.type == pl.Datetime else column.dtype.type
                for name, column in self.model.to_schema().columns.items()}
