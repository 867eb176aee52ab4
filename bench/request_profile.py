"""Per-request cost of the load test's month-end mix (issue 11 item 6), in process.

Builds the tests' small world (tests/conftest.py: build_world) in an empty database, logs in
through the REST API (JWT) as an employee, a superior, an operator and BKD, and replays the
requests of bench/loadtest/locustfile.py in a loop with Flask's test client (no server, no
network): SQL statements per request (engine event listener), CPU ms per request
(time.process_time) and, with --profile, the top cumulative functions under cProfile.

    createdb -h 127.0.0.1 -p 55432 -U postgres h10_prof
    .venv/bin/python bench/request_profile.py \
        --db postgresql+psycopg://postgres@127.0.0.1:55432/h10_prof --rounds 50 [--profile 25]

The database must be empty (it is built here); SQLite: --db sqlite:////tmp/prof.db.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def build(uri: str):
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db
    from tests.conftest import IsolatedClient, build_world, make_config

    app = create_app(make_config(uri))
    app.test_client_class = IsolatedClient
    with app.app_context():
        from flask_migrate import upgrade

        from app.cli import sync_roles

        upgrade()
        sync_roles()
        build_world()
        db.session.remove()
    counter = {"n": 0, "log": None}

    def _count(conn, cursor, statement, *args):
        counter["n"] += 1
        if counter["log"] is not None:
            counter["log"].append(" ".join(statement.split())[:160])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _count)
    return app, counter


def login(client, username: str) -> dict:
    from tests.conftest import PASSWORD

    resp = client.post("/api/v1/security/login", json={"username": username, "password": PASSWORD, "provider": "db"})
    assert resp.status_code == 200, resp.get_json()
    return {"Authorization": f"Bearer {resp.get_json()['access_token']}"}


def mix(app, today_arg: str = ""):
    """(name, callable) pairs replaying locustfile.py's requests; each callable asserts its status."""
    from app.extensions import db
    from app.models import Employee, Unit
    from tests.conftest import LOGINS, NIPS

    with app.app_context():
        staff = db.session.query(Employee.id).filter_by(nip=NIPS["staff_a"][0]).scalar()
        boss = db.session.query(Employee.id).filter_by(nip=NIPS["kabid_a"][0]).scalar()
        opd = db.session.query(Unit.id).filter_by(name="Dinas Kesehatan").scalar()
    # WIB; the tests' world opens the period 2026-11 only: from December pass --today 2026-11-30
    today = date.fromisoformat(today_arg) if today_arg else (datetime.now(timezone.utc) + timedelta(hours=7)).date()
    before_month = (today.replace(day=1) - timedelta(days=1)).isoformat()  # FAB's date filters: gt, lt, eq, neq
    today, period = today.isoformat(), today.isoformat()[:7]
    c = app.test_client()
    peg, ata, op, bkd = (login(c, LOGINS[r]) for r in ("pegawai", "atasan", "operator", "bkd"))
    state = {"minute": 7 * 60, "queue": []}

    def q(*filters, page_size=25):
        parts = ",".join(f"(col:{col},opr:{o},value:{v})" for col, o, v in filters)
        return f"/api/v1/activity/?q=(filters:!({parts}),page_size:{page_size})"

    def get(url, headers, code=200):
        resp = c.get(url, headers=headers)
        assert resp.status_code == code, (url, resp.status_code, resp.data[:300])
        return resp

    def post(url, headers, body, code=200):
        resp = c.post(url, headers=headers, json=body)
        assert resp.status_code == code, (url, resp.status_code, resp.data[:300])
        return resp

    def enter():
        m = state["minute"]
        state["minute"] += 3
        if state["minute"] > 23 * 60:  # next day of the month, same hours
            raise SystemExit("rounds exceed one day of 3-minute slots")
        body = {"date": today, "volume": 1, "description": f"Uji profil #{m}",
                "start_time": f"{m // 60:02d}:{m % 60:02d}", "end_time": f"{(m + 3) // 60:02d}:{(m + 3) % 60:02d}"}
        state["last"] = post("/api/v1/activity/", peg, body, 201).get_json()["id"]

    def submit():
        post(f"/api/v1/activity/{state['last']}/submit", peg, {})

    def queue():
        rows = get(q(("status", "eq", "SUBMITTED"), ("superior", "rel_o_m", boss), ("date", "gt", f"'{before_month}'")),
                   ata).get_json()["result"]
        state["queue"] = [r["id"] for r in rows]

    def approve_one():
        post(f"/api/v1/activity/{state['queue'].pop(0)}/approve", ata, {})

    def approve_bulk():
        enter(); submit()  # noqa: E702 - a second submitted item so the bulk has two
        queue()
        ids, state["queue"] = state["queue"][:10], state["queue"][10:]
        assert len(post("/api/v1/activity/bulk-approve", ata, {"ids": ids}).get_json()["approved"]) == len(ids)

    return [
        ("pegawai: catat aktivitas", enter),
        ("pegawai: ajukan", submit),
        ("pegawai: aktivitas bulan ini", lambda: get(q(("employee", "rel_o_m", staff),
                                                       ("date", "gt", f"'{before_month}'")), peg)),
        ("atasan: antrean", queue),
        ("atasan: setujui", approve_one),
        ("atasan: setujui massal (+catat, ajukan, antrean)", approve_bulk),
        ("operator: aktivitas OPD", lambda: get(q(("date", "gt", f"'{before_month}'")), op)),
        ("operator: unduh rekap OPD", lambda: get(f"/api/v1/report/recap?period={period}&opd={opd}", op)),
        ("bkd: semua aktivitas", lambda: get(q(("date", "gt", f"'{before_month}'")), bkd)),
        ("bkd: unduh rekap kota", lambda: get(f"/api/v1/report/recap?period={period}", bkd)),
        ("bkd: unduh daftar TPP kota", lambda: get(f"/api/v1/report/payroll?period={period}", bkd)),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="URL of an EMPTY database")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--profile", type=int, default=0, help="print the top N cumulative functions per request type")
    ap.add_argument("--sql", action="store_true", help="print the statements of one request of each type")
    ap.add_argument("--today", default="", help="YYYY-MM-DD in the world's period 2026-11 (default: today, WIB)")
    args = ap.parse_args()
    import logging

    logging.disable(logging.WARNING)
    app, counter = build(args.db)
    steps = mix(app, args.today)
    for _name, fn in steps:  # warm up: first-request costs (imports, caches) are not per request
        fn()
    if args.sql:
        for name, fn in steps:
            counter["log"] = []
            fn()
            print(f"=== {name}\n  " + "\n  ".join(counter["log"]))
        counter["log"] = None
    stmts, cpu = defaultdict(int), defaultdict(float)
    profiles = {name: cProfile.Profile() for name, _ in steps}
    for _ in range(args.rounds):
        for name, fn in steps:
            before, t0 = counter["n"], time.process_time()
            if args.profile:
                profiles[name].enable()
            fn()
            if args.profile:
                profiles[name].disable()
            cpu[name] += time.process_time() - t0
            stmts[name] += counter["n"] - before
    print(f"{'request':52} {'SQL/req':>8} {'CPU ms/req':>11}")
    for name, _ in steps:
        print(f"{name:52} {stmts[name] / args.rounds:8.1f} {cpu[name] * 1000 / args.rounds:11.1f}")
    if args.profile:
        for name, _ in steps:
            out = io.StringIO()
            pstats.Stats(profiles[name], stream=out).sort_stats("cumulative").print_stats(args.profile)
            print(f"\n=== {name}\n" + "\n".join(out.getvalue().splitlines()[6:]))


if __name__ == "__main__":
    main()
