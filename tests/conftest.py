from pathlib import Path

import pytest

from pipelines.month.backends import Backend
from pipelines.synthetic.city import generate_city
from tests.city import IN_PROCESS

GENERATED_MONTHS = ("2025-10", "2025-11")


@pytest.fixture(params=IN_PROCESS, ids=str)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Run the test on the polars and DuckDB backends: the integers must be identical."""
    return request.param


@pytest.fixture(scope="session")
def generated_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated city of 300 ASN for GENERATED_MONTHS, shared: read it, copy it to change it."""
    out = tmp_path_factory.mktemp("generated-city")
    generate_city(out, employees=300, seed=5, months=GENERATED_MONTHS)
    return out


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The Spark tests first: their worker (one JVM, minutes of work) starts at once, while the
    other worker takes everything else."""
    items.sort(key=lambda item: item.get_closest_marker("xdist_group") is None)
