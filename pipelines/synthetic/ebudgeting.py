"""e-Budgeting (``ebudgeting/apbd_lines.csv``): each OPD's monthly TPP cap and salary bills, and the
APBD murni and perubahan of every fiscal year built on them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

from engine import CRITERIA
from pipelines.synthetic.shared import EXTRA_MONTHS, _extras_from
from pipelines.synthetic.simpeg import KINDS

TPP_ACCOUNTS = (  # criterion, account code, name
    ("bk", "5.1.01.02.01.0001", "Tambahan Penghasilan berdasarkan Beban Kerja PNS"),
    ("tb", "5.1.01.02.02.0001", "Tambahan Penghasilan berdasarkan Tempat Bertugas PNS"),
    ("kk", "5.1.01.02.03.0001", "Tambahan Penghasilan berdasarkan Kondisi Kerja PNS"),
    ("kp", "5.1.01.02.04.0001", "Tambahan Penghasilan berdasarkan Kelangkaan Profesi PNS"),
    ("pk", "5.1.01.02.05.0001", "Tambahan Penghasilan berdasarkan Prestasi Kerja PNS"),
    ("pol", "5.1.01.02.06.0001", "Tambahan Penghasilan berdasarkan Pertimbangan Objektif Lainnya PNS"),
)
# account code, name, share of the OPD's annual bill
SALARY_PNS = (
    ("5.1.01.01.01.0001", "Belanja Gaji Pokok PNS", 0.62),
    ("5.1.01.01.02.0001", "Belanja Tunjangan Keluarga PNS", 0.07),
    ("5.1.01.01.03.0001", "Belanja Tunjangan Jabatan PNS", 0.05),
    ("5.1.01.01.04.0001", "Belanja Tunjangan Fungsional PNS", 0.08),
    ("5.1.01.01.05.0001", "Belanja Tunjangan Fungsional Umum PNS", 0.03),
    ("5.1.01.01.06.0001", "Belanja Tunjangan Beras PNS", 0.05),
    ("5.1.01.01.07.0001", "Belanja Tunjangan PPh/Tunjangan Khusus PNS", 0.03),
    ("5.1.01.01.08.0001", "Belanja Pembulatan Gaji PNS", 0.001),
    ("5.1.01.01.09.0001", "Belanja Iuran Jaminan Kesehatan PNS", 0.04),
    ("5.1.01.01.10.0001", "Belanja Iuran Jaminan Kecelakaan Kerja PNS", 0.003),
    ("5.1.01.01.11.0001", "Belanja Iuran Jaminan Kematian PNS", 0.006),
)
SALARY_PPPK = (
    ("5.1.01.01.01.0002", "Belanja Gaji Pokok PPPK", 0.80),
    ("5.1.01.01.02.0002", "Belanja Tunjangan Keluarga PPPK", 0.07),
    ("5.1.01.01.06.0002", "Belanja Tunjangan Beras PPPK", 0.05),
    ("5.1.01.01.09.0002", "Belanja Iuran Jaminan Kesehatan PPPK", 0.04),
    ("5.1.01.01.10.0002", "Belanja Iuran Jaminan Kecelakaan Kerja PPPK", 0.003),
    ("5.1.01.01.11.0002", "Belanja Iuran Jaminan Kematian PPPK", 0.006),
)
GOODS = (
    ("5.1.02.01.01.0024", "Belanja Alat/Bahan untuk Kegiatan Kantor-Alat Tulis Kantor", 5),
    ("5.1.02.01.01.0052", "Belanja Makanan dan Minuman Rapat", 4),
    ("5.1.02.02.01.0026", "Belanja Jasa Tenaga Administrasi", 14),
    ("5.1.02.02.01.0030", "Belanja Jasa Tenaga Kebersihan", 10),
    ("5.1.02.02.01.0063", "Belanja Tagihan Listrik", 6),
    ("5.1.02.02.12.0001", "Belanja Kursus Singkat/Pelatihan", 2),
    ("5.1.02.03.02.0035", "Belanja Pemeliharaan Kendaraan Dinas Operasional", 4),
    ("5.1.02.03.03.0001", "Belanja Pemeliharaan Bangunan Gedung Kantor", 6),
    ("5.1.02.04.01.0001", "Belanja Perjalanan Dinas Biasa", 5),
)
CAPITAL = (  # the last two only for infrastructure OPDs
    ("5.2.02.05.01.0005", "Belanja Modal Alat Kantor Lainnya", 2),
    ("5.2.02.10.01.0002", "Belanja Modal Personal Computer", 2),
    ("5.2.03.01.01.0001", "Belanja Modal Bangunan Gedung Kantor", 5),
    ("5.2.04.01.01.0003", "Belanja Modal Jalan Kota", 8),
    ("5.2.04.02.03.0001", "Belanja Modal Saluran Drainase", 6),
)

Costs = dict[str, npt.NDArray[np.float64]]
"""What `_opd_costs` returns, monthly Rupiah: cap (OPD × criterion), emp_cap (per employee), salary_pns and
salary_pppk (per OPD)."""


def _lines(opd_codes: npt.NDArray[np.object_], accounts: Sequence[tuple[str, str, *tuple[float, ...]]],
           amounts: npt.NDArray[np.float64]) -> pl.DataFrame:
    """APBD lines (opd × account) from an OPD × account matrix of Rupiah, rounded up to thousands."""
    o, a = np.nonzero(amounts > 0)
    return pl.DataFrame({
        "opd_code": opd_codes[o],
        "account_code": np.array([x[0] for x in accounts])[a],
        "account_name": np.array([x[1] for x in accounts])[a],
        "pagu_rp": (np.ceil(amounts[o, a] / 1000) * 1000).astype(np.int64),
    })


def _opd_costs(opds: pl.DataFrame, emp: pl.DataFrame, positions: pl.DataFrame, kelas: pl.DataFrame) -> Costs:
    """Per OPD: monthly TPP cap per criterion (basic × bp, no status or score) and monthly salary bills."""
    basic = kelas["basic_rp"].to_numpy().astype(float)
    bp = positions.select([f"{c}_bp" for c in CRITERIA]).to_numpy()[emp["pos"].to_numpy()]
    amounts = basic[emp["kelas"].to_numpy() - 1, None] * bp / 10_000
    opd = emp["opd"].to_numpy()
    pppk = emp["status"].to_numpy() == "PPPK"
    salary = emp["salary_rp"].to_numpy().astype(float)
    n = opds.height
    return {
        "cap": np.column_stack([np.bincount(opd, amounts[:, i], n) for i in range(len(CRITERIA))]),
        "emp_cap": amounts.sum(axis=1),
        "salary_pns": np.bincount(opd, salary * ~pppk, n),
        "salary_pppk": np.bincount(opd, salary * pppk, n),
    }


def _tpp_matrix(cap: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """OPD × TPP account matrix from the OPD × criterion matrix (accounts in TPP_ACCOUNTS order)."""
    return cap[:, [CRITERIA.index(c) for c, *_ in TPP_ACCOUNTS]]


def _apbd(opds: pl.DataFrame, costs: Costs, periods: list[str], rng: np.random.Generator) -> pl.DataFrame:
    """APBD murni (rev 0, late December) and perubahan (rev 1, 1 October) for every fiscal year.

    TPP pagu per OPD = cap × (r × (13 − m + k) + 0.85 × (m − 1 + e)) for the last generated month m
    the revision governs, k the extra payments still to come (:data:`EXTRA_MONTHS` at or after m),
    e those made before it, and r ~ U(0.90, 1.15): with SP2D paying ~85 % of cap a month and again
    for each extra payment, the pool of month m is ~r × cap (a little less in earlier months), so
    some pools bind. Non-pegawai lines are calibrated so that belanja pegawai is 25–32 % of total
    belanja.
    """
    codes = opds["opd_code"].to_numpy()
    kinds = [KINDS[k] for k in opds["kind"]]
    infra = opds["kind"].to_numpy() == "infra"
    n = opds.height
    tpp_cap = _tpp_matrix(costs["cap"])
    frames = []
    for year in sorted({int(p[:4]) for p in periods}):
        months = [int(p[5:]) for p in periods if int(p[:4]) == year]
        share = rng.uniform(0.25, 0.32)
        spend = np.array([k.spend for k in kinds]) * rng.lognormal(0, 0.3, n)
        revisions = ((max((m for m in months if m < 10), default=1), f"{year - 1}-12-{rng.integers(20, 31)}"),
                     (max((m for m in months if m >= 10), default=10), f"{year}-10-01"))
        for revision, (m, effective) in enumerate(revisions):
            r = rng.uniform(0.90, 1.15, n)
            k = _extras_from(m)
            tpp = tpp_cap * (r * (13 - m + k) + 0.85 * (m - 1 + len(EXTRA_MONTHS) - k))[:, None]
            pns = np.outer(costs["salary_pns"] * 14 * rng.uniform(0.98, 1.03, n), [w for *_, w in SALARY_PNS])
            pppk = np.outer(costs["salary_pppk"] * 14 * rng.uniform(0.98, 1.03, n), [w for *_, w in SALARY_PPPK])
            pegawai = tpp.sum(axis=1) + pns.sum(axis=1) + pppk.sum(axis=1)
            other = pegawai * spend * rng.uniform(0.95, 1.05, n)
            target = share + rng.uniform(-0.005, 0.005)  # the perubahan moves the share a little
            other *= pegawai.sum() * (1 - target) / target / other.sum()
            modal = other * np.array([k.modal for k in kinds])
            goods_w = np.array([w for *_, w in GOODS]) * rng.uniform(0.5, 1.5, (n, len(GOODS)))
            cap_w = np.array([w for *_, w in CAPITAL]) * rng.uniform(0.5, 1.5, (n, len(CAPITAL)))
            cap_w[~infra, 3:] = 0
            frames.append(pl.concat([
                _lines(codes, [a[1:] for a in TPP_ACCOUNTS], tpp),
                _lines(codes, SALARY_PNS, pns), _lines(codes, SALARY_PPPK, pppk),
                _lines(codes, GOODS, (other - modal)[:, None] * goods_w / goods_w.sum(axis=1, keepdims=True)),
                _lines(codes, CAPITAL, modal[:, None] * cap_w / cap_w.sum(axis=1, keepdims=True)),
            ]).with_columns(fiscal_year=year, revision=revision, effective_date=pl.lit(effective).str.to_date()))
    return (pl.concat(frames).sort("fiscal_year", "revision", "opd_code", "account_code")
            .select("fiscal_year", "revision", "effective_date", "opd_code", "account_code", "account_name", "pagu_rp"))
