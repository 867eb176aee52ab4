"""The RHK a daily activity may name is the RHK of the plan IN FORCE (app.security.rhk_entry_clause),
for the lookups (admin page's on-demand lookup, the API's `_info`, the phone page's choices) and
for the one entry validator alike.

staff_a's SKP 2026 was approved at revision 1 and again at revision 2, and revision 3 is being
drafted. "RHK lama" was approved in revision 1, dropped from revision 2 (deactivated, so the
revision-2 approval left it at approved_revision 1) and reactivated in the draft of revision 3:
it is not part of the plan in force. "RHK berlaku" is (approved at revision 2)."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity

TODAY = date(2026, 11, 18)
BODY = {"date": "2026-11-17", "description": "Menyusun laporan data", "volume": 1, "start_time": "08:00",
        "end_time": "09:00"}


@pytest.fixture(autouse=True)
def fixed_today(app):
    app.config["FIXED_TODAY"] = TODAY


@pytest.fixture
def plan(world):
    from app.models import Rhk, RhkIndicator, Skp, SkpHistory

    staff, kabid = world.employee("staff_a"), world.employee("kabid_a")
    skp = Skp(employee=staff, year=2026, status="DRAFT", revision=3, approved_revision=2,
              position_id=staff.position_id, unit_id=staff.unit_id, opd_id=staff.unit.opd_id, superior=kabid,
              submitted_at=datetime(2026, 1, 5))
    db.session.add(skp)
    rhks = {}
    for number, (key, name, approved) in enumerate(
            [("kept", "RHK berlaku revisi dua", 2), ("dropped", "RHK lama dihapus pada revisi dua", 1)], start=1):
        rhk = Rhk(skp=skp, kind="UTAMA", number=number, name=name, approved_revision=approved, active=True)
        rhk.indicators.append(RhkIndicator(number=1, aspect="KUANTITAS", name="Laporan tersusun", target_value=12,
                                           target_unit="laporan"))
        db.session.add(rhk)
        rhks[key] = rhk
    db.session.flush()
    for revision in (1, 2):
        db.session.add(SkpHistory(skp_id=skp.id, revision=revision, approved_at=datetime(2026, revision, 10),
                                  snapshot="{}"))
    db.session.commit()
    return {key: rhk.id for key, rhk in rhks.items()}


def _activities() -> int:
    return db.session.scalar(select(func.count()).select_from(Activity))


def test_api_info_offers_only_the_rhk_in_force(plan, api_as):
    client, headers = api_as("pegawai")
    for keys in ("add_columns", "edit_columns"):
        body = client.get(f"/api/v1/activity/_info?q=(keys:!({keys}))", headers=headers).get_json()
        ids = {v["id"] for v in next(c for c in body[keys] if c["name"] == "rhk")["values"]}
        assert plan["kept"] in ids and plan["dropped"] not in ids, keys


def test_api_validation_accepts_only_the_rhk_in_force(plan, api_as):
    client, headers = api_as("pegawai")
    resp = client.post("/api/v1/activity/", json={**BODY, "rhk": plan["dropped"]}, headers=headers)
    assert resp.status_code == 422, resp.get_json()
    assert any("sudah tidak berlaku" in m for m in resp.get_json()["message"]["rhk"])
    assert _activities() == 0
    resp = client.post("/api/v1/activity/", json={**BODY, "rhk": plan["kept"]}, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    assert db.session.get(Activity, resp.get_json()["id"]).rhk_id == plan["kept"]
    # Editing onto the dropped RHK is refused as well; the link stays.
    pk = resp.get_json()["id"]
    assert client.put(f"/api/v1/activity/{pk}", json={"rhk": plan["dropped"]}, headers=headers).status_code == 422
    db.session.expire_all()
    assert db.session.get(Activity, pk).rhk_id == plan["kept"]


def test_page_lookup_offers_only_the_rhk_in_force(plan, login_as):
    client = login_as("operator")
    for action in ("add", "edit"):
        resp = client.get(f"/activityview/lookup/rhk/{action}?q=")
        assert resp.status_code == 200, action
        ids = {int(r["id"]) for r in resp.get_json()["results"]}
        assert plan["kept"] in ids and plan["dropped"] not in ids, action


def test_phone_page_offers_and_accepts_only_the_rhk_in_force(plan, login_as):
    client = login_as("pegawai")
    html = client.get("/aktivitas-saya/?tanggal=2026-11-17").get_data(as_text=True)
    block = re.search(r'<select id="f-rhk".*?</select>', html, re.S).group(0)
    assert "RHK berlaku revisi dua" in block and "RHK lama dihapus" not in block
    data = {"date": "2026-11-17", "catalog_id": "", "description": "Menyusun bahan rapat", "volume": "1",
            "start_time": "08:00", "end_time": "09:30", "evidence_link": ""}
    resp = client.post("/aktivitas-saya/catat", data={**data, "rhk_id": str(plan["dropped"])})
    assert resp.status_code == 422 and "sudah tidak berlaku" in resp.get_data(as_text=True)
    assert _activities() == 0
    assert client.post("/aktivitas-saya/catat", data={**data, "rhk_id": str(plan["kept"])}).status_code == 302
    assert db.session.scalar(select(Activity.rhk_id)) == plan["kept"]
