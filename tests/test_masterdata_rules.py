"""Issue 8 items 1 and 4, issue 9 items 1 and 3: one rule per entity for the panel, the API and
the master-data import (scope, rows about the writer, kelas jabatan, field rules, text
lengths); positions of every kind through the page; the employee form (unit-limited
positions, empty required choices, NIP-derived sex and birth date, a login for a new
employee)."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from app.domain.nip import make_nip
from app.extensions import db
from app.models import AuditLog, Employee, Position, SuperiorOverride
from tests.conftest import NIPS
from tests.test_master_import import EMP_H, POS_H, UNIT_H, bkd, operator, reasons, refused, workbook


@pytest.fixture(autouse=True)
def _setup(app, tmp_path):
    app.config["FIXED_TODAY"] = date(2026, 11, 20)
    app.config["MASTER_UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return app


def count(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def refusals(action="DITOLAK_403"):
    return count(AuditLog, AuditLog.action == action)


def flashes(client) -> str:
    """The page after a redirect, with its flash messages."""
    return client.get("/employeeview/list/").get_data(as_text=True)


def refused_on_page(client, resp, message):
    """FAB answers a refusal in pre_add/pre_update with a flash and a redirect."""
    assert resp.status_code == 302, resp.status_code
    assert message in flashes(client)


def position_form(world, **overrides):
    data = {"name": "Pengelola Data Kesehatan", "kind": "PELAKSANA", "level": "", "eselon": "",
            "kelas_jabatan": "6", "unit": str(world.unit("Dinas Kesehatan").id),
            "parent": str(world.position("Kepala Bidang Pelayanan Kesehatan").id), "active": "y"}
    data.update(overrides)
    return data


def position_json(world, **overrides):
    data = {"name": "Pengelola Data Kesehatan", "kind": "PELAKSANA", "level": None, "eselon": None,
            "kelas_jabatan": 6, "unit": world.unit("Dinas Kesehatan").id,
            "parent": world.position("Kepala Bidang Pelayanan Kesehatan").id, "active": True}
    data.update(overrides)
    return data


def employee_form(world, **overrides):
    pos = world.position("Pengelola Data Kesehatan")
    data = {"nip": "199501012020121001", "front_title": "", "name": "Budi Santoso", "back_title": "",
            "sex": "L", "birth_date": "1995-01-01", "kind": "PNS", "golongan": "III/a",
            "unit": str(pos.unit_id), "position": str(pos.id), "bank_name": "", "bank_account": "", "active": "y"}
    data.update(overrides)
    return data


def stored_employee_form(emp, **overrides):
    data = {"nip": emp.nip, "front_title": emp.front_title or "", "name": emp.name, "back_title": emp.back_title or "",
            "sex": emp.sex, "birth_date": emp.birth_date.isoformat(), "kind": emp.kind, "golongan": emp.golongan,
            "unit": str(emp.unit_id), "position": str(emp.position_id or "__None"),
            "bank_name": emp.bank_name or "", "bank_account": emp.bank_account or "", "active": "y"}
    data.update(overrides)
    return data


# ============================================================================ 8.1
def test_import_position_under_another_opds_post_refused_like_panel_and_api(world, login_as, api_as):
    """The reported bypass: an operator imported a position under the Kepala Dinas of another
    OPD and put an employee on it. The import now refuses the row, as the panel and the API do,
    with the same message, and nothing is stored."""
    from app.security import MSG_PARENT_OTHER_OPD

    nip = make_nip(date(1994, 1, 2), date(2019, 1, 1), "L", 41)
    data = workbook(None, [("2.00", "Pengelola Titipan", "PELAKSANA", "", "", None, "3.00",
                            "Kepala Dinas Pendidikan dan Kebudayaan")],
                    [(nip, "Titipan", "", "", "L", "1994-01-02", "PNS", "III/a", "2.00", "Pengelola Titipan",
                      "", "", "Y")])
    before = refusals()
    preview = refused(data, operator(world))
    assert reasons(preview, "Jabatan") == {2: f"Jabatan \"Pengelola Titipan\": {MSG_PARENT_OTHER_OPD}"}
    assert refusals() == before + 1  # the import logs its refusal
    assert count(Position, Position.name == "Pengelola Titipan") == 0

    other_post = world.position("Kepala Dinas Pendidikan dan Kebudayaan").id
    client = login_as("operator")
    resp = client.post("/positionview/add", data=position_form(world, name="Pengelola Titipan", kelas_jabatan="",
                                                               parent=str(other_post)))
    # the panel's dropdown does not even offer the other OPD's post (FAB: "Pilihan tidak valid")
    assert resp.status_code == 200 and count(Position, Position.name == "Pengelola Titipan") == 0
    api, headers = api_as("operator")
    resp = api.post("/api/v1/position/", json=position_json(world, name="Pengelola Titipan", kelas_jabatan=None,
                                                            parent=other_post), headers=headers)
    assert resp.status_code in (403, 422) and count(Position, Position.name == "Pengelola Titipan") == 0
    # an existing position re-pointed at the other OPD's post: 403 with the same message
    staff = world.position("Pengelola Data Kesehatan")
    resp = api.put(f"/api/v1/position/{staff.id}", json={"parent": other_post}, headers=headers)
    assert resp.status_code in (403, 422)
    db.session.expire_all()
    assert db.session.get(Position, staff.id).parent_id == world.position("Kepala Bidang Pelayanan Kesehatan").id

    # BKD may draw that line
    assert not reasons(refused_or_ok(data, bkd()), "Jabatan")


def refused_or_ok(data, actor):
    from app.services.master_import import preview_import

    return preview_import("f.xlsx", data, actor)


def _own_position_row(world, kelas=8):
    return ("2.00", "Analis Kepegawaian", "JF_KEAHLIAN", "Ahli Pertama", "", kelas, "2.00",
            "Kepala Bidang Pelayanan Kesehatan")


def _employee_row(key, **changes):
    nip, sex, birth = NIPS[key]
    units = {"op_a": "2.00", "staff_a": "2.00", "kadis_a": "2.00", "kabid_a": "2.00", "staff_b": "3.00"}
    positions = {"op_a": "Analis Kepegawaian", "staff_a": "Pengelola Data Kesehatan",
                 "kabid_a": "Kepala Bidang Pelayanan Kesehatan", "kadis_a": "Kepala Dinas Kesehatan",
                 "staff_b": "Pengadministrasi Perkantoran"}
    golongan = {"op_a": "III/b", "staff_a": "III/a", "kabid_a": "IV/a", "kadis_a": "IV/c", "staff_b": "II/b"}
    row = {"NIP": nip, "NAMA": key.replace("_", " ").title(), "GELAR_DEPAN": "", "GELAR_BELAKANG": "",
           "JENIS_KELAMIN": sex, "TANGGAL_LAHIR": birth, "JENIS_PEGAWAI": "PNS", "GOLONGAN": golongan[key],
           "KODE_UNIT": units[key], "NAMA_JABATAN": positions[key], "BANK": "Bank Jatim",
           "NO_REKENING": "0011223344", "AKTIF": "Y"}
    row.update(changes)
    return tuple(row[c] for c in EMP_H)


# One test per refusal kind on the import: (sheet, rows, expected reason) for the operator of
# Dinas Kesehatan; each is also what the panel/API answer (same message constant).
def _cases(world):
    from app.security import (
        MSG_OTHER_OPD_ROW, MSG_OUT_OF_SCOPE, MSG_OWN_EMPLOYEE, MSG_OWN_POSITION, MSG_OWN_SUPERIOR_POST,
        MSG_PARENT_OTHER_OPD, MSG_UNITS_BKD,
    )
    from app.services.masterdata import MSG_KELAS_BKD

    new_nip = make_nip(date(1995, 5, 5), date(2020, 1, 1), "P", 51)
    return {
        "unit_other_opd": ("Unit", [("3.09", "Bidang Lain", "BIDANG", "3.00", 5, "Y")], f"Unit 3.09: {MSG_OUT_OF_SCOPE}"),
        "unit_opd_row": ("Unit", [("2.00", "Dinas Kesehatan Kota", "OPD", "", 5, "Y")], f"Unit 2.00: {MSG_UNITS_BKD}"),
        "unit_new_in_own_opd": ("Unit", [("2.05", "Bidang Uji", "BIDANG", "2.00", 5, "Y")],
                                f"Unit 2.05: {MSG_UNITS_BKD}"),
        "position_other_opd": ("Jabatan", [("3.00", "Pengelola Arsip", "PELAKSANA", "", "", None, "", "")],
                               f"Jabatan \"Pengelola Arsip\": {MSG_OUT_OF_SCOPE}"),
        "position_parent_other_opd": ("Jabatan", [("2.00", "Pengelola Titipan", "PELAKSANA", "", "", None, "3.00",
                                                   "Kepala Dinas Pendidikan dan Kebudayaan")],
                                      f"Jabatan \"Pengelola Titipan\": {MSG_PARENT_OTHER_OPD}"),
        "own_position": ("Jabatan", [_own_position_row(world)[:6] + ("2.00", "Kepala Dinas Kesehatan")],
                         f"Jabatan \"Analis Kepegawaian\": {MSG_OWN_POSITION}"),
        "kelas_new_position": ("Jabatan", [("2.00", "Pengelola Baru", "PELAKSANA", "", "", 6, "", "")],
                               f"KELAS_JABATAN: {MSG_KELAS_BKD}"),
        "kelas_changed": ("Jabatan", [("2.00", "Pengelola Data Kesehatan", "PELAKSANA", "", "", 7, "2.00",
                                       "Kepala Bidang Pelayanan Kesehatan")], f"KELAS_JABATAN: {MSG_KELAS_BKD}"),
        "employee_other_opd": ("Pegawai", [_employee_row("staff_a", NIP=new_nip, TANGGAL_LAHIR="1995-05-05",
                                                         KODE_UNIT="3.00", NAMA_JABATAN="")],
                               f"NIP {new_nip}: {MSG_OUT_OF_SCOPE}"),
        "employee_from_other_opd": ("Pegawai", [_employee_row("staff_b", KODE_UNIT="2.00", NAMA_JABATAN="")],
                                    f"NIP {NIPS['staff_b'][0]}: {MSG_OTHER_OPD_ROW}"),
        "employee_position_other_opd": ("Pegawai", [_employee_row("staff_a", KODE_UNIT="2.00",
                                                                  NAMA_JABATAN="Pengadministrasi Perkantoran")],
                                        "berada di unit lain"),
        "own_employee_row": ("Pegawai", [_employee_row("op_a", GOLONGAN="IV/a")], f"NIP {NIPS['op_a'][0]}: {MSG_OWN_EMPLOYEE}"),
        "own_superior_post": ("Pegawai", [_employee_row("staff_a", NAMA_JABATAN="Kepala Bidang Pelayanan Kesehatan")],
                              f"NIP {NIPS['staff_a'][0]}: {MSG_OWN_SUPERIOR_POST}"),
        "text_too_long": ("Pegawai", [_employee_row("staff_a", NAMA="X" * 151)],
                          "NAMA: Teks terlalu panjang (151 karakter, paling banyak 150)."),
        "field_rule_eselon": ("Jabatan", [("2.00", "Pengelola Data Kesehatan", "PELAKSANA", "", "IV.a", 6, "2.00",
                                           "Kepala Bidang Pelayanan Kesehatan")], "ESELON: Jabatan Pelaksana tidak"),
        "nip_mismatch": ("Pegawai", [_employee_row("staff_a", JENIS_KELAMIN="L")],
                         "NIP: Jenis kelamin pada NIP tidak sesuai"),
    }


CASES = ["unit_other_opd", "unit_opd_row", "unit_new_in_own_opd", "position_other_opd", "position_parent_other_opd", "own_position",
         "kelas_new_position", "kelas_changed", "employee_other_opd", "employee_from_other_opd",
         "employee_position_other_opd", "own_employee_row", "own_superior_post", "text_too_long",
         "field_rule_eselon", "nip_mismatch"]


@pytest.mark.parametrize("case", CASES)
def test_import_refusal_kinds(world, case):
    sheet, rows, expected = _cases(world)[case]
    data = workbook(rows if sheet == "Unit" else None, rows if sheet == "Jabatan" else None,
                    rows if sheet == "Pegawai" else None)
    preview = refused(data, operator(world))
    found = reasons(preview, sheet)
    assert list(found) == [2], found
    assert expected in found[2], found[2]
    # a field rule (not a scope one) is refused for BKD as well; scope rules are not
    bkd_preview = refused_or_ok(data, bkd())
    field_rule = case in ("text_too_long", "field_rule_eselon", "nip_mismatch", "employee_position_other_opd")
    assert bool(reasons(bkd_preview, sheet)) == field_rule


def test_unchanged_rows_about_the_operator_are_no_refusal(world):
    """A SIMPEG export re-imported as is: the operator's own rows unchanged are not refused."""
    from app.services.master_import import preview_import

    data = workbook(None, [_own_position_row(world)], [_employee_row("op_a")])
    preview = preview_import("f.xlsx", data, operator(world))
    assert preview.ok, preview.all_messages()
    assert {r.action for r in preview.rows()} == {"tetap"}


# ============================================================================ panel, API, import agree
def test_panel_api_import_agree_on_own_employee_row(world, login_as, api_as):
    from app.security import MSG_OWN_EMPLOYEE

    me = world.employee("op_a")
    client = login_as("operator")
    before = refusals()
    resp = client.post(f"/employeeview/edit/{me.id}", data=stored_employee_form(me, golongan="IV/a"))
    refused_on_page(client, resp, MSG_OWN_EMPLOYEE)
    api, headers = api_as("operator")
    resp = api.put(f"/api/v1/employee/{me.id}", json={"golongan": "IV/a"}, headers=headers)
    assert resp.status_code == 403 and resp.get_json()["message"] == MSG_OWN_EMPLOYEE
    preview = refused(workbook(None, None, [_employee_row("op_a", GOLONGAN="IV/a")]), operator(world))
    assert MSG_OWN_EMPLOYEE in reasons(preview, "Pegawai")[2]
    assert count(Employee, Employee.id == me.id, Employee.golongan == "III/b") == 1
    assert refusals() == before + 3  # page, API and import each logged
    # BKD may
    bkd_client = login_as("bkd")
    resp = bkd_client.post(f"/employeeview/edit/{me.id}", data=stored_employee_form(me, golongan="IV/a"))
    assert resp.status_code == 302
    assert count(Employee, Employee.id == me.id, Employee.golongan == "IV/a") == 1


def test_panel_api_import_agree_on_text_length(world, login_as, api_as):
    long_name = "N" * 151
    message = "Teks terlalu panjang (151 karakter, paling banyak 150)."
    client = login_as("bkd")
    before = count(Employee)
    resp = client.post("/employeeview/add", data=employee_form(world, name=long_name))
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    api, headers = api_as("bkd")
    payload = {"nip": "199501012020121001", "name": long_name, "kind": "PNS", "golongan": "III/a",
               "unit": world.unit("Dinas Kesehatan").id}
    resp = api.post("/api/v1/employee/", json=payload, headers=headers)
    assert resp.status_code == 422 and resp.get_json()["message"]["name"] == [message]
    resp = api.post("/api/v1/unit/", json={"code": "9" * 31, "name": "U", "kind": "OPD", "workdays_per_week": 5},
                    headers=headers)
    assert resp.status_code == 422 and "Teks terlalu panjang" in resp.get_json()["message"]["code"][0]
    resp = api.post("/api/v1/position/", json=position_json(world, name="J" * 201), headers=headers)
    assert resp.status_code == 422 and "paling banyak 200" in resp.get_json()["message"]["name"][0]
    preview = refused(workbook(None, None, [_employee_row("staff_a", NAMA=long_name)]), bkd())
    assert f"NAMA: {message}" in reasons(preview, "Pegawai")[2]
    assert count(Employee) == before


@pytest.mark.parametrize("body", ['{"kelas_jabatan": 1e999}', '{"kelas_jabatan": NaN}',
                                  '{"workdays_per_week": Infinity}'])
def test_api_non_finite_numbers_are_422(world, api_as, body):
    api, headers = api_as("bkd")
    staff = world.position("Pengelola Data Kesehatan")
    url = f"/api/v1/unit/{world.unit('Dinas Kesehatan').id}" if "workdays" in body else f"/api/v1/position/{staff.id}"
    resp = api.put(url, data=body, headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert "Angka tidak valid" in str(resp.get_json()["message"])


# ============================================================================ 8.4 self-service
def test_operator_cannot_make_himself_superior_of_his_kepala_dinas(world, login_as):
    from app.security import MSG_OWN_LINE

    client = login_as("operator")
    before, logged = count(SuperiorOverride), refusals()
    resp = client.post("/superioroverrideview/add", data={
        "employee": str(world.employee("kadis_a").id), "superior": str(world.employee("op_a").id),
        "valid_from": "2026-11-01", "valid_to": "", "reason": "Plt"})
    refused_on_page(client, resp, MSG_OWN_LINE)
    assert count(SuperiorOverride) == before and refusals() == logged + 1


def test_operator_cannot_make_his_staff_his_own_superior(world, login_as):
    from app.security import MSG_OWN_LINE

    client = login_as("operator")
    before = count(SuperiorOverride)
    resp = client.post("/superioroverrideview/add", data={
        "employee": str(world.employee("op_a").id), "superior": str(world.employee("staff_a").id),
        "valid_from": "2026-11-01", "valid_to": "", "reason": "Atasan khusus"})
    refused_on_page(client, resp, MSG_OWN_LINE)
    assert count(SuperiorOverride) == before
    # an existing override about someone else stays the operator's to keep
    ok = login_as("operator").post("/superioroverrideview/add", data={
        "employee": str(world.employee("staff_a1").id), "superior": str(world.employee("kabid_a").id),
        "valid_from": "2026-11-01", "valid_to": "", "reason": "Kepala puskesmas kosong"})
    assert ok.status_code == 302 and count(SuperiorOverride) == before + 1


def test_bkd_may_set_the_operators_superior_line(world, login_as):
    client = login_as("bkd")
    resp = client.post("/superioroverrideview/add", data={
        "employee": str(world.employee("op_a").id), "superior": str(world.employee("kadis_a").id),
        "valid_from": "2026-11-01", "valid_to": "", "reason": "Atasan khusus"})
    assert resp.status_code == 302


def test_operator_cannot_raise_his_own_kelas_through_the_api(world, api_as):
    from app.services.masterdata import MSG_KELAS_BKD

    api, headers = api_as("operator")
    mine = world.position("Analis Kepegawaian")
    logged = refusals("DITOLAK_422")
    resp = api.put(f"/api/v1/position/{mine.id}", json={"kelas_jabatan": 12}, headers=headers)
    # the kelas rule answers first as a form value (422), the own-position rule as access (403)
    assert resp.status_code in (403, 422)
    resp = api.put(f"/api/v1/position/{mine.id}", json={"name": "Analis Kepegawaian Ahli"}, headers=headers)
    assert resp.status_code == 403
    other = world.position("Pengelola Data Kesehatan")
    resp = api.put(f"/api/v1/position/{other.id}", json={"kelas_jabatan": 9}, headers=headers)
    assert resp.status_code == 422 and resp.get_json()["message"]["kelas_jabatan"] == [MSG_KELAS_BKD]
    assert refusals("DITOLAK_422") >= logged + 1
    db.session.expire_all()
    assert db.session.get(Position, mine.id).kelas_jabatan == 8
    assert db.session.get(Position, other.id).kelas_jabatan == 6
    # BKD may
    api_b, headers_b = api_as("bkd")
    assert api_b.put(f"/api/v1/position/{other.id}", json={"kelas_jabatan": 9}, headers=headers_b).status_code == 200


def test_operator_cannot_change_his_own_position_on_the_page(world, login_as):
    from app.security import MSG_OWN_POSITION

    mine = world.position("Analis Kepegawaian")
    client = login_as("operator")
    resp = client.post(f"/positionview/edit/{mine.id}", data=position_form(
        world, name="Analis Kepegawaian", kind="JF_KEAHLIAN", level="Ahli Pertama", kelas_jabatan="8",
        parent=str(world.position("Kepala Dinas Kesehatan").id)))
    refused_on_page(client, resp, MSG_OWN_POSITION)
    db.session.expire_all()
    assert db.session.get(Position, mine.id).parent_id == world.position("Kepala Bidang Pelayanan Kesehatan").id


def test_operator_creates_position_without_kelas_and_bkd_sets_it(world, login_as):
    from app.services.masterdata import MSG_KELAS_BKD

    client = login_as("operator")
    kelas_input = re.search(r'<input[^>]*name="kelas_jabatan"[^>]*>', client.get("/positionview/add").get_data(
        as_text=True)).group(0)
    assert "readonly" in kelas_input  # not offered to the operator
    assert "readonly" not in re.search(r'<input[^>]*name="kelas_jabatan"[^>]*>', login_as("bkd").get(
        "/positionview/add").get_data(as_text=True)).group(0)
    resp = client.post("/positionview/add", data=position_form(world, name="Pengelola Gizi", kelas_jabatan="6"))
    assert resp.status_code == 200 and MSG_KELAS_BKD in resp.get_data(as_text=True)
    assert count(Position, Position.name == "Pengelola Gizi") == 0
    resp = client.post("/positionview/add", data=position_form(world, name="Pengelola Gizi", kelas_jabatan=""))
    assert resp.status_code == 302
    pos = db.session.scalar(select(Position).where(Position.name == "Pengelola Gizi"))
    assert pos.kelas_jabatan is None
    # the operator may edit it further as long as the kelas stays as stored
    resp = client.post(f"/positionview/edit/{pos.id}", data=position_form(world, name="Pengelola Gizi Klinik",
                                                                           kelas_jabatan=""))
    assert resp.status_code == 302
    resp = login_as("bkd").post(f"/positionview/edit/{pos.id}", data=position_form(
        world, name="Pengelola Gizi Klinik", kelas_jabatan="7"))
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Position, pos.id).kelas_jabatan == 7


def test_recap_treats_a_position_without_kelas_as_base_zero(world, login_as):
    from app.models import Recap, TppRate
    from app.services.recap import explain, recompute_period

    staff = world.employee("staff_a")
    db.session.add(TppRate(year=2026, kelas_jabatan=6, amount=3_000_000))
    staff.position.kelas_jabatan = None
    db.session.commit()
    result = recompute_period(2026, 11)
    db.session.commit()
    assert result.without_rate >= 1
    rec = db.session.scalar(select(Recap).where(Recap.employee_id == staff.id))
    assert rec.base_tpp == 0 and rec.kelas_jabatan is None and rec.net == 0
    detail = explain(staff.id, 2026, 11)
    assert detail["base_missing"] is True and detail["employee"]["kelas_jabatan"] is None
    page = login_as("bkd").get(f"/recapview/rincian/{rec.id}").get_data(as_text=True)
    assert "kelas jabatan belum ditetapkan BKD: TPP dasar 0" in page


# ============================================================================ 9.1 positions of every kind
KINDS = [
    ("JPT", "Pratama", "II.b", "14", "Kepala Dinas Kesehatan"),
    ("ADMINISTRATOR", "", "III.b", "11", "Kepala Dinas Kesehatan"),
    ("PENGAWAS", "", "IV.a", "9", "Kepala Bidang Pelayanan Kesehatan"),
    ("PELAKSANA", "", "", "6", "Kepala Bidang Pelayanan Kesehatan"),
    ("JF_KEAHLIAN", "Ahli Muda", "", "9", "Kepala Bidang Pelayanan Kesehatan"),
    ("JF_KETERAMPILAN", "Terampil", "", "7", "Kepala Bidang Pelayanan Kesehatan"),
]


@pytest.mark.parametrize("kind,level,eselon,kelas,parent", KINDS)
def test_bkd_adds_and_edits_every_position_kind_through_the_page(world, login_as, kind, level, eselon, kelas,
                                                                  parent):
    client = login_as("bkd")
    name = f"Jabatan Uji {kind}"
    form = position_form(world, name=name, kind=kind, level=level, eselon=eselon, kelas_jabatan=kelas,
                         parent=str(world.position(parent).id))
    resp = client.post("/positionview/add", data=form)
    assert resp.status_code == 302, re.findall(r'help-block[^>]*>([^<]+)', resp.get_data(as_text=True))
    pos = db.session.scalar(select(Position).where(Position.name == name))
    assert (pos.kind_code, pos.level, pos.eselon, pos.kelas_jabatan) == (kind, level or None, eselon or None,
                                                                         int(kelas))
    # the edit form shows the stored values; saving them unchanged works
    page = client.get(f"/positionview/edit/{pos.id}").get_data(as_text=True)
    assert "Pilihan tidak valid" not in page
    resp = client.post(f"/positionview/edit/{pos.id}", data=form)
    assert resp.status_code == 302, re.findall(r'help-block[^>]*>([^<]+)', resp.get_data(as_text=True))
    resp = client.post(f"/positionview/edit/{pos.id}", data={**form, "name": name + " 2"})
    assert resp.status_code == 302
    db.session.expire_all()
    pos = db.session.get(Position, pos.id)
    assert (pos.name, pos.level, pos.eselon) == (name + " 2", level or None, eselon or None)


def test_existing_pengelola_data_saved_unchanged(world, login_as):
    staff = world.position("Pengelola Data Kesehatan")
    resp = login_as("bkd").post(f"/positionview/edit/{staff.id}", data=position_form(world))
    assert resp.status_code == 302


def test_eselon_on_a_functional_position_names_the_rule(world, login_as):
    resp = login_as("bkd").post("/positionview/add", data=position_form(world, name="Uji", kind="PELAKSANA",
                                                                        eselon="IV.a"))
    assert resp.status_code == 200
    assert "Jabatan Pelaksana tidak memiliki eselon" in resp.get_data(as_text=True)


# ============================================================================ 9.3 employee form
def test_employee_form_starts_empty_and_shows_units_of_positions(world, login_as):
    page = login_as("operator").get("/employeeview/add").get_data(as_text=True)
    for name in ("sex", "kind", "golongan", "unit", "position"):
        select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
        assert select_html, name
        first = re.search(r"<option([^>]*)>([^<]*)</option>", select_html.group(1))
        assert first.group(2) == "— pilih —", (name, first.group(0))
        assert "selected" not in select_html.group(1).replace(first.group(0), "") or "selected" in first.group(1), \
            name  # no silent default (Laki-laki, I/a, Sekretariat Daerah)
    # Jabatan is looked up on demand, only among the positions of the chosen Unit Kerja
    staff = world.position("Pengelola Data Kesehatan")
    position_tag = re.search(r'<select[^>]*name="position"[^>]*>', page).group(0)
    assert 'data-depends="unit"' in position_tag
    url = re.search(r'data-lookup-url="([^"]+)"', position_tag).group(1)
    client = login_as("operator")
    found = client.get(url, query_string={"unit": staff.unit_id, "q": "pengelola"}).get_json()["results"]
    assert any(r["id"] == str(staff.id) and "Dinas Kesehatan" in r["text"] for r in found)
    other_unit = world.unit("Puskesmas Arjuno").id
    found = client.get(url, query_string={"unit": other_unit, "q": "pengelola"}).get_json()["results"]
    assert all(r["id"] != str(staff.id) for r in found)
    assert client.get(url).get_json()["results"] == []  # no unit chosen yet
    assert "<script>" not in page.split('name="position"')[1].split("</select>")[0]


def test_employee_position_must_be_in_the_chosen_unit(world, login_as):
    pkm = world.unit("Puskesmas Arjuno")
    before = count(Employee)
    resp = login_as("operator").post("/employeeview/add", data=employee_form(world, unit=str(pkm.id)))
    assert resp.status_code == 200 and "bukan di unit pegawai" in resp.get_data(as_text=True)
    assert count(Employee) == before


def test_employee_without_unit_gets_a_field_message(world, login_as):
    resp = login_as("operator").post("/employeeview/add", data=employee_form(world, unit="__None", sex=""))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Wajib diisi." in body and "Pilihan tidak valid" not in body


def test_sex_and_birth_date_follow_from_the_nip(world, login_as):
    client = login_as("operator")
    nip = make_nip(date(1996, 7, 9), date(2021, 3, 1), "P", 7)
    resp = client.post("/employeeview/add", data=employee_form(world, nip=nip, sex="", birth_date=""))
    assert resp.status_code == 302
    emp = db.session.scalar(select(Employee).where(Employee.nip == nip))
    assert (emp.sex, emp.birth_date) == ("P", date(1996, 7, 9))
    # given values are checked against the NIP
    nip2 = make_nip(date(1996, 7, 10), date(2021, 3, 1), "L", 8)
    resp = client.post("/employeeview/add", data=employee_form(world, nip=nip2, sex="P", birth_date="1996-07-11"))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Jenis kelamin pada NIP tidak sesuai" in body and "Tanggal lahir pada NIP tidak sesuai" in body
    # PPPK numbers carry no birth date: required
    resp = client.post("/employeeview/add", data=employee_form(world, nip="202301012023211001", kind="PPPK",
                                                               golongan="IX", sex="", birth_date=""))
    assert resp.status_code == 200 and resp.get_data(as_text=True).count("Wajib diisi.") >= 2


def test_new_employee_gets_a_login_with_a_one_time_password(world, login_as):
    from flask_appbuilder.security.sqla.models import User

    client = login_as("operator")
    resp = client.post("/employeeview/add", data=employee_form(world))
    assert resp.status_code == 302
    page = flashes(client)
    found = re.search(r"nama pengguna 199501012020121001, kata sandi awal (\S+)\.", page)
    assert found, "no login notice"
    password = found.group(1)
    user = db.session.scalar(select(User).where(User.username == "199501012020121001"))
    emp = db.session.scalar(select(Employee).where(Employee.nip == "199501012020121001"))
    assert emp.user_id == user.id and [r.name for r in user.roles] == ["Pegawai"]
    assert password not in user.password and check_password_hash(user.password, password)
    assert password not in flashes(client)  # shown once
    # the new employee logs in with it
    fresh = world.app.test_client()
    resp = fresh.post("/login/", data={"username": "199501012020121001", "password": password})
    assert resp.status_code == 302 and "/login" not in resp.headers.get("Location", "")


def test_api_and_import_create_the_login_too(world, api_as):
    from flask_appbuilder.security.sqla.models import User

    from app.services.master_import import import_masterdata

    api, headers = api_as("operator")
    nip = make_nip(date(1997, 2, 3), date(2022, 1, 1), "L", 9)
    payload = {"nip": nip, "name": "Lewat API", "kind": "CPNS", "golongan": "III/a",
               "unit": world.unit("Dinas Kesehatan").id, "position": world.position("Pengelola Data Kesehatan").id}
    resp = api.post("/api/v1/employee/", json=payload, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    login = resp.get_json()["login"]
    user = db.session.scalar(select(User).where(User.username == nip))
    assert login["username"] == nip and check_password_hash(user.password, login["initial_password"])
    emp = db.session.scalar(select(Employee).where(Employee.nip == nip))
    assert (emp.sex, emp.birth_date, emp.user_id) == ("L", date(1997, 2, 3), user.id)

    nip2 = make_nip(date(1998, 4, 5), date(2023, 1, 1), "P", 10)
    row = _employee_row("staff_a", NIP=nip2, NAMA="Lewat Impor", JENIS_KELAMIN="", TANGGAL_LAHIR="")
    result = import_masterdata("f.xlsx", workbook(None, None, [row]), operator(world))
    db.session.commit()
    assert [(n, name) for n, name, _ in result.logins] == [(nip2, "Lewat Impor")]
    user2 = db.session.scalar(select(User).where(User.username == nip2))
    assert check_password_hash(user2.password, result.logins[0][2])
    emp2 = db.session.scalar(select(Employee).where(Employee.nip == nip2))
    assert (emp2.sex, emp2.birth_date, emp2.user_id) == ("P", date(1998, 4, 5), user2.id)


def test_operator_cannot_deactivate_himself(world, login_as):
    me = world.employee("op_a")
    client = login_as("operator")
    resp = client.post("/employeeview/action_post", data={"action": "deactivate", "rowid": [str(me.id)]})
    assert resp.status_code == 403
    assert count(Employee, Employee.id == me.id, Employee.active.is_(True)) == 1


def test_units_on_the_page_follow_the_import_rule(world, login_as, api_as):
    """Units are BKD's: the operator's panel and API refuse unit writes (403), and the import
    refuses a new or changed unit row of the operator (test_import_refusal_kinds)."""
    from app.models import Unit

    dinkes = world.unit("Dinas Kesehatan")
    data = {"code": "2.05", "name": "Bidang Uji", "kind": "BIDANG", "parent": str(dinkes.id),
            "workdays_per_week": "5", "active": "y"}
    assert login_as("operator").post("/unitview/add", data=data).status_code == 403
    api, headers = api_as("operator")
    resp = api.post("/api/v1/unit/", json={**data, "parent": dinkes.id, "workdays_per_week": 5, "active": True},
                    headers=headers)
    assert resp.status_code == 403
    assert count(Unit, Unit.code == "2.05") == 0
    assert login_as("bkd").post("/unitview/add", data=data).status_code == 302
    assert count(Unit, Unit.code == "2.05") == 1


def test_api_operator_creates_position_without_kelas(world, api_as):
    from app.services.masterdata import MSG_KELAS_BKD

    api, headers = api_as("operator")
    resp = api.post("/api/v1/position/", json=position_json(world, name="Pengelola Gizi", kelas_jabatan=6),
                    headers=headers)
    assert resp.status_code == 422 and resp.get_json()["message"]["kelas_jabatan"] == [MSG_KELAS_BKD]
    resp = api.post("/api/v1/position/", json=position_json(world, name="Pengelola Gizi", kelas_jabatan=None),
                    headers=headers)
    assert resp.status_code == 201, resp.get_json()
    assert db.session.get(Position, resp.get_json()["id"]).kelas_jabatan is None


def test_override_dates_and_reason_length_are_checked(world, login_as):
    client = login_as("bkd")
    before = count(SuperiorOverride)
    resp = client.post("/superioroverrideview/add", data={
        "employee": str(world.employee("staff_a").id), "superior": str(world.employee("kadis_a").id),
        "valid_from": "1900-01-01", "valid_to": "", "reason": "R" * 201})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Tanggal harus antara 01-01-2000 dan 31-12-2100." in body
    assert "Teks terlalu panjang (201 karakter, paling banyak 200)." in body
    assert count(SuperiorOverride) == before


@pytest.mark.parametrize("case", ["kelas_changed", "own_superior_post", "own_position", "employee_position_other_opd"])
def test_panel_api_import_agree(world, login_as, api_as, case):
    """The same refusal, with the same message, on the page, in the API and in the import."""
    from app.security import MSG_OWN_POSITION, MSG_OWN_SUPERIOR_POST
    from app.services.masterdata import MSG_KELAS_BKD

    staff_pos = world.position("Pengelola Data Kesehatan")
    mine = world.position("Analis Kepegawaian")
    kabid_post = world.position("Kepala Bidang Pelayanan Kesehatan")
    staff = world.employee("staff_a")
    disdik_pos = world.position("Pengadministrasi Perkantoran")
    if case == "kelas_changed":
        page = ("/positionview/edit/%d" % staff_pos.id, position_form(world, kelas_jabatan="7"))
        api = ("/api/v1/position/%d" % staff_pos.id, {"kelas_jabatan": 7})
        message, status = MSG_KELAS_BKD, 422
    elif case == "own_superior_post":
        page = ("/employeeview/edit/%d" % staff.id, stored_employee_form(staff, position=str(kabid_post.id)))
        api = ("/api/v1/employee/%d" % staff.id, {"position": kabid_post.id})
        message, status = MSG_OWN_SUPERIOR_POST, 403
    elif case == "own_position":
        page = ("/positionview/edit/%d" % mine.id, position_form(
            world, name="Analis Kepegawaian Ahli", kind="JF_KEAHLIAN", level="Ahli Pertama", kelas_jabatan="8"))
        api = ("/api/v1/position/%d" % mine.id, {"name": "Analis Kepegawaian Ahli"})
        message, status = MSG_OWN_POSITION, 403
    else:  # a position of another OPD for an employee of the operator's OPD
        page = ("/employeeview/edit/%d" % staff.id, stored_employee_form(staff, position=str(disdik_pos.id)))
        api = ("/api/v1/employee/%d" % staff.id, {"position": disdik_pos.id})
        message, status = None, None  # not even offered: the dropdown and the API lookup are scoped
    client = login_as("operator")
    resp = client.post(*page[:1], data=page[1])
    if status == 422:
        assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    elif status == 403:
        refused_on_page(client, resp, message)
    else:
        assert resp.status_code == 200
    api_client, headers = api_as("operator")
    resp = api_client.put(api[0], json=api[1], headers=headers)
    if status == 422:
        assert resp.status_code == 422 and resp.get_json()["message"]["kelas_jabatan"] == [message]
    elif status == 403:
        assert resp.status_code == 403 and resp.get_json()["message"] == message
    else:
        assert resp.status_code in (400, 403, 422)
    sheet, rows, expected = _cases(world)[case]
    preview = refused(workbook(None, rows if sheet == "Jabatan" else None, rows if sheet == "Pegawai" else None),
                      operator(world))
    assert expected in reasons(preview, sheet)[2]
    if message:
        assert message in expected
    db.session.expire_all()
    assert db.session.get(Position, staff_pos.id).kelas_jabatan == 6
    assert db.session.get(Position, mine.id).name == "Analis Kepegawaian"
    assert db.session.get(Employee, staff.id).position_id == staff_pos.id


# ============================================================================ 8.3 (edit form path)
def test_operator_deactivates_an_employee_through_the_edit_form(world, login_as):
    """An unchecked Aktif box is a valid False (FAB made the checkbox of a NOT NULL column
    required, so the edit form could not switch anyone off); the login ends with it."""
    from flask_appbuilder.security.sqla.models import User

    staff = login_as("pegawai")
    assert staff.get("/activityview/list/").status_code == 200
    emp = world.employee("staff_a")
    form = stored_employee_form(emp)
    del form["active"]  # an unchecked box sends nothing
    resp = login_as("operator").post(f"/employeeview/edit/{emp.id}", data=form)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    db.session.expire_all()
    emp = world.employee("staff_a")
    assert emp.active is False
    assert db.session.get(User, emp.user_id).active is False
    # The session opened before the deactivation is over.
    assert staff.get("/activityview/list/").status_code in (302, 401)
