"""Synthetic city: the raw exports of SPEC §3 for a Surabaya-like city government.

`generate_city` writes HR master data, the national calendar, e-Kinerja activity logs
(hive-partitioned Parquet, month by month and in employee chunks), e-Absensi attendance,
e-Budgeting APBD lines, e-Project packages and e-Payment SP2D/transfers; and, outside the
SPEC §3 layout, ``truth/seeded_gamers.csv``: the employees seeded to game e-Performance.

Every part draws from its own numpy Generator derived from (seed, tag), so the same
arguments give the same bytes. Work is vectorised with numpy/polars: Python loops run over
OPDs, months, fiscal years and employee chunks, never over employees or rows, so 200,000
employees (~23 M log rows a month) fit in about 1.5 GB. Internally dates are integer days
since 1970-01-01.
"""

from __future__ import annotations

import shutil
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from engine.ceiling import CRITERIA
from engine.period import Period
from engine.policy import ATTENDANCE_STATUSES as ATTENDANCE
from engine.policy import DEFAULTS

LOG_CHUNK = 25_000  # employees per activity-log part file
ATT_CHUNK = 50_000  # employees whose attendance is drawn at once
OPEN_END = 2**30  # internal end day of an open-ended employment
YEAR = 365.25

# --------------------------------------------------------------------------- reference data

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
    tiers: tuple  # supervisory posts: (title, kelas, one per N employees, at most; None = unlimited, >= 1)
    staff: tuple = ()  # functional posts on top of COMMON_STAFF
    spend: float = 2.0  # non-pegawai belanja per Rupiah of belanja pegawai, before calibration
    modal: float = 0.2  # capital share of the non-pegawai belanja
    packages: tuple = GENERIC_PACKAGES
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

PROFILES = ("umum", "guru", "kesehatan", "lapangan", "keuangan", "pimpinan")
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
ACTIVITY_MAP = (
    ("PPK", "KONTRAK", "EPR-01"), ("PPTK", "KONTRAK", "EPR-02"),
    ("PEJABAT_PENGADAAN", "KONTRAK", "EPR-03"), ("POKJA", "KONTRAK", "EPR-03"),
    ("PPK", "UANG_MUKA", "EPR-07"), ("PPTK", "UANG_MUKA", "EPR-06"),
    ("PPK", "TERMIN_1", "EPR-07"), ("PPTK", "TERMIN_1", "EPR-06"), ("PENGAWAS", "TERMIN_1", "EPR-08"),
    ("PPK", "TERMIN_2", "EPR-07"), ("PPTK", "TERMIN_2", "EPR-06"), ("PENGAWAS", "TERMIN_2", "EPR-08"),
    ("PPK", "PHO", "EPR-04"), ("PPTK", "PHO", "EPR-06"), ("PENGAWAS", "PHO", "EPR-05"),
    ("PPK", "FHO", "EPR-04"), ("PENGAWAS", "FHO", "EPR-05"),
)
ROUTINE = sum(c[3] != "eproject" for c in CATALOG)  # routine activities come first in CATALOG
MILESTONES = ("KONTRAK", "UANG_MUKA", "TERMIN_1", "TERMIN_2", "PHO", "FHO")
MILESTONE_PCT = np.array([5, 20, 50, 80, 100, 100])

# account code, name, share of the OPD's annual bill
TPP_ACCOUNTS = (  # criterion, account code, name
    ("bk", "5.1.01.02.01.0001", "Tambahan Penghasilan berdasarkan Beban Kerja PNS"),
    ("tb", "5.1.01.02.02.0001", "Tambahan Penghasilan berdasarkan Tempat Bertugas PNS"),
    ("kk", "5.1.01.02.03.0001", "Tambahan Penghasilan berdasarkan Kondisi Kerja PNS"),
    ("kp", "5.1.01.02.04.0001", "Tambahan Penghasilan berdasarkan Kelangkaan Profesi PNS"),
    ("pk", "5.1.01.02.05.0001", "Tambahan Penghasilan berdasarkan Prestasi Kerja PNS"),
    ("pol", "5.1.01.02.06.0001", "Tambahan Penghasilan berdasarkan Pertimbangan Objektif Lainnya PNS"),
)
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
GAJI_BASE = {"I": 2.1e6, "II": 2.7e6, "III": 3.6e6, "IV": 4.6e6, "V": 2.5e6, "VI": 2.7e6, "VII": 2.9e6,
             "IX": 3.5e6, "X": 3.7e6, "XI": 3.9e6, "XII": 4.2e6, "XIII": 4.5e6}  # monthly salary at entry

A = {s: i + 1 for i, s in enumerate(ATTENDANCE)}  # attendance status code = index + 1
LEAVE_SPELLS = (  # status, probability, shortest and longest spell in working days
    ("CT", 0.42, 1, 5), ("DL", 0.25, 1, 3), ("S", 0.12, 1, 3), ("DIK", 0.07, 3, 10),
    ("I", 0.06, 1, 2), ("CAP", 0.03, 2, 6), ("CS", 0.03, 5, 15), ("CM", 0.02, 23, 23),
)
LOG_STATUS = ("approved", "submitted", "draft", "rejected")
LOG_STATUS_P = (0.885, 0.05, 0.035, 0.03)
QUANTITY_P = (0.6, 0.25, 0.1, 0.05)  # quantity 1..4
MAX_ENTRIES = 12  # most log entries an employee makes in a day
GAMING = ("", "cap_filler", "leave_logger")
"""Seeded gaming (index = code): a cap filler logs one 20-minute task 52 times on every day
present (1,040 minutes, 16 hours 40); a leave logger logs a normal day's work on days of leave."""
GAMERS_P = 0.003  # share of employees of each gaming kind (at least 2 of each)
FILL_ACTIVITY, FILL_COPIES = "KIN-012", 52
LEAVE = ("CT", "CS", "CM", "CAP", "I", "S", "TK")

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


# --------------------------------------------------------------------------- small helpers

def _rng(seed: int, *tags: object) -> np.random.Generator:
    """An independent generator per (seed, tags) so each output is reproducible on its own."""
    return np.random.default_rng([seed, *(zlib.crc32(str(t).encode()) for t in tags)])


def _day(iso: str) -> int:
    """Days since 1970-01-01 of an ISO date."""
    return int(np.datetime64(iso, "D").astype(np.int64))


def _month_bounds(ym: str) -> tuple[int, int]:
    """First and last day of a YYYY-MM month."""
    first = np.datetime64(ym, "M")
    return (int(first.astype("datetime64[D]").astype(np.int64)),
            int((first + 1).astype("datetime64[D]").astype(np.int64)) - 1)


def _month_start(days: np.ndarray) -> np.ndarray:
    """First day of the month of each day."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _weekday(days: np.ndarray) -> np.ndarray:
    """0 = Monday ... 6 = Sunday."""
    return (days + 3) % 7


def _dates(days: np.ndarray) -> pl.Series:
    """Integer days as a polars Date series."""
    return pl.Series(days.astype(np.int32)).cast(pl.Date)


def _as_date(col: str) -> pl.Expr:
    """An integer-day column as Date; OPEN_END (open-ended or not yet) becomes null."""
    return pl.when(pl.col(col) < OPEN_END).then(pl.col(col)).cast(pl.Int32).cast(pl.Date)


def _working_day(days: np.ndarray, holidays: np.ndarray) -> np.ndarray:
    """Each day, moved forward past weekends and holidays."""
    moved = np.busday_offset(days.astype("datetime64[D]"), 0, roll="forward", holidays=holidays.astype("datetime64[D]"))
    return moved.astype(np.int64)


def _hhmm(col: str) -> pl.Expr:
    """Minutes after midnight as 'HH:MM'; negative means missing."""
    m = pl.col(col)
    return pl.when(m >= 0).then(pl.format(
        "{}:{}", (m // 60).cast(pl.String).str.zfill(2), (m % 60).cast(pl.String).str.zfill(2))).alias(col)


def _split(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Integer split of total proportional to weights (largest remainder), each at least minimum."""
    free = total - minimum * len(weights)
    share = weights / weights.sum() * free
    counts = np.floor(share).astype(np.int64)
    counts[np.argsort(-(share - counts), kind="stable")[: free - counts.sum()]] += 1
    return counts + minimum


def _lines(opd_codes: np.ndarray, accounts: Sequence[tuple], amounts: np.ndarray) -> pl.DataFrame:
    """APBD lines (opd × account) from an OPD × account matrix of Rupiah, rounded up to thousands."""
    o, a = np.nonzero(amounts > 0)
    return pl.DataFrame({
        "opd_code": opd_codes[o],
        "account_code": np.array([x[0] for x in accounts])[a],
        "account_name": np.array([x[1] for x in accounts])[a],
        "pagu_rp": (np.ceil(amounts[o, a] / 1000) * 1000).astype(np.int64),
    })


# --------------------------------------------------------------------------- HR

def _kelas() -> pl.DataFrame:
    """Perwali basic TPP per kelas: geometric from ~0.9 to 30 million, rounded to 500."""
    k = np.arange(1, 18)
    basic = 900_000 * (30_000_000 / 900_000) ** ((k - 1) / 16)
    return pl.DataFrame({"kelas": k, "basic_rp": (np.round(basic / 500) * 500).astype(np.int64)})


def _opds(employees: int, rng: np.random.Generator) -> pl.DataFrame:
    """The 66 OPDs with a skewed headcount each (at least 3)."""
    codes, names, kinds, weights = map(list, zip(*OPD_TABLE))
    codes += [f"7.01.{i:02d}" for i in range(1, len(KECAMATAN) + 1)]
    names += [f"Kecamatan {k}" for k in KECAMATAN]
    kinds += ["kecamatan"] * len(KECAMATAN)
    weights = np.concatenate([weights, rng.uniform(0.25, 0.45, len(KECAMATAN))])
    return pl.DataFrame({"opd_code": codes, "opd_name": names, "kind": kinds,
                         "n": _split(employees, weights, 3)})


def _head_title(name: str, kind: str) -> str:
    """Title of the post heading an OPD."""
    return {"kecamatan": name.replace("Kecamatan", "Camat"), "rsud": f"Direktur {name}",
            "setda": "Sekretaris Daerah", "setwan": "Sekretaris DPRD",
            "inspektorat": "Inspektur"}.get(kind, f"Kepala {name}")


def _organisation(opds: pl.DataFrame, rng: np.random.Generator) -> tuple[pl.DataFrame, np.ndarray]:
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
        f_names, f_kelas, f_weight, f_profile = zip(*(COMMON_STAFF + kind.staff))
        f_weight = np.array(f_weight, dtype=float)
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


def _criteria_bp(positions: pl.DataFrame, kinds: np.ndarray, rng: np.random.Generator) -> pl.DataFrame:
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


def _golongan(status: np.ndarray, kelas: np.ndarray, rng: np.random.Generator) -> np.ndarray:
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


def _employees(positions: pl.DataFrame, holders: np.ndarray, periods: list[str],
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

    def given() -> np.ndarray:
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


def _superiors(emp: pl.DataFrame, rng: np.random.Generator) -> np.ndarray:
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


def _gamers(n: int, rng: np.random.Generator) -> np.ndarray:
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
        return tuple([_day(f"{year}-{d}") for d in dates.split()] for dates in HOLIDAYS[year])
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


# --------------------------------------------------------------------------- e-Absensi

def _attendance(emp: pl.DataFrame, work: np.ndarray, seed: int, ym: str) -> tuple[np.ndarray, ...]:
    """One month of e-Absensi as three employee × working-day matrices: the status code
    (0 = no row), check-in and check-out minutes (-1 = missing). Drawn ATT_CHUNK employees at a
    time (each chunk its own generator), so memory holds the compact matrices, not the draws."""
    chunks = [_attendance_chunk(emp.slice(lo, ATT_CHUNK), work, _rng(seed, "attendance", ym, lo // ATT_CHUNK))
              for lo in range(0, emp.height, ATT_CHUNK)]
    return tuple(np.concatenate(parts) for parts in zip(*chunks))


def _attendance_chunk(emp: pl.DataFrame, work: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
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


def _attendance_day(emp: pl.DataFrame, matrices: tuple[np.ndarray, ...], work: np.ndarray, c: int) -> pl.DataFrame:
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


# --------------------------------------------------------------------------- e-Kinerja

def _activity_mix() -> np.ndarray:
    """Per profile, the cumulative probability of each (non e-Project) activity.

    Staff mix their own profile's activities with general office work, each activity of a
    group equally likely.
    """
    profile = np.array([c[3] for c in CATALOG])
    general = (profile == "umum") / (profile == "umum").sum()
    mix = np.array([general if p == "umum" else 0.45 * general + 0.55 * (profile == p) / (profile == p).sum()
                    for p in PROFILES])
    return np.cumsum(mix, axis=1)


def _log_rows(codes: np.ndarray, work: np.ndarray, off_days: np.ndarray, goal: np.ndarray,
              profile: np.ndarray, gaming: np.ndarray, lo: int, events: pl.DataFrame, cum_mix: np.ndarray,
              rng: np.random.Generator) -> pl.DataFrame:
    """Integer-coded log rows of employees lo.. for one month: emp, day, act, quantity, src, ref.

    On each H day an employee logs entries until the day's goal (their habit ± 50 minutes) is
    about reached (src 0); a few log on weekends/holidays (src 1); e-Project logs with ref (src 2)
    come from `events`. Quantity above 1 only for tasks of at most 45 minutes. Seeded gamers
    (GAMING) add their entries as src 0.
    """
    minutes = np.array([c[2] for c in CATALOG])

    stacked = (cum_mix + np.arange(len(PROFILES))[:, None]).ravel()  # profile p's cdf shifted by p

    def activities(prof: np.ndarray) -> np.ndarray:
        act = np.searchsorted(stacked, prof + rng.random(len(prof)), side="right") - prof * len(CATALOG)
        return np.minimum(act, ROUTINE - 1)

    def quantities(act: np.ndarray) -> np.ndarray:
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
    leave = np.isin(codes, [A[s] for s in LEAVE]) & (gaming[lo:lo + len(codes), None] == GAMING.index("leave_logger"))
    r, c = np.nonzero(leave)
    act = activities(np.repeat(profile[lo + r], 4))
    on_leave = pl.DataFrame({"emp": lo + np.repeat(r, 4), "day": np.repeat(work[c], 4), "act": act,
                             "quantity": quantities(act), "src": 0})
    no_ref = pl.lit(None, pl.Int64).alias("ref")
    return (pl.concat([regular.with_columns(no_ref), filled.with_columns(no_ref), on_leave.with_columns(no_ref),
                       weekend.with_columns(no_ref),
                       mine.select("emp", "day", "act", "quantity", "src", "ref")], how="vertical_relaxed")
            .sort("emp", "day", "src", maintain_order=True))


def _log_frame(rows: pl.DataFrame, nips: pl.Series, superior: np.ndarray, package_ids: pl.Series,
               ym: str, first_id: int, rng: np.random.Generator) -> pl.DataFrame:
    """The e-Kinerja export columns for integer-coded log rows: status, atasan, approval time.

    Drafts have no approver; only approved logs have approved_at, the same day or (for some)
    days or weeks later.
    """
    n = rows.height
    status = np.searchsorted(np.cumsum(LOG_STATUS_P), rng.random(n), side="right").clip(max=3)
    delay = rng.choice([0, 1, 2, 3, 5, 8, 13, 21], size=n, p=[0.5, 0.2, 0.1, 0.06, 0.06, 0.04, 0.025, 0.015])
    clock = np.where(delay == 0, rng.integers(900, 1320, n), rng.integers(420, 1320, n))
    approver = np.where(status == LOG_STATUS.index("draft"), -1, superior[rows["emp"].to_numpy()])
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
        approved_at=pl.when(pl.col("status") == LOG_STATUS.index("approved")).then(
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


def _write_activity_log(folder: Path, ym: str, emp: pl.DataFrame, superior: np.ndarray, codes: np.ndarray,
                        work: np.ndarray, off_days: np.ndarray, events: pl.DataFrame, package_ids: pl.Series,
                        rng: np.random.Generator) -> int:
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


# --------------------------------------------------------------------------- e-Project

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
    packages, milestones, base = [], [], 0
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
        packages.append(pl.DataFrame({
            "pkg": base + np.arange(k), "fiscal_year": year, "opd": opd,
            "opd_code": opds["opd_code"].gather(opd),
            "template": template.astype(str),
            "value_rp": value, "start_date": _dates(signed - rng.integers(21, 61, k)),
            "end_date": _dates(np.where(present, planned, 0).max(axis=1)),
        }).with_columns(package_id=pl.format("PKT-{}-{}", year, (pl.int_range(1, k + 1)).cast(pl.String).str.zfill(4)),
                        name=pl.format("{} {}", "template", pl.int_range(1, k + 1))))
        p, m = np.nonzero(present)
        milestones.append(pl.DataFrame({
            "pkg": base + p, "milestone_code": np.array(MILESTONES)[m], "planned_date": _dates(planned[p, m]),
            "completed": np.where(completed[p, m], done[p, m], OPEN_END),
            "progress_pct": np.where(completed[p, m], MILESTONE_PCT[m], progress[p]),
        }))
        base += k
    packages = pl.concat(packages)
    milestones = pl.concat(milestones).with_columns(
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

        def pick(lo: int, hi: int, size: int, members: np.ndarray = members) -> np.ndarray:
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


# --------------------------------------------------------------------------- e-Budgeting, e-Payment

def _opd_costs(opds: pl.DataFrame, emp: pl.DataFrame, positions: pl.DataFrame, kelas: pl.DataFrame) -> dict:
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


def _tpp_matrix(cap: np.ndarray) -> np.ndarray:
    """OPD × TPP account matrix from the OPD × criterion matrix (accounts in TPP_ACCOUNTS order)."""
    return cap[:, [CRITERIA.index(c) for c, *_ in TPP_ACCOUNTS]]


def _apbd(opds: pl.DataFrame, costs: dict, periods: list[str], rng: np.random.Generator) -> pl.DataFrame:
    """APBD murni (rev 0, late December) and perubahan (rev 1, 1 October) for every fiscal year.

    TPP pagu per OPD = cap × (r × (13 − m) + 0.85 × (m − 1)) for the last generated month m the
    revision governs and r ~ U(0.90, 1.15): with SP2D paying ~85 % of cap a month, the pool of
    month m is ~r × cap (a little less in earlier months), so some pools bind. Non-pegawai lines
    are calibrated so that belanja pegawai is 25–32 % of total belanja.
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
            tpp = tpp_cap * (r * (13 - m) + 0.85 * (m - 1))[:, None]
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


def _sp2d(opds: pl.DataFrame, costs: dict, apbd: pl.DataFrame, periods: list[str], holidays: np.ndarray,
          rng: np.random.Generator) -> pl.DataFrame:
    """SP2D LS for every month of each fiscal year before its last generated month.

    TPP per OPD and account (~85 % of the month's cap, paid early the next month; ~2 %
    cancelled and reissued), salaries at the start of the month, and a few goods payments.
    """
    codes = opds["opd_code"].to_numpy()
    n = opds.height
    tpp_cap = _tpp_matrix(costs["cap"])
    tpp_codes = np.array([a[1] for a in TPP_ACCOUNTS])
    goods = apbd.filter(pl.col("account_code").str.starts_with("5.1.02"), pl.col("revision") == 0)
    frames = []
    for year in sorted({int(p[:4]) for p in periods}):
        last = max(int(p[5:]) for p in periods if int(p[:4]) == year)
        g = goods.filter(pl.col("fiscal_year") == year)
        for month in range(1, last):
            first, end = _month_bounds(f"{year}-{month:02d}")
            o, a = np.nonzero(tpp_cap > 0)
            paid_on = (end + rng.integers(4, 14, n) if month < 12 else first + rng.integers(17, 27, n))[o]
            tpp = pl.DataFrame({"opd_code": codes[o], "account_code": tpp_codes[a],
                                "gross_rp": np.rint(tpp_cap[o, a] * rng.uniform(0.82, 0.88, len(o))).astype(np.int64),
                                "day": paid_on, "status": "paid"})
            redo = rng.random(len(o)) < 0.02
            cancelled = tpp.filter(pl.Series(redo)).with_columns(
                day=pl.col("day") - pl.Series(rng.integers(2, 7, int(redo.sum()))), status=pl.lit("cancelled"))
            salary = pl.DataFrame({
                "opd_code": np.concatenate([codes, codes]),
                "account_code": ["5.1.01.01.01.0001"] * n + ["5.1.01.01.01.0002"] * n,
                "gross_rp": np.rint(np.concatenate([costs["salary_pns"], costs["salary_pppk"]])
                                    * rng.uniform(0.99, 1.01, 2 * n)).astype(np.int64),
                "day": first + rng.integers(0, 3, 2 * n), "status": "paid"}).filter(pl.col("gross_rp") > 0)
            pick = rng.integers(0, max(1, g.height), rng.poisson(1.2 * n)) if g.height else np.zeros(0, np.int64)
            spend = g[pick].select("opd_code", "account_code", gross_rp=(
                pl.col("pagu_rp") / 12 * pl.Series(rng.uniform(0.1, 0.8, len(pick)))).round().cast(pl.Int64)
            ).with_columns(day=pl.Series(first + rng.integers(0, end - first + 1, len(pick))), status=pl.lit("paid"))
            frames.append(pl.concat([tpp, cancelled, salary, spend], how="vertical_relaxed")
                          .with_columns(fiscal_year=year, period=pl.lit(f"{year}-{month:02d}")))
    if not frames:
        return pl.DataFrame(schema={"sp2d_no": pl.String, "sp2d_date": pl.Date, "fiscal_year": pl.Int64,
                                    "opd_code": pl.String, "account_code": pl.String, "period": pl.String,
                                    "gross_rp": pl.Int64, "status": pl.String})
    sp2d = pl.concat(frames)
    sp2d = (sp2d.with_columns(day=_working_day(sp2d["day"].to_numpy(), holidays))
            .sort("fiscal_year", "day", "opd_code", "account_code", "period", "status", "gross_rp",
                  maintain_order=True))
    offset = {y: int(rng.integers(50, 400)) for y in sp2d["fiscal_year"].unique().sort()}
    return sp2d.with_columns(
        sp2d_no=pl.format("{}/SP2D/LS/{}/{}",
                          (pl.int_range(pl.len()).over("fiscal_year") + pl.col("fiscal_year").replace_strict(offset))
                          .cast(pl.String).str.zfill(5), pl.col("opd_code"), pl.col("fiscal_year")),
        sp2d_date=pl.col("day").cast(pl.Int32).cast(pl.Date),
    ).select("sp2d_no", "sp2d_date", "fiscal_year", "opd_code", "account_code", "period", "gross_rp", "status")


def _transfers(sp2d: pl.DataFrame, emp: pl.DataFrame, costs: dict, periods: list[str],
               rng: np.random.Generator) -> pl.DataFrame:
    """Per-employee TPP transfers for the month before each generated month, on the OPD's paid
    beban-kerja SP2D of that month; net ≈ 80–97 % of cap less PPh; ~2 % failed, ~1 % returned."""
    wanted = sorted({str(np.datetime64(p, "M") - 1) for p in periods} & set(sp2d["period"].to_list()))
    people = emp.select("nip", "opd_code", "start", "end", "status", "golongan", cap=pl.Series(costs["emp_cap"]))
    frames = []
    for period in wanted:
        first, last = _month_bounds(period)
        frames.append(
            sp2d.filter(pl.col("period") == period, pl.col("status") == "paid",
                        pl.col("account_code") == TPP_ACCOUNTS[0][1])
            .select("sp2d_no", "opd_code", "period")
            .join(people.filter(pl.col("start") <= last, pl.col("end") >= first), on="opd_code"))
    if not frames:
        return pl.DataFrame(schema={"sp2d_no": pl.String, "nip": pl.String, "period": pl.String,
                                    "net_rp": pl.Int64, "status": pl.String})
    t = pl.concat(frames).sort("sp2d_no", "nip")
    rates = {f"{s}/{g}": bp / 10_000 for s, by_golongan in DEFAULTS["pph21_rate_bp"].items()
             for g, bp in by_golongan.items()}
    tax = pl.concat_str("status", "golongan", separator="/").replace_strict(rates, default=0.0, return_dtype=pl.Float64)
    status = rng.choice(["success", "failed", "returned"], size=t.height, p=[0.97, 0.02, 0.01])
    return t.with_columns(
        net_rp=((pl.col("cap") * pl.Series(rng.uniform(0.80, 0.97, t.height)) * (1 - tax)) // 1000 * 1000)
        .cast(pl.Int64),
        status=pl.Series(status),
    ).select("sp2d_no", "nip", "period", "net_rp", "status")


# --------------------------------------------------------------------------- entry point

def _policy(year: int) -> str:
    return f"""# Perwali TPP parameters of the synthetic demo city (SPEC §5); unlisted keys take their defaults.

[[version]]
id = "perwali-demo"
effective_from = {year}-01-01
daily_cap_minutes = 420
minutes_per_day = 300
productivity_rule = "proportional"
w_discipline_bp = 4000
w_productivity_bp = 6000
pool_scope = "opd"
allocation = "scale"
"""


def generate_city(out: Path, employees: int = 20_000, seed: int = 7,
                  months: Sequence[str] = ("2025-09", "2025-10", "2025-11")) -> dict[str, int]:
    """Write a synthetic city's raw exports (the SPEC §3 layout) under `out`; return row counts per file."""
    out = Path(out)
    periods = sorted({str(Period.parse(m)) for m in months})
    if not periods:
        raise ValueError("at least one month is required")
    if employees < 3 * (len(OPD_TABLE) + len(KECAMATAN)):
        raise ValueError(f"employees must be at least {3 * (len(OPD_TABLE) + len(KECAMATAN))}")
    years = sorted({int(p[:4]) for p in periods})
    counts: dict[str, int] = {}

    def write(rel: str, df: pl.DataFrame) -> None:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        df.write_csv(path)
        counts[rel] = df.height

    out.mkdir(parents=True, exist_ok=True)
    (out / "policy.toml").write_text(_policy(years[0]))
    kelas = _kelas()
    opds = _opds(employees, _rng(seed, "opds"))
    positions, holders = _organisation(opds, _rng(seed, "organisation"))
    emp = _employees(positions, holders, periods, _rng(seed, "employees"))
    superior = _superiors(emp, _rng(seed, "superiors"))
    emp = emp.hstack(_habits(emp, _rng(seed, "habits"))).with_columns(
        gaming=pl.Series(_gamers(emp.height, _rng(seed, "gamers"))))
    calendar = _calendar(years)
    packages, assignments, milestones = _eproject(opds, emp, periods, _rng(seed, "eproject"))
    costs = _opd_costs(opds, emp, positions, kelas)
    apbd = _apbd(opds, costs, periods, _rng(seed, "apbd"))
    holidays = calendar["date"].cast(pl.Int32).to_numpy()
    sp2d = _sp2d(opds, costs, apbd, periods, holidays, _rng(seed, "sp2d"))

    write("hr/kelas.csv", kelas)
    write("hr/positions.csv", positions.select("position_id", "opd_code", "name", "kelas", "bk_bp", "pk_bp",
                                               "kk_bp", "kp_bp", "tb_bp", "pol_bp"))
    write("hr/employees.csv", emp.select("nip", "name", "opd_code", "position_id", "status", "golongan",
                                         "salary_rp", "start_date", "end_date", "bank_account"))
    write("hr/plt.csv", _plt(emp, positions, periods, _rng(seed, "plt")))
    write("hr/sanctions.csv", _sanctions(emp, periods, _rng(seed, "sanctions")))
    write("hr/calendar.csv", calendar)
    write("ekinerja/activity_catalog.csv", pl.DataFrame([c[:3] for c in CATALOG], orient="row",
                                                        schema=["activity_code", "name", "standard_minutes"]))
    write("ebudgeting/apbd_lines.csv", apbd)
    write("eproject/packages.csv", packages.select("package_id", "fiscal_year", "opd_code", "name", "value_rp",
                                                   "start_date", "end_date"))
    write("eproject/assignments.csv", assignments.select("package_id", "nip", "role"))
    write("eproject/milestones.csv", milestones.select("package_id", "milestone_code", "planned_date",
                                                       "completed_date", "progress_pct"))
    write("eproject/activity_map.csv", pl.DataFrame(ACTIVITY_MAP, orient="row",
                                                    schema=["role", "milestone_code", "activity_code"]))
    write("epayment/sp2d.csv", sp2d)
    write("epayment/transfers.csv", _transfers(sp2d, emp, costs, periods, _rng(seed, "transfers")))
    write("truth/seeded_gamers.csv", emp.filter(pl.col("gaming") > 0).select(
        "nip", kind=pl.lit(pl.Series(GAMING)).gather(pl.col("gaming"))).sort("kind", "nip"))

    log_dir = out / "ekinerja" / "activity_log"
    shutil.rmtree(log_dir, ignore_errors=True)
    (out / "eabsensi").mkdir(parents=True, exist_ok=True)
    counts["eabsensi/attendance.csv"] = counts["ekinerja/activity_log"] = 0
    milestone_days = milestones.select("pkg", "milestone_code", "completed")
    officers = assignments.select("pkg", "emp", "role")
    with open(out / "eabsensi" / "attendance.csv", "wb") as fh:
        for i, ym in enumerate(periods):
            first, last = _month_bounds(ym)
            days = np.arange(first, last + 1)
            off = (_weekday(days) >= 5) | np.isin(days, holidays)
            matrices = _attendance(emp, days[~off], seed, ym)
            for c in range(len(days[~off])):
                attendance = _attendance_day(emp, matrices, days[~off], c)
                attendance.write_csv(fh, include_header=i == 0 and c == 0)
                counts["eabsensi/attendance.csv"] += attendance.height
            codes = matrices[0]
            events = _project_events(milestone_days, officers, (first, last), _rng(seed, "events", ym))
            counts["ekinerja/activity_log"] += _write_activity_log(
                log_dir, ym, emp, superior, codes, days[~off], days[off], events, packages["package_id"],
                _rng(seed, "activity_log", ym))
    return counts
