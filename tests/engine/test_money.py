"""§2 money: rhu of money × bp is exact round half up, never a float's or backend's rounding."""

import narwhals.stable.v2 as nw
import pytest

from engine.money import apply_bp
from pipelines.month.backends import Backend
from tests.city import evaluate


@pytest.mark.parametrize(("amount", "bp", "expected"), [
    (1, 5000, 1),                  # 0.5 → 1 (half up; Polars round() gives 0)
    (5, 5000, 3),                  # 2.5 → 3 (half-to-even would give 2)
    (3, 5000, 2),                  # 1.5 → 2
    (891_000, 4951, 441_134),      # 441,134.1
    (2_504_064, 9275, 2_322_519),  # 2,322,519.36
    (999_999_999, 10000, 999_999_999),
    (12_345, 0, 0),
])
def test_apply_bp_rounds_half_up(amount: int, bp: int, expected: int, backend: Backend) -> None:
    assert evaluate(apply_bp(nw.col("a"), nw.col("b")), backend, a=[amount], b=[bp]) == [expected]
