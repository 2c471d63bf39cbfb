"""The analysts' helpers: inequality by hand, and what-if runs that change only what they say."""

from __future__ import annotations

import polars as pl
import pytest

from engine import Period
from engine.policy import Allocation, PolicyError
from pipelines.analysis.whatif import WhatIf, compare_policies, decile_shares, gini, what_if
from pipelines.month.run import Month, month_from_folder, month_of
from pipelines.policies import preset_policy
from pipelines.sources.readers import DataDir
from tests.city import NIP_A, WEEKDAYS, base_city, employee, logs, policy, present
from tests.city import PERIOD as CITY
from tests.engine.test_regional import POSTS
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


def test_two_presets_compared_on_one_month_by_hand() -> None:
    # Two employees of OPD 1.01.01 (S6: Rp 6,000,000 at full score). A is present 8 of 20 days (12 izin):
    # under Surabaya's rules 6,000,000; under Manado's presence gates 40 % → half, 3,000,000. B is
    # present every day: 6,000,000 under both. The pool (1.2 billion for the month) does not bind.
    b = "198502022010012002"
    attendance = (present(NIP_A, WEEKDAYS[:8]) + [{"nip": NIP_A, "work_date": d, "status": "I"} for d in WEEKDAYS[8:]]
                  + present(b))
    tables = base_city(positions=POSTS, employees=[employee(NIP_A, position="S6"), employee(b, position="S6")],
                       attendance=attendance, activity_log=logs(NIP_A) + logs(b))
    month = month_of(DataDir({n: t.lazy() for n, t in tables.items()}, pl.DataFrame(), ()), policy(), CITY, "x")
    compared = compare_policies(month, CITY, preset_policy("surabaya", CITY), preset_policy("manado", CITY))
    assert compared.employees.select("nip", "pay_a_rp", "pay_b_rp", "change_rp").rows() == [
        (NIP_A, 6_000_000, 3_000_000, -3_000_000), (b, 6_000_000, 6_000_000, 0)]
    assert compared.opds.row(0, named=True) == {
        "opd_code": "1.01.01", "employees": 2, "pay_a_rp": 12_000_000, "pay_b_rp": 9_000_000,
        "change_rp": -3_000_000, "change_pct": -25.0, "winners": 0, "losers": 1}
    pool = compared.pools.row(0, named=True)  # pool = 1,200,000,000 / (13 − 2) = 109,090,909
    assert (pool["pool_rp"], pool["pay_a_rp"], pool["pay_b_rp"], pool["use_b_pct"]) == (
        109_090_909, 12_000_000, 9_000_000, 8.25)
