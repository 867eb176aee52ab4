"""Benchmark: the pages users open, at city size, each beside its bare query in the same run.

Runs against a database filled by `flask --app run bench-data --password PW --logins FILE`
(issue 11, items 4 and 5). Logs in through the login form (Flask test client, in process:
the time is the server's, from request to the last byte of the response) as BKD, Auditor,
an Operator OPD, a superior (the sampled Atasan with the longest queue) and a plain employee
(all from the logins file), and per page times --repeat requests after one warm-up, in
alternating rounds with the page's bare query: the SQL of the page's main rows (the same
filter, order and page, with the joins the page shows), run through the same engine, or for the
city recap download bare xlsxwriter in constant-memory mode over the same rows
(bench.report_bench.bare_writer). Prints a table (median and p95 of the page, HTML bytes,
median of the bare query, ratio) and with --write replaces its section of docs/PERFORMANCE.md
("## Pages at city size — <dialect> — …"), keeping every other section.

Targets (issue 11, item 3): every page a user opens has a median server time under 150 ms and
HTML under 150 KB; the city recap download under 1.5× bare xlsxwriter.

    python -m bench.pages_bench --database-url postgresql+psycopg://postgres@127.0.0.1:55432/h6_city \\
        --password malang123 --logins /tmp/h6/city_logins.csv --repeat 7 --write
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

TARGET_MS = 150
TARGET_KB = 150
TARGET_DOWNLOAD = 1.5
SECTION = "## Pages at city size"


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", required=True, help="SQLAlchemy URL of a database filled by bench-data")
    ap.add_argument("--password", required=True, help="the password given to bench-data")
    ap.add_argument("--logins", required=True, help="the logins CSV written by bench-data --logins")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--deep-page", type=int, default=2000, help="page number of the deep activity page")
    ap.add_argument("--only", default="", help="comma-separated page keys (default: all)")
    ap.add_argument("--write", action="store_true", help="replace the section in docs/PERFORMANCE.md")
    ap.add_argument("--explain", default="", metavar="KEY",
                    help="instead of timing: run page KEY once, list its SQL statements by time and EXPLAIN "
                         "ANALYZE the slowest (PostgreSQL)")
    return ap.parse_args(argv)


def make_app(url: str):
    import config
    from app import create_app

    attrs = {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {}, "WTF_CSRF_ENABLED": False,
             "RATELIMIT_ENABLED": False, "AUTH_RATE_LIMITED": False, "SESSION_COOKIE_SECURE": False,
             "REMEMBER_COOKIE_SECURE": False,
             # every download is built (the target compares the build with bare xlsxwriter); a kept
             # file (app/services/report_cache.py) would be served in a few milliseconds
             "REPORT_CACHE_SECONDS": 0}
    app = create_app(type("PagesBenchConfig", (config.Config,), attrs))
    app.test_client_class = _fresh_context_client()
    return app


def _fresh_context_client():
    from flask import g, has_app_context
    from flask.testing import FlaskClient

    class FreshContextClient(FlaskClient):
        """A request made while the bench holds an app context would reuse it, and with it `g`,
        where Flask-Login and FAB cache the logged-in user: clear `g` first, as a real request
        starts with its own context (the same reason as tests/conftest.py's IsolatedClient)."""

        def open(self, *args, **kwargs):
            if has_app_context():
                for key in list(g):
                    g.pop(key, None)
            return super().open(*args, **kwargs)

    return FreshContextClient


@dataclass
class Page:
    key: str
    title: str
    role: str
    url: str
    bare_title: str
    bare: Callable[[], int]  # runs the bare query; returns rows
    download: bool = False
    times: list = field(default_factory=list)
    bare_times: list = field(default_factory=list)
    size: int = 0
    status: int = 0


# --------------------------------------------------------------------------- actors
def pick_actors(logins_path: str) -> dict[str, str]:
    """role -> username: bkd, auditor, the first sampled operator and employee, and the
    sampled superior with the longest queue of SUBMITTED activities."""
    from sqlalchemy import bindparam, text

    from app.extensions import db

    with open(logins_path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_role: dict[str, list[str]] = {}
    for r in rows:
        by_role.setdefault(r["role"], []).append(r["username"])
    superiors = by_role.get("Atasan", [])
    queue = dict(db.session.execute(text(
        "SELECT e.nip, COUNT(a.id) FROM employee e JOIN activity a ON a.superior_id = e.id "
        "WHERE a.status = 'SUBMITTED' AND e.nip IN :nips GROUP BY e.nip").bindparams(
        bindparam("nips", expanding=True)), {"nips": superiors}).all())
    return {"bkd": "bkd", "auditor": "auditor", "operator": by_role["Operator OPD"][0],
            "pegawai": by_role["Pegawai"][0], "atasan": max(superiors, key=lambda n: queue.get(n, 0))}


def employee_facts(nip: str) -> dict:
    from sqlalchemy import text

    from app.extensions import db

    row = db.session.execute(text(
        "SELECT e.id, u.opd_id FROM employee e JOIN unit u ON u.id = e.unit_id WHERE e.nip = :n"), {"n": nip}).one()
    return {"id": row[0], "opd": row[1]}


# --------------------------------------------------------------------------- pages
def build_pages(args, actors, tmpdir: str) -> list[Page]:
    from sqlalchemy import text

    from app.extensions import db
    from app.models import Period
    from app.services.organisation import today_local
    from app.services.recap import month_bounds

    today = today_local()
    period = db.session.query(Period).filter_by(year=today.year, month=today.month).one()
    first, last = month_bounds(today.year, today.month)
    before, after = first - dt.timedelta(days=1), last + dt.timedelta(days=1)
    month_filter = f"_flt_1_date={before:%Y-%m-%d}&_flt_2_date={after:%Y-%m-%d}"
    op = employee_facts(actors["operator"])
    boss = employee_facts(actors["atasan"])
    me = employee_facts(actors["pegawai"])
    deep_offset = (args.deep_page - 1) * 25

    def q(sql: str, **params) -> Callable[[], int]:
        stmt = text(sql)

        def run() -> int:
            with db.engine.connect() as conn:
                return len(conn.execute(stmt, params).all())
        return run

    activity_cols = ("SELECT a.id, a.date, e.name, a.description, a.claimed_minutes, a.status, s.name "
                     "FROM activity a JOIN employee e ON e.id = a.employee_id "
                     "LEFT JOIN employee s ON s.id = a.superior_id ")
    month_where = "WHERE a.date > :before AND a.date < :after "
    month_params = {"before": before, "after": after}

    def bare_download() -> int:
        from bench.report_bench import bare_writer

        path = os.path.join(tmpdir, "bare.xlsx")
        rows = bare_writer(period.id, path, tmpdir)
        os.remove(path)
        return rows

    return [
        Page("bkd_activity_p1", "BKD: Aktivitas Harian, bulan ini, halaman 1", "bkd",
             f"/activityview/list/?{month_filter}", "25 activities of the month by date desc, joined names",
             q(activity_cols + month_where + "ORDER BY a.date DESC, a.id DESC LIMIT 25", **month_params)),
        Page("bkd_activity_deep", f"BKD: Aktivitas Harian, bulan ini, halaman {args.deep_page}", "bkd",
             f"/activityview/list/?{month_filter}&page_ActivityView={args.deep_page - 1}",
             f"same, OFFSET {deep_offset:,}",
             q(activity_cols + month_where + f"ORDER BY a.date DESC, a.id DESC LIMIT 25 OFFSET {deep_offset}",
               **month_params)),
        Page("bkd_employees", "BKD: Pegawai", "bkd", "/employeeview/list/",
             "25 employees by name with position and unit",
             q("SELECT e.nip, e.name, e.kind, e.golongan, p.name, u.name, e.active FROM employee e "
               "LEFT JOIN position p ON p.id = e.position_id JOIN unit u ON u.id = e.unit_id "
               "ORDER BY e.name LIMIT 25")),
        Page("bkd_recap", "BKD: Rekap Kinerja dan TPP, bulan ini", "bkd",
             f"/recapview/list/?_flt_0_period={period.id}", "25 recap rows of the period by name",
             q("SELECT r.nip, r.name, r.unit_name, r.kelas_jabatan, r.work_score, r.predikat, r.net FROM recap r "
               "WHERE r.period_id = :p ORDER BY r.name LIMIT 25", p=period.id)),
        Page("auditor_audit", "Auditor: Log Audit", "auditor", "/auditlogview/list/",
             "25 newest audit rows", q("SELECT at, username, ip, entity, entity_id, action, count, detail "
                                       "FROM audit_log ORDER BY at DESC LIMIT 25")),
        Page("atasan_queue", "Atasan: Antrean Persetujuan (ponsel)", "atasan", "/antrean/",
             "the superior's SUBMITTED activities by review deadline (25)",
             q(activity_cols + "WHERE (a.superior_id = :me OR a.escalation_id = :me) AND a.status = 'SUBMITTED' "
               "ORDER BY a.review_due LIMIT 25", me=boss["id"])),
        Page("atasan_approval_list", "Atasan: Persetujuan Aktivitas (daftar)", "atasan", "/approvalqueueview/list/",
             "same as above", q(activity_cols + "WHERE (a.superior_id = :me OR a.escalation_id = :me) "
                                "AND a.status = 'SUBMITTED' ORDER BY a.review_due LIMIT 25", me=boss["id"])),
        Page("pegawai_home", "Pegawai: Beranda", "pegawai", "/",
             "the employee's activities of the month", q("SELECT a.id, a.date, a.status, a.claimed_minutes "
                                                         "FROM activity a WHERE a.employee_id = :me "
                                                         "AND a.date BETWEEN :first AND :last", me=me["id"],
                                                         first=first, last=last)),
        Page("pegawai_mine", "Pegawai: Aktivitas Saya (ponsel)", "pegawai", "/aktivitas-saya/",
             "the employee's activities of today",
             q("SELECT a.id, a.date, a.description, a.start_time, a.end_time, a.status FROM activity a "
               "WHERE a.employee_id = :me AND a.date = :d", me=me["id"], d=today)),
        Page("pegawai_activity_list", "Pegawai: Aktivitas Harian, bulan ini", "pegawai",
             f"/activityview/list/?{month_filter}", "own 25 activities of the month",
             q(activity_cols + month_where + "AND a.employee_id = :me ORDER BY a.date DESC, a.id DESC LIMIT 25",
               me=me["id"], **month_params)),
        Page("pegawai_notifications", "Pegawai: Pemberitahuan", "pegawai", "/notifications/",
             "the employee's RETURNED and DRAFT activities",
             q("SELECT a.id, a.date, a.status FROM activity a WHERE a.employee_id = :me "
               "AND a.status IN ('RETURNED', 'DRAFT')", me=me["id"])),
        Page("pegawai_rincian", "Pegawai: Rincian rekap bulan ini", "pegawai",
             f"/recapview/rincian/{period.year}-{period.month:02d}/{actors['pegawai']}",
             "the recap row and the month's approved minutes by day",
             q("SELECT a.date, SUM(a.recognised_minutes) FROM activity a WHERE a.employee_id = :me "
               "AND a.status = 'APPROVED' AND a.date BETWEEN :first AND :last GROUP BY a.date "
               "UNION ALL SELECT NULL, r.recognised_minutes FROM recap r WHERE r.employee_id = :me "
               "AND r.period_id = :p", me=me["id"], first=first, last=last, p=period.id)),
        Page("operator_activity", "Operator OPD: Aktivitas Harian OPD, bulan ini", "operator",
             f"/activityview/list/?{month_filter}", "25 activities of the OPD's employees in the month",
             q(activity_cols + month_where + "AND a.employee_id IN (SELECT x.id FROM employee x JOIN unit u "
               "ON u.id = x.unit_id WHERE u.opd_id = :opd) ORDER BY a.date DESC, a.id DESC LIMIT 25",
               opd=op["opd"], **month_params)),
        Page("operator_employees", "Operator OPD: Pegawai OPD", "operator", "/employeeview/list/",
             "25 employees of the OPD by name",
             q("SELECT e.nip, e.name, p.name, u.name FROM employee e LEFT JOIN position p ON p.id = e.position_id "
               "JOIN unit u ON u.id = e.unit_id WHERE u.opd_id = :opd ORDER BY e.name LIMIT 25", opd=op["opd"])),
        Page("bkd_home", "BKD: Beranda", "bkd", "/", "activities overdue for a decision (count)",
             q("SELECT COUNT(*) FROM activity WHERE status = 'SUBMITTED' AND review_due < :d", d=today)),
        Page("bkd_dashboard", "BKD: Dasbor", "bkd", "/dashboard/", "the period's average score per OPD",
             q("SELECT opd_id, AVG(work_score) FROM recap WHERE period_id = :p GROUP BY opd_id", p=period.id)),
        Page("bkd_dashboard_scores", "BKD: Dasbor, data skor per OPD (JSON)", "bkd",
             f"/dashboard/data/opd_scores?period={period.id}", "same",
             q("SELECT opd_id, AVG(work_score) FROM recap WHERE period_id = :p GROUP BY opd_id", p=period.id)),
        Page("bkd_dashboard_rates", "BKD: Dasbor, data ketepatan per OPD (JSON)", "bkd",
             f"/dashboard/data/opd_rates?period={period.id}", "submitted and approved activities per OPD",
             q("SELECT u.opd_id, COUNT(*), SUM(CASE WHEN a.status = 'APPROVED' THEN 1 ELSE 0 END) FROM activity a "
               "JOIN employee e ON e.id = a.employee_id JOIN unit u ON u.id = e.unit_id "
               "WHERE a.date BETWEEN :first AND :last AND a.status <> 'DRAFT' GROUP BY u.opd_id",
               first=first, last=last)),
        Page("atasan_dashboard", "Atasan: Dasbor", "atasan", "/dashboard/", "the superior's queue per status",
             q("SELECT status, COUNT(*) FROM activity WHERE superior_id = :me GROUP BY status", me=boss["id"])),
        Page("bkd_city_recap", "BKD: unduh Rekap Kinerja seluruh kota (xlsx)", "bkd",
             f"/reports/download?kind=recap&period={period.year}-{period.month:02d}",
             "bare xlsxwriter, constant memory, same rows (bench.report_bench.bare_writer)", bare_download,
             download=True),
    ]


# --------------------------------------------------------------------------- timing
def login(app, username: str, password: str):
    client = app.test_client()
    resp = client.post("/login/", data={"username": username, "password": password})
    home = client.get("/")
    if home.status_code != 200:
        sys.exit(f"Login {username!r} gagal ({resp.status_code}, beranda {home.status_code}).")
    return client


def time_pages(app, pages: list[Page], clients: dict, repeat: int) -> None:
    from app.extensions import db

    def hit(page: Page) -> float:
        t = time.perf_counter()
        resp = clients[page.role].get(page.url)
        body = resp.get_data()
        elapsed = time.perf_counter() - t
        page.size, page.status = len(body), resp.status_code
        db.session.remove()
        return elapsed

    def bare(page: Page) -> float:
        t = time.perf_counter()
        page.bare()
        return time.perf_counter() - t

    for page in pages:
        hit(page)  # warm-up: caches, plans, first render
        bare(page)
        for _ in range(repeat):
            page.times.append(hit(page))
            page.bare_times.append(bare(page))
        print(f"  {page.key:<24} {statistics.median(page.times) * 1000:8.1f} ms  {page.size / 1024:8.1f} KiB  "
              f"bare {statistics.median(page.bare_times) * 1000:8.1f} ms  ({page.status})", flush=True)


def explain_page(app, page: Page, client, top: int = 3) -> str:
    """The page's statements by their time in one request, and the plan of the slowest."""
    from sqlalchemy import event, text

    from app.extensions import db

    client.get(page.url)  # warm-up
    db.session.remove()
    seen: list[tuple[float, str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["ek_t"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        seen.append((time.perf_counter() - conn.info.pop("ek_t"), statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        t = time.perf_counter()
        resp = client.get(page.url)
        total = time.perf_counter() - t
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
        db.session.remove()
    sql_time = sum(s[0] for s in seen)
    out = [f"{page.key} {page.url}: HTTP {resp.status_code}, {len(resp.get_data()) / 1024:.0f} KiB, "
           f"{total * 1000:.0f} ms, {len(seen)} statements taking {sql_time * 1000:.0f} ms"]
    for elapsed, statement, _params in sorted(seen, key=lambda s: -s[0])[:top]:
        out.append(f"  {elapsed * 1000:7.1f} ms  {' '.join(statement.split())[:400]}")
    slowest = max(seen, key=lambda s: s[0], default=None)
    if slowest is not None and db.engine.dialect.name == "postgresql" and slowest[1].lstrip().upper().startswith(
            "SELECT"):
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest[1], slowest[2])
            out += ["  plan of the slowest:"] + [f"    {r[0]}" for r in cur.fetchall()]
            raw.rollback()
        finally:
            raw.close()
    return "\n".join(out)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


# --------------------------------------------------------------------------- report
def counts() -> dict[str, int]:
    from sqlalchemy import text

    from app.extensions import db

    with db.engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar()
                for t in ("employee", "unit", "position", "activity", "attendance", "audit_log", "recap")}


def commit_measured() -> str:
    try:
        out = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h (%cd)", "--date=format:%H:%M"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return out + (" plus uncommitted changes of parallel work in the tree" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def report(args, pages: list[Page], rows: dict, actors: dict, engine, started: str) -> str:
    from sqlalchemy.engine import make_url

    from bench.recompute_bench import machine

    shown = make_url(args.database_url).render_as_string(hide_password=True)
    cmd = "python -m bench.pages_bench " + " ".join(sys.argv[1:])
    lines = [
        f"{SECTION} — {engine.dialect.name} — {dt.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"- Machine: {machine(engine)}; shared with other engineers' test runs while measuring "
        f"(load average {os.getloadavg()[0]:.1f} at the end)",
        f"- Commit measured: {started} when the run started, {commit_measured()} when it ended",
        f"- Command: `{cmd.strip()}` (database `{shown}`)",
        f"- Rows: {rows['employee']:,} employees, {rows['unit']:,} units, {rows['position']:,} positions, "
        f"{rows['activity']:,} activities, {rows['attendance']:,} attendance rows, {rows['audit_log']:,} audit rows, "
        f"{rows['recap']:,} recap rows (`flask --app run bench-data`)",
        f"- Logins: BKD `bkd`, Auditor `auditor`, Operator OPD `{actors['operator']}`, Atasan `{actors['atasan']}` "
        f"(longest queue of the sample), Pegawai `{actors['pegawai']}`",
        f"- Each page: {args.repeat} requests after one warm-up through the Flask test client in process (server "
        "time: request to last byte), alternating with its bare query on the same engine; medians, p95 of the "
        "requests. Targets: median < 150 ms and HTML < 150 KB; the city recap download < 1.5× bare xlsxwriter.",
        "",
        "| page | URL | median | p95 | size | bare query | bare median | ratio | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for p in pages:
        med, bare_med = statistics.median(p.times), statistics.median(p.bare_times)
        ratio = med / bare_med if bare_med else float("inf")
        if p.download:
            ok = ratio <= TARGET_DOWNLOAD
            verdict = f"{'met' if ok else 'NOT met'} (≤ {TARGET_DOWNLOAD}×)"
        else:
            ok = med * 1000 < TARGET_MS and p.size < TARGET_KB * 1024
            verdict = "met" if ok else "NOT met"
        status = "" if p.status == 200 else f" (HTTP {p.status})"
        lines.append(f"| {p.title}{status} | `{p.url}` | {med * 1000:.0f} ms | {p95(p.times) * 1000:.0f} ms | "
                     f"{p.size / 1024:.0f} KiB | {p.bare_title} | {bare_med * 1000:.1f} ms | {ratio:.1f}× | "
                     f"{verdict} |")
    return "\n".join(lines) + "\n"


def write_section(path: str, text: str, dialect: str) -> None:
    """Replace the previous "## Pages at city size — <dialect> — …" section (up to the next
    "## " or "### " heading) with `text`, or append it; every other section is kept as it is
    (other engineers write their own sections of the same file)."""
    import re

    with open(path, encoding="utf-8") as fh:
        doc = fh.read()
    pattern = re.compile(rf"^{re.escape(SECTION)} — {re.escape(dialect)} — .*?(?=^##|\Z)", re.M | re.S)
    new = text.strip("\n") + "\n\n"
    doc = pattern.sub(lambda _m: new, doc, count=1) if pattern.search(doc) else doc.rstrip("\n") + "\n\n" + new
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(doc.rstrip("\n") + "\n")


def main(argv=None) -> int:
    args = parse_args(argv)
    started = commit_measured()
    app = make_app(args.database_url)
    with app.app_context():
        from app.extensions import db

        actors = pick_actors(args.logins)
        clients = {role: login(app, name, args.password) for role, name in actors.items()}
        with tempfile.TemporaryDirectory() as tmpdir:
            pages = build_pages(args, actors, tmpdir)
            if args.only:
                keep = set(args.only.split(","))
                pages = [p for p in pages if p.key in keep]
            if args.explain:
                for page in pages:
                    if page.key in args.explain.split(","):
                        print(explain_page(app, page, clients[page.role]), flush=True)
                return 0
            time_pages(app, pages, clients, args.repeat)
        rows = counts()
        text = report(args, pages, rows, actors, db.engine, started)
        print(text)
        if args.write:
            write_section(os.path.join(ROOT, "docs", "PERFORMANCE.md"), text, db.engine.dialect.name)
        db.session.remove()
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
