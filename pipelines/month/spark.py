"""The Spark backend's session: which Spark ``--master`` runs the month, and what it needs.

``--master`` takes ``local[N]`` (Spark inside this process's JVM, N cores: the default,
``local[2]``), ``spark://host:port`` (a standalone cluster, e.g. ``make spark-up``) or
``sc://host:port`` (a Spark Connect server). The first two start a JVM on this machine, so they
need a Java runtime (17 or newer); Spark Connect needs pyspark's ``connect`` extra instead.
What is missing is said in one sentence (:class:`SparkUnavailable`, exit 2) before any input is
read.

Spark has no Int128; the engine's wide integers are DecimalType(38, 0) there, with ANSI mode
on so an overflow raises instead of turning null. Spark's own settings (driver and executor
memory, …) come from the usual places: ``spark-defaults.conf`` in ``SPARK_CONF_DIR``, or
``PYSPARK_SUBMIT_ARGS``; where the driver's heap is not set there, it gets half the machine's
memory.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import narwhals.stable.v2 as nw

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import SparkSession

LOCAL_MASTER = "local[2]"
JAVA_PACKAGE = "openjdk-17-jre-headless"
_MASTER = re.compile(r"local(\[([1-9]\d{0,3}|\*)\])?|spark://[\w.-]+:\d{1,5}(,[\w.-]+:\d{1,5})*|sc://[\w.-]+(:\d{1,5})?(/.*)?")
SPARK_CONNECT_PORT = 15002
REACH_SECONDS = 5.0
"""How long ``--master spark://`` or ``sc://`` has to answer a TCP connection before the run is
refused (Spark itself retries for over a minute, then prints a Java traceback)."""


class SparkUnavailable(ValueError):
    """``--backend spark`` cannot start here: what to install, or a malformed ``--master``."""


def checked_master(master: str | None) -> str:
    """``master`` (``local[2]`` when None) once it is one of the three forms Spark takes: N
    cores 1–9999 (or ``*``), ports 1–65535."""
    master = master or LOCAL_MASTER
    if not _MASTER.fullmatch(master) or not all(0 < port < 65536 for _, port in _addresses(master)):
        msg = (f"--master {master[:60]!r} is not a Spark master: give local[N] (N ≥ 1 cores), spark://host:port "
               "(a standalone cluster) or sc://host:port (Spark Connect)")
        raise SparkUnavailable(msg)
    return master


def _addresses(master: str) -> list[tuple[str, int]]:
    """The (host, port) pairs a ``spark://`` or ``sc://`` master names (none for ``local``)."""
    if master.startswith("spark://"):
        return [(host, int(port)) for host, _, port in (a.rpartition(":") for a in master[8:].split(","))]
    if master.startswith("sc://"):
        host, _, port = master[5:].split("/")[0].partition(":")
        return [(host, int(port) if port else SPARK_CONNECT_PORT)]
    return []


def reachable_master(master: str, seconds: float = REACH_SECONDS) -> None:
    """Refuse (:class:`SparkUnavailable`) a cluster master none of whose addresses accepts a TCP
    connection within ``seconds``: said in one sentence before a JVM starts."""
    addresses = _addresses(master)
    failures = []
    for host, port in addresses:
        try:
            with socket.create_connection((host, port), timeout=seconds):
                return
        except OSError as exc:
            failures.append(f"{host}:{port} {exc.strerror or exc}")
    if failures:
        msg = (f"--master {master}: no answer ({'; '.join(failures)}); start the cluster (make spark-up starts one "
               "on this machine) or check the address")
        raise SparkUnavailable(msg)


def java_runtime() -> Path | None:
    """The ``java`` Spark would start: ``$JAVA_HOME/bin/java``, else the one on ``PATH``."""
    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        return java if java.is_file() else None
    found = shutil.which("java")
    return Path(found) if found else None


def require_spark(master: str) -> None:
    """Raise :class:`SparkUnavailable` naming what to install when ``master`` cannot run here."""
    if importlib.util.find_spec("pyspark") is None:
        msg = "--backend spark needs pyspark: install it with pip install 'eperf[spark]' (make install does)"
        raise SparkUnavailable(msg)
    if master.startswith("sc://"):
        if any(importlib.util.find_spec(m) is None for m in ("grpc", "google.protobuf", "pandas", "zstandard")):
            msg = (f"--master {master} (Spark Connect) needs pyspark's connect client: "
                   "pip install 'pyspark[connect]'")
            raise SparkUnavailable(msg)
        return
    if java_runtime() is None:
        msg = (f"--backend spark needs a Java runtime (17 or newer) and none was found on PATH or in JAVA_HOME: "
               f"install Debian's {JAVA_PACKAGE} (apt-get install {JAVA_PACKAGE}; make install does it as root)")
        raise SparkUnavailable(msg)


@contextlib.contextmanager
def out_of_memory_said() -> Iterator[None]:
    """Spark running out of memory, said in one sentence (:class:`SparkUnavailable`) with how to
    give it more; any other failure passes through."""
    try:
        yield
    except Exception as exc:
        if "java.lang.OutOfMemoryError" not in str(exc):
            raise
        msg = ("Spark ran out of memory: give it more, e.g. PYSPARK_SUBMIT_ARGS='--driver-memory 16g pyspark-shell' "
               "in local mode, or spark.driver.memory and spark.executor.memory in spark-defaults.conf")
        raise SparkUnavailable(msg) from None


_chosen = LOCAL_MASTER
_session: tuple[str, SparkSession] | None = None


def choose_master(master: str | None) -> str:
    """Run this process's Spark work on ``master`` (``local[2]`` when None), once it is well
    formed and what it needs is installed; returns it."""
    global _chosen  # noqa: PLW0603  # one Spark session per process, like Spark's own
    master = checked_master(master)
    require_spark(master)
    reachable_master(master)
    _chosen = master
    return master


SPARK_LOG = "EPERF_SPARK_LOG"
"""Set (to anything) to see Spark's own log; without it Spark prints its errors only."""
QUIET_LOG = Path(__file__).with_name("spark-quiet.log4j2.properties")


def chosen_master() -> str:
    """The master :func:`spark_session` connects to."""
    return _chosen


def spark_session() -> SparkSession:
    """The Spark session on the chosen master (:func:`choose_master`), created on first use and
    then reused; choosing another master stops the one before."""
    global _session  # noqa: PLW0603
    master = _chosen
    if _session is not None and _session[0] == master:
        return _session[1]
    require_spark(master)
    if _session is not None:
        _session[1].stop()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("eperf")
    if master.startswith("sc://"):
        builder = builder.remote(master)
    else:
        builder = (builder.master(master).config("spark.pyspark.python", sys.executable)
                   .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false"))
    if not master.startswith("sc://") and not _driver_memory_configured():
        builder = builder.config("spark.driver.memory", f"{_half_the_memory_gib()}g")
    if not master.startswith("sc://") and not os.environ.get(SPARK_LOG):
        builder = builder.config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={QUIET_LOG.as_uri()}")
        if master.startswith("local"):  # no warning that the host name resolves to a loopback address
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    if master.startswith("local"):  # one shuffle partition per core; a cluster keeps its own setting
        cores = master.removeprefix("local").strip("[]") or "1"
        builder = builder.config("spark.sql.shuffle.partitions", str(os.cpu_count()) if cores == "*" else cores)
    session = (
        builder.config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "true")  # Spark 4's default; exactness relies on it
        .getOrCreate())
    if not master.startswith("sc://"):
        session.sparkContext.setLogLevel("ERROR")
    _spark_int128()
    _session = (master, session)
    return session


def _driver_memory_configured() -> bool:
    """Whether the driver JVM's heap is set the Spark way (``PYSPARK_SUBMIT_ARGS``,
    ``SPARK_DRIVER_MEMORY`` or ``spark-defaults.conf``)."""
    if "--driver-memory" in os.environ.get("PYSPARK_SUBMIT_ARGS", "") or "SPARK_DRIVER_MEMORY" in os.environ:
        return True
    conf = os.environ.get("SPARK_CONF_DIR") or str(Path(os.environ.get("SPARK_HOME", "/nonexistent")) / "conf")
    defaults = Path(conf) / "spark-defaults.conf"
    return defaults.is_file() and "spark.driver.memory" in defaults.read_text(errors="replace")


def _half_the_memory_gib() -> int:
    """Half this machine's memory in GiB: Spark's default driver heap (1 GiB) is too small for
    a city's month (the demo city's 20,000 ASN ran out of heap), and in ``local`` mode the
    driver JVM does all the work."""
    return max(1, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**31)


def _spark_int128() -> None:
    """Let narwhals cast to Int128 on Spark as DecimalType(38, 0) (narwhals 2.29 raises
    ``AssertionError: Unknown dtype: Int128``). Spark has no 128-bit integer; a decimal of scale 0
    is exact in +, −, ×, % and comparisons (ANSI mode raises on overflow). Its ``//`` is not:
    narwhals floors a quotient rounded to 6 places, hence :func:`engine.money.exact_floor_div`.
    Patches a private narwhals table: pinned by tests/test_spark.py."""
    from narwhals._spark_like import utils

    utils.NW_TO_SPARK_DTYPES[nw.Int128] = lambda native: lambda: native.DecimalType(38, 0)  # type: ignore[index]


def spark_frame(table: pa.Table) -> nw.LazyFrame[Any]:
    """``table`` as a Spark DataFrame on :func:`spark_session`, as narwhals."""
    frame: nw.LazyFrame[Any] = nw.from_native(spark_session().createDataFrame(table))
    return frame
