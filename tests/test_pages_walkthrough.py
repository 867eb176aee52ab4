"""What a user saw on the pages walked through in a browser (BKD, Operator OPD, Pegawai):
raw codes and placeholders that leaked onto the page, checked on the rendered HTML."""
from __future__ import annotations

import re

from tests.test_recap_pages import recap  # noqa: F401  (fixture)


def test_optional_relation_dropdown_has_an_indonesian_blank_choice(login_as):
    # FAB's blank option of an optional relation had no text, and Select2 showed its value "__None".
    for url, field in (("/positionview/add", "parent"), ("/unitview/add", "parent")):
        body = login_as("bkd").get(url).get_data(as_text=True)
        select = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', body, re.S).group(1)
        assert re.search(r'<option[^>]*value="__None"[^>]*>— pilih —</option>', select), url


def test_rincian_shows_labels_not_codes(recap, login_as):  # noqa: F811
    body = login_as("pegawai").get(f"/recapview/rincian/{recap.id}").get_data(as_text=True)
    rating = re.search(r"Saran rating hasil kerja</td><td[^>]*>([^<]*)<", body).group(1)
    assert rating.endswith("Ekspektasi")  # not DI_BAWAH / SESUAI / DI_ATAS
    params = body[body.index("Parameter yang dipakai"):]
    assert "Menit kerja efektif per hari" in params and "Hari libur bulan ini" in params
    for raw in ("max_minutes_per_day", "reducing_statuses", "late_bands", "health_cap", "['", "None", "[["):
        assert raw not in params, raw


def test_attendance_preview_rows_scroll_inside_their_box(app, tmp_path, world, login_as):
    # The nine-column table of file rows widened the whole page on a phone (390 px): the
    # navbar and the confirm button moved with a horizontal page scroll.
    from datetime import date

    from tests.test_attendance_import import GOOD_ROWS, csv_bytes, upload

    app.config["FIXED_TODAY"] = date(2026, 11, 20)
    app.config["ATTENDANCE_UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    page = upload(login_as("operator"), csv_bytes(GOOD_ROWS), "k.csv").get_data(as_text=True)
    rows_table = page.index("<th>Baris</th><th>NIP</th>")
    box = page.rfind('<div class="table-responsive">', 0, rows_table)
    assert box != -1 and "</div>" not in page[box:rows_table]


def test_profile_page_reads_as_indonesian(login_as):
    # Profil showed "Aktif? True" and "Peran [Pegawai]"; its button must match the way the
    # one-time-password notice names it ("Profil → Ubah Kata Sandi").
    body = login_as("pegawai").get("/users/userinfo/").get_data(as_text=True)
    cells = re.findall(r"<td><span[^>]*>([^<]*)</span></td>", body)
    assert "Ya" in cells and "Pegawai" in cells
    assert "True" not in cells and "[Pegawai]" not in cells
    assert "Ubah Kata Sandi" in body
    assert "Ubah Kata Sandi" in login_as("pegawai").get("/resetmypassword/form").get_data(as_text=True)


def test_confirmation_modal_buttons_are_indonesian(login_as):
    # The modal of list actions (Nonaktifkan pegawai terpilih?) offered an English "Cancel".
    body = login_as("operator").get("/employeeview/list/").get_data(as_text=True)
    modal = body[body.index('id="modal-confirm"'):]
    modal = modal[:modal.index("modal-confirm-ok")]
    assert ">Batal</button>" in modal and "Cancel" not in modal


def test_forms_wrap_on_a_phone(app, login_as):
    # At 390 px the add/edit form table kept every cell on one line (Bootstrap's
    # .table-responsive), cutting off help texts and inputs: every page loads the app
    # stylesheet whose phone rule lets form cells wrap.
    body = login_as("operator").get("/employeeview/add").get_data(as_text=True)
    assert 'href="/static/css/ekinerja.css?v=' in body  # fingerprinted (app/static_assets.py)
    css = app.test_client().get("/static/css/ekinerja.css")
    text = css.get_data(as_text=True)
    assert css.status_code == 200 and "max-width: 767px" in text
    rule = re.search(r"(form \.table-responsive > \.table > tbody > tr > td,[^{]*)\{\s*white-space: normal;", text)
    assert rule and ".panel-group .table-responsive" in rule.group(1)  # detail pages such as Profil
