"""Dasbor (issue 5 item 4): Chart.js served from the app's own static files, scoped JSON
endpoints with SQL aggregates. The expected figures below are computed by hand from the small
fixture `data` (November 2026, today pinned to Wednesday 18 November 2026)."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Activity, Attendance, AuditLog, Employee, Evaluation, Holiday, OrgPredikat, Period, Recap,
)
from tests.conftest import NIPS

TODAY = date(2026, 11, 18)  # a Wednesday
CHARTJS_VERSION = "4.6.1"


@pytest.fixture(autouse=True)
def fixed_today(app):
    app.config["FIXED_TODAY"] = TODAY


def period():
    return db.session.scalar(select(Period).where(Period.year == 2026, Period.month == 11))


def act(employee, day, minutes, status, superior=None, escalation=None, due=None, decided=None):
    item = Activity(employee=employee, date=day, description="Kegiatan", volume=1, start_time=time(8),
                    end_time=time(9), claimed_minutes=minutes, status=status,
                    submitted_at=datetime(2026, 11, 1, 2) if status != "DRAFT" else None,
                    superior=superior, escalation=escalation, review_due=due, decided_at=decided)
    db.session.add(item)
    return item


@pytest.fixture
def data(world):
    """Activities, attendance, a holiday, recap rows, evaluations and an organisation predikat."""
    e = {k: world.employee(k) for k in NIPS}
    # staff_a (Dinas Kesehatan, 5-day week; superior kabid_a, escalation kadis_a)
    act(e["staff_a"], date(2026, 11, 1), 30, "APPROVED", e["kabid_a"], due=date(2026, 11, 3),
        decided=datetime(2026, 11, 2, 1))  # a Sunday: minutes, no target
    act(e["staff_a"], date(2026, 11, 2), 240, "APPROVED", e["kabid_a"], due=date(2026, 11, 4),
        decided=datetime(2026, 11, 3, 2))
    act(e["staff_a"], date(2026, 11, 2), 300, "APPROVED", e["kabid_a"], due=date(2026, 11, 4),
        decided=datetime(2026, 11, 3, 2))  # 540 that day, capped to 450
    act(e["staff_a"], date(2026, 11, 3), 120, "SUBMITTED", e["kabid_a"], e["kadis_a"], due=date(2026, 11, 20))
    act(e["staff_a"], date(2026, 11, 4), 60, "SUBMITTED", e["kabid_a"], e["kadis_a"], due=date(2026, 11, 16))
    act(e["staff_a"], date(2026, 11, 5), 90, "DRAFT")
    # decided 17:00 UTC on the due date = 00:00 WIB the next day: late
    act(e["staff_a"], date(2026, 11, 6), 60, "REJECTED", e["kabid_a"], due=date(2026, 11, 10),
        decided=datetime(2026, 11, 10, 17, 0, 0))
    act(e["staff_a"], date(2026, 10, 30), 100, "APPROVED", e["kabid_a"], due=date(2026, 11, 3),
        decided=datetime(2026, 11, 2, 1))  # another month
    # op_a (Dinas Kesehatan)
    act(e["op_a"], date(2026, 11, 9), 60, "SUBMITTED", e["kabid_a"], e["kadis_a"], due=date(2026, 11, 17))
    # decided 16:59:59 UTC on the due date = 23:59:59 WIB: on time
    act(e["op_a"], date(2026, 11, 9), 30, "RETURNED", e["kabid_a"], due=date(2026, 11, 12),
        decided=datetime(2026, 11, 12, 16, 59, 59))
    # staff_b (Dinas Pendidikan dan Kebudayaan)
    act(e["staff_b"], date(2026, 11, 2), 200, "APPROVED", e["kadis_b"], due=date(2026, 11, 4),
        decided=datetime(2026, 11, 5, 3))  # late
    act(e["staff_b"], date(2026, 11, 3), 60, "DRAFT")
    act(e["staff_b"], date(2026, 11, 4), 100, "SUBMITTED", e["kadis_b"], due=date(2026, 11, 20))

    db.session.add(Holiday(date=date(2026, 11, 25), name="Libur Uji", kind="LIBUR_DAERAH"))
    db.session.add(Attendance(employee=e["staff_a"], date=date(2026, 11, 10), status="CUTI"))

    p = period()
    scores = {"staff_a": "80.00", "op_a": "90.50", "staff_a1": "70.25", "staff_b": "60.00", "op_b": "65.50"}
    for key, score in scores.items():
        emp = e[key]
        db.session.add(Recap(
            period_id=p.id, employee_id=emp.id, nip=emp.nip, name=emp.name, unit_id=emp.unit_id,
            opd_id=emp.unit.opd_id, unit_name=emp.unit.name, employee_kind="PNS", golongan=emp.golongan,
            workdays_per_week=5, calendar_working_days=20, reduced_days=0, working_days=20, target_minutes=6000,
            recognised_minutes=0, work_score=score, deduction_pct=0, sanction_pct=0, base_tpp=0,
            performance_part=0, discipline_part=0, gross=0, tax=0, health=0, net=0, params="{}"))
    predikat = {"staff_a": "BAIK", "op_a": "SANGAT_BAIK", "staff_a1": "BAIK", "kabid_a": "BAIK",
                "staff_b": "KURANG"}
    for key, code in predikat.items():
        db.session.add(Evaluation(employee_id=e[key].id, period_id=p.id, rating_hasil_kerja="SESUAI",
                                  rating_perilaku="SESUAI", predikat=code))
    db.session.add(OrgPredikat(unit_id=world.unit("Dinas Kesehatan").id, period_id=p.id, predikat="BAIK"))
    db.session.commit()
    return e


def get_json(client, name, **params):
    resp = client.get(f"/dashboard/data/{name}", query_string=params)
    return resp.status_code, resp.get_json()


def refusals(action):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == action))


# --------------------------------------------------------------------------- static files
def test_chartjs_served_locally(client):
    resp = client.get(f"/static/vendor/chartjs/chart.umd.min.js")
    assert resp.status_code == 200
    assert resp.data.startswith(b"/*!\n * Chart.js v" + CHARTJS_VERSION.encode())
    assert len(resp.data) > 100_000
    resp.close()
    js = client.get("/static/js/dashboard.js")
    assert js.status_code == 200 and b"new Chart(" in js.data
    assert b"http://" not in js.data and b"https://" not in js.data
    js.close()
    # FAB's own static files still answer under /static/appbuilder (no clash)
    fab = client.get("/static/appbuilder/js/ab.js")
    assert fab.status_code == 200
    fab.close()


def test_vendored_files_present():
    import os

    import app as app_pkg

    base = os.path.join(os.path.dirname(app_pkg.__file__), "static", "vendor", "chartjs")
    assert os.path.exists(os.path.join(base, "LICENSE.md"))
    with open(os.path.join(base, "VERSION"), encoding="utf-8") as fh:
        assert f"Chart.js {CHARTJS_VERSION}" in fh.read()


@pytest.mark.parametrize("role", ["bkd", "operator", "pegawai", "atasan", "auditor", "admin"])
def test_page_has_no_external_urls(data, login_as, role):
    resp = login_as(role).get("/dashboard/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    assert "/static/js/dashboard.js" in html
    lowered = html.lower()
    assert "cdn" not in lowered and "googleapis" not in lowered and "gstatic" not in lowered
    for attr, url in re.findall(r'\b(src|href)\s*=\s*["\']([^"\']*)["\']', html, flags=re.I):
        assert not re.match(r"^\s*(https?:)?//", url, flags=re.I), f"{attr}={url}"
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html, flags=re.I)


def test_page_shows_the_charts_of_the_roles(data, login_as):
    def charts(role):
        html = login_as(role).get("/dashboard/").get_data(as_text=True)
        return set(re.findall(r'data-chart="([a-z_]+)"', html))

    everything = {"employee_month", "queue", "opd_rates", "opd_scores", "predikat"}
    assert charts("bkd") == everything
    assert charts("admin") == everything
    assert charts("auditor") == {"employee_month", "opd_rates", "opd_scores", "predikat"}
    assert charts("operator") == {"employee_month", "opd_rates", "opd_scores", "predikat"}
    assert charts("pegawai") == {"employee_month"}
    assert charts("atasan") == {"employee_month", "queue"}


def test_keuangan_has_no_dashboard(data, login_as):
    client = login_as("keuangan")
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/data/opd_rates").status_code == 403
    assert client.get("/dashboard/data/employee_month").status_code == 403


def test_anonymous_is_sent_to_login(client):
    resp = client.get("/dashboard/data/opd_rates")
    assert resp.status_code in (302, 401)


def test_menu_entry(data, login_as):
    html = login_as("pegawai").get("/").get_data(as_text=True)
    assert "/dashboard/" in html and "Dasbor" in html


# --------------------------------------------------------------------------- employee's month
def test_employee_month_of_pegawai(data, login_as):
    status, body = get_json(login_as("pegawai"), "employee_month")
    assert status == 200
    assert body["employee"]["nip"] == NIPS["staff_a"][0]
    assert (body["year"], body["month"]) == (2026, 11)
    assert body["cap_minutes_per_day"] == 450 and body["target_minutes_per_day"] == 300
    days = {d["day"]: d for d in body["days"]}
    assert len(days) == 30
    # 21 Monday–Friday days in November 2026, minus the holiday (25th) and the day of leave (10th)
    assert body["working_days"] == 19
    assert days[1] == {**days[1], "working_day": False, "target": 0, "approved": 30, "recognised": 30}
    assert days[2]["target"] == 300 and days[2]["approved"] == 540 and days[2]["recognised"] == 450
    assert days[3]["pending"] == 120 and days[3]["recognised"] == 0
    assert days[4]["pending"] == 60
    assert days[5]["not_submitted"] == 90 and days[5]["pending"] == 0
    assert days[6]["approved"] == 0 and days[6]["pending"] == 0 and days[6]["activities"] == 1  # rejected
    assert days[10]["target"] == 0 and days[10]["absence"] == "Cuti"
    assert days[25]["target"] == 0 and days[25]["holiday"] == "Libur Uji"
    assert days[7]["weekday"] == "Sabtu" and days[7]["target"] == 0
    assert body["totals"] == {"target": 19 * 300, "approved": 570, "recognised": 480, "pending": 180,
                              "not_submitted": 90, "activities": 7, "achievement_pct": 8.42,
                              "ratio_uncapped_pct": 8.42}


def test_pegawai_gets_only_own_month(data, login_as):
    client = login_as("pegawai")
    own = data["staff_a"]
    assert get_json(client, "employee_month", employee=own.id)[0] == 200
    before = refusals("DITOLAK_404")
    for params in ({"employee": data["staff_b"].id}, {"employee": data["op_a"].id},
                   {"nip": NIPS["op_a"][0]}, {"employee": 999999}, {"employee": "abc"}):
        status, body = get_json(client, "employee_month", **params)
        assert status == 404, params
        assert "staff" not in json.dumps(body).lower()
    assert refusals("DITOLAK_404") == before + 5
    # the other charts are not the pegawai's
    before = refusals("DITOLAK_403")
    for name in ("queue", "opd_rates", "opd_scores", "predikat"):
        assert get_json(client, name)[0] == 403
    assert refusals("DITOLAK_403") == before + 4


def test_operator_month_of_own_opd_only(data, login_as):
    client = login_as("operator")
    status, body = get_json(client, "employee_month", nip=NIPS["staff_a"][0])
    assert status == 200 and body["totals"]["recognised"] == 480
    assert get_json(client, "employee_month", employee=data["staff_a1"].id)[0] == 200  # sub-unit of the OPD
    assert get_json(client, "employee_month", employee=data["staff_b"].id)[0] == 404
    assert get_json(client, "employee_month", nip=NIPS["kadis_b"][0])[0] == 404


def test_superior_sees_a_subordinates_month_through_the_activity_scope(data, login_as):
    """kabid_a may open staff_a's month but counts only the activities submitted to him:
    staff_a's draft (no superior yet) stays out of the aggregate."""
    client = login_as("atasan")
    status, body = get_json(client, "employee_month", nip=NIPS["staff_a"][0])
    assert status == 200
    totals = body["totals"]
    assert (totals["approved"], totals["recognised"], totals["pending"], totals["not_submitted"],
            totals["activities"]) == (570, 480, 180, 0, 6)
    assert get_json(client, "employee_month", nip=NIPS["staff_b"][0])[0] == 404
    assert get_json(client, "employee_month", nip=NIPS["kadis_a"][0])[0] == 404  # his own superior


def test_bkd_month_of_anyone_and_without_own_employee(data, login_as):
    client = login_as("bkd")
    status, body = get_json(client, "employee_month", employee=data["staff_b"].id)
    assert status == 200
    days = {d["day"]: d for d in body["days"]}
    assert days[2]["recognised"] == 200 and days[3]["not_submitted"] == 60 and days[4]["pending"] == 100
    assert body["working_days"] == 20  # no leave for staff_b; the 25th is a holiday
    # the bkd login is linked to no employee: it has to name one
    assert get_json(client, "employee_month")[0] == 404


def test_period_parameter(data, login_as):
    client = login_as("pegawai")
    oct_period = Period(year=2026, month=10, state="CLOSED")
    db.session.add(oct_period)
    db.session.commit()
    status, body = get_json(client, "employee_month", period=oct_period.id)
    assert status == 200 and body["month"] == 10
    assert body["totals"]["recognised"] == 100 and body["totals"]["activities"] == 1
    assert get_json(client, "employee_month", period=987654)[0] == 404
    assert get_json(login_as("bkd"), "opd_rates", period=987654)[0] == 404


def test_unknown_chart_is_404(data, login_as):
    assert login_as("bkd").get("/dashboard/data/nope").status_code == 404


# --------------------------------------------------------------------------- superior's queue
def actor_of(employee, roles):
    from app.services.activities import Actor

    return Actor(user_id=employee.user_id, username=employee.nip, employee_id=employee.id, roles=set(roles),
                 opd_id=employee.unit.opd_id)


def queue_counts(actor):
    from app.services.activities import queue_clause

    base = select(func.count()).select_from(Activity).where(queue_clause(actor, TODAY))
    return db.session.scalar(base), db.session.scalar(base.where(Activity.review_due < TODAY))


def test_superior_queue_matches_queue_clause(data, login_as):
    status, body = get_json(login_as("atasan"), "queue")
    assert status == 200
    # kabid_a decides staff_a's 3rd (due 20th) and 4th (due 16th: overdue) and op_a's 9th (due 17th: overdue)
    assert (body["pending"], body["overdue"]) == (3, 2)
    assert (body["pending"], body["overdue"]) == queue_counts(actor_of(data["kabid_a"], {"Pegawai", "Atasan"}))
    by_nip = {r["nip"]: r for r in body["employees"]}
    assert set(by_nip) == {NIPS["staff_a"][0], NIPS["op_a"][0]}
    assert (by_nip[NIPS["staff_a"][0]]["pending"], by_nip[NIPS["staff_a"][0]]["overdue"]) == (2, 1)
    assert (by_nip[NIPS["op_a"][0]]["pending"], by_nip[NIPS["op_a"][0]]["overdue"]) == (1, 1)
    assert body["employees"][0]["nip"] == NIPS["staff_a"][0]  # most overdue first, then most pending
    assert by_nip[NIPS["staff_a"][0]]["oldest_due"] == "2026-11-16"


def test_escalated_queue_of_the_superiors_superior(data, login_as):
    status, body = get_json(login_as(NIPS["kadis_a"][0]), "queue")
    assert status == 200
    # only the overdue items escalated to kadis_a (staff_a's 4th, op_a's 9th)
    assert (body["pending"], body["overdue"]) == (2, 2)
    assert (body["pending"], body["overdue"]) == queue_counts(actor_of(data["kadis_a"], {"Pegawai", "Atasan"}))


def test_bkd_queue_is_items_without_superior(data, login_as):
    item = act(data["sekda"], date(2026, 11, 2), 60, "SUBMITTED", None, due=date(2026, 11, 4))
    db.session.commit()
    status, body = get_json(login_as("bkd"), "queue")
    assert status == 200
    assert (body["pending"], body["overdue"]) == (1, 1)
    assert body["employees"][0]["employee_id"] == item.employee_id


# --------------------------------------------------------------------------- OPD charts
def test_opd_rates_for_bkd(data, login_as):
    status, body = get_json(login_as("bkd"), "opd_rates", period=period().id)
    assert status == 200 and body["period"]["label"] == "November 2026"
    rows = {r["name"]: r for r in body["opd"]}
    assert [r["code"] for r in body["opd"]] == ["1.00", "2.00", "3.00"]
    dinkes = rows["Dinas Kesehatan"]
    # 9 activities dated in November, 8 not DRAFT; 5 decided of which 4 on the due date in WIB
    assert (dinkes["activities"], dinkes["submitted"], dinkes["decided"], dinkes["on_time"]) == (9, 8, 5, 4)
    assert dinkes["submission_rate"] == 88.89 and dinkes["on_time_rate"] == 80.0
    disdik = rows["Dinas Pendidikan dan Kebudayaan"]
    assert (disdik["activities"], disdik["submitted"], disdik["decided"], disdik["on_time"]) == (3, 2, 1, 0)
    assert disdik["submission_rate"] == 66.67 and disdik["on_time_rate"] == 0.0
    setda = rows["Sekretariat Daerah"]
    assert setda["activities"] == 0 and setda["submission_rate"] is None and setda["on_time_rate"] is None


def test_opd_charts_of_operator_hold_own_opd_only(data, login_as, world):
    client = login_as("operator")
    dinkes_id = world.unit("Dinas Kesehatan").id
    for name in ("opd_rates", "opd_scores", "predikat"):
        status, body = get_json(client, name)
        assert status == 200, name
        assert [r["opd_id"] for r in body["opd"]] == [dinkes_id], name
    assert get_json(client, "opd_rates")[1]["opd"][0]["activities"] == 9
    # the OPD of another operator
    status, body = get_json(login_as(NIPS["op_b"][0]), "opd_rates")
    assert [r["name"] for r in body["opd"]] == ["Dinas Pendidikan dan Kebudayaan"]
    assert body["opd"][0]["activities"] == 3


def test_opd_scores(data, login_as):
    status, body = get_json(login_as("auditor"), "opd_scores")
    assert status == 200
    rows = {r["name"]: r for r in body["opd"]}
    # Dinas Kesehatan: staff_a 80.00, op_a 90.50, staff_a1 (Puskesmas) 70.25
    assert rows["Dinas Kesehatan"] == {**rows["Dinas Kesehatan"], "employees": 3, "average": 80.25,
                                        "lowest": 70.25, "highest": 90.5}
    assert rows["Dinas Pendidikan dan Kebudayaan"]["average"] == 62.75
    assert rows["Sekretariat Daerah"]["employees"] == 0 and rows["Sekretariat Daerah"]["average"] is None


def test_predikat_distribution(data, login_as):
    from app.services.evaluation import distribution_report

    status, body = get_json(login_as("bkd"), "predikat")
    assert status == 200
    assert [p["code"] for p in body["predikat"]] == ["SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG",
                                                    "SANGAT_KURANG"]
    rows = {r["name"]: r for r in body["opd"]}
    dinkes = rows["Dinas Kesehatan"]
    assert dinkes["org_predikat"] == "BAIK" and dinkes["org_predikat_label"] == "Baik"
    assert dinkes["total"] == 4
    assert dinkes["counts"] == {"SANGAT_BAIK": 1, "BAIK": 3, "BUTUH_PERBAIKAN": 0, "KURANG": 0, "SANGAT_KURANG": 0}
    assert dinkes["percent"]["BAIK"] == 75.0 and dinkes["percent"]["SANGAT_BAIK"] == 25.0
    disdik = rows["Dinas Pendidikan dan Kebudayaan"]
    assert disdik["org_predikat"] is None and disdik["counts"]["KURANG"] == 1 and disdik["total"] == 1
    expected = {r.opd_name: [v.message for v in r.violations] for r in distribution_report(period())}
    assert {name: r["violations"] for name, r in rows.items()} == expected


def test_scope_rule_applies_inside_the_aggregates(data, login_as, world):
    """An operator who is also the superior of an employee of another OPD still sees only
    the own OPD in the OPD charts (the OPD filter and the scope clause both apply)."""
    from app.models import SuperiorOverride

    db.session.add(SuperiorOverride(employee=data["staff_b"], superior=data["op_a"], valid_from=date(2026, 1, 1),
                                    reason="Uji"))
    db.session.commit()
    status, body = get_json(login_as("operator"), "opd_rates")
    assert [r["name"] for r in body["opd"]] == ["Dinas Kesehatan"]


def test_each_aggregate_is_one_grouped_statement(data, app, world):
    """Design section 6: the figures come from one grouped SQL statement each, whatever the
    number of OPD, employees or activities (no per-row queries)."""
    from flask_appbuilder.security.sqla.models import User
    from flask_login import login_user
    from sqlalchemy import event

    from app.services import dashboard as svc
    from app.services.activities import current_actor

    p = period()
    for username in ("bkd", NIPS["op_a"][0], NIPS["kabid_a"][0]):
        with app.test_request_context("/dashboard/"):
            from flask import g

            for key in list(g):
                g.pop(key, None)
            g.user = db.session.query(User).filter_by(username=username).one()
            login_user(g.user)
            viewer = svc.Viewer.of(current_actor())
            statements = []

            def record(conn, cursor, statement, *args):
                statements.append(statement)

            event.listen(db.engine, "before_cursor_execute", record)
            try:
                calls = {
                    "opd_rates": lambda: svc.opd_rates(p, viewer.opd_ids()),
                    "opd_scores": lambda: svc.opd_scores(p, viewer.opd_ids()),
                    "queue": lambda: svc.queue_summary(current_actor()),
                    "employee_month": lambda: svc.employee_month(data["staff_a"], 2026, 11),
                }
                allowed = svc.charts_for(viewer)
                for name, call in calls.items():
                    if name not in allowed:
                        continue
                    statements.clear()
                    call()
                    touching = [s for s in statements if re.search(r"\bFROM (activity|recap)\b", s)]
                    assert len(touching) == 1, (username, name, touching)
                    assert "GROUP BY" in touching[0]
            finally:
                event.remove(db.engine, "before_cursor_execute", record)


def test_employee_above_target_shows_the_recap_score(world, login_as):
    """Issue 9 item 7: the dashboard shows the same capped work score as the recap (100, not
    the uncapped 106%) for an employee above the target; the uncapped ratio has its own label."""
    from app.services.recap import recompute_period

    staff = world.employee("staff_b")  # 5-day unit: 21 working days in November 2026 -> 6300 min
    for day in range(2, 28):
        d = date(2026, 11, day)
        if d.weekday() < 5:
            a = act(staff, d, 320, "APPROVED", world.employee("kadis_b"), due=d, decided=datetime(2026, 11, 27))
            a.recognised_minutes = 320
    db.session.commit()
    recompute_period(2026, 11)
    db.session.commit()
    client = login_as(NIPS["staff_b"][0])
    status, body = get_json(client, "employee_month")
    assert status == 200
    assert body["totals"]["target"] == 6300 and body["totals"]["recognised"] == 20 * 320
    assert body["totals"]["achievement_pct"] == 100.0
    assert body["totals"]["ratio_uncapped_pct"] == 101.59  # 6400 / 6300, labelled as uncapped
    recap = client.get("/recapview/list/").get_data(as_text=True)
    assert "100,00" in recap
    js = client.get("/static/js/dashboard.js").get_data(as_text=True)
    assert "Capaian kinerja (maks. 100%)" in js and "tanpa batas 100%" in js


EXTERNAL_SOURCE = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']((?:https?:)?//[^"']+)""",
                             re.IGNORECASE)


def _menu_urls(app):
    urls = []
    for item in app.appbuilder.menu.get_list():
        for entry in [item] + list(item.childs or []):
            if entry.name == "-" or not entry.href and not entry.baseview:
                continue
            with app.test_request_context():
                url = entry.get_url()
            if url and url.startswith("/"):
                urls.append(url)
    return urls


def test_no_admin_page_loads_from_another_host(app, world, login_as):
    """Issue 9 item 8: every page of the admin's menu loads scripts and styles from the app
    only (closed government network); FAB's user statistics chart (Google Charts) is gone."""
    client = login_as("admin")
    urls = _menu_urls(app)
    assert len(urls) > 20 and "/users/list/" in urls
    assert not any("userstatschartview" in u.lower() for u in urls)
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200, url
        html = resp.get_data(as_text=True)
        external = [src for src in EXTERNAL_SOURCE.findall(html)
                    if not re.match(r"(?:https?:)?//(?:localhost|127\.0\.0\.1)(?:[:/]|$)", src)]
        assert external == [], (url, external)
        assert "google_charts.js" not in html  # FAB's loader fetches Google Charts at run time
        assert "User's Statistics" not in html and "Statistik Pengguna" not in html
    assert client.get("/userstatschartview/chart/").status_code == 404
    from flask_appbuilder.security.sqla.models import ViewMenu

    assert db.session.scalar(select(ViewMenu).where(ViewMenu.name == "UserStatsChartView")) is None


def test_city_opd_rates_are_kept_for_the_cache_time(data, app, login_as):
    """Issue 11: the city-wide opd_rates aggregate the month's activities (0.6-0.9 s at city
    size); BKD's figures are kept DASHBOARD_CACHE_SECONDS per period, identical to a fresh
    computation, while an operator's scoped figures are always computed; 0 keeps nothing."""
    from sqlalchemy import event

    statements = []

    def record(conn, cursor, statement, *args):
        if re.search(r"\bFROM activity\b", statement):
            statements.append(statement)

    bkd = login_as("bkd")
    app.config["DASHBOARD_CACHE_SECONDS"] = 300
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        first = get_json(bkd, "opd_rates", period=period().id)[1]["opd"]
        assert len(statements) == 1
        again = get_json(bkd, "opd_rates", period=period().id)[1]["opd"]
        assert again == first and len(statements) == 1  # served from the cache
        operator = login_as("operator")
        get_json(operator, "opd_rates", period=period().id)
        get_json(operator, "opd_rates", period=period().id)
        assert len(statements) == 3  # scoped: computed each time
        app.config["DASHBOARD_CACHE_SECONDS"] = 0
        fresh = get_json(bkd, "opd_rates", period=period().id)[1]["opd"]
        assert fresh == first and len(statements) == 4
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
