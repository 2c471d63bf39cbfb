"""SIMPEG (``hr/``): the organisation (the OPDs, how each kind of OPD is organised, spends and buys,
its positions and their criteria), the employees and their atasan, acting posts (PLT), sanctions, the
kelas grades and the working calendar."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from pipelines.synthetic.shared import OPEN_END, _as_date, _dates, _day, _month_bounds, _month_start, _split

# procurement packages of each kind of OPD (Kind.packages, drawn by e-Project)
GENERIC_PACKAGES = ("Pengadaan perangkat jaringan", "Pengadaan kendaraan operasional",
                    "Rehabilitasi gedung kantor", "Pengadaan komputer dan printer",
                    "Jasa konsultansi perencanaan")
INFRA_PACKAGES = ("Pembangunan saluran drainase", "Rehabilitasi jalan kota", "Pembangunan jembatan",
                  "Pemeliharaan jalan lingkungan", "Pembangunan rumah pompa", "Pembangunan rumah susun")
SCHOOL_PACKAGES = ("Rehabilitasi gedung sekolah", "Pengadaan meubelair sekolah",
                   "Pengadaan buku pelajaran", "Pembangunan ruang kelas baru")
HEALTH_PACKAGES = ("Pengadaan alat kesehatan", "Pengadaan obat dan bahan medis habis pakai",
                   "Rehabilitasi gedung puskesmas")
KECAMATAN_PACKAGES = ("Rehabilitasi balai RW", "Pemeliharaan gedung kantor kecamatan",
                      "Pavingisasi jalan kampung")

PROFILES = ("umum", "guru", "kesehatan", "lapangan", "keuangan", "pimpinan")
# functional posts of every OPD: name, kelas, weight, activity profile
COMMON_STAFF = (
    ("Pramu Kantor", 1, 2, "umum"), ("Petugas Keamanan", 2, 2, "umum"), ("Pengemudi", 3, 2, "umum"),
    ("Pengadministrasi Perkantoran", 4, 3, "umum"), ("Pengadministrasi Umum", 5, 8, "umum"),
    ("Pengolah Data", 6, 6, "umum"),
    ("Arsiparis Terampil", 6, 2, "umum"), ("Penata Laporan Keuangan", 6, 2, "keuangan"),
    ("Pengelola Keuangan", 7, 3, "keuangan"), ("Pranata Komputer Ahli Pertama", 8, 2, "umum"),
    ("Analis Kebijakan Ahli Pertama", 8, 3, "umum"), ("Perencana Ahli Pertama", 8, 1, "umum"),
    ("Analis Kebijakan Ahli Muda", 9, 1, "umum"),
)
HEALTH_STAFF = (
    ("Perawat Terampil", 7, 15, "kesehatan"), ("Perawat Ahli Pertama", 8, 12, "kesehatan"),
    ("Bidan Terampil", 7, 10, "kesehatan"), ("Dokter Ahli Pertama", 9, 8, "kesehatan"),
    ("Dokter Gigi Ahli Pertama", 9, 2, "kesehatan"), ("Apoteker Ahli Pertama", 9, 3, "kesehatan"),
    ("Pranata Laboratorium Kesehatan Terampil", 7, 4, "kesehatan"),
    ("Sanitarian Terampil", 7, 3, "kesehatan"), ("Nutrisionis Terampil", 7, 2, "kesehatan"),
)
SECRETARY = ("Sekretaris", 12, 20, 1)
KABID = ("Kepala Bidang", 11, 40, 6)
KASI = ("Kepala Seksi", 9, 25, None)
KASUBBAG = ("Kepala Subbagian", 9, 25, None)


@dataclass(frozen=True)
class Kind:
    """How one type of OPD is organised and spends."""

    head_kelas: int
    # supervisory posts: (title, kelas, one per N employees, at most; None = unlimited, >= 1)
    tiers: tuple[tuple[str, int, int, int | None], ...]
    staff: tuple[tuple[str, int, int, str], ...] = ()  # functional posts on top of COMMON_STAFF
    spend: float = 2.0  # non-pegawai belanja per Rupiah of belanja pegawai, before calibration
    modal: float = 0.2  # capital share of the non-pegawai belanja
    packages: tuple[str, ...] = GENERIC_PACKAGES
    package_weight: float = 1.0


KINDS = {
    "dinas": Kind(14, (SECRETARY, KABID, KASI)),
    "pendidikan": Kind(14, (SECRETARY, KABID, ("Kepala Sekolah", 10, 25, None)), (
        ("Guru Ahli Pertama", 8, 50, "guru"), ("Guru Ahli Muda", 9, 30, "guru"),
        ("Guru Ahli Madya", 10, 8, "guru"), ("Pengawas Sekolah Ahli Madya", 10, 1, "guru"),
        ("Tenaga Administrasi Sekolah", 5, 6, "umum"), ("Pustakawan Terampil", 6, 1, "umum")),
        spend=1.0, modal=0.25, packages=SCHOOL_PACKAGES, package_weight=2.0),
    "kesehatan": Kind(14, (SECRETARY, KABID, ("Kepala Puskesmas", 10, 25, None)), HEALTH_STAFF,
                      spend=1.4, packages=HEALTH_PACKAGES, package_weight=1.5),
    "rsud": Kind(14, (("Wakil Direktur", 12, 20, 2), KABID, ("Kepala Instalasi", 10, 25, None)),
                 HEALTH_STAFF + (("Dokter Spesialis Ahli Muda", 11, 4, "kesehatan"),
                                 ("Radiografer Terampil", 7, 2, "kesehatan")),
                 spend=2.2, modal=0.3, packages=HEALTH_PACKAGES, package_weight=1.5),
    "infra": Kind(14, (SECRETARY, KABID, KASI), (
        ("Teknik Jalan dan Jembatan Ahli Pertama", 8, 8, "lapangan"),
        ("Teknik Tata Bangunan dan Perumahan Ahli Pertama", 8, 6, "lapangan"),
        ("Pengawas Bangunan", 6, 8, "lapangan"), ("Penata Ruang Ahli Pertama", 8, 3, "umum")),
        spend=12.0, modal=0.75, packages=INFRA_PACKAGES, package_weight=8.0),
    "satpol": Kind(14, (SECRETARY, KABID, KASI), (
        ("Polisi Pamong Praja Terampil", 6, 40, "lapangan"),
        ("Polisi Pamong Praja Ahli Pertama", 8, 8, "lapangan")), spend=1.2),
    "damkar": Kind(14, (SECRETARY, KABID, KASI), (
        ("Pemadam Kebakaran Terampil", 6, 40, "lapangan"),
        ("Analis Kebakaran Ahli Pertama", 8, 5, "lapangan")), spend=1.5, modal=0.35),
    "dishub": Kind(14, (SECRETARY, KABID, KASI), (
        ("Penguji Kendaraan Bermotor Terampil", 6, 10, "lapangan"),
        ("Petugas Pengatur Lalu Lintas", 5, 25, "lapangan"),
        ("Analis Transportasi Ahli Pertama", 8, 4, "umum")), spend=3.0, modal=0.35),
    "dlh": Kind(14, (SECRETARY, KABID, KASI), (
        ("Pengawas Lingkungan Hidup Terampil", 6, 15, "lapangan"),
        ("Pengendali Dampak Lingkungan Ahli Pertama", 8, 6, "lapangan"),
        ("Pengawas Kebersihan", 5, 15, "lapangan")), spend=5.0, modal=0.3, package_weight=2.0),
    "keuangan": Kind(14, (SECRETARY, KABID, KASUBBAG), (
        ("Analis Keuangan Pusat dan Daerah Ahli Pertama", 8, 10, "keuangan"),
        ("Pemeriksa Pajak Daerah", 7, 8, "keuangan"),
        ("Pengelola Barang Milik Daerah", 6, 6, "keuangan")), spend=1.5),
    "inspektorat": Kind(14, (SECRETARY, ("Inspektur Pembantu", 11, 10, 4), KASUBBAG), (
        ("Auditor Ahli Pertama", 9, 10, "keuangan"), ("Auditor Ahli Muda", 10, 5, "keuangan"),
        ("Pengawas Penyelenggaraan Urusan Pemerintahan Daerah Ahli Pertama", 9, 5, "keuangan")),
        spend=0.8, package_weight=0.3),
    "setda": Kind(15, (("Asisten", 14, 10, 3), KASUBBAG), spend=2.5),
    "bagian": Kind(13, (KASUBBAG,), spend=2.0, package_weight=0.5),
    "setwan": Kind(14, (("Kepala Bagian", 11, 10, 3), KASUBBAG), spend=4.0),
    "kecamatan": Kind(13, (("Sekretaris Kecamatan", 11, 8, 1), ("Lurah", 10, 10, 5), KASI), (
        ("Pengadministrasi Kependudukan", 5, 8, "umum"),
        ("Pengelola Layanan Kemasyarakatan", 6, 6, "umum"),
        ("Polisi Pamong Praja Terampil", 6, 4, "lapangan")),
        spend=0.6, modal=0.15, packages=KECAMATAN_PACKAGES, package_weight=0.3),
}

# OPDs other than the kecamatan: code, name, kind, relative headcount
OPD_TABLE = (
    ("1.01.01", "Dinas Pendidikan", "pendidikan", 35.0),
    ("1.02.01", "Dinas Kesehatan", "kesehatan", 15.0),
    ("1.02.02", "RSUD Dr. Mohamad Soewandhie", "rsud", 2.5),
    ("1.02.03", "RSUD Bhakti Dharma Husada", "rsud", 2.0),
    ("1.02.04", "RSUD Eka Candrarini", "rsud", 0.8),
    ("1.03.01", "Dinas Sumber Daya Air dan Bina Marga", "infra", 2.0),
    ("1.03.02", "Dinas Cipta Karya dan Tata Ruang", "infra", 1.0),
    ("1.04.01", "Dinas Perumahan Rakyat dan Kawasan Permukiman serta Pertanahan", "infra", 1.2),
    ("1.05.01", "Satuan Polisi Pamong Praja", "satpol", 3.0),
    ("1.05.02", "Badan Penanggulangan Bencana dan Perlindungan Masyarakat", "dinas", 0.8),
    ("1.05.03", "Dinas Pemadam Kebakaran dan Penyelamatan", "damkar", 2.0),
    ("1.06.01", "Dinas Sosial", "dinas", 1.2),
    ("2.07.01", "Dinas Perindustrian dan Tenaga Kerja", "dinas", 0.6),
    ("2.08.01", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak serta Pengendalian Penduduk "
                "dan Keluarga Berencana", "dinas", 0.8),
    ("2.09.01", "Dinas Ketahanan Pangan dan Pertanian", "dinas", 0.8),
    ("2.11.01", "Dinas Lingkungan Hidup", "dlh", 2.5),
    ("2.12.01", "Dinas Kependudukan dan Pencatatan Sipil", "dinas", 0.8),
    ("2.15.01", "Dinas Perhubungan", "dishub", 2.2),
    ("2.16.01", "Dinas Komunikasi dan Informatika", "dinas", 0.6),
    ("2.17.01", "Dinas Koperasi Usaha Kecil dan Menengah dan Perdagangan", "dinas", 0.8),
    ("2.18.01", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "dinas", 0.5),
    ("2.19.01", "Dinas Kebudayaan, Kepemudaan dan Olah Raga serta Pariwisata", "dinas", 0.9),
    ("2.23.01", "Dinas Perpustakaan dan Kearsipan", "dinas", 0.5),
    ("4.01.01", "Sekretariat Daerah", "setda", 0.8),
    ("4.01.02", "Bagian Hukum dan Kerjasama", "bagian", 0.3),
    ("4.01.03", "Bagian Organisasi", "bagian", 0.25),
    ("4.01.04", "Bagian Pengadaan Barang/Jasa dan Administrasi Pembangunan", "bagian", 0.35),
    ("4.01.05", "Bagian Umum dan Protokol", "bagian", 0.4),
    ("4.02.01", "Sekretariat DPRD", "setwan", 0.6),
    ("5.01.01", "Badan Perencanaan Pembangunan Daerah, Penelitian dan Pengembangan", "dinas", 0.5),
    ("5.02.01", "Badan Pengelolaan Keuangan dan Aset Daerah", "keuangan", 0.9),
    ("5.03.01", "Badan Pendapatan Daerah", "keuangan", 1.0),
    ("5.04.01", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "dinas", 0.5),
    ("6.01.01", "Inspektorat", "inspektorat", 0.6),
    ("8.01.01", "Badan Kesatuan Bangsa dan Politik", "dinas", 0.3),
)
KECAMATAN = (
    "Asemrowo", "Benowo", "Bubutan", "Bulak", "Dukuh Pakis", "Gayungan", "Genteng", "Gubeng",
    "Gunung Anyar", "Jambangan", "Karang Pilang", "Kenjeran", "Krembangan", "Lakarsantri",
    "Mulyorejo", "Pabean Cantian", "Pakal", "Rungkut", "Sambikerep", "Sawahan", "Semampir",
    "Simokerto", "Sukolilo", "Sukomanunggal", "Tambaksari", "Tandes", "Tegalsari",
    "Tenggilis Mejoyo", "Wiyung", "Wonocolo", "Wonokromo",
)

YEAR = 365.25
GAJI_BASE = {"I": 2.1e6, "II": 2.7e6, "III": 3.6e6, "IV": 4.6e6, "V": 2.5e6, "VI": 2.7e6, "VII": 2.9e6,
             "IX": 3.5e6, "X": 3.7e6, "XI": 3.9e6, "XII": 4.2e6, "XIII": 4.5e6}  # monthly salary at entry

MALE = ("Agus", "Budi", "Joko", "Rahmat", "Fajar", "Andi", "Dedi", "Eko", "Hendra", "Imam",
        "Bambang", "Slamet", "Sugeng", "Teguh", "Wahyu", "Yusuf", "Rizky", "Arif", "Dimas", "Hadi",
        "Bayu", "Ahmad", "Muhammad", "Irfan", "Rudi", "Heru", "Doni", "Gilang", "Taufik", "Anang")
FEMALE = ("Sri", "Dewi", "Ayu", "Nanda", "Siti", "Rina", "Wulan", "Fitri", "Indah", "Ratna",
          "Yuni", "Endang", "Tri", "Nur", "Dian", "Putri", "Anisa", "Retno", "Kartika", "Novi",
          "Ika", "Nurul", "Mega", "Diah", "Lilik", "Yuliana", "Evi", "Maya", "Rini", "Susi")
FAMILY = ("Prasetyo", "Rahayu", "Utomo", "Pratama", "Lestari", "Saputra", "Wibowo", "Santoso",
          "Hidayat", "Kurniawan", "Setiawan", "Susanto", "Wijaya", "Nugroho", "Hartono", "Purnomo",
          "Suryani", "Handayani", "Wahyuni", "Firmansyah", "Ramadhan", "Hakim", "Gunawan",
          "Sulistyowati", "Rachmawati", "Puspitasari", "Maharani", "Anggraini", "Kusuma",
          "Hermawan", "Siregar", "Nasution", "Harahap", "Lubis", "Tanjung", "Simanjuntak",
          "Syahputra", "Permana", "Halim", "Wardhani")

HOLIDAYS = {  # year: (national holidays, cuti bersama) as MM-DD (SKB 3 Menteri)
    2023: ("01-01 01-22 02-18 03-22 04-07 04-22 04-23 05-01 05-18 06-01 06-04 06-29 07-19 08-17 "
           "09-28 12-25", "01-23 03-23 04-19 04-20 04-21 04-24 04-25 06-02 06-28 06-30 12-26"),
    2024: ("01-01 02-08 02-10 03-11 03-29 03-31 04-10 04-11 05-01 05-09 05-23 06-01 06-17 07-07 "
           "08-17 09-16 12-25", "02-09 03-12 04-08 04-09 04-12 04-15 05-10 05-24 06-18 12-26"),
    2025: ("01-01 01-27 01-29 03-29 03-31 04-01 04-18 04-20 05-01 05-12 05-29 06-01 06-06 06-27 "
           "08-17 09-05 12-25", "01-28 03-28 04-02 04-03 04-04 04-07 05-13 05-30 06-09 08-18 12-26"),
    2026: ("01-01 01-16 02-17 03-19 03-20 03-21 04-03 04-05 05-01 05-14 05-27 05-31 06-01 06-16 "
           "08-17 08-25 12-25", "02-16 03-18 03-23 03-24 05-15 05-28 12-24"),
}
FIXED_HOLIDAYS = ("01-01", "05-01", "06-01", "08-17", "12-25")
ISLAMIC_2025 = ("01-27", "03-31", "04-01", "06-06", "06-27", "09-05")  # drift 10.875 days a year


def _kelas() -> pl.DataFrame:
    """Perwali basic TPP per kelas: geometric from ~0.9 to 30 million, rounded to 500."""
    k = np.arange(1, 18)
    basic = 900_000 * (30_000_000 / 900_000) ** ((k - 1) / 16)
    return pl.DataFrame({"kelas": k, "basic_rp": (np.round(basic / 500) * 500).astype(np.int64)})


def _opds(employees: int, rng: np.random.Generator) -> pl.DataFrame:
    """The 66 OPDs with a skewed headcount each (at least 3)."""
    codes, names, kinds, shares = map(list, zip(*OPD_TABLE))
    codes += [f"7.01.{i:02d}" for i in range(1, len(KECAMATAN) + 1)]
    names += [f"Kecamatan {k}" for k in KECAMATAN]
    kinds += ["kecamatan"] * len(KECAMATAN)
    weights = np.concatenate([shares, rng.uniform(0.25, 0.45, len(KECAMATAN))])
    return pl.DataFrame({"opd_code": codes, "opd_name": names, "kind": kinds,
                         "n": _split(employees, weights, 3)})


def _head_title(name: str, kind: str) -> str:
    """Title of the post heading an OPD."""
    return {"kecamatan": name.replace("Kecamatan", "Camat"), "rsud": f"Direktur {name}",
            "setda": "Sekretaris Daerah", "setwan": "Sekretaris DPRD",
            "inspektorat": "Inspektur"}.get(kind, f"Kepala {name}")


def _organisation(opds: pl.DataFrame, rng: np.random.Generator) -> tuple[pl.DataFrame, npt.NDArray[np.int64]]:
    """Positions of every OPD and the position index of each employee (OPD by OPD).

    Each OPD has a head, supervisory tiers (one holder each, ~12 % vacant) and functional
    posts shared by many employees.
    """
    frames, holders, offset = [], [], 0
    for o, (name, kind_name, n) in enumerate(opds.select("opd_name", "kind", "n").iter_rows()):
        kind = KINDS[kind_name]
        counts = [max(1, n // per) if most is None else min(most, n // per) for _, _, per, most in kind.tiers]
        tier_names = [np.char.add(f"{t} ", np.arange(1, c + 1).astype(str)) if c > 1 else np.array([t] * c)
                      for (t, *_), c in zip(kind.tiers, counts)]
        s_names = np.concatenate([[_head_title(name, kind_name)], *tier_names])
        s_kelas = np.concatenate([[kind.head_kelas], *[[k] * c for (_, k, *_), c in zip(kind.tiers, counts)]])
        vacant = rng.random(len(s_names)) < 0.12
        vacant[0] = False
        f_names, f_kelas, f_weights, f_profile = zip(*(COMMON_STAFF + kind.staff))
        f_weight = np.array(f_weights, dtype=float)
        staff = rng.choice(len(f_names), size=n - int((~vacant).sum()), p=f_weight / f_weight.sum())
        frames.append(pl.DataFrame({
            "opd": o,
            "name": np.concatenate([s_names, f_names]),
            "kelas": np.concatenate([s_kelas, f_kelas]).astype(np.int64),
            "profile": np.concatenate([np.full(len(s_names), PROFILES.index("pimpinan")),
                                       [PROFILES.index(p) for p in f_profile]]),
            "structural": np.arange(len(s_names) + len(f_names)) < len(s_names),
            "head": np.arange(len(s_names) + len(f_names)) == 0,
            "vacant": np.concatenate([vacant, np.zeros(len(f_names), bool)]),
        }))
        holders.append(offset + np.concatenate([np.flatnonzero(~vacant), len(s_names) + staff]))
        offset += len(s_names) + len(f_names)
    positions = pl.concat(frames).with_row_index("pos").with_columns(
        position_id=pl.format("JAB-{}", (pl.col("pos") + 1).cast(pl.String).str.zfill(5)),
        opd_code=pl.lit(opds["opd_code"]).gather(pl.col("opd")),
    )
    kinds = opds["kind"].to_numpy()[positions["opd"].to_numpy()]
    return positions.hstack(_criteria_bp(positions, kinds, rng)), np.concatenate(holders)


def _criteria_bp(positions: pl.DataFrame, kinds: npt.NDArray[np.object_], rng: np.random.Generator) -> pl.DataFrame:
    """bp of the six criteria: bk + pk of 6000–7000, the rest spread over kk/kp/tb/pol, sum <= 10000."""
    n = positions.height
    profile = np.array(PROFILES)[positions["profile"].to_numpy()]
    kelas = positions["kelas"].to_numpy()
    perf = rng.integers(6000, 7001, n)
    bk = np.rint(perf * rng.uniform(0.55, 0.7, n)).astype(np.int64)
    rest = ((10_000 - perf) * rng.uniform(0.55, 1.0, n)).astype(np.int64)
    alpha = np.column_stack([  # kondisi kerja, kelangkaan profesi, tempat bertugas, objektif lainnya
        1 + 2 * np.isin(profile, ["kesehatan", "lapangan"]),
        0.4 + 2 * ((kelas >= 9) & np.isin(profile, ["kesehatan", "keuangan"])),
        0.6 + 2 * (kinds == "kecamatan"),
        np.ones(n),
    ])
    w = rng.gamma(alpha) * (rng.random((n, 4)) > 0.3)
    w[w.sum(axis=1) == 0, 3] = 1.0
    other = np.floor(rest[:, None] * w / w.sum(axis=1, keepdims=True)).astype(np.int64)
    return pl.DataFrame({"bk_bp": bk, "pk_bp": perf - bk, "kk_bp": other[:, 0], "kp_bp": other[:, 1],
                         "tb_bp": other[:, 2], "pol_bp": other[:, 3]})


def _golongan(status: npt.NDArray[np.str_], kelas: npt.NDArray[np.int64], rng: np.random.Generator
              ) -> npt.NDArray[np.str_]:
    """Roman golongan: I–IV for PNS/CPNS by kelas, I–XVII for PPPK (mostly IX–XI)."""
    n = len(kelas)
    u = rng.random(n)
    pns = np.select([kelas <= 3, kelas <= 6, kelas <= 10, kelas <= 12],
                    [np.where(u < 0.3, "I", "II"), np.where(u < 0.6, "II", "III"),
                     np.where(u < 0.85, "III", "IV"), np.where(u < 0.4, "III", "IV")], "IV")
    cpns = np.where(kelas <= 6, "II", "III")
    pick = rng.integers(0, 3, n)
    pppk = np.select([kelas <= 5, kelas <= 6, kelas <= 8, kelas <= 10],
                     [np.array(["V", "VI", "VII"])[pick], np.array(["VII", "IX", "IX"])[pick],
                      np.array(["IX", "IX", "X"])[pick], np.array(["IX", "X", "XI"])[pick]],
                     np.array(["XI", "XII", "XIII"])[pick])
    return np.select([status == "CPNS", status == "PPPK"], [cpns, pppk], pns)


def _employees(positions: pl.DataFrame, holders: npt.NDArray[np.int64], periods: list[str],
               rng: np.random.Generator) -> pl.DataFrame:
    """SIMPEG master data sorted by NIP, plus internal columns (opd, kelas, profile, start/end days...)."""
    n = len(holders)
    pos = positions[holders]
    kelas, profile = pos["kelas"].to_numpy(), pos["profile"].to_numpy()
    structural = pos["structural"].to_numpy()
    prof = np.array(PROFILES)[profile]
    ref = _month_bounds(periods[0])[0]

    u = rng.random(n)
    pppk_p = np.select([prof == "guru", prof == "kesehatan"], [0.42, 0.36], 0.26)
    status = np.where(structural | (u >= pppk_p + 0.045), "PNS", np.where(u < pppk_p, "PPPK", "CPNS"))
    female_p = np.select([prof == "guru", prof == "kesehatan", prof == "lapangan"], [0.65, 0.7, 0.15], 0.45)
    sex = np.where(rng.random(n) < female_p, 2, 1)
    age = np.select([structural, status == "CPNS", status == "PPPK"],
                    [rng.uniform(38, 57.5, n), rng.uniform(22, 35, n), rng.uniform(25, 55, n)],
                    rng.uniform(23, 57.5, n))
    birth = ref - (age * YEAR).astype(np.int64)
    entry = np.minimum(np.where(structural, rng.uniform(21, 28, n), rng.uniform(20, 32, n)), age - 1)
    tmt = _month_start(np.select(
        [status == "CPNS", status == "PPPK"],
        [ref - rng.integers(30, 540, n), ref - rng.integers(200, 1500, n)],
        birth + (entry * YEAR).astype(np.int64)))

    # a few mid-month joiners (mutasi masuk) and leavers in the generated months, never a superior
    firsts = np.array([_month_bounds(p)[0] for p in periods])
    when = firsts[rng.integers(0, len(periods), n)] + rng.integers(5, 25, n)
    u = rng.random(n)
    start = np.where(~structural & (u < 0.003), when, tmt)
    end = np.where(~structural & (u > 0.997), when, OPEN_END)

    golongan = _golongan(status, kelas, rng)
    service = (ref - tmt) / YEAR
    gaji = pl.Series(golongan).replace_strict(GAJI_BASE, return_dtype=pl.Float64).to_numpy()
    salary = gaji * (1 + 0.012 * service) * rng.uniform(0.95, 1.08, n) + structural * rng.uniform(5e5, 1.5e6, n)
    digits = rng.integers(10, 14, n)
    male, female = np.array(MALE), np.array(FEMALE)

    def given() -> npt.NDArray[np.str_]:
        return np.where(sex == 1, male[rng.integers(0, len(male), n)], female[rng.integers(0, len(female), n)])

    df = pl.DataFrame({
        "birth": _dates(birth), "tmt": _dates(tmt), "sex": sex, "serial0": rng.integers(0, 999, n),
        "given": given(), "middle": given(), "has_middle": rng.random(n) < 0.15,
        "family": np.array(FAMILY)[rng.integers(0, len(FAMILY), n)],
        "opd": pos["opd"], "opd_code": pos["opd_code"], "pos": pos["pos"], "position_id": pos["position_id"],
        "kelas": kelas, "profile": profile, "structural": structural, "head": pos["head"],
        "status": status, "golongan": golongan,
        "salary_rp": np.clip(np.round(salary / 100) * 100, 2_000_000, 7_000_000).astype(np.int64),
        "start": start, "end": end,
        "bank_account": rng.integers(10 ** (digits - 1), 10 ** digits).astype(str),
    })
    # NIP: birth YYYYMMDD + TMT YYYYMM (PPPK: YYYY + "21") + sex + a serial unique within that prefix
    df = df.with_columns(
        name=pl.concat_str("given", pl.when("has_middle").then("middle"), "family", separator=" ", ignore_nulls=True),
        prefix=pl.concat_str(
            pl.col("birth").dt.strftime("%Y%m%d"),
            pl.when(pl.col("status") == "PPPK").then(pl.col("tmt").dt.strftime("%Y") + "21")
            .otherwise(pl.col("tmt").dt.strftime("%Y%m")),
            pl.col("sex").cast(pl.String)))
    df = df.with_columns(nip=pl.col("prefix") + (
        (pl.col("serial0").first().over("prefix") + pl.int_range(pl.len()).over("prefix")) % 999 + 1
    ).cast(pl.String).str.zfill(3))
    assert df["nip"].n_unique() == n
    return (df.sort("nip")
            .with_columns(start_date=_as_date("start"), end_date=_as_date("end"))
            .drop("birth", "tmt", "serial0", "prefix", "given", "middle", "has_middle", "family"))


def _tax_status(emp: pl.DataFrame, periods: list[str], rng: np.random.Generator) -> pl.DataFrame:
    """``ptkp_status`` and ``pension_rp`` of each employee (SPEC §3).

    Marriage grows likelier with age (5 % at 22, 85 % from 34), and a married employee has up to
    three children, more with age. A married man is K/<children, at most 3>; a married woman takes
    the PTKP for herself alone, TK/0 (PMK 168/2023 Pasal 9(2)(a)), as does everyone single.

    ``pension_rp`` is the IWP the salary payroll deducts for Taspen, 8 % of gaji pokok + tunjangan
    keluarga. ``salary_rp`` is gaji pokok with every tunjangan melekat; the umum or jabatan and
    pangan allowances are taken as a fifth of it, so gaji pokok + tunjangan keluarga is 80 % of
    ``salary_rp`` and the IWP rhu(6.4 % of it). PPPK are not in the Taspen pension: 0.
    """
    n = emp.height
    birth = emp["nip"].str.slice(0, 8).str.to_date("%Y%m%d").cast(pl.Int32).to_numpy()
    age = (_month_bounds(periods[0])[0] - birth) / YEAR
    married = rng.random(n) < np.clip(0.05 + (age - 22) * 0.07, 0.05, 0.85)
    children = rng.binomial(3, np.clip((age - 24) / 20, 0.1, 0.65))
    man = emp["sex"].to_numpy() == 1
    ptkp = np.where(married & man, np.char.add("K/", children.astype(str)), "TK/0")
    salary = emp["salary_rp"].to_numpy()
    pension = np.where(emp["status"].to_numpy() == "PPPK", 0, (salary * 640 + 5000) // 10000)
    return pl.DataFrame({"ptkp_status": ptkp, "pension_rp": pension.astype(np.int64)})


def _superiors(emp: pl.DataFrame, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """Index of each employee's atasan: a lowest-kelas supervisor above them in the same OPD;
    OPD heads report to the Sekretaris Daerah, who has no atasan in the data (-1)."""
    opd, kelas, boss = (emp[c].to_numpy() for c in ("opd", "kelas", "structural"))
    sekda = int(np.flatnonzero(emp["head"].to_numpy() & (kelas == 15))[0])
    sup = np.full(emp.height, sekda)
    for o in np.unique(opd):
        members = np.flatnonzero(opd == o)
        bosses = members[boss[members]]
        bosses = bosses[np.argsort(kelas[bosses], kind="stable")]
        bk = kelas[bosses]
        lo = np.searchsorted(bk, kelas[members], side="right")
        has = lo < len(bk)
        hi = np.searchsorted(bk, bk[np.minimum(lo, len(bk) - 1)], side="right")
        pick = lo + (rng.random(len(members)) * (hi - lo)).astype(np.int64)
        sup[members[has]] = bosses[pick[has]]
    sup[sekda] = -1
    return sup


def _plt(emp: pl.DataFrame, positions: pl.DataFrame, periods: list[str], rng: np.random.Generator) -> pl.DataFrame:
    """~0.5 % of employees acting (PLT) in a vacant supervisory post of their OPD, 1–3 kelas above."""
    vacant = positions.filter(pl.col("vacant"))
    if vacant.is_empty():
        return pl.DataFrame(schema={"nip": pl.String, "position_id": pl.String,
                                    "start_date": pl.Date, "end_date": pl.Date})
    want = max(1, round(0.005 * emp.height))
    post = rng.choice(vacant.height, size=want, replace=want > vacant.height)
    p_opd, p_kelas = vacant["opd"].to_numpy()[post], vacant["kelas"].to_numpy()[post]
    order = np.lexsort((emp["kelas"].to_numpy(), emp["opd"].to_numpy()))
    key = emp["opd"].to_numpy()[order] * 100 + emp["kelas"].to_numpy()[order]
    lo = np.searchsorted(key, p_opd * 100 + p_kelas - 3)
    lo = np.where(lo < np.searchsorted(key, p_opd * 100 + p_kelas - 1, side="right"), lo,
                  np.searchsorted(key, p_opd * 100))
    hi = np.searchsorted(key, p_opd * 100 + p_kelas - 1, side="right")
    ok = hi > lo
    who = order[np.minimum(lo + (rng.random(want) * (hi - lo)).astype(np.int64), len(order) - 1)]
    first, last = _month_bounds(periods[0])[0], _month_bounds(periods[-1])[1]
    start = rng.integers(first - 120, last - 10, want)
    return pl.DataFrame({
        "nip": emp["nip"].gather(who), "position_id": vacant["position_id"].gather(post),
        "start_date": _dates(start), "end_date": _dates(start + rng.integers(20, 181, want)),
    }).filter(pl.Series(ok)).unique(["nip", "position_id", "start_date"], keep="first", maintain_order=True)


def _sanctions(emp: pl.DataFrame, periods: list[str], rng: np.random.Generator) -> pl.DataFrame:
    """~0.2 % of staff with a hukdis TPP cut of 25/50/75 % over a few months."""
    staff = np.flatnonzero(~emp["structural"].to_numpy())
    who = np.sort(rng.choice(staff, size=max(1, round(0.002 * emp.height)), replace=False))
    first, last = _month_bounds(periods[0])[0], _month_bounds(periods[-1])[1]
    start = rng.integers(first - 300, last - 5, len(who))
    return pl.DataFrame({
        "nip": emp["nip"].gather(who),
        "cut_bp": rng.choice([2500, 5000, 7500], size=len(who), p=[0.6, 0.3, 0.1]),
        "start_date": _dates(start), "end_date": _dates(start + rng.integers(90, 366, len(who))),
    })


def _easter(year: int) -> int:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    h = (19 * a + b - b // 4 - (b - (b + 8) // 25 + 1) // 3 + 15) % 30
    dow = (32 + 2 * (b % 4) + 2 * (c // 4) - h - c % 4) % 7
    m = (a + 11 * h + 22 * dow) // 451
    month, day = divmod(h + dow - 7 * m + 114, 31)
    return _day(f"{year}-{month:02d}-{day + 1:02d}")


def _holidays(year: int) -> tuple[list[int], list[int]]:
    """National holidays and cuti bersama of a year: the SKB table, or for other years an
    approximation (fixed dates, Good Friday, Ascension, Islamic dates drifted from 2025)."""
    if year in HOLIDAYS:
        national, cuti = ([_day(f"{year}-{d}") for d in dates.split()] for dates in HOLIDAYS[year])
        return national, cuti
    drift = round(10.875 * (year - 2025))
    islamic = [x for x in (_day(f"{year}-{d}") - drift for d in ISLAMIC_2025)
               if _day(f"{year}-01-01") <= x <= _day(f"{year}-12-31")]
    easter = _easter(year)
    return [_day(f"{year}-{d}") for d in FIXED_HOLIDAYS] + [easter - 2, easter + 39] + islamic, \
        [_day(f"{year}-12-26")]


def _calendar(years: list[int]) -> pl.DataFrame:
    """hr/calendar.csv for the years involved."""
    frames = [pl.DataFrame({"day": days, "kind": kind})
              for year in years for days, kind in zip(_holidays(year), ("holiday", "cuti_bersama"))]
    return (pl.concat(frames).unique("day", keep="first", maintain_order=True).sort("day")
            .select(date=pl.col("day").cast(pl.Int32).cast(pl.Date), kind="kind"))
