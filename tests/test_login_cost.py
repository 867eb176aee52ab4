"""Issue 11 item 2: a login costs its password check and little else.

FAB writes last_login / login_count / fail_login_count on the user row at every login; the
organisation listener (app.services.organisation) must not take that for an organisation
change. Only changes of what the derived data is computed from (units, positions, employees,
overrides, login names and roles) recompute superiors and the Atasan role.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import SuperiorOverride
from app.services import organisation
from tests.conftest import LOGINS, NIPS, PASSWORD

ORG_TABLES = ("employee", "unit", "position", "superior_override")


@pytest.fixture
def recomputes(monkeypatch):
    """Counts the organisation recomputes (the real one still runs)."""
    calls = []
    real = organisation.refresh_derived

    def spy(session):
        calls.append(1)
        return real(session)

    monkeypatch.setattr(organisation, "refresh_derived", spy)
    return calls


@pytest.fixture
def statements(app):
    """The SQL statements sent to the database while the test runs `with statements.record():`."""

    class Recorder(list):
        def _on(self, conn, cursor, statement, params, context, executemany):
            self.append(" ".join(statement.split()))

        def record(self):
            recorder = self

            class _Ctx:
                def __enter__(self):
                    recorder.clear()
                    event.listen(db.engine, "before_cursor_execute", recorder._on)

                def __exit__(self, *exc):
                    event.remove(db.engine, "before_cursor_execute", recorder._on)

            return _Ctx()

    return Recorder()


def _org_scans(stmts: list[str]) -> list[str]:
    """Statements reading a whole organisation table (FROM <table> without a WHERE)."""
    scans = []
    for s in stmts:
        for table in ORG_TABLES:
            m = re.search(rf'\bFROM "?{table}"?\b(.*)$', s, re.IGNORECASE)
            if m and not re.search(r"\bWHERE\b", m.group(1), re.IGNORECASE):
                scans.append(s)
            elif m and re.search(rf"FROM {table} WHERE {table}\.active IS", s, re.IGNORECASE):
                scans.append(s)  # the snapshot of all active employees
    return scans


@pytest.mark.parametrize("role", ["pegawai", "operator", "atasan", "admin"])
def test_form_login_recomputes_nothing(app, client, recomputes, statements, role):
    client.get("/logout/")
    with statements.record():
        resp = client.post("/login/", data={"username": LOGINS[role], "password": PASSWORD})
    assert resp.status_code == 302 and "/login" not in resp.headers["Location"]
    print(f"form login {role}: {len(statements)} statements")
    assert recomputes == []
    assert _org_scans(statements) == []
    # the bookkeeping was written all the same
    assert any(s.startswith("UPDATE ab_user SET last_login") for s in statements)


def test_api_login_and_failed_login_recompute_nothing(app, client, recomputes, statements):
    with statements.record():
        resp = client.post("/api/v1/security/login", json={
            "username": LOGINS["pegawai"], "password": PASSWORD, "provider": "db"})
    assert resp.status_code == 200
    print(f"API login: {len(statements)} statements")
    assert recomputes == [] and _org_scans(statements) == []

    client.get("/logout/")
    with statements.record():
        resp = client.post("/login/", data={"username": LOGINS["pegawai"], "password": "salah-sandi"})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    print(f"failed login: {len(statements)} statements")
    assert recomputes == [] and _org_scans(statements) == []


def test_bookkeeping_changes_recompute_nothing(world, recomputes):
    from app.services.sessions import revoke_user

    staff = world.employee("staff_a")
    user = staff.user
    user.last_login = datetime(2026, 11, 20, 8, 0)
    user.login_count = (user.login_count or 0) + 1
    user.fail_login_count = 3
    user.password = user.password + "x"
    user.first_name, user.email = "Staf", "staf.baru@malangkota.go.id"
    db.session.commit()
    revoke_user(user.id, "ganti sandi")  # token version, sessions
    staff.name, staff.bank_account = "Staff A Baru", "9988776655"
    world.unit("Puskesmas Arjuno").name = "Puskesmas Arjuno Baru"
    world.position("Pengelola Data Kesehatan").kelas_jabatan = 7
    db.session.commit()
    assert recomputes == []


def _superior_nip(world, key):
    db.session.expire_all()
    emp = world.employee(key)
    return emp.superior.nip if emp.superior is not None else None


def _roles(world, key):
    db.session.expire_all()
    return {r.name for r in world.employee(key).user.roles}


def test_position_and_employee_changes_still_recompute(world, recomputes):
    assert _superior_nip(world, "staff_a") == NIPS["kabid_a"][0]
    # the post's parent moves: staff_a now answers to the Kepala Dinas
    world.position("Pengelola Data Kesehatan").parent = world.position("Kepala Dinas Kesehatan")
    db.session.commit()
    assert len(recomputes) == 1
    assert _superior_nip(world, "staff_a") == NIPS["kadis_a"][0]
    # the holder of the superior post leaves: op_a's line goes one level up
    world.employee("kabid_a").active = False
    db.session.commit()
    assert len(recomputes) == 2
    assert _superior_nip(world, "op_a") == NIPS["kadis_a"][0]
    assert "Atasan" not in _roles(world, "kabid_a")
    # an employee takes another post (by the foreign key)
    world.employee("staff_a1").position_id = world.position("Analis Kepegawaian").id
    db.session.commit()
    assert len(recomputes) == 3


def test_unit_override_and_role_changes_still_recompute(world, recomputes):
    pkm, setda = world.unit("Puskesmas Arjuno"), world.unit("Sekretariat Daerah")
    pkm.parent = setda
    db.session.commit()
    assert len(recomputes) == 1
    db.session.expire_all()
    assert world.unit("Puskesmas Arjuno").opd_id == setda.id

    override = SuperiorOverride(employee=world.employee("staff_a1"), superior=world.employee("staff_a"),
                                valid_from=date(2020, 1, 1), reason="Penugasan khusus")
    db.session.add(override)
    db.session.commit()
    assert len(recomputes) == 2
    assert _superior_nip(world, "staff_a1") == NIPS["staff_a"][0] and "Atasan" in _roles(world, "staff_a")
    override.reason = "Penugasan khusus (diperbarui)"  # the reason alone changes nothing
    db.session.commit()
    assert len(recomputes) == 2
    override.valid_to = date(2020, 12, 31)  # the line ended
    db.session.commit()
    assert len(recomputes) == 3
    assert _superior_nip(world, "staff_a1") == NIPS["kadis_a"][0] and "Atasan" not in _roles(world, "staff_a")

    # the Atasan role is derived: taking it away by hand is undone at once
    user = world.employee("kabid_a").user
    user.roles = [r for r in user.roles if r.name != "Atasan"]
    db.session.commit()
    assert len(recomputes) == 4
    assert "Atasan" in _roles(world, "kabid_a")


def test_new_login_named_by_nip_is_linked(world, recomputes):
    from flask_appbuilder.security.sqla.models import User

    staff = world.employee("staff_b")
    old_user = staff.user
    old_user.username = "lama-" + old_user.username  # renamed: stays linked until a NIP login exists
    db.session.commit()
    assert len(recomputes) == 1
    db.session.expire_all()
    assert world.employee("staff_b").user_id == old_user.id
    db.session.add(User(username=NIPS["staff_b"][0], first_name="Staff", last_name="B", active=True,
                        email="staff.b2@malangkota.go.id", password="-"))
    db.session.commit()
    assert len(recomputes) == 2
    db.session.expire_all()
    assert world.employee("staff_b").user.username == NIPS["staff_b"][0]
    # a link cleared by hand is restored from the NIP
    world.employee("staff_b").user_id = None
    db.session.commit()
    assert len(recomputes) == 3
    db.session.expire_all()
    assert world.employee("staff_b").user.username == NIPS["staff_b"][0]
