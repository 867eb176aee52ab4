"""Issue 11 item 3: the scoped lists use an index on PostgreSQL.

The operator's OPD scope used to be `employee_id IN (SELECT …) OR employee_id = …`: the planner
cannot drive an index with a hashed sub-plan inside an OR, so every count of the operator's
activity list filtered the whole table (3.4 million rows at city size). The test fills the
activity table with a few hundred thousand rows, lets PostgreSQL analyse them, opens the real
pages (the list and count queries are built by the same code the views use: FAB's SQLAInterface
with the scope filter of app.security), captures the SQL they send and asserts that
EXPLAIN shows an index path on activity and no sequential scan of it.

PostgreSQL only (skipped on SQLite; run by the PostgreSQL pass of .ci/run).
"""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import event, text

from app.extensions import db
from tests.conftest import IS_PG, LOGINS, NIPS, PASSWORD, do_login

pytestmark = pytest.mark.skipif(not IS_PG, reason="EXPLAIN of PostgreSQL plans")

EXTRA_OPD_EMPLOYEES = 150  # in the operator's OPD (Puskesmas Arjuno, Dinas Kesehatan)
EXTRA_OTHER_EMPLOYEES = 1850  # elsewhere in the city
ACTIVITIES = 150_000
ATTENDANCE_DAYS = 40
AUDIT_ROWS = 60_000


def _fill(world) -> None:
    """Employees over the city (a tenth in the operator's OPD), a year of activities in every
    state, two months of attendance and an audit log; then VACUUM ANALYZE, as autovacuum would."""
    pkm, disdik = world.unit("Puskesmas Arjuno").id, world.unit("Dinas Pendidikan dan Kebudayaan").id
    kabid = world.employee("kabid_a").id
    s = db.session
    s.execute(text("""
        INSERT INTO employee (nip, name, sex, birth_date, kind, golongan, unit_id, active, superior_id)
        SELECT '1990010120150' || lpad(g::text, 5, '0'), 'Pegawai ' || g, 'L', DATE '1990-01-01', 'PNS',
               'III/a', CASE WHEN g <= :n_opd THEN :pkm ELSE :disdik END, TRUE,
               CASE WHEN g <= :n_opd THEN :kabid END
        FROM generate_series(1, :n) AS g"""),
              {"n_opd": EXTRA_OPD_EMPLOYEES, "n": EXTRA_OPD_EMPLOYEES + EXTRA_OTHER_EMPLOYEES, "pkm": pkm,
               "disdik": disdik, "kabid": kabid})
    s.execute(text("""
        CREATE TEMP TABLE fill_emp AS
        SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, superior_id FROM employee"""))
    s.execute(text("""
        INSERT INTO activity (employee_id, date, description, volume, claimed_minutes, status, submitted_at,
                              review_due, superior_id, escalation_id, created_at, version)
        SELECT e.id, DATE '2025-12-01' + (g % 365), 'Kegiatan ' || g, 1, 60,
               (ARRAY['DRAFT','SUBMITTED','APPROVED','APPROVED','APPROVED','RETURNED','REJECTED'])[1 + g % 7],
               TIMESTAMP '2025-12-01 09:00' + (g % 365) * INTERVAL '1 day',
               DATE '2025-12-04' + (g % 365), e.superior_id, NULL, TIMESTAMP '2025-12-01 09:00', 1
        FROM generate_series(0, :n - 1) AS g
        JOIN fill_emp e ON e.k = (g::bigint * 7919) % (SELECT count(*) FROM fill_emp)"""), {"n": ACTIVITIES})
    s.execute(text("""
        INSERT INTO attendance (employee_id, date, status, minutes_late, minutes_early)
        SELECT e.id, DATE '2026-09-01' + d, 'HADIR', 0, 0
        FROM fill_emp e CROSS JOIN generate_series(0, :days - 1) AS d"""), {"days": ATTENDANCE_DAYS})
    s.execute(text("""
        INSERT INTO audit_log (at, user_id, username, entity, entity_id, action, detail)
        SELECT TIMESTAMP '2025-12-01' + g * INTERVAL '2 minutes', 1 + g % 50, 'u' || (g % 50), 'Activity',
               (g % 100000)::text, 'UPDATE', 'isi'
        FROM generate_series(1, :n) AS g"""), {"n": AUDIT_ROWS})
    s.execute(text("""
        INSERT INTO period (year, month, state)
        SELECT 2026, m, 'CLOSED' FROM generate_series(1, 10) AS m"""))
    s.execute(text("""
        INSERT INTO recap (period_id, employee_id, nip, name, unit_id, opd_id, unit_name, employee_kind, golongan,
                           workdays_per_week, calendar_working_days, reduced_days, working_days, target_minutes,
                           recognised_minutes, work_score, deduction_pct, sanction_pct, base_tpp, performance_part,
                           discipline_part, gross, tax, health, net, params, computed_at)
        SELECT p.id, e.id, e.nip, e.name, e.unit_id, u.opd_id, u.name, e.kind, e.golongan, 5, 21, 0, 21, 6300,
               6000, 95.24, 1.5, 0, 3000000, 1714320, 1182000, 2896320, 144816, 28963, 2722541, '{}',
               TIMESTAMP '2026-11-01'
        FROM employee e JOIN unit u ON u.id = e.unit_id CROSS JOIN period p"""))
    s.execute(text("DROP TABLE fill_emp"))
    s.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("employee", "activity", "attendance", "audit_log", "recap"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))


class Captured:
    """SELECT statements (with their parameters) a request sends about one table."""

    def __init__(self, table: str):
        self.pattern = re.compile(rf'\bFROM "?{table}"?\b', re.IGNORECASE)
        self.rows: list[tuple[str, object]] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and self.pattern.search(statement):
            self.rows.append((statement, parameters))


def _page_queries(client, url: str, table: str = "activity") -> list[tuple[str, object]]:
    captured = Captured(table)
    event.listen(db.engine, "before_cursor_execute", captured)
    try:
        resp = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", captured)
    assert resp.status_code == 200, (url, resp.status_code)
    assert captured.rows, f"{url} sent no query on {table}"
    return captured.rows


def _plan(statement: str, parameters) -> dict:
    with db.engine.connect() as conn:
        raw = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def _describe(plan: dict) -> str:
    return "; ".join(
        f"{n['Node Type']}{' on ' + n['Relation Name'] if 'Relation Name' in n else ''}"
        f"{' using ' + n['Index Name'] if 'Index Name' in n else ''} ({n['Plan Rows']} rows)"
        for n in _nodes(plan))


def _bounded_scans(plan: dict, limited: bool = False):
    """Sequential scans that read at most a LIMIT's rows: no filter, under a Limit (the
    city-wide count of an unfiltered list stops at its bound)."""
    if plan["Node Type"] == "Seq Scan" and limited and "Filter" not in plan:
        yield plan
    for child in plan.get("Plans", ()):
        yield from _bounded_scans(child, limited or plan["Node Type"] == "Limit")


def _assert_index_path(rows, table: str = "activity", bounded_ok: bool = False) -> None:
    """Every query on `table` reads it through an index (or, with `bounded_ok`, an unfiltered
    scan stopped by a LIMIT); none filters it with a sequential scan."""
    for statement, parameters in rows:
        plan = _plan(statement, parameters)
        print(f"\n{' '.join(statement.split())[:140]}\n  -> {_describe(plan)}")
        on_table = [n for n in _nodes(plan) if n.get("Relation Name") == table]
        assert on_table, _describe(plan)
        bounded = [id(n) for n in _bounded_scans(plan)] if bounded_ok else []
        assert not [n for n in on_table if n["Node Type"] == "Seq Scan" and id(n) not in bounded], (
            f"sequential scan of {table}: {_describe(plan)}\n{statement}")
        assert bounded or [n for n in on_table if n["Node Type"] in (
            "Index Scan", "Index Only Scan", "Bitmap Heap Scan")], _describe(plan)


@pytest.fixture(scope="module")
def big(databases):
    """One filled database for the module (filling takes most of the run time)."""
    from app import create_app
    from tests.conftest import IsolatedClient, World, make_config

    uri = databases.clone()
    app = create_app(make_config(uri))
    app.test_client_class = IsolatedClient
    ctx = app.app_context()
    ctx.push()
    try:
        world = World(app)
        # the Kepala Dinas Kesehatan is a superior and, here, the OPD's operator as well
        from flask_appbuilder.security.sqla.models import Role

        user = world.employee("kadis_a").user
        user.roles.append(db.session.query(Role).filter_by(name="Operator OPD").one())
        db.session.commit()
        _fill(world)
        yield app
    finally:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()
        databases.drop(uri)


def _login(app, role_or_username):
    return do_login(app.test_client(), LOGINS.get(role_or_username, role_or_username), PASSWORD)


def test_operator_opd_activity_list_uses_an_index(big):
    client = _login(big, "operator")
    rows = _page_queries(client, "/activityview/list/")
    assert any("count(" in s.lower() for s, _ in rows)  # the list's count is among them
    _assert_index_path(rows)
    _assert_index_path(_page_queries(client, "/activityview/list/?_flt_0_date=2026-03-02"))


def test_operator_who_is_also_a_superior_uses_an_index(big):
    client = _login(big, NIPS["kadis_a"][0])
    _assert_index_path(_page_queries(client, "/activityview/list/"))
    _assert_index_path(_page_queries(client, "/approvalqueueview/list/"))


def test_other_activity_lists_use_an_index(big):
    bkd = _login(big, "bkd")
    # BKD: the month filter (first and last day) and a deep page
    month = "_flt_1_date=2026-02-28&_flt_2_date=2026-04-01"
    _assert_index_path(_page_queries(bkd, f"/activityview/list/?{month}"))
    _assert_index_path(_page_queries(bkd, f"/activityview/list/?{month}&page_activityview=40"))
    atasan = _login(big, "atasan")
    _assert_index_path(_page_queries(atasan, "/approvalqueueview/list/"))
    _assert_index_path(_page_queries(atasan, "/antrean/"))
    pegawai = _login(big, "pegawai")
    _assert_index_path(_page_queries(pegawai, "/activityview/list/"))
    _assert_index_path(_page_queries(pegawai, "/aktivitas-saya/"))


def test_attendance_recap_and_audit_lists_use_an_index(big):
    for login in ("operator", "atasan"):
        client = _login(big, login)
        _assert_index_path(_page_queries(client, "/attendanceview/list/", "attendance"), "attendance")
    bkd = _login(big, "bkd")
    _assert_index_path(_page_queries(bkd, "/attendanceview/list/", "attendance"), "attendance", bounded_ok=True)
    _assert_index_path(_page_queries(bkd, "/attendanceview/list/?_flt_0_date=2026-10-01", "attendance"),
                       "attendance")
    for login in ("operator", "atasan"):
        client = _login(big, login)
        _assert_index_path(_page_queries(client, "/recapview/list/", "recap"), "recap")
    _assert_index_path(_page_queries(bkd, "/recapview/list/", "recap"), "recap", bounded_ok=True)
    auditor = _login(big, "auditor")
    _assert_index_path(_page_queries(auditor, "/auditlogview/list/", "audit_log"), "audit_log",
                       bounded_ok=True)
