"""Month-end load on e-Kinerja's REST API (issue 11 item 6), run by bench/load_bench.py.

Each simulated user takes one login of its role, logs in once (JWT) and then works:
- Pegawai: enters an activity for today and submits it (3-minute slots after the last one of
  the day, within the daily cap), and lists the own month;
- Atasan: lists the queue (own subordinates' submitted items of the month), approves one at a
  time and several at once (bulk approve);
- Operator OPD: lists the OPD's activities and downloads the OPD's work score recap;
- BKD: lists all activities and downloads the whole-city recap.

Every write the server acknowledged (201/200) is recorded: the ids of created, submitted and
approved activities are written as JSON to LOAD_RESULTS when the run stops, and the runner
compares them with the database. So is the steady state: from the moment every user of the step
has started (and logged in) to the end of the run, the number of requests, failures and their
response times (`steady`), beside locust's figures of the whole step with its arrivals.
Bounded: LOAD_MAX_TASKS tasks per user (then it stops) and locust's --run-time.

Environment: LOAD_LOGINS (JSON list of {username, role, employee_id, opd_id}), LOAD_PASSWORD,
LOAD_RESULTS, LOAD_RUN_ID (marks the activities of this run), LOAD_TODAY (YYYY-MM-DD, WIB),
LOAD_MAX_TASKS, LOAD_DAY_CAP (max_minutes_per_day).
"""
from __future__ import annotations

import json
import os
import random
import time
from collections import deque
from datetime import date, datetime, timedelta, timezone

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

PASSWORD = os.environ.get("LOAD_PASSWORD", "malang123")
RUN_ID = os.environ.get("LOAD_RUN_ID", "lokal")
MAX_TASKS = int(os.environ.get("LOAD_MAX_TASKS", "300"))
DAY_CAP = int(os.environ.get("LOAD_DAY_CAP", "450"))
SLOT = 3  # minutes per entered activity
TODAY = os.environ.get("LOAD_TODAY") or (datetime.now(timezone.utc) + timedelta(hours=7)).date().isoformat()
# The month's rows: FAB's date filters are gt/lt/eq/neq, so "after the previous month's last day".
BEFORE_MONTH = (date.fromisoformat(TODAY).replace(day=1) - timedelta(days=1)).isoformat()
PERIOD = TODAY[:7]
MARK = f"Uji beban {RUN_ID}"


def _load_logins() -> dict[str, deque]:
    path = os.environ.get("LOAD_LOGINS")
    pools: dict[str, deque] = {}
    if path:
        with open(path, encoding="utf-8") as fh:
            for row in json.load(fh):
                pools.setdefault(row["role"], deque()).append(row)
    return pools


POOLS = _load_logins()
RECORD = {"run_id": RUN_ID, "created": [], "submitted": [], "approved": [], "logins": 0}
STEADY = {"since": None, "until": None, "times": [], "failures": 0, "all": 0}


@events.spawning_complete.add_listener
def _steady_from(**_kwargs):
    STEADY["since"] = time.monotonic()


@events.request.add_listener
def _steady_request(response_time=None, exception=None, **_kwargs):
    STEADY["all"] += 1
    if STEADY["since"] is not None and STEADY["until"] is None:
        STEADY["times"].append(response_time or 0.0)
        STEADY["failures"] += exception is not None


def _percentile(ordered: list, share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


@events.test_stopping.add_listener
def _steady_until(**_kwargs):  # the run time is over: users finish their task, not counted
    STEADY["until"] = STEADY["until"] or time.monotonic()


@events.test_stop.add_listener
def _write_results(**_kwargs):
    STEADY["until"] = STEADY["until"] or time.monotonic()
    times = sorted(STEADY["times"])
    seconds = STEADY["until"] - STEADY["since"] if STEADY["since"] is not None else 0.0
    RECORD["requests"] = STEADY["all"]
    RECORD["steady"] = {"seconds": round(seconds, 1), "requests": len(times), "failures": STEADY["failures"],
                        "rps": len(times) / seconds if seconds > 0 else 0.0,
                        "median_ms": _percentile(times, 0.5), "p95_ms": _percentile(times, 0.95)}
    path = os.environ.get("LOAD_RESULTS")
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(RECORD, fh)


def _rison_filters(*filters: tuple[str, str, str]) -> str:
    parts = ",".join(f"(col:{c},opr:{o},value:{v})" for c, o, v in filters)
    return f"filters:!({parts})"


class EkUser(FastHttpUser):
    """geventhttpclient (FastHttpUser): a few times less CPU per request than requests, which
    matters when the load generator shares the server's two cores."""

    abstract = True
    network_timeout = 120.0
    wait_time = between(0.5, 1.5)
    role = ""
    shares_login = False

    def on_start(self):
        pool = POOLS.get(self.role)
        if not pool:
            raise StopUser()  # every login of this role is in use
        # Users who write take a login of their own (no two users enter on one day or decide
        # the same queue); users who only read (operators, BKD) may share one.
        if self.shares_login:
            self.account = pool[0]
            pool.rotate(-1)
        else:
            self.account = pool.popleft()
        self.done = 0
        with self.client.post("/api/v1/security/login", name="login", catch_response=True, json={
                "username": self.account["username"], "password": PASSWORD, "provider": "db"}) as resp:
            if resp.status_code != 200:
                resp.failure(f"login {resp.status_code}")
                raise StopUser()
            self.auth = {"Authorization": f"Bearer {resp.json()['access_token']}"}
        RECORD["logins"] += 1

    def tick(self):
        self.done += 1
        if self.done > MAX_TASKS:
            raise StopUser()

    def list_activities(self, name: str, *filters, page_size: int = 25, page: int = 0) -> list[dict]:
        q = f"({_rison_filters(*filters)},page:{page},page_size:{page_size})" if filters else f"(page_size:{page_size})"
        resp = self.client.get(f"/api/v1/activity/?q={q}", name=name, headers=self.auth)
        return resp.json().get("result", []) if resp.status_code == 200 else []


class Pegawai(EkUser):
    weight = 12
    role = "Pegawai"

    def on_start(self):
        super().on_start()
        me = self.account["employee_id"]
        day, page = [], 0
        while True:  # every activity of the day (a day of earlier runs may hold more than a page)
            rows = self.list_activities("pegawai: hari ini", ("employee", "rel_o_m", me),
                                        ("date", "eq", f"'{TODAY}'"), page_size=100, page=page)
            day += rows
            if len(rows) < 100:
                break
            page += 1
        self.used = sum(r.get("claimed_minutes") or 0 for r in day if r.get("status") != "REJECTED")
        ends = [r["end_time"][:5] for r in day if r.get("end_time")]
        last = max(ends + ["17:00"])
        self.next_minute = int(last[:2]) * 60 + int(last[3:5])
        self.entered = 0

    @task(3)
    def enter_and_submit(self):
        self.tick()
        if self.used + SLOT > DAY_CAP or self.next_minute + SLOT > 23 * 60 + 59:
            return self.list_month()  # the day is full: only look at it
        start, end = self.next_minute, self.next_minute + SLOT
        self.next_minute, self.used, self.entered = end, self.used + SLOT, self.entered + 1
        body = {"date": TODAY, "volume": 1, "description": f"{MARK} {self.account['username']} #{self.entered}",
                "start_time": f"{start // 60:02d}:{start % 60:02d}", "end_time": f"{end // 60:02d}:{end % 60:02d}"}
        resp = self.client.post("/api/v1/activity/", json=body, name="pegawai: catat aktivitas", headers=self.auth)
        if resp.status_code != 201:
            return
        item_id = resp.json()["id"]
        RECORD["created"].append(item_id)
        resp = self.client.post(f"/api/v1/activity/{item_id}/submit", json={}, name="pegawai: ajukan",
                                headers=self.auth)
        if resp.status_code == 200:
            RECORD["submitted"].append(item_id)

    @task(2)
    def list_month(self):
        self.tick()
        self.list_activities("pegawai: aktivitas bulan ini", ("employee", "rel_o_m", self.account["employee_id"]),
                             ("date", "gt", f"'{BEFORE_MONTH}'"))


class Atasan(EkUser):
    weight = 5
    role = "Atasan"

    def on_start(self):
        super().on_start()
        self.queue: list[int] = []

    def refresh(self):
        rows = self.list_activities("atasan: antrean", ("status", "eq", "SUBMITTED"),
                                    ("superior", "rel_o_m", self.account["employee_id"]),
                                    ("date", "gt", f"'{BEFORE_MONTH}'"))
        self.queue = [r["id"] for r in rows if r.get("employee.id") != self.account["employee_id"]]

    @task(3)
    def list_queue(self):
        self.tick()
        self.refresh()

    @task(2)
    def approve_one(self):
        self.tick()
        if not self.queue:
            return self.refresh()
        item_id = self.queue.pop(0)
        resp = self.client.post(f"/api/v1/activity/{item_id}/approve", json={}, name="atasan: setujui",
                                headers=self.auth)
        if resp.status_code == 200:
            RECORD["approved"].append(item_id)

    @task(1)
    def approve_bulk(self):
        self.tick()
        if len(self.queue) < 2:
            return self.refresh()
        ids, self.queue = self.queue[:10], self.queue[10:]
        resp = self.client.post("/api/v1/activity/bulk-approve", json={"ids": ids}, name="atasan: setujui massal",
                                headers=self.auth)
        if resp.status_code == 200:
            RECORD["approved"].extend(resp.json().get("approved", []))


class Operator(EkUser):
    weight = 2
    role = "Operator OPD"
    shares_login = True

    @task(3)
    def list_opd(self):
        self.tick()
        self.list_activities("operator: aktivitas OPD", ("date", "gt", f"'{BEFORE_MONTH}'"))

    @task(1)
    def export_recap(self):
        self.tick()
        self.client.get(f"/api/v1/report/recap?period={PERIOD}&opd={self.account['opd_id']}",
                        name="operator: unduh rekap OPD", headers=self.auth)


class Bkd(EkUser):
    weight = 1
    role = "BKD"
    shares_login = True

    @task(2)
    def list_all(self):
        self.tick()
        self.list_activities("bkd: semua aktivitas", ("date", "gt", f"'{BEFORE_MONTH}'"))

    @task(1)
    def download_city(self):
        self.tick()
        self.client.get(f"/api/v1/report/recap?period={PERIOD}", name="bkd: unduh rekap kota", headers=self.auth)
        if random.random() < 0.5:
            self.client.get(f"/api/v1/report/payroll?period={PERIOD}", name="bkd: unduh daftar TPP kota",
                            headers=self.auth)
