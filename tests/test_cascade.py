"""Matriks peran hasil (issue 12 item 2): the page, the API and the Excel file over a hand-made
Dinas Kesehatan: Kepala Dinas -> Kabid -> Kasi -> staf, SKP written directly through the models.

The world's Dinas Kesehatan: kadis_a (head), kabid_a (superior of staff_a and op_a), the vacant
Kepala Puskesmas (staff_a1 reports to kadis_a). Added here: a Kepala Seksi under kabid_a and a
staf under the Kasi."""
from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import AuditLog

YEAR = 2026


def _employee(world, key, nip, name, position, unit, sex="L"):
    from app.models import Employee

    from flask import current_app
    from flask_appbuilder.security.sqla.models import User
    from werkzeug.security import generate_password_hash

    from tests.conftest import PASSWORD

    role = db.session.scalars(select(current_app.appbuilder.sm.role_model).where(
        current_app.appbuilder.sm.role_model.name == "Pegawai")).one()
    user = User(username=nip, first_name=name, last_name="-", email=f"{nip}@malangkota.go.id", active=True,
                password=generate_password_hash(PASSWORD, method=current_app.config["FAB_PASSWORD_HASH_METHOD"]),
                roles=[role])
    emp = Employee(nip=nip, name=name, sex=sex, birth_date=date(int(nip[:4]), int(nip[4:6]), int(nip[6:8])),
                   kind="PNS", golongan="III/a", position=position, unit=unit, active=True, user=user)
    db.session.add(emp)
    return emp


def _skp(emp, status, superior=None):
    from app.models import Skp

    skp = Skp(employee=emp, year=YEAR, status=status, revision=1, approved_revision=1 if status == "APPROVED" else None,
              position_id=emp.position_id, unit_id=emp.unit_id, opd_id=emp.unit.opd_id,
              superior=superior if status in ("SUBMITTED", "APPROVED") else None,
              submitted_at=datetime(2026, 1, 5) if status != "DRAFT" else None)
    db.session.add(skp)
    return skp


def _rhk(skp, number, name, parent=None, goal=None, indicators=1):
    from app.models import Rhk, RhkIndicator

    rhk = Rhk(skp=skp, kind="UTAMA", number=number, name=name, parent=parent, goal=goal,
              approved_revision=skp.approved_revision, active=True)
    for i in range(indicators):
        rhk.indicators.append(RhkIndicator(number=i + 1, aspect="KUANTITAS", name=f"Indikator {i + 1} {name}",
                                           target_value=10, target_unit="dokumen"))
    db.session.add(rhk)
    return rhk


@pytest.fixture
def opd(world):
    """Goals, SKP and RHK of Dinas Kesehatan for 2026; returns names -> ids."""
    from app.models import Position, PositionKind, StrategicGoal

    dinkes = world.unit("Dinas Kesehatan")
    kinds = {k.code: k for k in db.session.scalars(select(PositionKind))}
    kasi_pos = Position(name="Kepala Seksi Pelayanan Kesehatan Primer", kind=kinds["PENGAWAS"], unit=dinkes,
                        parent=world.position("Kepala Bidang Pelayanan Kesehatan"), eselon="IV.a", kelas_jabatan=9,
                        active=True)
    staf_pos = Position(name="Pengelola Layanan Kesehatan Primer Dengan Nama Jabatan Yang Sangat Panjang Sekali",
                        kind=kinds["PELAKSANA"], unit=dinkes, parent=kasi_pos, kelas_jabatan=6, active=True)
    db.session.add_all([kasi_pos, staf_pos])
    kasi = _employee(world, "kasi", "198501012010011010", "Kasi Primer", kasi_pos, dinkes)
    staf = _employee(world, "staf", "199502022020122011", "Staf Primer", staf_pos, dinkes, sex="P")
    db.session.commit()

    city = StrategicGoal(year=YEAR, unit_id=None, code="K1", name="Meningkatnya derajat kesehatan masyarakat")
    g1 = StrategicGoal(year=YEAR, unit=dinkes, parent=city, code="T1", name="Meningkatnya mutu layanan kesehatan")
    g2 = StrategicGoal(year=YEAR, unit=dinkes, parent=city, code="T2", name="Meningkatnya tata kelola dinas")
    db.session.add_all([city, g1, g2])
    kadis, kabid = world.employee("kadis_a"), world.employee("kabid_a")
    staff_a = world.employee("staff_a")
    s_kadis = _skp(kadis, "APPROVED", world.employee("sekda"))
    s_kabid = _skp(kabid, "APPROVED", kadis)
    s_kasi = _skp(kasi, "APPROVED", kabid)
    s_staf = _skp(staf, "SUBMITTED", kasi)
    s_staff_a = _skp(staff_a, "DRAFT")
    h1 = _rhk(s_kadis, 1, "Meningkatnya cakupan layanan kesehatan dasar", goal=g1, indicators=2)
    h2 = _rhk(s_kadis, 2, "Meningkatnya akuntabilitas kinerja dinas", goal=g2)
    b1 = _rhk(s_kabid, 1, "Meningkatnya layanan puskesmas terakreditasi", parent=h1)
    b2 = _rhk(s_kabid, 2, "Tersusunnya laporan bidang", parent=None)
    k1 = _rhk(s_kasi, 1, "Terlaksananya pembinaan puskesmas", parent=b1, indicators=3)
    s1 = _rhk(s_staf, 1, "Tersusunnya data pembinaan puskesmas", parent=k1)
    a1 = _rhk(s_staff_a, 1, "Tersusunnya data layanan kesehatan", parent=b1)
    db.session.commit()
    ids = {n: x.id for n, x in dict(h1=h1, h2=h2, b1=b1, b2=b2, k1=k1, s1=s1, a1=a1).items()}
    ids.update(dinkes=dinkes.id, disdik=world.unit("Dinas Pendidikan dan Kebudayaan").id, kasi=kasi.id,
               staf=staf.id, kasi_nip=kasi.nip, staf_nip=staf.nip)
    return ids


def _nodes(tree):
    for n in tree:
        yield n
        yield from _nodes(n["children"])


def _refusals():
    return db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))


def test_tree_and_gaps_of_the_whole_opd(opd, api_as):
    client, headers = api_as("bkd")
    body = client.get(f"/api/v1/cascade/?opd={opd['dinkes']}&tahun={YEAR}", headers=headers).get_json()
    assert body["opd"]["name"] == "Dinas Kesehatan" and body["whole_opd"]
    city = body["tree"][0]
    assert city["kind"] == "CITY_GOAL" and city["code"] == "K1"
    assert [g["code"] for g in city["children"]] == ["T1", "T2"]
    t1 = city["children"][0]
    # goal -> head -> kabid -> kasi -> staf (submitted: shown, not in force); kabid -> staff_a (draft)
    head = t1["children"][0]
    assert head["rhk_id"] == opd["h1"] and head["employee"]["name"] == "Kadis A" and head["indicators"] == 2
    assert head["employee"]["position"] == "Kepala Dinas Kesehatan" and head["skp"]["status_label"] == "Disetujui"
    b1 = head["children"][0]
    assert b1["rhk_id"] == opd["b1"]
    assert sorted(c["rhk_id"] for c in b1["children"]) == sorted([opd["k1"], opd["a1"]])
    k1 = next(c for c in b1["children"] if c["rhk_id"] == opd["k1"])
    assert k1["indicators"] == 3 and k1["children"][0]["rhk_id"] == opd["s1"]
    s1 = k1["children"][0]
    assert s1["in_force"] is False and s1["skp"]["status_label"] == "Diajukan" and s1["gaps"] == []
    gaps = {n["rhk_id"]: [g["kind"] for g in n["gaps"]] for n in _nodes(body["tree"]) if "rhk_id" in n}
    assert gaps[opd["h1"]] == [] and gaps[opd["b1"]] == []
    assert gaps[opd["h2"]] == ["NOT_INTERVENED"]
    assert gaps[opd["b2"]] == ["NOT_INTERVENED", "NOT_INTERVENING"]
    assert gaps[opd["k1"]] == ["NOT_INTERVENED"]  # the staf's RHK is only submitted
    assert k1["pending_children"] == 1
    assert body["counts"] == {"NOT_INTERVENED": 3, "NOT_INTERVENING": 1, "NO_GOAL": 0, "NO_SKP": 2}
    assert sorted(p["name"] for p in body["no_skp"]) == ["Op A", "Staff A1"]
    group = body["tree"][-1]
    assert group["kind"] == "GROUP" and [c["rhk_id"] for c in group["children"]] == [opd["b2"]]
    # gaps only: the ancestors of a gap stay, complete branches go
    only = client.get(f"/api/v1/cascade/?opd={opd['dinkes']}&tahun={YEAR}&celah=1", headers=headers).get_json()
    shown = {n.get("rhk_id") for n in _nodes(only["tree"])} - {None}
    assert shown == {opd["h1"], opd["b1"], opd["k1"], opd["h2"], opd["b2"]}
    assert only["counts"] == body["counts"]


def test_page_shows_the_summary_gaps_and_statuses(opd, login_as):
    resp = login_as("bkd").get(f"/matriks-peran-hasil/?opd={opd['dinkes']}&tahun={YEAR}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "Matriks Peran Hasil Dinas Kesehatan Tahun 2026" in html
    for text in ("RHK ini belum diintervensi oleh bawahan", "RHK tidak mengintervensi RHK atasan",
                 "Belum menyusun SKP", "SKP Diajukan", "SKP Draf", "Belum berlaku", "Kasi Primer",
                 "Kepala Seksi Pelayanan Kesehatan Primer", "Meningkatnya derajat kesehatan masyarakat"):
        assert text in html, text
    summary = re.search(r'<ul class="cx-summary".*?</ul>', html, re.S).group(0)
    assert re.search(r'data-count="NOT_INTERVENED"><strong>3</strong>', summary)
    assert re.search(r'data-count="NO_SKP"><strong>2</strong>', summary)
    assert f'data-node="rhk-{opd["h2"]}" data-gaps="NOT_INTERVENED"' in html
    only = login_as("bkd").get(f"/matriks-peran-hasil/?opd={opd['dinkes']}&tahun={YEAR}&celah=1")
    assert f'data-node="rhk-{opd["s1"]}"' not in only.get_data(as_text=True)
    assert f'data-node="rhk-{opd["s1"]}"' in html


def test_markup_fits_a_phone(opd, login_as):
    """Every script carries the nonce, no inline handlers, no table or fixed width wider than a
    phone, the indentation stops growing below the fifth level and long names wrap."""
    html = login_as("bkd").get(f"/matriks-peran-hasil/?opd={opd['dinkes']}&tahun={YEAR}").get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "nonce=" in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", html)
    start = html.index('<div class="container-fluid cx-wrap">')
    page = html[start:]
    assert "<table" not in page
    with open("app/templates/cascade/index.html", encoding="utf-8") as f:
        template = f.read()
    assert not re.search(r"(?<!max-)width:\s*(\d{3,})px", template)
    assert "nowrap" not in template and "overflow-wrap: anywhere" in template
    assert ".cx-list.cx-flat { padding-left: 0" in template and "depth >= 5" in template


@pytest.mark.parametrize("role,status", [("admin", 200), ("bkd", 200), ("auditor", 200), ("operator", 200),
                                         ("atasan", 200), ("pegawai", 200), ("keuangan", 403)])
def test_scope_per_role_on_the_own_opd(role, status, opd, login_as, api_as):
    page = login_as(role).get(f"/matriks-peran-hasil/?opd={opd['dinkes']}&tahun={YEAR}")
    assert page.status_code == status
    client, headers = api_as(role)
    resp = client.get(f"/api/v1/cascade/?opd={opd['dinkes']}&tahun={YEAR}", headers=headers)
    assert resp.status_code == status
    if status != 200:
        return
    body = resp.get_json()
    own = {n["rhk_id"] for n in _nodes(body["tree"]) if "rhk_id" in n and not n["context"]}
    context = {n["rhk_id"] for n in _nodes(body["tree"]) if "rhk_id" in n and n["context"]}
    every = {opd[k] for k in ("h1", "h2", "b1", "b2", "k1", "s1", "a1")}
    if role in ("admin", "bkd", "auditor", "operator"):
        assert body["whole_opd"] and own == every and not context
        assert body["counts"]["NO_SKP"] == 2
    elif role == "atasan":  # kabid_a: own RHK and everything below; the head's RHK above as context
        assert not body["whole_opd"]
        assert own == {opd["b1"], opd["b2"], opd["k1"], opd["s1"], opd["a1"]} and context == {opd["h1"]}
        assert body["counts"] == {"NOT_INTERVENED": 2, "NOT_INTERVENING": 1, "NO_GOAL": 0, "NO_SKP": 1}
        assert [p["name"] for p in body["no_skp"]] == ["Op A"]  # not the puskesmas staff below the head
    else:  # staff_a: own RHK, the kabid's RHK it intervenes in, the head's and the goals above
        assert own == {opd["a1"]} and context == {opd["b1"], opd["h1"]}
        assert body["tree"][0]["code"] == "K1" and [g["code"] for g in body["tree"][0]["children"]] == ["T1"]
        assert body["counts"] == {"NOT_INTERVENED": 0, "NOT_INTERVENING": 0, "NO_GOAL": 0, "NO_SKP": 0}
        html = login_as(role).get(f"/matriks-peran-hasil/?tahun={YEAR}").get_data(as_text=True)
        assert "Tersusunnya data layanan kesehatan" in html and "Tersusunnya laporan bidang" not in html


@pytest.mark.parametrize("role", ["operator", "atasan", "pegawai"])
def test_another_opd_is_refused_and_logged(role, opd, login_as, api_as):
    before = _refusals()
    assert login_as(role).get(f"/matriks-peran-hasil/?opd={opd['disdik']}").status_code == 403
    assert login_as(role).get(f"/matriks-peran-hasil/unduh?opd={opd['disdik']}").status_code == 403
    client, headers = api_as(role)
    resp = client.get(f"/api/v1/cascade/?opd={opd['disdik']}", headers=headers)
    assert resp.status_code == 403 and "tidak berhak" in resp.get_json()["message"]
    assert _refusals() >= before + 3


def test_bad_input(opd, world, login_as, api_as):
    bkd = login_as("bkd")
    before = _refusals()
    assert bkd.get("/matriks-peran-hasil/?opd=999999").status_code == 404
    assert bkd.get("/matriks-peran-hasil/?opd=abc").status_code == 404
    # a unit below an OPD is not an OPD
    assert bkd.get(f"/matriks-peran-hasil/?opd={world.unit('Puskesmas Arjuno').id}").status_code == 404
    assert _refusals() >= before + 3
    resp = bkd.get(f"/matriks-peran-hasil/?opd={opd['dinkes']}&tahun=abad")
    assert resp.status_code == 200 and "Tahun tidak valid" in resp.get_data(as_text=True)
    client, headers = api_as("bkd")
    bad = client.get(f"/api/v1/cascade/?opd={opd['dinkes']}&tahun=99999", headers=headers)
    assert bad.status_code == 422 and "Tahun tidak valid" in bad.get_json()["message"]
    assert client.get("/api/v1/cascade/?opd=999999", headers=headers).status_code == 404
    for raw in ("\u00b2", "-1", "0", "99999999999"):  # a superscript two is a digit to str.isdigit()
        resp = client.get("/api/v1/cascade/", query_string={"opd": raw}, headers=headers)
        assert resp.status_code == 422 and resp.get_json()["message"] == "OPD tidak valid.", raw
    assert bkd.get("/matriks-peran-hasil/", query_string={"opd": "\u00b2"}).status_code == 404
    # the city-wide roles without a choice get the first OPD, an empty year says so
    empty = bkd.get("/matriks-peran-hasil/?tahun=2031").get_data(as_text=True)
    assert "Belum ada tujuan atau RHK untuk tahun 2031" in empty


def test_xlsx_of_the_matrix(opd, login_as):
    import openpyxl

    resp = login_as("operator").get(f"/matriks-peran-hasil/unduh?tahun={YEAR}")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].endswith("matriks-peran-hasil_2026_dinas-kesehatan.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(resp.data))
    ws = wb.active
    assert ws["A1"].value == "PEMERINTAH KOTA MALANG"
    assert ws["A2"].value == "MATRIKS PERAN HASIL (KASKADE RHK)"
    assert ws["A3"].value == "OPD: Dinas Kesehatan" and ws["A4"].value == "Periode: Tahun 2026"
    assert ws["A5"].value.startswith("Dicetak: ")
    assert ws.freeze_panes == "A8" and ws.auto_filter.ref.startswith("A7:L")
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    headers = [c.value for c in ws[7]]
    assert headers[:4] == ["No", "Tingkat", "Jenis", "Tujuan / Rencana Hasil Kerja"] and headers[-1] == "Celah"
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=8)]
    by_text = {str(r[3]).strip(): r for r in rows if r[3]}
    k1 = by_text["Terlaksananya pembinaan puskesmas"]
    assert k1[1] == 5 and k1[4] == "Meningkatnya layanan puskesmas terakreditasi" and k1[5] == "Kasi Primer"
    assert k1[6] == opd["kasi_nip"] and k1[8] == "Disetujui" and k1[10] == 3
    assert k1[11] == "RHK ini belum diintervensi oleh bawahan"
    assert by_text["Tersusunnya data pembinaan puskesmas"][9] == "Belum"
    no_skp = [r for r in rows if r[11] == "Belum menyusun SKP"]
    assert sorted(r[5] for r in no_skp) == ["Op A", "Staff A1"]
    total = next(r for r in rows if r[3] == "JUMLAH")
    assert total[10].startswith("=SUM(K8:K")
    texts = [str(v) for r in rows for v in r if v]
    assert any(t.startswith("Malang, ") for t in texts) and any(t.startswith("Kepala Dinas Kesehatan") for t in texts)
    assert ws["D3"].value.startswith("Celah: RHK ini belum diintervensi oleh bawahan 3")


def test_few_queries_whatever_the_size(opd, app, world):
    """The tree is loaded in a fixed number of statements (no query per employee or RHK)."""
    from app.models import Employee
    from app.services import cascade as svc

    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)

    def measure():
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            svc.build(opd["dinkes"], YEAR)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    small = measure()
    kasi = db.session.get(Employee, opd["kasi"])
    from app.models import Rhk

    k1 = db.session.get(Rhk, opd["k1"])
    for i in range(6):
        nip = f"19960{(i % 9) + 1}032021011{i:03d}"
        e = _employee(world, f"x{i}", nip, f"Staf Tambahan {i}", db.session.get(Employee, opd["staf"]).position,
                      kasi.unit)
        db.session.flush()
        s = _skp(e, "APPROVED", kasi)
        _rhk(s, 1, f"RHK tambahan {i}", parent=k1, indicators=2)
    db.session.commit()
    assert measure() == small
    assert svc.build(opd["dinkes"], YEAR).counts["NOT_INTERVENED"] == 2  # k1 is intervened now
