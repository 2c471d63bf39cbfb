"""How the employees behave, as e-Absensi and e-Kinerja both reflect it: each one's habits (minutes
logged a day, arrival, lateness, early leave, attendance machine) and the seeded gamers."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

GAMING = ("", "cap_filler", "leave_logger")
"""Seeded gaming (index = code): a cap filler logs one 20-minute task 52 times on every day
present (1,040 minutes, 16 hours 40); a leave logger logs a normal day's work on days of leave."""
GAMERS_P = 0.003  # share of employees of each gaming kind (at least 2 of each)


def _gamers(n: int, rng: np.random.Generator) -> npt.NDArray[np.int8]:
    """Per employee the code of their seeded gaming (0: none; see GAMING), disjoint kinds."""
    per_kind = max(2, round(GAMERS_P * n))
    chosen = rng.choice(n, size=per_kind * (len(GAMING) - 1), replace=False)
    gaming = np.zeros(n, dtype=np.int8)
    gaming[chosen] = np.repeat(np.arange(1, len(GAMING), dtype=np.int8), per_kind)
    return gaming


def _habits(emp: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Per-employee behaviour: minutes logged on a present day (8 % under-reporters, 3 % logging
    past the daily cap), usual arrival, lateness and early-leave propensity, attendance machine."""
    n = emp.height
    u = rng.random(n)
    opd = emp["opd"].to_numpy()
    machines = np.maximum(1, np.bincount(opd) // 150)
    first_machine = np.concatenate([[1], np.cumsum(machines)[:-1] + 1])
    device = first_machine[opd] + (rng.random(n) * machines[opd]).astype(np.int64)
    return pl.DataFrame({
        "log_goal": np.select([u < 0.08, u > 0.97], [rng.uniform(60, 200, n), rng.uniform(480, 700, n)],
                              np.clip(rng.normal(360, 40, n), 260, 460)),
        "arrive": np.clip(rng.normal(430, 8, n), 395, 445),  # minutes after midnight
        "late_p": rng.beta(1.2, 22, n),
        "early_p": rng.beta(1, 45, n),
        "device_id": np.char.add("MESIN-", np.char.zfill(device.astype(str), 3)),
    })
