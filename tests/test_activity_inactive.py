"""Deactivated employees and unresolved superiors (issue 8 item 3, entry and submission part).

A deactivated employee's activities cannot be entered, edited or submitted on any path (page,
API, operator on behalf, bulk); an activity reaches BKD's top-of-tree queue only when its
employee IS the top of the tree (the Sekda), never because the superior could not be resolved;
an inactive superior (also an inactive Plt) is never chosen as approver."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity, SuperiorOverride
from app.services import ValidationFailed
from app.services import activities as svc
from tests.conftest import NIPS

TODAY = date(2026, 11, 18)
URL = "/api/v1/activity/"


@pytest.fixture(autouse=True)
def fixed_today(app, tmp_path):
    app.config["FIXED_TODAY"] = TODAY
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


def deactivate(world, *keys):
    for key in keys:
        world.employee(key).active = False
    db.session.commit()


def draft(employee, start=8) -> Activity:
    item = Activity(employee=employee, date=date(2026, 11, 17), description="Kegiatan", volume=1,
                    start_time=time(start), end_time=time(start + 1), claimed_minutes=60, status="DRAFT")
    db.session.add(item)
    db.session.commit()
    return item


def reload(pk) -> Activity:
    db.session.expire_all()
    return db.session.get(Activity, pk)


def count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Activity))


def inactive_message(world, key) -> str:
    emp = world.employee(key)
    return svc.MSG_EMPLOYEE_INACTIVE.format(name=emp.name, nip=emp.nip)


def body(**over):
    data = {"date": "2026-11-17", "description": "Rapat koordinasi", "volume": 1, "start_time": "10:00",
            "end_time": "11:00"}
    data.update(over)
    return data


# --------------------------------------------------------------------------- inactive employees
def test_operator_cannot_enter_edit_or_submit_for_inactive_employee(world, api_as, login_as):
    staff = world.employee("staff_a")
    item = draft(staff)
    client, headers = api_as("operator")
    page = login_as("operator")
    deactivate(world, "staff_a")
    message = inactive_message(world, "staff_a")

    resp = client.post(URL, json=body(employee=staff.id), headers=headers)
    assert resp.status_code == 422 and resp.get_json()["message"]["employee"] == [message]
    resp = client.put(f"{URL}{item.id}", json={"description": "Diubah"}, headers=headers)
    assert resp.status_code == 422 and resp.get_json()["message"]["employee"] == [message]
    resp = client.post(f"{URL}{item.id}/submit", headers=headers)
    assert resp.status_code == 422 and message in str(resp.get_json()["message"])

    # pages: the edit form and the bulk submit action
    resp = page.post(f"/activityview/edit/{item.id}", data={
        "employee": str(staff.id), "date": "2026-11-17", "description": "Diubah", "volume": "1",
        "start_time": "08:00", "end_time": "09:00", "catalog": "", "evidence_link": ""}, follow_redirects=True)
    assert "sudah tidak aktif" in resp.get_data(as_text=True)
    resp = page.post("/activityview/action_post", data={"action": "submit", "rowid": [str(item.id)]},
                     follow_redirects=True)
    assert "sudah tidak aktif" in resp.get_data(as_text=True)

    row = reload(item.id)
    assert row.status == "DRAFT" and row.description == "Kegiatan" and row.superior_id is None
    assert row.submitted_at is None and count() == 1


def test_inactive_employee_is_not_offered_for_entry(world, login_as, api_as):
    deactivate(world, "staff_a")
    staff_id = world.employee("staff_a").id
    html = login_as("operator").get("/activityview/add").get_data(as_text=True)
    assert f'value="{staff_id}"' not in html
    client, headers = api_as("operator")
    info = client.get(f"{URL}_info?q=(keys:!(add_columns))", headers=headers).get_json()
    employees = next(c for c in info["add_columns"] if c["name"] == "employee")
    assert staff_id not in [v["id"] for v in employees["values"]]


def test_deactivated_employee_own_requests_change_nothing(world, api_as):
    """Logged in before the deactivation: whatever the login layer does (it may end the
    session), the activity rules refuse the entry and the submission themselves."""
    item = draft(world.employee("staff_a"))
    client, headers = api_as("pegawai")
    deactivate(world, "staff_a")
    resp = client.post(URL, json=body(), headers=headers)
    assert resp.status_code in (401, 403, 422)
    resp = client.post(f"{URL}{item.id}/submit", headers=headers)
    assert resp.status_code in (401, 403, 404, 422)
    assert count() == 1 and reload(item.id).status == "DRAFT"


def test_service_refuses_a_deactivated_actor(world):
    """The self-service path at service level (the API and pages call these functions)."""
    staff = world.employee("staff_a")
    item = draft(staff)
    deactivate(world, "staff_a")
    actor = svc.Actor(user_id=staff.user_id, username=staff.nip, employee_id=staff.id, roles={"Pegawai"},
                      opd_id=staff.unit.opd_id, employee_active=False)
    errors, _ = svc.check_entry({"employee": staff, "date": date(2026, 11, 17), "description": "x", "volume": 1,
                                 "start_time": time(10), "end_time": time(11)}, None, actor)
    assert errors == {"employee": [svc.MSG_ACTOR_INACTIVE]}
    with pytest.raises(ValidationFailed, match="dinonaktifkan"):
        svc.submit(item, actor)
    db.session.rollback()
    assert reload(item.id).status == "DRAFT"


# --------------------------------------------------------------------------- superiors
def test_unresolved_superior_is_a_submit_error_not_bkd_queue(world, api_as, login_as):
    """staff_b's superior posts (Kepala Dinas, Sekda) are both held by deactivated employees."""
    item = draft(world.employee("staff_b"))
    client, headers = api_as(NIPS["op_b"][0])
    deactivate(world, "kadis_b", "sekda")
    resp = client.post(f"{URL}{item.id}/submit", headers=headers)
    assert resp.status_code == 422
    assert resp.get_json()["message"] == {"superior": [svc.MSG_NO_SUPERIOR]}
    row = reload(item.id)
    assert row.status == "DRAFT" and row.submitted_at is None
    # BKD's queue stays empty
    queue = login_as("bkd").get("/approvalqueueview/list/").get_data(as_text=True)
    assert "Kegiatan" not in queue


def test_employee_without_position_is_not_top_of_tree(world, api_as):
    staff = world.employee("staff_a")
    item = draft(staff)
    staff.position = None
    db.session.commit()
    client, headers = api_as("operator")
    resp = client.post(f"{URL}{item.id}/submit", headers=headers)
    assert resp.status_code == 422 and resp.get_json()["message"] == {"superior": [svc.MSG_NO_SUPERIOR]}
    assert reload(item.id).status == "DRAFT"


def test_genuine_top_of_tree_goes_to_bkd(world, api_as):
    item = draft(world.employee("sekda"))
    client, headers = api_as(NIPS["sekda"][0])
    resp = client.post(f"{URL}{item.id}/submit", headers=headers)
    assert resp.status_code == 200, resp.get_json()
    row = reload(item.id)
    assert row.status == "SUBMITTED" and row.superior_id is None
    bkd, h = api_as("bkd")
    assert bkd.post(f"{URL}{item.id}/approve", headers=h).status_code == 200
    assert reload(item.id).status == "APPROVED"


def test_inactive_plt_is_not_chosen_as_approver(world, api_as):
    """A Plt (override) who was deactivated is skipped: the default line applies."""
    staff, plt = world.employee("staff_a"), world.employee("kadis_b")
    db.session.add(SuperiorOverride(employee=staff, superior=plt, valid_from=date(2026, 1, 1), reason="Plt"))
    db.session.commit()
    item = draft(staff)
    deactivate(world, "kadis_b")
    client, headers = api_as("pegawai")
    resp = client.post(f"{URL}{item.id}/submit", headers=headers)
    assert resp.status_code == 200, resp.get_json()
    assert reload(item.id).superior_id == world.employee("kabid_a").id


def test_inactive_default_superior_is_skipped_one_level_up(world, api_as):
    item = draft(world.employee("staff_a"))
    deactivate(world, "kabid_a")
    client, headers = api_as("pegawai")
    assert client.post(f"{URL}{item.id}/submit", headers=headers).status_code == 200
    row = reload(item.id)
    assert row.superior_id == world.employee("kadis_a").id
    assert row.escalation_id == world.employee("sekda").id


def test_deactivated_operator_is_offered_nobody(world, monkeypatch):
    """The entry lookup (dropdown and API `_info`) of a deactivated operator is empty, even
    while a session of theirs were still alive (the login layer revokes it separately)."""
    import app.security as security
    from app.models import Employee

    op = world.employee("op_a")
    monkeypatch.setattr(security, "current_login", lambda: op.user)
    monkeypatch.setattr(security, "current_employee", lambda: op)
    assert db.session.scalars(select(Employee.id).where(security.entry_scope_clause())).all()
    deactivate(world, "op_a")
    assert db.session.scalars(select(Employee.id).where(security.entry_scope_clause())).all() == []
