import pytest

from pipelines.backends import Backend


@pytest.fixture(params=list(Backend), ids=str)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Run the test on every engine backend: the integers must be identical."""
    return request.param
