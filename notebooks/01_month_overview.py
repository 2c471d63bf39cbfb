# %% [markdown]
# # Month overview
#
# How many are paid, how pay compares with each OPD's pool, how pay and scores spread by kelas
# and status, and what holds pay back: productivity (too few approved minutes) or discipline
# (lateness, early leave, absence).

# %% tags=["parameters"]
data = "../data/demo"
period = "2025-11"

# %%
from pathlib import Path

import plotly.express as px
import polars as pl

from engine import Period
from pipelines.analysis.notebooks import LABELS, box_chart, offline_figures, opd_labels
from pipelines.month.run import month_from_folder

offline_figures()
month = month_from_folder(Path(data), Period.parse(period))
register = month.result.pay_register.to_native()
pools = month.result.pool_summary.to_native()

# %% [markdown]
# ## Headcount and totals by status

# %%
register.group_by("status").agg(
    pl.len().alias("employees"), pl.col("pay_rp").sum(), pl.col("net_rp").sum(),
    pl.col("score_bp").mean().round(0).alias("mean_score_bp"),
).sort("status")

# %% [markdown]
# ## Pay against the pool, per OPD
# A pool that binds (pay = pool) scaled everyone's entitlement down.

# %%
by_pool = pools.with_columns(use_pct=(100 * pl.col("pay_rp") / pl.col("pool_rp")).round(1),
                             pool_id=pl.col("pool_id").replace(opd_labels(Path(data)))).sort("use_pct")
px.bar(by_pool, x="pool_id", y="use_pct", color="binding",
       title=f"Pay as % of the pool, {period}", labels=LABELS).show()

# %% [markdown]
# ## Pay and score by kelas and status

# %%
box_chart(register, x="kelas", y="pay_rp", color="status", title="Gross TPP by kelas and status").show()
binned = register.with_columns(score_bp=pl.col("score_bp") // 200 * 200).group_by("score_bp", "status").len()
px.bar(binned.sort("status", "score_bp"), x="score_bp", y="len", color="status", barmode="overlay", opacity=0.7,
       title="Performance score (bp, bins of 200)", labels=LABELS | {"len": LABELS["count"]}).show()

# %% [markdown]
# ## What holds pay back
# Share of employees (%) below the full 10,000 bp on productivity, on discipline, on both.

# %%
short = register.select(
    productivity=pl.col("productivity_bp") < 10_000, discipline=pl.col("discipline_bp") < 10_000)
short.select(
    (100 * (pl.col("productivity") & ~pl.col("discipline")).mean()).round(1).alias("productivity only (%)"),
    (100 * (~pl.col("productivity") & pl.col("discipline")).mean()).round(1).alias("discipline only (%)"),
    (100 * (pl.col("productivity") & pl.col("discipline")).mean()).round(1).alias("both (%)"),
    (100 * (~pl.col("productivity") & ~pl.col("discipline")).mean()).round(1).alias("neither (%)"),
)
