"""Benchmark: the whole-city Excel recap against bare xlsxwriter writing the same rows.

Generates into a FRESH database (schema from the migrations) 70 OPD with 400 sub-units, 1,500
positions, 10,000 employees and one period with 10,000 Recap rows (bulk insert: executemany on
SQLite, COPY on PostgreSQL), then, in the same run, interleaved, median of --repeat runs:

  (a) bare xlsxwriter in constant-memory mode: the same column select
      (app.services.reports.recap_select, executed with yield_per=2000), one write_number /
      write_string per cell with one precomputed format per column, nothing else
  (b) the app's builder: app.services.reports.build_city_recap() — the same select, the header
      block, formats, labels, totals formulas with values, print setup, signature block

and the peak memory of (b) in a subprocess (ru_maxrss of the child read with
resource.getrusage(RUSAGE_CHILDREN) after it exits; a first child that only creates the app gives
the baseline; tracemalloc inside the child gives the Python heap peak of the build alone).
Prints and appends a section to docs/PERFORMANCE.md (target: (b) ≤ 1.3 × (a), peak < 150 MB).

    python -m bench.report_bench                                       # SQLite file in the temp dir
    python -m bench.report_bench --reset --database-url postgresql+psycopg://postgres@127.0.0.1:55432/bench_report

The selects run unscoped (scoped=False): for BKD/Admin the scope clause is None, i.e. the same SQL.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench.recompute_bench import Loader, machine, make_app, prepare_database  # noqa: E402

PREDIKAT = ["SANGAT_BAIK", "BAIK", "BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", None]


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=None,
                    help="SQLAlchemy URL (default: SQLite file ekinerja_report_bench.db in the temp dir, recreated)")
    ap.add_argument("--employees", type=int, default=10_000)
    ap.add_argument("--opd", type=int, default=70)
    ap.add_argument("--subunits", type=int, default=400)
    ap.add_argument("--positions", type=int, default=1_500)
    ap.add_argument("--year", type=int, default=2026)
    ap.add_argument("--month", type=int, default=11)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20265)
    ap.add_argument("--reset", action="store_true", help="PostgreSQL: drop and recreate schema public first")
    ap.add_argument("--no-write", action="store_true", help="do not append to docs/PERFORMANCE.md")
    ap.add_argument("--child", choices=["baseline", "builder", "bare"], help=argparse.SUPPRESS)
    return ap.parse_args(argv)


# --------------------------------------------------------------------------- data
def generate(args) -> dict[str, int]:
    from sqlalchemy import text

    from app.extensions import db

    rnd = random.Random(args.seed)
    engine = db.engine
    is_pg = engine.dialect.name == "postgresql"
    now = dt.datetime(2026, 11, 27, 7, 0)
    raw = engine.raw_connection()
    try:
        load = Loader(raw.driver_connection if is_pg else raw, is_pg).load
        # units: OPD roots then sub-units (opd_id = the root)
        units = []
        for i in range(1, args.opd + 1):
            units.append((i, f"B{i:03d}", f"Dinas Bench {i:02d}", "OPD", None, i, 5, True))
        for j in range(args.subunits):
            uid = args.opd + 1 + j
            opd = 1 + j % args.opd
            units.append((uid, f"B{opd:03d}.{j:03d}", f"Bidang Bench {j:03d}", "BIDANG", opd, opd, 5, True))
        load("unit", ["id", "code", "name", "kind", "parent_id", "opd_id", "workdays_per_week", "active"], units)
        unit_opd = {u[0]: u[5] for u in units}
        positions = []
        for p in range(1, args.positions + 1):
            uid = 1 + (p - 1) % len(units)
            positions.append((p, f"Jabatan Bench {p:04d}", "PELAKSANA", rnd.randint(3, 15), uid, None, True))
        load("position", ["id", "name", "kind_code", "kelas_jabatan", "unit_id", "parent_id", "active"], positions)
        pos_by_id = {p[0]: p for p in positions}
        employees, recaps = [], []
        load("period", ["id", "year", "month", "state"], [(1, args.year, args.month, "OPEN")])
        for e in range(1, args.employees + 1):
            pos = pos_by_id[1 + (e - 1) % args.positions]
            uid = pos[4]
            nip = f"1985010120{e:08d}"  # 18 digits, unique
            name = f"Pegawai Bench {e:05d}"
            acct = f"00{rnd.randint(10**9, 10**10 - 1)}"
            employees.append((e, nip, name, "L" if e % 2 else "P", dt.date(1985, 1, 1), "PNS", "III/a", pos[0], uid,
                              "Bank Jatim", acct, True))
            target = 20 * 300
            rec = rnd.randint(3000, 7500)
            score = min(100, round(rec * 100 / target, 2))
            base = 1_000_000 + pos[3] * 250_000
            perf = round(base * 0.6 * score / 100)
            ded = rnd.choice([0, 0, 0, 0.5, 1.5, 3])
            disc = round(base * 0.4 * (100 - ded) / 100)
            gross = perf + disc
            tax = round(gross * 0.05)
            health = round(gross * 0.01)
            recaps.append((1, e, nip, name, uid, unit_opd[uid], f"Unit {uid}", pos[1], "PELAKSANA", pos[3], "PNS",
                           "III/a", acct, 5, 20, 0, 20, target, rec, score, rnd.choice(PREDIKAT), ded, 0, base, perf,
                           disc, gross, tax, health, gross - tax - health, "{}", now))
        load("employee", ["id", "nip", "name", "sex", "birth_date", "kind", "golongan", "position_id", "unit_id",
                          "bank_name", "bank_account", "active"], employees)
        from app.services.recap import RECAP_COLUMNS

        load("recap", list(RECAP_COLUMNS), recaps)
        raw.commit()
    finally:
        raw.close()
    if is_pg:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("unit", "position", "employee", "period", "recap"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT MAX(id) FROM {table}))"))
                conn.execute(text(f"ANALYZE {table}"))
    return {"opd": args.opd, "units": len(units), "positions": len(positions), "employees": len(employees),
            "recap": len(recaps)}


# --------------------------------------------------------------------------- the two writers
def bare_writer(period_id: int, path: str, tmpdir: str) -> int:
    """(a) Bare xlsxwriter, constant memory, the same select and columns, one format per column."""
    import xlsxwriter

    from app.services.reports import recap_select, stream

    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False, "tmpdir": tmpdir})
    ws = wb.add_worksheet("Rekap Kinerja")
    text_f = wb.add_format({"border": 1})
    int_f = wb.add_format({"border": 1, "num_format": "#,##0"})
    pct_f = wb.add_format({"border": 1, "num_format": "0.00"})
    ws_s, ws_n = ws.write_string, ws.write_number
    r = 0
    for nip, name, opd, unit, pos, kelas, wd, target, rec, score, pred in stream(recap_select(period_id, scoped=False)):
        ws_n(r, 0, r + 1, int_f)
        ws_s(r, 1, nip, text_f)
        ws_s(r, 2, name, text_f)
        ws_s(r, 3, opd, text_f)
        ws_s(r, 4, unit, text_f)
        ws_s(r, 5, pos or "", text_f)
        ws_n(r, 6, kelas or 0, int_f)
        ws_n(r, 7, wd, int_f)
        ws_n(r, 8, target, int_f)
        ws_n(r, 9, rec, int_f)
        ws_n(r, 10, float(score), pct_f)
        ws_s(r, 11, pred or "", text_f)
        r += 1
    wb.close()
    return r


def app_builder(period, path: str, tmpdir: str) -> int:
    """(b) The app's whole-city recap builder."""
    from app.services.reports import build_city_recap

    return build_city_recap(period, path, tmpdir=tmpdir, printed_at=dt.datetime(2026, 11, 27, 14, 5), scoped=False)


def _period():
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Period

    return db.session.scalar(select(Period).order_by(Period.id).limit(1))


def time_runs(args, tmpdir: str) -> dict:
    from app.extensions import db

    period = _period()
    out = {"bare": [], "builder": [], "rows": None, "size": None}
    path = os.path.join(tmpdir, "bench.xlsx")
    # warm-up of both (imports, page cache)
    bare_writer(period.id, path, tmpdir)
    app_builder(period, path, tmpdir)
    for _ in range(args.repeat):
        for name, fn in (("bare", lambda: bare_writer(period.id, path, tmpdir)),
                         ("builder", lambda: app_builder(period, path, tmpdir))):
            db.session.rollback()
            t = time.perf_counter()
            n = fn()
            out[name].append(time.perf_counter() - t)
            if name == "builder":
                out["rows"] = n
                out["size"] = os.path.getsize(path)
    return out


# --------------------------------------------------------------------------- memory (children)
def child(kind: str, url: str) -> int:
    """Run in a subprocess: create the app, then optionally build once; print tracemalloc peak."""
    import tracemalloc

    app = make_app(url)
    with app.app_context():
        from app.extensions import db

        period = _period()
        tmpdir = tempfile.mkdtemp(prefix="ekrb-")
        path = os.path.join(tmpdir, "child.xlsx")
        tracemalloc.start()
        t = time.perf_counter()
        if kind == "builder":
            n = app_builder(period, path, tmpdir)
        elif kind == "bare":
            n = bare_writer(period.id, path, tmpdir)
        else:
            n = 0
        seconds = time.perf_counter() - t
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        if os.path.exists(path):
            os.remove(path)
        os.rmdir(tmpdir)
        db.session.remove()
        db.engine.dispose()
    print(json.dumps({"rows": n, "tracemalloc_peak": peak, "seconds": seconds,
                      "ru_maxrss_self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
    return 0


def measure_memory(url: str) -> dict:
    """Peak RSS of the children. RUSAGE_CHILDREN.ru_maxrss is the maximum over the children waited
    for so far: the builder child runs FIRST, so the first reading is exactly its peak; the
    baseline and bare children report their own RUSAGE_SELF peak."""
    out = {}
    for kind in ("builder", "baseline", "bare"):
        proc = subprocess.run([sys.executable, "-m", "bench.report_bench", "--child", kind, "--database-url", url],
                              cwd=ROOT, capture_output=True, text=True, check=True)
        info = json.loads(proc.stdout.strip().splitlines()[-1])
        info["ru_maxrss_children_kb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        out[kind] = info
    return out


# --------------------------------------------------------------------------- report
def report(args, url, counts, timing, memory, gen_seconds, engine) -> str:
    from sqlalchemy.engine import make_url

    bare = statistics.median(timing["bare"])
    built = statistics.median(timing["builder"])
    ratio = built / bare
    base_mb = memory["baseline"]["ru_maxrss_self_kb"] / 1024
    bare_mb = memory["bare"]["ru_maxrss_self_kb"] / 1024
    peak_mb = memory["builder"]["ru_maxrss_children_kb"] / 1024
    heap_mb = memory["builder"]["tracemalloc_peak"] / 1024 / 1024
    bare_heap_mb = memory["bare"]["tracemalloc_peak"] / 1024 / 1024
    ok_t = "memenuhi" if ratio <= 1.3 else "TIDAK memenuhi"
    ok_m = "memenuhi" if peak_mb < 150 else "TIDAK memenuhi"
    cmd = "python -m bench.report_bench" + (f" --repeat {args.repeat}" if args.repeat != 5 else "")
    if args.database_url:
        cmd += (" --reset" if args.reset else "") + f" --database-url {args.database_url}"
    shown_url = make_url(url).render_as_string(hide_password=True)
    ms = lambda xs: ", ".join(f"{x * 1000:.0f}" for x in xs)  # noqa: E731
    return f"""
## Whole-city Excel recap {args.year}-{args.month:02d} — {engine.dialect.name} — {dt.datetime.now():%Y-%m-%d %H:%M}

- Machine: {machine(engine)}; xlsxwriter {__import__('xlsxwriter').__version__}
- Command: `{cmd}` (database `{shown_url}`)
- Rows: {counts['recap']:,} Recap rows ({counts['employees']:,} employees, {counts['opd']} OPD / {counts['units']} units,
  {counts['positions']:,} positions), bulk-inserted in {gen_seconds:.1f} s; file {timing['size'] / 1024:.0f} KiB,
  {timing['rows']:,} data rows
- (a) bare xlsxwriter, `constant_memory`, same `recap_select()` streamed with `yield_per=2000`, one
  format per column: median **{bare * 1000:.0f} ms** of {args.repeat} ({ms(timing['bare'])} ms)
- (b) `app.services.reports.build_city_recap()` (header block, labels, totals `=SUM` with values,
  print setup, signature): median **{built * 1000:.0f} ms** of {args.repeat} ({ms(timing['builder'])} ms)
- **Ratio (b)/(a) = {ratio:.2f}×** — target ≤ 1.3×: {ok_t}
- Peak memory of (b), measured in a subprocess with `resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`
  after it exits (the first child): **{peak_mb:.0f} MB** RSS for the whole process (Flask-AppBuilder app
  created + one build). For comparison (`RUSAGE_SELF` in the child): a child that only creates the app
  peaks at {base_mb:.0f} MB, the bare writer's child at {bare_mb:.0f} MB. `tracemalloc` peak of the build
  alone (Python heap): {heap_mb:.1f} MB (bare writer: {bare_heap_mb:.1f} MB). Target < 150 MB: {ok_m}
"""


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args.child, args.database_url)
    url = prepare_database(args.database_url or f"sqlite:///{os.path.join(tempfile.gettempdir(), 'ekinerja_report_bench.db')}",
                           args.reset)
    app = make_app(url)
    with app.app_context():
        from flask_migrate import upgrade

        from app.extensions import db

        upgrade()
        t = time.perf_counter()
        counts = generate(args)
        gen_seconds = time.perf_counter() - t
        print(f"Generated in {gen_seconds:.1f} s: {counts}", flush=True)
        tmpdir = tempfile.mkdtemp(prefix="ek-report-bench-")
        try:
            timing = time_runs(args, tmpdir)
        finally:
            for name in os.listdir(tmpdir):
                os.remove(os.path.join(tmpdir, name))
            os.rmdir(tmpdir)
        db.session.remove()
        memory = measure_memory(url)
        text = report(args, url, counts, timing, memory, gen_seconds, db.engine)
        print(text)
        if not args.no_write:
            with open(os.path.join(ROOT, "docs", "PERFORMANCE.md"), "a", encoding="utf-8") as fh:
                fh.write(text)
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
