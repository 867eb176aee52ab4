"""Master data through the pages and the API: bad input is refused with an Indonesian
message and changes nothing; dropdowns, actions and derived data respect scope."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Employee, Position, SuperiorOverride, Unit
from tests.conftest import NIPS


def count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def employee_form(world, **overrides):
    pos = world.position("Pengelola Data Kesehatan")
    data = {
        "nip": "199501012020121001", "front_title": "", "name": "Budi Santoso", "back_title": "S.Kom.",
        "sex": "L", "birth_date": "1995-01-01", "kind": "PNS", "golongan": "III/a",
        "unit": str(pos.unit_id), "position": str(pos.id), "bank_name": "Bank Jatim",
        "bank_account": "0012345678", "active": "y",
    }
    data.update(overrides)
    return data


def test_operator_adds_employee_in_own_opd(world, login_as):
    client = login_as("operator")
    before = count(Employee)
    resp = client.post("/employeeview/add", data=employee_form(world))
    assert resp.status_code == 302
    assert count(Employee) == before + 1
    emp = db.session.scalar(select(Employee).where(Employee.nip == "199501012020121001"))
    assert emp.superior.nip == NIPS["kabid_a"][0]  # derived before commit
    audit = db.session.scalar(select(AuditLog).where(AuditLog.entity == "Employee", AuditLog.action == "CREATE",
                                                     AuditLog.entity_id == str(emp.id)))
    assert audit is not None and audit.username == NIPS["op_a"][0] and "Budi Santoso" in audit.after


def _refused(client, url, data, message, model):
    before = count(model)
    resp = client.post(url, data=data)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200, resp.status_code
    assert message in body, body[:3000]
    assert count(model) == before


def test_invalid_nip_refused(world, login_as):
    client = login_as("bkd")
    _refused(client, "/employeeview/add", employee_form(world, nip="19950101202012"),
             "NIP harus terdiri dari 18 digit angka.", Employee)
    _refused(client, "/employeeview/add", employee_form(world, nip="199513012020121001"),
             "Tanggal lahir pada NIP", Employee)
    _refused(client, "/employeeview/add", employee_form(world, nip="199501012010121001"),
             "18 tahun", Employee)  # CPNS start before the 18th birthday
    _refused(client, "/employeeview/add", employee_form(world, nip="199501012020123001"),
             "digit 15", Employee)


def test_duplicate_nip_refused(world, login_as):
    _refused(login_as("bkd"), "/employeeview/add",
             employee_form(world, nip=NIPS["staff_a"][0], birth_date="1990-04-04", sex="P"),
             "sudah terdaftar", Employee)


def test_golongan_must_fit_kind(world, login_as):
    client = login_as("bkd")
    _refused(client, "/employeeview/add", employee_form(world, golongan="IX"), "tidak berlaku", Employee)
    _refused(client, "/employeeview/add", employee_form(world, kind="PPPK", golongan="III/a"), "tidak berlaku", Employee)
    _refused(client, "/employeeview/add", employee_form(world, kind="CPNS", golongan="IV/a"), "CPNS", Employee)


def test_position_must_belong_to_employee_unit(world, login_as):
    pkm = world.unit("Puskesmas Arjuno")
    _refused(login_as("bkd"), "/employeeview/add", employee_form(world, unit=str(pkm.id)),
             "bukan di unit pegawai", Employee)


def test_unit_cannot_be_its_own_ancestor(world, login_as):
    client = login_as("bkd")
    pkm = world.unit("Puskesmas Arjuno")
    child = Unit(code="2.01.1", name="Pustu Arjuno", kind="UPT", parent=pkm, workdays_per_week=6, active=True)
    db.session.add(child)
    db.session.commit()
    for parent in (pkm, child):
        resp = client.post(f"/unitview/edit/{pkm.id}", data={
            "code": pkm.code, "name": pkm.name, "kind": "PUSKESMAS", "parent": str(parent.id),
            "workdays_per_week": "6", "active": "y"})
        assert resp.status_code == 200
        assert "tidak boleh menjadi induk" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, pkm.id).parent_id == world.unit("Dinas Kesehatan").id


def test_position_cannot_be_its_own_ancestor(world, login_as):
    client = login_as("operator")
    kabid = world.position("Kepala Bidang Pelayanan Kesehatan")
    staff = world.position("Pengelola Data Kesehatan")
    resp = client.post(f"/positionview/edit/{kabid.id}", data={
        "name": kabid.name, "kind": "ADMINISTRATOR", "level": "", "eselon": "III.b", "kelas_jabatan": "11",
        "unit": str(kabid.unit_id), "parent": str(staff.id), "active": "y"})
    assert resp.status_code == 200
    assert "tidak boleh menjadi atasan dari dirinya sendiri" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Position, kabid.id).parent_id == world.position("Kepala Dinas Kesehatan").id


def test_override_end_before_start_refused(world, login_as):
    _refused(login_as("operator"), "/superioroverrideview/add", {
        "employee": str(world.employee("staff_a").id), "superior": str(world.employee("op_a").id),
        "valid_from": "2026-11-10", "valid_to": "2026-11-01", "reason": "Plt"},
        "Tanggal berakhir tidak boleh sebelum tanggal mulai.", SuperiorOverride)


def test_operator_dropdowns_show_only_own_opd(world, login_as):
    client = login_as("operator")
    for url in ("/employeeview/add", "/superioroverrideview/add", "/positionview/add", "/employeeview/list/"):
        body = client.get(url).get_data(as_text=True)
        assert "Dinas Pendidikan" not in body, url
        assert NIPS["staff_b"][0] not in body, url
        assert NIPS["kadis_b"][0] not in body, url
    # the units are looked up on demand (app/views/lookups.py), in the operator's OPD
    units = client.get("/employeeview/lookup/unit/add", query_string={"q": "puskesmas"}).get_json()["results"]
    assert [u["text"] for u in units] == ["Puskesmas Arjuno"]
    others = client.get("/employeeview/lookup/unit/add", query_string={"q": "pendidikan"}).get_json()["results"]
    assert others == []


def test_operator_cannot_post_other_opd_unit(world, login_as):
    client = login_as("operator")
    disdik_pos = world.position("Pengadministrasi Perkantoran")
    before = count(Employee)
    resp = client.post("/employeeview/add", data=employee_form(world, unit=str(disdik_pos.unit_id),
                                                               position=str(disdik_pos.id)))
    assert resp.status_code == 200 and count(Employee) == before


def test_bulk_action_mixed_scope(world, login_as):
    client = login_as("operator")
    inside, outside = world.employee("staff_a"), world.employee("staff_b")
    resp = client.post("/employeeview/action_post", data={"action": "deactivate",
                                                          "rowid": [str(inside.id), str(outside.id)]})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Employee, inside.id).active is False
    assert db.session.get(Employee, outside.id).active is True
    refusal = db.session.scalar(select(AuditLog).where(AuditLog.action == "DITOLAK_404",
                                                       AuditLog.entity_id == str(outside.id)))
    assert refusal is not None


def test_bulk_action_only_out_of_scope_is_404(world, login_as):
    client = login_as("operator")
    outside = world.employee("staff_b")
    resp = client.post("/employeeview/action_post", data={"action": "deactivate", "rowid": [str(outside.id)]})
    assert resp.status_code == 404
    db.session.expire_all()
    assert db.session.get(Employee, outside.id).active is True


def test_single_action_url_out_of_scope(world, login_as):
    client = login_as("operator")
    outside = world.employee("staff_b")
    assert client.post(f"/employeeview/action/deactivate/{outside.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(Employee, outside.id).active is True


def test_delete_refused_while_referenced(world, login_as):
    client = login_as("bkd")
    emp = world.employee("staff_a")
    resp = client.post(f"/employeeview/delete/{emp.id}", follow_redirects=True)
    assert "tidak dapat dihapus" in resp.get_data(as_text=True)
    assert db.session.get(Employee, emp.id) is not None


def test_employee_page_shows_current_superior(world, login_as):
    client = login_as("pegawai")
    body = client.get(f"/employeeview/show/{world.employee('staff_a').id}").get_data(as_text=True)
    assert "Atasan Langsung" in body and "Kabid A" in body


def test_vacant_post_goes_up_and_override_wins(world):
    nurse = world.employee("staff_a1")  # Kepala Puskesmas post is vacant
    assert nurse.superior.nip == NIPS["kadis_a"][0]
    db.session.add(SuperiorOverride(employee=nurse, superior=world.employee("kabid_a"),
                                    valid_from=date(2020, 1, 1), reason="Plt. Kepala Puskesmas"))
    db.session.commit()
    db.session.expire_all()
    assert world.employee("staff_a1").superior.nip == NIPS["kabid_a"][0]
    assert world.employee("sekda").superior is None


def test_atasan_role_is_derived(world):
    def roles(key):
        return {r.name for r in world.employee(key).user.roles}

    assert "Atasan" in roles("kabid_a") and "Atasan" in roles("sekda")
    assert "Atasan" not in roles("staff_a")
    # staff_a becomes superior of the nurse through an override: gains the role
    db.session.add(SuperiorOverride(employee=world.employee("staff_a1"), superior=world.employee("staff_a"),
                                    valid_from=date(2020, 1, 1), reason="Penugasan khusus"))
    db.session.commit()
    assert "Atasan" in roles("staff_a")


def test_page_size_is_capped(world, login_as, monkeypatch):
    from app.listing import BoundedSQLAInterface as SQLAInterface  # the list views' interface

    seen = []
    original = SQLAInterface.query

    def spy(self, *args, **kwargs):
        seen.append(kwargs.get("page_size"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLAInterface, "query", spy)
    client = login_as("bkd")
    assert client.get("/employeeview/list/?psize_EmployeeView=1000000").status_code == 200
    sizes = [s for s in seen if s is not None]
    assert sizes and max(sizes) <= 100


def test_get_delete_refused_with_csrf(databases):
    """With CSRFProtect on (production), a GET on a delete URL changes nothing."""
    from app import create_app
    from tests.conftest import do_login, make_config

    uri = databases.clone()
    app = create_app(make_config(uri, WTF_CSRF_ENABLED=True))
    try:
        with app.app_context():
            assert "csrf" in app.extensions
            holiday_id = db.session.execute(select(func.min(Unit.id))).scalar()
            client = app.test_client()
            # the login form needs the token too
            page = client.get("/login/").get_data(as_text=True)
            import re

            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            resp = client.post("/login/", data={"username": "bkd", "password": "rahasia", "csrf_token": token})
            assert resp.status_code == 302
            client.get(f"/holidayview/delete/1")
            client.get(f"/unitview/delete/{holiday_id}")
            db.session.expire_all()
            from app.models import Holiday

            assert db.session.get(Holiday, 1) is not None
            assert db.session.get(Unit, holiday_id) is not None
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        databases.drop(uri)


# ----------------------------------------------------------------------------- API
def test_api_invalid_employee_is_422(world, api_as):
    client, headers = api_as("bkd")
    pos = world.position("Pengelola Data Kesehatan")
    before = count(Employee)
    payload = {"nip": "12345", "name": "X", "sex": "L", "birth_date": "1995-01-01", "kind": "PNS",
               "golongan": "IX", "unit": pos.unit_id, "position": pos.id, "active": True}
    resp = client.post("/api/v1/employee/", json=payload, headers=headers)
    assert resp.status_code == 422
    msg = resp.get_json()["message"]
    assert "NIP harus terdiri dari 18 digit angka." in msg["nip"]
    assert msg["golongan"]
    assert count(Employee) == before
    resp = client.post("/api/v1/employee/", json={**payload, "birth_date": "bukan-tanggal"}, headers=headers)
    assert resp.status_code in (400, 422)


def test_api_valid_employee_created_and_audited(world, api_as):
    client, headers = api_as("operator")
    pos = world.position("Pengelola Data Kesehatan")
    payload = {"nip": "199501012020121001", "name": "Budi", "sex": "L", "birth_date": "1995-01-01", "kind": "PNS",
               "golongan": "III/a", "unit": pos.unit_id, "position": pos.id, "active": True}
    resp = client.post("/api/v1/employee/", json=payload, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    new_id = resp.get_json()["id"]
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "Employee", AuditLog.entity_id == str(new_id)))


def test_api_operator_cannot_create_in_other_opd(world, api_as):
    client, headers = api_as("operator")
    pos = world.position("Pengadministrasi Perkantoran")
    before = count(Employee)
    payload = {"nip": "199501012020121001", "name": "Budi", "sex": "L", "birth_date": "1995-01-01", "kind": "PNS",
               "golongan": "III/a", "unit": pos.unit_id, "position": pos.id, "active": True}
    resp = client.post("/api/v1/employee/", json=payload, headers=headers)
    assert resp.status_code in (403, 422)
    assert count(Employee) == before


def test_api_operator_cannot_move_employee_out(world, api_as):
    client, headers = api_as("operator")
    emp = world.employee("staff_a")
    pos = world.position("Pengadministrasi Perkantoran")
    resp = client.put(f"/api/v1/employee/{emp.id}", json={"unit": pos.unit_id, "position": pos.id}, headers=headers)
    assert resp.status_code in (403, 422)
    db.session.expire_all()
    assert db.session.get(Employee, emp.id).unit_id == world.position("Pengelola Data Kesehatan").unit_id


def test_api_position_cycle_is_422(world, api_as):
    client, headers = api_as("bkd")
    kabid = world.position("Kepala Bidang Pelayanan Kesehatan")
    staff = world.position("Pengelola Data Kesehatan")
    resp = client.put(f"/api/v1/position/{kabid.id}", json={"parent": staff.id}, headers=headers)
    assert resp.status_code == 422
    assert "parent" in resp.get_json()["message"]
    db.session.expire_all()
    assert db.session.get(Position, kabid.id).parent_id != staff.id


def test_api_absurd_values_are_422(world, api_as):
    client, headers = api_as("bkd")
    resp = client.post("/api/v1/position/", json={"name": "X", "kind": "JPT", "kelas_jabatan": 99,
                                                   "unit": world.unit("Dinas Kesehatan").id}, headers=headers)
    assert resp.status_code == 422
    resp = client.post("/api/v1/unit/", json={"code": "9", "name": "X", "kind": "OPD", "workdays_per_week": 9},
                       headers=headers)
    assert resp.status_code == 422
    resp = client.post("/api/v1/activity-catalog/", json={"code": "Z", "description": "X", "output_unit": "dok",
                                                           "norm_minutes": -5}, headers=headers)
    assert resp.status_code == 422


def test_api_page_size_capped(world, api_as):
    client, headers = api_as("bkd")
    resp = client.get("/api/v1/employee/?q=(page_size:100000)", headers=headers)
    assert resp.status_code in (200, 400)


def test_panel_speaks_indonesian(world, login_as, client):
    body = client.get("/login/").get_data(as_text=True)
    assert "Kata Sandi" in body
    resp = client.post("/login/", data={"username": "", "password": ""})
    assert "Wajib diisi." in resp.get_data(as_text=True)
    admin = login_as("bkd")
    body = admin.get("/employeeview/list/").get_data(as_text=True)
    assert "Daftar Pegawai" in body and "Jumlah Data" in body
    resp = admin.post("/unitview/add", data={"code": "", "name": "", "kind": "OPD", "workdays_per_week": "5"})
    assert "Wajib diisi." in resp.get_data(as_text=True)
