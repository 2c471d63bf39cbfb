"""e-Project (``eproject/``): procurement packages of each fiscal year, their officers and milestones,
and which activity an officer's role logs for a milestone."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from pipelines.synthetic.shared import OPEN_END, _as_date, _dates, _day, _month_bounds, _split, _weekday
from pipelines.synthetic.simpeg import KINDS

MILESTONES = ("KONTRAK", "UANG_MUKA", "TERMIN_1", "TERMIN_2", "PHO", "FHO")
MILESTONE_PCT = np.array([5, 20, 50, 80, 100, 100])

ACTIVITY_MAP = (
    ("PPK", "KONTRAK", "EPR-01"), ("PPTK", "KONTRAK", "EPR-02"),
    ("PEJABAT_PENGADAAN", "KONTRAK", "EPR-03"), ("POKJA", "KONTRAK", "EPR-03"),
    ("PPK", "UANG_MUKA", "EPR-07"), ("PPTK", "UANG_MUKA", "EPR-06"),
    ("PPK", "TERMIN_1", "EPR-07"), ("PPTK", "TERMIN_1", "EPR-06"), ("PENGAWAS", "TERMIN_1", "EPR-08"),
    ("PPK", "TERMIN_2", "EPR-07"), ("PPTK", "TERMIN_2", "EPR-06"), ("PENGAWAS", "TERMIN_2", "EPR-08"),
    ("PPK", "PHO", "EPR-04"), ("PPTK", "PHO", "EPR-06"), ("PENGAWAS", "PHO", "EPR-05"),
    ("PPK", "FHO", "EPR-04"), ("PENGAWAS", "FHO", "EPR-05"),
)


def _eproject(opds: pl.DataFrame, emp: pl.DataFrame, periods: list[str], rng: np.random.Generator
              ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Packages (per fiscal year, weighted to infrastructure OPDs), officers and milestones.

    Contracts are signed over the months before and during the generated ones, so many
    milestones complete inside them; a milestone later than the export date has no completion.
    """
    n_opd = opds.height
    kinds = [KINDS[k] for k in opds["kind"]]
    weight = np.array([k.package_weight for k in kinds]) * np.sqrt(opds["n"].to_numpy())
    export_day = _month_bounds(periods[-1])[1]
    package_frames, milestone_frames, base = [], [], 0
    for year in sorted({int(p[:4]) for p in periods}):
        mine = [p for p in periods if int(p[:4]) == year]
        count = _split(max(10, emp.height // 60), weight, 0)
        opd = np.repeat(np.arange(n_opd), count)
        k = len(opd)
        lo = max(_day(f"{year}-01-15"), _month_bounds(mine[0])[0] - 90)
        hi = min(_day(f"{year}-12-10"), _month_bounds(mine[-1])[1] - 5)
        signed = rng.integers(lo, hi + 1, k)
        value = np.clip(np.exp(rng.normal(np.log(4e8), 1.2, k)), 5e7, 2.5e10) * np.where(
            opds["kind"].to_numpy()[opd] == "infra", 3, 1)
        value = (np.round(value / 1e6) * 1e6).astype(np.int64)
        present = np.column_stack([np.ones(k, bool), (value > 5e8) & (rng.random(k) < 0.7), np.ones(k, bool),
                                   value > 2e9, np.ones(k, bool), value > 2e8])
        gaps = np.column_stack([np.zeros(k), rng.integers(7, 22, k), rng.integers(30, 61, k),
                                rng.integers(30, 46, k), rng.integers(14, 31, k), np.full(k, 180)]).astype(np.int64)
        planned = signed[:, None] + np.cumsum(gaps * np.column_stack([present[:, :5], np.ones(k, bool)]), axis=1)
        done = planned + np.rint(rng.normal(1.5, 4, (k, 6))).astype(np.int64)
        wd = _weekday(done)
        done += np.where(rng.random((k, 6)) < 0.85, np.select([wd == 5, wd == 6], [2, 1], 0), 0)
        done = np.maximum.accumulate(np.where(present, done, -OPEN_END), axis=1)
        completed = present & (done <= export_day)
        progress = np.where(completed, MILESTONE_PCT, 0).max(axis=1)
        template = np.empty(k, dtype=object)
        for name, kind in KINDS.items():
            m = opds["kind"].to_numpy()[opd] == name
            template[m] = np.array(kind.packages)[rng.integers(0, len(kind.packages), m.sum())]
        package_frames.append(pl.DataFrame({
            "pkg": base + np.arange(k), "fiscal_year": year, "opd": opd,
            "opd_code": opds["opd_code"].gather(opd),
            "template": template.astype(str),
            "value_rp": value, "start_date": _dates(signed - rng.integers(21, 61, k)),
            "end_date": _dates(np.where(present, planned, 0).max(axis=1)),
        }).with_columns(package_id=pl.format("PKT-{}-{}", year, (pl.int_range(1, k + 1)).cast(pl.String).str.zfill(4)),
                        name=pl.format("{} {}", "template", pl.int_range(1, k + 1))))
        p, m = np.nonzero(present)
        milestone_frames.append(pl.DataFrame({
            "pkg": base + p, "milestone_code": np.array(MILESTONES)[m], "planned_date": _dates(planned[p, m]),
            "completed": np.where(completed[p, m], done[p, m], OPEN_END),
            "progress_pct": np.where(completed[p, m], MILESTONE_PCT[m], progress[p]),
        }))
        base += k
    packages = pl.concat(package_frames)
    milestones = pl.concat(milestone_frames).with_columns(
        completed_date=_as_date("completed"),
        package_id=pl.lit(packages["package_id"]).gather(pl.col("pkg")))
    return packages, _assignments(packages, emp, rng), milestones


def _assignments(packages: pl.DataFrame, emp: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """PPK, PPTK, pejabat pengadaan or a pokja of three, and pengawas for each package, from its OPD."""
    opd, kelas = emp["opd"].to_numpy(), emp["kelas"].to_numpy()
    p_opd, value = packages["opd"].to_numpy(), packages["value_rp"].to_numpy()
    frames = []
    for o in np.unique(p_opd):
        pk = np.flatnonzero(p_opd == o)
        members = np.flatnonzero(opd == o)

        def pick(lo: int, hi: int, size: int, members: npt.NDArray[np.intp] = members) -> npt.NDArray[np.intp]:
            pool = members[(kelas[members] >= lo) & (kelas[members] <= hi)]
            pool = pool if len(pool) else members
            return pool[rng.integers(0, len(pool), size)]

        small = value[pk] <= 2e8
        pokja = np.repeat(pk[~small], 3)
        pengawas = np.repeat(pk, np.where(value[pk] > 2e9, 2, 1))
        for role, pkgs, people in (
                ("PPK", pk, pick(10, 17, len(pk))), ("PPTK", pk, pick(7, 10, len(pk))),
                ("PEJABAT_PENGADAAN", pk[small], pick(6, 9, int(small.sum()))),
                ("POKJA", pokja, pick(6, 10, len(pokja))), ("PENGAWAS", pengawas, pick(5, 9, len(pengawas)))):
            frames.append(pl.DataFrame({"pkg": pkgs, "emp": people, "role": role}))
    return (pl.concat(frames).unique(maintain_order=True).sort("pkg", "role", "emp")
            .with_columns(package_id=pl.lit(packages["package_id"]).gather(pl.col("pkg")),
                          nip=pl.lit(emp["nip"]).gather(pl.col("emp"))))
