"""Fixtures: a fresh database per test cloned from a migrated template, the app, a client,
a small organisation (two OPD under the Sekda) and logins for every role.

Runs on SQLite by default and on PostgreSQL when DATABASE_URL points at one (.ci/run).
"""
from __future__ import annotations

import itertools
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import config

PASSWORD = "rahasia"
PG_URL = os.environ.get("DATABASE_URL", "")
IS_PG = PG_URL.startswith("postgresql")
_counter = itertools.count()


def make_config(uri: str, **overrides):
    attrs = {"SQLALCHEMY_DATABASE_URI": uri, **overrides}
    return type("PerTestConfig", (config.TestConfig,), attrs)


# --------------------------------------------------------------------------- databases
class _Databases:
    """Creates the template once, then a clone per test."""

    def __init__(self, tmp_root):
        self.tmp_root = tmp_root
        self.template_uri = None
        self.clones: list[str] = []

    def _admin_engine(self):
        url = make_url(PG_URL).set(database="postgres")
        return create_engine(url, isolation_level="AUTOCOMMIT")

    def new_empty(self) -> str:
        if IS_PG:
            name = f"ek_{uuid.uuid4().hex[:10]}"
            with self._admin_engine().connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            self.clones.append(name)
            return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        path = os.path.join(self.tmp_root, f"empty_{next(_counter)}.db")
        return f"sqlite:///{path}"

    def clone(self) -> str:
        if IS_PG:
            name = f"ek_{uuid.uuid4().hex[:10]}"
            template = make_url(self.template_uri).database
            with self._admin_engine().connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            self.clones.append(name)
            return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        src = make_url(self.template_uri).database
        dst = os.path.join(self.tmp_root, f"t_{next(_counter)}.db")
        shutil.copyfile(src, dst)
        return f"sqlite:///{dst}"

    def drop(self, uri: str) -> None:
        if IS_PG:
            name = make_url(uri).database
            with self._admin_engine().connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            path = make_url(uri).database
            if path and os.path.exists(path):
                os.remove(path)


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    dbs = _Databases(str(tmp_path_factory.mktemp("db")))
    uri = dbs.new_empty()
    from app import create_app
    from app.extensions import db

    app = create_app(make_config(uri))
    with app.app_context():
        from flask_migrate import upgrade

        from app.cli import sync_roles

        upgrade()
        sync_roles()
        build_world()
        db.session.remove()
        db.engine.dispose()
    dbs.template_uri = uri
    yield dbs
    if IS_PG:
        for name in dbs.clones:
            with dbs._admin_engine().connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --------------------------------------------------------------------------- the world
NIPS = {
    # name: (nip, sex, birth)
    "sekda": ("197001011995031001", "L", date(1970, 1, 1)),
    "kadis_a": ("197502022000032002", "P", date(1975, 2, 2)),
    "kabid_a": ("198003032005011003", "L", date(1980, 3, 3)),
    "staff_a": ("199004042015032004", "P", date(1990, 4, 4)),
    "op_a": ("198805052012011005", "L", date(1988, 5, 5)),
    "staff_a1": ("199206062018012006", "P", date(1992, 6, 6)),
    "kadis_b": ("197207072000031007", "L", date(1972, 7, 7)),
    "staff_b": ("199108082016032008", "P", date(1991, 8, 8)),
    "op_b": ("198909092014011009", "L", date(1989, 9, 9)),
}


def build_world() -> None:
    """Two OPD under the Sekda; ids are looked up by name in tests through `World`."""
    from flask import current_app
    from werkzeug.security import generate_password_hash

    from flask_appbuilder.security.sqla.models import User

    from app.extensions import db
    from app.models import ActivityCatalog, Employee, Holiday, Period, Position, PositionKind, Unit

    s = db.session
    setda = Unit(code="1.00", name="Sekretariat Daerah", kind="OPD", workdays_per_week=5, active=True)
    dinkes = Unit(code="2.00", name="Dinas Kesehatan", kind="OPD", workdays_per_week=5, active=True)
    pkm = Unit(code="2.01", name="Puskesmas Arjuno", kind="PUSKESMAS", parent=dinkes, workdays_per_week=6, active=True)
    disdik = Unit(code="3.00", name="Dinas Pendidikan dan Kebudayaan", kind="OPD", workdays_per_week=5, active=True)
    s.add_all([setda, dinkes, pkm, disdik])
    s.flush()
    kinds = {k.code: k for k in s.query(PositionKind)}

    def pos(name, kind, unit, parent=None, level=None, eselon=None, kelas=7):
        p = Position(name=name, kind=kinds[kind], unit=unit, parent=parent, level=level, eselon=eselon,
                     kelas_jabatan=kelas, active=True)
        s.add(p)
        return p

    p_sekda = pos("Sekretaris Daerah", "JPT", setda, None, "Madya", "II.a", 16)
    p_kadis_a = pos("Kepala Dinas Kesehatan", "JPT", dinkes, p_sekda, "Pratama", "II.b", 14)
    p_kabid_a = pos("Kepala Bidang Pelayanan Kesehatan", "ADMINISTRATOR", dinkes, p_kadis_a, None, "III.b", 11)
    p_staff_a = pos("Pengelola Data Kesehatan", "PELAKSANA", dinkes, p_kabid_a, None, None, 6)
    p_op_a = pos("Analis Kepegawaian", "JF_KEAHLIAN", dinkes, p_kabid_a, "Ahli Pertama", None, 8)
    p_kapus = pos("Kepala Puskesmas Arjuno", "PENGAWAS", pkm, p_kadis_a, None, "IV.a", 9)  # vacant
    p_staff_a1 = pos("Perawat Terampil", "JF_KETERAMPILAN", pkm, p_kapus, "Terampil", None, 7)
    p_kadis_b = pos("Kepala Dinas Pendidikan dan Kebudayaan", "JPT", disdik, p_sekda, "Pratama", "II.b", 14)
    p_staff_b = pos("Pengadministrasi Perkantoran", "PELAKSANA", disdik, p_kadis_b, None, None, 5)
    p_op_b = pos("Pengelola Kepegawaian", "PELAKSANA", disdik, p_kadis_b, None, None, 6)
    s.flush()

    positions = {"sekda": p_sekda, "kadis_a": p_kadis_a, "kabid_a": p_kabid_a, "staff_a": p_staff_a,
                 "op_a": p_op_a, "staff_a1": p_staff_a1, "kadis_b": p_kadis_b, "staff_b": p_staff_b,
                 "op_b": p_op_b}
    golongan = {"sekda": "IV/d", "kadis_a": "IV/c", "kabid_a": "IV/a", "staff_a": "III/a", "op_a": "III/b",
                "staff_a1": "II/c", "kadis_b": "IV/c", "staff_b": "II/b", "op_b": "III/a"}
    roles = {r.name: r for r in current_app.appbuilder.sm.get_all_roles()}
    pw = generate_password_hash(PASSWORD, method=current_app.config["FAB_PASSWORD_HASH_METHOD"])

    def user(username, *role_names):
        u = User(username=username, first_name=username, last_name="-", email=f"{username}@malangkota.go.id",
                 active=True, password=pw, roles=[roles[r] for r in role_names])
        s.add(u)
        return u

    for name in ("admin", "bkd", "auditor", "keuangan"):
        user(name, {"admin": "Admin", "bkd": "BKD", "auditor": "Auditor", "keuangan": "Keuangan"}[name])
    for key, (nip, sex, birth) in NIPS.items():
        p = positions[key]
        extra = ("Operator OPD",) if key in ("op_a", "op_b") else ()
        u = user(nip, "Pegawai", *extra)
        s.add(Employee(nip=nip, name=key.replace("_", " ").title(), sex=sex, birth_date=birth, kind="PNS",
                       golongan=golongan[key], position=p, unit=p.unit, bank_name="Bank Jatim",
                       bank_account="0011223344", active=True, user=u))
    s.add(ActivityCatalog(code="U-001", description="Menyusun laporan kinerja bulanan", output_unit="laporan",
                          norm_minutes=120, active=True))
    s.add(Holiday(date=date(2026, 8, 17), name="Hari Kemerdekaan", kind="LIBUR_NASIONAL"))
    s.add(Period(year=2026, month=11, state="OPEN"))
    s.commit()  # derived data (opd_id, superior_id, Atasan role) is refreshed before commit


@dataclass
class World:
    """Lookups into the per-test database by the names used in build_world()."""

    app: object
    ids: dict = field(default_factory=dict)

    def employee(self, key):
        from app.extensions import db
        from app.models import Employee

        return db.session.query(Employee).filter_by(nip=NIPS[key][0]).one()

    def unit(self, name):
        from app.extensions import db
        from app.models import Unit

        return db.session.query(Unit).filter_by(name=name).one()

    def position(self, name):
        from app.extensions import db
        from app.models import Position

        return db.session.query(Position).filter_by(name=name).one()


# --------------------------------------------------------------------------- per test
class IsolatedClient(FlaskClient):
    """A request made while the test holds an app context reuses that context (Flask), and
    with it `g`, where Flask-Login and FAB cache the logged-in user. In production every
    request has its own context: clear `g` before each request so that two clients in one
    test never see each other's login."""

    def open(self, *args, **kwargs):
        from flask import g, has_app_context

        if has_app_context():
            for key in list(g):
                g.pop(key, None)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(databases):
    from app import create_app
    from app.extensions import db

    uri = databases.clone()
    application = create_app(make_config(uri))
    application.test_client_class = IsolatedClient
    ctx = application.app_context()
    ctx.push()
    yield application
    db.session.remove()
    db.engine.dispose()
    ctx.pop()
    databases.drop(uri)


@pytest.fixture
def world(app):
    return World(app)


@pytest.fixture
def client(app):
    return app.test_client()


# Role -> login of the world
LOGINS = {
    "admin": "admin",
    "bkd": "bkd",
    "auditor": "auditor",
    "keuangan": "keuangan",
    "operator": NIPS["op_a"][0],  # Operator OPD of Dinas Kesehatan
    "pegawai": NIPS["staff_a"][0],  # plain employee of Dinas Kesehatan
    "atasan": NIPS["kabid_a"][0],  # superior of staff_a and op_a
}


def do_login(client, username, password=PASSWORD):
    client.get("/logout/")
    resp = client.post("/login/", data={"username": username, "password": password})
    assert resp.status_code == 302, f"login {username} failed"
    return client


@pytest.fixture
def login_as(app):
    """login_as("operator") -> a test client logged in with that role's login."""

    def _login(role_or_username):
        c = app.test_client()
        return do_login(c, LOGINS.get(role_or_username, role_or_username))

    return _login


@pytest.fixture
def api_as(app):
    """api_as("operator") -> (client, headers) with a JWT for that role's login."""

    def _api(role_or_username):
        c = app.test_client()
        resp = c.post("/api/v1/security/login", json={
            "username": LOGINS.get(role_or_username, role_or_username), "password": PASSWORD,
            "provider": "db"})
        assert resp.status_code == 200, resp.get_json()
        return c, {"Authorization": f"Bearer {resp.get_json()['access_token']}"}

    return _api
