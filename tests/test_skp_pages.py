"""SKP tahunan pages (issue 12 item 1, app/views/skp.py): the whole journey through the pages —
create, add RHK and indicators, submit, the superior returns with a note, fix, resubmit,
approve, revise (the approved plan stays in force), approve again — the errors in Indonesian
next to their field, the refusals per role (403/404, logged), the strategic goals page and
the home-page task of a pending SKP approval.

The cascade above the employee (goals, the SKP of the Sekda, kadis_a and kabid_a) is set up
through app.services.skp (tests/test_skp_workflow.py's `chain`)."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from tests.test_skp_workflow import AFTER_WINDOW, IN_WINDOW, YEAR, chain

BASE = "/skp-saya/"


@pytest.fixture
def cascade(app, world):
    app.config["FIXED_TODAY"] = IN_WINDOW
    return chain(app, world)


def _skp_of(world, key):
    from app.models import Skp

    db.session.expire_all()
    return db.session.scalar(select(Skp).where(Skp.employee_id == world.employee(key).id, Skp.year == YEAR))


def _refusals() -> int:
    from app.models import AuditLog

    n = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
    db.session.commit()
    return n


def _error_next_to(html: str, field_id: str, message: str) -> bool:
    """The message is printed right after the field's input (the error element of that form field)."""
    at = html.find(f'id="{field_id}"')
    err = html.find(message, at)
    return at >= 0 and err > at and html.find("<label", at, err) == -1


def test_whole_journey_through_the_pages(app, world, cascade, login_as):
    from app.models import Rhk, SkpHistory

    kabid_rhk = cascade["kabid_a"][1]
    me = login_as("pegawai")  # staff_a, superior kabid_a
    page = me.get(f"{BASE}?tahun={YEAR}").get_data(as_text=True)
    assert "Buat SKP tahun 2027" in page
    assert me.post("/skp-saya/buat", data={"tahun": str(YEAR)}).status_code == 302
    skp = _skp_of(world, "staff_a")
    assert skp.status == "DRAFT"
    page = me.get(f"{BASE}?tahun={YEAR}").get_data(as_text=True)
    assert "Draf" in page and "Buat SKP" not in page
    # the superior's approved RHK are the choices; an empty name is answered next to the field
    assert f'value="{kabid_rhk}"' in page
    resp = me.post(f"/skp-saya/skp/{skp.id}/rhk", data={"kind": "UTAMA", "name": " ", "parent_id": str(kabid_rhk)})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert _error_next_to(html, "rhk-new-name", "Rencana hasil kerja wajib diisi.")
    assert db.session.scalar(select(func.count()).select_from(Rhk).where(Rhk.skp_id == skp.id)) == 0
    resp = me.post(f"/skp-saya/skp/{skp.id}/rhk", data={"kind": "UTAMA", "name": "Tersedianya data kesehatan",
                                                     "parent_id": str(kabid_rhk)})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"{BASE}?tahun={YEAR}")
    rhk = db.session.scalar(select(Rhk).where(Rhk.skp_id == skp.id))
    # an indicator with a target that is no number: message next to the target, nothing written
    resp = me.post(f"/skp-saya/rhk/{rhk.id}/indikator", data={"aspect": "KUANTITAS", "name": "Jumlah laporan",
                                                              "target_value": "dua belas", "target_unit": "laporan"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert _error_next_to(html, f"ind-new-{rhk.id}-target", "Target harus berupa angka")
    assert 'value="dua belas"' in html  # the form keeps what was typed
    assert me.post(f"/skp-saya/rhk/{rhk.id}/indikator", data={
        "aspect": "KUANTITAS", "name": "Jumlah laporan", "target_value": "12", "target_unit": "laporan"}
    ).status_code == 302
    page = me.get(f"{BASE}?tahun={YEAR}").get_data(as_text=True)
    assert "Tersedianya data kesehatan" in page and "target 12 laporan" in page
    assert "Intervensi RHK atasan" in page
    skp = _skp_of(world, "staff_a")
    assert me.post(f"/skp-saya/{skp.id}/ajukan", data={"version": str(skp.version)}).status_code == 302
    assert _skp_of(world, "staff_a").status == "SUBMITTED"
    page = me.get(f"{BASE}?tahun={YEAR}").get_data(as_text=True)
    assert "Diajukan" in page and f"/skp-saya/{skp.id}/ajukan" not in page  # no button that can only fail
    assert "Tambah RHK" not in page

    # the superior: the SKP whole in the list; a return without a note is refused next to the note
    boss = login_as("atasan")
    queue = boss.get("/persetujuan-skp/").get_data(as_text=True)
    assert "Staff A" in queue and "Tersedianya data kesehatan" in queue and "target 12 laporan" in queue
    assert "Intervensi RHK atasan" in queue
    resp = boss.post(f"/persetujuan-skp/{skp.id}/kembalikan", data={"note": "  "})
    assert resp.status_code == 422
    assert _error_next_to(resp.get_data(as_text=True), f"note-{skp.id}", "Catatan pengembalian wajib diisi.")
    assert _skp_of(world, "staff_a").status == "SUBMITTED"
    resp = boss.post(f"/persetujuan-skp/{skp.id}/kembalikan", data={"note": "Target terlalu rendah."})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/persetujuan-skp/")
    assert _skp_of(world, "staff_a").status == "RETURNED"

    # the employee fixes the indicator and submits again
    page = me.get(f"{BASE}?tahun={YEAR}").get_data(as_text=True)
    assert "Dikembalikan" in page and "Catatan atasan: Target terlalu rendah." in page
    ind = rhk.indicators[0]
    assert me.post(f"/skp-saya/indikator/{ind.id}/ubah", data={
        "aspect": "KUANTITAS", "name": "Jumlah laporan", "target_value": "24", "target_unit": "laporan"}
    ).status_code == 302
    assert "target 24 laporan" in me.get(f"{BASE}?tahun={YEAR}").get_data(as_text=True)
    assert me.post(f"/skp-saya/{skp.id}/ajukan").status_code == 302
    assert boss.post(f"/persetujuan-skp/{skp.id}/setujui").status_code == 302
    assert _skp_of(world, "staff_a").status == "APPROVED"
    assert "Tidak ada SKP yang menunggu" in boss.get("/persetujuan-skp/").get_data(as_text=True)

    # a revision after the planning window: the approved plan stays in force until approved
    app.config["FIXED_TODAY"] = AFTER_WINDOW
    page = me.get(f"{BASE}?tahun={YEAR}").get_data(as_text=True)
    assert "Disetujui" in page and "Mulai revisi" in page
    assert me.post(f"/skp-saya/{skp.id}/revisi", data={"note": "Tugas tambahan dari Kepala Dinas"}).status_code == 302
    skp = _skp_of(world, "staff_a")
    assert (skp.status, skp.revision, skp.approved_revision) == ("DRAFT", 2, 1)
    page = me.get(f"{BASE}?tahun={YEAR}").get_data(as_text=True)
    assert "Rencana yang berlaku (disetujui, revisi ke-1)" in page
    assert f"/skp-saya/rhk/{rhk.id}/hapus" not in page  # in force: deactivate, never delete
    assert f"/skp-saya/rhk/{rhk.id}/aktif" in page
    assert me.post(f"/skp-saya/skp/{skp.id}/rhk", data={"kind": "TAMBAHAN", "name": "Pendampingan posyandu",
                                                     "parent_id": str(kabid_rhk)}).status_code == 302
    extra = db.session.scalar(select(Rhk).where(Rhk.skp_id == skp.id, Rhk.kind == "TAMBAHAN"))
    assert me.post(f"/skp-saya/rhk/{extra.id}/indikator", data={
        "aspect": "WAKTU", "name": "Pendampingan selesai", "target_value": "12", "target_unit": "bulan"}
    ).status_code == 302
    assert me.post(f"/skp-saya/{skp.id}/ajukan").status_code == 302
    assert boss.post(f"/persetujuan-skp/{skp.id}/setujui").status_code == 302
    skp = _skp_of(world, "staff_a")
    assert (skp.status, skp.approved_revision) == ("APPROVED", 2)
    assert db.session.scalar(select(func.count()).select_from(SkpHistory).where(SkpHistory.skp_id == skp.id)) == 2
    detail = boss.get(f"/persetujuan-skp/{skp.id}").get_data(as_text=True)
    assert "Revisi ke-2 disetujui" in detail and "Revisi ke-1 disetujui" in detail
    assert "Pendampingan posyandu" in detail
    # the detail opens for the employee, the operator of the OPD, BKD and the auditor too
    for role in ("pegawai", "operator", "bkd", "auditor"):
        assert login_as(role).get(f"/persetujuan-skp/{skp.id}").status_code == 200, role


def test_create_outside_the_window_says_the_dates(app, world, login_as):
    app.config["FIXED_TODAY"] = AFTER_WINDOW
    me = login_as("pegawai")
    page = me.get(f"{BASE}?tahun={YEAR}").get_data(as_text=True)
    assert "Buat SKP" not in page
    assert "1 Januari 2027 sampai 31 Januari 2027" in page
    resp = me.post("/skp-saya/buat", data={"tahun": str(YEAR)})
    assert resp.status_code == 422
    assert "1 Januari 2027 sampai 31 Januari 2027" in resp.get_data(as_text=True)
    assert _skp_of(world, "staff_a") is None


def test_refusals_per_role_are_403_or_404_and_logged(app, world, cascade, login_as):
    """Out of scope: another employee's SKP and RHK are 404 to the page (logged), a role without
    the page is 403 (logged); nothing changes."""
    from app.models import Rhk

    other = login_as("pegawai")
    other.post("/skp-saya/buat", data={"tahun": str(YEAR)})
    skp = _skp_of(world, "staff_a")
    before = _refusals()
    b = login_as(world.employee("staff_b").nip)  # Dinas Pendidikan, another OPD
    assert b.post(f"/skp-saya/skp/{skp.id}/rhk", data={"kind": "UTAMA", "name": "X"}).status_code == 404
    assert b.get(f"/persetujuan-skp/{skp.id}").status_code == 404
    assert b.post(f"/skp-saya/{skp.id}/ajukan").status_code == 404
    kabid_rhk = cascade["kabid_a"][1]
    # the superior may read the subordinate's SKP but not plan it (403, logged by the service)
    boss = login_as("atasan")
    assert boss.post(f"/skp-saya/skp/{skp.id}/rhk", data={"kind": "UTAMA", "name": "X",
                                                      "parent_id": str(kabid_rhk)}).status_code == 403
    # roles without the pages
    keu = login_as("keuangan")
    for url in (BASE, "/persetujuan-skp/", f"/persetujuan-skp/{skp.id}", "/sasaran-strategis/"):
        assert keu.get(url).status_code == 403, url
    assert login_as("auditor").post(f"/persetujuan-skp/{skp.id}/setujui").status_code == 403
    assert login_as("pegawai").get("/persetujuan-skp/").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Rhk).where(Rhk.skp_id == skp.id)) == 0
    assert _refusals() >= before + 9


def test_no_option_list_of_the_whole_city(app, world, cascade, login_as):
    """The RHK link offers only the superior's approved RHK: no list of employees or of every
    RHK of the city."""
    from app.models import Rhk

    me = login_as("pegawai")
    me.post("/skp-saya/buat", data={"tahun": str(YEAR)})
    page = me.get(f"{BASE}?tahun={YEAR}").get_data(as_text=True)
    offered = set(re.findall(r'<option value="(\d+)"', page.split('id="rhk-new-parent"', 1)[1].split("</select>")[0]))
    assert offered == {str(cascade["kabid_a"][1])}
    all_rhk = db.session.scalar(select(func.count()).select_from(Rhk))
    assert all_rhk > len(offered)
    assert "Staff B" not in page and "Kadis B" not in page


def test_returned_with_note_shown_and_submit_errors_next_to_the_button(app, world, cascade, login_as):
    """Submitting a plan without an indicator: the plan check's message comes back on the page."""
    me = login_as("pegawai")
    me.post("/skp-saya/buat", data={"tahun": str(YEAR)})
    skp = _skp_of(world, "staff_a")
    me.post(f"/skp-saya/skp/{skp.id}/rhk", data={"kind": "UTAMA", "name": "RHK tanpa indikator",
                                              "parent_id": str(cascade["kabid_a"][1])})
    resp = me.post(f"/skp-saya/{skp.id}/ajukan")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="skp-submit"' in html and "indikator" in html.split('id="skp-submit"', 1)[1].lower()
    assert _skp_of(world, "staff_a").status == "DRAFT"


def test_opd_head_links_rhk_to_the_opd_goals(app, world, login_as):
    """The head of an OPD picks the OPD's goals (not a superior's RHK)."""
    from tests.test_skp_workflow import city_and_opd_goals

    app.config["FIXED_TODAY"] = IN_WINDOW
    goals = city_and_opd_goals(app, world)
    head = login_as(world.employee("kadis_b").nip)
    head.post("/skp-saya/buat", data={"tahun": str(YEAR)})
    page = head.get(f"{BASE}?tahun={YEAR}").get_data(as_text=True)
    assert 'id="rhk-new-goal"' in page and f'value="{goals["disdik"]}"' in page
    assert f'value="{goals["dinkes"]}"' not in page


def test_goals_page_bkd_city_and_operator_own_opd(app, world, login_as):
    from app.models import StrategicGoal

    bkd = login_as("bkd")
    assert bkd.get(f"/sasaran-strategis/?tahun={YEAR}").status_code == 200
    resp = bkd.post("/sasaran-strategis/tambah", data={"tahun": str(YEAR), "lingkup": "kota", "code": "",
                                                       "name": "Kota sehat"})
    assert resp.status_code == 422
    assert _error_next_to(resp.get_data(as_text=True), "goal-city-code", "Kode sasaran wajib diisi.")
    assert bkd.post("/sasaran-strategis/tambah", data={"tahun": str(YEAR), "lingkup": "kota", "code": "K1",
                                                       "name": "Kota sehat"}).status_code == 302
    city = db.session.scalar(select(StrategicGoal).where(StrategicGoal.code == "K1"))
    dinkes = world.unit("Dinas Kesehatan").id
    disdik = world.unit("Dinas Pendidikan dan Kebudayaan").id
    op = login_as("operator")
    page = op.get(f"/sasaran-strategis/?tahun={YEAR}").get_data(as_text=True)
    assert "Tambah sasaran OPD" in page and "Tambah sasaran Wali Kota" not in page
    assert op.post("/sasaran-strategis/tambah", data={"tahun": str(YEAR), "opd": str(dinkes), "code": "DK-1",
                                                      "name": "Layanan kesehatan merata",
                                                      "parent_id": str(city.id)}).status_code == 302
    before = _refusals()
    # another OPD's goal and the city's: refused (403, logged), nothing written
    assert op.post("/sasaran-strategis/tambah", data={"tahun": str(YEAR), "opd": str(disdik), "code": "DD-1",
                                                      "name": "X", "parent_id": str(city.id)}).status_code == 403
    assert op.post(f"/sasaran-strategis/{city.id}/hapus").status_code == 403
    assert _refusals() >= before + 2
    codes = set(db.session.scalars(select(StrategicGoal.code)))
    assert codes == {"K1", "DK-1"}
    # the window and parameter shown to BKD with a link to the yearly parameters
    page = bkd.get(f"/sasaran-strategis/?tahun={YEAR}&opd={dinkes}").get_data(as_text=True)
    assert "Layanan kesehatan merata" in page and 'id="params-link"' in page
    dk = db.session.scalar(select(StrategicGoal.id).where(StrategicGoal.code == "DK-1"))
    # the city goal is named by the OPD goal: no delete button that can only fail; the OPD goal has one
    assert f'id="delete-goal-{city.id}"' not in page and f'id="delete-goal-{dk}"' in page
    assert "1 Jan 2027 sampai 31 Jan 2027" in page
    assert login_as("auditor").get(f"/sasaran-strategis/?tahun={YEAR}").status_code == 200
    assert "Tambah sasaran" not in login_as("auditor").get(f"/sasaran-strategis/?tahun={YEAR}").get_data(
        as_text=True)


def test_home_shows_the_pending_skp_approval(app, world, cascade, login_as):
    me = login_as("pegawai")
    me.post("/skp-saya/buat", data={"tahun": str(YEAR)})
    skp = _skp_of(world, "staff_a")
    home = me.get("/").get_data(as_text=True)
    assert 'id="home-skp"' in home and "/skp-saya/" in home
    me.post(f"/skp-saya/skp/{skp.id}/rhk", data={"kind": "UTAMA", "name": "RHK",
                                              "parent_id": str(cascade["kabid_a"][1])})
    rhk_id = _skp_of(world, "staff_a").rhks[0].id
    me.post(f"/skp-saya/rhk/{rhk_id}/indikator", data={"aspect": "KUANTITAS", "name": "Laporan",
                                                        "target_value": "1", "target_unit": "laporan"})
    me.post(f"/skp-saya/{skp.id}/ajukan")
    home = login_as("atasan").get("/").get_data(as_text=True)
    assert 'id="home-skp-pending"' in home and "1 SKP menunggu persetujuan Anda" in home


def test_malformed_and_stale_input_changes_nothing(app, world, cascade, login_as):
    """A version or page that is no plain number never answers 500; a stale version (the SKP was
    changed meanwhile) comes back as a message on the same page, nothing changed."""
    me = login_as("pegawai")
    me.post("/skp-saya/buat", data={"tahun": str(YEAR)})
    skp = _skp_of(world, "staff_a")
    me.post(f"/skp-saya/skp/{skp.id}/rhk", data={"kind": "UTAMA", "name": "RHK",
                                                  "parent_id": str(cascade["kabid_a"][1])})
    rhk_id = _skp_of(world, "staff_a").rhks[0].id
    me.post(f"/skp-saya/rhk/{rhk_id}/indikator", data={"aspect": "KUANTITAS", "name": "Laporan",
                                                        "target_value": "1", "target_unit": "laporan"})
    skp = _skp_of(world, "staff_a")
    for hal in ("²", "99999999999999999999999", "-1"):
        assert me.get(f"/persetujuan-skp/daftar?tahun={YEAR}&hal={hal}").status_code == 200
    assert me.get("/skp-saya/?tahun=²").status_code == 200
    stale = skp.version - 1 if skp.version > 1 else skp.version + 5
    resp = me.post(f"/skp-saya/{skp.id}/ajukan", data={"version": str(stale)}, follow_redirects=True)
    assert resp.status_code == 200 and "baru saja diubah oleh pengguna lain" in resp.get_data(as_text=True)
    assert _skp_of(world, "staff_a").status == "DRAFT"
    assert me.post(f"/skp-saya/{skp.id}/ajukan", data={"version": "²"}).status_code == 302
    assert _skp_of(world, "staff_a").status == "SUBMITTED"
    assert me.post("/skp-saya/rhk/1/tidak-ada").status_code == 404
