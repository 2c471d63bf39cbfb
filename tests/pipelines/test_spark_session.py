"""What the Spark backend decides before a JVM starts (pipelines/month/spark.py): no JVM needed."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from pipelines.month import spark


@pytest.mark.parametrize("master", ["local", "local[2]", "local[*]", "spark://127.0.0.1:7077",
                                    "spark://a.example:7077,b.example:7077", "sc://127.0.0.1:15002"])
def test_the_three_kinds_of_master_are_accepted(master: str) -> None:
    assert spark.checked_master(master) == master


@pytest.mark.parametrize("master", ["yarn", "local[two]", "spark://127.0.0.1", "k8s://x:443", "local[2] ",
                                    "local[0]", "local[10000]", "spark://127.0.0.1:0", "spark://h:70000",
                                    "sc://h:123456"])
def test_anything_else_is_refused_in_one_sentence(master: str) -> None:
    with pytest.raises(spark.SparkUnavailable, match="is not a Spark master"):
        spark.checked_master(master)


def test_no_master_means_local_with_two_cores() -> None:
    assert spark.checked_master(None) == "local[2]"


def test_running_out_of_memory_says_how_to_give_more() -> None:
    with pytest.raises(spark.SparkUnavailable, match="--driver-memory"), spark.out_of_memory_said():
        raise RuntimeError("An error occurred while calling o2356.localCheckpoint.\n: java.lang.OutOfMemoryError: "
                           "Java heap space")


def test_another_failure_passes_through() -> None:
    with pytest.raises(RuntimeError, match="boom"), spark.out_of_memory_said():
        raise RuntimeError("boom")


def test_the_driver_heap_is_left_to_spark_where_it_is_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PYSPARK_SUBMIT_ARGS", "SPARK_DRIVER_MEMORY", "SPARK_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    assert not spark._driver_memory_configured()
    (tmp_path / "spark-defaults.conf").write_text("spark.driver.memory 6g\n")
    assert spark._driver_memory_configured()
    (tmp_path / "spark-defaults.conf").unlink()
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", "--driver-memory 8g pyspark-shell")
    assert spark._driver_memory_configured()


def _closed_port() -> int:
    """A port of this machine nothing listens on (taken from the system, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("scheme", ["spark", "sc"])
def test_a_master_that_does_not_answer_is_one_sentence_before_any_jvm(scheme: str) -> None:
    """``--master spark://nohost:7077`` once took 80 s and ended in a 300-line Java traceback."""
    master = f"{scheme}://127.0.0.1:{_closed_port()}"
    with pytest.raises(spark.SparkUnavailable, match=f"--master {master}: no answer .*Connection refused"):
        spark.reachable_master(master)


def test_a_master_answers_when_one_of_its_addresses_does() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        spark.reachable_master(f"spark://127.0.0.1:{_closed_port()},127.0.0.1:{port}")


def test_local_masters_need_no_network() -> None:
    spark.reachable_master("local[4]")
