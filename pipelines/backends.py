"""Hand validated Polars tables to the engine on a chosen backend (polars or duckdb)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING

import narwhals.stable.v2 as nw
import polars as pl

from engine import Inputs

if TYPE_CHECKING:
    import duckdb


class Backend(StrEnum):
    POLARS = "polars"
    DUCKDB = "duckdb"


def engine_inputs(tables: dict[str, pl.DataFrame], backend: Backend = Backend.POLARS,
                  con: duckdb.DuckDBPyConnection | None = None) -> Inputs:
    """:class:`engine.Inputs` over the accepted tables (times renamed ``check_in_min`` …)."""
    frames = dict(tables)
    frames["attendance"] = frames["attendance"].rename({"check_in": "check_in_min",
                                                         "check_out": "check_out_min"})
    if backend is Backend.POLARS:
        def lazy(frame: pl.DataFrame) -> nw.LazyFrame:
            return nw.from_native(frame.lazy())
    else:
        import duckdb

        connection = con or duckdb.connect()

        def lazy(frame: pl.DataFrame) -> nw.LazyFrame:
            return nw.from_native(connection.from_arrow(frame.to_arrow()))

    def dates_frame(dates: list[dt.date]) -> nw.LazyFrame:
        return lazy(pl.DataFrame({"work_date": dates}, schema={"work_date": pl.Date}))

    names = [n for n in Inputs.__dataclass_fields__ if n != "dates_frame"]
    return Inputs(**{n: lazy(frames[n]) for n in names}, dates_frame=dates_frame)
