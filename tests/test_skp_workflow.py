"""SKP tahunan (issue 12 item 1): every transition through the service and the API, refusals
per role, cascade refusals, the planning window, a revision keeping the approved plan in
force, the frozen-period rule, strategic goals and the audit rows.

The world (tests/conftest.py): Sekda (top of the tree, head of the Sekretariat Daerah) ->
Kepala Dinas Kesehatan (kadis_a, head of Dinkes) -> Kepala Bidang (kabid_a) -> staff_a, op_a
(Operator OPD Dinkes); staff_a1 under the vacant Kepala Puskesmas -> kadis_a; Dinas
Pendidikan: kadis_b -> staff_b, op_b.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.services import Conflict, Forbidden, NotFound, ValidationFailed

YEAR = 2027
IN_WINDOW = date(2027, 1, 10)
AFTER_WINDOW = date(2027, 3, 2)


@pytest.fixture
def w(app, world):
    app.config["FIXED_TODAY"] = IN_WINDOW
    return world


@contextmanager
def acting(app, key_or_username, world=None):
    """A request of the given login (employee key of the world or a user name): yields the Actor."""
    import flask_login
    from flask import g
    from flask_appbuilder.security.sqla.models import User

    from app.services import skp as svc
    from tests.conftest import NIPS

    username = NIPS[key_or_username][0] if key_or_username in NIPS else key_or_username
    with app.test_request_context():
        for key in list(g):  # the app context (and its g) is shared with the previous request
            g.pop(key, None)
        user = db.session.scalar(select(User).where(User.username == username))
        flask_login.login_user(user)
        g.user = user
        yield svc.current_actor()


def call(app, who, fn, *args, **kwargs):
    with acting(app, who) as actor:
        return fn(actor, *args, **kwargs)


def emp_id(world, key):
    return world.employee(key).id


# --------------------------------------------------------------------------- building blocks
def city_and_opd_goals(app, world):
    """A city goal and one goal of each OPD (Setda, Dinkes, Disdik) for YEAR, by BKD."""
    from app.services import skp as svc

    city = call(app, "bkd", svc.create_goal, {"year": YEAR, "code": "K1", "name": "Kota sehat dan cerdas"})
    goals = {"city": city.id}
    for key, unit in (("setda", "Sekretariat Daerah"), ("dinkes", "Dinas Kesehatan"),
                      ("disdik", "Dinas Pendidikan dan Kebudayaan")):
        g = call(app, "bkd", svc.create_goal, {"year": YEAR, "unit_id": world.unit(unit).id, "parent_id": city.id,
                                                "code": f"{key.upper()}-1", "name": f"Sasaran {unit}"})
        goals[key] = g.id
    return goals


def plan(app, who, skp_id, parent_id=None, goal_id=None, name="Terlaksananya layanan kesehatan", kind="UTAMA"):
    """One RHK with one indicator (planned by `who`); returns the RHK id."""
    from app.services import skp as svc

    rhk = call(app, who, svc.add_rhk, skp_id, {"kind": kind, "name": name, "parent_id": parent_id,
                                                 "goal_id": goal_id})
    call(app, who, svc.add_indicator, rhk.id, {"aspect": "KUANTITAS", "name": "Jumlah laporan",
                                               "target_value": "12", "target_unit": "laporan"})
    return rhk.id


def approved_skp(app, world, key, approver, parent_id=None, goal_id=None):
    """Create, plan, submit and approve `key`'s SKP; returns (skp id, rhk id)."""
    from app.services import skp as svc

    skp = call(app, key, svc.create_skp, emp_id(world, key), YEAR)
    rhk_id = plan(app, key, skp.id, parent_id=parent_id, goal_id=goal_id)
    call(app, key, svc.submit, skp.id)
    call(app, approver, svc.approve, skp.id)
    return skp.id, rhk_id


def chain(app, world):
    """Goals, then the approved SKP of the Sekda (BKD approves at the top), kadis_a and kabid_a."""
    goals = city_and_opd_goals(app, world)
    sekda = approved_skp(app, world, "sekda", "bkd", goal_id=goals["setda"])
    kadis = approved_skp(app, world, "kadis_a", "sekda", goal_id=goals["dinkes"])
    kabid = approved_skp(app, world, "kabid_a", "kadis_a", parent_id=kadis[1])
    return {"goals": goals, "sekda": sekda, "kadis_a": kadis, "kabid_a": kabid}


def skp_row(skp_id):
    from app.models import Skp

    db.session.expire_all()
    return db.session.get(Skp, skp_id)


def audit_actions(entity, entity_id):
    from app.models import AuditLog

    return [r.action for r in db.session.scalars(select(AuditLog).where(
        AuditLog.entity == entity, AuditLog.entity_id == str(entity_id)).order_by(AuditLog.id))]


# --------------------------------------------------------------------------- the service
def test_full_cycle_through_the_service(app, w):
    from app.models import SkpHistory
    from app.services import skp as svc

    c = chain(app, w)
    skp = call(app, "staff_a", svc.create_skp, emp_id(w, "staff_a"), YEAR)
    assert skp.status == "DRAFT" and skp.revision == 1 and skp.approved_revision is None
    assert skp.position_id == w.employee("staff_a").position_id
    assert skp.opd_id == w.unit("Dinas Kesehatan").id
    rhk = plan(app, "staff_a", skp.id, parent_id=c["kabid_a"][1])
    call(app, "staff_a", svc.submit, skp.id)
    row = skp_row(skp.id)
    assert row.status == "SUBMITTED" and row.superior_id == emp_id(w, "kabid_a") and row.submitted_at
    # Returned with a note, fixed, submitted again, approved.
    with pytest.raises(ValidationFailed) as err:
        call(app, "kabid_a", svc.return_skp, skp.id, "  ")
    assert "wajib" in err.value.errors["note"][0]
    call(app, "kabid_a", svc.return_skp, skp.id, "Target laporan terlalu rendah.")
    row = skp_row(skp.id)
    assert row.status == "RETURNED" and row.decision_note == "Target laporan terlalu rendah."
    ind = row.rhks[0].indicators[0]
    call(app, "staff_a", svc.edit_indicator, ind.id, {"target_value": "24"})
    call(app, "staff_a", svc.submit, skp.id)
    call(app, "kabid_a", svc.approve, skp.id)
    row = skp_row(skp.id)
    assert row.status == "APPROVED" and row.approved_revision == 1
    assert row.decided_by_id == w.employee("kabid_a").user_id
    assert [r.approved_revision for r in row.rhks] == [1]
    hist = db.session.scalars(select(SkpHistory).where(SkpHistory.skp_id == skp.id)).all()
    assert [h.revision for h in hist] == [1]
    snap = json.loads(hist[0].snapshot)
    assert snap["rhk"][0]["id"] == rhk and snap["rhk"][0]["indicators"][0]["target_value"] == "24.00"
    assert svc.plan_in_force(row)["rhk"][0]["parent_id"] == c["kabid_a"][1]
    assert [r.id for r in svc.rhk_in_force(emp_id(w, "staff_a"), YEAR)] == [rhk]
    actions = audit_actions("Skp", skp.id)
    assert actions[0] == "CREATE" and actions[1:] == ["SUBMIT", "RETURN", "SUBMIT", "APPROVE"]
    assert "CREATE" in audit_actions("Rhk", rhk)


# --------------------------------------------------------------------------- the API
def nip(key):
    from tests.conftest import NIPS

    return NIPS[key][0]


def test_full_cycle_through_the_api(app, w, api_as):
    from app.models import AuditLog

    c = chain(app, w)
    staff, h_staff = api_as(nip("staff_a"))
    kabid, h_kabid = api_as(nip("kabid_a"))
    resp = staff.post("/api/v1/skp/", json={"year": YEAR}, headers=h_staff)
    assert resp.status_code == 201, resp.get_json()
    skp_id = resp.get_json()["id"]
    resp = staff.post("/api/v1/rhk/", json={"skp": skp_id, "kind": "UTAMA", "name": "Data kesehatan mutakhir",
                                            "parent_id": c["kabid_a"][1]}, headers=h_staff)
    assert resp.status_code == 201, resp.get_json()
    rhk_id = resp.get_json()["id"]
    # Submitting without an indicator: 422 naming the RHK.
    resp = staff.post(f"/api/v1/skp/{skp_id}/submit", headers=h_staff)
    assert resp.status_code == 422 and "indikator" in " ".join(resp.get_json()["message"]["rhk"])
    resp = staff.post("/api/v1/rhk-indicator/", json={"rhk": rhk_id, "aspect": "KUANTITAS", "name": "Laporan",
                                                      "target_value": 0, "target_unit": "laporan"}, headers=h_staff)
    assert resp.status_code == 422 and "lebih besar dari 0" in resp.get_json()["message"]["target_value"][0]
    resp = staff.post("/api/v1/rhk-indicator/", json={"rhk": rhk_id, "aspect": "KUANTITAS", "name": "Laporan",
                                                      "target_value": "12", "target_unit": "laporan"}, headers=h_staff)
    assert resp.status_code == 201, resp.get_json()
    ind_id = resp.get_json()["id"]
    assert staff.post(f"/api/v1/skp/{skp_id}/submit", headers=h_staff).status_code == 200
    # The employee cannot approve their own SKP (no permission for the plain Pegawai: 403).
    assert staff.post(f"/api/v1/skp/{skp_id}/approve", headers=h_staff).status_code == 403
    # While SUBMITTED nothing of the plan changes.
    resp = staff.put(f"/api/v1/rhk-indicator/{ind_id}", json={"target_value": 20}, headers=h_staff)
    assert resp.status_code == 422 and "Draf atau Dikembalikan" in resp.get_json()["message"]["status"][0]
    # Return needs a note (a body and a note).
    assert kabid.post(f"/api/v1/skp/{skp_id}/return", headers=h_kabid).status_code == 400
    resp = kabid.post(f"/api/v1/skp/{skp_id}/return", json={"note": ""}, headers=h_kabid)
    assert resp.status_code == 422 and "wajib" in resp.get_json()["message"]["note"][0]
    resp = kabid.post(f"/api/v1/skp/{skp_id}/return", json={"note": "Naikkan target."}, headers=h_kabid)
    assert resp.status_code == 200 and resp.get_json()["status"] == "RETURNED"
    assert staff.put(f"/api/v1/rhk-indicator/{ind_id}", json={"target_value": 20},
                     headers=h_staff).status_code == 200
    version = staff.get(f"/api/v1/skp/{skp_id}", headers=h_staff).get_json()["result"]["version"]
    assert staff.post(f"/api/v1/skp/{skp_id}/submit", json={"version": version}, headers=h_staff).status_code == 200
    # A stale version is a conflict.
    resp = kabid.post(f"/api/v1/skp/{skp_id}/approve", json={"version": version}, headers=h_kabid)
    assert resp.status_code == 409
    resp = kabid.post(f"/api/v1/skp/{skp_id}/approve", headers=h_kabid)
    assert resp.status_code == 200 and resp.get_json()["approved_revision"] == 1
    assert kabid.post(f"/api/v1/skp/{skp_id}/approve", headers=h_kabid).status_code == 409  # decided already
    body = staff.get(f"/api/v1/skp/{skp_id}", headers=h_staff).get_json()
    assert body["result"]["status"] == "APPROVED" and body["rhk"][0]["in_force"] is True
    assert body["plan_in_force"]["rhk"][0]["indicators"][0]["target_value"] == "20.00"
    # Revision through the API: DRAFT, revision 2, the plan stays in force.
    resp = staff.post(f"/api/v1/skp/{skp_id}/revise", json={"note": "Tugas tambahan dari kepala dinas."},
                      headers=h_staff)
    assert resp.status_code == 200 and resp.get_json()["revision"] == 2
    assert resp.get_json()["approved_revision"] == 1
    body = staff.get(f"/api/v1/skp/{skp_id}", headers=h_staff).get_json()
    assert body["result"]["status"] == "DRAFT" and body["rhk"][0]["in_force"] is True
    users = {r.username for r in db.session.scalars(select(AuditLog).where(
        AuditLog.entity == "Skp", AuditLog.entity_id == str(skp_id)))}
    assert users == {nip("staff_a"), nip("kabid_a")}
