# %% [markdown]
# # Suspicious logging
#
# "The more work, the more pay" invites gaming. The checks of `pipelines.analysis.gaming` flag days at
# the daily cap, the same entry repeated, work approved on days of leave or absence, month-end
# bursts, approvers who approve everything at once or sign impossible days, and catalogue
# activities worth many ordinary ones. Each suspect comes with the evidence and the pay that
# depends on the suspect entries. A flag is a reason to look, not a verdict.

# %% tags=["parameters"]
data = "../data/demo"
period = "2025-11"

# %%
from pathlib import Path

import plotly.express as px
import polars as pl

from engine import Period
from pipelines.analysis.gaming import findings
from pipelines.analysis.notebooks import LABELS, offline_figures
from pipelines.month.run import month_from_folder

offline_figures()
pl.Config.set_fmt_str_lengths(160)
pl.Config.set_tbl_rows(30)
p = Period.parse(period)
month = month_from_folder(Path(data), p)
found = findings(month.data.frames(), month.result.pay_register.to_native(), month.policy, p)

# %% [markdown]
# ## Suspects, ranked by the number of flags and the pay at stake
# Pay at stake is what the suspect entries earn this month: the entitlement with them less the
# entitlement without them. It is Rp 0 when the employee reaches the minutes target even without
# them (`target_met_without`): the entries add minutes (`minutes_at_stake`) but no pay, because
# productivity is already at 100 %; or when they fall on days that count credit minutes (leave,
# travel), where logs earn nothing. Such a suspect costs nothing now, but the habit would pay the
# month an honest record falls short.

# %%
found.suspects.head(30)

# %%
stakes = found.suspects.select(
    pl.when(pl.col("pay_at_stake_rp") > 0).then(pl.lit("the entries raise pay"))
    .when(pl.col("target_met_without")).then(pl.lit("target met without them: Rp 0"))
    .otherwise(pl.lit("entries on credit days: Rp 0")).alias("what is at stake"),
    "pay_at_stake_rp", "minutes_at_stake",
).group_by("what is at stake").agg(
    pl.len().alias("suspects"), pl.col("pay_at_stake_rp").sum().alias("pay at stake (Rp)"),
    pl.col("minutes_at_stake").sum().alias("minutes the entries add"),
).sort("suspects", descending=True)
stakes

# %%
px.histogram(found.employees, x="flag", title="Employees flagged, per check", labels=LABELS).show()
px.bar(found.suspects.filter(pl.col("pay_at_stake_rp") > 0).head(30), x="nip", y="pay_at_stake_rp",
       color="flags", title="Pay that depends on the suspect entries", labels=LABELS).show()

# %% [markdown]
# ## Approvers

# %%
found.approvers

# %% [markdown]
# ## Catalogue activities worth over 3 × the median

# %%
found.catalogue
