"""Tindak lanjut (issue 12 item 5): rules, candidates and decisions, talent box, vacancy candidates
and potential assessments through the real pages and API, per role, with the audit trail."""
from __future__ import annotations

import io
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AuditLog, BknPredikat, Evaluation, FollowupDecision, FollowupRule, Period, PotentialAssessment,
)

YEAR = 2026


def _period(year, month):
    p = db.session.scalar(select(Period).where(Period.year == year, Period.month == month))
    if p is None:
        p = Period(year=year, month=month, state="OPEN")
        db.session.add(p)
        db.session.flush()
    return p


def evaluate(employee, year, month, predikat):
    db.session.add(Evaluation(employee_id=employee.id, period_id=_period(year, month).id, rating_hasil_kerja="SESUAI",
                              rating_perilaku="SESUAI", predikat=predikat))


def bkn(employee, year, month, predikat):
    db.session.add(BknPredikat(employee_id=employee.id, year=year, month=month, predikat=predikat,
                               filename="bkn.xlsx"))


def rule(code="SB2", predikat=("SANGAT_BAIK",), min_periods=2, kind="REWARD", year=YEAR):
    r = FollowupRule(year=year, code=code, name=f"Aturan {code}", kind=kind, predikat=json.dumps(list(predikat)),
                     min_periods=min_periods, action="Penghargaan Wali Kota", active=True)
    db.session.add(r)
    db.session.flush()
    return r


@pytest.fixture
def histories(world):
    """Hand-made histories: staff_a SANGAT_BAIK Oct+Nov (evaluations); staff_b Oct from BKN and Nov
    evaluated (a BKN predikat fills the missing evaluation); op_a Sep and Nov (a gap in October);
    staff_a1 KURANG Dec 2025 + SANGAT_KURANG Jan 2026 (across the year boundary)."""
    a, b, op, a1 = (world.employee(k) for k in ("staff_a", "staff_b", "op_a", "staff_a1"))
    evaluate(a, YEAR, 10, "SANGAT_BAIK")
    evaluate(a, YEAR, 11, "SANGAT_BAIK")
    bkn(b, YEAR, 10, "SANGAT_BAIK")
    evaluate(b, YEAR, 11, "SANGAT_BAIK")
    evaluate(op, YEAR, 9, "SANGAT_BAIK")
    evaluate(op, YEAR, 11, "SANGAT_BAIK")
    evaluate(a1, YEAR - 1, 12, "KURANG")
    evaluate(a1, YEAR, 1, "SANGAT_KURANG")
    reward = rule()
    sanction = rule("KRG2", ("KURANG", "SANGAT_KURANG"), 2, "SANCTION")
    db.session.commit()
    return {"reward": reward.id, "sanction": sanction.id, "a": a.id, "b": b.id, "op": op.id, "a1": a1.id}


def audit_count(action=None, entity=None):
    stmt = select(func.count()).select_from(AuditLog)
    if action:
        stmt = stmt.where(AuditLog.action.like(action))
    if entity:
        stmt = stmt.where(AuditLog.entity == entity)
    return db.session.scalar(stmt)


def decisions():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(FollowupDecision))


# --------------------------------------------------------------------------- rules
def test_rule_pages_create_validate_edit_delete_audited(world, login_as):
    c = login_as("bkd")
    assert c.get("/tindak-lanjut/").status_code == 200
    resp = c.post("/tindak-lanjut/aturan/baru", data={"year": "2026", "code": "sb3", "name": "Tiga kali sangat baik",
                                                      "kind": "REWARD", "min_periods": "3", "action": "Piagam"})
    assert resp.status_code == 422
    assert "Pilih sedikitnya satu predikat." in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(FollowupRule)) == 0
    resp = c.post("/tindak-lanjut/aturan/baru", data={
        "year": "2026", "code": "sb3", "name": "Tiga kali sangat baik", "kind": "REWARD", "predikat": ["SANGAT_BAIK"],
        "min_periods": "3", "action": "Piagam", "active": "y"})
    assert resp.status_code == 302
    r = db.session.scalar(select(FollowupRule))
    assert (r.code, json.loads(r.predikat), r.min_periods) == ("SB3", ["SANGAT_BAIK"], 3)
    page = c.get("/tindak-lanjut/?tahun=2026").get_data(as_text=True)
    assert "Tiga kali sangat baik" in page and "Sangat Baik" in page
    # the same code in the same year is refused clearly
    resp = c.post("/tindak-lanjut/aturan/baru", data={
        "year": "2026", "code": "SB3", "name": "Lagi", "kind": "REWARD", "predikat": ["BAIK"], "min_periods": "2",
        "action": "x"})
    assert resp.status_code == 422 and "Kode SB3 sudah dipakai" in resp.get_data(as_text=True)
    resp = c.post(f"/tindak-lanjut/aturan/{r.id}/ubah", data={
        "year": "2026", "code": "SB3", "name": "Tiga kali sangat baik", "kind": "REWARD",
        "predikat": ["SANGAT_BAIK", "BAIK"], "min_periods": "4", "action": "Piagam", "active": "y"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert (json.loads(r.predikat), r.min_periods) == (["SANGAT_BAIK", "BAIK"], 4)
    assert audit_count("CREATE", "FollowupRule") == 1 and audit_count("UPDATE", "FollowupRule") == 1
    assert c.post(f"/tindak-lanjut/aturan/{r.id}/hapus").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(FollowupRule)) == 0
    assert audit_count("DELETE", "FollowupRule") == 1


# --------------------------------------------------------------------------- candidates and decisions
def test_candidates_follow_the_rules_on_hand_made_histories(histories, login_as):
    c = login_as("bkd")
    page = c.get(f"/tindak-lanjut/aturan/{histories['reward']}/kandidat").get_data(as_text=True)
    assert "Staff A</h4>" in page and "Staff B</h4>" in page  # B's October comes from BKN
    assert "Op A</h4>" not in page  # September and November: a gap in October
    assert "Oktober 2026 – November 2026" in page
    page = c.get(f"/tindak-lanjut/aturan/{histories['sanction']}/kandidat").get_data(as_text=True)
    assert "Staff A1</h4>" in page and "Desember 2025 – Januari 2026" in page  # across the year boundary


def test_decision_needs_a_note_is_recorded_once_and_audited(histories, world, login_as):
    c = login_as("bkd")
    url = f"/tindak-lanjut/aturan/{histories['reward']}/putuskan"
    resp = c.post(url, data={"employee_id": histories["a"], "period": "2026-11", "decision": "ACCEPTED", "note": " "},
                  follow_redirects=True)
    assert "Catatan keputusan wajib diisi." in resp.get_data(as_text=True) and decisions() == 0
    resp = c.post(url, data={"employee_id": histories["op"], "period": "2026-11", "decision": "ACCEPTED",
                             "note": "Layak"}, follow_redirects=True)
    assert "bukan kandidat" in resp.get_data(as_text=True) and decisions() == 0
    before = audit_count("KEPUTUSAN_TINDAK_LANJUT")
    resp = c.post(url, data={"employee_id": histories["a"], "period": "2026-11", "decision": "ACCEPTED",
                             "note": "Diusulkan menerima piagam"})
    assert resp.status_code == 302 and decisions() == 1
    d = db.session.scalar(select(FollowupDecision))
    assert (d.decision, d.note, d.period.month) == ("ACCEPTED", "Diusulkan menerima piagam", 11)
    assert audit_count("KEPUTUSAN_TINDAK_LANJUT") == before + 1
    page = c.get(f"/tindak-lanjut/aturan/{histories['reward']}/kandidat").get_data(as_text=True)
    assert "Diterima" in page and "Diusulkan menerima piagam" in page
    resp = c.post(url, data={"employee_id": histories["a"], "period": "2026-11", "decision": "DECLINED",
                             "note": "Kedua"}, follow_redirects=True)
    assert "sudah diputuskan" in resp.get_data(as_text=True) and decisions() == 1
    assert "Diusulkan menerima piagam" in c.get("/tindak-lanjut/keputusan?tahun=2026").get_data(as_text=True)


def test_decisions_are_bkd_only_and_operator_reads_own_opd(histories, login_as):
    url = f"/tindak-lanjut/aturan/{histories['reward']}/putuskan"
    data = {"employee_id": histories["a"], "period": "2026-11", "decision": "ACCEPTED", "note": "x"}
    for role in ("admin", "operator", "auditor", "pegawai"):
        refusals = audit_count("DITOLAK%")
        assert login_as(role).post(url, data=data).status_code == 403, role
        assert audit_count("DITOLAK%") == refusals + 1
    assert decisions() == 0
    op = login_as("operator")
    page = op.get(f"/tindak-lanjut/aturan/{histories['reward']}/kandidat").get_data(as_text=True)
    assert "Staff A</h4>" in page and "Staff B</h4>" not in page  # Staff B works in another OPD
    assert "Simpan Keputusan" not in page
    assert op.post("/tindak-lanjut/aturan/baru", data={"year": "2026"}).status_code == 403
    auditor = login_as("auditor").get(f"/tindak-lanjut/aturan/{histories['reward']}/kandidat").get_data(as_text=True)
    assert "Staff A</h4>" in auditor and "Staff B</h4>" in auditor and "Simpan Keputusan" not in auditor


@pytest.mark.parametrize("role", ["pegawai", "atasan", "keuangan"])
def test_other_roles_see_no_follow_up(role, histories, login_as, api_as):
    c = login_as(role)
    for url in ("/tindak-lanjut/", f"/tindak-lanjut/aturan/{histories['reward']}/kandidat", "/tindak-lanjut/keputusan",
                "/kotak-talenta/", "/jabatan-lowong/", "/nilai-potensi/"):
        assert c.get(url).status_code == 403, url
    client, headers = api_as(role)
    for url in ("/api/v1/followup/rules", "/api/v1/followup/decisions", "/api/v1/followup/talent-box",
                f"/api/v1/followup/rules/{histories['reward']}/candidates"):
        assert client.get(url, headers=headers).status_code == 403, url


# --------------------------------------------------------------------------- API
def test_api_rules_candidates_decisions_and_scope(histories, api_as):
    bkd, h = api_as("bkd")
    resp = bkd.post("/api/v1/followup/rules", json={"year": 2026, "code": "B3", "name": "Baik tiga kali",
                                                    "kind": "DEVELOPMENT", "predikat": ["BAIK"], "min_periods": 30,
                                                    "action": "Diklat"}, headers=h)
    assert resp.status_code == 422 and "min_periods" in resp.get_json()["message"]
    resp = bkd.post("/api/v1/followup/rules", json={"year": 2026, "code": "B3", "name": "Baik tiga kali",
                                                    "kind": "DEVELOPMENT", "predikat": ["BAIK"], "min_periods": 3,
                                                    "action": "Diklat"}, headers=h)
    assert resp.status_code == 201
    assert [r["code"] for r in bkd.get("/api/v1/followup/rules?year=2026", headers=h).get_json()["result"]] == [
        "B3", "SB2", "KRG2"]
    got = bkd.get(f"/api/v1/followup/rules/{histories['reward']}/candidates", headers=h).get_json()["result"]
    assert sorted((r["nip"][-4:], r["first_period"], r["period"], r["length"]) for r in got) == [
        ("2004", "2026-10", "2026-11", 2), ("2008", "2026-10", "2026-11", 2)]
    url = f"/api/v1/followup/rules/{histories['reward']}/decisions"
    body = {"employee_id": histories["b"], "period": "2026-11", "decision": "DECLINED", "note": "Belum memenuhi"}
    assert bkd.post(url, json={**body, "decision": "MUNGKIN"}, headers=h).status_code == 422
    assert bkd.post(url, json=body, headers=h).status_code == 201
    resp = bkd.post(url, json=body, headers=h)
    assert resp.status_code == 409 and "sudah diputuskan" in resp.get_json()["message"]
    admin, ha = api_as("admin")
    assert admin.post(url, json={**body, "employee_id": histories["a"]}, headers=ha).status_code == 403
    op, ho = api_as("operator")
    assert op.post(url, json={**body, "employee_id": histories["a"]}, headers=ho).status_code == 403
    got = op.get(f"/api/v1/followup/rules/{histories['reward']}/candidates", headers=ho).get_json()["result"]
    assert [r["nip"][-4:] for r in got] == ["2004"]
    assert op.get("/api/v1/followup/decisions", headers=ho).get_json()["result"] == []  # B's decision: other OPD
    assert len(bkd.get("/api/v1/followup/decisions?year=2026", headers=h).get_json()["result"]) == 1
    assert op.post("/api/v1/followup/rules", json={}, headers=ho).status_code == 403
    auditor, hu = api_as("auditor")
    assert auditor.delete(f"/api/v1/followup/rules/{histories['reward']}", headers=hu).status_code == 403
    assert bkd.get("/api/v1/followup/rules/999999/candidates", headers=h).status_code == 404
    resp = bkd.delete(f"/api/v1/followup/rules/{histories['reward']}", headers=h)
    assert resp.status_code == 409 and "nonaktifkan" in resp.get_json()["message"]


# --------------------------------------------------------------------------- talent box
def _potential(employee, score, year=YEAR):
    db.session.add(PotentialAssessment(employee_id=employee.id, year=year, score=score))


def test_talent_box_page_and_api_per_opd_and_city(histories, world, login_as, api_as):
    _potential(world.employee("staff_a"), 85)  # SANGAT_BAIK (Nov) x high -> 9
    _potential(world.employee("staff_b"), 70)  # SANGAT_BAIK x middle -> 7
    _potential(world.employee("staff_a1"), 50)  # SANGAT_KURANG (Jan) x low -> 1
    bkn(world.employee("op_a"), YEAR, None, "BAIK")  # the yearly BKN predikat wins over November's
    _potential(world.employee("op_a"), 90)  # BAIK x high -> 8
    db.session.commit()
    c = login_as("bkd")
    page = c.get("/kotak-talenta/?tahun=2026").get_data(as_text=True)
    assert "Seluruh Kota" in page and "Bintang (Star)" in page
    page = c.get("/kotak-talenta/?tahun=2026&kotak=9").get_data(as_text=True)
    assert 'data-employee="199004042015032004"' in page
    _, h = api_as("bkd")
    client, h = api_as("bkd")
    city = client.get("/api/v1/followup/talent-box?year=2026", headers=h).get_json()
    assert {b["box"]: b["count"] for b in city["boxes"] if b["count"]} == {1: 1, 7: 1, 8: 1, 9: 1}
    dinkes = world.unit("Dinas Kesehatan").id
    got = client.get(f"/api/v1/followup/talent-box?year=2026&opd={dinkes}", headers=h).get_json()
    assert {b["box"]: b["count"] for b in got["boxes"] if b["count"]} == {1: 1, 8: 1, 9: 1}
    op, ho = api_as("operator")
    own = op.get("/api/v1/followup/talent-box?year=2026", headers=ho).get_json()
    assert own["opd_id"] == dinkes and {b["box"]: b["count"] for b in own["boxes"] if b["count"]} == {1: 1, 8: 1, 9: 1}
    other = world.unit("Dinas Pendidikan dan Kebudayaan").id
    refusals = audit_count("DITOLAK%")
    assert op.get(f"/api/v1/followup/talent-box?year=2026&opd={other}", headers=ho).status_code == 404
    assert login_as("operator").get(f"/kotak-talenta/?opd={other}").status_code == 404
    assert audit_count("DITOLAK%") == refusals + 2
    page = login_as("operator").get("/kotak-talenta/?tahun=2026").get_data(as_text=True)
    assert "Seluruh Kota" not in page and "Kotak Talenta Dinas Kesehatan" in page


# --------------------------------------------------------------------------- vacancy
def test_vacancy_candidates_ranked_and_scoped(histories, world, login_as):
    # Kepala Puskesmas Arjuno (PENGAWAS, kelas 9) is vacant: golongan from III/b, kelas 7..11.
    _potential(world.employee("op_a"), 85)  # op_a: III/b kelas 8, November SANGAT_BAIK x high -> box 9
    db.session.commit()
    pos = world.position("Kepala Puskesmas Arjuno").id
    c = login_as("bkd")
    page = c.get("/jabatan-lowong/").get_data(as_text=True)
    assert "Kepala Puskesmas Arjuno" in page and "Sekretaris Daerah" not in page  # held posts are not vacant
    page = c.get(f"/jabatan-lowong/?jabatan={pos}&tahun=2026").get_data(as_text=True)
    listed = [n for n in ("198805052012011005", "198003032005011003") if f'data-employee="{n}"' in page]
    assert listed == ["198805052012011005", "198003032005011003"]  # op_a (box 9) before kabid_a (no box)
    assert page.index('data-employee="198805052012011005"') < page.index('data-employee="198003032005011003"')
    for nip in ("199004042015032004", "199206062018012006", "197502022000032002"):  # golongan or kelas out
        assert f'data-employee="{nip}"' not in page
    held = world.position("Sekretaris Daerah").id
    resp = c.get(f"/jabatan-lowong/?jabatan={held}", follow_redirects=True)
    assert resp.status_code == 200 and "tidak lowong" in resp.get_data(as_text=True)
    op = login_as("operator")
    assert "Kepala Puskesmas Arjuno" in op.get("/jabatan-lowong/").get_data(as_text=True)
    assert op.get(f"/jabatan-lowong/?jabatan={world.position('Pengadministrasi Perkantoran').id}").status_code == 404


# --------------------------------------------------------------------------- potential assessments
def _csv(text):
    return (io.BytesIO(text.encode("utf-8")), "potensi.csv")


def test_potential_entry_and_import_preview_confirm(world, login_as):
    c = login_as("bkd")
    resp = c.post("/nilai-potensi/simpan", data={"nip": "199004042015032004", "year": "2026", "score": "120"})
    assert resp.status_code == 422 and "Nilai potensi harus antara 0 dan 100" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PotentialAssessment)) == 0
    resp = c.post("/nilai-potensi/simpan", data={"nip": "199004042015032004", "year": "2026", "score": "77,5"})
    assert resp.status_code == 302
    assert str(db.session.scalar(select(PotentialAssessment.score))) == "77.50"
    resp = c.post("/nilai-potensi/upload", data={"year": "2026", "file": _csv(
        "NIP,NAMA,NILAI,TANGGAL_ASESMEN\n'199004042015032004,Staff A,81,2026-03-01\n'199108082016032008,Staff B,64,\n")},
        content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "1 baru, 1 diubah" in page
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    resp = c.post("/nilai-potensi/confirm", data={"token": token, "csrf_token": ""}, follow_redirects=True)
    assert "diimpor (1 baru, 1 diubah, 0 tetap)" in resp.get_data(as_text=True)
    db.session.expire_all()
    scores = dict(db.session.execute(select(PotentialAssessment.employee_id, PotentialAssessment.score)).all())
    assert {str(v) for v in scores.values()} == {"81.00", "64.00"}
    assert audit_count("IMPORT", "PotentialAssessment") == 1


@pytest.mark.parametrize("content, filename, message", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "potensi.xls", "Format Excel lama (.xls) tidak didukung"),
    (b"NIP,SKOR\n'199004042015032004,80\n", "potensi.csv", "kolom wajib tidak ada: NILAI"),
    (b"NIP,NILAI\n'199004042015032004,80\n'999999999999999999,70\n", "potensi.csv", "tidak terdaftar sebagai pegawai"),
    (b"NIP,NILAI\n'199004042015032004,80\n'199108082016032008,150\n", "potensi.csv", "harus antara 0 dan 100"),
    (b"NIP,NILAI\n'199004042015032004,80\n'199004042015032004,70\n", "potensi.csv", "ganda"),
    (b"NIP,NILAI\n1.99004E+17,80\n", "potensi.csv", "format ilmiah"),
    (b"PK\x03\x04rusak", "potensi.xlsx", "bukan XLSX yang valid"),
])
def test_potential_import_bad_files_store_nothing(content, filename, message, world, login_as):
    c = login_as("bkd")
    resp = c.post("/nilai-potensi/upload", data={"year": "2026", "file": (io.BytesIO(content), filename)},
                  content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and message in page, page[:3000]
    assert "Tidak ada data yang diimpor" in page or "Tidak ada data" in page
    assert 'name="token"' not in page
    assert db.session.scalar(select(func.count()).select_from(PotentialAssessment)) == 0


def test_potential_pages_per_role(world, login_as):
    db.session.add(PotentialAssessment(employee_id=world.employee("staff_a").id, year=2026, score=70))
    db.session.add(PotentialAssessment(employee_id=world.employee("staff_b").id, year=2026, score=60))
    db.session.commit()
    op = login_as("operator").get("/nilai-potensi/?tahun=2026").get_data(as_text=True)
    assert 'data-employee="199004042015032004"' in op and 'data-employee="199108082016032008"' not in op
    assert "Isi Nilai Potensi" not in op
    for role in ("operator", "auditor"):
        c = login_as(role)
        assert c.post("/nilai-potensi/simpan", data={"nip": "199004042015032004", "year": "2026",
                                                     "score": "10"}).status_code == 403
        assert c.post("/nilai-potensi/upload", data={}).status_code == 403
    assert str(db.session.scalar(select(PotentialAssessment.score).where(
        PotentialAssessment.employee_id == world.employee("staff_a").id))) == "70.00"
    page = login_as("auditor").get("/nilai-potensi/?tahun=2026").get_data(as_text=True)
    assert 'data-employee="199108082016032008"' in page and "Isi Nilai Potensi" not in page


def test_pages_fit_a_phone_and_use_nonces(histories, world, login_as):
    c = login_as("bkd")
    for url in ("/tindak-lanjut/", f"/tindak-lanjut/aturan/{histories['reward']}/kandidat", "/tindak-lanjut/keputusan",
                "/tindak-lanjut/aturan/baru", "/kotak-talenta/", "/jabatan-lowong/", "/nilai-potensi/"):
        resp = c.get(url)
        page = resp.get_data(as_text=True)
        assert resp.status_code == 200, url
        assert ' onclick=' not in page and ' onchange=' not in page, url
        for tag in page.split("<script")[1:]:
            assert "nonce=" in tag.split(">")[0], url


def test_potential_thresholds_are_the_years_parameters(histories, world, api_as):
    from app.services import ValidationFailed
    from app.services import parameters as params_service

    _potential(world.employee("staff_a"), 85)
    db.session.commit()
    client, h = api_as("bkd")

    def boxes():
        got = client.get("/api/v1/followup/talent-box?year=2026", headers=h).get_json()["boxes"]
        return {b["box"]: [e["nip"] for e in b["employees"]] for b in got if b["count"]}

    assert boxes() == {9: ["199004042015032004"]}  # 85 >= 80 (default): high
    params_service.set_value(2026, "potential_high_from", "90")
    db.session.commit()
    assert boxes() == {7: ["199004042015032004"]}  # 85 < 90: middle
    with pytest.raises(ValidationFailed, match="Batas potensi rendah"):
        params_service.set_value(2026, "potential_low_below", "95")
    db.session.rollback()


def test_odd_query_and_form_values_are_answered_not_crashed(histories, login_as, api_as):
    c = login_as("bkd")
    for url in ("/kotak-talenta/?kotak=²&tahun=²&opd=²", "/jabatan-lowong/?jabatan=²&tahun=x",
                "/tindak-lanjut/?tahun=²", "/nilai-potensi/?tahun=99999"):
        assert c.get(url).status_code in (200, 404), url
    resp = c.post("/nilai-potensi/simpan", data={"nip": "199004042015032004", "year": "²", "score": "50"})
    assert resp.status_code == 422 and "Tahun harus berupa angka" in resp.get_data(as_text=True)
    client, h = api_as("bkd")
    assert client.post("/api/v1/followup/rules", data="[", headers={**h, "Content-Type": "application/json"}
                       ).status_code == 422
    assert client.get("/api/v1/followup/talent-box?year=²", headers=h).status_code == 422


def test_a_streak_of_bkn_predikat_only_is_decided_on_a_closed_period(world, api_as):
    b = world.employee("staff_b")
    bkn(b, 2025, 3, "SANGAT_BAIK")
    bkn(b, 2025, 4, "SANGAT_BAIK")
    r = rule(year=2025)
    db.session.commit()
    client, h = api_as("bkd")
    got = client.get(f"/api/v1/followup/rules/{r.id}/candidates", headers=h).get_json()["result"]
    assert [(c["nip"], c["period"]) for c in got] == [(b.nip, "2025-04")]
    resp = client.post(f"/api/v1/followup/rules/{r.id}/decisions", json={
        "employee_id": b.id, "period": "2025-04", "decision": "ACCEPTED", "note": "Dari riwayat BKN"}, headers=h)
    assert resp.status_code == 201
    db.session.expire_all()
    d = db.session.scalar(select(FollowupDecision))
    assert (d.period.year, d.period.month, d.period.state) == (2025, 4, "CLOSED")
