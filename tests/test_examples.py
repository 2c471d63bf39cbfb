"""Acceptance: every worked example of the spec is reproduced, column by column, on every backend."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from engine import Period
from pipelines.month.backends import Backend
from pipelines.month.run import compute_month

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "spec" / "examples"
CITIES = sorted(p.name for p in EXAMPLES.glob("city-*"))


@pytest.mark.skipif(not CITIES, reason="spec examples not found beside the project")
@pytest.mark.parametrize("city", CITIES)
def test_example_register_and_pools(city: str, backend: Backend) -> None:
    folder = EXAMPLES / city
    period = Period.parse((folder / "period").read_text().strip())
    result = compute_month(folder / "data", period, backend).result
    got = result.pay_register.to_native().drop("run_id")
    expected = pl.read_csv(folder / "expected" / "pay_register.csv", schema_overrides={"nip": pl.String})
    expected = expected.drop("run_id").select(got.columns).cast(got.schema)
    assert got["nip"].to_list() == sorted(expected["nip"].to_list())
    assert got.equals(expected.sort("nip")), _first_difference(got, expected.sort("nip"))

    pools = result.pool_summary.to_native()
    want = pl.read_csv(folder / "expected" / "pool_summary.csv", schema_overrides={"pool_id": pl.String})
    assert pools.drop("lambda").equals(want.drop("lambda").cast(pools.drop("lambda").schema))
    assert pools["lambda"].to_list() == pytest.approx(want["lambda"].to_list(), rel=1e-9)


def _first_difference(got: pl.DataFrame, want: pl.DataFrame) -> str:
    for column in got.columns:
        diff = got.with_row_index().filter(got[column].ne_missing(want[column]))
        if diff.height:
            row = diff.row(0, named=True)
            return f"{column} differs for nip {row['nip']}: got {row[column]}, want {want[column][row['index']]}"
    return "frames differ"
