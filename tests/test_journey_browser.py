"""The daily loop on a phone, end to end in a real browser (issue 10 item 9).

Debian's Chromium through Playwright at 390x844 with touch, on the demo data. The cast is
picked from the seeded database: an employee (role Pegawai only) with catalog items allowed
for the position and a superior in the same OPD who has at least five submitted items of
another subordinate waiting; an operator and an employee of another OPD.

Every page visited passes tests/browser_support.Session.audit (no sideways scrolling at
390 px, no console error, no request to another host, no serious or critical axe finding).
Taps are counted: from login one catalog activity recorded and submitted in at most 8, five
items approved in at most 3, one returned with a note in at most 4 plus typing."""
from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass

import pytest

from tests.browser_support import Session, browser, demo_app, server, session  # noqa: F401 (fixtures)

MAX_TAPS_RECORD_SUBMIT = 8
MAX_TAPS_APPROVE_FIVE = 3
MAX_TAPS_RETURN = 4
NOTE = "Lampirkan daftar hadir rapat dan perbaiki jam selesai."
TAPS: dict[str, int] = {}


def _png() -> bytes:
    """A valid 1x1 PNG (evidence content is checked against its type)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x80\x00")) + chunk(b"IEND", b""))


@dataclass
class Cast:
    employee_login: str
    employee_id: int
    employee_nip: str
    superior_login: str
    other_id: int  # a subordinate of the superior with at least five submitted items
    other_waiting: int
    operator_login: str
    foreign_employee_id: int  # an employee of another OPD than the operator's
    foreign_activity_id: int


@pytest.fixture(scope="module")
def cast(demo_app):
    from sqlalchemy import func, select

    from app.domain import workflow as wf
    from app.extensions import db
    from app.models import Activity, Employee, Unit
    from app.services import calendar as cal_service
    from app.services.organisation import today_local
    from app.views.my_activities import allowed_catalog

    with demo_app.app_context():
        assert cal_service.period_state(today_local()) == "OPEN", "demo data: the current period is not open"

        def opd(employee):
            return db.session.get(Unit, employee.unit_id).opd_id

        def roles(employee):
            return {r.name for r in employee.user.roles} if employee.user else set()

        waiting = db.session.execute(
            select(Activity.superior_id, Activity.employee_id, func.count())
            .where(Activity.status == wf.SUBMITTED, Activity.superior_id.is_not(None))
            .group_by(Activity.superior_id, Activity.employee_id)
            .having(func.count() >= 5).order_by(Activity.superior_id, Activity.employee_id)).all()
        picked = None
        for superior_id, other_id, n in waiting:
            superior = db.session.get(Employee, superior_id)
            if not superior.active or "Atasan" not in roles(superior):
                continue
            subordinates = db.session.scalars(select(Employee).where(
                Employee.superior_id == superior_id, Employee.active.is_(True), Employee.id != other_id,
                Employee.user_id.is_not(None)).order_by(Employee.id)).all()
            employee = next((e for e in subordinates if roles(e) == {"Pegawai"} and opd(e) == opd(superior)
                             and any(c.norm_minutes for c in allowed_catalog(e))), None)
            if employee is not None:
                picked = (superior, employee, other_id, n)
                break
        assert picked, "demo data: no superior with an employee to record and five items of another waiting"
        superior, employee, other_id, n = picked

        operator = next(e for e in db.session.scalars(
            select(Employee).where(Employee.user_id.is_not(None), Employee.active.is_(True)).order_by(Employee.id))
            if "Operator OPD" in roles(e))
        foreign = db.session.scalars(select(Employee).join(Unit, Unit.id == Employee.unit_id).where(
            Unit.opd_id != opd(operator)).order_by(Employee.id)).first()
        foreign_activity = db.session.scalar(select(Activity.id).join(Employee, Employee.id == Activity.employee_id)
                                             .join(Unit, Unit.id == Employee.unit_id)
                                             .where(Unit.opd_id != opd(operator)).order_by(Activity.id).limit(1))
        result = Cast(employee.user.username, employee.id, employee.nip, superior.user.username, other_id, n,
                      operator.user.username, foreign.id, foreign_activity)
        db.session.remove()
        return result


def _cards(page) -> set[int]:
    return {int(i.split("-")[1]) for i in page.eval_on_selector_all("article.ek-act", "els => els.map(e => e.id)")}


def _status(page, pk: int) -> str:
    return page.get_attribute(f"#act-{pk}", "data-status")


def _charts(s: Session, who: str, every: bool = True) -> None:
    """The dashboard draws its charts (Chart.js instances on the panels' canvases). `every`:
    each panel; else a panel may instead say why it has none (BKD has no own month)."""
    page = s.open("/dashboard/")
    page.wait_for_function("""() => window.Chart && [...document.querySelectorAll('[data-chart]')].every(
        p => p.querySelector('.ek-chart-box').style.display === 'none' || Chart.getChart(p.querySelector('canvas')))""")
    panels = page.evaluate("""() => [...document.querySelectorAll('[data-chart]')].map(p => [
        p.dataset.chart, !!Chart.getChart(p.querySelector('canvas')), p.querySelector('.ek-message').textContent.trim()])""")
    assert any(drawn for _, drawn, _ in panels), (who, panels)
    for name, drawn, message in panels:
        assert drawn or (not every and message), (who, name, message)
    s.audit(f"dashboard {who}")


def _refusals(app) -> int:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import AuditLog

    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
        db.session.remove()
        return n


def test_daily_loop_on_a_phone(cast, demo_app, server, browser):  # noqa: F811
    # ---------------------------------------------------------------- the employee records
    with session(browser, server, phone=True, audit=True) as emp:
        with emp.step("employee records a catalog activity with evidence and submits"):
            start = emp.taps  # from the login page
            emp.login(cast.employee_login, counted=True)
            page = emp.tap("#home-add", navigates=True)
            assert "/aktivitas-saya/" in page.url
            before = _cards(page)
            option = page.locator("#f-catalog option[data-norm]:not([data-norm=''])").first
            emp.choose("#f-catalog", option.get_attribute("value"))
            emp.attach("#f-evidence", {"name": "bukti-kegiatan.png", "mimeType": "image/png", "buffer": _png()})
            page = emp.tap("#entry-save-submit", navigates=True)  # "Simpan dan ajukan"
            (catalog_id,) = _cards(page) - before
            assert _status(page, catalog_id) == "SUBMITTED"
            assert "bukti-kegiatan.png" in page.locator(f"#act-{catalog_id}").inner_text()
            TAPS["record and submit a catalog activity"] = emp.taps - start
        with emp.step("employee records a free-text activity and submits"):
            before = _cards(page)
            emp.type_into("#f-description", "Rapat koordinasi pelayanan kesehatan tingkat kelurahan")
            emp.type_into("#f-start", "13:00")
            emp.type_into("#f-end", "14:30")
            assert page.locator("#f-claimed-n").text_content() == "90 menit"
            page = emp.tap("#entry-save", navigates=True)
            (free_id,) = _cards(page) - before
            page = emp.tap("#submit-day button", navigates=True)
            assert _status(page, free_id) == "SUBMITTED"
        _charts(emp, "pegawai")

    # ---------------------------------------------------------------- the superior decides
    with session(browser, server, phone=True, audit=True) as sup:
        with sup.step("superior returns the free-text activity with a note"):
            sup.login(cast.superior_login)
            page = sup.tap("#home-queue-link", navigates=True)
            sup.choose("#q-pegawai", str(cast.employee_id))
            page = sup.tap("#queue-filter button[type=submit]", navigates=True)
            start = sup.taps
            sup.tap(f"#queue-item-{free_id} .ek-q-more > summary")
            sup.type_into(f"#note-{free_id}", NOTE)
            page = sup.tap(f"#queue-item-{free_id} button[value=RETURN]", navigates=True)
            TAPS["return one with a note"] = sup.taps - start
            assert "dikembalikan" in page.locator("body").inner_text()
            assert page.locator(f"#queue-item-{free_id}").count() == 0
            assert f"pegawai={cast.employee_id}" in page.url  # stays on the filtered queue
        with sup.step("superior approves two with one tap"):
            rows = page.eval_on_selector_all("input[name=ids]", "els => els.map(e => e.value)")
            if len(rows) < 2:  # the employee's only item: the whole queue ("Hapus filter")
                page = sup.tap("#queue-filter a.ek-q-btn-plain", navigates=True)
                rows = page.eval_on_selector_all(f"input[name=ids]:not(#queue-emp-{cast.other_id} *)",
                                                 "els => els.map(e => e.value)")
            two = [str(catalog_id)] + [r for r in rows if r != str(catalog_id)][:1]
            assert len(two) == 2, rows
            for pk in two:
                sup.tap(f"#queue-item-{pk} .ek-q-check input")
            start = sup.taps
            page = sup.tap("#queue-bulk-btn", navigates=True)
            assert sup.taps - start == 1
            assert "2 aktivitas disetujui." in page.locator("body").inner_text()
        with sup.step("superior approves five from the home page"):
            page = sup.open("/")
            start = sup.taps
            page = sup.tap("#home-queue-link", navigates=True)
            group = page.locator(f"#queue-emp-{cast.other_id}")
            waiting = group.locator(".ek-q-card").count()
            assert waiting >= 5, waiting
            sup.tap(group.locator(".ek-q-all"))
            page = sup.tap("#queue-bulk-btn", navigates=True)
            TAPS["approve five or more (%d)" % waiting] = sup.taps - start
            assert f"{waiting} aktivitas disetujui." in page.locator("body").inner_text()
            assert page.locator(f"#queue-emp-{cast.other_id}").count() == 0
        _charts(sup, "atasan")

    # ---------------------------------------------------------------- the employee fixes
    with session(browser, server, phone=True, audit=True) as emp:
        with emp.step("employee sees the return on the home page, fixes and resubmits"):
            emp.login(cast.employee_login)
            returned = emp.page.locator("#home-returned")
            assert NOTE in returned.inner_text()
            page = emp.tap(returned.locator(f"a[href*='/{free_id}']"), navigates=True)
            assert page.locator("#entry-form").count() == 1 and NOTE in page.locator("#entry").inner_text()
            emp.type_into("#f-end", "14:00")
            page = emp.tap("#entry-save", navigates=True)
            assert _status(page, free_id) == "RETURNED"
            page = emp.tap(f"#resubmit-{free_id}", navigates=True)
            assert _status(page, free_id) == "SUBMITTED"
            assert _status(page, catalog_id) == "APPROVED"

    # ---------------------------------------------------------------- BKD
    with session(browser, server, phone=True, audit=True) as bkd:
        with bkd.step("BKD recomputes and downloads the city recap"):
            bkd.login("bkd")
            page = bkd.open("/recapview/recompute/")
            page = bkd.tap("form button[type=submit]", navigates=True)
            assert "alert-success" in page.content()
            assert page.locator(".ek-cards tbody td[data-label='NIP']").count() > 0  # rows as labelled cards
            page = bkd.open("/reports/")
            bkd.choose("#kind", "recap")
            assert page.eval_on_selector("#opd", "e => e.value") == ""  # the whole city
            with page.expect_download() as info:
                bkd.tap("#report-form button[type=submit]")
            download = info.value
            assert download.suggested_filename.endswith(".xlsx")
            from openpyxl import load_workbook

            sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read()), read_only=True).active
            cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
            assert cast.employee_nip in cells
            bkd.check("after download")
        _charts(bkd, "bkd", every=False)

    # ---------------------------------------------------------------- an operator
    with session(browser, server, phone=True, audit=True) as op:
        with op.step("an operator cannot reach another OPD's employee by URL"):
            op.login(cast.operator_login)
            before = _refusals(demo_app)
            op.open(f"/employeeview/show/{cast.foreign_employee_id}", status=404)
            op.open(f"/activityview/show/{cast.foreign_activity_id}", status=404)
            op.open(f"/aktivitas-saya/ubah/{cast.foreign_activity_id}", status=404)
            assert _refusals(demo_app) == before + 3  # each refusal logged
        _charts(op, "operator")

    print("taps measured:", TAPS)
    assert TAPS["record and submit a catalog activity"] <= MAX_TAPS_RECORD_SUBMIT, TAPS
    assert TAPS["return one with a note"] <= MAX_TAPS_RETURN, TAPS
    assert next(v for k, v in TAPS.items() if k.startswith("approve five")) <= MAX_TAPS_APPROVE_FIVE, TAPS
