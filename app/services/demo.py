"""Demo data of Pemerintah Kota Malang: `flask seed-demo --password ...`.

`seed_demo()` fills an EMPTY database (no unit, no employee) in one transaction with a
realistic organisation: the Sekretariat Daerah, 19 other OPD, the five kecamatan with their
kelurahan, puskesmas and schools; a structural tree of positions from the Sekretaris Daerah
down (with a few vacant posts and a Plt), about 300 employees (PNS, CPNS, PPPK) with valid
NIPs and a login each, the activity catalog, the holiday calendar of the current year and the
open periods of the current year; then, for every OPD and kecamatan, the demo months (the
previous month and the current one up to the seeding clock, `demo_window`): attendance,
daily activities in every workflow state, periodic evaluations, the organisation predikat
and the recap (`seed_demo_attendance`, `seed_demo_activities`, `seed_demo_scores`).

Everything is generated from a locally seeded `random.Random(2026)`: the same code always
produces the same organisation, names and NIPs, so the README can list demo logins
(`demo_accounts()`, `DEMO_LOGINS`). Only the CPNS start months follow the seeding date
(a CPNS has started recently by definition); PNS and PPPK data use the fixed reference
year `REF_YEAR`. The demo months follow the seeding clock (`seed_clock`: FIXED_TODAY, WIB)
and are deterministic for a given day; only rows that would lie after the time of day of the
seeding are left out.

The plan is built in pure Python first (`_build_plan`), then written by `seed_demo`.
Derived data (Unit.opd_id, Employee.superior_id, the Atasan role) is left to
`app.services.organisation.refresh_derived`.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Optional

from app.domain.golongan import golongan_rank
from app.domain.hierarchy import OrgSnapshot, Override, resolve_all
from app.domain.nip import make_nip
from app.domain.positions import typical_golongan, validate_position

SEED = 2026
REF_YEAR = 2026  # ages, CPNS starts of PNS and PPPK appointments are relative to this year
EMAIL_DOMAIN = "malangkota.go.id"
BANK_NAME = "Bank Jatim"


class DemoSeedError(Exception):
    """The demo data cannot be seeded (Indonesian message)."""


# =========================================================================== static content
# Holidays per SKB Menteri Agama, Menteri Ketenagakerjaan dan Menteri PANRB
# No. 1497 Tahun 2025, No. 2 Tahun 2025, No. 5 Tahun 2025 (17 libur nasional, 8 cuti bersama).
_LN, _CB = "LIBUR_NASIONAL", "CUTI_BERSAMA"
HOLIDAYS_2026: tuple[tuple[int, int, str, str], ...] = (
    (1, 1, "Tahun Baru 2026 Masehi", _LN),
    (1, 16, "Isra Mikraj Nabi Muhammad SAW", _LN),
    (2, 16, "Cuti Bersama Tahun Baru Imlek 2577 Kongzili", _CB),
    (2, 17, "Tahun Baru Imlek 2577 Kongzili", _LN),
    (3, 18, "Cuti Bersama Hari Suci Nyepi Tahun Baru Saka 1948", _CB),
    (3, 19, "Hari Suci Nyepi Tahun Baru Saka 1948", _LN),
    (3, 20, "Cuti Bersama Idulfitri 1447 Hijriah", _CB),
    (3, 21, "Hari Raya Idulfitri 1447 Hijriah", _LN),
    (3, 22, "Hari Raya Idulfitri 1447 Hijriah", _LN),
    (3, 23, "Cuti Bersama Idulfitri 1447 Hijriah", _CB),
    (3, 24, "Cuti Bersama Idulfitri 1447 Hijriah", _CB),
    (4, 3, "Wafat Yesus Kristus", _LN),
    (4, 5, "Kebangkitan Yesus Kristus (Paskah)", _LN),
    (5, 1, "Hari Buruh Internasional", _LN),
    (5, 14, "Kenaikan Yesus Kristus", _LN),
    (5, 15, "Cuti Bersama Kenaikan Yesus Kristus", _CB),
    (5, 27, "Hari Raya Iduladha 1447 Hijriah", _LN),
    (5, 28, "Cuti Bersama Iduladha 1447 Hijriah", _CB),
    (5, 31, "Hari Raya Waisak 2570 BE", _LN),
    (6, 1, "Hari Lahir Pancasila", _LN),
    (6, 16, "Tahun Baru Islam 1448 Hijriah", _LN),
    (8, 17, "Hari Proklamasi Kemerdekaan Republik Indonesia", _LN),
    (8, 25, "Maulid Nabi Muhammad SAW", _LN),
    (12, 24, "Cuti Bersama Hari Raya Natal", _CB),
    (12, 25, "Hari Raya Natal", _LN),
)
# Holidays on the same date every year (other years: BKD completes the calendar).
FIXED_HOLIDAYS: tuple[tuple[int, int, str, str], ...] = (
    (1, 1, "Tahun Baru Masehi", _LN),
    (5, 1, "Hari Buruh Internasional", _LN),
    (6, 1, "Hari Lahir Pancasila", _LN),
    (8, 17, "Hari Proklamasi Kemerdekaan Republik Indonesia", _LN),
    (12, 25, "Hari Raya Natal", _LN),
)


def holidays_for(year: int) -> list[tuple[date, str, str]]:
    """(date, name, kind) of the demo holiday calendar of a year."""
    rows = HOLIDAYS_2026 if year == 2026 else FIXED_HOLIDAYS
    return [(date(year, m, d), name, kind) for m, d, name, kind in rows]


_STRUCT = ("JPT", "ADMINISTRATOR", "PENGAWAS")
_ALL_FUNC = ("JF_KEAHLIAN", "JF_KETERAMPILAN", "PELAKSANA")

# (code, description, output unit, norm minutes, allowed kinds, allowed position tag)
CATALOG: tuple[tuple[str, str, str, int, tuple[str, ...], Optional[str]], ...] = (
    ("UM-001", "Menyusun laporan kinerja bulanan", "laporan", 120, (), None),
    ("UM-002", "Mengikuti rapat koordinasi internal", "kegiatan", 90, (), None),
    ("UM-003", "Menyusun notulen rapat", "dokumen", 60, (), None),
    ("UM-004", "Mengagendakan dan mendistribusikan surat masuk", "berkas", 15, (), None),
    ("UM-005", "Menyusun konsep surat dinas", "dokumen", 45, (), None),
    ("UM-006", "Mengarsipkan dokumen dinas", "berkas", 15, (), None),
    ("UM-007", "Mengikuti apel pagi dan pembinaan pegawai", "kegiatan", 30, (), None),
    ("UM-008", "Mengikuti pelatihan, bimbingan teknis atau sosialisasi", "kegiatan", 240, (), None),
    ("UM-009", "Menginput dan memutakhirkan data pada aplikasi", "dokumen", 30, (), None),
    ("UM-010", "Melayani konsultasi dan pengaduan masyarakat", "kegiatan", 30, (), None),
    ("PM-001", "Memimpin rapat koordinasi pimpinan", "kegiatan", 120, _STRUCT, None),
    ("PM-002", "Memberikan disposisi dan arahan kepada bawahan", "dokumen", 15, _STRUCT, None),
    ("PM-003", "Memverifikasi dan menyetujui aktivitas harian bawahan", "laporan", 30, _STRUCT, None),
    ("PM-004", "Melakukan penilaian kinerja bawahan", "dokumen", 60, _STRUCT, None),
    ("PM-005", "Melakukan monitoring dan evaluasi pelaksanaan program", "laporan", 180, _STRUCT, None),
    ("KP-001", "Memverifikasi usulan kenaikan pangkat", "berkas", 60, (), "analis_sdm"),
    ("KP-002", "Memproses usulan mutasi dan rotasi pegawai", "berkas", 90, (), "analis_sdm"),
    ("KP-003", "Memutakhirkan data kepegawaian pada SIMPEG", "berkas", 20, (), None),
    ("KP-004", "Menyusun rekapitulasi kehadiran pegawai", "laporan", 60, (), None),
    ("KP-005", "Memproses usulan cuti pegawai", "berkas", 30, (), None),
    ("KU-001", "Menyusun Surat Permintaan Pembayaran (SPP)", "dokumen", 60, (), None),
    ("KU-002", "Memverifikasi Surat Perintah Membayar (SPM)", "dokumen", 45, (), None),
    ("KU-003", "Menyusun laporan realisasi anggaran", "laporan", 180, (), None),
    ("KU-004", "Melakukan inventarisasi barang milik daerah", "dokumen", 120, (), None),
    ("PR-001", "Menyusun rencana kerja perangkat daerah", "dokumen", 240, ("JF_KEAHLIAN", "ADMINISTRATOR"), None),
    ("PR-002", "Melaksanakan audit kinerja perangkat daerah", "laporan", 240, ("JF_KEAHLIAN",), None),
    ("PR-003", "Menyusun rancangan peraturan wali kota", "dokumen", 240, ("JF_KEAHLIAN",), None),
    ("PD-001", "Menyusun modul ajar", "dokumen", 120, ("JF_KEAHLIAN",), None),
    ("PD-002", "Melaksanakan pembelajaran tatap muka", "jam pelajaran", 40, ("JF_KEAHLIAN",), None),
    ("PD-003", "Melaksanakan penilaian hasil belajar peserta didik", "dokumen", 60, ("JF_KEAHLIAN",), None),
    ("PD-004", "Melaksanakan bimbingan dan konseling peserta didik", "kegiatan", 45, ("JF_KEAHLIAN",), None),
    ("KS-001", "Memberikan pelayanan rawat jalan", "pasien", 15, ("JF_KEAHLIAN",), None),
    ("KS-002", "Melakukan asuhan keperawatan", "pasien", 20, ("JF_KEAHLIAN", "JF_KETERAMPILAN"), None),
    ("KS-003", "Melakukan pemeriksaan kehamilan (ANC)", "pasien", 20, ("JF_KETERAMPILAN", "JF_KEAHLIAN"), None),
    ("KS-004", "Melaksanakan posyandu dan penyuluhan kesehatan", "kegiatan", 120, (), None),
    ("KW-001", "Memberikan pelayanan surat pengantar kependudukan", "berkas", 15, (), None),
    ("KW-002", "Melakukan perekaman data KTP elektronik", "berkas", 15, ("PELAKSANA", "JF_KEAHLIAN"), None),
    ("TR-001", "Melaksanakan patroli ketenteraman dan ketertiban umum", "kegiatan", 180, ("JF_KETERAMPILAN", "JF_KEAHLIAN"), None),
    ("TR-002", "Melakukan penertiban pelanggaran peraturan daerah", "kegiatan", 120, ("JF_KETERAMPILAN", "JF_KEAHLIAN"), None),
    ("TI-001", "Melakukan pemeliharaan aplikasi dan jaringan", "kegiatan", 90, ("JF_KEAHLIAN", "JF_KETERAMPILAN"), None),
    ("TI-002", "Mengunggah konten informasi publik pada laman resmi", "dokumen", 30, (), None),
    ("PU-001", "Melakukan pengawasan lapangan pekerjaan konstruksi", "laporan", 180, (), None),
)

# --------------------------------------------------------------------------- names, titles
_MALE = (
    "Agus", "Bambang", "Budi", "Eko", "Joko", "Hadi", "Heru", "Slamet", "Sugeng", "Wahyu", "Teguh",
    "Bayu", "Rizky", "Fajar", "Arif", "Ahmad", "Muhammad", "Imam", "Yusuf", "Dedi", "Hendra",
    "Rudi", "Andri", "Gatot", "Priyo", "Yoga", "Galih", "Aditya", "Rahmat", "Hari", "Indra", "Doni",
    "Aris", "Puguh", "Wawan", "Anang", "Didik", "Erwin", "Kukuh", "Lutfi", "Ilham", "Danang",
    "Sigit", "Yudi", "Bagus", "Dimas", "Reza", "Taufik", "Mochamad", "Achmad", "Suryo", "Nanang",
)
_MALE_LAST = (
    "Setiawan", "Prasetyo", "Santoso", "Wibowo", "Susanto", "Hidayat", "Kurniawan", "Nugroho",
    "Purnomo", "Saputro", "Hartono", "Wijaya", "Gunawan", "Firmansyah", "Ramadhan", "Syaifuddin",
    "Hakim", "Mahmudi", "Sutrisno", "Riyadi", "Cahyono", "Utomo", "Handoko", "Suryanto", "Pambudi",
    "Wicaksono", "Ardiansyah", "Fauzi", "Maulana", "Arifin", "Hermawan", "Budiman", "Sulistyo",
    "Darmawan", "Supriyadi", "Widodo", "Harianto", "Kusuma", "Rosyidi", "Anshori",
)
_FEMALE = (
    "Sri", "Siti", "Endang", "Dewi", "Rina", "Wulan", "Ratna", "Dian", "Ayu", "Ika", "Fitri",
    "Retno", "Yuli", "Ani", "Nanik", "Tutik", "Kartika", "Anisa", "Novita", "Maya", "Ratih", "Diah",
    "Puspita", "Winarti", "Erna", "Lilik", "Indah", "Mega", "Nurul", "Rizka", "Titik", "Anik",
    "Eka", "Evi", "Lina", "Nia", "Putri", "Rani", "Sinta", "Umi", "Yeni", "Zulaikha",
)
_FEMALE_LAST = (
    "Wahyuni", "Lestari", "Rahayu", "Susilowati", "Handayani", "Puspitasari", "Kusumawati",
    "Rahmawati", "Anggraini", "Wulandari", "Setyowati", "Purwanti", "Mulyani", "Sari", "Utami",
    "Fitriani", "Ningsih", "Suryani", "Hidayati", "Kurniasari", "Permatasari", "Pratiwi",
    "Maharani", "Indrawati", "Novitasari", "Safitri", "Astuti", "Yuliana", "Damayanti", "Agustina",
)
_MIDDLE = ("Dwi", "Tri", "Nur", "Budi", "Eko", "Adi", "Catur", "Yudha")
_MIDDLE_F = ("Dwi", "Tri", "Nur", "Eka", "Ayu", "Dyah", "Retno")

# profile -> (front title options, back title options); None = no title
_TITLES: dict[str, tuple[tuple[Optional[str], ...], tuple[Optional[str], ...]]] = {
    "pimpinan": ((None, None, None, None, None, "Dr."),
                 ("S.H., M.H.", "S.E., M.M.", "S.Sos., M.Si.", "S.STP., M.AP.", "S.IP., M.Si.",
                  "S.E., M.Ak.", "S.AP., M.AP.", "S.Psi., M.Psi.", "S.Kom., M.T.", "S.T., M.T.")),
    "pimpinan_kes": (("dr.",), ("M.Kes.", "M.M.", "M.P.H.")),
    "pimpinan_tek": ((None, "Ir."), ("S.T., M.T.", "S.T., M.Eng.", "M.T.")),
    "pimpinan_pend": ((None, None, "Dr."), ("S.Pd., M.Pd.", "M.Pd.", "S.Pd., M.M.")),
    "pengawas": ((None,), ("S.E.", "S.Sos.", "S.H.", "S.AP.", "S.IP.", "S.STP.", "S.E., M.M.",
                           "S.Sos., M.Si.", "S.Kom.", "S.T.")),
    "ahli": ((None,), ("S.E.", "S.Sos.", "S.H.", "S.AP.", "S.IP.", "S.Psi.", "S.Kom.", "S.T.", "S.Ak.")),
    "hukum": ((None,), ("S.H.", "S.H.", "S.H., M.H.")),
    "ekonomi": ((None,), ("S.E.", "S.Ak.", "S.E., M.Ak.")),
    "teknik": ((None,), ("S.T.", "S.T.", "S.T., M.T.")),
    "it": ((None,), ("S.Kom.", "S.Kom.", "S.T.", "S.Kom., M.Kom.")),
    "it_d3": ((None,), ("A.Md.Kom.", "A.Md.")),
    "sosial": ((None,), ("S.Sos.", "S.Sos.", "S.Psi.")),
    "kesmas": ((None,), ("S.K.M.", "S.K.M.", "S.Gz.", "S.K.M., M.Kes.")),
    "dokter": (("dr.",), (None, None, "M.Kes.")),
    "perawat": ((None,), ("A.Md.Kep.",)),
    "perawat_ners": ((None,), ("S.Kep., Ns.",)),
    "bidan": ((None,), ("A.Md.Keb.", "S.Tr.Keb.")),
    "guru": ((None,), ("S.Pd.", "S.Pd.", "S.Pd.", "S.Pd., M.Pd.", "S.Si.", "S.Pd.I.")),
    "pel": ((None,), (None, None, None, "A.Md.", "S.E.", "S.Sos.", "S.AP.")),
    "trantib": ((None,), (None, None, "S.H.")),
}


# =========================================================================== the plan
@dataclass
class _Unit:
    code: str
    name: str
    kind: str
    parent: Optional[int]
    workdays: int = 5


@dataclass
class _Pos:
    name: str
    kind: str
    level: Optional[str]
    eselon: Optional[str]
    kelas: int
    unit: int
    parent: Optional[int]
    holders: int
    profile: str
    operator: bool = False
    tag: Optional[str] = None


@dataclass
class _Emp:
    nip: str
    name: str
    front: Optional[str]
    back: Optional[str]
    sex: str
    birth: date
    kind: str
    golongan: str
    pos: int
    account: str
    operator: bool = False

    @property
    def full_name(self) -> str:
        n = self.name
        if self.front:
            n = f"{self.front} {n}"
        if self.back:
            n = f"{n}, {self.back}"
        return n


@dataclass
class _Plan:
    units: list[_Unit] = field(default_factory=list)
    positions: list[_Pos] = field(default_factory=list)
    employees: list[_Emp] = field(default_factory=list)
    overrides: list[tuple[int, int, str]] = field(default_factory=list)  # (emp, superior, reason)
    marks: dict[str, int] = field(default_factory=dict)  # name -> position index
    superiors: dict[int, Optional[int]] = field(default_factory=dict)  # emp -> emp (on the plan)

    def unit(self, code, name, kind, parent=None, workdays=5) -> int:
        self.units.append(_Unit(code, name, kind, parent, workdays))
        return len(self.units) - 1

    def pos(self, name, kind, unit, parent, *, level=None, eselon=None, kelas, n=1, profile="pel",
            operator=False, tag=None, mark=None) -> int:
        errors = validate_position(kind, level, eselon, kelas)
        if errors:  # a programming error in the tables below
            raise ValueError(f"{name}: {errors}")
        self.positions.append(_Pos(name, kind, level, eselon, kelas, unit, parent, n, profile, operator, tag))
        idx = len(self.positions) - 1
        if mark:
            self.marks[mark] = idx
        return idx

    def holders(self, pos_idx: int) -> list[int]:
        return [i for i, e in enumerate(self.employees) if e.pos == pos_idx]


# Staff helpers: (name, kind, level, kelas, holders, profile, tag)
def _P(name, kelas, n=1, profile="pel", tag=None):
    return (name, "PELAKSANA", None, kelas, n, profile, tag)


def _A(name, level, kelas, n=1, profile="ahli", tag=None):
    return (name, "JF_KEAHLIAN", level, kelas, n, profile, tag)


def _T(name, level, kelas, n=1, profile="pel", tag=None):
    return (name, "JF_KETERAMPILAN", level, kelas, n, profile, tag)


# One OPD: key, code, name, head title, head profile, workdays, sekretariat?, operator?,
# extra sekretariat staff, bidang [(name, staff, seksi)] where seksi = (unit name, head, staff, vacant).
_OPD_SPECS = (
    dict(key="inspektorat", code="6.01.01", name="Inspektorat", head="Inspektur",
         bidang=[("Inspektur Pembantu Wilayah I", [_A("Auditor Ahli Muda", "Ahli Muda", 9),
                                                  _A("Auditor Ahli Pertama", "Ahli Pertama", 8, profile="ekonomi")]),
                 ("Inspektur Pembantu Wilayah II", [
                     _A("Pengawas Penyelenggaraan Urusan Pemerintahan Daerah Ahli Pertama", "Ahli Pertama", 8)])],
         irban=True),
    dict(key="bappeda", code="5.01.01", name="Badan Perencanaan Pembangunan Daerah", head="Kepala Badan Perencanaan Pembangunan Daerah",
         bidang=[("Bidang Perencanaan, Pengendalian dan Evaluasi Pembangunan Daerah",
                  [_A("Perencana Ahli Muda", "Ahli Muda", 9), _A("Perencana Ahli Pertama", "Ahli Pertama", 8)]),
                 ("Bidang Perekonomian, Sumber Daya Alam, Infrastruktur dan Kewilayahan",
                  [_A("Perencana Ahli Pertama", "Ahli Pertama", 8)])]),
    dict(key="bkad", code="5.02.01", name="Badan Keuangan dan Aset Daerah", head="Kepala Badan Keuangan dan Aset Daerah",
         bidang=[("Bidang Anggaran", [_A("Analis Anggaran Ahli Pertama", "Ahli Pertama", 8, profile="ekonomi"),
                                      _P("Pengadministrasi Keuangan", 6)]),
                 ("Bidang Perbendaharaan", [_P("Verifikator Keuangan", 7, profile="ekonomi"),
                                            _P("Pengelola Keuangan", 7, profile="ekonomi")]),
                 ("Bidang Aset", [_P("Pengelola Barang Milik Daerah", 7)])]),
    dict(key="bapenda", code="5.02.02", name="Badan Pendapatan Daerah", head="Kepala Badan Pendapatan Daerah",
         bidang=[("Bidang Pajak Daerah", [_P("Pengelola Pajak Daerah", 7, profile="ekonomi")]),
                 ("Bidang Pengembangan dan Penetapan", [_P("Penata Laporan Keuangan", 7, profile="ekonomi"),
                                                        _P("Pengolah Data Pajak", 6)])]),
    dict(key="bkpsdm", code="5.03.01", name="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
         head="Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", operator=True,
         bidang=[("Bidang Mutasi dan Promosi",
                  [_A("Analis Sumber Daya Manusia Aparatur Ahli Muda", "Ahli Muda", 9, tag="analis_sdm"),
                   _A("Analis Sumber Daya Manusia Aparatur Ahli Pertama", "Ahli Pertama", 8, tag="analis_sdm")]),
                 ("Bidang Pengembangan Kompetensi Aparatur",
                  [_A("Analis Sumber Daya Manusia Aparatur Ahli Pertama", "Ahli Pertama", 8),
                   _P("Pengelola Pengembangan Kompetensi", 6)]),
                 ("Bidang Penilaian Kinerja Aparatur dan Penghargaan",
                  [_P("Pengelola Data Kinerja Pegawai", 6)])]),
    dict(key="bakesbangpol", code="8.01.01", name="Badan Kesatuan Bangsa dan Politik",
         head="Kepala Badan Kesatuan Bangsa dan Politik",
         bidang=[("Bidang Politik Dalam Negeri dan Organisasi Kemasyarakatan",
                  [_P("Pengolah Data Politik dan Organisasi Kemasyarakatan", 6)])]),
    dict(key="dindik", code="1.01.01", name="Dinas Pendidikan dan Kebudayaan",
         head="Kepala Dinas Pendidikan dan Kebudayaan", head_profile="pimpinan_pend", operator=True,
         bidang=[("Bidang Pembinaan Sekolah Dasar", [_P("Pengelola Data Pendidikan", 6)]),
                 ("Bidang Pembinaan Sekolah Menengah Pertama", [_P("Pengelola Kurikulum", 7)]),
                 ("Bidang Kebudayaan", [_A("Pamong Budaya Ahli Pertama", "Ahli Pertama", 8, profile="sosial")])]),
    dict(key="dinkes", code="1.02.01", name="Dinas Kesehatan", head="Kepala Dinas Kesehatan",
         head_profile="pimpinan_kes", operator=True,
         bidang=[("Bidang Pelayanan Kesehatan", [_A("Administrator Kesehatan Ahli Pertama", "Ahli Pertama", 8, profile="kesmas"),
                                                 _P("Pengelola Data Pelayanan Kesehatan", 6, tag="pegawai_demo")]),
                 ("Bidang Pencegahan dan Pengendalian Penyakit", [_A("Epidemiolog Kesehatan Ahli Pertama", "Ahli Pertama", 8, profile="kesmas"),
                                                                  _T("Sanitarian Terampil", "Terampil", 7)]),
                 ("Bidang Kesehatan Masyarakat", [_A("Nutrisionis Ahli Pertama", "Ahli Pertama", 8, profile="kesmas")])]),
    dict(key="dpupr", code="1.03.01",
         name="Dinas Pekerjaan Umum, Penataan Ruang, Perumahan dan Kawasan Permukiman",
         head="Kepala Dinas Pekerjaan Umum, Penataan Ruang, Perumahan dan Kawasan Permukiman",
         head_profile="pimpinan_tek", short="Dinas PUPRPKP",
         bidang=[("Bidang Bina Marga", [_A("Teknik Jalan dan Jembatan Ahli Pertama", "Ahli Pertama", 8, profile="teknik")]),
                 ("Bidang Sumber Daya Air", [_A("Teknik Pengairan Ahli Pertama", "Ahli Pertama", 8, profile="teknik")]),
                 ("Bidang Tata Ruang", [_A("Penata Ruang Ahli Pertama", "Ahli Pertama", 8, profile="teknik"),
                                        _P("Pengolah Data Tata Ruang", 6)])]),
    dict(key="satpolpp", code="1.05.01", name="Satuan Polisi Pamong Praja", head="Kepala Satuan Polisi Pamong Praja",
         workdays=6,
         bidang=[("Bidang Ketenteraman dan Ketertiban Umum",
                  [_T("Polisi Pamong Praja Terampil", "Terampil", 7, n=2, profile="trantib"),
                   _T("Polisi Pamong Praja Mahir", "Mahir", 8, profile="trantib")]),
                 ("Bidang Penegakan Peraturan Daerah",
                  [_A("Polisi Pamong Praja Ahli Pertama", "Ahli Pertama", 8, profile="hukum"),
                   _T("Polisi Pamong Praja Terampil", "Terampil", 7, profile="trantib")])]),
    dict(key="dinsos", code="1.06.01",
         name="Dinas Sosial, Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana",
         head="Kepala Dinas Sosial, Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana",
         short="Dinas Sosial P3AP2KB",
         bidang=[("Bidang Rehabilitasi dan Perlindungan Jaminan Sosial",
                  [_A("Pekerja Sosial Ahli Pertama", "Ahli Pertama", 8, profile="sosial"),
                   _P("Pengelola Data Kesejahteraan Sosial", 6)]),
                 ("Bidang Pemberdayaan Perempuan dan Perlindungan Anak",
                  [_P("Pendamping Perlindungan Anak", 6, profile="sosial")])]),
    dict(key="dlh", code="2.11.01", name="Dinas Lingkungan Hidup", head="Kepala Dinas Lingkungan Hidup",
         bidang=[("Bidang Pengelolaan Sampah dan Limbah Bahan Berbahaya dan Beracun",
                  [_A("Pengendali Dampak Lingkungan Ahli Pertama", "Ahli Pertama", 8, profile="teknik"),
                   _P("Pengawas Kebersihan", 5)]),
                 ("Bidang Pertamanan", [],
                  ("Seksi Pertamanan dan Dekorasi Kota", "Kepala Seksi Pertamanan dan Dekorasi Kota",
                   [_P("Petugas Pertamanan", 5, n=2)], True))]),
    dict(key="dispendukcapil", code="2.12.01", name="Dinas Kependudukan dan Pencatatan Sipil",
         head="Kepala Dinas Kependudukan dan Pencatatan Sipil",
         bidang=[("Bidang Pelayanan Pendaftaran Penduduk",
                  [_A("Administrator Database Kependudukan Ahli Pertama", "Ahli Pertama", 8, profile="it"),
                   _P("Pengolah Data Kependudukan", 6)]),
                 ("Bidang Pelayanan Pencatatan Sipil", [_P("Pengadministrasi Pencatatan Sipil", 5)])]),
    dict(key="dishub", code="2.15.01", name="Dinas Perhubungan", head="Kepala Dinas Perhubungan", head_vacant=True,
         bidang=[("Bidang Lalu Lintas", [_T("Penguji Kendaraan Bermotor Terampil", "Terampil", 7),
                                         _P("Petugas Pengatur Lalu Lintas", 5)]),
                 ("Bidang Angkutan", [_P("Pengelola Angkutan Umum", 6)])]),
    dict(key="diskominfo", code="2.16.01", name="Dinas Komunikasi dan Informatika",
         head="Kepala Dinas Komunikasi dan Informatika", operator=True,
         bidang=[("Bidang Aplikasi Informatika", [_A("Pranata Komputer Ahli Pertama", "Ahli Pertama", 8, profile="it"),
                                                  _T("Pranata Komputer Terampil", "Terampil", 7, profile="it_d3")]),
                 ("Bidang Informasi dan Komunikasi Publik", [_A("Pranata Hubungan Masyarakat Ahli Pertama", "Ahli Pertama", 8, profile="sosial"),
                                                             _P("Pengelola Informasi Publik", 6)])]),
    dict(key="diskopindag", code="2.17.01", name="Dinas Koperasi, Perindustrian dan Perdagangan",
         head="Kepala Dinas Koperasi, Perindustrian dan Perdagangan",
         bidang=[("Bidang Perdagangan", [_A("Pengawas Perdagangan Ahli Pertama", "Ahli Pertama", 8, profile="ekonomi")]),
                 ("Bidang Koperasi dan Usaha Mikro", [_P("Pengelola Usaha Mikro", 6)])]),
    dict(key="dpmptsp", code="2.18.01", name="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
         head="Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
         bidang=[("Bidang Pelayanan Perizinan", [_P("Verifikator Perizinan", 7)]),
                 ("Bidang Penanaman Modal", [_A("Analis Penanaman Modal Ahli Pertama", "Ahli Pertama", 8, profile="ekonomi")])]),
    dict(key="disporapar", code="2.19.01", name="Dinas Kepemudaan, Olahraga dan Pariwisata",
         head="Kepala Dinas Kepemudaan, Olahraga dan Pariwisata",
         bidang=[("Bidang Pariwisata", [_P("Pengelola Destinasi Wisata", 6)]),
                 ("Bidang Kepemudaan dan Olahraga", [_P("Pengelola Kegiatan Kepemudaan", 6)])]),
)

_KECAMATAN = (
    ("Klojen", ("Kauman", "Kiduldalem", "Oro-oro Dowo")),
    ("Blimbing", ("Purwodadi", "Arjosari")),
    ("Kedungkandang", ("Buring", "Sawojajar")),
    ("Lowokwaru", ("Dinoyo", "Ketawanggede", "Tlogomas")),
    ("Sukun", ("Bandungrejosari", "Ciptomulyo")),
)
_VACANT_LURAH = "Tlogomas"
_OPERATOR_KECAMATAN = "Klojen"
_PUSKESMAS = ("Arjuno", "Dinoyo", "Kendalkerep", "Janti")
_SEKOLAH = (("SD Negeri Kauman 1", "sd"), ("SD Negeri Sumbersari 2", "sd"),
            ("SMP Negeri 1 Malang", "smp"), ("SMP Negeri 3 Malang", "smp"))


def _build_structure(p: _Plan) -> None:
    """Units and positions (pure data)."""
    # ------------------------------------------------------------ Sekretariat Daerah
    setda = p.unit("4.01.01", "Sekretariat Daerah", "OPD")
    sekda = p.pos("Sekretaris Daerah", "JPT", setda, None, level="Madya", eselon="II.a", kelas=16,
                  profile="pimpinan", mark="sekda")
    asisten = {}
    for key, name in (("pemkesra", "Asisten Pemerintahan dan Kesejahteraan Rakyat"),
                      ("ekbang", "Asisten Perekonomian dan Pembangunan"),
                      ("adum", "Asisten Administrasi Umum")):
        asisten[key] = p.pos(name, "JPT", setda, sekda, level="Pratama", eselon="II.b", kelas=14, profile="pimpinan")
    bagian = (
        ("01", "Bagian Hukum", "pemkesra", None, [_A("Perancang Peraturan Perundang-undangan Ahli Pertama", "Ahli Pertama", 8, profile="hukum"),
                                                  _A("Analis Hukum Ahli Pertama", "Ahli Pertama", 8, profile="hukum")]),
        ("02", "Bagian Perekonomian dan Administrasi Pembangunan", "ekbang", None, [_P("Pengolah Data Perekonomian", 6)]),
        ("03", "Bagian Organisasi", "adum", None, [_A("Analis Kebijakan Ahli Pertama", "Ahli Pertama", 8)]),
        ("04", "Bagian Umum", "adum", ("Subbagian Tata Usaha Pimpinan", "Kepala Subbagian Tata Usaha Pimpinan",
                                       [_P("Pengadministrasi Perkantoran", 5, n=2)]), [_P("Pengelola Rumah Tangga", 6)]),
    )
    for num, name, ast, sub, staff in bagian:
        u = p.unit(f"4.01.01.{num}", name, "BIDANG", setda)
        kabag = p.pos(f"Kepala {name}", "ADMINISTRATOR", u, asisten[ast], eselon="III.a", kelas=12, profile="pimpinan")
        _staff(p, staff, u, kabag)
        if sub:
            su = p.unit(f"4.01.01.{num}.01", sub[0], "SEKSI", u)
            kasub = p.pos(sub[1], "PENGAWAS", su, kabag, eselon="IV.a", kelas=9, profile="pengawas")
            _staff(p, sub[2], su, kasub)

    # ------------------------------------------------------------ Sekretariat DPRD
    setwan = p.unit("4.02.01", "Sekretariat Dewan Perwakilan Rakyat Daerah", "OPD")
    sekwan = p.pos("Sekretaris Dewan Perwakilan Rakyat Daerah", "JPT", setwan, sekda, level="Pratama",
                   eselon="II.b", kelas=14, profile="pimpinan")
    u = p.unit("4.02.01.01", "Bagian Umum dan Keuangan Sekretariat DPRD", "BIDANG", setwan)
    kabag = p.pos("Kepala Bagian Umum dan Keuangan", "ADMINISTRATOR", u, sekwan, eselon="III.a", kelas=12, profile="pimpinan")
    su = p.unit("4.02.01.01.01", "Subbagian Umum dan Kepegawaian Sekretariat DPRD", "SEKSI", u)
    kasub = p.pos("Kepala Subbagian Umum dan Kepegawaian", "PENGAWAS", su, kabag, eselon="IV.a", kelas=9, profile="pengawas")
    _staff(p, [_P("Pengadministrasi Perkantoran", 5), _P("Pengelola Keuangan", 7, profile="ekonomi")], su, kasub)
    u = p.unit("4.02.01.02", "Bagian Persidangan dan Perundang-undangan", "BIDANG", setwan)
    kabag = p.pos("Kepala Bagian Persidangan dan Perundang-undangan", "ADMINISTRATOR", u, sekwan, eselon="III.a",
                  kelas=12, profile="pimpinan")
    _staff(p, [_A("Perancang Peraturan Perundang-undangan Ahli Pertama", "Ahli Pertama", 8, profile="hukum"),
               _P("Pengadministrasi Persidangan", 5)], u, kabag)

    # ------------------------------------------------------------ Dinas, Badan, Inspektorat
    for spec in _OPD_SPECS:
        _build_opd(p, spec, sekda)

    # ------------------------------------------------------------ Kecamatan and kelurahan
    for k, (kec, kelurahan) in enumerate(_KECAMATAN, start=1):
        code = f"7.01.{k:02d}"
        ku = p.unit(code, f"Kecamatan {kec}", "KECAMATAN")
        camat = p.pos(f"Camat {kec}", "ADMINISTRATOR", ku, sekda, eselon="III.a", kelas=12, profile="pimpinan",
                      mark=f"camat_{kec.lower()}")
        sekcam = p.pos(f"Sekretaris Kecamatan {kec}", "ADMINISTRATOR", ku, camat, eselon="III.b", kelas=11,
                       profile="pimpinan")
        kasub = p.pos("Kepala Subbagian Umum dan Kepegawaian", "PENGAWAS", ku, sekcam, eselon="IV.a", kelas=9,
                      profile="pengawas", operator=(kec == _OPERATOR_KECAMATAN),
                      mark=f"kasubag_kec_{kec.lower()}")
        _staff(p, [_P("Pengadministrasi Perkantoran", 5)], ku, kasub)
        kasi = p.pos("Kepala Seksi Pemerintahan", "PENGAWAS", ku, camat, eselon="IV.a", kelas=9, profile="pengawas")
        if k == 1:
            _staff(p, [_P("Pengelola Data Kependudukan Kecamatan", 6)], ku, kasi)
        for j, kel in enumerate(kelurahan, start=1):
            lu = p.unit(f"{code}.{j:02d}", f"Kelurahan {kel}", "KELURAHAN", ku)
            vacant = kel == _VACANT_LURAH
            lurah = p.pos(f"Lurah {kel}", "PENGAWAS", lu, camat, eselon="IV.a", kelas=9, profile="pengawas",
                          n=0 if vacant else 1, mark=f"lurah_{kel.lower()}")
            staff = [_P("Pengadministrasi Umum", 5)]
            if vacant:
                staff.append(_P("Pengelola Layanan Kelurahan", 6))
            _staff(p, staff, lu, lurah)


def _staff(p: _Plan, staff, unit: int, parent: int) -> None:
    for name, kind, level, kelas, n, profile, tag in staff:
        p.pos(name, kind, unit, parent, level=level, kelas=kelas, n=n, profile=profile, tag=tag)


def _build_opd(p: _Plan, spec: dict, sekda: int) -> None:
    code, name, key = spec["code"], spec["name"], spec["key"]
    wd = spec.get("workdays", 5)
    opd = p.unit(code, name, "OPD", workdays=wd)
    head = p.pos(spec["head"], "JPT", opd, sekda, level="Pratama", eselon="II.b", kelas=14,
                 profile=spec.get("head_profile", "pimpinan"), n=0 if spec.get("head_vacant") else 1,
                 mark=f"kepala_{key}")
    short = spec.get("short", name)
    sek_u = p.unit(f"{code}.01", f"Sekretariat {short}", "BIDANG", opd, wd)
    sekretaris = p.pos(f"Sekretaris {short}", "ADMINISTRATOR", sek_u, head, eselon="III.a", kelas=12,
                       profile="pimpinan", mark=f"sekretaris_{key}")
    umpeg_u = p.unit(f"{code}.01.01", f"Subbagian Umum dan Kepegawaian {short}", "SEKSI", sek_u, wd)
    kasub = p.pos("Kepala Subbagian Umum dan Kepegawaian", "PENGAWAS", umpeg_u, sekretaris, eselon="IV.a",
                  kelas=9, profile="pengawas", operator=spec.get("operator", False), mark=f"kasubag_{key}")
    umpeg_staff = [_P("Pengadministrasi Perkantoran", 5)]
    if spec.get("operator"):
        umpeg_staff.append(_A("Analis Kepegawaian Ahli Pertama", "Ahli Pertama", 8, profile="ahli"))
    _staff(p, umpeg_staff, umpeg_u, kasub)
    _staff(p, [_P("Pengelola Keuangan", 7, profile="ekonomi")], sek_u, sekretaris)

    for i, entry in enumerate(spec["bidang"], start=2):
        bname, staff = entry[0], entry[1]
        seksi = entry[2] if len(entry) > 2 else None
        bu = p.unit(f"{code}.{i:02d}", bname, "BIDANG", opd, wd)
        if spec.get("irban"):
            kabid = p.pos(bname, "ADMINISTRATOR", bu, head, eselon="III.a", kelas=12, profile="pimpinan")
        else:
            kabid = p.pos(f"Kepala {bname}", "ADMINISTRATOR", bu, head, eselon="III.b", kelas=11,
                          profile="pimpinan", mark=f"kabid_{key}_{i}")
        _staff(p, staff, bu, kabid)
        if seksi:
            sname, shead, sstaff, vacant = seksi
            su = p.unit(f"{code}.{i:02d}.01", sname, "SEKSI", bu, wd)
            kasi = p.pos(shead, "PENGAWAS", su, kabid, eselon="IV.a", kelas=9, profile="pengawas",
                         n=0 if vacant else 1)
            _staff(p, sstaff, su, kasi)

    if key == "dinkes":
        kabid_yankes = p.marks["kabid_dinkes_2"]
        for j, pkm in enumerate(_PUSKESMAS, start=1):
            u = p.unit(f"{code}.{10 + j}", f"Puskesmas {pkm}", "PUSKESMAS", opd, 6)
            kapus = p.pos(f"Kepala Puskesmas {pkm}", "PENGAWAS", u, kabid_yankes, eselon="IV.a", kelas=9,
                          profile="dokter", mark=f"kapus_{pkm.lower()}")
            dokter = _A("Dokter Ahli Muda", "Ahli Muda", 9, profile="dokter") if j % 2 else \
                _A("Dokter Ahli Pertama", "Ahli Pertama", 8, profile="dokter")
            _staff(p, [dokter,
                       _T("Perawat Terampil", "Terampil", 7, profile="perawat"),
                       _T("Perawat Mahir", "Mahir", 8, profile="perawat"),
                       _T("Bidan Terampil", "Terampil", 7, profile="bidan"),
                       ], u, kapus)
            if j in (1, 3):
                _staff(p, [_P("Pengadministrasi Perkantoran", 5)], u, kapus)
    if key == "dindik":
        for j, (school, level) in enumerate(_SEKOLAH, start=1):
            u = p.unit(f"{code}.{10 + j}", school, "SEKOLAH", opd)
            kabid = p.marks["kabid_dindik_2" if level == "sd" else "kabid_dindik_3"]
            kepsek = p.pos(f"Kepala {school}", "JF_KEAHLIAN", u, kabid, level="Ahli Madya", kelas=11,
                           profile="guru", mark=f"kepsek_{j}")
            _staff(p, [_A("Guru Ahli Pertama", "Ahli Pertama", 8, n=2, profile="guru"),
                       _A("Guru Ahli Muda", "Ahli Muda", 9, profile="guru")], u, kepsek)


# --------------------------------------------------------------------------- people
_AGE = {  # (kind, level) -> (min, max) age in REF_YEAR
    ("JPT", "Madya"): (53, 57), ("JPT", "Pratama"): (46, 56), ("ADMINISTRATOR", None): (41, 55),
    ("PENGAWAS", None): (35, 54), ("PELAKSANA", None): (24, 56),
    ("JF_KEAHLIAN", "Ahli Pertama"): (25, 38), ("JF_KEAHLIAN", "Ahli Muda"): (33, 50),
    ("JF_KEAHLIAN", "Ahli Madya"): (44, 57), ("JF_KETERAMPILAN", "Terampil"): (24, 44),
    ("JF_KETERAMPILAN", "Mahir"): (32, 52),
}
_CPNS_RATE, _PPPK_RATE = 0.20, 0.18


def _employee_kind(rng: random.Random, pos: _Pos) -> str:
    """PNS for structural and senior posts; CPNS/PPPK only in entry-level functional posts."""
    x = rng.random()
    if pos.tag == "pegawai_demo":  # listed in the README: a PNS whose NIP never changes
        return "PNS"
    entry = pos.kind == "PELAKSANA" or pos.level in ("Ahli Pertama", "Terampil")
    if not entry:
        pppk_ok = pos.kind in ("JF_KEAHLIAN", "JF_KETERAMPILAN") and pos.level in ("Ahli Muda", "Mahir")
        return "PPPK" if pppk_ok and x < 0.12 else "PNS"
    pppk_rate = 0.40 if pos.profile == "guru" else _PPPK_RATE
    if x < _CPNS_RATE:
        return "CPNS"
    if x < _CPNS_RATE + pppk_rate:
        return "PPPK"
    return "PNS"


def _person_name(rng: random.Random, sex: str, used: set[str]) -> str:
    first, last, middle = (_MALE, _MALE_LAST, _MIDDLE) if sex == "L" else (_FEMALE, _FEMALE_LAST, _MIDDLE_F)
    for _ in range(50):
        parts = [rng.choice(first)]
        if rng.random() < 0.3:
            m = rng.choice(middle)
            if m != parts[0]:
                parts.append(m)
        parts.append(rng.choice(last))
        name = " ".join(parts)
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("nama demo habis")  # pragma: no cover


def _titles(rng: random.Random, profile: str) -> tuple[Optional[str], Optional[str]]:
    fronts, backs = _TITLES.get(profile, _TITLES["pel"])
    return rng.choice(fronts), rng.choice(backs)


def _birth(rng: random.Random, age: int) -> date:
    return date(REF_YEAR - age, rng.randint(1, 12), rng.randint(1, 28))


def _make_employee(rng: random.Random, p: _Plan, pos_idx: int, today: date, used_names: set[str],
                   used_nips: set[str], used_accounts: set[str]) -> _Emp:
    pos = p.positions[pos_idx]
    kind = _employee_kind(rng, pos)
    if pos.profile in ("bidan",):
        sex = "P"
        rng.random()  # keep the random stream independent of the profile
    else:
        sex = "L" if rng.random() < (0.62 if pos.kind in _STRUCT else 0.48) else "P"
    name = _person_name(rng, sex, used_names)
    front, back = _titles(rng, pos.profile)
    lo, hi = _AGE.get((pos.kind, pos.level), (25, 55))
    # Draw every random number of the person in the same order, whatever the kind.
    age = rng.randint(lo, hi)
    young_age = rng.randint(23, 32)
    entry_offset = rng.randint(22, 29)
    cpns_months_back = rng.randint(2, 11)
    pppk_year = rng.randint(2021, 2025)
    start_month = rng.randint(1, 12)
    golongan_pick = rng.random()
    account = f"00{rng.randint(0, 99_999_999):08d}"
    while account in used_accounts:
        account = f"00{rng.randint(0, 99_999_999):08d}"
    used_accounts.add(account)

    if kind == "CPNS":
        birth = _birth(rng, young_age)
        m = today.year * 12 + today.month - 1 - cpns_months_back
        start = date(m // 12, m % 12 + 1, 1)
        entry_ii = pos.kind == "JF_KETERAMPILAN" or (pos.kind == "PELAKSANA" and pos.kelas <= 5)
        golongan = "II/a" if entry_ii else "III/a"
    elif kind == "PPPK":
        birth = _birth(rng, min(max(age, 25), 50))
        start = date(pppk_year, 1, 1)
        if pos.level in ("Ahli Pertama",):
            golongan = "IX"
        elif pos.level in ("Ahli Muda",):
            golongan = "X"
        elif pos.level == "Mahir" or pos.kelas >= 7:
            golongan = "VII"
        else:
            golongan = "V"
    else:
        birth = _birth(rng, age)
        year = min(birth.year + entry_offset, REF_YEAR - 2)
        year = max(year, birth.year + 19)
        start = date(year, start_month, 1)
        options = typical_golongan(pos.kind, pos.level)
        service = REF_YEAR - year
        idx = min(len(options) - 1, service * len(options) // 36)
        if idx + 1 < len(options) and golongan_pick < 0.25:
            idx += 1
        golongan = options[idx]
        golongan_rank(golongan)  # sanity

    for _ in range(100):
        seq = rng.randint(1, 400)
        if kind == "PPPK":
            nip = f"{birth:%Y%m%d}{start.year:04d}21{'1' if sex == 'L' else '2'}{seq:03d}"
        else:
            nip = make_nip(birth, start, sex, seq)
        if nip not in used_nips:
            used_nips.add(nip)
            break
    else:  # pragma: no cover
        raise RuntimeError("NIP demo tidak unik")
    return _Emp(nip=nip, name=name, front=front, back=back, sex=sex, birth=birth, kind=kind,
                golongan=golongan, pos=pos_idx, account=account, operator=pos.operator)


def _build_plan(today: date) -> _Plan:
    rng = random.Random(SEED)
    p = _Plan()
    _build_structure(p)
    used_names: set[str] = set()
    used_nips: set[str] = set()
    used_accounts: set[str] = set()
    for idx, pos in enumerate(p.positions):
        for _ in range(pos.holders):
            p.employees.append(_make_employee(rng, p, idx, today, used_names, used_nips, used_accounts))

    # Plt: the Sekretaris of the Dinas Perhubungan acts for the vacant Kepala Dinas; the
    # Kepala Bidang of the Dinas report to the Plt (the Sekretaris himself goes up to the Sekda).
    head = p.marks["kepala_dishub"]
    plt = p.holders(p.marks["sekretaris_dishub"])[0]
    reason = "Plt. Kepala Dinas Perhubungan (dijabat Sekretaris Dinas Perhubungan)"
    for i, e in enumerate(p.employees):
        if p.positions[e.pos].parent == head and i != plt:
            p.overrides.append((i, plt, reason))

    # Superiors on the plan (same rule as the database), for the account descriptions.
    snapshot = OrgSnapshot(
        employee_position={i: e.pos for i, e in enumerate(p.employees)},
        position_parent={i: pos.parent for i, pos in enumerate(p.positions)},
        position_holders={i: p.holders(i) for i in range(len(p.positions))},
        overrides={emp: [Override(sup, date(2000, 1, 1), None)] for emp, sup, _ in p.overrides},
    )
    p.superiors = resolve_all(today, snapshot)
    return p


# =========================================================================== accounts
_SYSTEM_ACCOUNTS = (
    ("admin", "Admin", "Administrator", "Sistem", "Administrator sistem (pengguna dan peran)"),
    ("bkd", "BKD", "Petugas", "BKPSDM", "Petugas BKPSDM: data induk seluruh OPD, parameter, kalender, periode"),
    ("auditor", "Auditor", "Auditor", "Inspektorat", "Auditor Inspektorat: membaca semua data dan log audit"),
    ("keuangan", "Keuangan", "Petugas", "BKAD", "Petugas BKAD: membaca dan mengekspor rekap TPP"),
)


def _accounts_from_plan(p: _Plan) -> list[tuple[str, str]]:
    out = [(login, f"{desc} (peran {role})") for login, role, _, _, desc in _SYSTEM_ACCOUNTS]
    unit_name = lambda e: p.units[p.positions[e.pos].unit].name  # noqa: E731
    subordinates = {s for s in p.superiors.values() if s is not None}

    def roles(i: int) -> str:
        e = p.employees[i]
        names = ["Pegawai"]
        if e.operator:
            names.append("Operator OPD")
        if i in subordinates:
            names.append("Atasan")
        return ", ".join(names)

    def describe(i: int, what: str) -> tuple[str, str]:
        e = p.employees[i]
        pos = p.positions[e.pos]
        sup = p.superiors.get(i)
        sup_text = f"; atasan: {p.employees[sup].full_name}" if sup is not None else "; tanpa atasan"
        return e.nip, f"{what}: {e.full_name} — {pos.name}, {unit_name(e)} (peran {roles(i)}{sup_text})"

    out.append(describe(p.holders(p.marks["kasubag_dinkes"])[0], "Operator OPD Dinas Kesehatan"))
    out.append(describe(p.holders(p.marks[f"kasubag_kec_{_OPERATOR_KECAMATAN.lower()}"])[0],
                        f"Operator OPD Kecamatan {_OPERATOR_KECAMATAN}"))
    out.append(describe(p.holders(p.marks["kepala_dinkes"])[0], "Atasan (kepala dinas)"))
    plain = next(i for i, e in enumerate(p.employees)
                 if p.positions[e.pos].tag == "pegawai_demo" and e.kind == "PNS")
    out.append(describe(plain, "Pegawai"))
    out.append(describe(p.holders(p.marks["sekretaris_dishub"])[0], "Plt. Kepala Dinas Perhubungan"))
    out.append(describe(p.holders(p.marks["sekda"])[0], "Sekretaris Daerah (puncak struktur)"))
    return out


_ACCOUNTS_REFERENCE_DAY = date(REF_YEAR, 12, 1)


def demo_accounts() -> list[tuple[str, str]]:
    """(login, description) of the demo logins worth knowing; the same on every run."""
    return _accounts_from_plan(_build_plan(_ACCOUNTS_REFERENCE_DAY))


def _format_accounts(accounts: list[tuple[str, str]]) -> str:
    width = max(len(login) for login, _ in accounts)
    return "\n".join(f"  {login.ljust(width)}  {desc}" for login, desc in accounts)


DEMO_LOGINS = (
    "Akun demo (kata sandi: yang diberikan pada `flask seed-demo --password ...`):\n"
    + _format_accounts(demo_accounts())
    + "\n  Setiap pegawai dapat masuk dengan NIP-nya sebagai nama pengguna (peran Pegawai)."
)


# =========================================================================== seeding
def seed_demo(password: str, today: date | None = None, now: "datetime | None" = None) -> str:
    """Fill an empty database with the demo organisation; returns an Indonesian summary.
    `today` (WIB) and `now` (naive UTC) pin the seeding clock (default: `seed_clock()`)."""
    from flask import current_app
    from sqlalchemy import func, select
    from werkzeug.security import generate_password_hash

    from app.extensions import db
    from app.models import (
        ActivityCatalog, Employee, Holiday, Period, Position, PositionKind, SuperiorOverride, Unit,
    )
    from app.security import ROLE_OPERATOR, ROLE_PEGAWAI
    from app.services.organisation import refresh_derived

    if not password:
        raise DemoSeedError("Kata sandi akun demo wajib diisi.")
    today, now = seed_clock(today, now)
    session = db.session

    if session.execute(select(Unit.id).limit(1)).first() or session.execute(select(Employee.id).limit(1)).first():
        raise DemoSeedError(
            "Basis data sudah berisi unit kerja atau pegawai. Data demo hanya dapat diisi ke basis data "
            "yang masih kosong."
        )
    kinds = {k.code: k for k in session.execute(select(PositionKind)).scalars()}
    missing_kinds = {"JPT", "ADMINISTRATOR", "PENGAWAS", "PELAKSANA", "JF_KEAHLIAN", "JF_KETERAMPILAN"} - set(kinds)
    if missing_kinds:
        raise DemoSeedError("Tabel jenis jabatan belum lengkap. Jalankan `flask db upgrade` terlebih dahulu.")
    sm = current_app.appbuilder.sm
    role_names = {r[1] for r in _SYSTEM_ACCOUNTS} | {ROLE_PEGAWAI, ROLE_OPERATOR}
    roles = {name: sm.find_role(name) for name in role_names}
    missing = sorted(name for name, role in roles.items() if role is None)
    if missing:
        raise DemoSeedError(
            f"Peran {', '.join(missing)} belum tersedia. Jalankan `flask sync-roles` terlebih dahulu."
        )

    plan = _build_plan(today)
    User = sm.user_model
    pw_hash = generate_password_hash(
        password,
        method=current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
        salt_length=current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16),
    )

    had_flag = "audit_disabled" in session.info
    old_flag = session.info.get("audit_disabled")
    session.info["audit_disabled"] = True
    skipped: list[str] = []
    try:
        with session.no_autoflush:
            existing_users = set(session.execute(select(User.username)).scalars())
            existing_emails = set(session.execute(select(User.email)).scalars())

            def new_user(username, first, last, email, role_list):
                if username in existing_users:
                    skipped.append(username)
                    return None
                if email in existing_emails:
                    email = f"{username}.demo@{EMAIL_DOMAIN}"
                existing_emails.add(email)
                user = User(username=username, first_name=first[:64], last_name=last[:64], email=email,
                            active=True, password=pw_hash, roles=role_list)
                session.add(user)
                return user

            for login, role, first, last, _ in _SYSTEM_ACCOUNTS:
                new_user(login, first, last, f"{login}@{EMAIL_DOMAIN}", [roles[role]])

            units: list[Unit] = []
            for u in plan.units:
                row = Unit(code=u.code, name=u.name, kind=u.kind,
                           parent=units[u.parent] if u.parent is not None else None,
                           workdays_per_week=u.workdays, active=True)
                units.append(row)
                session.add(row)
            positions: list[Position] = []
            for ps in plan.positions:
                row = Position(name=ps.name, kind=kinds[ps.kind], level=ps.level, eselon=ps.eselon,
                               kelas_jabatan=ps.kelas, unit=units[ps.unit],
                               parent=positions[ps.parent] if ps.parent is not None else None, active=True)
                positions.append(row)
                session.add(row)
            employees: list[Employee] = []
            for e in plan.employees:
                role_list = [roles[ROLE_PEGAWAI]] + ([roles[ROLE_OPERATOR]] if e.operator else [])
                first, _, rest = e.name.partition(" ")
                user = new_user(e.nip, first, rest or first, f"{e.nip}@{EMAIL_DOMAIN}", role_list)
                pos = positions[e.pos]
                row = Employee(nip=e.nip, name=e.name, front_title=e.front, back_title=e.back, sex=e.sex,
                               birth_date=e.birth, kind=e.kind, golongan=e.golongan, position=pos,
                               unit=pos.unit, bank_name=BANK_NAME, bank_account=e.account, active=True,
                               user=user)
                employees.append(row)
                session.add(row)
            first_of_last_month, _ = demo_window(today)
            for emp, sup, reason in plan.overrides:
                session.add(SuperiorOverride(employee=employees[emp], superior=employees[sup],
                                             valid_from=first_of_last_month, valid_to=None, reason=reason))

            by_tag: dict[str, list[Position]] = {}
            for ps, row in zip(plan.positions, positions):
                if ps.tag:
                    by_tag.setdefault(ps.tag, []).append(row)
            for code, desc, unit_name, norm, allowed, tag in CATALOG:
                session.add(ActivityCatalog(code=code, description=desc, output_unit=unit_name,
                                            norm_minutes=norm, active=True,
                                            allowed_kinds=[kinds[k] for k in allowed],
                                            allowed_positions=list(by_tag.get(tag, [])) if tag else []))
            holidays = [h for year in demo_years(today) for h in holidays_for(year)]
            for day, name, kind in holidays:
                session.add(Holiday(date=day, name=name, kind=kind))
            for year, month in demo_periods(today):
                session.add(Period(year=year, month=month, state="OPEN"))

        refresh_derived(session)
        n_atasan = session.scalar(
            select(func.count(func.distinct(Employee.superior_id))).where(Employee.superior_id.is_not(None))
        )
        holiday_dates = frozenset(d for d, _, _ in holidays)
        people = _demo_people(session)
        _, away = seed_demo_attendance(today, people, holiday_dates)
        activities = seed_demo_activities(today, now, people, away, holiday_dates)
        skp = seed_demo_skp(today, now, people)
        scores = seed_demo_scores(today, now, people, holiday_dates)
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        if had_flag:
            session.info["audit_disabled"] = old_flag
        else:
            session.info.pop("audit_disabled", None)

    return _summary(plan, today, n_atasan, len(holidays), skipped, activities, f"{skp}\n{scores}")


def _summary(plan: _Plan, today: date, n_atasan: int, n_holidays: int, skipped: list[str],
             activities: Optional["DemoActivities"] = None, scores: Optional[str] = None) -> str:
    from collections import Counter

    from app.models.periods import MONTH_NAMES

    first = demo_periods(today)[0]
    unit_kinds = Counter(u.kind for u in plan.units)
    emp_kinds = Counter(e.kind for e in plan.employees)
    vacant = [ps.name for ps in plan.positions if ps.holders == 0]
    lines = [
        "Data demo Pemerintah Kota Malang berhasil dibuat.",
        f"- Unit kerja: {len(plan.units)} ({unit_kinds['OPD']} OPD, {unit_kinds['KECAMATAN']} kecamatan, "
        f"{unit_kinds['KELURAHAN']} kelurahan, {unit_kinds['PUSKESMAS']} puskesmas, "
        f"{unit_kinds['SEKOLAH']} sekolah, {unit_kinds['BIDANG'] + unit_kinds['SEKSI']} bidang/bagian/seksi)",
        f"- Jabatan: {len(plan.positions)} (lowong: {', '.join(vacant)})",
        f"- Pegawai: {len(plan.employees)} (PNS {emp_kinds['PNS']}, CPNS {emp_kinds['CPNS']}, "
        f"PPPK {emp_kinds['PPPK']}); {n_atasan} di antaranya menjadi atasan langsung (peran Atasan)",
        f"- Atasan pengganti (Plt): {len(plan.overrides)}",
        f"- Katalog uraian tugas: {len(CATALOG)}",
        f"- Hari libur {' dan '.join(map(str, demo_years(today)))}: {n_holidays}",
        f"- Periode terbuka: {MONTH_NAMES[first[1]]} {first[0]} s.d. {MONTH_NAMES[today.month]} {today.year}",
        *([activities.summary_line()] if activities is not None else []),
        *([scores] if scores else []),
        f"- Akun login: {len(plan.employees) + len(_SYSTEM_ACCOUNTS) - len(skipped)}"
        + (f" (sudah ada, tidak diubah: {', '.join(skipped)})" if skipped else ""),
        "",
        "Akun demo (semua memakai kata sandi yang diberikan):",
        _format_accounts(_accounts_from_plan(plan)),
        "Setiap pegawai dapat masuk dengan NIP-nya sebagai nama pengguna (peran Pegawai).",
    ]
    return "\n".join(lines)


# =========================================================================== demo months
# Every OPD and kecamatan gets a lived-in city for the demo months: the whole previous month
# (in January, December of last year) and the current month up to the seeding clock. Employees
# have a work profile (most around 70–90 %, some near 100 %, a few low), attendance with late
# and early minutes and some CUTI/SAKIT/DL/TK days, daily activities in every workflow state,
# periodic evaluations whose predikat fit the OPD's organisation predikat in most OPD and
# violate it in a few, and the recap computed by the real service. Nothing lies in the future
# of the clock at seeding (`seed_clock`): dates, submissions, decisions, evaluations and the
# recap's computation time are all at or before "now".
_WIB = timedelta(hours=7)
_DAY_START = 7 * 60 + 30  # 07:30
_LUNCH_START, _LUNCH_END = 12 * 60, 13 * 60
_OVERDUE = "OVERDUE"  # a SUBMITTED activity past its review deadline (planning label only)
_STATES = ("DRAFT", "SUBMITTED", _OVERDUE, "APPROVED", "RETURNED", "REJECTED")

# work profile -> (share of employees, claimed minutes a day (low, high), share of days skipped)
_PROFILES = {
    "rajin": (0.25, (330, 450), 0.0),
    "sedang": (0.65, (200, 320), 0.05),
    "rendah": (0.10, (60, 200), 0.3),
}

_RETURN_NOTES = (
    "Lengkapi bukti dukung kegiatan (foto, daftar hadir atau dokumen hasil).",
    "Uraian kegiatan kurang jelas; sebutkan keluaran yang dihasilkan.",
    "Volume tidak sesuai dengan bukti yang dilampirkan; mohon diperbaiki.",
    "Jam kegiatan bertabrakan dengan jadwal rapat dinas; mohon diperiksa kembali.",
)
_REJECT_NOTES = (
    "Kegiatan bukan bagian dari tugas jabatan yang bersangkutan.",
    "Kegiatan yang sama sudah dilaporkan pada tanggal lain (duplikat).",
    "Tidak ada bukti pelaksanaan kegiatan pada tanggal tersebut.",
)
_EVALUATION_NOTES = {
    "BUTUH_PERBAIKAN": "Capaian menit kerja masih di bawah target; tingkatkan pelaporan aktivitas harian.",
    "KURANG": "Perilaku kerja perlu pembinaan (disiplin dan kerja sama tim).",
    "SANGAT_KURANG": "Hasil kerja dan perilaku kerja di bawah ekspektasi; perlu pembinaan intensif.",
}


def seed_clock(today: Optional[date] = None, now: Optional["datetime"] = None) -> tuple[date, "datetime"]:
    """(today in WIB, now as naive UTC) of the seeding: `now` when given; else the real clock,
    or the given day (FIXED_TODAY) at the real time of day."""
    from datetime import datetime, timezone

    from app.services.organisation import today_local

    if now is not None:
        return (today or (now + _WIB).date()), now
    today = today or today_local()
    wib_now = datetime.now(timezone.utc).replace(tzinfo=None) + _WIB
    if wib_now.date() != today:
        wib_now = datetime.combine(today, wib_now.time())
    return today, wib_now - _WIB


def demo_window(today: date) -> tuple[date, date]:
    """First and last day of the demo data: the whole previous month (in January, December of
    last year) and the current month up to today."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1), today


def demo_months(today: date) -> list[tuple[int, int]]:
    """(year, month) of the demo periods: the previous month and the current one."""
    first, _ = demo_window(today)
    return [(first.year, first.month), (today.year, today.month)]


def demo_periods(today: date) -> list[tuple[int, int]]:
    """(year, month) of the periods the demo opens: this year's months up to the current one,
    and in January also December of last year (the demo's previous month)."""
    return sorted({*demo_months(today), *((today.year, m) for m in range(1, today.month + 1))})


def demo_years(today: date) -> list[int]:
    """The calendar years the demo window touches (two in January): their holidays, TPP tables
    and periods are written."""
    return sorted({y for y, _ in demo_months(today)})


@dataclass
class DemoActivities:
    """What seed_demo_activities wrote (for the summary)."""

    total: int = 0
    employees: int = 0
    opd: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    first_day: Optional[date] = None

    def summary_line(self) -> str:
        from app.domain.calendar import format_date_id
        from app.domain.workflow import status_label

        if not self.total:
            return "- Aktivitas harian contoh: belum ada (belum ada hari kerja pada periode berjalan)"
        parts = ", ".join(f"{status_label(k)} {v}" for k, v in sorted(self.by_status.items()))
        return (f"- Aktivitas harian contoh: {self.total} milik {self.employees} pegawai di {self.opd} OPD/kecamatan "
                f"sejak {format_date_id(self.first_day)}: {parts}; "
                f"{self.overdue} di antaranya melewati batas keputusan atasan")


@dataclass
class _Person:
    id: int
    user_id: Optional[int]
    superior_id: Optional[int]
    position_id: int
    kind_code: str
    workdays: int
    opd_id: int
    profile: str = "sedang"
    decider_workdays: int = 5
    escalation_id: Optional[int] = None
    decider_user: Optional[int] = None
    slow: bool = False


def _demo_people(session) -> list[_Person]:
    """Active employees with their unit calendar, OPD, superior line and work profile."""
    from flask_appbuilder.security.sqla.models import User
    from sqlalchemy import select

    from app.models import Employee, Position, Unit

    rows = session.execute(
        select(Employee.id, Employee.user_id, Employee.superior_id, Employee.position_id, Position.kind_code,
               Unit.workdays_per_week, Unit.opd_id)
        .join(Position, Employee.position_id == Position.id)
        .join(Unit, Employee.unit_id == Unit.id)
        .where(Employee.active.is_(True)).order_by(Employee.id)).all()
    people = [_Person(*r) for r in rows]
    by_id = {p.id: p for p in people}
    bkd_user = session.execute(select(User.id).where(User.username == "bkd")).scalar()
    rng = random.Random(f"{SEED}-profil")
    names, weights = list(_PROFILES), [v[0] for v in _PROFILES.values()]
    superiors = sorted({p.superior_id for p in people if p.superior_id is not None})
    slow = set(rng.sample(superiors, k=max(1, len(superiors) // 5))) if superiors else set()
    for p in people:
        p.profile = rng.choices(names, weights)[0]
        sup = by_id.get(p.superior_id)
        p.decider_workdays = sup.workdays if sup else p.workdays  # BKD decides at the top: the employee's week
        p.escalation_id = sup.superior_id if sup else None
        p.decider_user = sup.user_id if sup else bkd_user
        p.slow = p.superior_id in slow
    return people


def _working_days(first: date, last: date, workdays: int, holidays) -> list[date]:
    from app.domain import calendar as cal

    return [first + timedelta(days=i) for i in range((last - first).days + 1)
            if cal.is_working_day(first + timedelta(days=i), workdays, holidays)]


def seed_demo_attendance(today: date, people: list[_Person], holidays) -> tuple[int, dict[int, set[date]]]:
    """Attendance of every employee for the working days of the demo window before today
    (today's check-out is not known yet): mostly on time, late and early minutes that follow
    the work profile, a missing check-out now and then, blocks of CUTI, SAKIT and DL, and a
    few TK days. Returns (rows written, {employee: days not present})."""
    from sqlalchemy import insert

    from app.extensions import db
    from app.models import Attendance

    rng = random.Random(f"{SEED}-kehadiran-{today.isoformat()}")
    first, _ = demo_window(today)
    last = today - timedelta(days=1)
    rows: list[dict] = []
    away: dict[int, set[date]] = {}
    for p in people:
        days = _working_days(first, last, p.workdays, holidays) if last >= first else []
        status: dict[date, str] = {}
        # (status, blocks per month-ish chance, block length)
        for code, chance, length in (("CUTI", 0.15, (2, 4)), ("SAKIT", 0.12, (1, 2)), ("DL", 0.18, (1, 3))):
            for _ in range(2):
                if days and rng.random() < chance:
                    start = rng.randrange(len(days))
                    for d in days[start:start + rng.randint(*length)]:
                        status.setdefault(d, code)
        tk_chance = {"rajin": 0.0, "sedang": 0.04, "rendah": 0.5}[p.profile]
        if days and rng.random() < tk_chance:
            status.setdefault(rng.choice(days), "TK")
        late_weights = {"rajin": 14, "sedang": 7, "rendah": 3}[p.profile]
        for d in days:
            code = status.get(d, "HADIR")
            if code != "HADIR":
                away.setdefault(p.id, set()).add(d)
                rows.append(dict(employee_id=p.id, date=d, status=code, minutes_late=None, minutes_early=None))
                continue
            late = rng.choice([0] * late_weights + [rng.randint(1, 30), rng.randint(1, 30), rng.randint(31, 95)])
            early = None if rng.random() < 0.015 else rng.choice([0] * (late_weights + 4) + [rng.randint(1, 45)])
            rows.append(dict(employee_id=p.id, date=d, status="HADIR", minutes_late=late, minutes_early=early))
    if rows:
        db.session.execute(insert(Attendance), rows)
    return len(rows), away


@dataclass
class _Act:
    person: _Person
    day: date
    item: Any
    volume: int
    begin: int  # minutes after midnight
    end: int
    minutes: int
    age: int  # working days of the employee between the day and today
    day_end: int = 0  # end of the employee's last activity that day
    others: list = field(default_factory=list)  # the employee's other activities that day
    state: Optional[str] = None
    row: Optional[dict] = None


class _ActivityFactory:
    """Turns a planned activity and a wanted state into the row the workflow would have left,
    checked by the domain rules (app.domain.workflow, app.domain.calendar) at every step, or
    None when that state is impossible for it (a rule, or a time after the seeding clock)."""

    def __init__(self, today: date, now, holidays, params, rng: random.Random):
        from functools import lru_cache

        from app.domain import calendar as cal

        self.today, self.now, self.holidays, self.params, self.rng = today, now, holidays, params, rng
        self.cal = cal

        @lru_cache(maxsize=None)
        def submit_deadline(day: date, workdays: int) -> date:
            return cal.submit_deadline(day, params.submit_deadline_workdays, workdays, holidays)

        @lru_cache(maxsize=None)
        def review_deadline(day: date, workdays: int) -> date:
            return cal.review_deadline(day, params.review_deadline_workdays, workdays, holidays)

        @lru_cache(maxsize=None)
        def next_working(day: date, n: int, workdays: int) -> date:
            return cal.add_working_days(day, n, workdays, holidays)

        self.submit_deadline, self.review_deadline, self.next_working = submit_deadline, review_deadline, next_working

    def at(self, day: date, minute: int):
        """A WIB wall-clock time stored as naive UTC."""
        from datetime import datetime, time as dtime

        minute = max(0, min(minute, 23 * 60 + 59))
        return datetime.combine(day, dtime(minute // 60, minute % 60)) - _WIB

    def _entry_errors(self, a: _Act, on: date, deadline: date, period_open: bool = True) -> dict:
        from datetime import time as dtime

        from app.domain import workflow as wf

        t = lambda m: dtime(m // 60, m % 60)  # noqa: E731
        return wf.check_activity_entry(
            activity_date=a.day, today=on, deadline=deadline, claimed=a.minutes, params=self.params,
            start=t(a.begin), end=t(a.end), period_open=period_open,
            minutes_claimed_other=sum(o.minutes for o in a.others),
            other_ranges=[(t(o.begin), t(o.end)) for o in a.others])

    def make(self, a: _Act, state: str) -> Optional[dict]:
        from datetime import time as dtime
        from decimal import Decimal

        from app.domain import workflow as wf

        p, rng, today, now = a.person, self.rng, self.today, self.now
        created = self.at(a.day, a.end + rng.randint(5, 40))
        if created > now:
            return None
        deadline = self.submit_deadline(a.day, p.workdays)
        errors = self._entry_errors(a, a.day, deadline)  # as entered on the day itself
        errors.update(wf.activity_field_errors({"description": a.item.description, "volume": Decimal(a.volume)}))
        if errors:  # a programming error in the day plan
            raise DemoSeedError(f"Rencana aktivitas demo melanggar aturan: {errors}")
        row = dict(
            employee_id=p.id, date=a.day, catalog_id=a.item.id, description=a.item.description,
            volume=Decimal(a.volume), start_time=dtime(a.begin // 60, a.begin % 60),
            end_time=dtime(a.end // 60, a.end % 60), claimed_minutes=a.minutes, recognised_minutes=None,
            evidence_file=None, evidence_name=None, evidence_link=None, status=wf.DRAFT, submitted_at=None,
            review_due=None, superior_id=None, escalation_id=None, decided_by_id=None, decided_at=None,
            decision_note=None, entered_by_id=p.user_id, created_at=created, version=1,
        )
        if state == wf.DRAFT:
            return row if today <= deadline else None  # a draft the employee can still submit
        # --- submission (on the day itself, or a working day later within the deadline)
        last_submit = min(deadline, today)
        if state == wf.SUBMITTED:  # still on time for the superior
            options = [d for d in (last_submit, a.day) if self.review_deadline(d, p.decider_workdays) >= today]
        elif state == _OVERDUE:
            options = [d for d in (a.day, self.next_working(a.day, 1, p.workdays))
                       if d <= last_submit and self.review_deadline(d, p.decider_workdays) < today]
        else:
            options = [a.day] * 4 + [self.next_working(a.day, 1, p.workdays)]
            options = [d for d in options if d <= last_submit]
        if not options:
            return None
        submitted_on = rng.choice(options)
        if submitted_on == a.day:  # at the end of the day, or right after the work while the day goes on
            submitted_at = self.at(submitted_on, max(a.day_end, 15 * 60 + 30) + rng.randint(5, 60))
            if submitted_at > now:
                submitted_at = created + timedelta(minutes=rng.randint(1, 30))
        else:
            submitted_at = self.at(submitted_on, 7 * 60 + 45 + rng.randint(0, 120))
        if submitted_at <= created or submitted_at > now:
            return None
        if self._entry_errors(a, submitted_on, deadline):
            return None
        status = wf.next_status(wf.DRAFT, wf.SUBMIT)
        review_due = self.review_deadline(submitted_on, p.decider_workdays)
        row.update(status=status, submitted_at=submitted_at, review_due=review_due, superior_id=p.superior_id,
                   escalation_id=p.escalation_id)
        if state in (wf.SUBMITTED, _OVERDUE):
            return row
        # --- decision by the superior (BKD at the top of the tree)
        if state == wf.RETURNED:
            # Recently, so that the employee can still fix it (deadline counted from the return).
            candidates = [d for d in _working_days(submitted_on, today, p.decider_workdays, self.holidays)
                          if today <= self.submit_deadline(d, p.workdays)]
        else:
            lag = rng.choice((0, 1, 1, 1, 2, 2, 3)) if not p.slow else rng.choice((1, 2, 3, 4, 5, 6))
            candidates = [min(self.next_working(submitted_on, lag, p.decider_workdays), today)]
        if not candidates:
            return None
        decided_on = rng.choice(candidates)
        decided_at = self.at(decided_on, 8 * 60 + rng.randint(0, 420))
        if decided_at <= submitted_at:
            decided_at = submitted_at + timedelta(minutes=rng.randint(10, 90))
        if decided_at > now:
            return None
        action = {wf.APPROVED: wf.APPROVE, wf.RETURNED: wf.RETURN, wf.REJECTED: wf.REJECT}[state]
        note = None if state == wf.APPROVED else rng.choice(_RETURN_NOTES if state == wf.RETURNED else _REJECT_NOTES)
        row.update(status=wf.next_status(status, action, note), decided_by_id=p.decider_user,
                   decided_at=decided_at, decision_note=note)
        return row


def _plan_day(rng: random.Random, choices: list, budget: int, cap: int) -> list[tuple]:
    """2–4 catalog activities (1–2 on a light day) filling about `budget` minutes from 07:30,
    norm × volume minutes, never overlapping, at most `cap` minutes in all."""
    n = rng.randint(2, 4) if budget >= 150 else rng.randint(1, 2)
    remaining = min(budget, cap)
    smallest = min(c.norm_minutes for c in choices)
    cursor = _DAY_START
    out = []
    for i in range(n):
        left = n - i - 1  # activities still to come after this one
        room = remaining - left * smallest
        if room < smallest:
            break
        target = remaining // (left + 1)
        pool = [c for c in choices if c.norm_minutes <= min(room, max(target * 3 // 2, smallest))]
        item = rng.choice(pool or [c for c in choices if c.norm_minutes == smallest])
        volume = max(1, min(round(target / item.norm_minutes), room // item.norm_minutes, 20))
        minutes = item.norm_minutes * volume
        if cursor < _LUNCH_END and cursor + minutes > _LUNCH_START and cursor >= _LUNCH_START - 60:
            cursor = _LUNCH_END  # after the lunch break rather than across it
        out.append((item, volume, cursor, cursor + minutes, minutes))
        remaining -= minutes
        cursor += minutes + rng.choice((0, 0, 15, 30))
    return out


def _wanted_state(rng: random.Random, a: _Act) -> str:
    """The state an activity of this age most likely has (before the feasibility checks)."""
    from app.domain import workflow as wf

    r = rng.random()
    if a.age == 0:
        return wf.DRAFT if r < 0.7 else wf.SUBMITTED
    if a.age <= 2:
        if r < (0.6 if a.person.slow else 0.3):
            return wf.SUBMITTED
        if r < 0.86:
            return wf.APPROVED
        return wf.RETURNED if r < 0.95 else wf.REJECTED
    if a.person.slow and a.age <= 10 and r < 0.4:
        return _OVERDUE
    reject = {"rajin": 0.01, "sedang": 0.03, "rendah": 0.1}[a.person.profile]
    return wf.APPROVED if r >= reject else wf.REJECTED


def seed_demo_activities(today: date, now, people: list[_Person], away: dict[int, set[date]],
                         holidays) -> DemoActivities:
    """Daily activities of every active employee over the demo window, written in bulk (no
    audit rows): working days of the unit's 5- or 6-day week outside holidays and absences,
    catalog items allowed for the position, minutes after the work profile, never overlapping,
    at most `max_minutes_per_day`. States follow the age of the day (recent days DRAFT,
    SUBMITTED, RETURNED; older ones APPROVED or REJECTED; the subordinates of a few slow
    superiors keep overdue submissions) and every OPD gets every state, including an overdue
    one. Each row is built by `_ActivityFactory`, i.e. through the workflow and calendar rules
    as of the day it was entered, submitted and decided. Deterministic for a given `today`."""
    from sqlalchemy import insert, select

    from app.domain import workflow as wf
    from app.extensions import db
    from app.models import Activity, ActivityCatalog
    from app.models.activities import catalog_allowed_kind, catalog_allowed_position
    from app.services import parameters as params_service
    from app.services.activities import _capped

    session = db.session
    rng = random.Random(f"{SEED}-aktivitas-{today.isoformat()}")
    params = params_service.workflow_params(today.year)
    first, _ = demo_window(today)
    result = DemoActivities(first_day=first)
    factory = _ActivityFactory(today, now, holidays, params, rng)

    kinds: dict[int, set[str]] = {}
    for cid, code in session.execute(select(catalog_allowed_kind.c.catalog_id, catalog_allowed_kind.c.kind_code)):
        kinds.setdefault(cid, set()).add(code)
    posts: dict[int, set[int]] = {}
    for cid, pid in session.execute(select(catalog_allowed_position.c.catalog_id,
                                           catalog_allowed_position.c.position_id)):
        posts.setdefault(cid, set()).add(pid)
    catalog = session.execute(select(ActivityCatalog.id, ActivityCatalog.description, ActivityCatalog.norm_minutes)
                              .where(ActivityCatalog.active.is_(True)).order_by(ActivityCatalog.id)).all()

    def allowed_for(kind_code: str, position_id: int) -> list:
        return [c for c in catalog
                if (not kinds.get(c.id) and not posts.get(c.id))
                or kind_code in kinds.get(c.id, ()) or position_id in posts.get(c.id, ())]

    by_opd: dict[int, list[_Act]] = {}
    for p in people:
        choices = allowed_for(p.kind_code, p.position_id)
        if not choices:
            continue
        low, high = _PROFILES[p.profile][1]
        skip = _PROFILES[p.profile][2]
        absent = away.get(p.id, ())
        days = _working_days(first, today, p.workdays, holidays)
        # Age 0 is today's work in progress; on a day off the last working day is already a day old.
        for age, day in enumerate(reversed(days), start=0 if days and days[-1] == today else 1):
            if day in absent or (age > 0 and rng.random() < skip):
                continue
            planned = [_Act(p, day, item, volume, begin, end, minutes, age)
                       for item, volume, begin, end, minutes in _plan_day(rng, choices, rng.randint(low, high),
                                                                          params.max_minutes_per_day)]
            if day == today:  # only what has ended by now
                planned = [a for a in planned if factory.at(day, a.end) < now]
            for a in planned:
                a.day_end = max(o.end for o in planned)
                a.others = [o for o in planned if o is not a]
            by_opd.setdefault(p.opd_id, []).extend(planned)

    fallback = (wf.APPROVED, wf.SUBMITTED, _OVERDUE, wf.DRAFT)
    for acts in by_opd.values():
        for a in acts:
            for state in (_wanted_state(rng, a), *fallback):
                row = factory.make(a, state)
                if row is not None:
                    a.state, a.row = state, row
                    break
        acts[:] = [a for a in acts if a.row is not None]
        # Every OPD shows every state: turn a few of its (plentiful) approved items into the
        # states it lacks, where the rules allow that state for that item.
        counts: dict[str, int] = {}
        for a in acts:
            counts[a.state] = counts.get(a.state, 0) + 1
        order = list(range(len(acts)))
        rng.shuffle(order)
        order.sort(key=lambda i: acts[i].age)  # recent items first: most states are possible there
        for state in _STATES:
            if counts.get(state):
                continue
            for i in order:
                a = acts[i]
                if counts.get(a.state, 0) < 2 or a.state in (wf.RETURNED, wf.REJECTED, _OVERDUE, wf.DRAFT):
                    continue
                row = factory.make(a, state)
                if row is not None:
                    counts[a.state] -= 1
                    counts[state] = counts.get(state, 0) + 1
                    a.state, a.row = state, row
                    break

    # Recognised minutes: the approved items of an employee-day capped in the order of approval
    # (the rule app.services.activities applies at each decision).
    rows: list[dict] = []
    days: dict[tuple[int, date], list[dict]] = {}
    for acts in by_opd.values():
        result.opd += bool(acts)
        for a in acts:
            rows.append(a.row)
            if a.row["status"] == wf.APPROVED:
                days.setdefault((a.person.id, a.day), []).append(a.row)
    for day_rows in days.values():
        capped = _capped([(i, r["claimed_minutes"], r["decided_at"], None) for i, r in enumerate(day_rows)],
                         params.max_minutes_per_day)
        for i, r in enumerate(day_rows):
            r["recognised_minutes"] = capped[i]
    for r in rows:
        status = r["status"]
        result.by_status[status] = result.by_status.get(status, 0) + 1
        result.overdue += status == wf.SUBMITTED and r["review_due"] < today
    result.employees = len({r["employee_id"] for r in rows})
    if rows:
        session.execute(insert(Activity), rows)
    result.total = len(rows)
    return result


# TPP per kelas jabatan for the demo year (whole rupiah per month; BKD keeps the real table).
DEMO_TPP_RATES = {
    1: 1_750_000, 2: 1_900_000, 3: 2_050_000, 4: 2_250_000, 5: 2_500_000, 6: 2_750_000, 7: 3_100_000,
    8: 3_500_000, 9: 4_250_000, 10: 5_000_000, 11: 6_250_000, 12: 7_500_000, 13: 9_000_000,
    14: 12_500_000, 15: 16_000_000, 16: 21_000_000, 17: 26_000_000,
}

# How many OPD get which organisation predikat, and in how many of them the employees'
# predikat violate it (the rest fit it); the other OPD get BAIK.
_ORG_PLAN = (("ISTIMEWA", 3, 1), ("BUTUH_PERBAIKAN", 1, 0), ("BAIK", None, 3))


def _predikat_mix(org: str, fits: bool, n: int) -> list[str]:
    """n employee predikat, best first, that fit (or violate) the organisation predikat
    (the distribution rules of SE MenPAN-RB 3/2023, design section 4)."""
    import math

    sb = bp = k = 0
    if org == "ISTIMEWA":
        sb = round(n * 0.5) if fits else math.ceil(n * 0.85)
        bp = 1 if fits and n >= 6 else 0
    elif org == "BUTUH_PERBAIKAN":
        bp = math.ceil(n * 0.65)
        k = 1 if n >= 10 else 0
    elif fits:  # BAIK
        bp = max(1, round(n * 0.12))
        k = 1 if n >= 12 else 0
        sb = round(n * 0.2)
        while n - sb - bp - k > 0.7 * n:
            sb += 1
    else:  # BAIK violated: almost everyone BAIK and nobody below it
        sb = round(n * 0.1)
    sb = min(sb, n)
    baik = max(0, n - sb - bp - k)
    return (["SANGAT_BAIK"] * sb + ["BAIK"] * baik + ["BUTUH_PERBAIKAN"] * bp + ["KURANG"] * k)[:n]


_RATINGS_FOR = {  # predikat -> (rating hasil kerja, rating perilaku), by the matrix
    "SANGAT_BAIK": ("DI_ATAS", "DI_ATAS"),
    "BAIK": ("SESUAI", "SESUAI"),
    "BUTUH_PERBAIKAN": ("DI_BAWAH", "SESUAI"),
    "KURANG": ("SESUAI", "DI_BAWAH"),
    "SANGAT_KURANG": ("DI_BAWAH", "DI_BAWAH"),
}


def _perilaku_values(rng: random.Random, rating: str) -> dict[str, str]:
    """Seven BerAKHLAK ratings whose suggestion (app.domain.predikat) is `rating`, not all equal."""
    from app.domain import predikat as PR

    values = {v: rating for v in PR.BERAKHLAK_VALUES}
    for value in rng.sample(PR.BERAKHLAK_VALUES, k=rng.randint(0, 2)):
        other = rng.choice([r for r in PR.RATINGS if r != rating])
        trial = dict(values, **{value: other})
        if PR.perilaku_from_values(trial) == rating:
            values = trial
    return values


def _review_moment(month: tuple[int, int], today: date, now, people_workdays: int, holidays):
    """When the superiors evaluate a demo month and BKD sets the organisation predikat (WIB
    afternoon, never after now): a complete month on the first working day after it (or its
    own last working day when that is still to come); the running month on its latest working
    day before now. None when the running month has no working day yet."""
    from datetime import datetime, time as dtime

    y, m = month
    first = date(y, m, 1)
    last = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1))
    at = lambda d: datetime.combine(d, dtime(15, 0)) - _WIB  # noqa: E731
    if last < today:
        after = _working_days(last + timedelta(days=1), today, people_workdays, holidays)
        if after and at(after[0]) <= now:
            return at(after[0])
        days = _working_days(first, last, people_workdays, holidays)
        return at(days[-1]) if days else None
    days = [d for d in _working_days(first, today, people_workdays, holidays) if at(d) <= now]
    return at(days[-1]) if days else None


def seed_demo_scores(today: date, now, people: list[_Person], holidays) -> str:
    """TPP rates of the year; for each demo month the organisation predikat of every OPD (set
    by BKD), every employee's periodic evaluation by the superior (predikat by the matrix, in
    a mix that fits the organisation predikat in most OPD and violates it in a few, better
    predikat for better work scores) and the recap computed by the real service. Returns the
    summary lines."""
    import json

    from flask_appbuilder.security.sqla.models import User
    from sqlalchemy import insert, select, update

    from app.domain import predikat as PR
    from app.domain.distribution import check_distribution
    from app.domain.scores import suggest_rating_hasil_kerja
    from app.extensions import db
    from app.models import Evaluation, OrgPredikat, Period, Recap, TppRate, Unit
    from app.services import parameters as params_service
    from app.services.recap import month_scores, recompute_period

    session = db.session
    rng = random.Random(f"{SEED}-penilaian-{today.isoformat()}")
    session.execute(insert(TppRate), [dict(year=year, kelas_jabatan=k, amount=v)
                                      for year in demo_years(today) for k, v in DEMO_TPP_RATES.items()])
    bkd_user = session.execute(select(User.id).where(User.username == "bkd")).scalar()
    opd_ids = list(session.execute(select(Unit.id).where(Unit.parent_id.is_(None)).order_by(Unit.code)).scalars())
    plan_rng = random.Random(f"{SEED}-predikat-organisasi")
    shuffled = opd_ids[:]
    plan_rng.shuffle(shuffled)
    org_plan: dict[int, tuple[str, bool]] = {}
    for org, n, violated in _ORG_PLAN:
        chosen = shuffled[:n] if n is not None else shuffled
        shuffled = shuffled[len(chosen):]
        for i, opd_id in enumerate(chosen):
            org_plan[opd_id] = (org, i < len(chosen) - violated)  # (predikat, fits)
    by_opd: dict[int, list[_Person]] = {}
    for p in people:
        by_opd.setdefault(p.opd_id, []).append(p)
    user_of = {p.id: p.user_id for p in people}
    rank = {"rajin": 0, "sedang": 1, "rendah": 2}

    lines = []
    for y, m in demo_months(today):
        period = session.execute(select(Period).where(Period.year == y, Period.month == m)).scalar_one()
        moment = _review_moment((y, m), today, now, 5, holidays)
        thresholds = params_service.score_params(y).rating_thresholds
        evaluated = violating = 0
        if moment is not None:
            scores = month_scores(y, m)
            org_rows, eval_rows = [], []
            for opd_id in opd_ids:
                org, fits = org_plan[opd_id]
                org_rows.append(dict(unit_id=opd_id, period_id=period.id, predikat=org, set_by_id=bkd_user,
                                     set_at=moment - timedelta(minutes=rng.randint(120, 300))))
                staff = sorted(by_opd.get(opd_id, []),
                               key=lambda p: (-scores.get(p.id, (0, 0, 0))[2], rank[p.profile], p.id))
                mix = _predikat_mix(org, fits, len(staff))
                counts: dict[str, int] = {}
                for p, pred in zip(staff, mix):
                    hasil, perilaku = _RATINGS_FOR[pred]
                    values = _perilaku_values(rng, perilaku)
                    perilaku = PR.perilaku_from_values(values)
                    result = PR.predikat(hasil, perilaku)
                    counts[result] = counts.get(result, 0) + 1
                    score = scores.get(p.id, (0, 0, 0))[2]
                    eval_rows.append(dict(
                        employee_id=p.id, period_id=period.id, work_score=score,
                        suggested_hasil_kerja=suggest_rating_hasil_kerja(score, thresholds),
                        rating_hasil_kerja=hasil, rating_perilaku=perilaku,
                        perilaku_values=json.dumps(values, ensure_ascii=False), predikat=result,
                        note=_EVALUATION_NOTES.get(result), evaluator_id=p.superior_id,
                        evaluated_by_id=user_of.get(p.superior_id) if p.superior_id else bkd_user,
                        evaluated_at=min(moment + timedelta(minutes=rng.randint(0, 90)), now),
                    ))
                violating += bool(staff) and bool(check_distribution(org, counts))
            session.execute(insert(OrgPredikat), org_rows)
            session.execute(insert(Evaluation), eval_rows)
            evaluated = len(eval_rows)
        recap = recompute_period(y, m)
        # The recap's computation time is the seeding clock (FIXED_TODAY may lie in the past).
        session.execute(update(Recap).where(Recap.period_id == period.id, Recap.computed_at > now)
                        .values(computed_at=now))
        lines.append(f"- {period.label}: rekap {recap.employees} pegawai; "
                     + (f"penilaian periodik {evaluated} pegawai, predikat organisasi {len(opd_ids)} OPD/kecamatan "
                        f"({violating} di antaranya dengan sebaran predikat yang melanggar)" if evaluated
                        else "belum ada penilaian periodik (belum ada hari kerja yang lewat)"))
    years = " dan ".join(map(str, demo_years(today)))
    return "\n".join([f"- Tabel TPP {years}: {len(DEMO_TPP_RATES)} kelas", *lines])


# =========================================================================== SKP of the demo year
# The planning half of the cycle (design section 9): the Wali Kota's goals (RPJMD), each OPD's
# Renstra goals naming one of them, and an approved SKP for every active employee whose RHK
# cascade from the OPD head's RHK (naming the OPD goals) down the superior line, so the matriks
# peran hasil shows complete cascades. One OPD (`_GAP_OPD`) keeps two deliberate gaps: an RHK of
# a superior nobody intervenes in and a staff RHK tambahan intervening in nothing. A few
# subordinates of the Kepala Dinas Kesehatan (the README's Atasan login) have a revision raising
# a target waiting: two SUBMITTED for approval, one DRAFT. A share of the daily activities is
# linked to the RHK in force of the employee's approved plan.
_CITY_GOALS = (
    ("SK-1", "Meningkatnya kualitas sumber daya manusia yang sehat, cerdas dan berbudaya",
     "Indeks Pembangunan Manusia Kota Malang"),
    ("SK-2", "Meningkatnya pertumbuhan ekonomi yang inklusif berbasis ekonomi kreatif dan pariwisata",
     "Laju pertumbuhan ekonomi Kota Malang"),
    ("SK-3", "Terwujudnya tata kelola pemerintahan yang bersih, efektif dan melayani",
     "Indeks Reformasi Birokrasi Kota Malang"),
    ("SK-4", "Meningkatnya kualitas lingkungan hidup, infrastruktur dan ketenteraman kota",
     "Indeks Kualitas Lingkungan Hidup Kota Malang"),
)
# OPD name keyword -> the city goal its first Renstra goal serves (else SK-3, governance).
_CITY_GOAL_OF = (
    ("Pendidikan", 0), ("Kesehatan", 0), ("Sosial", 0), ("Kependudukan", 0), ("Koperasi", 1),
    ("Penanaman Modal", 1), ("Kepemudaan", 1), ("Pendapatan", 1), ("Perencanaan", 1), ("Pekerjaan Umum", 3),
    ("Lingkungan Hidup", 3), ("Perhubungan", 3), ("Polisi Pamong Praja", 3), ("Kesatuan Bangsa", 3),
)
_GAP_OPD = "Dinas Lingkungan Hidup"
_RHK_TEXTS = (
    "Terlaksananya {what} {unit} sesuai rencana kerja tahunan",
    "Meningkatnya kualitas layanan {what} {unit}",
    "Tersusunnya laporan dan evaluasi {what} {unit} tepat waktu",
    "Terkelolanya data dan dokumen {what} {unit}",
)
_RHK_EXTRA = "Terlaksananya tugas tambahan yang diberikan pimpinan pada {unit}"


@dataclass
class _SkpPerson:
    id: int
    user_id: Optional[int]
    superior_id: Optional[int]
    superior_user: Optional[int]
    position_id: int
    position: str
    unit_id: int
    unit: str
    opd_id: int
    head: bool
    depth: int = 0


def _indicators(rhk_index: int, head: bool) -> list[tuple[str, str, int, str]]:
    """(aspect, name, target, unit) of a demo RHK."""
    if head:
        return [("KUANTITAS", "Persentase capaian indikator sasaran strategis", 100, "%"),
                ("WAKTU", "Laporan kinerja disampaikan tepat waktu", 12, "bulan")]
    rows = [("KUANTITAS", "Jumlah dokumen atau laporan hasil kerja yang diselesaikan", 12 + 6 * (rhk_index % 3),
             "dokumen"),
            ("KUALITAS", "Persentase hasil kerja yang diterima atasan tanpa perbaikan", 90, "%")]
    if rhk_index == 0:
        rows.append(("WAKTU", "Hasil kerja diselesaikan sesuai jadwal", 12, "bulan"))
    return rows


def seed_demo_skp(today: date, now, people: list[_Person]) -> str:
    """Goals, SKP (with history), RHK and indicators of the demo year, written in bulk, and the
    RHK link of a share of the demo activities. Returns the summary line."""
    import json
    from types import SimpleNamespace

    from flask_appbuilder.security.sqla.models import User
    from sqlalchemy import bindparam, insert, select, update
    from sqlalchemy.orm import aliased

    from app.domain.skp import is_opd_head
    from app.extensions import db
    from app.models import Activity, Employee, Position, Rhk, RhkIndicator, Skp, SkpHistory, StrategicGoal, Unit
    from app.services.skp import snapshot

    session = db.session
    year = today.year
    rng = random.Random(f"{SEED}-skp")
    bkd_user = session.execute(select(User.id).where(User.username == "bkd")).scalar()

    # Goals: the Wali Kota's, then two per OPD (the first serves the OPD's theme, the second governance).
    city_ids = list(session.execute(
        insert(StrategicGoal).returning(StrategicGoal.id, sort_by_parameter_order=True),
        [dict(year=year, unit_id=None, parent_id=None, code=c, name=n, indicator=i, created_by_id=bkd_user,
              created_at=now) for c, n, i in _CITY_GOALS]).scalars())
    opds = session.execute(select(Unit.id, Unit.name).where(Unit.opd_id == Unit.id, Unit.active.is_(True))
                           .order_by(Unit.code, Unit.id)).all()
    goal_rows = []
    for opd_id, name in opds:
        theme = next((g for kw, g in _CITY_GOAL_OF if kw in name), 2)
        goal_rows.append(dict(year=year, unit_id=opd_id, parent_id=city_ids[theme], code="SS-1",
                              name=f"Meningkatnya kualitas layanan {name} bagi warga Kota Malang",
                              indicator=f"Indeks kepuasan masyarakat terhadap layanan {name}",
                              created_by_id=bkd_user, created_at=now))
        goal_rows.append(dict(year=year, unit_id=opd_id, parent_id=city_ids[2], code="SS-2",
                              name=f"Meningkatnya akuntabilitas kinerja {name}",
                              indicator=f"Nilai SAKIP {name}", created_by_id=bkd_user, created_at=now))
    goal_ids = list(session.execute(insert(StrategicGoal).returning(StrategicGoal.id, sort_by_parameter_order=True),
                                    goal_rows).scalars())
    goals_of: dict[int, list[tuple[int, str]]] = {}
    for gid, g in zip(goal_ids, goal_rows):
        goals_of.setdefault(g["unit_id"], []).append((gid, g["name"]))

    # Who plans: every active employee with a post, superiors first.
    ParentPos, ParentUnit = aliased(Position), aliased(Unit)
    rows = session.execute(
        select(Employee.id, Employee.position_id, Position.name, Unit.id, Unit.name, Unit.opd_id,
               Position.parent_id, ParentUnit.opd_id)
        .join(Position, Employee.position_id == Position.id).join(Unit, Position.unit_id == Unit.id)
        .outerjoin(ParentPos, Position.parent_id == ParentPos.id)
        .outerjoin(ParentUnit, ParentPos.unit_id == ParentUnit.id)
        .where(Employee.active.is_(True)).order_by(Employee.id)).all()
    by_id = {p.id: p for p in people}
    persons: dict[int, _SkpPerson] = {}
    for eid, pos_id, pos_name, unit_id, unit_name, opd_id, parent_pos, parent_opd in rows:
        p = by_id.get(eid)
        if p is None:
            continue
        sup = p.superior_id if p.superior_id in by_id else None
        persons[eid] = _SkpPerson(eid, p.user_id, sup, by_id[sup].user_id if sup else bkd_user, pos_id, pos_name,
                                  unit_id, unit_name, opd_id,
                                  is_opd_head(opd_id, parent_opd, parent_pos is not None) or sup is None)

    def depth(pid: int) -> int:
        d, cur = 0, persons[pid]
        while cur.superior_id is not None and not cur.head:
            d, cur = d + 1, persons[cur.superior_id]
        return d

    subs: dict[int, list[int]] = {}
    for p in persons.values():
        p.depth = depth(p.id)
        if not p.head:
            subs.setdefault(p.superior_id, []).append(p.id)
    order = sorted(persons, key=lambda i: (persons[i].depth, i))
    gap_opd = next((o for o, n in opds if n == _GAP_OPD), None)
    dinkes_head = next((p.id for p in persons.values() if p.head and p.unit == "Dinas Kesehatan"), None)
    pending = {i: st for i, st in zip(sorted(subs.get(dinkes_head, []))[:3], ("SUBMITTED", "SUBMITTED", "DRAFT"))}

    # SKP rows (approved in January, superiors first; never after the seeding clock).
    skp_rows = []
    for n, pid in enumerate(order):
        p = persons[pid]
        submitted = min(datetime(year, 1, 6, 2) + timedelta(days=p.depth, minutes=n), now - timedelta(minutes=10))
        skp_rows.append(dict(employee_id=pid, year=year, status="APPROVED", revision=1, approved_revision=1,
                             position_id=p.position_id, unit_id=p.unit_id, opd_id=p.opd_id,
                             superior_id=p.superior_id, submitted_at=submitted, decided_by_id=p.superior_user,
                             decided_at=min(submitted + timedelta(hours=2), now), created_at=submitted, version=1))
    skp_ids = dict(zip(order, session.execute(insert(Skp).returning(Skp.id, sort_by_parameter_order=True),
                                              skp_rows).scalars()))

    # RHK, level by level so each names its superior's RHK ids.
    rhk_of: dict[int, list[tuple[int, str, int]]] = {}  # person -> [(rhk id, kind, approved_revision)]
    all_rhk: list[dict] = []
    unlinked_gap = intervened_gap = None
    for level in sorted({p.depth for p in persons.values()}):
        batch: list[dict] = []
        for pid in (i for i in order if persons[i].depth == level):
            p = persons[pid]
            what = "program dan kegiatan" if subs.get(pid) else "tugas jabatan"
            mine: list[dict] = []
            if p.head:
                for k, (gid, gname) in enumerate(goals_of.get(p.opd_id, [])):
                    mine.append(dict(kind="UTAMA", name=f"Tercapainya sasaran strategis: {gname}", goal_id=gid,
                                     parent_id=None))
            else:
                parents = [r for r in rhk_of.get(p.superior_id, []) if r[2] == 1]
                siblings = sorted(subs[p.superior_id])
                k = siblings.index(pid)
                n_rhk = max(2, -(-len(parents) // len(siblings)))
                for j in range(min(n_rhk, 4)):
                    parent = parents[(k * n_rhk + j) % len(parents)][0] if parents else None
                    mine.append(dict(kind="UTAMA", name=_RHK_TEXTS[j].format(what=what, unit=p.unit),
                                     goal_id=None, parent_id=parent))
                if parents and rng.random() < 0.25:
                    mine.append(dict(kind="TAMBAHAN", name=_RHK_EXTRA.format(unit=p.unit), goal_id=None,
                                     parent_id=parents[rng.randrange(len(parents))][0]))
                if p.opd_id == gap_opd and unlinked_gap is None and not subs.get(pid):
                    unlinked_gap = pid
                    mine.append(dict(kind="TAMBAHAN", name=_RHK_EXTRA.format(unit=p.unit), goal_id=None,
                                     parent_id=None))
            if p.opd_id == gap_opd and intervened_gap is None and not p.head and subs.get(pid):
                intervened_gap = pid  # an RHK of a superior that no subordinate takes up
                mine.append(dict(kind="UTAMA", name=f"Terlaksananya inovasi layanan {p.unit}", goal_id=None,
                                 parent_id=mine[0]["parent_id"], gap=True))
            numbers: dict[str, int] = {}
            for r in mine:
                numbers[r["kind"]] = numbers.get(r["kind"], 0) + 1
                r.update(skp_id=skp_ids[pid], number=numbers[r["kind"]], approved_revision=1, active=True,
                         person=pid)
            batch.extend(mine)
        ids = session.execute(insert(Rhk).returning(Rhk.id, sort_by_parameter_order=True),
                              [{k: v for k, v in r.items() if k not in ("person", "gap")} for r in batch]).scalars()
        for rid, r in zip(ids, batch):
            r["id"] = rid
            if not r.get("gap"):
                rhk_of.setdefault(r["person"], []).append((rid, r["kind"], r["approved_revision"]))
        all_rhk.extend(batch)

    ind_rows: list[dict] = []
    per_rhk: dict[int, list[dict]] = {}
    for r in all_rhk:
        head = persons[r["person"]].head
        index = r["number"] - 1 if r["kind"] == "UTAMA" else 3
        for n, (aspect, name, target, unit) in enumerate(_indicators(index, head), start=1):
            row = dict(rhk_id=r["id"], number=n, aspect=aspect, name=name, target_value=target, target_unit=unit)
            ind_rows.append(row)
            per_rhk.setdefault(r["id"], []).append(row)
    ind_ids = session.execute(insert(RhkIndicator).returning(RhkIndicator.id, sort_by_parameter_order=True),
                              ind_rows).scalars()
    for iid, row in zip(ind_ids, ind_rows):
        row["id"] = iid

    # History: the approved plan of revision 1, in the shape app.services.skp.approve keeps.
    by_skp: dict[int, list[dict]] = {}
    for r in all_rhk:
        if r["approved_revision"] == 1:
            by_skp.setdefault(r["skp_id"], []).append(r)
    hist_rows = []
    for s in skp_rows:
        sid = skp_ids[s["employee_id"]]
        rhks = sorted(by_skp.get(sid, []), key=lambda r: (r["kind"] != "UTAMA", r["number"], r["id"]))
        view = SimpleNamespace(id=sid, **{k: s[k] for k in ("employee_id", "year", "revision", "position_id",
                                                            "unit_id", "opd_id", "superior_id")},
                               rhks=[SimpleNamespace(**{k: r[k] for k in ("id", "kind", "number", "name", "active",
                                                                          "parent_id", "goal_id")},
                                                     indicators=[SimpleNamespace(**i) for i in per_rhk[r["id"]]])
                                     for r in rhks])
        hist_rows.append(dict(skp_id=sid, revision=1, approved_by_id=s["decided_by_id"], approved_at=s["decided_at"],
                              snapshot=json.dumps(snapshot(view), ensure_ascii=False)))
    session.execute(insert(SkpHistory), hist_rows)
    # The revisions in progress raise a target of their first RHK (edited in place, as
    # app.services.skp.edit_indicator does; the approved plan stays in the history).
    first_indicator = {r["person"]: per_rhk[r["id"]][0] for r in reversed(all_rhk)}
    ind_table = RhkIndicator.__table__
    for pid, status in pending.items():
        row = first_indicator[pid]
        session.execute(update(ind_table).where(ind_table.c.id == row["id"])
                        .values(target_value=row["target_value"] + 6))
        session.execute(update(Skp).where(Skp.id == skp_ids[pid]).values(
            status=status, revision=2, submitted_at=now - timedelta(minutes=5) if status == "SUBMITTED" else None,
            decided_by_id=None, decided_at=None, version=2))

    # Activities: about two thirds of each employee's items name an RHK utama in force.
    in_force: dict[int, list[int]] = {}
    for r in all_rhk:
        if r["approved_revision"] == 1 and r["kind"] == "UTAMA":
            in_force.setdefault(r["person"], []).append(r["id"])
    links = []
    for aid, eid, day in session.execute(select(Activity.id, Activity.employee_id, Activity.date)
                                         .order_by(Activity.id)):
        choices = in_force.get(eid)
        if choices and day.year == year and rng.random() < 0.65:
            links.append(dict(aid=aid, rid=choices[rng.randrange(len(choices))]))
    if links:  # executemany on the table: the items keep their version (no edit by a user)
        table = Activity.__table__
        session.execute(update(table).where(table.c.id == bindparam("aid")).values(rhk_id=bindparam("rid")), links)
    return (f"- SKP {year}: {len(_CITY_GOALS)} sasaran Wali Kota, {len(goal_rows)} sasaran OPD, {len(skp_rows)} SKP "
            f"disetujui ({len(pending)} di antaranya sedang direvisi), {len(all_rhk)} RHK, {len(ind_rows)} indikator; "
            f"{len(links)} aktivitas terkait RHK; celah kaskade contoh di {_GAP_OPD}")
