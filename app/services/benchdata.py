"""City-size data for benchmarks and load tests: `flask --app run bench-data --password PW`.

`generate_bench_data()` fills an EMPTY database (schema from the migrations, roles synced) with
a whole city, by default the size of design section 6: 10,000 employees in 70 OPD (about 400
sub-units: sekretariat, subbagian umum dan kepegawaian, bidang, seksi, kelurahan, puskesmas),
about 1,200 positions in a structural tree under the Sekretaris Daerah (a few vacant posts, so
superiors skip a level), every employee with a login, the demo's activity catalog, holiday
calendar and TPP table, and twelve months up to today (WIB):

- attendance: one row per employee and working day up to yesterday (~2.6 million; HADIR with
  late and early minutes, CUTI, SAKIT, DL, IZIN, TK);
- activities: `per_day` a working day per employee who is not away (~10 million), with catalog
  items, volume × norm minutes, sequential times from 07:30; earlier months decided (mostly
  APPROVED, some REJECTED), the current month in every state (DRAFT, SUBMITTED, some overdue,
  RETURNED with a note, REJECTED with a reason, APPROVED), with the superior snapshot, its
  escalation, the review deadline and the decision;
- the audit log: one row per state change of about 30 % of the activities (~3 million);
- periods: the earlier months CLOSED with their recap computed by the real service
  (`recompute_period`), the current month OPEN with its recap.

Every employee's login is the NIP. A deterministic sample (`sample_pegawai` plain employees,
`sample_superiors` superiors, `sample_operators` operators, plus admin, bkd, auditor and
keuangan) gets the given password; every other login gets a random one (unusable). The sample is
returned, printed and written as CSV (`username,role`) for the load test.

Rows are bulk loaded: COPY (psycopg `cursor.copy`) on PostgreSQL, with the large tables'
secondary indexes dropped during the load and recreated from their own definitions afterwards;
`executemany` in batches on SQLite (meant for small sizes). Everything derives from
`random.Random(seed)` and the given day: the same arguments give the same rows.
Organisation derived data (Unit.opd_id, Employee.superior_id, the Atasan role) comes from
`app.services.organisation.refresh_derived`, as in the panel.
"""
from __future__ import annotations

import csv
import itertools
import json
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterable, Optional

from app.domain.calendar import add_working_days, is_working_day
from app.domain.nip import make_nip
from app.domain.positions import typical_golongan
from app.services.demo import (
    _FEMALE, _FEMALE_LAST, _MALE, _MALE_LAST, _MIDDLE, _MIDDLE_F, _REJECT_NOTES, _RETURN_NOTES,
    _SYSTEM_ACCOUNTS, BANK_NAME, CATALOG, DEMO_TPP_RATES, EMAIL_DOMAIN, holidays_for,
)

_WIB = timedelta(hours=7)
_DAY_START = 7 * 60 + 30  # 07:30
_BATCH = 10_000  # SQLite executemany batch
_BIG_TABLES = ("activity", "attendance", "audit_log")

# OPD names (Kota Malang); beyond the list, numbered UPT-like offices.
_OPD_NAMES = (
    "Inspektorat", "Badan Perencanaan Pembangunan Daerah", "Badan Pengelola Keuangan dan Aset Daerah",
    "Badan Pendapatan Daerah", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    "Badan Kesatuan Bangsa dan Politik", "Badan Penanggulangan Bencana Daerah", "Dinas Pendidikan",
    "Dinas Kesehatan", "Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas Perumahan dan Kawasan Permukiman",
    "Satuan Polisi Pamong Praja", "Dinas Sosial", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
    "Dinas Ketahanan Pangan dan Pertanian", "Dinas Lingkungan Hidup", "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Perhubungan", "Dinas Komunikasi dan Informatika", "Dinas Koperasi, Perindustrian dan Perdagangan",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "Dinas Kepemudaan, Olahraga dan Pariwisata",
    "Dinas Perpustakaan Umum dan Arsip Daerah", "Dinas Tenaga Kerja", "Dinas Pemadam Kebakaran",
    "Sekretariat Dewan Perwakilan Rakyat Daerah",
)
_KECAMATAN = ("Klojen", "Blimbing", "Kedungkandang", "Lowokwaru", "Sukun")

# Catalog items every position may use (no kind or position restriction).
_OPEN_CATALOG = [c for c in CATALOG if not c[4] and c[5] is None]
_NOTES = {"RETURNED": _RETURN_NOTES, "REJECTED": _REJECT_NOTES}


class BenchDataError(Exception):
    """The benchmark data cannot be generated (Indonesian message)."""


@dataclass(frozen=True)
class BenchSize:
    employees: int = 10_000
    opd: int = 70
    months: int = 12
    per_day: int = 4
    sample_pegawai: int = 300
    sample_superiors: int = 60
    sample_operators: int = 10
    audit_share: int = 3  # in tenths of the decided/submitted activities
    seed: int = 2026

    def check(self) -> None:
        problems = []
        if self.opd < 2:
            problems.append("jumlah OPD paling sedikit 2")
        if self.employees < 20 * self.opd:
            problems.append(f"jumlah pegawai paling sedikit 20 per OPD ({20 * self.opd})")
        if not 1 <= self.months <= 24:
            problems.append("jumlah bulan 1 sampai 24")
        if not 1 <= self.per_day <= 8:
            problems.append("aktivitas per pegawai per hari 1 sampai 8")
        if not 0 <= self.audit_share <= 10:
            problems.append("porsi log audit 0 sampai 10 (persepuluhan)")
        if problems:
            raise BenchDataError("Ukuran data benchmark tidak valid: " + "; ".join(problems) + ".")


@dataclass
class BenchSummary:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)  # (username, role)
    first_day: Optional[date] = None
    today: Optional[date] = None
    dialect: str = ""

    def text(self) -> str:
        by_role: dict[str, int] = {}
        for _, role in self.logins:
            by_role[role] = by_role.get(role, 0) + 1
        lines = [f"Data benchmark kota ({self.dialect}) dibuat: {self.first_day:%d-%m-%Y} s.d. {self.today:%d-%m-%Y}.",
                 "Baris per tabel:"]
        lines += [f"  {table:<22} {n:>12,}".replace(",", ".") for table, n in self.rows.items()]
        lines.append("Waktu (detik): " + ", ".join(f"{k} {v:.1f}" for k, v in self.seconds.items()))
        lines.append("Akun dengan kata sandi yang diberikan: "
                     + ", ".join(f"{role} {n}" for role, n in by_role.items()))
        return "\n".join(lines)


# =========================================================================== the plan
@dataclass
class _Org:
    units: list[tuple] = field(default_factory=list)  # (id, code, name, kind, parent, opd, workdays)
    positions: list[tuple] = field(default_factory=list)  # (id, name, kind, level, eselon, kelas, unit, parent)
    holders: dict[int, int] = field(default_factory=dict)  # position id -> holders
    operator_positions: set[int] = field(default_factory=set)
    sekda_position: int = 0

    def unit(self, code, name, kind, parent, opd, workdays=5) -> int:
        uid = len(self.units) + 1
        self.units.append((uid, code, name, kind, parent, opd or uid, workdays))
        return uid

    def pos(self, name, kind, unit, parent, level=None, eselon=None, kelas=9, holders=1) -> int:
        pid = len(self.positions) + 1
        self.positions.append((pid, name, kind, level, eselon, kelas, unit, parent))
        self.holders[pid] = holders
        return pid


def _plan_org(size: BenchSize, rng: random.Random) -> _Org:
    """Units and positions: the Sekretariat Daerah, then per OPD a head, a sekretariat with the
    subbagian umum dan kepegawaian (its head is the OPD's operator), two bidang with a seksi
    each; staff positions share the remaining employees. Every tenth OPD has a vacant seksi head."""
    org = _Org()
    setda = org.unit("4.01.01", "Sekretariat Daerah", "OPD", None, None)
    org.sekda_position = org.pos("Sekretaris Daerah", "JPT", setda, None, "Madya", "II.a", 16)
    staff: list[int] = []
    names = list(_OPD_NAMES) + [f"Kecamatan {k}" for k in _KECAMATAN]
    for i in range(1, size.opd):
        name = names[i - 1] if i - 1 < len(names) else f"Unit Pelaksana Teknis Daerah {i - len(names):02d}"
        kecamatan = name.startswith("Kecamatan")
        code = f"{5 + i // 100}.{i % 100:02d}.01"
        opd = org.unit(code, name, "KECAMATAN" if kecamatan else "OPD", None, None)
        short = name.replace("Dinas ", "").replace("Badan ", "")
        head = org.pos(f"Camat {name[10:]}" if kecamatan else f"Kepala {name}", "ADMINISTRATOR" if kecamatan else "JPT",
                       opd, org.sekda_position, None if kecamatan else "Pratama", "III.a" if kecamatan else "II.b",
                       12 if kecamatan else 14)
        sek_u = org.unit(f"{code}.01", f"Sekretariat {short}", "BIDANG", opd, opd)
        sek = org.pos(f"Sekretaris {short}", "ADMINISTRATOR", sek_u, head, None, "III.b" if kecamatan else "III.a",
                      11 if kecamatan else 12)
        umpeg_u = org.unit(f"{code}.01.01", f"Subbagian Umum dan Kepegawaian {short}", "SEKSI", sek_u, opd)
        kasub = org.pos("Kepala Subbagian Umum dan Kepegawaian", "PENGAWAS", umpeg_u, sek, None, "IV.a", 9)
        org.operator_positions.add(kasub)
        staff += [org.pos("Pengadministrasi Perkantoran", "PELAKSANA", umpeg_u, kasub, kelas=5, holders=0),
                  org.pos("Pengelola Keuangan", "PELAKSANA", sek_u, sek, kelas=7, holders=0)]
        six_day = i % 7 == 3  # a health office: its seksi are puskesmas working six days
        for b in (1, 2):
            b_kind, s_kind = ("KELURAHAN", "SEKSI") if kecamatan else ("BIDANG", "PUSKESMAS" if six_day else "SEKSI")
            bu = org.unit(f"{code}.{b + 1:02d}", f"{'Kelurahan' if kecamatan else 'Bidang'} {b} {short}", b_kind,
                          opd, opd)
            kabid = org.pos(f"{'Lurah' if kecamatan else 'Kepala Bidang'} {b} {short}",
                            "PENGAWAS" if kecamatan else "ADMINISTRATOR", bu, head if not kecamatan else sek,
                            None, "IV.a" if kecamatan else "III.b", 9 if kecamatan else 11)
            su = org.unit(f"{code}.{b + 1:02d}.01", f"{'Puskesmas' if s_kind == 'PUSKESMAS' else 'Seksi'} {b} {short}",
                          s_kind, bu, opd, 6 if s_kind == "PUSKESMAS" else 5)
            vacant = i % 10 == 0 and b == 1
            kasi = org.pos(f"Kepala {'Puskesmas' if s_kind == 'PUSKESMAS' else 'Seksi'} {b} {short}", "PENGAWAS",
                           su, kabid, None, "IV.a", 9, holders=0 if vacant else 1)
            staff += [org.pos("Analis Kebijakan Ahli Pertama", "JF_KEAHLIAN", bu, kabid, "Ahli Pertama", kelas=8,
                              holders=0),
                      org.pos("Analis Kebijakan Ahli Muda", "JF_KEAHLIAN", bu, kabid, "Ahli Muda", kelas=9, holders=0),
                      org.pos("Pengelola Data", "PELAKSANA", su, kasi, kelas=6, holders=0),
                      org.pos("Pranata Komputer Terampil", "JF_KETERAMPILAN", su, kasi, "Terampil", kelas=7,
                              holders=0)]
    left = size.employees - sum(org.holders.values())
    if left < len(staff):
        raise BenchDataError("Jumlah pegawai terlalu kecil untuk struktur OPD yang diminta.")
    weights = [rng.uniform(0.5, 1.5) for _ in staff]
    total = sum(weights)
    shares = [max(1, int(left * w / total)) for w in weights]
    for k in range(left - sum(shares)):  # the rounding remainder, one each
        shares[k % len(shares)] += 1
    for pid, n in zip(staff, shares):
        org.holders[pid] = n
    return org


_AGES = {"JPT": (46, 57), "ADMINISTRATOR": (41, 55), "PENGAWAS": (35, 54), "PELAKSANA": (24, 56),
         "JF_KEAHLIAN": (26, 50), "JF_KETERAMPILAN": (24, 48)}


def _plan_employees(org: _Org, size: BenchSize, rng: random.Random, today: date) -> list[tuple]:
    """(id, nip, name, front, back, sex, birth, kind, golongan, position, unit, account)."""
    out = []
    used_prefix: dict[str, int] = {}
    eid = 0
    for pid, _name, kind, level, _eselon, _kelas, unit, _parent in org.positions:
        for _ in range(org.holders[pid]):
            eid += 1
            sex = "L" if rng.random() < 0.52 else "P"
            first, last, middle = (_MALE, _MALE_LAST, _MIDDLE) if sex == "L" else (_FEMALE, _FEMALE_LAST, _MIDDLE_F)
            parts = [rng.choice(first)] + ([rng.choice(middle)] if rng.random() < 0.3 else []) + [rng.choice(last)]
            lo, hi = _AGES[kind]
            age = rng.randint(lo, hi)
            birth = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
            entry = kind in ("PELAKSANA", "JF_KETERAMPILAN") or level == "Ahli Pertama"
            x = rng.random()
            emp_kind = ("CPNS" if entry and x < 0.06 else "PPPK" if entry and x < 0.30 else "PNS")
            if emp_kind == "PPPK":
                start = date(rng.randint(2021, 2025), 1, 1)
                golongan = {"Ahli Pertama": "IX", "Terampil": "VII"}.get(level, "V")
            else:
                if emp_kind == "CPNS":
                    m = today.year * 12 + today.month - 1 - rng.randint(2, 11)
                    start = date(m // 12, m % 12 + 1, 1)
                    birth = date(start.year - rng.randint(23, 30), birth.month, birth.day)
                else:
                    start = date(min(birth.year + rng.randint(22, 29), today.year - 2), rng.randint(1, 12), 1)
                options = typical_golongan(kind, level) or ["III/a"]
                golongan = "II/a" if emp_kind == "CPNS" and kind != "JF_KEAHLIAN" else \
                    "III/a" if emp_kind == "CPNS" else \
                    options[min(len(options) - 1, (today.year - start.year) * len(options) // 36)]
            if emp_kind == "PPPK":
                prefix = f"{birth:%Y%m%d}{start.year:04d}21{'1' if sex == 'L' else '2'}"
            else:
                prefix = make_nip(birth, start, sex, 1)[:15]
            seq = used_prefix.get(prefix, 0) + 1
            used_prefix[prefix] = seq
            nip = f"{prefix}{seq:03d}"
            front, back = (None, rng.choice(("S.E.", "S.Sos.", "S.H.", "S.AP.", None, None)))
            out.append((eid, nip, " ".join(parts), front, back, sex, birth, emp_kind, golongan, pid, unit,
                        f"00{eid:08d}"))
    return out


# =========================================================================== loading
class _Loader:
    """Bulk rows through one raw DBAPI connection: COPY on PostgreSQL, batched executemany
    on SQLite (dates in SQLAlchemy's SQLite text forms)."""

    def __init__(self, raw, is_pg: bool):
        self.raw, self.is_pg = raw, is_pg

    def load(self, table: str, columns: list[str], rows: Iterable[tuple]) -> int:
        cur = self.raw.cursor()
        n = 0
        try:
            if self.is_pg:
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        n += 1
            else:
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                it = iter(rows)
                while True:
                    batch = [tuple(_sqlite_value(v) for v in r) for r in itertools.islice(it, _BATCH)]
                    if not batch:
                        break
                    cur.executemany(sql, batch)
                    n += len(batch)
        finally:
            cur.close()
        return n

    def execute(self, sql: str, params: tuple = ()) -> None:
        cur = self.raw.cursor()
        try:
            cur.execute(sql, params) if params else cur.execute(sql)
        finally:
            cur.close()


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "hour") and hasattr(value, "minute"):  # datetime.time
        return value.strftime("%H:%M:%S.%f")
    return value


def _secondary_indexes(raw) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the non-constraint indexes of the big tables (PostgreSQL)."""
    cur = raw.cursor()
    cur.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
        "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        (list(_BIG_TABLES),))
    out = cur.fetchall()
    cur.close()
    return out


# =========================================================================== generation
def _month_start(today: date, months: int) -> date:
    m = today.year * 12 + today.month - 1 - (months - 1)
    return date(m // 12, m % 12 + 1, 1)


def _check_empty(session) -> None:
    from sqlalchemy import select

    from app.models import Activity, Employee, PositionKind, Unit

    if session.execute(select(Unit.id).limit(1)).first() or session.execute(select(Employee.id).limit(1)).first() \
            or session.execute(select(Activity.id).limit(1)).first():
        raise BenchDataError("Basis data sudah berisi unit kerja, pegawai atau aktivitas. Data benchmark hanya dapat "
                             "diisi ke basis data yang masih kosong (jalankan `flask db upgrade` pada basis data baru).")
    if len(session.execute(select(PositionKind.code)).all()) < 6:
        raise BenchDataError("Tabel jenis jabatan belum lengkap. Jalankan `flask db upgrade` terlebih dahulu.")


def generate_bench_data(password: str, size: BenchSize = BenchSize(), today: Optional[date] = None,
                        now: Optional[datetime] = None, logins_path: Optional[str] = None,
                        echo=None) -> BenchSummary:
    """Fill an empty database with a whole city (module docstring); returns the summary.
    `today` (WIB) and `now` (naive UTC) pin the clock (default: `seed_clock()`, as the demo);
    no row lies after `now`."""
    from flask import current_app
    from sqlalchemy import bindparam, select, text
    from werkzeug.security import generate_password_hash

    from app.extensions import db
    from app.security import ROLE_ATASAN, ROLE_OPERATOR, ROLE_PEGAWAI
    from app.services.demo import seed_clock
    from app.services.organisation import refresh_derived

    if not password:
        raise BenchDataError("Kata sandi akun benchmark wajib diisi.")
    size.check()
    say = echo or (lambda _msg: None)
    today, now = seed_clock(today, now)
    session = db.session
    _check_empty(session)
    sm = current_app.appbuilder.sm
    role_ids = {r.name: r.id for r in sm.get_all_roles()}
    wanted_roles = {ROLE_PEGAWAI, ROLE_OPERATOR, ROLE_ATASAN} | {r[1] for r in _SYSTEM_ACCOUNTS}
    missing = sorted(wanted_roles - set(role_ids))
    if missing:
        raise BenchDataError(f"Peran {', '.join(missing)} belum tersedia. Jalankan `flask sync-roles` terlebih dahulu.")

    rng = random.Random(size.seed)
    summary = BenchSummary(today=today, first_day=_month_start(today, size.months), dialect=db.engine.dialect.name)
    t_all = t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now_t = time.perf_counter()
        summary.seconds[name] = now_t - t
        t = now_t
        say(f"  {name}: {summary.seconds[name]:.1f} s")

    org = _plan_org(size, rng)
    employees = _plan_employees(org, size, rng, today)
    method = current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt")
    known_hash = generate_password_hash(password, method=method)
    unusable_hash = generate_password_hash(secrets.token_urlsafe(24), method=method)
    first_day = summary.first_day
    years = sorted({first_day.year, today.year})
    holidays = [h for y in years for h in holidays_for(y)]
    holiday_dates = frozenset(h[0] for h in holidays)
    stamp = datetime.combine(first_day, datetime.min.time())
    is_pg = db.engine.dialect.name == "postgresql"
    rows = summary.rows

    raw = db.engine.raw_connection()
    try:
        ld = _Loader(raw, is_pg)
        cur = raw.cursor()
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM ab_user")
        next_user = cur.fetchone()[0]
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM ab_user_role")
        next_link = cur.fetchone()[0]
        cur.execute("SELECT username FROM ab_user")
        existing = {r[0] for r in cur.fetchall()}
        cur.close()

        # ------------------------------------------------------------ master data
        rows["unit"] = ld.load("unit", ["id", "code", "name", "kind", "parent_id", "opd_id", "workdays_per_week",
                                        "active"], [u + (True,) for u in org.units])
        rows["position"] = ld.load("position", ["id", "name", "kind_code", "level", "eselon", "kelas_jabatan",
                                                "unit_id", "parent_id", "active"],
                                   [p + (True,) for p in org.positions])
        users, links, user_of = [], [], {}
        system_users = {}
        for login, role, first, last, _desc in _SYSTEM_ACCOUNTS:
            if login in existing:
                continue
            next_user += 1
            system_users[login] = next_user
            users.append((next_user, first, last, login, known_hash, True, f"{login}@{EMAIL_DOMAIN}", stamp, stamp))
            next_link += 1
            links.append((next_link, next_user, role_ids[role]))
        for e in employees:
            eid, nip, name = e[0], e[1], e[2]
            next_user += 1
            user_of[eid] = next_user
            first, _, rest = name.partition(" ")
            users.append((next_user, first[:64], (rest or first)[:64], nip, unusable_hash, True,
                          f"{nip}@{EMAIL_DOMAIN}", stamp, stamp))
            next_link += 1
            links.append((next_link, next_user, role_ids[ROLE_PEGAWAI]))
            if e[9] in org.operator_positions:
                next_link += 1
                links.append((next_link, next_user, role_ids[ROLE_OPERATOR]))
        rows["ab_user"] = ld.load("ab_user", ["id", "first_name", "last_name", "username", "password", "active",
                                              "email", "created_on", "changed_on"], users)
        rows["ab_user_role"] = ld.load("ab_user_role", ["id", "user_id", "role_id"], links)
        rows["employee"] = ld.load(
            "employee", ["id", "nip", "name", "front_title", "back_title", "sex", "birth_date", "kind", "golongan",
                         "position_id", "unit_id", "bank_name", "bank_account", "active", "user_id"],
            [e[:11] + (BANK_NAME, e[11], True, user_of[e[0]]) for e in employees])
        rows["activity_catalog"] = ld.load(
            "activity_catalog", ["id", "code", "description", "output_unit", "norm_minutes", "active"],
            [(i, c[0], c[1], c[2], c[3], True) for i, c in enumerate(CATALOG, start=1)])
        ld.load("catalog_allowed_kind", ["catalog_id", "kind_code"],
                [(i, k) for i, c in enumerate(CATALOG, start=1) for k in c[4]])
        rows["holiday"] = ld.load("holiday", ["date", "name", "kind"], holidays)
        months = []
        m = first_day.year * 12 + first_day.month - 1
        while m <= today.year * 12 + today.month - 1:
            months.append((m // 12, m % 12 + 1))
            m += 1
        rows["period"] = ld.load("period", ["year", "month", "state"], [(y, mo, "OPEN") for y, mo in months])
        rows["tpp_rate"] = ld.load("tpp_rate", ["year", "kelas_jabatan", "amount"],
                                   [(y, k, a) for y in years for k, a in DEMO_TPP_RATES.items()])
        if is_pg:
            _sync_sequences(raw, ("unit", "position", "employee", "activity_catalog", "holiday", "period",
                                  "tpp_rate"), {"ab_user": "ab_user_id_seq", "ab_user_role": "ab_user_role_id_seq"})
        raw.commit()
    finally:
        raw.close()

    # Derived organisation data by the panel's own rules (superiors, Atasan role).
    had = session.info.get("audit_disabled")
    session.info["audit_disabled"] = True
    try:
        refresh_derived(session)
        session.commit()
    finally:
        session.info["audit_disabled"] = had
        if had is None:
            session.info.pop("audit_disabled", None)
    lap("data_induk")

    from app.models import Employee, Unit

    people = session.execute(select(Employee.id, Employee.superior_id, Employee.user_id, Unit.workdays_per_week)
                             .join(Unit, Unit.id == Employee.unit_id).order_by(Employee.id)).all()
    superior = {p.id: p.superior_id for p in people}
    user_id = {p.id: p.user_id for p in people}
    workdays = {p.id: p.workdays_per_week for p in people}
    bkd_user = system_users.get("bkd") or session.execute(
        text("SELECT id FROM ab_user WHERE username = 'bkd'")).scalar()
    logins = _sample_logins(session, size, rng, org, employees, system_users)
    summary.logins = logins
    session.execute(text("UPDATE ab_user SET password = :pw WHERE username IN :names")
                    .bindparams(bindparam("names", expanding=True)),
                    {"pw": known_hash, "names": [n for n, _ in logins]})
    session.commit()
    if logins_path:
        with open(logins_path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["username", "role"])
            w.writerows(logins)

    # ------------------------------------------------------------ attendance and activities
    days = [first_day + timedelta(days=i) for i in range((today - first_day).days + 1)]
    work_days = {wd: [d for d in days if is_working_day(d, wd, holiday_dates)] for wd in (5, 6)}
    work_set = {wd: set(v) for wd, v in work_days.items()}
    midnight = {d: datetime.combine(d, datetime.min.time()) - _WIB for d in days}  # naive UTC of 00:00 WIB
    due = {wd: {d: add_working_days(d, 3, wd, holiday_dates) for d in days} for wd in (5, 6)}
    age = {wd: {d: len(work_days[wd]) - 1 - i for i, d in enumerate(work_days[wd])} for wd in (5, 6)}
    ids = [p.id for p in people]
    away: set[tuple[int, date]] = set()

    raw = db.engine.raw_connection()
    try:
        ld = _Loader(raw, is_pg)
        dropped = _secondary_indexes(raw) if is_pg else []
        for name, _ddl in dropped:
            ld.execute(f'DROP INDEX "{name}"')
        deferred_fk = is_pg and _skip_fk_triggers(raw)
        arng = random.Random(size.seed + 1)

        def attendance_rows():
            for d in days:
                if d >= today:
                    break  # imported up to yesterday
                for e in ids:
                    if d not in work_set[workdays[e]]:
                        continue
                    status, late, early = _attendance_day(arng)
                    if status in _AWAY:
                        away.add((e, d))
                    yield (e, d, status, late, early)

        rows["attendance"] = ld.load("attendance", ["employee_id", "date", "status", "minutes_late", "minutes_early"],
                                     attendance_rows())
        raw.commit()
        lap("kehadiran")

        cap = min(180, 450 // size.per_day)
        catalog = [(i, c[1], c[3]) for i, c in enumerate(CATALOG, start=1) if c in _OPEN_CATALOG and c[3] <= cap]
        current_month = (today.year, today.month)
        xrng = random.Random(size.seed + 2)
        counter = itertools.count(1)

        def status_for(d: date, age_wd: int) -> str:
            r = xrng.random()
            if (d.year, d.month) != current_month:
                return "APPROVED" if r < 0.98 else "REJECTED"
            if age_wd > 5:
                return ("APPROVED" if r < 0.88 else "SUBMITTED" if r < 0.92 else "RETURNED" if r < 0.96 else
                        "REJECTED" if r < 0.98 else "DRAFT")
            if age_wd > 1:
                return "APPROVED" if r < 0.75 else "SUBMITTED" if r < 0.93 else "RETURNED" if r < 0.97 else "DRAFT"
            return "DRAFT" if r < 0.30 else "SUBMITTED" if r < 0.90 else "APPROVED"

        def activity_rows():
            # Ids follow the entry time within a day, as in service where everyone enters through the
            # day: an OPD's activities interleave with the city's, not one block per employee.
            for d in days:
                day_rows = []
                for e in ids:
                    wd = workdays[e]
                    if d not in work_set[wd] or (e, d) in away:
                        continue
                    age_wd = age[wd][d]
                    sup = superior[e]
                    esc = superior.get(sup) if sup is not None else None
                    me = user_id[e]
                    minute = _DAY_START
                    for _ in range(size.per_day):
                        cid, desc, norm = catalog[xrng.randrange(len(catalog))]
                        volume = xrng.randint(1, max(1, cap // norm))
                        claimed = norm * volume
                        start = minute
                        minute += claimed
                        status = status_for(d, age_wd)
                        created = min(midnight[d] + timedelta(minutes=start + claimed), now)
                        submitted = decided = review_due = note = None
                        sup_id = esc_id = decider = None
                        version = 1
                        if status != "DRAFT":
                            submitted = min(created + timedelta(hours=1), now)
                            review_due = due[wd][d]
                            sup_id, esc_id = sup, esc
                            version = 2
                            if status != "SUBMITTED":
                                decided = min(submitted + timedelta(hours=18 + xrng.randrange(48)), now)
                                decider = user_id.get(sup) if sup is not None else bkd_user
                                version = 3
                                if status in _NOTES:
                                    note = _NOTES[status][xrng.randrange(len(_NOTES[status]))]
                        day_rows.append((e, d, cid, desc, volume, _time(start), _time(start + claimed), claimed,
                                         claimed if status == "APPROVED" else None, status, submitted, review_due,
                                         sup_id, esc_id, decider, decided, note, me, created, version))
                # created_at (whole minutes), then the employees of that minute scrambled (Knuth's multiplicative hash)
                day_rows.sort(key=lambda r: (r[-2], r[0] * 2654435761 % 2 ** 32))
                for row in day_rows:
                    yield (next(counter), *row)

        rows["activity"] = ld.load(
            "activity", ["id", "employee_id", "date", "catalog_id", "description", "volume", "start_time", "end_time",
                         "claimed_minutes", "recognised_minutes", "status", "submitted_at", "review_due",
                         "superior_id", "escalation_id", "decided_by_id", "decided_at", "decision_note",
                         "entered_by_id", "created_at", "version"], activity_rows())
        raw.commit()
        lap("aktivitas")

        # The audit trail of a share of the activities' transitions, written by the database.
        ld.execute(
            "INSERT INTO audit_log (at, user_id, username, entity, entity_id, action, before, after, count) "
            "SELECT COALESCE(a.decided_at, a.submitted_at), u.id, u.username, 'Activity', CAST(a.id AS VARCHAR(20)), "
            "'UPDATE', CASE WHEN a.decided_at IS NULL THEN '{\"status\": \"DRAFT\"}' "
            "ELSE '{\"status\": \"SUBMITTED\"}' END, '{\"status\": \"' || a.status || '\"}', 1 "
            "FROM activity a LEFT JOIN ab_user u ON u.id = COALESCE(a.decided_by_id, a.entered_by_id) "
            f"WHERE a.status <> 'DRAFT' AND a.id % 10 < {int(size.audit_share)} ORDER BY a.id")
        raw.commit()
        cur = raw.cursor()
        cur.execute("SELECT COUNT(*) FROM audit_log")
        rows["audit_log"] = cur.fetchone()[0]
        cur.close()
        lap("log_audit")
        if deferred_fk:
            ld.execute("SET session_replication_role = origin")
            _check_foreign_keys(raw)
            lap("cek_fk")
        for _name, ddl in dropped:
            ld.execute(ddl)
        if is_pg:
            _sync_sequences(raw, ("attendance", "activity", "audit_log"), {})
        raw.commit()
        if dropped:
            lap("indeks")
    finally:
        raw.close()

    # ------------------------------------------------------------ recap; earlier months closed
    from app.models import Period
    from app.services.recap import recompute_period

    session.info["audit_disabled"] = True
    try:
        for y, mo in months:
            recompute_period(y, mo)
            session.commit()
        closed_at = datetime.combine(today, datetime.min.time()) - _WIB
        for period in session.execute(select(Period)).scalars():
            if (period.year, period.month) != current_month:
                period.state, period.closed_at, period.closed_by_id = "CLOSED", closed_at, bkd_user
        session.commit()
    finally:
        session.info.pop("audit_disabled", None)
    rows["recap"] = session.execute(text("SELECT COUNT(*) FROM recap")).scalar()
    lap("rekap")
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if is_pg else "ANALYZE"))
    lap("analyze")
    summary.seconds["total"] = time.perf_counter() - t_all
    return summary


# Attendance statuses by cumulative share; CUTI, SAKIT, DL and TK days have no activities.
_ATTENDANCE_SHARES = ((0.93, "HADIR"), (0.96, "CUTI"), (0.975, "SAKIT"), (0.99, "DL"), (0.995, "IZIN"), (1.0, "TK"))
_AWAY = {"CUTI", "SAKIT", "DL", "TK"}


def _attendance_day(rng: random.Random) -> tuple[str, Optional[int], Optional[int]]:
    """(status, minutes late, minutes early) of one day: late on 19 % of the present days,
    early leave on 9 %, no check-in or check-out record on 1 % each."""
    r = rng.random()
    status = next(name for share, name in _ATTENDANCE_SHARES if r < share)
    if status != "HADIR":
        return status, None, None
    minutes = []
    for share in (0.2, 0.1):
        q = rng.random()
        minutes.append(None if q < 0.01 else rng.randint(1, 120) if q < share else 0)
    return status, minutes[0], minutes[1]


def _time(minutes: int):
    from datetime import time as dtime

    return dtime(minutes // 60, minutes % 60)


def _skip_fk_triggers(raw) -> bool:
    """PostgreSQL: load the big tables without the per-row foreign-key triggers (a superuser's
    `session_replication_role = replica`); `_check_foreign_keys` then checks every key in one
    set-based query per key. Without the privilege the triggers stay (slower, same result)."""
    cur = raw.cursor()
    try:
        cur.execute("SET session_replication_role = replica")
        raw.commit()
        return True
    except Exception:  # noqa: BLE001 - insufficient privilege: keep the triggers
        raw.rollback()
        return False
    finally:
        cur.close()


def _check_foreign_keys(raw) -> None:
    """Every foreign key of the big tables points at an existing row (raises otherwise)."""
    cur = raw.cursor()
    cur.execute(
        "SELECT cl.relname, a.attname, rt.relname, ra.attname FROM pg_constraint c "
        "JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class rt ON rt.oid = c.confrelid "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1] "
        "WHERE c.contype = 'f' AND cl.relname = ANY(%s)", (list(_BIG_TABLES),))
    broken = []
    for table, column, ref, ref_column in cur.fetchall():
        cur.execute(f'SELECT COUNT(*) FROM "{table}" t WHERE t."{column}" IS NOT NULL AND NOT EXISTS '
                    f'(SELECT 1 FROM "{ref}" r WHERE r."{ref_column}" = t."{column}")')
        n = cur.fetchone()[0]
        if n:
            broken.append(f"{table}.{column}: {n}")
    cur.close()
    if broken:
        raise BenchDataError("Kunci asing tidak valid pada data benchmark: " + ", ".join(broken) + ".")


def _sync_sequences(raw, tables, named: dict[str, str]) -> None:
    cur = raw.cursor()
    for table in tables:
        cur.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
        seq = cur.fetchone()[0]
        if seq:
            cur.execute(f"SELECT setval('{seq}', GREATEST((SELECT MAX(id) FROM {table}), 1))")
    for table, seq in named.items():
        cur.execute("SELECT to_regclass(%s)", (seq,))
        if cur.fetchone()[0]:
            cur.execute(f"SELECT setval('{seq}', GREATEST((SELECT MAX(id) FROM {table}), 1))")
    cur.close()


def _sample_logins(session, size: BenchSize, rng: random.Random, org: _Org, employees, system_users) -> list[tuple]:
    """The deterministic sample of logins given the known password: (username, role)."""
    from sqlalchemy import text

    superiors = set(session.execute(text(
        "SELECT DISTINCT superior_id FROM employee WHERE superior_id IS NOT NULL")).scalars())
    operators = [e[1] for e in employees if e[9] in org.operator_positions]
    plain = [e[1] for e in employees if e[0] not in superiors and e[9] not in org.operator_positions]
    bosses = [e[1] for e in employees if e[0] in superiors and e[9] not in org.operator_positions]
    out = [(login, role) for login, role, *_ in _SYSTEM_ACCOUNTS if login in system_users]
    out += [(n, "Operator OPD") for n in rng.sample(operators, min(size.sample_operators, len(operators)))]
    out += [(n, "Atasan") for n in rng.sample(bosses, min(size.sample_superiors, len(bosses)))]
    out += [(n, "Pegawai") for n in rng.sample(plain, min(size.sample_pegawai, len(plain)))]
    return out
