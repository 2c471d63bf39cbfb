# %% [markdown]
# # OPDs compared: productivity, discipline and fairness
#
# Do OPDs differ in productivity and discipline over the months? Is the same kelas paid the
# same across OPDs? How unequal is TPP (Gini, deciles)? Where are the under-reporters, and what
# do acting posts (PLT) and CPNS status do to pay?

# %% tags=["parameters"]
data = "../data/demo"
periods = "2025-09,2025-10,2025-11"

# %%
from pathlib import Path

import plotly.express as px
import polars as pl

from pipelines.analysis.notebooks import LABELS, moved_most, offline_figures, opd_labels, trend_chart
from pipelines.analysis.whatif import decile_shares, gini, months

offline_figures()
registers = months(Path(data), periods.split(",")).with_columns(
    pl.col("opd_code").replace(opd_labels(Path(data))))  # "1.01.01 Dinas Pendidikan"
latest = registers.filter(pl.col("period") == registers["period"].max())

# %% [markdown]
# ## Productivity and discipline by OPD, month by month
# One line per OPD; the five OPDs whose mean moved most between the first and the last month are
# named, the others drawn in grey behind them.

# %%
trend = registers.group_by("period", "opd_code").agg(
    pl.col("productivity_bp").mean(), pl.col("discipline_bp").mean()).sort("period", "opd_code")
for measure, title in (("productivity_bp", "Mean productivity by OPD"), ("discipline_bp", "Mean discipline by OPD")):
    movers = moved_most(trend, measure, 5)
    print(f"{title}: moved most", ", ".join(f"{opd} ({change:+,.0f} bp)" for opd, change in movers.iter_rows()))
    trend_chart(trend, measure, movers["opd_code"].to_list(), title).show()

# %% [markdown]
# ## Same kelas, different pay?
# Mean gross TPP of each kelas in each OPD (latest month): a wide spread within a kelas comes
# from scores, proration and the OPD's pool.

# %%
per_kelas = latest.group_by("kelas", "opd_code").agg(
    pl.col("pay_rp").mean().round(0).cast(pl.Int64).alias("mean_pay_rp"), pl.len())
px.strip(per_kelas.sort("kelas"), x="kelas", y="mean_pay_rp", hover_data=["opd_code", "len"],
         title="Mean gross TPP per kelas, one point per OPD (Rp)", labels=LABELS).show()
per_kelas.group_by("kelas").agg(
    pl.col("mean_pay_rp").min().alias("lowest_opd_rp"), pl.col("mean_pay_rp").max().alias("highest_opd_rp"),
).with_columns(spread_pct=(100 * (pl.col("highest_opd_rp") / pl.col("lowest_opd_rp") - 1)).round(1)).sort("kelas")

# %% [markdown]
# ## Inequality

# %%
print(f"Gini of gross TPP, {latest['period'][0]}: {gini(latest['pay_rp']):.3f}")
shares = decile_shares(latest["pay_rp"])
px.bar(shares.with_columns(share_pct=100 * pl.col("share")), x="decile", y="share_pct",
       title="Share of total TPP by decile (1 = lowest paid)", labels=LABELS).show()
print(f"top decile / bottom decile: {shares['share'][-1] / shares['share'][0]:.1f}×")

# %% [markdown]
# ## Under-reporters: approved minutes below half the target

# %%
latest.group_by("opd_code").agg(
    (pl.col("minutes") < pl.col("target_minutes") // 2).mean().alias("under_reporting_share"), pl.len(),
).sort("under_reporting_share", descending=True).head(15)

# %% [markdown]
# ## PLT and CPNS

# %%
latest.with_columns(acting=pl.col("plt_extra_rp") > 0).group_by("status", "acting").agg(
    pl.len(), pl.col("pay_rp").mean().round(0), pl.col("plt_extra_rp").mean().round(0)).sort("status", "acting")
