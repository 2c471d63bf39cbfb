"""e-Kinerja (``ekinerja/``): the activity catalogue and the monthly activity log (Parquet, LOG_CHUNK
employees a part): everyday entries, a few on days off, the officers' own e-Project logs and the
seeded gamers' entries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from engine import AWAY_STATUSES, LogStatus
from pipelines.synthetic.behaviour import GAMING
from pipelines.synthetic.eabsensi import A
from pipelines.synthetic.eproject import ACTIVITY_MAP
from pipelines.synthetic.simpeg import PROFILES

LOG_CHUNK = 25_000  # employees per activity-log part file

CATALOG = (  # activity_code, name, standard_minutes, profile
    ("KIN-001", "Menyusun konsep surat dinas", 30, "umum"),
    ("KIN-002", "Mengagendakan surat masuk", 10, "umum"),
    ("KIN-003", "Menginput data kepegawaian", 15, "umum"),
    ("KIN-004", "Menyusun laporan bulanan", 120, "umum"),
    ("KIN-005", "Mengikuti rapat koordinasi", 90, "umum"),
    ("KIN-006", "Mengelola arsip", 30, "umum"),
    ("KIN-007", "Menyusun telaahan staf", 60, "umum"),
    ("KIN-008", "Mengoreksi konsep naskah dinas", 15, "umum"),
    ("KIN-009", "Menyiapkan bahan rapat", 45, "umum"),
    ("KIN-010", "Menyusun notulen rapat", 30, "umum"),
    ("KIN-011", "Melayani masyarakat", 20, "umum"),
    ("KIN-012", "Memutakhirkan data pada aplikasi", 20, "umum"),
    ("KIN-013", "Menyusun bahan paparan", 60, "umum"),
    ("KIN-014", "Mengikuti apel pagi", 15, "umum"),
    ("KIN-015", "Mengikuti bimbingan teknis", 240, "umum"),
    ("KIN-016", "Melaksanakan sosialisasi program", 150, "umum"),
    ("KIN-017", "Menyusun rencana kerja", 120, "umum"),
    ("KIN-018", "Menginventarisasi barang milik daerah", 30, "umum"),
    ("KIN-019", "Menggandakan dan mendistribusikan dokumen", 10, "umum"),
    ("KIN-020", "Memelihara sarana kantor", 30, "umum"),
    ("KIN-021", "Mengemudikan kendaraan dinas", 60, "umum"),
    ("KIN-022", "Menjaga keamanan kantor", 120, "umum"),
    ("KIN-023", "Membersihkan ruang kerja", 30, "umum"),
    ("KIN-024", "Menyusun rencana pelaksanaan pembelajaran", 60, "guru"),
    ("KIN-025", "Melaksanakan pembelajaran di kelas", 45, "guru"),
    ("KIN-026", "Mengoreksi hasil ujian siswa", 5, "guru"),
    ("KIN-027", "Melaksanakan bimbingan dan konseling siswa", 30, "guru"),
    ("KIN-028", "Menyusun soal ulangan", 90, "guru"),
    ("KIN-029", "Mengisi rapor siswa", 10, "guru"),
    ("KIN-030", "Membimbing kegiatan ekstrakurikuler", 90, "guru"),
    ("KIN-031", "Melakukan pemeriksaan pasien", 15, "kesehatan"),
    ("KIN-032", "Melaksanakan asuhan keperawatan", 30, "kesehatan"),
    ("KIN-033", "Melakukan imunisasi", 10, "kesehatan"),
    ("KIN-034", "Melakukan penyuluhan kesehatan masyarakat", 90, "kesehatan"),
    ("KIN-035", "Melakukan pemeriksaan laboratorium", 20, "kesehatan"),
    ("KIN-036", "Mencatat rekam medis", 10, "kesehatan"),
    ("KIN-037", "Melaksanakan piket jaga pelayanan", 240, "kesehatan"),
    ("KIN-038", "Melakukan patroli ketertiban umum", 120, "lapangan"),
    ("KIN-039", "Melaksanakan penertiban PKL dan reklame", 180, "lapangan"),
    ("KIN-040", "Melakukan monitoring lapangan", 180, "lapangan"),
    ("KIN-041", "Melaksanakan piket siaga", 240, "lapangan"),
    ("KIN-042", "Mengatur lalu lintas", 120, "lapangan"),
    ("KIN-043", "Melakukan pengujian kendaraan bermotor", 30, "lapangan"),
    ("KIN-044", "Melakukan pengawasan kebersihan lingkungan", 90, "lapangan"),
    ("KIN-045", "Memverifikasi SPJ", 45, "keuangan"),
    ("KIN-046", "Mengentri SPM", 45, "keuangan"),
    ("KIN-047", "Menyusun laporan keuangan", 180, "keuangan"),
    ("KIN-048", "Merekonsiliasi data keuangan", 120, "keuangan"),
    ("KIN-049", "Menyusun RKA", 120, "keuangan"),
    ("KIN-050", "Memproses pembayaran pajak dan retribusi", 20, "keuangan"),
    ("KIN-051", "Melaksanakan pemeriksaan dokumen", 120, "keuangan"),
    ("KIN-052", "Memimpin rapat", 90, "pimpinan"),
    ("KIN-053", "Mendisposisi surat", 5, "pimpinan"),
    ("KIN-054", "Menandatangani dokumen dinas", 5, "pimpinan"),
    ("KIN-055", "Melakukan pembinaan pegawai", 60, "pimpinan"),
    ("KIN-056", "Mengevaluasi capaian kinerja bawahan", 60, "pimpinan"),
    ("KIN-057", "Memimpin apel pagi", 30, "pimpinan"),
    ("KIN-058", "Menghadiri rapat eksternal", 120, "pimpinan"),
    ("KIN-059", "Menilai aktivitas harian bawahan", 30, "pimpinan"),
    ("EPR-01", "Menandatangani kontrak pengadaan", 120, "eproject"),
    ("EPR-02", "Menyusun dokumen kontrak", 90, "eproject"),
    ("EPR-03", "Mengevaluasi penawaran dan negosiasi", 180, "eproject"),
    ("EPR-04", "Memeriksa serah terima pekerjaan", 150, "eproject"),
    ("EPR-05", "Mengawasi pekerjaan di lapangan", 240, "eproject"),
    ("EPR-06", "Memverifikasi dokumen pembayaran", 60, "eproject"),
    ("EPR-07", "Menyetujui pembayaran termin", 45, "eproject"),
    ("EPR-08", "Menyusun laporan kemajuan pekerjaan", 60, "eproject"),
)
ROUTINE = sum(c[3] != "eproject" for c in CATALOG)  # routine activities come first in CATALOG

LOG_STATUS = tuple(s.value for s in (LogStatus.APPROVED, LogStatus.SUBMITTED, LogStatus.DRAFT, LogStatus.REJECTED))
LOG_STATUS_P = (0.885, 0.05, 0.035, 0.03)
QUANTITY_P = (0.6, 0.25, 0.1, 0.05)  # quantity 1..4
MAX_ENTRIES = 12  # most log entries an employee makes in a day
FILL_ACTIVITY, FILL_COPIES = "KIN-012", 52


def _activity_mix() -> npt.NDArray[np.float64]:
    """Per profile, the cumulative probability of each (non e-Project) activity.

    Staff mix their own profile's activities with general office work, each activity of a
    group equally likely.
    """
    profile = np.array([c[3] for c in CATALOG])
    general = (profile == "umum") / (profile == "umum").sum()
    mix = np.array([general if p == "umum" else 0.45 * general + 0.55 * (profile == p) / (profile == p).sum()
                    for p in PROFILES])
    return np.cumsum(mix, axis=1)


def _log_rows(codes: npt.NDArray[np.int8], work: npt.NDArray[np.int64], off_days: npt.NDArray[np.int64],
              goal: npt.NDArray[np.float64], profile: npt.NDArray[np.int64], gaming: npt.NDArray[np.int8], lo: int,
              events: pl.DataFrame, cum_mix: npt.NDArray[np.float64], rng: np.random.Generator) -> pl.DataFrame:
    """Integer-coded log rows of employees lo.. for one month: emp, day, act, quantity, src, ref.

    On each H day an employee logs entries until the day's goal (their habit ± 50 minutes) is
    about reached (src 0); a few log on weekends/holidays (src 1); e-Project logs with ref (src 2)
    come from `events`. Quantity above 1 only for tasks of at most 45 minutes. Seeded gamers
    (GAMING) add their entries as src 0.
    """
    minutes = np.array([c[2] for c in CATALOG])

    stacked = (cum_mix + np.arange(len(PROFILES))[:, None]).ravel()  # profile p's cdf shifted by p

    def activities(prof: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        act: npt.NDArray[np.int64] = (np.searchsorted(stacked, prof + rng.random(len(prof)), side="right")
                                      - prof * len(CATALOG))
        return np.minimum(act, ROUTINE - 1)

    def quantities(act: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        q = 1 + np.searchsorted(np.cumsum(QUANTITY_P), rng.random(act.shape), side="right")
        return np.where(minutes[act] <= 45, np.minimum(q, 4), 1)

    r, c = np.nonzero(codes == A["H"])
    day_goal = goal[lo + r] + rng.normal(0, 50, len(r))
    day_goal[rng.random(len(r)) < 0.02] = 0  # forgot to log that day
    act = activities(np.repeat(profile[lo + r], MAX_ENTRIES)).reshape(len(r), MAX_ENTRIES)
    qty = quantities(act)
    spent = minutes[act] * qty
    i, k = np.nonzero(np.cumsum(spent, axis=1) - spent / 2 < day_goal[:, None])
    regular = pl.DataFrame({"emp": lo + r[i], "day": work[c[i]], "act": act[i, k], "quantity": qty[i, k], "src": 0})

    who = np.flatnonzero((codes.max(axis=1) > 0) & (rng.random(len(codes)) < 0.003))
    many = rng.integers(1, 4, len(who))
    emp = lo + np.repeat(who, many)
    act = activities(np.zeros(len(emp), dtype=np.int64))
    weekend = pl.DataFrame({"emp": emp, "day": np.repeat(off_days[rng.integers(0, len(off_days), len(who))], many),
                            "act": act, "quantity": quantities(act), "src": 1})
    mine = events.filter(pl.col("emp").is_between(lo, lo + len(codes) - 1)).with_columns(quantity=1, src=2)
    fill = next(i for i, c in enumerate(CATALOG) if c[0] == FILL_ACTIVITY)
    r, c = np.nonzero((codes == A["H"]) & (gaming[lo:lo + len(codes), None] == GAMING.index("cap_filler")))
    filled = pl.DataFrame({"emp": lo + np.repeat(r, FILL_COPIES), "day": np.repeat(work[c], FILL_COPIES),
                           "act": fill, "quantity": 1, "src": 0})
    away = np.isin(codes, [A[s] for s in AWAY_STATUSES])
    leave = away & (gaming[lo:lo + len(codes), None] == GAMING.index("leave_logger"))
    r, c = np.nonzero(leave)
    act = activities(np.repeat(profile[lo + r], 4))
    on_leave = pl.DataFrame({"emp": lo + np.repeat(r, 4), "day": np.repeat(work[c], 4), "act": act,
                             "quantity": quantities(act), "src": 0})
    no_ref = pl.lit(None, pl.Int64).alias("ref")
    return (pl.concat([regular.with_columns(no_ref), filled.with_columns(no_ref), on_leave.with_columns(no_ref),
                       weekend.with_columns(no_ref),
                       mine.select("emp", "day", "act", "quantity", "src", "ref")], how="vertical_relaxed")
            .sort("emp", "day", "src", maintain_order=True))


def _log_frame(rows: pl.DataFrame, nips: pl.Series, superior: npt.NDArray[np.int64], package_ids: pl.Series,
               ym: str, first_id: int, rng: np.random.Generator) -> pl.DataFrame:
    """The e-Kinerja export columns for integer-coded log rows: status, atasan, approval time.

    Drafts have no approver; only approved logs have approved_at, the same day or (for some)
    days or weeks later.
    """
    n = rows.height
    status = np.searchsorted(np.cumsum(LOG_STATUS_P), rng.random(n), side="right").clip(max=3)
    delay = rng.choice([0, 1, 2, 3, 5, 8, 13, 21], size=n, p=[0.5, 0.2, 0.1, 0.06, 0.06, 0.04, 0.025, 0.015])
    clock = np.where(delay == 0, rng.integers(900, 1320, n), rng.integers(420, 1320, n))
    approver = np.where(status == LOG_STATUS.index(LogStatus.DRAFT.value), -1, superior[rows["emp"].to_numpy()])
    approved_min = (rows["day"].to_numpy() + delay) * 1440 + clock
    return rows.with_columns(status=status, approver=approver, approved_min=approved_min).select(
        log_id=pl.format("LOG-{}-{}", pl.lit(ym.replace("-", "")),
                         (pl.int_range(pl.len()) + first_id).cast(pl.String).str.zfill(9)),
        nip=pl.lit(nips).gather(pl.col("emp")),
        work_date=pl.col("day").cast(pl.Int32).cast(pl.Date),
        activity_code=pl.lit(pl.Series([c[0] for c in CATALOG])).gather(pl.col("act")),
        quantity=pl.col("quantity").cast(pl.Int64),
        status=pl.lit(pl.Series(LOG_STATUS)).gather(pl.col("status")),
        approver_nip=pl.lit(nips).gather(pl.when(pl.col("approver") >= 0).then(pl.col("approver"))),
        approved_at=pl.when(pl.col("status") == LOG_STATUS.index(LogStatus.APPROVED.value)).then(
            (pl.col("approved_min").cast(pl.Int64) * 60_000_000).cast(pl.Datetime("us"))),
        ref=pl.lit(package_ids).gather(pl.col("ref")),
    )


def _project_events(milestones: pl.DataFrame, assignments: pl.DataFrame, bounds: tuple[int, int],
                    rng: np.random.Generator) -> pl.DataFrame:
    """Officers' own e-Project logs for milestones completed this month: mostly the mapped activity
    on the completion day with ref (what §4.8 de-duplicates), some on an earlier day, some without ref."""
    amap = pl.DataFrame(ACTIVITY_MAP, schema=["role", "milestone_code", "activity_code"], orient="row")
    codes = {c[0]: i for i, c in enumerate(CATALOG)}
    ev = (milestones.filter(pl.col("completed").is_between(*bounds))
          .join(assignments, on="pkg").join(amap, on=["role", "milestone_code"])
          .select("emp", day="completed", act=pl.col("activity_code").replace_strict(codes, return_dtype=pl.Int64),
                  ref="pkg")
          .unique().sort("emp", "day", "act", "ref"))
    u = rng.random(ev.height)
    shift = rng.integers(1, 4, ev.height)
    return ev.with_columns(
        day=pl.col("day") - pl.Series(np.where((u >= 0.45) & (u < 0.55), shift, 0)),
        ref=pl.when(pl.Series((u >= 0.55) & (u < 0.6))).then(None).otherwise(pl.col("ref")),
    ).filter(pl.Series(u < 0.6))


def _write_activity_log(folder: Path, ym: str, emp: pl.DataFrame, superior: npt.NDArray[np.int64],
                        codes: npt.NDArray[np.int8], work: npt.NDArray[np.int64], off_days: npt.NDArray[np.int64],
                        events: pl.DataFrame, package_ids: pl.Series, rng: np.random.Generator) -> int:
    """Write one month of the log as `folder`/period=YYYY-MM/part-K.parquet, LOG_CHUNK employees a part."""
    folder = folder / f"period={ym}"
    folder.mkdir(parents=True, exist_ok=True)
    goal, profile, gaming = (emp[c].to_numpy() for c in ("log_goal", "profile", "gaming"))
    cum_mix = _activity_mix()
    written = 0
    for part, lo in enumerate(range(0, emp.height, LOG_CHUNK)):
        rows = _log_rows(codes[lo:lo + LOG_CHUNK], work, off_days, goal, profile, gaming, lo, events, cum_mix, rng)
        _log_frame(rows, emp["nip"], superior, package_ids, ym, written + 1, rng).write_parquet(
            folder / f"part-{part:04d}.parquet", compression="zstd")
        written += rows.height
    return written
