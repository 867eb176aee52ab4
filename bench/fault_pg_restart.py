"""Fault: PostgreSQL restarted during load (issue 11 item 7). Repeatable script; its results
are in docs/faults.md, and tests/test_faults_pg.py runs it briefly.

    .venv/bin/python -m bench.fault_pg_restart [--users 20] [--run-time 40] [--restart-at 15]

What it does, on loopback only:
1. initdb a throwaway PostgreSQL cluster (Debian's binaries, the newest installed; fsync on:
   durability is what is tested), start it on a free port, migrate it and fill it with the
   demo data (`seed-demo`, every login has the password);
2. start gunicorn (sync workers) on it and the month-end locust mix (bench/loadtest);
3. at --restart-at seconds, `pg_ctl restart -m immediate` (the server is killed without a
   checkpoint and recovers from its WAL, like after a crash or a power cut);
4. when locust ends, without restarting gunicorn, one more login and one activity saved
   through the API (the app recovered by itself), and the reconciliation: every write the
   load test saw acknowledged is in the database in the acknowledged state;
5. the failures seen by the load generator are counted by kind: they must be 503 answers
   (the database is unreachable: "Basis data sedang tidak dapat dihubungi ..."), never 500.
"""
from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

from bench import load_bench

ROOT = load_bench.ROOT


class Cluster:
    """A throwaway PostgreSQL cluster owned by the postgres user (when run as root)."""

    def __init__(self, base: str):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(p.split("/")[4]))
        if not bins:
            raise RuntimeError("PostgreSQL server binaries (initdb) are not installed")
        self.bin = os.path.dirname(bins[-1])
        self.base = base
        self.data = os.path.join(base, "data")
        self.port = load_bench.free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/ekinerja"

    def _as_postgres(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = " ".join(f"'{a}'" for a in args)
        if os.geteuid() == 0:
            argv = ["su", "postgres", "-s", "/bin/sh", "-c", cmd]
        else:
            argv = ["/bin/sh", "-c", cmd]
        # No pipes: a server started by pg_ctl would keep them open (its output goes to -l).
        return subprocess.run(argv, check=check, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self._as_postgres(f"{self.bin}/initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                          "--locale=C.UTF-8")
        self._as_postgres(f"{self.bin}/pg_ctl", "-D", self.data, "-l", os.path.join(self.base, "server.log"), "-w",
                          "start", "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} "
                                         f"-c unix_socket_directories={self.base} -c max_connections=100")
        self._as_postgres(f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                          "ekinerja")

    def restart(self, mode: str = "immediate") -> float:
        """Restart the server; returns how long it was away (seconds)."""
        began = time.monotonic()
        self._as_postgres(f"{self.bin}/pg_ctl", "-D", self.data, "-l", os.path.join(self.base, "server.log"),
                          "-m", mode, "-w", "restart")
        return time.monotonic() - began

    def stop(self) -> None:
        self._as_postgres(f"{self.bin}/pg_ctl", "-D", self.data, "-m", "fast", "stop", check=False)


def seed_demo(url: str, password: str) -> None:
    env = dict(os.environ, DATABASE_URL=url)
    flask = os.path.join(load_bench.VENV_BIN, "flask")
    for args in (["db", "upgrade"], ["sync-roles"], ["seed-demo", "--password", password]):
        subprocess.run([flask, "--app", "run", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def _api(port: int, path: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def after_restart_check(port: int, logins_path: str, password: str, today: str) -> tuple[int, int]:
    """One login and one saved activity on the running app: (login status, save status)."""
    with open(logins_path, encoding="utf-8") as fh:
        logins = json.load(fh)
    who = [row for row in logins if row["role"] == "Pegawai"][-1]  # the locust pool takes from the front
    code, body = _api(port, "/api/v1/security/login", {"username": who["username"], "password": password,
                                                       "provider": "db"})
    if code != 200:
        return code, 0
    code2, _ = _api(port, "/api/v1/activity/", {"date": today, "volume": 1, "description": "Setelah restart",
                                                "start_time": "23:50", "end_time": "23:55"}, body["access_token"])
    return code, code2


def failure_kinds(out_prefix: str) -> dict[str, int]:
    """Failures of the load generator by HTTP status (or exception name)."""
    kinds: dict[str, int] = {}
    path = out_prefix + "_failures.csv"
    if not os.path.exists(path):
        return kinds
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            error = row["Error"]
            # requests: "HTTPError('503 Server Error: ...')", geventhttpclient: "LocustBadStatusCode(code=503)"
            status = re.search(r"code=([1-5]\d\d)\b", error) or re.match(r"HTTPError\('([1-5]\d\d) ", error)
            key = status.group(1) if status else error.split("(")[0]
            kinds[key] = kinds.get(key, 0) + int(row["Occurrences"])
    return kinds


def run(users: int, run_time: int, restart_at: int, out_dir: str, password: str = "malang123",
        prepare=seed_demo, workers: int = 3) -> dict:
    """The whole scenario; returns its result (see the module docstring)."""
    os.makedirs(out_dir, exist_ok=True)
    base = tempfile.mkdtemp(prefix="ekinerja-pgfault-")
    cluster = Cluster(base)
    result: dict = {}
    try:
        cluster.start()
        prepare(cluster.url, password)
        logins_path = os.path.join(out_dir, "logins.json")
        load_bench.prepare_logins(cluster.url, logins_path)
        port = load_bench.free_port()
        server = load_bench.start_server(cluster.url, port, workers, os.path.join(out_dir, "gunicorn.log"))
        today = (datetime.now(timezone.utc) + timedelta(hours=7)).date().isoformat()
        try:
            outcome: dict = {}
            prefix = os.path.join(out_dir, "restart")

            def drive():
                outcome["stats"], outcome["record"] = load_bench.run_locust(
                    f"http://127.0.0.1:{port}", users, run_time, logins_path, password, prefix,
                    uuid.uuid4().hex[:8], spawn_rate=users, today=today)

            thread = threading.Thread(target=drive)
            thread.start()
            time.sleep(restart_at)
            result["restart_seconds"] = round(cluster.restart("immediate"), 2)
            thread.join()
            result["login_after"], result["save_after"] = after_restart_check(port, logins_path, password, today)
        finally:
            load_bench.stop_server(server)
        stats, record = outcome["stats"], outcome["record"]
        result.update(requests=stats["requests"], failures=stats["failures"], failure_kinds=failure_kinds(prefix),
                      created=len(record["created"]), submitted=len(record["submitted"]),
                      approved=len(record["approved"]), lost=load_bench.lost_writes(cluster.url, record))
        with open(os.path.join(out_dir, "gunicorn.log"), encoding="utf-8", errors="replace") as fh:
            log = fh.read()
        result["worker_errors_500"] = log.count("Exception on ")  # Flask's log line of an unhandled error
        return result
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--run-time", type=int, default=40)
    parser.add_argument("--restart-at", type=int, default=15)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "ekinerja-pgfault"))
    args = parser.parse_args(argv)
    result = run(args.users, args.run_time, args.restart_at, args.out, workers=args.workers)
    print(json.dumps(result, indent=2))
    ok = (not result["lost"] and result["login_after"] == 200 and result["save_after"] == 201
          and set(result["failure_kinds"]) <= {"503"} and not result["worker_errors_500"])
    print("OK: recovered by itself, no acknowledged write lost" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
