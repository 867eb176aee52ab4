"""SKP realisation (issue 12 item 3): daily work linked to an RHK of the approved SKP (the one
entry validator behind the phone page, the admin form and the API), the sums of a period, the
employee's realisation per indicator and the superior's evaluation page showing it.

SKP data is written directly through the models: staff_a (Dinas Kesehatan, superior kabid_a)
has an approved SKP 2026 with two RHK in force, one RHK not yet approved and one removed by a
revision; kabid_a has an approved SKP too; staff_a's SKP 2025 is approved as well."""
from __future__ import annotations

import io
import re
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity, AuditLog, Period

TODAY = date(2026, 11, 18)  # a Wednesday
PDF = b"%PDF-1.4 bukti realisasi"


@pytest.fixture(autouse=True)
def fixed_today(app, tmp_path):
    app.config["FIXED_TODAY"] = TODAY
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


def _skp(emp, year=2026, approved=True, superior=None):
    from app.models import Skp

    skp = Skp(employee=emp, year=year, status="APPROVED" if approved else "SUBMITTED", revision=1,
              approved_revision=1 if approved else None, position_id=emp.position_id, unit_id=emp.unit_id,
              opd_id=emp.unit.opd_id, superior=superior, submitted_at=datetime(year, 1, 5))
    db.session.add(skp)
    return skp


def _rhk(skp, number, name, approved=True, active=True, indicators=(("KUANTITAS", "Laporan tersusun", 12, "laporan"),)):
    from app.models import Rhk, RhkIndicator

    rhk = Rhk(skp=skp, kind="UTAMA", number=number, name=name, approved_revision=1 if approved else None,
              active=active)
    for i, (aspect, name_i, target, unit) in enumerate(indicators):
        rhk.indicators.append(RhkIndicator(number=i + 1, aspect=aspect, name=name_i, target_value=target,
                                           target_unit=unit))
    db.session.add(rhk)
    return rhk


@pytest.fixture
def plan(world):
    staff, kabid = world.employee("staff_a"), world.employee("kabid_a")
    s = _skp(staff, superior=kabid)
    r1 = _rhk(s, 1, "Tersusunnya laporan data kesehatan bulanan",
              indicators=(("KUANTITAS", "Jumlah laporan data tersusun", 12, "laporan"),
                          ("KUALITAS", "Laporan diterima tanpa revisi", 100, "persen")))
    r2 = _rhk(s, 2, "Terlaksananya pemutakhiran data puskesmas")
    r_new = _rhk(s, 3, "RHK usulan revisi belum disetujui", approved=False)
    r_old = _rhk(s, 4, "RHK lama yang dihapus pada revisi", active=False)
    k = _skp(kabid, superior=world.employee("kadis_a"))
    rk = _rhk(k, 1, "Meningkatnya layanan bidang")
    old = _skp(staff, year=2025, superior=kabid)
    r2025 = _rhk(old, 1, "RHK tahun lalu")
    db.session.commit()
    return {"skp": s.id, "r1": r1.id, "r2": r2.id, "r_new": r_new.id, "r_old": r_old.id, "rk": rk.id,
            "r2025": r2025.id, "ind1": r1.indicators[0].id, "ind2": r1.indicators[1].id,
            "ind_r2": r2.indicators[0].id, "kabid_skp": k.id}


def _set_required(year=2026, value=True):
    from app.models import Parameter

    row = db.session.scalar(select(Parameter).where(Parameter.year == year, Parameter.key == "activity_requires_rhk"))
    if row is None:
        row = Parameter(year=year, key="activity_requires_rhk")
        db.session.add(row)
    row.value = "true" if value else "false"
    db.session.commit()


def _count(**where):
    q = select(func.count()).select_from(Activity)
    for k, v in where.items():
        q = q.where(getattr(Activity, k) == v)
    return db.session.scalar(q)


def _refusals() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))


# --------------------------------------------------------------------------- the API
API_BODY = {"date": "2026-11-17", "description": "Menyusun laporan data", "volume": 1, "start_time": "08:00",
            "end_time": "09:00"}


def test_api_links_an_rhk_in_force_and_refuses_any_other(plan, api_as):
    client, headers = api_as("pegawai")
    resp = client.post("/api/v1/activity/", json={**API_BODY, "rhk": plan["r1"]}, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()
    assert db.session.get(Activity, created["id"]).rhk_id == plan["r1"]
    assert created["result"]["rhk"]["name"] == "Tersusunnya laporan data kesehatan bulanan"
    before = _count()
    cases = {
        "rk": "bukan bagian dari SKP pegawai ini",
        "r_new": "belum disetujui atasan",
        "r_old": "sudah tidak berlaku",
        "r2025": "SKP tahun 2025",
    }
    for key, words in cases.items():
        resp = client.post("/api/v1/activity/", json={**API_BODY, "start_time": "10:00", "end_time": "11:00",
                                                      "rhk": plan[key]}, headers=headers)
        assert resp.status_code == 422, key
        assert any(words in m for m in resp.get_json()["message"]["rhk"]), (key, resp.get_json())
    resp = client.post("/api/v1/activity/", json={**API_BODY, "rhk": 999999}, headers=headers)
    assert resp.status_code == 422 and "tidak ditemukan" in resp.get_json()["message"]["rhk"][0]
    assert _count() == before
    # Edit: change the link, then unlink (non-SKP work).
    pk = created["id"]
    resp = client.put(f"/api/v1/activity/{pk}", json={"rhk": plan["r2"]}, headers=headers)
    assert resp.status_code == 200 and db.session.get(Activity, pk).rhk_id == plan["r2"]
    resp = client.put(f"/api/v1/activity/{pk}", json={"rhk": plan["rk"]}, headers=headers)
    assert resp.status_code == 422
    db.session.expire_all()
    assert db.session.get(Activity, pk).rhk_id == plan["r2"]
    resp = client.put(f"/api/v1/activity/{pk}", json={"rhk": None}, headers=headers)
    assert resp.status_code == 200 and db.session.get(Activity, pk).rhk_id is None


def test_api_required_by_the_yearly_parameter(plan, api_as, world):
    client, headers = api_as("pegawai")
    _set_required()
    resp = client.post("/api/v1/activity/", json=API_BODY, headers=headers)
    assert resp.status_code == 422
    assert "wajib dikaitkan dengan RHK" in resp.get_json()["message"]["rhk"][0]
    assert _count() == 0
    assert client.post("/api/v1/activity/", json={**API_BODY, "rhk": plan["r1"]}, headers=headers).status_code == 201
    # Another year without the parameter: non-SKP work is fine.
    # An employee without an approved SKP is told why.
    c2, h2 = api_as(world.employee("staff_b").nip)
    resp = c2.post("/api/v1/activity/", json=API_BODY, headers=h2)
    assert resp.status_code == 422 and "belum disetujui atasan" in resp.get_json()["message"]["rhk"][0]


def test_api_info_offers_only_own_rhk_in_force(plan, api_as):
    client, headers = api_as("pegawai")
    body = client.get("/api/v1/activity/_info?q=(keys:!(add_columns))", headers=headers).get_json()
    rhk = next(c for c in body["add_columns"] if c["name"] == "rhk")
    assert sorted(v["id"] for v in rhk["values"]) == sorted([plan["r1"], plan["r2"], plan["r2025"]])


# --------------------------------------------------------------------------- the phone page
def _entry(**over):
    data = {"date": "2026-11-17", "catalog_id": "", "description": "Menyusun bahan rapat", "volume": "1",
            "start_time": "08:00", "end_time": "09:30", "evidence_link": "", "rhk_id": ""}
    data.update(over)
    return data


def test_phone_page_offers_the_approved_rhk_and_links_one(plan, login_as):
    client = login_as("pegawai")
    html = client.get("/aktivitas-saya/?tanggal=2026-11-17").get_data(as_text=True)
    block = re.search(r'<select id="f-rhk".*?</select>', html, re.S).group(0)
    assert "— bukan SKP —" in block
    assert "Tersusunnya laporan data kesehatan bulanan" in block and "Terlaksananya pemutakhiran" in block
    for name in ("belum disetujui", "dihapus pada revisi", "Meningkatnya layanan bidang", "RHK tahun lalu"):
        assert name not in block
    resp = client.post("/aktivitas-saya/catat", data=_entry(rhk_id=str(plan["r1"])))
    assert resp.status_code == 302
    item = db.session.scalar(select(Activity))
    assert item.rhk_id == plan["r1"]
    html = client.get("/aktivitas-saya/?tanggal=2026-11-17").get_data(as_text=True)
    assert "RHK: Tersusunnya laporan data kesehatan bulanan" in html
    # Editing shows the link chosen; unlinking makes it non-SKP work.
    html = client.get(f"/aktivitas-saya/ubah/{item.id}").get_data(as_text=True)
    assert re.search(rf'<option value="{plan["r1"]}" selected>', html)
    assert client.post(f"/aktivitas-saya/ubah/{item.id}", data=_entry(rhk_id="")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Activity, item.id).rhk_id is None


@pytest.mark.parametrize("key,words", [
    ("rk", "bukan bagian dari SKP pegawai ini"), ("r_new", "belum disetujui atasan"),
    ("r_old", "sudah tidak berlaku"), ("r2025", "SKP tahun 2025"), (None, "tidak ditemukan"),
])
def test_phone_page_refuses_an_rhk_not_in_force(plan, login_as, key, words):
    client = login_as("pegawai")
    resp = client.post("/aktivitas-saya/catat", data=_entry(rhk_id=str(plan[key]) if key else "99999"))
    assert resp.status_code == 422
    assert words in resp.get_data(as_text=True)
    assert _count() == 0


def test_phone_page_required_by_parameter_and_hidden_without_approved_skp(plan, login_as, world):
    _set_required()
    client = login_as("pegawai")
    resp = client.post("/aktivitas-saya/catat", data=_entry())
    assert resp.status_code == 422 and "wajib dikaitkan dengan RHK" in resp.get_data(as_text=True)
    assert _count() == 0
    # staff_b has no SKP: no RHK field at all, and the parameter's reason is told.
    other = login_as(world.employee("staff_b").nip)
    html = other.get("/aktivitas-saya/?tanggal=2026-11-17").get_data(as_text=True)
    assert 'id="f-rhk"' not in html
    resp = other.post("/aktivitas-saya/catat", data=_entry())
    assert resp.status_code == 422 and "belum disetujui atasan" in resp.get_data(as_text=True)
    _set_required(value=False)
    assert other.post("/aktivitas-saya/catat", data=_entry()).status_code == 302


# --------------------------------------------------------------------------- the admin form
def _admin_form(world, who="staff_a", **over):
    data = {"employee": str(world.employee(who).id), "date": "2026-11-17", "catalog": "",
            "description": "Menyusun bahan rapat koordinasi", "volume": "1", "start_time": "08:00",
            "end_time": "09:30", "evidence_link": "", "rhk": ""}
    data.update(over)
    return data


def test_admin_form_links_and_refuses(plan, world, login_as):
    client = login_as("operator")
    resp = client.post("/activityview/add", data=_admin_form(world, rhk=str(plan["r1"])))
    assert resp.status_code == 302
    assert db.session.scalar(select(Activity)).rhk_id == plan["r1"]
    # kabid_a's RHK for staff_a (both in the operator's OPD): not staff_a's plan.
    resp = client.post("/activityview/add", data=_admin_form(world, rhk=str(plan["rk"]), start_time="10:00",
                                                             end_time="11:00"))
    assert resp.status_code == 200 and "bukan bagian dari SKP pegawai ini" in resp.get_data(as_text=True)
    # A not yet approved RHK is not even offered by the lookup.
    resp = client.post("/activityview/add", data=_admin_form(world, rhk=str(plan["r_new"]), start_time="10:00",
                                                             end_time="11:00"))
    assert resp.status_code == 200 and "di luar cakupan" in resp.get_data(as_text=True)
    assert _count() == 1
    # The on-demand lookup offers the RHK in force of the employees the operator enters for.
    body = client.get("/activityview/lookup/rhk/add?q=").get_json()
    ids = {int(r["id"]) for r in body["results"]}
    assert plan["r1"] in ids and plan["rk"] in ids and plan["r_new"] not in ids and plan["r_old"] not in ids
    _set_required()
    resp = client.post("/activityview/add", data=_admin_form(world, start_time="10:00", end_time="11:00"))
    assert resp.status_code == 200 and "wajib dikaitkan dengan RHK" in resp.get_data(as_text=True)
    assert _count() == 1


# --------------------------------------------------------------------------- realisation sums and entry
def _act(emp, status, day, rhk_id=None, minutes=60, volume=1, start=8):
    item = Activity(employee=emp, date=day, description=f"Kegiatan {status} {day} {rhk_id}", volume=volume,
                    start_time=time(start), end_time=time(start + 1), claimed_minutes=minutes, status=status,
                    recognised_minutes=minutes if status == "APPROVED" else None, rhk_id=rhk_id,
                    submitted_at=datetime(2026, 11, 17, 2) if status != "DRAFT" else None)
    db.session.add(item)
    return item


@pytest.fixture
def work(plan, world):
    staff = world.employee("staff_a")
    oct_ = Period(year=2026, month=10, state="CLOSED")
    db.session.add(oct_)
    _act(staff, "APPROVED", date(2026, 11, 2), plan["r1"], 60, 1)
    _act(staff, "APPROVED", date(2026, 11, 3), plan["r1"], 90, Decimal("2.5"))
    _act(staff, "APPROVED", date(2026, 11, 4), plan["r2"], 45)
    _act(staff, "SUBMITTED", date(2026, 11, 5), plan["r1"], 120)          # not approved
    _act(staff, "APPROVED", date(2026, 10, 30), plan["r1"], 240)          # other month
    _act(staff, "APPROVED", date(2026, 11, 6), None, 30, 3)               # non-SKP
    _act(world.employee("kabid_a"), "APPROVED", date(2026, 11, 6), plan["rk"], 300)  # someone else
    db.session.commit()
    nov = db.session.scalar(select(Period).where(Period.year == 2026, Period.month == 11))
    return {**plan, "nov": nov.id, "oct": oct_.id}


def test_realisation_sums_of_the_period(work, world):
    from app.models import Skp
    from app.services.realisation import realisation_for

    skp, nov = db.session.get(Skp, work["skp"]), db.session.get(Period, work["nov"])
    result = realisation_for(skp, nov)
    by_rhk = {line.rhk.id: line.work for line in result.lines}
    assert sorted(by_rhk) == sorted([work["r1"], work["r2"]])  # only the plan in force
    assert (by_rhk[work["r1"]].count, by_rhk[work["r1"]].minutes, by_rhk[work["r1"]].volume) == (2, 150, Decimal("3.5"))
    assert (by_rhk[work["r2"]].count, by_rhk[work["r2"]].minutes) == (1, 45)
    assert (result.non_skp.count, result.non_skp.minutes, result.non_skp.volume) == (1, 30, Decimal("3"))
    assert (result.skp_total.count, result.skp_total.minutes) == (3, 195)
    october = realisation_for(skp, db.session.get(Period, work["oct"]))
    assert {line.rhk.id: line.work.minutes for line in october.lines}[work["r1"]] == 240


def test_employee_enters_realisation_with_evidence(work, login_as):
    from app.models import RhkRealisation

    client = login_as("pegawai")
    html = client.get(f"/realisasi-skp/?periode={work['nov']}").get_data(as_text=True)
    assert "Realisasi SKP" in html and "Tersusunnya laporan data kesehatan bulanan" in html
    assert "2 aktivitas disetujui" in re.search(rf'id="work-{work["r1"]}".*?</p>', html, re.S).group(0)
    assert "1 aktivitas disetujui" in re.search(r'id="non-skp-work".*?</p>', html, re.S).group(0)
    assert "RHK usulan revisi" not in html and "RHK lama" not in html
    data = {"periode": str(work["nov"]), "value": "9,5", "note": "Sembilan laporan selesai, satu sedang disusun.",
            "evidence_link": "https://drive.example.go.id/laporan", "csrf_token": "",
            "evidence": (io.BytesIO(PDF), "laporan.pdf")}
    resp = client.post(f"/realisasi-skp/simpan/{work['ind1']}", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302
    row = db.session.scalar(select(RhkRealisation).where(RhkRealisation.indicator_id == work["ind1"]))
    assert row.value == Decimal("9.50") and row.note.startswith("Sembilan") and row.evidence_name == "laporan.pdf"
    assert row.period_id == work["nov"]
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.entity == "RhkRealisation")) == 1
    html = client.get(f"/realisasi-skp/?periode={work['nov']}").get_data(as_text=True)
    item = re.search(rf'<li id="ind-{work["ind1"]}".*?</li>', html, re.S).group(0)
    assert "9,5 laporan" in item and "79,17%" in item and "laporan.pdf" in item  # 9.5 / 12
    download = client.get(f"/realisasi-skp/bukti/{row.id}")
    assert download.status_code == 200 and download.data == PDF
    # Update in place (one row per indicator and period).
    resp = client.post(f"/realisasi-skp/simpan/{work['ind1']}", data={"periode": str(work["nov"]), "value": "12"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(RhkRealisation)) == 1
    assert db.session.scalar(select(RhkRealisation.value)) == Decimal("12.00")


@pytest.mark.parametrize("over,words", [
    ({"value": "-1"}, "angka 0 atau lebih"),
    ({"value": "abc"}, "angka 0 atau lebih"),
    ({"evidence_link": "javascript:alert(1)"}, "http:// atau https://"),
    ({"note": "x" * 2001}, "2000 karakter"),
    ({"evidence": (io.BytesIO(b"MZ not a pdf"), "bukti.pdf")}, "tidak sesuai dengan jenisnya"),
])
def test_bad_realisation_changes_nothing(work, login_as, tmp_path, over, words):
    from app.models import RhkRealisation

    client = login_as("pegawai")
    data = {"periode": str(work["nov"]), "value": "3", "note": "catatan", **over}
    resp = client.post(f"/realisasi-skp/simpan/{work['ind1']}", data=data, content_type="multipart/form-data")
    assert resp.status_code == 422 and words in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RhkRealisation)) == 0
    uploads = tmp_path / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_closed_period_is_frozen(work, login_as):
    from app.models import RhkRealisation

    client = login_as("pegawai")
    html = client.get(f"/realisasi-skp/?periode={work['oct']}").get_data(as_text=True)
    assert "sudah ditutup; realisasi dibekukan" in html and f'id="form-ind-{work["ind1"]}"' not in html
    resp = client.post(f"/realisasi-skp/simpan/{work['ind1']}", data={"periode": str(work["oct"]), "value": "3"})
    assert resp.status_code == 422 and "realisasi dibekukan" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RhkRealisation)) == 0


def test_realisation_is_the_employees_own(work, login_as, world):
    from app.models import RhkRealisation

    before = _refusals()
    # The superior may read, not write, a subordinate's realisation.
    boss = login_as("atasan")
    resp = boss.post(f"/realisasi-skp/simpan/{work['ind1']}", data={"periode": str(work["nov"]), "value": "3"})
    assert resp.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(RhkRealisation)) == 0
    assert _refusals() == before + 1
    html = boss.get(f"/realisasi-skp/skp/{work['skp']}?periode={work['nov']}").get_data(as_text=True)
    assert "Hanya baca" in html and "Tersusunnya laporan data kesehatan bulanan" in html
    assert f'id="form-ind-{work["ind1"]}"' not in html
    # Read in scope: operator of the OPD, BKD, auditor; another OPD's operator is refused.
    for role in ("operator", "bkd", "auditor"):
        assert login_as(role).get(f"/realisasi-skp/skp/{work['skp']}?periode={work['nov']}").status_code == 200
    other = login_as(world.employee("op_b").nip)
    assert other.get(f"/realisasi-skp/skp/{work['skp']}?periode={work['nov']}").status_code == 404
    assert other.get(f"/realisasi-skp/aktivitas/{work['skp']}/{work['nov']}?rhk={work['r1']}").status_code == 404
    # A colleague (staff_a1, same OPD, other superior) sees neither the page nor the list.
    colleague = login_as(world.employee("staff_a1").nip)
    assert colleague.get(f"/realisasi-skp/skp/{work['skp']}").status_code == 404
    assert _refusals() >= before + 4


def test_linked_activity_list(work, login_as):
    boss = login_as("atasan")
    html = boss.get(f"/realisasi-skp/aktivitas/{work['skp']}/{work['nov']}?rhk={work['r1']}").get_data(as_text=True)
    assert html.count('class="ek-card ek-act"') == 2 and "SUBMITTED" not in html
    html = boss.get(f"/realisasi-skp/aktivitas/{work['skp']}/{work['nov']}?rhk=bukan-skp").get_data(as_text=True)
    assert html.count('class="ek-card ek-act"') == 1 and "di luar SKP" in html
    # kabid's RHK is not in staff_a's plan.
    assert boss.get(f"/realisasi-skp/aktivitas/{work['skp']}/{work['nov']}?rhk={work['rk']}").status_code == 404


# --------------------------------------------------------------------------- the periodic evaluation
def test_evaluation_shows_the_realisation_next_to_the_rating_form(work, login_as, world):
    from app.models import RhkRealisation

    db.session.add(RhkRealisation(indicator_id=work["ind1"], period_id=work["nov"], value=Decimal("9"),
                                  note="Sembilan laporan data puskesmas", evidence_link="https://drive.example.go.id/x"))
    db.session.commit()
    staff = world.employee("staff_a")
    boss = login_as("atasan")
    html = boss.get(f"/evaluationview/evaluate/{staff.id}/{work['nov']}").get_data(as_text=True)
    section = re.search(r'<section class="ek-skp" id="skp-realisation".*?</section>', html, re.S).group(0)
    assert "Tersusunnya laporan data kesehatan bulanan" in section and "Terlaksananya pemutakhiran" in section
    r1 = re.search(rf'id="rhk-{work["r1"]}".*?</article>', section, re.S).group(0)
    assert "2 aktivitas disetujui" in r1 and "150 menit" in r1
    assert f'/realisasi-skp/aktivitas/{work["skp"]}/{work["nov"]}?rhk={work["r1"]}' in r1
    assert "Target:</span> 12 laporan" in r1 and "9 laporan" in r1 and "75,00%" in r1
    assert "Sembilan laporan data puskesmas" in r1 and "https://drive.example.go.id/x" in r1
    non_skp = re.search(r'id="non-skp".*?</article>', section, re.S).group(0)
    assert "1 aktivitas disetujui" in non_skp and "30 menit" in non_skp
    assert 'name="rating_hasil_kerja"' in html  # the rating form on the same page
    assert 'id="form-ind-' not in section  # read only for the superior
    # The superior opens the linked activities from there.
    page = boss.get(f"/realisasi-skp/aktivitas/{work['skp']}/{work['nov']}?rhk={work['r1']}")
    assert page.status_code == 200


def test_evaluation_without_approved_skp_says_so(world, login_as):
    op = world.employee("op_a")  # kabid_a's subordinate without an SKP
    nov = db.session.scalar(select(Period).where(Period.year == 2026, Period.month == 11))
    html = login_as("atasan").get(f"/evaluationview/evaluate/{op.id}/{nov.id}").get_data(as_text=True)
    assert 'id="no-skp-realisation"' in html and "belum disetujui" in html
