from pathlib import Path

import pytest

from tests.pipelines.editing import copy_city


@pytest.fixture
def city(tmp_path: Path) -> Path:
    """A fresh, writable copy of the spec example city-9004 (a module may define its own ``city``)."""
    return copy_city(tmp_path)
