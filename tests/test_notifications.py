"""Notifications (issue 10 item 6): counts per role, the bell, the e-mail setting page and the
`send-reminders` command against a real SMTP server (aiosmtpd) started by the test."""
from __future__ import annotations

import email
import re
import socket
from datetime import date, datetime
from email import policy

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from app.extensions import db, mail
from app.models import Activity, AuditLog, NotificationSetting
from tests.conftest import NIPS

TODAY = date(2026, 11, 18)  # Wednesday; Dinas Kesehatan works 5 days, submit deadline 2 working days
REFUSED = f"{NIPS['kadis_a'][0]}@malangkota.go.id"


def _add(employee, d, status, text, **kw):
    item = Activity(employee_id=employee.id, date=d, description=text, status=status, claimed_minutes=60, **kw)
    db.session.add(item)
    return item


@pytest.fixture
def scene(app, world):
    """pegawai (staff_a): 1 returned, drafts of 16 and 17 Nov near their deadline (18 and 19 Nov),
    drafts of 13 Nov (deadline passed) and 18 Nov (deadline 20 Nov) not near;
    operator (op_a): 1 returned; atasan (kabid_a): 4 in the queue, 1 of them escalating tomorrow;
    kadis_a: the overdue one (escalated to him); staff_a1: a returned item but no e-mail address."""
    app.config["FIXED_TODAY"] = TODAY
    staff, op, kabid, kadis = (world.employee(k) for k in ("staff_a", "op_a", "kabid_a", "kadis_a"))
    decided = datetime(2026, 11, 17, 3, 0)
    _add(staff, date(2026, 11, 12), "RETURNED", "Rekap data imunisasi", decision_note="Lampirkan bukti rekap",
         decided_at=decided)
    _add(staff, date(2026, 11, 16), "DRAFT", "Entri data posyandu")
    _add(staff, date(2026, 11, 17), "DRAFT", "Validasi laporan puskesmas")
    _add(staff, date(2026, 11, 13), "DRAFT", "Draf yang sudah lewat batas")
    _add(staff, date(2026, 11, 18), "DRAFT", "Draf hari ini")
    _add(op, date(2026, 11, 11), "RETURNED", "Usulan kenaikan pangkat", decision_note="Periksa golongan",
         decided_at=decided)
    sub = dict(superior_id=kabid.id, escalation_id=kadis.id)
    _add(staff, date(2026, 11, 16), "SUBMITTED", "Laporan bulanan gizi", review_due=date(2026, 11, 19), **sub)
    _add(staff, date(2026, 11, 17), "SUBMITTED", "Rapat koordinasi", review_due=date(2026, 11, 25), **sub)
    _add(op, date(2026, 11, 17), "SUBMITTED", "Verifikasi berkas cuti", review_due=date(2026, 11, 24), **sub)
    _add(staff, date(2026, 11, 10), "SUBMITTED", "Sosialisasi germas", review_due=date(2026, 11, 17), **sub)
    staff_a1 = world.employee("staff_a1")
    _add(staff_a1, date(2026, 11, 12), "RETURNED", "Asuhan keperawatan", decision_note="Lengkapi", decided_at=decided)
    staff_a1.user.email = ""
    db.session.commit()
    return world


def _summary(world, key):
    from app.security import role_names
    from app.services.activities import Actor
    from app.services.notifications import summary_for

    emp = world.employee(key)
    return summary_for(Actor(emp.user.id, emp.user.username, emp.id, role_names(emp.user)), TODAY)


def test_counts_per_role(scene):
    s = _summary(scene, "staff_a")  # pegawai
    assert (s.returned_count, s.drafts_count, s.queue_count, s.escalating_count) == (1, 2, 0, 0)
    assert s.returned[0].note == "Lampirkan bukti rekap"
    assert [(i.date, i.due) for i in s.drafts] == [(date(2026, 11, 16), date(2026, 11, 18)),
                                                   (date(2026, 11, 17), date(2026, 11, 19))]
    s = _summary(scene, "op_a")  # operator
    assert (s.returned_count, s.drafts_count, s.queue_count, s.escalating_count) == (1, 0, 0, 0)
    s = _summary(scene, "kabid_a")  # atasan
    assert (s.returned_count, s.drafts_count, s.queue_count, s.escalating_count) == (0, 0, 4, 1)
    assert s.escalating[0].description == "Laporan bulanan gizi"
    s = _summary(scene, "kadis_a")  # the overdue item escalated to the superior's superior
    assert (s.queue_count, s.escalating_count) == (1, 0)


def test_city_summaries_match_the_user_summaries(scene):
    from app.services.notifications import city_summaries

    city = city_summaries(TODAY)
    for key in ("staff_a", "op_a", "kabid_a", "kadis_a", "staff_a1"):
        one = _summary(scene, key)
        grouped = city[scene.employee(key).user.id]
        assert (grouped.returned_count, grouped.drafts_count, grouped.queue_count, grouped.escalating_count) == \
            (one.returned_count, one.drafts_count, one.queue_count, one.escalating_count), key
    assert len(city) == 5  # nobody else has anything to report


@pytest.mark.parametrize("role,count", [("pegawai", 3), ("operator", 1), ("atasan", 4)])
def test_bell_in_navbar_and_page(role, count, scene, login_as):
    c = login_as(role)
    html = c.get("/activityview/list/").get_data(as_text=True)
    assert re.search(r'id="notif-count">%d<' % count, html), role
    assert 'href="/notifications/"' in html
    page = c.get("/notifications/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    if role == "pegawai":
        assert "Lampirkan bukti rekap" in body and "Entri data posyandu" in body
        assert "Draf yang sudah lewat batas" not in body and "Draf hari ini" not in body
    if role == "atasan":
        assert 'id="notif-escalating"' in body and "/approvalqueueview/decide/" in body


def test_bell_without_items_and_anonymous(app, world, login_as, client):
    app.config["FIXED_TODAY"] = TODAY
    html = login_as("keuangan").get("/").get_data(as_text=True)
    assert 'id="notif-bell"' in html and 'id="notif-count"' not in html
    assert client.get("/notifications/").status_code == 302
    assert 'id="notif-bell"' not in client.get("/login/").get_data(as_text=True)


def test_opt_out_page(app, world, login_as):
    c = login_as("pegawai")
    user_id = world.employee("staff_a").user.id
    page = c.get("/notifications/settings").get_data(as_text=True)
    assert "Terima ringkasan e-mail" in page and "aktif" in page
    resp = c.post("/notifications/settings", data={}, follow_redirects=True)  # box unchecked
    assert resp.status_code == 200 and "dinonaktifkan" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(NotificationSetting, user_id).email_digest is False
    c.post("/notifications/settings", data={"email_digest": "y"})
    db.session.expire_all()
    assert db.session.get(NotificationSetting, user_id).email_digest is True
    # with CSRF on (as in production) a post without the token changes nothing
    app.config["WTF_CSRF_ENABLED"] = True
    assert 'name="csrf_token"' in c.get("/notifications/settings").get_data(as_text=True)
    assert c.post("/notifications/settings", data={}).status_code == 400
    db.session.expire_all()
    assert db.session.get(NotificationSetting, user_id).email_digest is True


def test_settings_reachable_from_navbar(login_as):
    html = login_as("atasan").get("/").get_data(as_text=True)
    assert 'href="/notifications/settings"' in html


# --------------------------------------------------------------------------- real SMTP server
class _Handler:
    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 Kotak surat tidak dikenal"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content,
                                                                                policy=policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(app):
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = _Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False, MAIL_USE_TLS=False,
                      MAIL_DEFAULT_SENDER="ekinerja@malangkota.go.id", APP_BASE_URL="https://kinerja.example")
    mail.init_app(app)
    yield handler
    controller.stop()


def _texts(msg):
    plain = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    return plain, html


def test_send_reminders_over_smtp(app, scene, smtp):
    addr = {k: f"{NIPS[k][0]}@malangkota.go.id" for k in NIPS}
    from app.services.notifications import set_email_digest

    set_email_digest(scene.employee("op_a").user.id, False)  # operator opted out
    db.session.commit()
    audits_before = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "Notifikasi"))

    result = app.test_cli_runner().invoke(args=["send-reminders"])
    out = result.output
    assert "Ringkasan terkirim: 2" in out, out
    assert "memilih tidak menerima: 1" in out and "tanpa alamat e-mail: 1" in out
    assert f"Gagal dikirim ke {REFUSED}" in out and "550" in out
    assert result.exit_code == 1  # a failure is reported to cron

    got = {rcpts[0]: msg for rcpts, msg in smtp.messages}
    assert set(got) == {addr["staff_a"], addr["kabid_a"]}  # one digest each, refused one did not stop them
    plain, html = _texts(got[addr["staff_a"]])
    assert "Aktivitas dikembalikan atasan untuk diperbaiki (1)" in plain and "Lampirkan bukti rekap" in plain
    assert "Draf yang batas pengajuannya hari ini atau hari kerja berikutnya (2)" in plain
    assert "Entri data posyandu" in plain and "Draf hari ini" not in plain
    assert "menunggu persetujuan" not in plain
    assert "Lampirkan bukti rekap" in html and "https://kinerja.example/notifications/settings" in html
    plain, html = _texts(got[addr["kabid_a"]])
    assert "Aktivitas menunggu persetujuan Anda: 4." in plain
    assert "Segera diputuskan" in plain and "Laporan bulanan gizi" in plain and "dikembalikan" not in plain
    assert "Segera diputuskan (1)" in html
    assert got[addr["kabid_a"]]["Subject"].startswith("e-Kinerja: ringkasan")

    db.session.expire_all()
    assert db.session.get(NotificationSetting, scene.employee("staff_a").user.id).last_digest_on == TODAY
    audits = db.session.scalars(select(AuditLog).where(AuditLog.entity == "Notifikasi")).all()
    assert len(audits) == audits_before + 1 and audits[-1].action == "DIGEST"

    # second run the same day: nothing sent twice; the refused recipient is tried again
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert "Ringkasan terkirim: 0" in result.output and "sudah dikirim hari ini: 2" in result.output
    assert len(smtp.messages) == 2
    assert db.session.scalar(select(func.count()).select_from(AuditLog)
                             .where(AuditLog.entity == "Notifikasi")) == audits_before + 2


def test_send_reminders_smtp_down(app, scene):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False)
    mail.init_app(app)
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code != 0 and "tidak dapat dihubungi" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(NotificationSetting)
                             .where(NotificationSetting.last_digest_on.is_not(None))) == 0



def test_bell_is_cheap(app, scene):
    """The navbar's own part of the bell: one grouped query per page; the calendar ranges are
    computed once and kept for a few minutes."""
    from sqlalchemy import event

    from app.services.notifications import cached_horizon, own_counts

    statements = []

    def count(*args, **kwargs):
        statements.append(1)

    h = cached_horizon()
    employee_id = scene.employee("staff_a").id
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert cached_horizon() is h
        assert own_counts(employee_id, h) == (1, 2)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1


def test_top_of_tree_queue_for_bkd_and_admin(app, scene, login_as):
    """The Sekda's activity has no superior: BKD and Admin decide it, so it is in their queue."""
    from app.services.notifications import city_summaries

    _add(scene.employee("sekda"), date(2026, 11, 17), "SUBMITTED", "Rapat pimpinan", review_due=date(2026, 11, 20))
    db.session.commit()
    city = city_summaries(TODAY)
    for name in ("bkd", "admin"):
        uid = db.session.scalar(select(User.id).where(User.username == name))
        assert city[uid].queue_count == 1, name
    assert re.search(r'id="notif-count">1<', login_as("bkd").get("/").get_data(as_text=True))
