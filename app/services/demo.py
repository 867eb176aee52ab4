"""Demo data of Pemerintah Kota Malang: `flask seed-demo --password ...`.

`seed_demo()` fills an EMPTY database (no unit, no employee) in one transaction with a
realistic organisation: the Sekretariat Daerah, 19 other OPD, the five kecamatan with their
kelurahan, puskesmas and schools; a structural tree of positions from the Sekretaris Daerah
down (with a few vacant posts and a Plt), about 300 employees (PNS, CPNS, PPPK) with valid
NIPs and a login each, the activity catalog, the holiday calendar of the current year and the
open periods of the current year; then about a month of daily activities of some 60 employees
of three OPD in every workflow state (`seed_demo_activities`).

Everything is generated from a locally seeded `random.Random(2026)`: the same code always
produces the same organisation, names and NIPs, so the README can list demo logins
(`demo_accounts()`, `DEMO_LOGINS`). Only the CPNS start months follow the seeding date
(a CPNS has started recently by definition); PNS and PPPK data use the fixed reference
year `REF_YEAR`.

The plan is built in pure Python first (`_build_plan`), then written by `seed_demo`.
Derived data (Unit.opd_id, Employee.superior_id, the Atasan role) is left to
`app.services.organisation.refresh_derived`.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Optional

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
def seed_demo(password: str, today: date | None = None) -> str:
    """Fill an empty database with the demo organisation; returns an Indonesian summary."""
    from flask import current_app
    from sqlalchemy import func, select
    from werkzeug.security import generate_password_hash

    from app.extensions import db
    from app.models import (
        ActivityCatalog, Employee, Holiday, Period, Position, PositionKind, SuperiorOverride, Unit,
    )
    from app.security import ROLE_OPERATOR, ROLE_PEGAWAI
    from app.services.organisation import refresh_derived, today_local

    if not password:
        raise DemoSeedError("Kata sandi akun demo wajib diisi.")
    today = today or today_local()
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
            first_of_last_month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
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
            holidays = holidays_for(today.year)
            for day, name, kind in holidays:
                session.add(Holiday(date=day, name=name, kind=kind))
            for month in range(1, today.month + 1):
                session.add(Period(year=today.year, month=month, state="OPEN"))

        refresh_derived(session)
        n_atasan = session.scalar(
            select(func.count(func.distinct(Employee.superior_id))).where(Employee.superior_id.is_not(None))
        )
        activities = seed_demo_activities(today)
        scores = seed_demo_scores(today)
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        if had_flag:
            session.info["audit_disabled"] = old_flag
        else:
            session.info.pop("audit_disabled", None)

    return _summary(plan, today, n_atasan, len(holidays), skipped, activities) + "\n" + scores


def _summary(plan: _Plan, today: date, n_atasan: int, n_holidays: int, skipped: list[str],
             activities: Optional["DemoActivities"] = None) -> str:
    from collections import Counter

    from app.models.periods import MONTH_NAMES

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
        f"- Hari libur {today.year}: {n_holidays}",
        f"- Periode terbuka: Januari s.d. {MONTH_NAMES[today.month]} {today.year}",
        *([activities.summary_line()] if activities is not None else []),
        f"- Akun login: {len(plan.employees) + len(_SYSTEM_ACCOUNTS) - len(skipped)}"
        + (f" (sudah ada, tidak diubah: {', '.join(skipped)})" if skipped else ""),
        "",
        "Akun demo (semua memakai kata sandi yang diberikan):",
        _format_accounts(_accounts_from_plan(plan)),
        "Setiap pegawai dapat masuk dengan NIP-nya sebagai nama pengguna (peran Pegawai).",
    ]
    return "\n".join(lines)


# =========================================================================== demo activities
# Employees of these OPD get daily activities (the README's demo logins are among them:
# the Operator OPD and the Kepala Dinas Kesehatan, the Pegawai, the Operator OPD of Klojen
# and the Plt. Kepala Dinas Perhubungan).
DEMO_ACTIVITY_OPD = ("Dinas Kesehatan", "Kecamatan Klojen", "Dinas Perhubungan")
DEMO_MAX_MINUTES_PER_DAY = 450  # the default max_minutes_per_day
_DEMO_REVIEW_WORKDAYS = 3  # the default review_deadline_workdays
_DEMO_MIN_WORKDAYS = 12  # early in a month the window reaches back into the previous month
_DAY_START = 7 * 60 + 30  # 07:30
_LUNCH_START, _LUNCH_END = 12 * 60, 13 * 60
_WIB_HOURS = 7

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


@dataclass
class DemoActivities:
    """What seed_demo_activities wrote (for the summary)."""

    total: int = 0
    employees: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    first_day: Optional[date] = None

    def summary_line(self) -> str:
        from app.domain.calendar import format_date_id
        from app.domain.workflow import status_label

        if not self.total:
            return "- Aktivitas harian contoh: belum ada (belum ada hari kerja pada periode berjalan)"
        parts = ", ".join(f"{status_label(k)} {v}" for k, v in sorted(self.by_status.items()))
        return (f"- Aktivitas harian contoh: {self.total} milik {self.employees} pegawai "
                f"({', '.join(DEMO_ACTIVITY_OPD)}) sejak {format_date_id(self.first_day)}: {parts}; "
                f"{self.overdue} di antaranya melewati batas keputusan atasan")


def _demo_window_start(today: date, holidays: frozenset) -> date:
    """The first day of the current month, or of the previous month (same year, so its period
    is open) while the current month has fewer than _DEMO_MIN_WORKDAYS working days so far."""
    from datetime import timedelta

    from app.domain import calendar as cal

    start = today.replace(day=1)
    n = sum(1 for i in range((today - start).days + 1)
            if cal.is_working_day(start + timedelta(days=i), 5, holidays))
    if n < _DEMO_MIN_WORKDAYS and today.month > 1:
        start = (start - timedelta(days=1)).replace(day=1)
    return start


def seed_demo_activities(today: date) -> DemoActivities:
    """About a month of daily activities for the employees of DEMO_ACTIVITY_OPD, written in
    bulk (no service calls, no audit rows), up to `today`:

    - working days only (the unit's 5- or 6-day week and the holiday calendar), 2–4 activities
      a day from the catalog items allowed for the position, norm × volume minutes, time ranges
      from 07:30 that never overlap, at most 450 minutes a day;
    - the latest working day mostly DRAFT; recent days SUBMITTED, APPROVED, a few RETURNED
      (with a note, still within the submission deadline so they can be fixed); older days
      mostly APPROVED (decided by the superior snapshot a day after submission), a few REJECTED
      with a reason; the subordinates of a few "slow" superiors keep SUBMITTED items older than
      the review deadline (overdue, escalated to the superior's superior).

    Deterministic for a given `today`. Called by seed_demo before its commit.
    """
    from datetime import datetime, timedelta
    from datetime import time as dtime
    from decimal import Decimal

    from flask_appbuilder.security.sqla.models import User
    from sqlalchemy import insert, select

    from app.domain import calendar as cal
    from app.domain import workflow as wf
    from app.extensions import db
    from app.models import Activity, ActivityCatalog, Employee, Holiday, Position, Unit
    from app.models.activities import catalog_allowed_kind, catalog_allowed_position

    session = db.session
    rng = random.Random(f"{SEED}-aktivitas-{today.isoformat()}")
    holidays = frozenset(session.execute(select(Holiday.date)).scalars())
    start = _demo_window_start(today, holidays)
    result = DemoActivities(first_day=start)

    opd_ids = list(session.execute(select(Unit.id).where(
        Unit.name.in_(DEMO_ACTIVITY_OPD), Unit.parent_id.is_(None))).scalars())  # OPD or kecamatan
    people = session.execute(
        select(Employee.id, Employee.user_id, Employee.superior_id, Employee.position_id,
               Position.kind_code, Unit.workdays_per_week)
        .join(Position, Employee.position_id == Position.id)
        .join(Unit, Employee.unit_id == Unit.id)
        .where(Unit.opd_id.in_(opd_ids), Employee.active.is_(True))
        .order_by(Employee.id)
    ).all()
    if not people:
        return result
    chain = {r.id: (r.superior_id, r.user_id) for r in session.execute(
        select(Employee.id, Employee.superior_id, Employee.user_id))}
    bkd_user = session.execute(select(User.id).where(User.username == "bkd")).scalar()

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

    superiors = sorted({p.superior_id for p in people if p.superior_id is not None})
    slow = set(rng.sample(superiors, k=max(2, len(superiors) // 5))) if len(superiors) >= 2 else set(superiors)

    def utc(day: date, hour: int, minute: int) -> datetime:
        """A WIB wall-clock time stored as naive UTC."""
        return datetime.combine(day, dtime(hour, minute)) - timedelta(hours=_WIB_HOURS)

    def plan_day(choices: list) -> list[tuple]:
        n = rng.randint(2, 4)
        remaining = rng.randint(240, DEMO_MAX_MINUTES_PER_DAY)
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

    def pick_status(age: int, is_slow: bool) -> str:
        r = rng.random()
        if age == 0:
            return wf.DRAFT if r < 0.75 else wf.SUBMITTED
        if age <= 2:
            if r < (0.6 if is_slow else 0.35):
                return wf.SUBMITTED
            if r < 0.86:
                return wf.APPROVED
            return wf.RETURNED if r < 0.96 else wf.REJECTED
        if is_slow and age <= 10 and r < 0.45:
            return wf.SUBMITTED  # past the review deadline from age 5 on: overdue
        return wf.APPROVED if r < 0.96 else wf.REJECTED

    rows: list[dict] = []
    to_time = lambda m: dtime(m // 60, m % 60)  # noqa: E731
    for p in people:
        choices = allowed_for(p.kind_code, p.position_id)
        if not choices:
            continue
        workdays = p.workdays_per_week
        days = [start + timedelta(days=i) for i in range((today - start).days + 1)]
        days = [d for d in days if cal.is_working_day(d, workdays, holidays)]
        superior = p.superior_id
        escalation = chain.get(superior, (None, None))[0] if superior is not None else None
        decider = chain[superior][1] if superior is not None else bkd_user
        is_slow = superior in slow
        result.employees += 1
        for age, day in enumerate(reversed(days)):
            for item, volume, begin, end, minutes in plan_day(choices):
                status = pick_status(age, is_slow)
                if status == wf.RETURNED and cal.submit_deadline(day, 2, workdays, holidays) < today:
                    status = wf.APPROVED  # returned only while the employee can still resubmit
                row = dict(
                    employee_id=p.id, date=day, catalog_id=item.id, description=item.description,
                    volume=Decimal(volume), start_time=to_time(begin), end_time=to_time(end),
                    claimed_minutes=minutes, recognised_minutes=None, evidence_file=None, evidence_name=None,
                    evidence_link=None, status=status, submitted_at=None, review_due=None, superior_id=None,
                    escalation_id=None, decided_by_id=None, decided_at=None, decision_note=None,
                    entered_by_id=p.user_id, created_at=utc(day, 15, rng.randint(0, 59)), version=1,
                )
                if status != wf.DRAFT:
                    # Submitted the same day (or the next working day for some still-pending items).
                    submitted_on = day
                    if status == wf.SUBMITTED and age >= 1 and rng.random() < 0.3:
                        submitted_on = min(cal.add_working_days(day, 1, workdays, holidays), today)
                    row.update(
                        submitted_at=utc(submitted_on, 16, rng.randint(0, 29)),
                        review_due=cal.review_deadline(submitted_on, _DEMO_REVIEW_WORKDAYS, workdays, holidays),
                        superior_id=superior, escalation_id=escalation,
                    )
                if status in (wf.APPROVED, wf.RETURNED, wf.REJECTED):
                    decided_on = min(day + timedelta(days=1), today)
                    row.update(decided_by_id=decider, decided_at=utc(decided_on, 8, rng.randint(0, 59)))
                    if status == wf.APPROVED:
                        row["recognised_minutes"] = minutes
                    else:
                        row["decision_note"] = rng.choice(_RETURN_NOTES if status == wf.RETURNED else _REJECT_NOTES)
                if status == wf.SUBMITTED and row["review_due"] < today:
                    result.overdue += 1
                result.by_status[status] = result.by_status.get(status, 0) + 1
                rows.append(row)
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


def seed_demo_scores(today: date) -> str:
    """TPP rates of the year, a month of attendance for the demo-activity OPDs (mostly on time,
    some late or leaving early, a missing check-out, leave, sick and absent days), then the
    recap of the current month computed by the real service. Returns a summary line."""
    from sqlalchemy import insert, select

    from app.domain import calendar as cal
    from app.extensions import db
    from app.models import Attendance, Employee, Holiday, TppRate, Unit
    from app.services.recap import recompute_period

    session = db.session
    rng = random.Random(f"{SEED}-kehadiran-{today.isoformat()}")
    session.execute(insert(TppRate), [dict(year=today.year, kelas_jabatan=k, amount=v)
                                      for k, v in DEMO_TPP_RATES.items()])
    holidays = frozenset(session.execute(select(Holiday.date)).scalars())
    first = today.replace(day=1)
    opd_ids = list(session.execute(select(Unit.id).where(
        Unit.name.in_(DEMO_ACTIVITY_OPD), Unit.parent_id.is_(None))).scalars())
    people = session.execute(
        select(Employee.id, Unit.workdays_per_week).join(Unit, Employee.unit_id == Unit.id)
        .where(Unit.opd_id.in_(opd_ids), Employee.active.is_(True)).order_by(Employee.id)).all()
    rows = []
    for emp_id, wpw in people:
        day = first
        while day <= today:
            if cal.is_working_day(day, wpw, holidays):
                roll = rng.random()
                if roll < 0.02:
                    rows.append(dict(employee_id=emp_id, date=day, status="TK", minutes_late=None, minutes_early=None))
                elif roll < 0.05:
                    rows.append(dict(employee_id=emp_id, date=day, status=rng.choice(["CUTI", "SAKIT", "DL"]),
                                     minutes_late=None, minutes_early=None))
                else:
                    late = rng.choice([0] * 8 + [rng.randint(1, 30), rng.randint(31, 95)])
                    early = None if rng.random() < 0.02 else rng.choice([0] * 12 + [rng.randint(1, 45)])
                    rows.append(dict(employee_id=emp_id, date=day, status="HADIR", minutes_late=late,
                                     minutes_early=early))
            day += timedelta(days=1)
    if rows:
        session.execute(insert(Attendance), rows)
    result = recompute_period(today.year, today.month)
    return (f"Tabel TPP {today.year}: {len(DEMO_TPP_RATES)} kelas; kehadiran contoh: {len(rows)} hari; "
            f"rekap {result.employees} pegawai dihitung.")
