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


# --------------------------------------------------------------------------- cascade refusals
def test_cascade_refusals(app, w):
    from app.services import skp as svc

    c = chain(app, w)
    kadis_b = approved_skp(app, w, "kadis_b", "sekda", goal_id=c["goals"]["disdik"])
    skp = call(app, "staff_a", svc.create_skp, emp_id(w, "staff_a"), YEAR)
    # The superior's superior's RHK (kadis_a), another OPD's head's RHK, the Sekda's RHK: refused.
    for other in (c["kadis_a"][1], kadis_b[1], c["sekda"][1]):
        with pytest.raises(ValidationFailed) as err:
            call(app, "staff_a", svc.add_rhk, skp.id, {"name": "Data", "parent_id": other})
        assert "atasan langsung (Kabid A)" in err.value.errors["parent_id"][0]
    # Below the head no goal.
    with pytest.raises(ValidationFailed) as err:
        call(app, "staff_a", svc.add_rhk, skp.id, {"name": "Data", "goal_id": c["goals"]["dinkes"]})
    assert "kepala OPD" in err.value.errors["goal_id"][0]
    # A draft may lack the link; the submission names it.
    plan(app, "staff_a", skp.id)
    with pytest.raises(ValidationFailed) as err:
        call(app, "staff_a", svc.submit, skp.id)
    assert err.value.errors["rhk"] == ["RHK utama 1: Pilih RHK atasan langsung (Kabid A) yang diintervensi."]
    assert skp_row(skp.id).status == "DRAFT"
    # Choices offered to the page: exactly the superior's RHK in force.
    assert [r.id for r in svc.parent_choices(skp_row(skp.id))] == [c["kabid_a"][1]]
    assert svc.goal_choices(skp_row(skp.id)) == []


def test_cascade_of_the_opd_head_and_the_superiors_approval(app, w):
    from app.services import skp as svc

    goals = city_and_opd_goals(app, w)
    skp = call(app, "kadis_a", svc.create_skp, emp_id(w, "kadis_a"), YEAR)
    with pytest.raises(ValidationFailed) as err:
        call(app, "kadis_a", svc.add_rhk, skp.id, {"name": "Derajat kesehatan", "goal_id": goals["disdik"]})
    assert "OPD sendiri" in err.value.errors["goal_id"][0]
    with pytest.raises(ValidationFailed) as err:
        call(app, "kadis_a", svc.add_rhk, skp.id, {"name": "Derajat kesehatan", "goal_id": goals["city"]})
    assert "OPD sendiri" in err.value.errors["goal_id"][0]
    assert [g.id for g in svc.goal_choices(skp_row(skp.id))] == [goals["dinkes"]]
    rhk = plan(app, "kadis_a", skp.id)
    with pytest.raises(ValidationFailed) as err:
        call(app, "kadis_a", svc.submit, skp.id)
    assert "sasaran strategis" in err.value.errors["rhk"][0]
    call(app, "kadis_a", svc.edit_rhk, rhk, {"goal_id": goals["dinkes"]})
    call(app, "kadis_a", svc.submit, skp.id)
    # The kepala bidang cannot name the head's RHK before the head's SKP is approved.
    kabid = call(app, "kabid_a", svc.create_skp, emp_id(w, "kabid_a"), YEAR)
    with pytest.raises(ValidationFailed) as err:
        call(app, "kabid_a", svc.add_rhk, kabid.id, {"name": "Pelayanan", "parent_id": rhk})
    assert "belum disetujui" in err.value.errors["parent_id"][0]
    assert svc.parent_choices(skp_row(kabid.id)) == []
    call(app, "sekda", svc.approve, skp.id)
    assert call(app, "kabid_a", svc.add_rhk, kabid.id, {"name": "Pelayanan", "parent_id": rhk}).parent_id == rhk


def test_across_opd_only_where_the_superior_line_crosses_it(app, w):
    """staff_b (Disdik) gets kabid_a (Dinkes) as Plt superior: then staff_b's RHK name kabid_a's RHK,
    and no longer those of their own OPD's head."""
    from app.models import SuperiorOverride
    from app.services import skp as svc

    c = chain(app, w)
    kadis_b = approved_skp(app, w, "kadis_b", "sekda", goal_id=c["goals"]["disdik"])
    skp = call(app, "staff_b", svc.create_skp, emp_id(w, "staff_b"), YEAR)
    with pytest.raises(ValidationFailed):
        call(app, "staff_b", svc.add_rhk, skp.id, {"name": "Arsip", "parent_id": c["kabid_a"][1]})
    call(app, "staff_b", svc.add_rhk, skp.id, {"name": "Arsip", "parent_id": kadis_b[1]})
    db.session.add(SuperiorOverride(employee=w.employee("staff_b"), superior=w.employee("kabid_a"),
                                    valid_from=date(2027, 1, 1), reason="Plt lintas OPD"))
    db.session.commit()
    with pytest.raises(ValidationFailed):
        call(app, "staff_b", svc.add_rhk, skp.id, {"name": "Arsip 2", "parent_id": kadis_b[1]})
    rhk = call(app, "staff_b", svc.add_rhk, skp.id, {"name": "Arsip 2", "parent_id": c["kabid_a"][1]})
    call(app, "staff_b", svc.add_indicator, rhk.id, {"aspect": "WAKTU", "name": "Tepat waktu", "target_value": 12,
                                                     "target_unit": "bulan"})
    first = skp_row(skp.id).rhks[0]
    call(app, "staff_b", svc.delete_rhk, first.id)
    call(app, "staff_b", svc.submit, skp.id)
    assert skp_row(skp.id).superior_id == emp_id(w, "kabid_a")


# --------------------------------------------------------------------------- roles
def test_refusals_per_role(app, w):
    from app.models import AuditLog
    from app.services import skp as svc

    c = chain(app, w)
    # The Operator OPD plans on behalf of their OPD's employees (not of another OPD's).
    skp = call(app, "op_a", svc.create_skp, emp_id(w, "staff_a"), YEAR)
    with pytest.raises(NotFound):
        call(app, "op_b", svc.create_skp, emp_id(w, "staff_a"), YEAR)
    with pytest.raises(NotFound):  # another employee's SKP is out of a plain employee's scope
        call(app, "staff_a1", svc.add_rhk, skp.id, {"name": "X", "parent_id": c["kabid_a"][1]})
    # The superior sees the subordinate's SKP but does not plan it.
    with pytest.raises(Forbidden):
        call(app, "kabid_a", svc.add_rhk, skp.id, {"name": "X", "parent_id": c["kabid_a"][1]})
    rhk = plan(app, "op_a", skp.id, parent_id=c["kabid_a"][1])
    with pytest.raises(Conflict):  # a stale version (the operator's edits came after it)
        call(app, "staff_a", svc.submit, skp.id, version=skp.version + 5)
    call(app, "staff_a", svc.submit, skp.id)
    # Only the superior snapshot decides: not the superior's superior, not BKD below the top,
    # not the employee, not the operator.
    for who, error in (("kadis_a", NotFound), ("bkd", Forbidden), ("staff_a", Forbidden), ("op_a", Forbidden)):
        with pytest.raises(error):
            call(app, who, svc.approve, skp.id)
    assert skp_row(skp.id).status == "SUBMITTED"
    # Nobody approves their own SKP: kabid_a's own submitted revision.
    call(app, "kabid_a", svc.start_revision, c["kabid_a"][0])
    call(app, "kabid_a", svc.submit, c["kabid_a"][0])
    with pytest.raises(Forbidden) as err:
        call(app, "kabid_a", svc.approve, c["kabid_a"][0])
    assert "sendiri" in err.value.message
    refusals = db.session.scalars(select(AuditLog).where(AuditLog.action.like("DITOLAK_%"))).all()
    assert {r.action for r in refusals} == {"DITOLAK_403", "DITOLAK_404"}
    assert len(refusals) >= 8
    assert rhk


def test_inactive_employee_is_not_planned(app, w):
    from app.services import skp as svc

    staff = w.employee("staff_a1")
    staff.active = False
    db.session.commit()
    with pytest.raises(ValidationFailed) as err:
        call(app, "op_a", svc.create_skp, staff.id, YEAR)
    assert "sudah tidak aktif" in err.value.errors["employee"][0]


# --------------------------------------------------------------------------- window
def test_planning_window(app, w):
    from app.services import parameters as params
    from app.services import skp as svc

    c = chain(app, w)
    app.config["FIXED_TODAY"] = AFTER_WINDOW
    with pytest.raises(ValidationFailed) as err:
        call(app, "staff_a", svc.create_skp, emp_id(w, "staff_a"), YEAR)
    assert "1 Januari 2027 sampai 31 Januari 2027" in err.value.errors["window"][0]
    # BKD widens the window for the year: now possible.
    params.set_value(YEAR, "skp_window_end", "2027-03-31")
    db.session.commit()
    assert svc.skp_window(YEAR) == (date(2027, 1, 1), date(2027, 3, 31))
    skp = call(app, "staff_a", svc.create_skp, emp_id(w, "staff_a"), YEAR)
    plan(app, "staff_a", skp.id, parent_id=c["kabid_a"][1])
    params.set_value(YEAR, "skp_window_end", "2027-02-28")
    db.session.commit()
    with pytest.raises(ValidationFailed) as err:
        call(app, "staff_a", svc.submit, skp.id)
    assert "28 Februari 2027" in err.value.errors["window"][0]
    # A revision of an approved SKP is made and submitted outside the window.
    kabid_skp = c["kabid_a"][0]
    call(app, "kabid_a", svc.start_revision, kabid_skp, "Perubahan tugas")
    call(app, "kabid_a", svc.submit, kabid_skp)
    assert skp_row(kabid_skp).status == "SUBMITTED"
    # The window must be ordered.
    with pytest.raises(ValidationFailed):
        params.set_value(YEAR, "skp_window_start", "2027-03-01")
    db.session.rollback()


def test_parameters_defaults():
    from app.domain import parameters as P

    values = P.effective({})
    assert values["activity_requires_rhk"] is False
    assert P.skp_window(values, 2030) == (date(2030, 1, 1), date(2030, 1, 31))
    assert P.parse_value("activity_requires_rhk", "ya") is True
    with pytest.raises(P.ParameterError):
        P.parse_value("skp_window_start", "31-01-2027")


# --------------------------------------------------------------------------- revision
def test_revision_keeps_the_approved_plan_in_force(app, w):
    from app.models import SkpHistory
    from app.services import skp as svc

    c = chain(app, w)
    kabid_skp, kabid_rhk = c["kabid_a"]
    call(app, "kabid_a", svc.start_revision, kabid_skp, "Tugas baru")
    row = skp_row(kabid_skp)
    assert (row.status, row.revision, row.approved_revision) == ("DRAFT", 2, 1)
    assert [r.id for r in svc.rhk_in_force(emp_id(w, "kabid_a"), YEAR)] == [kabid_rhk]
    new = plan(app, "kabid_a", kabid_skp, parent_id=c["kadis_a"][1], name="Layanan baru")
    call(app, "kabid_a", svc.set_rhk_active, kabid_rhk, False)
    # The in-force RHK is not deleted in a revision (deactivate), and still in force now:
    with pytest.raises(ValidationFailed) as err:
        call(app, "kabid_a", svc.delete_rhk, kabid_rhk)
    assert "Nonaktifkan" in err.value.errors["rhk"][0]
    assert [r.id for r in svc.rhk_in_force(emp_id(w, "kabid_a"), YEAR)] == [kabid_rhk]
    # ... so the subordinates still plan against it, and not against the new one.
    staff = call(app, "staff_a", svc.create_skp, emp_id(w, "staff_a"), YEAR)
    call(app, "staff_a", svc.add_rhk, staff.id, {"name": "Data", "parent_id": kabid_rhk})
    with pytest.raises(ValidationFailed):
        call(app, "staff_a", svc.add_rhk, staff.id, {"name": "Data", "parent_id": new})
    # A returned revision leaves the plan in force too.
    call(app, "kabid_a", svc.submit, kabid_skp)
    call(app, "kadis_a", svc.return_skp, kabid_skp, "Lengkapi indikator.")
    assert skp_row(kabid_skp).approved_revision == 1
    assert [r.id for r in svc.rhk_in_force(emp_id(w, "kabid_a"), YEAR)] == [kabid_rhk]
    call(app, "kabid_a", svc.submit, kabid_skp)
    call(app, "kadis_a", svc.approve, kabid_skp)
    row = skp_row(kabid_skp)
    assert (row.status, row.revision, row.approved_revision) == ("APPROVED", 2, 2)
    assert [r.id for r in svc.rhk_in_force(emp_id(w, "kabid_a"), YEAR)] == [new]
    assert sorted(h.revision for h in db.session.scalars(select(SkpHistory).where(
        SkpHistory.skp_id == kabid_skp))) == [1, 2]
    assert [r["id"] for r in svc.plan_in_force(row)["rhk"] if r["active"]] == [new]
    assert "REVISE" in audit_actions("Skp", kabid_skp)


# --------------------------------------------------------------------------- frozen periods
def test_frozen_rhk_is_deactivated_not_changed(app, w):
    from app.models import Activity, Period
    from app.services import skp as svc

    c = chain(app, w)
    kabid_skp, kabid_rhk = c["kabid_a"]
    extra = call(app, "kabid_a", svc.start_revision, kabid_skp)
    assert extra.revision == 2
    free = plan(app, "kabid_a", kabid_skp, parent_id=c["kadis_a"][1], name="Belum dipakai")
    db.session.add(Period(year=2027, month=1, state="CLOSED"))
    db.session.add(Activity(employee=w.employee("kabid_a"), date=date(2027, 1, 6), description="Rapat", volume=1,
                            claimed_minutes=60, recognised_minutes=60, status="APPROVED", rhk_id=kabid_rhk,
                            decided_at=datetime(2027, 1, 7, 3)))
    db.session.commit()
    assert svc.frozen_rhk_ids([kabid_rhk, free]) == {kabid_rhk}
    ind = skp_row(kabid_skp).rhks[0].indicators[0]
    assert ind.rhk_id == kabid_rhk
    for fn, args in ((svc.edit_rhk, (kabid_rhk, {"name": "Nama baru"})),
                     (svc.delete_rhk, (kabid_rhk,)),
                     (svc.edit_indicator, (ind.id, {"target_value": 99})),
                     (svc.delete_indicator, (ind.id,))):
        with pytest.raises(ValidationFailed) as err:
            call(app, "kabid_a", fn, *args)
        assert "periode yang sudah ditutup" in err.value.errors["rhk"][0], fn.__name__
    call(app, "kabid_a", svc.edit_rhk, kabid_rhk, {"name": skp_row(kabid_skp).rhks[0].name})  # no change: fine
    call(app, "kabid_a", svc.set_rhk_active, kabid_rhk, False)  # deactivating is the way
    call(app, "kabid_a", svc.edit_rhk, free, {"name": "Dipakai mulai Februari"})
    call(app, "kabid_a", svc.delete_rhk, free)


# --------------------------------------------------------------------------- goals
def test_strategic_goals(app, w):
    from app.services import skp as svc

    goals = city_and_opd_goals(app, w)
    dinkes, disdik = w.unit("Dinas Kesehatan").id, w.unit("Dinas Pendidikan dan Kebudayaan").id
    # The operator writes their own OPD's goals only.
    own = call(app, "op_a", svc.create_goal, {"year": YEAR, "unit_id": dinkes, "parent_id": goals["city"],
                                               "code": "DINKES-2", "name": "Layanan primer"})
    for values in ({"year": YEAR, "unit_id": disdik, "parent_id": goals["city"], "code": "X", "name": "X"},
                   {"year": YEAR, "code": "K9", "name": "Kota"}):
        with pytest.raises(Forbidden):
            call(app, "op_a", svc.create_goal, values)
    with pytest.raises(Forbidden):
        call(app, "op_a", svc.edit_goal, goals["disdik"], {"name": "Diubah"})
    with pytest.raises(Forbidden):  # moving an own goal to another OPD
        call(app, "op_a", svc.edit_goal, own.id, {"unit_id": disdik})
    with pytest.raises(Forbidden):
        call(app, "staff_a", svc.create_goal, {"year": YEAR, "unit_id": dinkes, "parent_id": goals["city"],
                                                "code": "Y", "name": "Y"})
    # Rules: an OPD goal names a city goal of its year; codes unique; only OPD (not sub-units).
    cases = [
        ({"year": YEAR, "unit_id": dinkes, "code": "D3", "name": "Tanpa induk"}, "parent_id"),
        ({"year": YEAR, "unit_id": dinkes, "parent_id": goals["disdik"], "code": "D3", "name": "N"}, "parent_id"),
        ({"year": YEAR, "unit_id": dinkes, "parent_id": goals["city"], "code": "DINKES-1", "name": "N"}, "code"),
        ({"year": YEAR, "unit_id": w.unit("Puskesmas Arjuno").id, "parent_id": goals["city"], "code": "P",
          "name": "N"}, "unit_id"),
        ({"year": YEAR, "parent_id": goals["city"], "code": "K2", "name": "N"}, "parent_id"),
        ({"year": YEAR, "code": "K1", "name": "Kode ganda"}, "code"),
        ({"year": 1999, "code": "K1", "name": "N"}, "year"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationFailed) as err:
            call(app, "bkd", svc.create_goal, values)
        assert field in err.value.errors, (values, err.value.errors)
    call(app, "op_a", svc.edit_goal, own.id, {"name": "Layanan kesehatan primer"})
    # A goal in use is not deleted nor moved.
    with pytest.raises(ValidationFailed):
        call(app, "bkd", svc.delete_goal, goals["city"])
    call(app, "op_a", svc.delete_goal, own.id)
    assert "CREATE" in audit_actions("StrategicGoal", goals["city"])
    assert "DELETE" in audit_actions("StrategicGoal", own.id)


# --------------------------------------------------------------------------- API refusals
def test_api_refusals_and_malformed_input(app, w, api_as):
    c = chain(app, w)
    staff, h = api_as(nip("staff_a"))
    assert staff.post("/api/v1/skp/", data="x", headers=h).status_code == 400
    resp = staff.post("/api/v1/skp/", json={"year": "dua ribu"}, headers=h)
    assert resp.status_code == 422 and "2000" in resp.get_json()["message"]["year"][0]
    resp = staff.post("/api/v1/skp/", json={"year": YEAR, "status": "APPROVED"}, headers=h)
    assert resp.status_code == 422 and resp.get_json()["message"]["status"] == ["Kolom tidak dikenal."]
    # Another employee's SKP: 404, also for its actions.
    other = c["kadis_a"][0]
    assert staff.get(f"/api/v1/skp/{other}", headers=h).status_code == 404
    assert staff.post(f"/api/v1/skp/{other}/submit", headers=h).status_code == 404
    assert staff.post(f"/api/v1/skp/{other}/revise", headers=h).status_code == 404
    assert staff.post("/api/v1/skp/", json={"year": YEAR, "employee": emp_id(w, "staff_b")},
                      headers=h).status_code == 404
    # The superior's RHK are visible (to pick the parent), not changeable.
    kabid_rhk = c["kabid_a"][1]
    assert staff.get(f"/api/v1/rhk/{kabid_rhk}", headers=h).status_code == 200
    assert staff.put(f"/api/v1/rhk/{kabid_rhk}", json={"name": "X"}, headers=h).status_code == 403
    assert staff.delete(f"/api/v1/rhk/{c['kadis_a'][1]}", headers=h).status_code == 404
    resp = staff.post("/api/v1/rhk/", json={"skp": c["kabid_a"][0], "name": "X"}, headers=h)
    assert resp.status_code == 404  # the superior's SKP itself is not in the employee's scope
    # Keuangan has no SKP endpoint at all; the auditor reads and changes nothing.
    keu, hk = api_as("keuangan")
    assert keu.get("/api/v1/skp/", headers=hk).status_code == 403
    aud, ha = api_as("auditor")
    assert aud.get(f"/api/v1/skp/{other}", headers=ha).status_code == 200
    assert aud.post(f"/api/v1/skp/{other}/revise", headers=ha).status_code == 403
    # Goals through the API: the operator for the own OPD.
    op, ho = api_as("operator")
    resp = op.post("/api/v1/strategic-goal/", json={"year": YEAR, "unit_id": w.unit("Dinas Kesehatan").id,
                                                    "parent_id": c["goals"]["city"], "code": "D9", "name": "Baru"},
                   headers=ho)
    assert resp.status_code == 201, resp.get_json()
    resp = op.put(f"/api/v1/strategic-goal/{c['goals']['disdik']}", json={"name": "X"}, headers=ho)
    assert resp.status_code == 403 and "OPD" in resp.get_json()["message"]
