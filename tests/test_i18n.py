"""Issue 10 item 7: Bahasa Indonesia everywhere a user looks, FAB's widgets included; dates as
'30 Nov 2026', times as '09.00', money as 'Rp1.234.567'; English selectable.

The formatting module's worked examples, the catalog (every string Flask-AppBuilder translates,
its confirmation dialog, its empty-choice placeholder), the empty choice on a real form page,
the date picker's locale asset and the language switch to English and back on real pages.
The picker in a real browser is tests/test_navbar_browser.py."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, datetime, time, timezone, timedelta
from decimal import Decimal

import pytest

from app import formatting as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PO_ID = os.path.join(ROOT, "app", "translations", "id", "LC_MESSAGES", "messages.po")
PO_EN = os.path.join(ROOT, "app", "translations", "en", "LC_MESSAGES", "messages.po")


# --------------------------------------------------------------------------- formatting
def test_dates_in_indonesian_with_the_city_s_month_abbreviations():
    assert F.format_date(date(2026, 11, 30)) == "30 Nov 2026"
    months = [F.format_date(date(2026, m, 1)).split()[1] for m in range(1, 13)]
    assert months == ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
    assert F.format_date(date(2027, 1, 5)) == "5 Jan 2027"
    assert F.format_date(None) == ""
    assert F.format_date_long(date(2026, 11, 30)) == "Senin, 30 November 2026"
    assert F.format_month(2026, 8) == "Agustus 2026"


def test_times_and_timestamps_in_wib():
    assert F.format_time(time(9, 0)) == "09.00"
    assert F.format_time(time(16, 5)) == "16.05"
    # stored in UTC, shown in WIB (UTC+7), also across midnight and the year's end
    assert F.format_datetime(datetime(2026, 11, 30, 2, 0)) == "30 Nov 2026 09.00 WIB"
    assert F.format_datetime(datetime(2026, 12, 31, 17, 30)) == "1 Jan 2027 00.30 WIB"
    aware = datetime(2026, 11, 30, 9, 0, tzinfo=timezone(timedelta(hours=7)))
    assert F.format_datetime(aware) == "30 Nov 2026 09.00 WIB"
    assert F.format_datetime(None) == ""


def test_money_numbers_minutes_and_percentages():
    assert F.format_money(1234567) == "Rp1.234.567"
    assert F.format_money(0) == "Rp0"
    assert F.format_money(-500) == "-Rp500"
    assert F.format_money(Decimal("1234567.5")) == "Rp1.234.568"  # whole rupiah, half up
    assert F.format_money(None) == ""
    assert F.format_number(1234) == "1.234"
    assert F.format_number(Decimal("1234.5")) == "1.234,5"
    assert F.format_minutes(1234) == "1.234 menit"
    assert F.format_pct(Decimal("66.665")) == "66,67%"


def test_english_formats():
    assert F.format_date(date(2026, 8, 17), "en") == "17 Aug 2026"
    assert F.format_time(time(9, 0), "en") == "09:00"
    assert F.format_datetime(datetime(2026, 11, 30, 2, 0), "en") == "30 Nov 2026 09:00 WIB"
    assert F.format_money(1234567, "en") == "Rp1,234,567"
    assert F.format_minutes(1234, "en") == "1,234 minutes"
    assert F.format_pct(Decimal("66.665"), "en") == "66.67%"
    assert F.format_date(date(2026, 8, 17), "xx") == "17 Agu 2026"  # unknown: Indonesian


def test_one_implementation_for_the_old_helpers():
    """The phone pages' fmt_date/fmt_time, the panel's WIB timestamps and list cells are the
    formatting module's (no second implementation to drift)."""
    from app.views import base, my_activities

    assert my_activities.format_time is F.format_time
    assert base.format_wib(datetime(2026, 11, 30, 2, 0)) == "30 Nov 2026 09.00 WIB"
    assert base.display_value(date(2026, 11, 30)) == "30 Nov 2026"
    assert base.display_value(True) == "Ya" and base.display_value(None) == ""


# --------------------------------------------------------------------------- catalog
def _catalog(path):
    from babel.messages.pofile import read_po

    with open(path, "rb") as fh:
        return read_po(fh)


@pytest.mark.parametrize("package,at_least", [("flask_appbuilder", 100), ("wtforms", 30), ("flask_wtf", 3)])
def test_every_string_of_fab_and_its_forms_has_indonesian(tmp_path, package, at_least):
    """Extract the gettext strings of the installed Flask-AppBuilder (Python and Jinja
    templates), WTForms and Flask-WTF, and require an Indonesian translation of each."""
    import importlib

    cfg = tmp_path / "babel.cfg"
    cfg.write_text("[python: **.py]\n[jinja2: **/templates/**.html]\nencoding = utf-8\n")
    pot = tmp_path / "strings.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(cfg),
                    "-k", "lazy_gettext", "-k", "_", "-k", "gettext", "-k", "ngettext:1,2", "-o", str(pot),
                    os.path.dirname(importlib.import_module(package).__file__)], check=True, capture_output=True)
    from babel.messages.pofile import read_po

    with open(pot, "rb") as fh:
        strings = read_po(fh)
    ours = _catalog(PO_ID)
    ids = [m.id for m in strings if m.id]
    assert len(ids) >= at_least
    missing = [i for i in ids if not (ours.get(i) and ours.get(i).string)]
    assert missing == []


def test_catalog_strings_of_the_widgets_and_dialogs():
    ours = _catalog(PO_ID)
    assert ours.get("Select Value").string == "— pilih —"  # Select2's empty choice (was "Pilih Nilai")
    assert ours.get("Cancel").string == "Batal"  # the confirmation dialog's button
    assert ours.get("User confirmation needed").string == "Konfirmasi diperlukan"
    assert ours.get("Are you sure you want to delete this item?").string
    english = _catalog(PO_EN)
    assert english.get("Kinerja").string == "Performance"
    assert english.get("Pemberitahuan").string == "Notifications"


def test_compiled_catalogs_are_current():
    """The .mo files the app loads say what the .po files say."""
    from babel.messages.mofile import read_mo

    for po_path in (PO_ID, PO_EN):
        po = _catalog(po_path)
        with open(po_path[:-2] + "mo", "rb") as fh:
            mo = read_mo(fh)
        for message in po:
            if message.id and message.string:
                compiled = mo.get(message.id)
                assert compiled is not None, message.id
                as_list = (lambda s: [s] if isinstance(s, str) else list(s))
                assert as_list(compiled.string) == as_list(message.string), message.id


# --------------------------------------------------------------------------- pages
def test_empty_choices_read_pilih_on_a_real_form(world, login_as):
    client = login_as("bkd")
    html = client.get("/positionview/add").get_data(as_text=True)
    assert 'data-placeholder="— pilih —"' in html
    assert ">— pilih —</option>" in html
    for english in ("Pilih Nilai", "Select Value", "Select a State", ">__None<"):
        assert english not in html


def test_confirmation_dialog_in_indonesian(world, login_as):
    html = login_as("bkd").get("/employeeview/list/").get_data(as_text=True)
    dialog = html[html.index('id="modal-confirm"'):]
    dialog = dialog[:dialog.index("</div>\n</div>\n</div>") if "</div>\n</div>\n</div>" in dialog else 1500]
    assert "Konfirmasi diperlukan" in dialog and ">Batal<" in dialog and "Cancel" not in dialog


def _widgets_script(html: str):
    m = re.search(r'<script src="([^"]*js/i18n/widgets\.js[^"]*)" nonce="[^"]+" data-locale="(\w+)"></script>', html)
    assert m, "the widgets script (with its nonce) is not on the page"
    return m.group(1), m.group(2)


def _js_list(js: str, key: str) -> list[str]:
    m = re.search(key + r':\s*\[([^\]]*)\]', js)
    assert m, key
    return re.findall(r'"([^"]*)"', m.group(1))


def test_date_picker_locale_asset_is_served_from_this_host(world, login_as):
    client = login_as("bkd")
    html = client.get("/holidayview/add").get_data(as_text=True)
    assert 'class="appbuilder_date' in html or "appbuilder_date" in html  # FAB's picker is on the form
    src, locale = _widgets_script(html)
    assert locale == "id" and src.startswith("/")  # this host, no CDN
    # after FAB's picker script, which it configures
    assert html.index("bootstrap-datepicker.min.js") < html.index("js/i18n/widgets.js")
    resp = client.get(src)
    assert resp.status_code == 200
    js = resp.get_data(as_text=True)
    resp.close()
    assert _js_list(js, "months") == list(F.MONTHS["id"])
    assert _js_list(js, "monthsShort") == list(F.MONTHS_SHORT["id"])
    assert _js_list(js, "days") == ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"]
    assert re.search(r"autoclose:\s*true", js)  # closes after a choice
    assert "onclick" not in js and "http" not in js


def test_list_and_detail_columns_use_the_formats(world, login_as):
    client = login_as("bkd")
    html = client.get("/holidayview/list/").get_data(as_text=True)
    assert "17 Agu 2026" in html and "2026-08-17" not in html and "17-08-2026" not in html
    audit = client.get("/auditlogview/list/").get_data(as_text=True)
    stamps = re.findall(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}([.:])\d{2} WIB", audit)
    assert stamps and set(stamps) == {"."}


def test_language_switch_to_english_and_back(world, login_as):
    client = login_as("bkd")
    home = client.get("/").get_data(as_text=True)
    assert 'id="lang-menu"' in home and 'href="/lang/en"' in home
    assert _widgets_script(client.get("/holidayview/list/").get_data(as_text=True))[1] == "id"

    resp = client.get("/lang/en")
    assert resp.status_code == 302
    page = client.get("/holidayview/list/").get_data(as_text=True)
    assert _widgets_script(page)[1] == "en"  # the date picker and Select2 in English
    assert "17 Aug 2026" in page and "17 Agu 2026" not in page  # the formats
    assert re.search(r">\s*Performance\b", page) and re.search(r">\s*Master Data\b", page)  # menu labels
    assert "Search" in page  # FAB's own strings
    audit = client.get("/auditlogview/list/").get_data(as_text=True)
    assert set(re.findall(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}([.:])\d{2} WIB", audit)) == {":"}

    client.get("/lang/id")
    page = client.get("/holidayview/list/").get_data(as_text=True)
    assert _widgets_script(page)[1] == "id"
    assert "17 Agu 2026" in page and re.search(r">\s*Kinerja\b", page) and "Cari" in page


def test_unknown_language_is_refused_and_indonesian_stays(world, login_as):
    client = login_as("bkd")
    assert client.get("/lang/xx").status_code == 404
    page = client.get("/holidayview/list/").get_data(as_text=True)
    assert _widgets_script(page)[1] == "id" and "17 Agu 2026" in page


@pytest.mark.parametrize("role", ["pegawai", "operator", "keuangan"])
def test_indonesian_is_the_default_for_everyone(world, login_as, role):
    html = login_as(role).get("/").get_data(as_text=True)
    assert 'lang="id"' in html or 'data-locale="id"' in html
    assert "ID" in html and 'href="/lang/en"' in html


def test_every_indonesian_string_wrapped_for_translation_has_english(tmp_path):
    """The app's own gettext strings (Indonesian, in the navbar and the bell's page) all have an
    English translation; the English msgids are FAB's, translated by the Indonesian catalog."""
    templates = os.path.join(ROOT, "app", "templates")
    cfg = tmp_path / "babel.cfg"
    cfg.write_text("[jinja2: **.html]\nencoding = utf-8\n")
    pot = tmp_path / "app.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(cfg),
                    "-k", "_", "-k", "gettext", "-o", str(pot),
                    os.path.join(templates, "appbuilder"), os.path.join(templates, "notifications")],
                   check=True, capture_output=True)
    from babel.messages.pofile import read_po

    with open(pot, "rb") as fh:
        wrapped = [m.id for m in read_po(fh) if m.id]
    indonesian, english = _catalog(PO_ID), _catalog(PO_EN)
    own = [i for i in wrapped if indonesian.get(i) is None]  # not one of FAB's English msgids
    assert "Pemberitahuan" in own and "Menunggu persetujuan Anda" in own
    assert [i for i in own if not (english.get(i) and english.get(i).string)] == []
    assert [i for i in wrapped if i not in own and not indonesian.get(i).string] == []


def test_bell_page_in_english_and_back(world, login_as):
    client = login_as("pegawai")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Pemberitahuan" in page and "Terima ringkasan e-mail" in page
    client.get("/lang/en")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Notifications" in page and "Receive e-mail digest" in page and "Pemberitahuan</h3>" not in page
    client.get("/lang/id")
    assert "Terima ringkasan e-mail" in client.get("/notifications/").get_data(as_text=True)
