"""A standalone Spark cluster on this machine, from the installed pyspark: one master, one worker.

``make spark-up`` (``python -m pipelines.spark_cluster up``) starts both on 127.0.0.1, waits until
the worker has registered and prints the master's URL (``spark://127.0.0.1:7077``) for
``eperf run --backend spark --master URL``; ``make spark-down`` stops them. Their logs, process
ids and the worker's scratch space are kept in ``--dir`` (``out/spark-cluster``).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import signal
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

HOST = "127.0.0.1"
ROLES = ("master", "worker")


@dataclasses.dataclass(frozen=True)
class Cluster:
    """Where a cluster listens and keeps its files."""

    folder: Path
    port: int = 7077
    web_port: int = 8080
    cores: int = 2
    memory: str = "2g"

    @property
    def url(self) -> str:
        return f"spark://{HOST}:{self.port}"

    def pid_file(self, role: str) -> Path:
        return self.folder / f"{role}.pid"


def spark_home() -> Path:
    """The Spark distribution inside the installed pyspark."""
    import pyspark

    return Path(pyspark.__file__).parent


def _start(cluster: Cluster, role: str, args: list[str]) -> None:
    """Start one Spark daemon in a session of its own, its output in ``role.log``."""
    classes = {"master": "org.apache.spark.deploy.master.Master", "worker": "org.apache.spark.deploy.worker.Worker"}
    env = {**os.environ, "SPARK_HOME": str(spark_home()), "SPARK_LOCAL_IP": HOST,
           "PYSPARK_PYTHON": sys.executable}
    program = str(spark_home() / "bin" / "spark-class")
    log = str(cluster.folder / f"{role}.log")
    pid = os.posix_spawn(program, [program, classes[role], *args], env, setsid=True, file_actions=[
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600),
        (os.POSIX_SPAWN_DUP2, 1, 2)])
    cluster.pid_file(role).write_text(f"{pid}\n")


def _alive_workers(cluster: Cluster) -> int | None:
    """How many workers the master says are alive (None while its web page does not answer)."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{cluster.web_port}/json/", timeout=2) as page:
            state = json.load(page)
    except OSError:
        return None
    return sum(1 for w in state.get("workers", []) if w.get("state") == "ALIVE")


def up(cluster: Cluster, timeout: float = 90) -> str:
    """Start the master and one worker and wait until the worker is registered; the master URL."""
    if any(cluster.pid_file(role).exists() for role in ROLES):
        msg = f"a cluster already runs from {cluster.folder} (make spark-down stops it)"
        raise SystemExit(msg)
    from pipelines.month.spark import require_spark

    require_spark("local")
    cluster.folder.mkdir(parents=True, exist_ok=True)
    _start(cluster, "master", ["--host", HOST, "--port", str(cluster.port), "--webui-port", str(cluster.web_port)])
    _start(cluster, "worker", ["--host", HOST, "--cores", str(cluster.cores), "--memory", cluster.memory,
                               "--webui-port", "0", "--work-dir", str((cluster.folder / "work").resolve()),
                               cluster.url])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (_alive_workers(cluster) or 0) >= 1:
            return cluster.url
        time.sleep(0.5)
    down(cluster)
    msg = f"the Spark cluster did not come up within {timeout:.0f} s; see {cluster.folder}/*.log"
    raise SystemExit(msg)


def down(cluster: Cluster) -> None:
    """Stop the worker and the master (whatever of them still runs)."""
    for role in reversed(ROLES):
        path = cluster.pid_file(role)
        if not path.exists():
            continue
        pid = int(path.read_text())
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
            for _ in range(100):
                if _ended(pid):
                    break
                time.sleep(0.1)
            else:
                os.killpg(pid, signal.SIGKILL)
        path.unlink()


def _ended(pid: int) -> bool:
    """Whether the daemon ``pid`` has ended (reaped if this process started it)."""
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:  # started by an earlier `make spark-up`
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False


@contextlib.contextmanager
def running(cluster: Cluster) -> Iterator[str]:
    """A cluster for the length of a ``with`` block; yields its master URL."""
    url = up(cluster)
    try:
        yield url
    finally:
        down(cluster)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("up", "down"))
    parser.add_argument("--dir", type=Path, default=Path("out/spark-cluster"))
    parser.add_argument("--port", type=int, default=7077)
    parser.add_argument("--web-port", type=int, default=8080)
    args = parser.parse_args()
    cluster = Cluster(args.dir, args.port, args.web_port)
    if args.action == "up":
        print(up(cluster))
    else:
        down(cluster)


if __name__ == "__main__":
    main()
