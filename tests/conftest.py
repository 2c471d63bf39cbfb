from pathlib import Path

import pytest
from _pytest.nodeid import NodeId

from pipelines.month.backends import Backend
from pipelines.synthetic.city import generate_city

GENERATED_MONTHS = ("2025-10", "2025-11")


@pytest.fixture(params=[Backend.POLARS, pytest.param(Backend.DUCKDB, marks=pytest.mark.duckdb_units)], ids=str)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Run the test on the polars and DuckDB backends: the integers must be identical. DuckDB
    plans a small city in about 3 s where polars takes 0.2 s, so its cases run in ``make
    parity``; ``make test`` compares DuckDB with polars on the spec examples and on the wide
    parity cities of every shape and preset (tests/engine/test_invariants.py)."""
    return request.param


@pytest.fixture(scope="session")
def generated_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated city of 300 ASN for GENERATED_MONTHS, shared: read it, copy it to change it.
    Its attendance is one flat file of both months (the tests edit it as a CSV; the partitioned
    layout ``eperf generate`` writes by default is tests/pipelines/test_generate.py's)."""
    out = tmp_path_factory.mktemp("generated-city")
    generate_city(out, employees=300, seed=5, months=GENERATED_MONTHS, flat_attendance=True)
    return out


LONGEST = ("tests/test_walkthrough.py", "tests/pipelines/test_pph21_warehouse.py", "tests/pipelines/test_boundary.py")
"""Modules of long tests that share nothing, started before the short ones so that the two
workers end together."""


@pytest.hookimpl(trylast=True)  # after pytest-xdist's own hook (see below)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that uses a module-scoped fixture of its module runs on the same xdist worker as
    the module's other such tests, so the fixture (a warehouse, an executed notebook …) is built
    once, not once per worker. Then groups first (the Spark group: one JVM), then :data:`LONGEST`.

    ``--dist loadgroup`` groups by a ``@group`` suffix of the node id, which pytest-xdist 3.8
    writes where pytest 9 no longer reads it (``item._nodeid``): without the suffix set here,
    every group was split between the workers (two JVMs, every module fixture built twice)."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if item.get_closest_marker("xdist_group") is None and info is not None and any(
                d.scope == "module" for defs in info.name2fixturedefs.values() for d in defs):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
        group = item.get_closest_marker("xdist_group")
        if getattr(config.option, "loadgroup", False) and group is not None and "@" not in item.nodeid:
            item._id = NodeId.parse(f"{item.nodeid}@{group.args[0]}")

    def rank(item: pytest.Item) -> tuple[bool, int]:
        module = item.nodeid.split("::")[0]
        return item.get_closest_marker("xdist_group") is None, LONGEST.index(module) if module in LONGEST else 99

    items.sort(key=rank)
