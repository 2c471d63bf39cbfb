# %% [markdown]
# # Budget burn and forecast
#
# TPP paid so far this fiscal year (SP2D) month by month, this month's computed pay, the
# year's TPP pagu, and where the year ends if every payment still to come (each month left and
# each THR or gaji-13 ahead) costs what this month's pay does: `eperf budget`'s one rule.

# %% tags=["parameters"]
data = "../data/demo"
period = "2025-11"

# %%
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from engine import Period, budget_outlook, projection_rule
from pipelines.analysis.notebooks import offline_figures
from pipelines.analysis.whatif import burn
from pipelines.month.run import month_from_folder

offline_figures()
p = Period.parse(period)
month = month_from_folder(Path(data), p)
curve = burn(month, p)
pools = month.result.pool_summary.to_native()
monthly = int(pools["pay_rp"].sum())
extra_after = [e.period for e in month.policy.extra_payments if e.period[:4] == str(p.year) and e.period > period]
outlook = budget_outlook(month.result.budget_check, p, extra_payments_after=len(extra_after)).to_native()
projected = curve["cumulative_rp"][-1] + monthly * (p.months_left - 1 + len(extra_after))
print(projection_rule(p, len(extra_after)))
print(f"pagu {curve['pagu_rp'][0]:,} · paid and computed to {period}: {curve['cumulative_rp'][-1]:,} · "
      f"projected year end: {projected:,} ({100 * projected / curve['pagu_rp'][0]:.1f} % of pagu)")

# %%
ahead = [f"{p.year}-{m:02d}" for m in range(p.month, 13)]
fig = go.Figure([
    go.Scatter(name="paid, then this month", x=curve["period"], y=curve["cumulative_rp"], mode="lines+markers"),
    go.Scatter(name="projection", x=ahead, mode="lines", line={"dash": "dot"},
               y=[curve["cumulative_rp"][-1] + monthly * (i + sum(e <= m for e in extra_after))
                  for i, m in enumerate(ahead)]),
    go.Scatter(name="pagu", x=[curve["period"][0], ahead[-1]], y=[curve["pagu_rp"][0]] * 2, mode="lines"),
], layout={"title": f"TPP burn-down, fiscal year {p.year}", "xaxis": {"title": "month"},
           "yaxis": {"title": "cumulative TPP paid (Rp)", "tickformat": ",.0f"}})
fig.show()

# %% [markdown]
# ## Pools closest to their pagu

# %%
outlook.filter(pl.col("level") == "pool").with_columns(
    projected_pct=(100 * pl.col("projected_rp") / pl.col("pagu_rp")).round(1)).sort(
    "projected_pct", descending=True).select("pool_id", "pagu_rp", "realized_rp", "this_run_rp", "projected_rp",
                                             "projected_pct", "status").head(15)
