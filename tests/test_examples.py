"""Acceptance: every worked example of the spec is reproduced, column by column, on every backend."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from engine import POOL_COLUMNS, REGISTER_COLUMNS, REGISTER_TEXT, Period
from pipelines.month.backends import Backend
from pipelines.month.run import month_from_folder
from tests.city import IN_PROCESS

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "spec" / "examples"
CITIES = sorted(p.name for p in EXAMPLES.glob("city-*"))


@pytest.mark.skipif(not CITIES, reason="spec examples not found beside the project")
@pytest.mark.parametrize("city", CITIES)
@pytest.mark.parametrize("backend", IN_PROCESS, ids=str)  # both, in make test: the examples are the contract
def test_example_register_and_pools(city: str, backend: Backend) -> None:
    folder = EXAMPLES / city
    period = Period.parse((folder / "period").read_text().strip())
    result = month_from_folder(folder / "data", period, backend).result
    text = {c: pl.String for c in REGISTER_TEXT}
    expected = pl.read_csv(folder / "expected" / "pay_register.csv", schema_overrides=text).drop("run_id")
    # The examples predate the TER columns of SPEC §6: every column the expected file has is compared, all of them.
    assert set(expected.columns) <= set(REGISTER_COLUMNS)
    got = result.pay_register.to_native().select(expected.columns)
    assert got["nip"].to_list() == sorted(expected["nip"].to_list())
    # Same columns in the same order, same dtypes, every value exact; a failure names the column and shows it.
    assert_frame_equal(got, expected.sort("nip"), check_exact=True)

    want = pl.read_csv(folder / "expected" / "pool_summary.csv",
                       schema_overrides={"pool_id": pl.String, "lambda": pl.Float64})
    assert set(want.columns) <= set(POOL_COLUMNS)
    pools = result.pool_summary.to_native().select(want.columns)
    # Integers exact; only λ, a float printed in the CSV, within a relative 1e-9.
    assert_frame_equal(pools, want, check_exact=False, rel_tol=1e-9, abs_tol=0)
