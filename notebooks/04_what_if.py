# %% [markdown]
# # What if the policy changed?
#
# Recompute a month under another allocation mode, other weights, another daily cap or
# productivity rule, or a TPP budget up or down, and see who wins and who loses, by OPD and
# by kelas. Then: what would this month cost under another city's rules (two regions' presets,
# `policies/`, on the same data)? Set the parameters below.

# %% tags=["parameters"]
data = "../data/demo"
period = "2025-11"
# One change at a time, so that what moves can be read: None keeps the city's policy.
allocation = "share"  # "scale" or "share", or None
w_productivity_bp = None  # the discipline weight becomes 10000 minus this
daily_cap_minutes = None
productivity_rule = None  # "proportional", "threshold" or "tiered"
tpp_pagu_change_pct = 0.0  # every TPP pagu line of the year up or down by this many per cent
preset_a = "surabaya"  # two regions' presets (eperf policy presets) or paths to policy.toml files,
preset_b = "banjarmasin"  # compared on this month's data

# %%
import dataclasses
from pathlib import Path

import plotly.express as px
import polars as pl

from engine import Allocation, Period, ProductivityRule
from pipelines.analysis.notebooks import LABELS, offline_figures
from pipelines.analysis.whatif import WhatIf, changes, compare_policies, pools_compared, variant_month
from pipelines.month.run import month_from_folder
from pipelines.numbers import percent, rupiah
from pipelines.policies import preset_policy

offline_figures()
p = Period.parse(period)
month = month_from_folder(Path(data), p)
change = WhatIf(allocation=Allocation(allocation) if allocation else None, w_productivity_bp=w_productivity_bp,
                daily_cap_minutes=daily_cap_minutes,
                productivity_rule=ProductivityRule(productivity_rule) if productivity_rule else None,
                tpp_pagu_change_pct=tpp_pagu_change_pct)
variant = variant_month(month, p, change)
diff = changes(month, variant)
pools = pools_compared(month, variant)

# %% [markdown]
# ## What changed
# The policy keys that differ, and what the change did to the month's pools. A change of the
# year's pagu does not spread over twelve months: what was paid before this month is spent, so
# the whole difference falls on the months left (this one included), and a few per cent of the
# year can be a large share of one late month.

# %%
changed = {k: v for k, v in dataclasses.asdict(change).items() if v not in (None, 0.0)}
print("changed:", ", ".join(f"{k} = {v}" for k, v in changed.items()) or "nothing (the city's own policy)")
pagu, pool, new_pool, new_pagu = (int(pools[c].sum()) for c in ("pagu_rp", "pool_rp", "what_if_pool_rp",
                                                                   "what_if_pagu_rp"))
print(f"TPP pagu of the year {rupiah(pagu)} → {rupiah(new_pagu)}; {p.months_left} month(s) left to pay it in, "
      f"so the month's pools go {rupiah(pool)} → {rupiah(new_pool)} ({percent(10_000 * (new_pool - pool) // pool)})")
summary = diff.select(
    pl.len().alias("employees"), (pl.col("change_rp") > 0).sum().alias("win"),
    (pl.col("change_rp") < 0).sum().alias("lose"), (pl.col("change_rp") == 0).sum().alias("unchanged"),
    pl.col("pay_rp").sum().alias("now_rp"), pl.col("what_if_rp").sum().alias("what_if_rp"))
summary

# %% [markdown]
# ## By OPD

# %%
by_opd = diff.group_by("opd_code").agg(pl.col("change_rp").sum(), pl.col("pay_rp").sum()).with_columns(
    change_pct=(100 * pl.col("change_rp") / pl.col("pay_rp")).round(2)).sort("change_pct")
px.bar(by_opd, x="opd_code", y="change_pct", title="Change in gross TPP by OPD (%)", labels=LABELS).show()

# %% [markdown]
# ## By kelas

# %%
by_kelas = diff.group_by("kelas").agg(pl.col("change_rp").mean().round(0).alias("mean_change_rp"),
                                      (pl.col("change_rp") < 0).mean().alias("share_losing")).sort("kelas")
px.bar(by_kelas, x="kelas", y="mean_change_rp", title="Mean change per employee by kelas (Rp)", labels=LABELS).show()
by_kelas

# %% [markdown]
# ## Largest losses and gains

# %%
pl.concat([diff.head(10), diff.tail(10)])

# %% [markdown]
# ## Under another city's rules
#
# The same month — the same people, minutes, attendance, SKP ratings and budget — paid under
# `preset_a` and under `preset_b`. A city generated with `eperf generate --policy` has the SKP
# ratings and the CB, CLTN and TB days every preset's rules act on.

# %%
compared = compare_policies(month, p, preset_policy(preset_a, p), preset_policy(preset_b, p))
compared.employees.select(
    pl.len().alias("employees"), (pl.col("change_rp") > 0).sum().alias("win"),
    (pl.col("change_rp") < 0).sum().alias("lose"), pl.col("pay_a_rp").sum().alias(f"{preset_a}_rp"),
    pl.col("pay_b_rp").sum().alias(f"{preset_b}_rp"))

# %% [markdown]
# ### Winners and losers per OPD

# %%
px.bar(compared.opds, x="opd_code", y="change_pct", hover_data=["winners", "losers", "employees"],
       title=f"Gross TPP under {preset_b} rather than {preset_a}, by OPD (% change)", labels=LABELS).show()
compared.opds

# %% [markdown]
# ### Budget use per pool

# %%
use = compared.pools.unpivot(["use_a_pct", "use_b_pct"], index="pool_id", variable_name="policy",
                             value_name="use_pct").with_columns(
    pl.col("policy").replace({"use_a_pct": preset_a, "use_b_pct": preset_b}))
px.bar(use, x="pool_id", y="use_pct", color="policy", barmode="group",
       title="Share of each pool's budget spent (%)", labels=LABELS).show()
compared.pools.select(pl.col("pool_rp").sum(), pl.col("pay_a_rp").sum(), pl.col("pay_b_rp").sum())
