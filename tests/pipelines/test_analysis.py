"""The analysts' helpers: inequality by hand, and what-if runs that change only what they say."""

from __future__ import annotations

import polars as pl
import pytest

from engine import Period
from engine.policy import Allocation, PolicyError
from pipelines.analysis.whatif import WhatIf, decile_shares, gini, what_if
from pipelines.month.run import Month, month_from_folder
from tests.city import policy
from tests.pipelines.editing import EXAMPLE, PERIOD, needs_example


def test_gini_and_deciles_by_hand() -> None:
    # 1..4: Gini = 2 × (1 + 4 + 9 + 16) / (4 × 10) − 5/4 = 0.25.
    assert gini(pl.Series([4, 1, 3, 2])) == pytest.approx(0.25)
    assert gini(pl.Series([], dtype=pl.Int64)) == 0.0
    shares = decile_shares(pl.Series(range(1, 11)))  # ten people, one per decile, total 55
    assert shares["share"].to_list() == pytest.approx([i / 55 for i in range(1, 11)])


P = Period.parse(PERIOD)


@pytest.fixture(scope="module")
def month() -> Month:
    return month_from_folder(EXAMPLE / "data", P)  # read only


@needs_example
def test_no_change_changes_nobody(month: Month) -> None:
    same = what_if(month, P, WhatIf())
    assert (same["change_rp"] == 0).all() and same.height == month.result.pay_register.to_native().height


@needs_example
def test_a_smaller_budget_never_raises_pay(month: Month) -> None:
    # In share mode pay = min(cap, λ × entitlement), and λ can only fall with the pool.
    share = what_if(month, P, WhatIf(allocation=Allocation.SHARE))
    cut = what_if(month, P, WhatIf(allocation=Allocation.SHARE, tpp_pagu_change_pct=-50))
    both = share.select("nip", "what_if_rp").join(cut.select("nip", pl.col("what_if_rp").alias("cut_rp")), on="nip")
    assert (both["cut_rp"] <= both["what_if_rp"]).all()
    assert both["cut_rp"].sum() < both["what_if_rp"].sum()


def test_a_what_if_policy_is_validated_and_its_weights_add_up() -> None:
    # Every productivity weight the policy allows takes the discipline weight with it: the two
    # add up to 10000 bp; a weight no discipline weight within 0–10000 can complete is refused,
    # and so is any other value a policy.toml could not hold. A changed policy is a new version.
    base = policy(w_discipline_bp=7000, w_productivity_bp=3000)
    for w in range(10_001):
        changed = WhatIf(w_productivity_bp=w).policy(base)
        assert (changed.w_productivity_bp, changed.w_discipline_bp) == (w, 10_000 - w)
    assert WhatIf(w_productivity_bp=7000).policy(base).fingerprint != base.fingerprint
    for w in (-1, 10_001, 12_000):
        with pytest.raises(PolicyError, match="w_productivity_bp"):
            WhatIf(w_productivity_bp=w).policy(base)
    with pytest.raises(PolicyError, match="daily_cap_minutes"):
        WhatIf(daily_cap_minutes=-5).policy(base)
