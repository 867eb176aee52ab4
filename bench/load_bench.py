"""Load test of the production stack (issue 11 item 6): gunicorn (sync workers, one thread
each) on a given database, driven by locust headless at rising user counts on loopback, with
the writes it counted as succeeded reconciled against the database after every step.

    .venv/bin/python -m bench.load_bench --database-url postgresql+psycopg://…/db \
        --password malang123 --users 10,25,50,100 --run-time 60 [--logins bench-logins.csv]

The database must hold data with logins of a known password: the demo data (`seed-demo`, every
login has the password) or `flask --app run bench-data --logins FILE` (only the sample in FILE
has it). Each step prints and appends to --out: requests, throughput, median, p95, failures of
the whole step (its users arriving and logging in included), the same from the moment its last
user started to the end of its run time (the steady state at that many users); then the
reconciliation: the activities marked with the step's run id are exactly those the
load test saw created, each in the status it was last acknowledged in (APPROVED / SUBMITTED /
DRAFT), and the activities approved since the step started are exactly those it saw approved.
A reconciled step is then undone (its activities deleted, the decisions it made on waiting items
put back), so every step and every run meets the same employees' day and superiors' queues.
Exit status 1 when a reconciliation fails.

The month-end figures of docs/PERFORMANCE.md: the city data set, its sample plus 100 superiors of
the sample's employees (--more-superiors: a step of 250 users has about 63 superiors, each with a
login of its own), users arriving at 5 a second, 150 s per step, one gunicorn worker per core
and PostgreSQL through its Unix socket, as deployed (docs/deploy.md):

    .venv/bin/python -m bench.load_bench --database-url "postgresql+psycopg://postgres@/city?host=/run/postgresql" \
        --logins bench-logins.csv --more-superiors 100 --users 100,150,200,250 \
        --run-time 150 --spawn-rate 5
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, create_engine, text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.dirname(sys.executable)
LOCUSTFILE = os.path.join(ROOT, "bench", "loadtest", "locustfile.py")
# At the end of a step every user finishes the task it is in (its requests are answered), so
# that every write the server committed was seen acknowledged: the reconciliation is exact.
STOP_TIMEOUT = 300


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def today_wib() -> str:
    return (datetime.now(timezone.utc) + timedelta(hours=7)).date().isoformat()


# --------------------------------------------------------------------------- logins
def superiors_of_sample(engine, wanted: dict[str, str], count: int) -> list[str]:
    """Give `count` superiors of the sample's employees (not in the sample yet, by NIP order)
    the sample's password, so that they log in and decide what the simulated employees submit.
    bench-data samples 60 superiors; a step of 250 users has about 63 Atasan users, each with a
    login of its own. Only for a bench database: it changes their password hash."""
    sample = sorted(u for u, role in wanted.items() if role == "Pegawai")
    known = next((u for u, role in sorted(wanted.items()) if role == "Atasan"), None)
    if not sample or known is None or count <= 0:
        return []
    with engine.begin() as conn:
        names = conn.execute(text(
            "SELECT DISTINCT su.username FROM ab_user pu JOIN employee e ON e.user_id = pu.id "
            "JOIN employee s ON s.id = e.superior_id AND s.active JOIN ab_user su ON su.id = s.user_id AND su.active "
            "WHERE pu.username IN :sample ORDER BY su.username").bindparams(bindparam("sample", expanding=True)),
            {"sample": sample}).scalars().all()
        names = [n for n in names if n not in wanted][:count]
        if names:
            conn.execute(text("UPDATE ab_user SET password = (SELECT password FROM ab_user WHERE username = :known) "
                              "WHERE username IN :names").bindparams(bindparam("names", expanding=True)),
                         {"known": known, "names": names})
    return names


def prepare_logins(database_url: str, out_path: str, logins_csv: str | None = None,
                   more_superiors: int = 0) -> dict[str, int]:
    """Write the locustfile's login list (username, role, employee_id, opd_id): the sample of a
    bench-data CSV, or else every login of the database classified by its roles (demo data).
    Operators and superiors are kept out of the Pegawai pool (one login, one simulated user).
    `more_superiors`: that many superiors of the sample's employees join it (superiors_of_sample)."""
    engine = create_engine(database_url)
    wanted = None
    if logins_csv:
        with open(logins_csv, encoding="utf-8") as fh:
            wanted = {row[0]: row[1].strip() for row in csv.reader(fh) if row and row[0] != "username"}
        for name in superiors_of_sample(engine, wanted, more_superiors):
            wanted[name] = "Atasan"
    agg = "array_agg(r.name)" if engine.dialect.name == "postgresql" else "group_concat(r.name, ',')"
    with engine.connect() as conn:
        rows = conn.execute(text(
            f"SELECT u.username, e.id, un.opd_id, "
            " EXISTS (SELECT 1 FROM employee s WHERE s.superior_id = e.id) AS is_superior, "
            f" {agg} AS roles "
            "FROM ab_user u JOIN ab_user_role ur ON ur.user_id = u.id JOIN ab_role r ON r.id = ur.role_id "
            "LEFT JOIN employee e ON e.user_id = u.id AND e.active LEFT JOIN unit un ON un.id = e.unit_id "
            "WHERE u.active GROUP BY u.username, e.id, un.opd_id ORDER BY u.username")).all()
    engine.dispose()
    logins = []
    for username, emp_id, opd_id, is_superior, roles in rows:
        roles = set(roles if isinstance(roles, list) else (roles or "").split(","))
        if wanted is not None and username not in wanted:
            continue
        if "BKD" in roles:
            role = "BKD"
        elif emp_id is None:
            continue
        elif "Operator OPD" in roles and opd_id is not None:
            role = "Operator OPD"
        elif is_superior:
            role = "Atasan"
        elif "Pegawai" in roles:
            role = "Pegawai"
        else:
            continue
        logins.append({"username": username, "role": role, "employee_id": emp_id, "opd_id": opd_id})
    # Month end: the superiors with the longest queues come first (they clear them).
    engine = create_engine(database_url)
    with engine.connect() as conn:
        queues = dict(conn.execute(text("SELECT superior_id, count(*) FROM activity WHERE status = 'SUBMITTED' "
                                        "GROUP BY superior_id")).all())
    engine.dispose()
    logins.sort(key=lambda row: -queues.get(row["employee_id"], 0) if row["role"] == "Atasan" else 0)
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump(logins, fh)
    counts: dict[str, int] = {}
    for row in logins:
        counts[row["role"]] = counts.get(row["role"], 0) + 1
    return counts


# --------------------------------------------------------------------------- the server
def start_server(database_url: str, port: int, workers: int = 3, log_path: str | None = None,
                 extra_env: dict | None = None, worker_class: str = "sync") -> subprocess.Popen:
    """gunicorn run:app, one thread per worker (FAB issue #2366), loopback only; sync workers
    unless `worker_class` says gthread (which keeps connections alive)."""
    env = dict(os.environ, DATABASE_URL=database_url, EKINERJA_ENV="development",
               SECRET_KEY=os.environ.get("SECRET_KEY") or uuid.uuid4().hex + uuid.uuid4().hex,
               # One client address (the load generator) logs in every simulated user.
               LOGIN_RATE_LIMIT="100000 per minute", LOGIN_FAILED_RATE_LIMIT="100000 per minute",
               **(extra_env or {}))
    log = open(log_path or os.devnull, "ab")
    proc = subprocess.Popen(
        [os.path.join(VENV_BIN, "gunicorn"), "--workers", str(workers), "--threads", "1",
         "--worker-class", worker_class, "--keep-alive", "5", "--bind", f"127.0.0.1:{port}", "--timeout", "120",
         "--graceful-timeout", "10", "run:app"],
        cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start (code {proc.returncode}); see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    stop_server(proc)
    raise RuntimeError("gunicorn did not answer within 90 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --------------------------------------------------------------------------- locust
def run_locust(host: str, users: int, run_time: int, logins_path: str, password: str, out_prefix: str,
               run_id: str, max_tasks: int = 300, spawn_rate: float | None = None,
               today: str | None = None) -> tuple[dict, dict]:
    """One headless locust run; returns (aggregated stats, the locustfile's record)."""
    results = out_prefix + "_record.json"
    env = dict(os.environ, LOAD_LOGINS=logins_path, LOAD_PASSWORD=password, LOAD_RESULTS=results,
               LOAD_RUN_ID=run_id, LOAD_MAX_TASKS=str(max_tasks), LOAD_TODAY=today or today_wib())
    cmd = [os.path.join(VENV_BIN, "locust"), "-f", LOCUSTFILE, "--headless", "--host", host,
           "-u", str(users), "-r", str(spawn_rate or max(1, users / 5)), "--run-time", f"{run_time}s",
           "--stop-timeout", str(STOP_TIMEOUT), "--csv", out_prefix, "--only-summary", "--loglevel", "WARNING",
           "--exit-code-on-error", "0"]
    subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(out_prefix + ".log", "w"),
                   timeout=run_time + STOP_TIMEOUT + 120, check=True)
    with open(out_prefix + "_stats.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with open(results, encoding="utf-8") as fh:
        record = json.load(fh)
    aggregated = next(r for r in rows if r["Name"] == "Aggregated")
    stats = {
        "requests": int(aggregated["Request Count"]),
        "failures": int(aggregated["Failure Count"]),
        "rps": float(aggregated["Requests/s"]),
        "median_ms": float(aggregated["Median Response Time"]),
        "p95_ms": float(aggregated["95%"]),
        "per_name": {r["Name"]: (int(r["Request Count"]), int(r["Failure Count"]), float(r["Median Response Time"]),
                                 float(r["95%"])) for r in rows if r["Name"] != "Aggregated"},
    }
    return stats, record


# --------------------------------------------------------------------------- reconciliation
def step_mark(run_id: str) -> str:
    """LIKE pattern of the activities one step entered (the locustfile's MARK and a number)."""
    return f"Uji beban {run_id} %"


def _chunks(ids: list[int], size: int = 1000) -> list[list[int]]:
    """`ids` in slices of at most `size` (one IN list per statement)."""
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def reconcile(database_url: str, record: dict, started: datetime) -> list[str]:
    """Differences between what the load test counted as succeeded and the database (empty: none)."""
    created, submitted, approved = set(record["created"]), set(record["submitted"]), set(record["approved"])
    problems = []
    if len(record["created"]) != len(created) or len(record["approved"]) != len(approved):
        problems.append("an id was counted twice")
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT id, status FROM activity WHERE description LIKE :mark"),
                                 {"mark": step_mark(record["run_id"])}).all())
        decided = set(conn.execute(text("SELECT id FROM activity WHERE status = 'APPROVED' AND decided_at >= :t"),
                                   {"t": started - timedelta(seconds=1)}).scalars())
    engine.dispose()
    if set(rows) != created:
        problems.append(f"created: database {len(rows)}, load test {len(created)} "
                        f"(only in database: {sorted(set(rows) - created)[:10]}, "
                        f"only counted: {sorted(created - set(rows))[:10]})")
    wrong = {i: s for i, s in rows.items()
             if s != ("APPROVED" if i in approved else "SUBMITTED" if i in submitted else "DRAFT")}
    if wrong:
        problems.append(f"{len(wrong)} activities in another status than acknowledged: {list(wrong.items())[:10]}")
    if decided != approved:
        problems.append(f"approved: database {len(decided)}, load test {len(approved)} "
                        f"(only in database: {sorted(decided - approved)[:10]}, "
                        f"only counted: {sorted(approved - decided)[:10]})")
    return problems


def lost_writes(database_url: str, record: dict) -> list[str]:
    """Acknowledged writes the database does not hold (empty: none lost). Used under faults,
    where a request that failed may still have committed (in doubt, never acknowledged)."""
    created, submitted, approved = set(record["created"]), set(record["submitted"]), set(record["approved"])
    engine = create_engine(database_url)
    with engine.connect() as conn:
        status = dict(conn.execute(text("SELECT id, status FROM activity WHERE description LIKE :mark"),
                                   {"mark": step_mark(record["run_id"])}).all())
        for chunk in _chunks(sorted(approved)):
            status.update(conn.execute(text("SELECT id, status FROM activity WHERE id IN :ids")
                                       .bindparams(bindparam("ids", expanding=True)), {"ids": chunk}).all())
    engine.dispose()
    problems = []
    gone = sorted(created - set(status))
    if gone:
        problems.append(f"{len(gone)} acknowledged activities missing: {gone[:10]}")
    unsubmitted = sorted(i for i in submitted if status.get(i) not in ("SUBMITTED", "APPROVED"))
    if unsubmitted:
        problems.append(f"{len(unsubmitted)} acknowledged submissions lost: {unsubmitted[:10]}")
    unapproved = sorted(i for i in approved if status.get(i) != "APPROVED")
    if unapproved:
        problems.append(f"{len(unapproved)} acknowledged approvals lost: {unapproved[:10]}")
    return problems


def forget_step(database_url: str, record: dict) -> None:
    """Undo a reconciled step: delete the activities it entered and put the ones it approved
    from the superiors' queues back (SUBMITTED, no decision), so that every step and every run
    finds the simulated employees' day and the superiors' queues as the first did. A full day
    turns entries into reads; drained queues turn approvals into empty lists (other mixes)."""
    waiting = sorted(set(record["approved"]) - set(record["created"]))
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM activity WHERE description LIKE :mark"), {"mark": step_mark(record["run_id"])})
        for chunk in _chunks(waiting):
            conn.execute(text("UPDATE activity SET status = 'SUBMITTED', decided_at = NULL, decided_by_id = NULL, "
                              "decision_note = NULL, recognised_minutes = NULL, version = version - 1 "
                              "WHERE id IN :ids AND status = 'APPROVED'")
                         .bindparams(bindparam("ids", expanding=True)), {"ids": chunk})
    engine.dispose()


# --------------------------------------------------------------------------- CPU accounting
def _cpu(proc) -> float:
    t = proc.cpu_times()
    return t.user + t.system


def server_cpu(server: subprocess.Popen) -> float:
    """CPU seconds used so far by gunicorn's master and its workers."""
    import psutil

    master = psutil.Process(server.pid)
    total = _cpu(master)
    for child in master.children(recursive=True):
        try:
            total += _cpu(child)
        except psutil.NoSuchProcess:
            pass
    return total


def database_cpu(database_url: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to this database (same machine)."""
    import psutil

    engine = create_engine(database_url)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        return {}
    with engine.connect() as conn:
        pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND pid <> pg_backend_pid()")).scalars().all()
    engine.dispose()
    found = {}
    for pid in pids:
        try:
            found[pid] = _cpu(psutil.Process(pid))
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return found


class CpuMeter:
    """CPU used during one step by the app, its database backends, the load generator and the
    whole machine (what the other work on the machine took is the rest)."""

    def __init__(self, server, database_url):
        import psutil

        self.server, self.url = server, database_url
        self.app = server_cpu(server)
        self.db = database_cpu(database_url)
        self.gen = self._children()
        self.machine = psutil.cpu_times()
        self.wall = time.monotonic()

    @staticmethod
    def _children() -> float:
        import resource

        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    def stop(self) -> dict:
        import psutil

        db_now = database_cpu(self.url)
        now = psutil.cpu_times()
        wall = time.monotonic() - self.wall
        busy = (sum(now) - now.idle - getattr(now, "iowait", 0)) - (
            sum(self.machine) - self.machine.idle - getattr(self.machine, "iowait", 0))
        return {"app": server_cpu(self.server) - self.app,
                "db": sum(v - self.db.get(pid, 0.0) for pid, v in db_now.items()),
                "generator": self._children() - self.gen, "machine": busy, "wall": wall,
                "cores": psutil.cpu_count()}


def run_steps(database_url: str, password: str, users_steps: list[int], run_time: int, out_dir: str,
              workers: int = 3, logins_csv: str | None = None, max_tasks: int = 300,
              spawn_rate: float | None = None, worker_class: str = "sync", more_superiors: int = 0) -> int:
    os.makedirs(out_dir, exist_ok=True)
    logins_path = os.path.join(out_dir, "logins.json")
    pools = prepare_logins(database_url, logins_path, logins_csv, more_superiors)
    print(f"Logins by role: {pools}", flush=True)
    port = free_port()
    server = start_server(database_url, port, workers, os.path.join(out_dir, "gunicorn.log"),
                          worker_class=worker_class)
    failed = False
    lines = ["| users | requests | req/s | median ms | p95 ms | failures "
             "| all started: s | req/s | median ms | p95 ms | failures "
             "| created | submitted | approved "
             "| reconciled | CPU ms/request: app / PostgreSQL / locust | machine busy, of which other work |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|"]
    try:
        for users in users_steps:
            run_id = uuid.uuid4().hex[:8]
            # The reconciliation counts decisions from 1 s before the start: the previous step's
            # last ones must be older than that.
            time.sleep(1.5)
            started = utcnow()
            meter = CpuMeter(server, database_url)
            stats, record = run_locust(f"http://127.0.0.1:{port}", users, run_time, logins_path, password,
                                       os.path.join(out_dir, f"u{users}"), run_id, max_tasks, spawn_rate)
            cpu = meter.stop()
            problems = reconcile(database_url, record, started)
            failed |= bool(problems)
            forget_step(database_url, record)
            line = (f"| {users} | {stats['requests']} | {stats['rps']:.1f} | {stats['median_ms']:.0f} | "
                    f"{stats['p95_ms']:.0f} | {stats['failures']} | " + _steady_cells(record.get("steady"))
                    + f" | {len(record['created'])} | "
                    f"{len(record['submitted'])} | {len(record['approved'])} | "
                    f"{'yes' if not problems else 'NO: ' + '; '.join(problems)} | "
                    + _cpu_cells(cpu, stats["requests"]) + " |")
            lines.append(line)
            print(line, flush=True)
            for name, (n, f, med, p95) in sorted(stats["per_name"].items()):
                print(f"    {name:<32} {n:>7} req {f:>4} fail  median {med:>6.0f} ms  p95 {p95:>6.0f} ms", flush=True)
    finally:
        stop_server(server)
    with open(os.path.join(out_dir, "summary.md"), "a", encoding="utf-8") as fh:
        fh.write(f"\n{utcnow():%Y-%m-%d %H:%M} UTC, {workers} workers, {run_time} s per step\n\n" + "\n".join(lines) + "\n")
    return 1 if failed else 0


def _steady_cells(steady: dict | None) -> str:
    """The step after its last user started (logged in and working) until its run time ended."""
    if not steady or not steady.get("seconds"):
        return "- | - | - | - | -"
    return (f"{steady['seconds']:.0f} | {steady['rps']:.1f} | {steady['median_ms']:.0f} | {steady['p95_ms']:.0f} | "
            f"{steady['failures']}")


def _cpu_cells(cpu: dict, requests: int) -> str:
    n = max(requests, 1)
    ours = cpu["app"] + cpu["db"] + cpu["generator"]
    capacity = cpu["cores"] * cpu["wall"]
    return (f"{1000 * cpu['app'] / n:.1f} / {1000 * cpu['db'] / n:.1f} / {1000 * cpu['generator'] / n:.1f} | "
            f"{100 * cpu['machine'] / capacity:.0f} %, {100 * max(cpu['machine'] - ours, 0) / capacity:.0f} %")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), required="DATABASE_URL" not in os.environ)
    parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", "malang123"))
    parser.add_argument("--users", default="1,10,25,50,100,200", help="rising user counts, comma separated")
    parser.add_argument("--run-time", type=int, default=60, help="seconds per step")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="gunicorn workers (default as the deployment's gunicorn.conf.py: one per core)")
    parser.add_argument("--max-tasks", type=int, default=300, help="tasks per simulated user at most")
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"),
                        help="gunicorn worker class (gthread with one thread keeps connections alive)")
    parser.add_argument("--more-superiors", type=int, default=0,
                        help="with --logins: that many superiors of the sample's employees log in too")
    parser.add_argument("--spawn-rate", type=float, default=None,
                        help="users started per second (default: all of a step within 5 s)")
    parser.add_argument("--logins", default=None, help="bench-data's CSV of sample logins (username,role)")
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "ekinerja-load"))
    args = parser.parse_args(argv)
    steps = [int(x) for x in args.users.split(",") if x.strip()]
    return run_steps(args.database_url, args.password, steps, args.run_time, args.out, args.workers, args.logins,
                     args.max_tasks, args.spawn_rate, args.worker_class, args.more_superiors)


if __name__ == "__main__":
    sys.exit(main())
