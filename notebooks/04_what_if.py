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
allocation = "share"  # "scale" or "share"
w_productivity_bp = 6000  # the discipline weight is 10000 minus this
daily_cap_minutes = 420
productivity_rule = "proportional"  # "proportional", "threshold" or "tiered"
tpp_pagu_change_pct = -5.0
preset_a = "surabaya"  # a region's preset (eperf policy presets) or a path to a policy.toml
preset_b = "banjarmasin"

# %%
from pathlib import Path

import plotly.express as px
import polars as pl

from engine import Allocation, Period, ProductivityRule
from pipelines.analysis.notebooks import LABELS, offline_figures
from pipelines.analysis.whatif import WhatIf, compare_policies, what_if
from pipelines.month.run import month_from_folder
from pipelines.policies import preset_policy

offline_figures()
p = Period.parse(period)
month = month_from_folder(Path(data), p)
change = WhatIf(allocation=Allocation(allocation), w_productivity_bp=w_productivity_bp,
                daily_cap_minutes=daily_cap_minutes, productivity_rule=ProductivityRule(productivity_rule),
                tpp_pagu_change_pct=tpp_pagu_change_pct)
diff = what_if(month, p, change)

# %%
diff.select(
    pl.len().alias("employees"), (pl.col("change_rp") > 0).sum().alias("win"),
    (pl.col("change_rp") < 0).sum().alias("lose"), pl.col("pay_rp").sum().alias("now_rp"),
    pl.col("what_if_rp").sum().alias("what_if_rp"))

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
