"""`flask --app run bench-data` (issue 11, item 4): a tiny city generated into an empty
database (SQLite here, PostgreSQL with COPY in .ci/run's PostgreSQL pass), checked for row
counts, referential integrity, the workflow's shape, the recap and a login of the sample."""
from __future__ import annotations

import csv
from datetime import date, datetime

import pytest
from sqlalchemy import DateTime, bindparam, text

from tests.conftest import IsolatedClient, make_config

TODAY = date(2026, 11, 20)  # a Friday (WIB)
NOW = datetime(2026, 11, 20, 9, 30)  # 16:30 WIB
PASSWORD = "sandi-benchmark"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """One generated tiny city for the module: (app, summary, logins file)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import sync_roles
    from app.extensions import db
    from app.services.benchdata import BenchSize, generate_bench_data
    from tests.conftest import _Databases

    dbs = _Databases(str(tmp_path_factory.mktemp("bench")))
    uri = dbs.new_empty()
    application = create_app(make_config(uri, FIXED_TODAY=TODAY))
    application.test_client_class = IsolatedClient
    logins_file = tmp_path_factory.mktemp("logins") / "logins.csv"
    size = BenchSize(employees=90, opd=4, months=2, per_day=3, sample_pegawai=6, sample_superiors=3,
                     sample_operators=2, seed=11)
    with application.app_context():
        upgrade()
        sync_roles()
        summary = generate_bench_data(PASSWORD, size, today=TODAY, now=NOW, logins_path=str(logins_file))
        db.session.remove()
    yield application, summary, logins_file, size
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    dbs.drop(uri)


def scalar(sql, **params):
    from app.extensions import db

    return db.session.execute(text(sql), params).scalar()


def test_row_counts_and_sample(city):
    app, summary, logins_file, size = city
    with app.app_context():
        assert scalar("SELECT COUNT(*) FROM employee") == size.employees == summary.rows["employee"]
        assert scalar("SELECT COUNT(*) FROM unit WHERE parent_id IS NULL") == size.opd
        # every employee has a login (the NIP); plus admin, bkd, auditor, keuangan
        assert scalar("SELECT COUNT(*) FROM employee e JOIN ab_user u ON u.id = e.user_id "
                      "WHERE u.username = e.nip") == size.employees
        assert scalar("SELECT COUNT(*) FROM ab_user") == size.employees + 4
        for table in ("activity", "attendance", "audit_log", "recap", "period", "holiday"):
            assert scalar(f"SELECT COUNT(*) FROM {table}") == summary.rows[table] > 0, table
        # two months: the earlier one CLOSED with its recap, the current one OPEN
        assert [tuple(r) for r in app.extensions["sqlalchemy"].session.execute(text(
            "SELECT year, month, state FROM period ORDER BY year, month"))] == [(2026, 10, "CLOSED"), (2026, 11, "OPEN")]
        assert scalar("SELECT COUNT(*) FROM recap") == 2 * size.employees
        assert scalar("SELECT COUNT(DISTINCT superior_id) FROM employee") > 5
        # staff spread over the positions: no position holds more than three times its share
        staff = scalar("SELECT COUNT(*) FROM position WHERE kind_code IN ('PELAKSANA', 'JF_KEAHLIAN', "
                       "'JF_KETERAMPILAN') AND name <> 'Sekretaris Daerah'")
        assert scalar("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM employee GROUP BY position_id) x") \
            <= 3 * size.employees / staff
    roles = [r["role"] for r in csv.DictReader(open(logins_file, encoding="utf-8"))]
    assert roles.count("Pegawai") == 6 and roles.count("Atasan") == 3 and roles.count("Operator OPD") == 2
    assert {"BKD", "Admin", "Auditor", "Keuangan"} <= set(roles)
    assert len(summary.logins) == len(roles)
    assert "Baris per tabel" in summary.text()


def test_referential_integrity(city):
    """Every foreign key of every table points at an existing row (also after COPY without
    per-row triggers on PostgreSQL)."""
    from app.extensions import db

    app = city[0]
    with app.app_context():
        broken = []
        for table in db.metadata.sorted_tables:
            for fk in table.foreign_keys:
                col, ref = fk.parent, fk.column
                n = scalar(f'SELECT COUNT(*) FROM "{table.name}" t WHERE t."{col.name}" IS NOT NULL AND NOT EXISTS '
                           f'(SELECT 1 FROM "{ref.table.name}" r WHERE r."{ref.name}" = t."{col.name}")')
                if n:
                    broken.append((table.name, col.name, n))
        assert broken == []


def test_workflow_shape(city):
    from app.extensions import db

    app, _summary, _file, size = city
    with app.app_context():
        # every employee-day with activities has exactly per_day of them, none on a day away
        assert scalar("SELECT COUNT(*) FROM (SELECT employee_id, date FROM activity GROUP BY employee_id, date "
                      "HAVING COUNT(*) <> :n) x", n=size.per_day) == 0
        assert scalar("SELECT COUNT(*) FROM activity a JOIN attendance t ON t.employee_id = a.employee_id "
                      "AND t.date = a.date WHERE t.status IN ('CUTI', 'SAKIT', 'DL', 'TK')") == 0
        # no activity on a holiday, in the future, or above the daily cap
        assert scalar("SELECT COUNT(*) FROM activity a JOIN holiday h ON h.date = a.date") == 0
        assert scalar("SELECT COUNT(*) FROM activity WHERE date > :d", d=TODAY) == 0
        assert scalar("SELECT MAX(s) FROM (SELECT SUM(claimed_minutes) AS s FROM activity "
                      "GROUP BY employee_id, date) x") <= 450
        # the earlier (closed) month is decided; the current one has every state
        assert scalar("SELECT COUNT(*) FROM activity WHERE date < :d AND status NOT IN ('APPROVED', 'REJECTED')",
                      d=date(2026, 11, 1)) == 0
        states = {r[0] for r in app.extensions["sqlalchemy"].session.execute(text(
            "SELECT DISTINCT status FROM activity WHERE date >= :d"), {"d": date(2026, 11, 1)})}
        assert states == {"DRAFT", "SUBMITTED", "APPROVED", "RETURNED", "REJECTED"}
        # decided rows carry the decision, submitted ones the superior snapshot; nothing after now
        assert scalar("SELECT COUNT(*) FROM activity WHERE status IN ('APPROVED', 'RETURNED', 'REJECTED') "
                      "AND (decided_at IS NULL OR submitted_at IS NULL)") == 0
        assert scalar("SELECT COUNT(*) FROM activity WHERE status IN ('RETURNED', 'REJECTED') "
                      "AND decision_note IS NULL") == 0
        assert scalar("SELECT COUNT(*) FROM activity WHERE status = 'APPROVED' "
                      "AND recognised_minutes <> claimed_minutes") == 0
        assert scalar("SELECT COUNT(*) FROM activity a JOIN employee e ON e.id = a.employee_id "
                      "WHERE a.status <> 'DRAFT' AND e.superior_id IS NOT NULL AND (a.superior_id IS NULL "
                      "OR a.superior_id <> e.superior_id OR a.review_due IS NULL)") == 0
        assert db.session.execute(text(
            "SELECT COUNT(*) FROM activity WHERE created_at > :n OR submitted_at > :n OR decided_at > :n"
        ).bindparams(bindparam("n", type_=DateTime)), {"n": NOW}).scalar() == 0
        # ids follow the entry time within a day, the OPD interleaved as in service (not one block each)
        assert scalar("SELECT COUNT(*) FROM activity a JOIN activity b ON b.date = a.date AND b.id > a.id "
                      "AND b.created_at < a.created_at") == 0
        runs = db.session.execute(text(
            "SELECT u.opd_id FROM activity a JOIN employee e ON e.id = a.employee_id JOIN unit u ON u.id = e.unit_id "
            "WHERE a.date = (SELECT MAX(date) FROM activity WHERE date < :d) ORDER BY a.id"), {"d": TODAY}).scalars().all()
        changes = sum(x != y for x, y in zip(runs, runs[1:]))
        assert changes > len(runs) / 3, (changes, len(runs))  # 4 OPD: about 3/4 of neighbours differ
        # attendance: one row per employee working day up to yesterday
        assert scalar("SELECT COUNT(*) FROM attendance WHERE date >= :d", d=TODAY) == 0
        assert scalar("SELECT COUNT(*) FROM (SELECT employee_id, date FROM attendance "
                      "GROUP BY employee_id, date HAVING COUNT(*) > 1) x") == 0
        # audit rows name activities that exist
        assert scalar("SELECT COUNT(*) FROM audit_log l WHERE l.entity = 'Activity' AND NOT EXISTS "
                      "(SELECT 1 FROM activity a WHERE CAST(a.id AS VARCHAR(20)) = l.entity_id)") == 0


def test_scores_computable(city):
    """The month's scores agree with the stored recap, and the open month recomputes."""
    from app.extensions import db
    from app.services.recap import month_scores, recompute_period

    app, _summary, _file, size = city
    with app.app_context():
        scores = month_scores(2026, 11)
        assert len(scores) == size.employees
        stored = {r[0]: (r[1], r[2]) for r in db.session.execute(text(
            "SELECT r.employee_id, r.recognised_minutes, r.target_minutes FROM recap r JOIN period p "
            "ON p.id = r.period_id WHERE p.year = 2026 AND p.month = 11"))}
        assert {eid: (rec, target) for eid, (rec, target, _score) in scores.items()} == stored
        assert any(rec > 0 for rec, _t, _s in scores.values())
        result = recompute_period(2026, 11)
        db.session.rollback()
        assert result.employees == size.employees


def test_sample_login_logs_in(city):
    """A sampled login opens the panel with the given password; a login outside the sample does not."""
    app, summary, _file, _size = city
    pegawai = next(name for name, role in summary.logins if role == "Pegawai")
    atasan = next(name for name, role in summary.logins if role == "Atasan")
    sampled = {name for name, _ in summary.logins}
    with app.app_context():
        other = scalar("SELECT nip FROM employee ORDER BY id DESC LIMIT 1")
        other = other if other not in sampled else scalar(
            "SELECT nip FROM employee WHERE nip NOT IN (" + ",".join(f"'{n}'" for n in sampled if n.isdigit()) + ") "
            "ORDER BY id LIMIT 1")
    for username, ok in ((pegawai, True), (atasan, True), ("bkd", True), (other, False)):
        client = app.test_client()
        client.post("/login/", data={"username": username, "password": PASSWORD})
        home = client.get("/")
        assert (home.status_code == 200) is ok, username
    client = app.test_client()
    client.post("/login/", data={"username": atasan, "password": PASSWORD})
    assert client.get("/antrean/").status_code == 200  # the sampled superior holds the Atasan role


def test_refuses_a_filled_database(city):
    from app.services.benchdata import BenchDataError, BenchSize, generate_bench_data

    app = city[0]
    with app.app_context():
        before = scalar("SELECT COUNT(*) FROM activity")
        with pytest.raises(BenchDataError, match="masih kosong"):
            generate_bench_data(PASSWORD, BenchSize(employees=90, opd=4, months=1), today=TODAY, now=NOW)
        with pytest.raises(BenchDataError, match="tidak valid"):
            BenchSize(employees=10, opd=4).check()
        # the command answers the same refusal, without a traceback
        result = app.test_cli_runner().invoke(args=["bench-data", "--password", PASSWORD, "--employees", "90",
                                                    "--opd", "4", "--months", "1"])
        assert result.exit_code == 1 and "masih kosong" in result.output
        assert scalar("SELECT COUNT(*) FROM activity") == before
