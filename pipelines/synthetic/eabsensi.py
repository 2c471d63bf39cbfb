"""e-Absensi (``eabsensi/attendance.csv``): a month of attendance drawn as employee × working-day
matrices, ATT_CHUNK employees at a time, and its rows day by day."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from engine import ATTENDANCE_STATUSES as ATTENDANCE
from pipelines.synthetic.behaviour import GAMING
from pipelines.synthetic.shared import _dates, _rng

ATT_CHUNK = 50_000  # employees whose attendance is drawn at once

A = {s: i + 1 for i, s in enumerate(ATTENDANCE)}  # attendance status code = index + 1
LEAVE_SPELLS = (  # status, probability, shortest and longest spell in working days
    ("CT", 0.42, 1, 5), ("DL", 0.25, 1, 3), ("S", 0.12, 1, 3), ("DIK", 0.07, 3, 10),
    ("I", 0.06, 1, 2), ("CAP", 0.03, 2, 6), ("CS", 0.03, 5, 15), ("CM", 0.02, 23, 23),
)
Matrices = tuple[npt.NDArray[np.int8], npt.NDArray[np.int16], npt.NDArray[np.int16]]
"""Attendance as employee × working-day matrices: status code (0 = no row), check-in and check-out minutes
(-1 = missing)."""


def _hhmm(col: str) -> pl.Expr:
    """Minutes after midnight as 'HH:MM'; negative means missing."""
    m = pl.col(col)
    return pl.when(m >= 0).then(pl.format(
        "{}:{}", (m // 60).cast(pl.String).str.zfill(2), (m % 60).cast(pl.String).str.zfill(2))).alias(col)


def _attendance(emp: pl.DataFrame, work: npt.NDArray[np.int64], seed: int, ym: str,
                regional_leave: bool = False) -> Matrices:
    """One month of e-Absensi as three employee × working-day matrices: the status code
    (0 = no row), check-in and check-out minutes (-1 = missing). Drawn ATT_CHUNK employees at a
    time (each chunk its own generator), so memory holds the compact matrices, not the draws.
    ``regional_leave`` adds cuti besar, CLTN and tugas belajar days (:func:`_regional_leave`)."""
    chunks = [_attendance_chunk(emp.slice(lo, ATT_CHUNK), work, _rng(seed, "attendance", ym, lo // ATT_CHUNK),
                                _rng(seed, "regional-leave", lo // ATT_CHUNK) if regional_leave else None,
                                _rng(seed, "cuti-besar", ym, lo // ATT_CHUNK) if regional_leave else None)
              for lo in range(0, emp.height, ATT_CHUNK)]
    code, check_in, check_out = zip(*chunks)
    return np.concatenate(code), np.concatenate(check_in), np.concatenate(check_out)


REGIONAL_LEAVE_P = {"CLTN": 0.004, "TB": 0.006}
"""Share of employees on CLTN or tugas belajar (at least one each), every month of the city."""
CUTI_BESAR_P = 0.01
"""Share of employees taking a spell of cuti besar in a month."""


def _regional_leave(code: npt.NDArray[np.int8], active: npt.NDArray[np.bool_], standing: np.random.Generator,
                    monthly: np.random.Generator) -> npt.NDArray[np.int8]:
    """``code`` with the leave some regions stop TPP for: the same few employees on CLTN or
    tugas belajar all month, every month (``standing`` draws them), and a spell of cuti besar
    (5 days to the whole month) for others (``monthly``)."""
    n, d = code.shape
    counts = [min(n // 4, max(1, round(p * n))) for p in REGIONAL_LEAVE_P.values()]  # at least one of each
    chosen = standing.choice(n, size=sum(counts), replace=False)
    whole = np.zeros(n, dtype=np.int64)
    whole[chosen] = np.repeat([A[s] for s in REGIONAL_LEAVE_P], counts)
    first = monthly.integers(0, max(d - 4, 1), n)
    takes = np.asarray(monthly.random(n) < CUTI_BESAR_P)
    spell = (takes[:, None] & (np.arange(d) >= first[:, None])
             & (np.arange(d) < (first + monthly.integers(5, 24, n))[:, None]))
    out = np.where(spell, A["CB"], code)
    out = np.where(whole[:, None] > 0, whole[:, None], out)
    return np.where(active & (code > 0), out, code).astype(np.int8)


def _attendance_chunk(emp: pl.DataFrame, work: npt.NDArray[np.int64], rng: np.random.Generator,
                      standing: np.random.Generator | None = None,
                      monthly: np.random.Generator | None = None) -> Matrices:
    n, d = emp.height, len(work)
    start, end = emp["start"].to_numpy(), emp["end"].to_numpy()
    active = (start[:, None] <= work) & (end[:, None] >= work)

    names, probs, shortest, longest = zip(*LEAVE_SPELLS)
    kind = rng.choice(len(names), size=n, p=probs)
    status = np.array([A[s] for s in names])[kind]
    status = np.where((status == A["CM"]) & (emp["sex"].to_numpy() == 1), A["CT"], status)
    first = rng.integers(-3, d, n)
    last = first + rng.integers(np.array(shortest)[kind], np.array(longest)[kind] + 1)
    leave_logger = emp["gaming"].to_numpy() == GAMING.index("leave_logger")
    status = np.where(leave_logger, A["CT"], status)  # leave loggers take 3 days of leave inside the month
    first = np.where(leave_logger, np.clip(first, 0, max(d - 3, 0)), first)
    last = np.where(leave_logger, first + 3, last)
    col = np.arange(d)
    spell = ((rng.random(n) < np.where(leave_logger, 1.0, 0.2))[:, None]
             & (col >= first[:, None]) & (col < last[:, None]))
    code = np.where(spell, status[:, None], A["H"])
    u = rng.random((n, d))
    single = np.select([u < 0.0025, u < 0.0055, u < 0.0105, u < 0.0205],
                       [A["TK"], A["I"], A["S"], A["DL"]], A["H"])
    code = np.where(code == A["H"], single, code)
    code = np.where(active & (rng.random((n, d)) >= 0.006), code, 0).astype(np.int8)
    if standing is not None and monthly is not None:
        code = _regional_leave(code, active, standing, monthly)

    arrive = np.rint(emp["arrive"].to_numpy()[:, None] + rng.normal(0, 7, (n, d))).clip(360, 450)
    late = rng.random((n, d)) < emp["late_p"].to_numpy()[:, None]
    check_in = np.where(late, 451 + np.floor(rng.exponential(20, (n, d))).clip(max=200), arrive)
    leave = 960 + np.floor(rng.uniform(0, 91, (n, d)))
    early = rng.random((n, d)) < emp["early_p"].to_numpy()[:, None]
    check_out = np.where(early, 959 - np.floor(rng.exponential(25, (n, d))).clip(max=200), leave)
    present = code == A["H"]
    check_in = np.where(present & (rng.random((n, d)) >= 0.004), check_in, -1).astype(np.int16)
    check_out = np.where(present & (rng.random((n, d)) >= 0.008), check_out, -1).astype(np.int16)
    return code, check_in, check_out


def _attendance_day(emp: pl.DataFrame, matrices: Matrices, work: npt.NDArray[np.int64], c: int) -> pl.DataFrame:
    """The rows of working day ``c``, by NIP (the employees are in NIP order): an export sorted
    by date, then NIP, as e-Absensi writes it day after day."""
    code, check_in, check_out = (m[:, c] for m in matrices)
    r = np.nonzero(code)[0]
    return pl.DataFrame({
        "nip": emp["nip"].gather(r), "work_date": _dates(np.full(len(r), work[c])),
        "status": pl.Series(ATTENDANCE).gather(code[r].astype(np.int64) - 1),
        "check_in": check_in[r].astype(np.int64), "check_out": check_out[r].astype(np.int64),
        "device_id": emp["device_id"].gather(r),
    }).with_columns(_hhmm("check_in"), _hhmm("check_out"))
