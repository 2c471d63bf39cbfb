"""The same engine formulas on PySpark (issue 12): every integer equal to polars, exactly.

Skipped without pyspark or a Java runtime. Slow (a local JVM, ``local[2]``, seconds per plan):
the example city, the four wide parity cities and one allocation case, each against polars.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)

from engine import Period, run_period  # noqa: E402
from engine.allocation import allocate_scale, allocate_share  # noqa: E402
from pipelines.month.backends import Backend, engine_inputs, lazy_frame  # noqa: E402
from pipelines.month.run import month_from_folder  # noqa: E402
from tests.city import PERIOD  # noqa: E402
from tests.engine.test_invariants import SHAPES, wide_city, wide_policy  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "spec" / "examples"
CITIES = sorted(p.name for p in EXAMPLES.glob("city-*"))
TABLES = ("pay_register", "pool_summary", "budget_check")


def _same(spark: object, polars: object) -> None:
    for name in TABLES:
        try:
            assert_frame_equal(getattr(spark, name).to_native(), getattr(polars, name).to_native(), check_exact=True)
        except AssertionError as exc:
            raise AssertionError(f"{name} differs between spark (left) and polars (right): {exc}") from None


@pytest.mark.skipif(not CITIES, reason="spec examples not found beside the project")
@pytest.mark.parametrize("city", CITIES)
def test_example_city_on_spark_equals_polars(city: str) -> None:
    folder = EXAMPLES / city
    period = Period.parse((folder / "period").read_text().strip())
    runs = {b: month_from_folder(folder / "data", period, b).result for b in (Backend.POLARS, Backend.SPARK)}
    _same(runs[Backend.SPARK], runs[Backend.POLARS])


@pytest.mark.parametrize(("rule", "allocation", "scope", "pph21"), SHAPES)
def test_wide_city_on_spark_equals_polars(rule: str, allocation: str, scope: str, pph21: str) -> None:
    """The parity cities of tests/engine/test_invariants.py (every policy switch, allocation
    products past Int64) on Spark and on polars."""
    rng = random.Random(f"parity-{rule}-{allocation}-{scope}-{pph21}")
    pol = wide_policy(rng, productivity_rule=rule, allocation=allocation, pool_scope=scope, pph21=pph21)
    tables = wide_city(rng, pol)
    runs = {b: run_period(engine_inputs(tables, b), pol, PERIOD, "parity") for b in (Backend.POLARS, Backend.SPARK)}
    _same(runs[Backend.SPARK], runs[Backend.POLARS])


@pytest.mark.parametrize("mode", [allocate_scale, allocate_share], ids=["scale", "share"])
def test_share_with_a_remainder_just_below_the_divisor(mode) -> None:
    """Spark divides decimals to 6 places, rounding half up, before the floor: a share of
    1,512,222 + 13,870,314/13,870,315 Rupiah floored that way is 1,512,223, and the largest
    remainder then pays its employee one Rupiah too many and another one too few.
    :func:`engine.money.exact_floor_div` keeps it exact."""
    ents, pool_rp = [1_563_564, 3_387_414, 4_554_394, 4_364_943], 13_414_871
    frame = pl.DataFrame({"pool_id": ["P"] * 4, "nip": [f"{i:018d}" for i in range(1, 5)], "pool_rp": [pool_rp] * 4,
                          "entitlement_rp": ents, "cap_rp": ents})
    pays = {b: mode(lazy_frame(frame, b)).collect("polars").sort("nip")["pay_rp"].to_list()
            for b in (Backend.POLARS, Backend.SPARK)}
    assert pays[Backend.POLARS] == [1_512_223, 3_276_185, 4_404_847, 4_221_616]
    assert pays[Backend.SPARK] == pays[Backend.POLARS]
