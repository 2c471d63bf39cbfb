"""The same engine formulas on PySpark (issue 12): every integer equal to polars, exactly.

Skipped without pyspark or a Java runtime (``make install`` installs both). Slow — a JVM, and
seconds per plan — so ``make test`` runs only a smoke test: one spec example (:data:`SMOKE`) and
one allocation case whose remainder only Spark's decimal division gets wrong. The wider parity is
``make parity`` (``-m "spark_wide or months"``, run by CI after ``make test``): the other
spec examples; the wide parity cities (the four shapes, two with the regional options drawn, one
under PPh 21 by TER with extra payments); a generated month on a standalone cluster; and generated
months (``months``): one per regional preset and ten random.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest

pytest.importorskip("pyspark")
from pipelines.month.spark import java_runtime  # noqa: E402

if java_runtime() is None:
    pytest.skip("Spark needs a Java runtime (make install installs Debian's openjdk-17-jre-headless)",
                allow_module_level=True)

from engine import Period, RunTables, run_period  # noqa: E402
from engine.allocation import allocate_scale, allocate_share  # noqa: E402
from pipelines.month.backends import Backend, engine_inputs, lazy_frame  # noqa: E402
from pipelines.month.run import month_from_folder, month_of  # noqa: E402
from pipelines.policies import preset_file, preset_names, preset_policy  # noqa: E402
from pipelines.sources.readers import read_data_dir  # noqa: E402
from pipelines.spark_cluster import Cluster, running  # noqa: E402
from pipelines.synthetic.city import generate_city  # noqa: E402
from tests.city import PERIOD, assert_same_run  # noqa: E402
from tests.engine.test_invariants import SHAPES, TER_SHAPE, drawn_regional_options, wide_city, wide_policy  # noqa: E402,E501

pytestmark = pytest.mark.xdist_group("spark")  # one worker, one JVM

QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
"""A test's JVM lives minutes, not hours: the quick JIT alone and one garbage collector thread
about halve its CPU (the smoke test: 62 → 33 CPU seconds). A JIT changes how fast, never what."""

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "spec" / "examples"
CITIES = sorted(p.name for p in EXAMPLES.glob("city-*"))
SMOKE = "city-9009"
"""The spec example ``make test`` runs on Spark (the fewest employees; the others are ``spark_wide``)."""
spark_wide = pytest.mark.spark_wide


@pytest.fixture(scope="module", autouse=True)
def quick_jvm() -> Iterator[None]:
    """:data:`QUICK_JVM` for the JVMs started here (the driver; a standalone master and worker)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JDK_JAVA_OPTIONS", f"{os.environ.get('JDK_JAVA_OPTIONS', '')} {QUICK_JVM}".strip())
        yield


def assert_spark_equals_polars(run: Callable[[Backend], RunTables]) -> None:
    assert_same_run(run(Backend.SPARK), run(Backend.POLARS), Backend.SPARK)


@pytest.mark.skipif(not CITIES, reason="spec examples not found beside the project")
@pytest.mark.parametrize("city", [pytest.param(c, marks=() if c == SMOKE else spark_wide) for c in CITIES])
def test_example_city_on_spark_equals_polars(city: str) -> None:
    folder = EXAMPLES / city
    period = Period.parse((folder / "period").read_text().strip())
    assert_spark_equals_polars(lambda b: month_from_folder(folder / "data", period, b).result)


@spark_wide
@pytest.mark.parametrize(("rule", "allocation", "scope", "pph21"), SHAPES)
def test_wide_city_on_spark_equals_polars(rule: str, allocation: str, scope: str, pph21: str) -> None:
    """The parity cities of tests/engine/test_invariants.py (every policy switch, allocation
    products past Int64) on Spark and on polars."""
    rng = random.Random(f"parity-{rule}-{allocation}-{scope}-{pph21}")
    pol = wide_policy(rng, productivity_rule=rule, allocation=allocation, pool_scope=scope, pph21=pph21)
    tables = wide_city(rng, pol)
    assert_spark_equals_polars(lambda b: run_period(engine_inputs(tables, b), pol, PERIOD, "parity"))


@spark_wide
def test_wide_city_under_ter_with_extra_payments_on_spark_equals_polars() -> None:
    """The parity city under PPh 21 by TER with a THR in the month (the TER join, the year's
    Pasal 17 arithmetic, true-ups both ways) on Spark and on polars (``make parity``)."""
    rule, allocation, scope, pph21 = TER_SHAPE
    rng = random.Random(f"parity-{rule}-{allocation}-{scope}-{pph21}")
    pol = wide_policy(rng, productivity_rule=rule, allocation=allocation, pool_scope=scope, pph21=pph21)
    tables = wide_city(rng, pol)
    assert_spark_equals_polars(lambda b: run_period(engine_inputs(tables, b), pol, PERIOD, "parity"))


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


def _eperf_run(data: Path, period: str, out: Path, *backend: str) -> dict[str, object]:
    subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--data", str(data), "--period", period,
                    "--out", str(out), *backend], check=True, capture_output=True)
    manifest: dict[str, object] = json.loads((out / "manifest.json").read_text())
    return manifest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@spark_wide
def test_a_generated_month_on_a_standalone_cluster_equals_polars(tmp_path: Path) -> None:
    """``eperf run --master spark://…`` on a master and worker like ``make spark-up``'s: a
    5,000-employee month, every output file byte for byte as on polars; the manifest says where
    it ran."""
    generate_city(tmp_path / "city", employees=5_000, seed=12, months=["2025-11"])
    polars = _eperf_run(tmp_path / "city", "2025-11", tmp_path / "polars")
    with running(Cluster(tmp_path / "cluster", _free_port(), _free_port(), memory="1g")) as url:
        spark = _eperf_run(tmp_path / "city", "2025-11", tmp_path / "spark", "--backend", "spark", "--master", url)
    assert (spark["backend"], spark["spark_master"]) == ("spark", url)
    assert spark["run_id"] == polars["run_id"]
    for name in ("pay_register.csv", "pay_register.parquet", "pool_summary.parquet", "budget_check.parquet",
                 "rejects.parquet"):
        assert (tmp_path / "spark" / name).read_bytes() == (tmp_path / "polars" / name).read_bytes(), name


def _random_months(count: int) -> list[tuple[int, str, int]]:
    """``count`` (city seed, month, employees) drawn from ``EPERF_PARITY_SEED`` (default 2026)."""
    rng = random.Random(int(os.environ.get("EPERF_PARITY_SEED", "2026")))
    return [(rng.randrange(1_000_000), f"{rng.randrange(2024, 2027)}-{rng.randrange(1, 13):02d}",
             rng.randrange(150, 1_500)) for _ in range(count)]


@pytest.mark.months
@pytest.mark.parametrize(("seed", "month", "employees"), _random_months(10))
def test_a_random_generated_month_on_spark_equals_polars(tmp_path: Path, seed: int, month: str,
                                                          employees: int) -> None:
    """A generated city's month under a policy with every number drawn and random switches,
    on Spark and on polars: every table identical."""
    generate_city(tmp_path, employees=employees, seed=seed, months=[month])
    rng = random.Random(seed)
    switches = {"productivity_rule": rng.choice(["proportional", "threshold", "tiered"]),
                "allocation": rng.choice(["scale", "share"]), "pool_scope": rng.choice(["opd", "city"]),
                "pph21": rng.choice(["final_golongan", "borne"])}
    pol, period = wide_policy(rng, **switches), Period.parse(month)
    loaded = read_data_dir(tmp_path, period)
    assert_spark_equals_polars(lambda b: month_of(loaded, pol, period, "parity", b).result)


@spark_wide
@pytest.mark.parametrize("shape", SHAPES[:2], ids=lambda shape: "-".join(shape))
def test_regional_options_on_spark_equal_polars(shape: tuple[str, str, str, str]) -> None:
    """The wide parity city with every §4.11 option drawn (tests/engine/test_invariants.py)."""
    rule, allocation, scope, pph21 = shape
    rng = random.Random(f"parity-{rule}-{allocation}-{scope}-{pph21}")
    base = wide_policy(rng, productivity_rule=rule, allocation=allocation, pool_scope=scope, pph21=pph21)
    tables = wide_city(rng, base)
    pol = drawn_regional_options(random.Random(f"regional-{shape}"), base)
    assert_spark_equals_polars(lambda b: run_period(engine_inputs(tables, b), pol, PERIOD, "parity"))


@pytest.mark.months
@pytest.mark.parametrize("preset", preset_names())
def test_a_preset_month_on_spark_equals_polars(tmp_path: Path, preset: str) -> None:
    """A city generated under each region's preset (``eperf generate --policy``: SKP ratings, CB,
    CLTN and TB days), in December (Balangan's December in full), on Spark and on polars."""
    month = "2025-12"
    generate_city(tmp_path, employees=400, seed=21, months=[month], policy=preset_file(preset))
    period = Period.parse(month)
    loaded = read_data_dir(tmp_path, period)
    pol = preset_policy(preset, period)
    assert_spark_equals_polars(lambda b: month_of(loaded, pol, period, "parity", b).result)
