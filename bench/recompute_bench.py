"""Benchmark: the recompute of a whole city month against a bare SQL GROUP BY of the same rows.

Generates into a FRESH database (schema from the migrations) 10,000 employees in 70 OPD
(~400 sub-units, 1,500 positions), one month of activities (22 working days × 4 per employee
= 880,000 rows, ~90% APPROVED) and attendance (22 days per employee), then, in the same run,
times in alternating rounds (median of --repeat rounds, after one warm-up round):

  (a) SELECT employee_id, SUM(claimed_minutes) FROM activity
      WHERE status = 'APPROVED' AND date BETWEEN :first AND :last GROUP BY employee_id
  (b) app.services.recap.month_scores(year, month): every active employee's recognised
      minutes, target and work score (design section 6: "computed in the database (one grouped
      query) ≤ 1.5× a bare GROUP BY")
  (c) app.services.recap.recompute_period(year, month) + commit: scores, attendance
      deductions, TPP and the 10,000 recap rows written

and prints the figures and writes a section to docs/PERFORMANCE.md (machine, command, rows,
timings, ratios), replacing the previous "## Recompute … — <dialect> — …" section of the same
database kind and keeping every other section.

Entry rules keep an employee-day's claimed minutes within max_minutes_per_day, so the generator
draws at most cap // per-day minutes per activity and an APPROVED row's recognised_minutes
equals its claimed minutes (as decide() would store them).

    python -m bench.recompute_bench                                  # SQLite file in the temp dir
    python -m bench.recompute_bench --database-url postgresql+psycopg://postgres@127.0.0.1:55432/bench

A PostgreSQL database must be empty, or given with --reset (drops and recreates schema public).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

PNS_GOL = ["I/a", "I/b", "I/c", "I/d", "II/a", "II/b", "II/c", "II/d", "III/a", "III/b", "III/c", "III/d",
           "IV/a", "IV/b", "IV/c", "IV/d", "IV/e"]
CPNS_GOL = ["I/a", "I/c", "II/a", "II/b", "II/c", "III/a", "III/b", "III/c"]
PPPK_GOL = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII"]
POSITION_KINDS = ["JPT", "ADMINISTRATOR", "PENGAWAS", "PELAKSANA", "JF_KEAHLIAN", "JF_KETERAMPILAN"]


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=None,
                    help="SQLAlchemy URL (default: SQLite file ekinerja_recompute_bench.db in the temp dir, recreated)")
    ap.add_argument("--employees", type=int, default=10_000)
    ap.add_argument("--opd", type=int, default=70)
    ap.add_argument("--subunits", type=int, default=400)
    ap.add_argument("--positions", type=int, default=1_500)
    ap.add_argument("--per-day", type=int, default=4, help="activities per employee per working day")
    ap.add_argument("--year", type=int, default=2026)
    ap.add_argument("--month", type=int, default=9, help="September 2026 has 22 weekdays")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20261)
    ap.add_argument("--reset", action="store_true", help="PostgreSQL: drop and recreate schema public first")
    ap.add_argument("--no-write", action="store_true", help="do not append to docs/PERFORMANCE.md")
    return ap.parse_args(argv)


# --------------------------------------------------------------------------- database
def prepare_database(url: str | None, reset: bool) -> str:
    from sqlalchemy import create_engine, inspect, text

    if url is None:
        path = os.path.join(tempfile.gettempdir(), "ekinerja_recompute_bench.db")
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return f"sqlite:///{path}"
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        if path and os.path.exists(path):
            os.remove(path)
        return url
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        tables = inspect(conn).get_table_names()
        if tables and not reset:
            sys.exit(f"Basis data {engine.url.database!r} tidak kosong ({len(tables)} tabel); "
                     "gunakan basis data baru atau --reset.")
        if reset:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def make_app(url: str):
    import config
    from app import create_app

    cfg = type("BenchConfig", (config.Config,), {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {}})
    return create_app(cfg)


# --------------------------------------------------------------------------- generation
def weekdays(year: int, month: int) -> list[dt.date]:
    from app.domain.calendar import working_days_in_month

    return working_days_in_month(year, month, 5, set())


class Loader:
    """Bulk rows through the raw DBAPI connection: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, raw, is_pg: bool):
        self.raw, self.is_pg = raw, is_pg

    def load(self, table: str, columns: list[str], rows) -> int:
        cur = self.raw.cursor()
        n = 0
        if self.is_pg:
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        else:
            counter = [0]

            def converted():
                for r in rows:
                    counter[0] += 1
                    yield tuple(_sqlite(v) for v in r)

            cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                            converted())
            n = counter[0]
        cur.close()
        return n


def _sqlite(value):
    # Same text forms SQLAlchemy uses for SQLite dates and datetimes.
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def generate(app, args) -> dict[str, int]:
    from app.extensions import db

    rnd = random.Random(args.seed)
    engine = db.engine
    is_pg = engine.dialect.name == "postgresql"
    days = weekdays(args.year, args.month)
    counts: dict[str, int] = {}
    now = dt.datetime(args.year, args.month, 1, 8, 0, 0)
    raw = engine.raw_connection()
    try:
        ld = Loader(raw, is_pg)
        # Units: OPD 1..opd, then sub-units spread over the OPD; some 6-day (puskesmas).
        units = []
        for i in range(1, args.opd + 1):
            units.append((i, f"B{i:03d}", f"OPD Bench {i}", "OPD", None, i, 5, True))
        uid = args.opd
        for j in range(args.subunits):
            uid += 1
            opd = j % args.opd + 1
            six = j % 5 == 0
            units.append((uid, f"B{opd:03d}.{j:04d}", f"{'Puskesmas' if six else 'Bidang'} Bench {j}",
                          "PUSKESMAS" if six else "BIDANG", opd, opd, 6 if six else 5, True))
        counts["unit"] = ld.load("unit", ["id", "code", "name", "kind", "parent_id", "opd_id", "workdays_per_week",
                                          "active"], units)
        unit_ids = [u[0] for u in units]
        positions = [(p, f"Jabatan Bench {p}", rnd.choice(POSITION_KINDS), rnd.randint(1, 17),
                      rnd.choice(unit_ids), True) for p in range(1, args.positions + 1)]
        counts["position"] = ld.load("position", ["id", "name", "kind_code", "kelas_jabatan", "unit_id", "active"],
                                     positions)
        # TPP rates for kelas 1..15 only: kelas 16 and 17 exercise "without rate".
        counts["tpp_rate"] = ld.load("tpp_rate", ["year", "kelas_jabatan", "amount"],
                                     [(args.year, k, 1_500_000 + 450_000 * k) for k in range(1, 16)])
        employees = []
        for e in range(1, args.employees + 1):
            pos = positions[rnd.randrange(len(positions))]
            r = rnd.random()
            kind, gol = (("PNS", rnd.choice(PNS_GOL)) if r < 0.80 else
                         ("CPNS", rnd.choice(CPNS_GOL)) if r < 0.85 else ("PPPK", rnd.choice(PPPK_GOL)))
            employees.append((e, f"{199000000000000000 + e}", f"Pegawai Bench {e}", "S.E." if e % 3 == 0 else None,
                              rnd.choice("LP"), dt.date(1980 + e % 20, 1 + e % 12, 1 + e % 28), kind, gol, pos[0],
                              pos[4], "Bank Jatim", f"00{e:010d}", True))
        counts["employee"] = ld.load("employee", ["id", "nip", "name", "back_title", "sex", "birth_date", "kind",
                                                  "golongan", "position_id", "unit_id", "bank_name", "bank_account",
                                                  "active"], employees)
        ld.load("period", ["id", "year", "month", "state"], [(1, args.year, args.month, "OPEN")])
        counts["sanction"] = ld.load("sanction", ["employee_id", "percent", "valid_from", "valid_to", "reason"],
                                     [(e, 10 + e % 3 * 5, days[0] - dt.timedelta(days=10), days[-1], "Bench")
                                      for e in range(7, args.employees + 1, 97)])
        counts["evaluation"] = ld.load(
            "evaluation", ["employee_id", "period_id", "rating_hasil_kerja", "rating_perilaku", "predikat",
                           "evaluated_at"],
            [(e, 1, "SESUAI", "SESUAI", "BAIK", now) for e in range(1, args.employees + 1, 5)])

        def activity_rows():
            statuses = ["APPROVED"] * 90 + ["SUBMITTED"] * 5 + ["RETURNED"] * 3 + ["REJECTED"] * 2
            aid = 0
            for d in days:  # day by day, as they are entered
                for e in range(1, args.employees + 1):
                    superior = (e - 1) // 10 * 10 + 1  # ten per superior; the first of each ten reports up
                    superior = None if superior == 1 and e == 1 else (superior if superior != e else max(1, e - 10))
                    for _ in range(args.per_day):
                        aid += 1
                        minutes = rnd.randint(30, max_claim)
                        status = statuses[rnd.randrange(100)]
                        yield (aid, e, d, "Kegiatan bench", 1, minutes, minutes if status == "APPROVED" else None,
                               status, superior, now, None if status == "SUBMITTED" else now, 1)

        # Entry rules: a day's claimed minutes stay within the cap, so recognised = claimed.
        max_claim = min(180, 450 // args.per_day)  # 450 = default max_minutes_per_day
        counts["activity"] = ld.load("activity", ["id", "employee_id", "date", "description", "volume",
                                                  "claimed_minutes", "recognised_minutes", "status", "superior_id",
                                                  "created_at", "decided_at", "version"],
                                     activity_rows())

        def attendance_rows():
            for d in days:  # row order by day
                for e in range(1, args.employees + 1):
                    r = rnd.random()
                    status = ("HADIR" if r < 0.93 else "CUTI" if r < 0.96 else "SAKIT" if r < 0.975 else
                              "DL" if r < 0.99 else "IZIN" if r < 0.995 else "TK")
                    late = early = 0
                    if status == "HADIR":
                        q = rnd.random()
                        late = None if q < 0.01 else rnd.randint(1, 120) if q < 0.2 else 0
                        q = rnd.random()
                        early = None if q < 0.01 else rnd.randint(1, 120) if q < 0.1 else 0
                    yield (e, d, status, late, early)

        counts["attendance"] = ld.load("attendance", ["employee_id", "date", "status", "minutes_late",
                                                      "minutes_early"], attendance_rows())
        raw.commit()
        if is_pg:
            cur = raw.cursor()
            for table in ("unit", "position", "employee", "activity", "period"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            raw.commit()
    finally:
        raw.close()
    # Planner statistics (and the PostgreSQL visibility map) as after a nightly maintenance.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        from sqlalchemy import text

        conn.execute(text("VACUUM ANALYZE" if is_pg else "ANALYZE"))
    counts["approved"] = None  # filled by the caller
    return counts


# --------------------------------------------------------------------------- timing
BARE_SQL = ("SELECT employee_id, SUM(claimed_minutes) FROM activity "
            "WHERE status = 'APPROVED' AND date BETWEEN :first AND :last GROUP BY employee_id")


def time_runs(app, args) -> dict:
    from sqlalchemy import bindparam, text
    from sqlalchemy.types import Date

    from app.extensions import db
    from app.services.recap import month_bounds, month_scores, recompute_period

    first, last = month_bounds(args.year, args.month)
    bare = text(BARE_SQL).bindparams(bindparam("first", type_=Date), bindparam("last", type_=Date))

    def run_bare():
        t = time.perf_counter()
        with db.engine.connect() as conn:
            rows = conn.execute(bare, {"first": first, "last": last}).all()
        return time.perf_counter() - t, len(rows)

    def run_recompute():
        t = time.perf_counter()
        result = recompute_period(args.year, args.month)
        db.session.commit()
        elapsed = time.perf_counter() - t
        db.session.remove()
        return elapsed, result

    def run_scores():
        t = time.perf_counter()
        scores = month_scores(args.year, args.month)
        elapsed = time.perf_counter() - t
        db.session.remove()
        return elapsed, scores

    run_bare()  # warm-up round (caches, plans)
    run_scores()
    run_recompute()
    bare_times, score_times, rec_times, phases = [], [], [], []
    for _ in range(args.repeat):  # alternating rounds: (a), (b), (c)
        t, n_bare = run_bare()
        bare_times.append(t)
        t, scores = run_scores()
        score_times.append(t)
        t, result = run_recompute()
        rec_times.append(t)
        phases.append(result.timings)
    with db.engine.connect() as conn:
        approved = conn.execute(text("SELECT COUNT(*) FROM activity WHERE status = 'APPROVED'")).scalar()
        recap_rows = conn.execute(text("SELECT COUNT(*) FROM recap")).scalar()
        # The two paths agree: month_scores() gives the stored rows' numbers.
        stored = {r[0]: (r[1], r[2], r[3]) for r in conn.execute(text(
            "SELECT employee_id, recognised_minutes, target_minutes, work_score FROM recap"))}
    mismatches = sum(1 for eid, (rec, target, score) in scores.items()
                     if stored.get(eid, (None,) * 3)[:2] != (rec, target)
                     or round(float(stored[eid][2]), 2) != round(float(score), 2))
    phase_median = {k: statistics.median(p[k] for p in phases) for k in phases[0]}
    return {"bare": statistics.median(bare_times), "scores": statistics.median(score_times),
            "recompute": statistics.median(rec_times), "bare_all": bare_times, "scores_all": score_times,
            "recompute_all": rec_times, "groups": n_bare, "approved": approved, "score_rows": len(scores),
            "mismatches": mismatches, "recap_rows": recap_rows, "without_rate": result.without_rate,
            "phases": phase_median}


# --------------------------------------------------------------------------- report
def machine(engine) -> str:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
            mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    from sqlalchemy import text

    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            server = conn.execute(text("SHOW server_version")).scalar()
            db_version = f"PostgreSQL {server} (driver {engine.dialect.driver})"
        else:
            db_version = f"SQLite {conn.execute(text('select sqlite_version()')).scalar()}"
    return (f"{cpu} ({os.cpu_count()} CPU{mem}); {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; {db_version}")


def report(args, url, counts, timing, gen_seconds, engine) -> str:
    from sqlalchemy.engine import make_url

    ratio = timing["recompute"] / timing["bare"]
    score_ratio = timing["scores"] / timing["bare"]
    shown_url = make_url(url).render_as_string(hide_password=True)
    cmd = "python -m bench.recompute_bench " + " ".join(sys.argv[1:])
    verdict = "met" if score_ratio <= 1.5 else "NOT met"
    phases = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in timing["phases"].items())

    def ms(values):
        return ", ".join(f"{t * 1000:.0f}" for t in values)

    return f"""
## Recompute {args.year}-{args.month:02d} — {engine.dialect.name} — {dt.datetime.now():%Y-%m-%d %H:%M}

- Machine: {machine(engine)}
- Command: `{cmd.strip()}` (database `{shown_url}`)
- Rows: {counts['employee']:,} employees in {args.opd} OPD / {counts['unit']:,} units, {counts['position']:,} positions;
  {counts['activity']:,} activities ({timing['approved']:,} APPROVED), {counts['attendance']:,} attendance rows,
  {counts['sanction']} sanctions, {counts['evaluation']:,} evaluations; generated in {gen_seconds:.0f} s
- Runs: {args.repeat} alternating rounds (a), (b), (c) after one warm-up round; medians.
- (a) bare `{BARE_SQL}`: median {timing['bare'] * 1000:.0f} ms ({ms(timing['bare_all'])} ms), {timing['groups']:,} groups
- (b) the month's scores, `month_scores({args.year}, {args.month})` (recognised minutes, target and work score of
  {timing['score_rows']:,} active employees; {timing['mismatches']} differ from the stored recap rows):
  median {timing['scores'] * 1000:.0f} ms ({ms(timing['scores_all'])} ms)
- (c) full `recompute_period({args.year}, {args.month})` + commit (scores, attendance deductions, TPP,
  {timing['recap_rows']:,} recap rows written, {timing['without_rate']} without a TPP rate):
  median {timing['recompute'] * 1000:.0f} ms ({ms(timing['recompute_all'])} ms); phases (median): {phases}
- **Ratio (b)/(a) = {score_ratio:.2f}×** — design target ≤ 1.5×: {verdict}
- Ratio (c)/(a) = {ratio:.2f}× (the whole recompute, for reference; not what the 1.5× target is about)
"""


def write_section(path: str, text: str, dialect: str) -> None:
    """Replace the previous "## Recompute … — <dialect> — …" section (up to the next "## " or
    "### " heading) with `text`, or append it; every other section is kept."""
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("# Performance\n\nFigures written by the scripts in `bench/` (design section 6).\n" + text)
        return
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    start = next((i for i, ln in enumerate(lines)
                  if ln.startswith("## Recompute ") and f" — {dialect} — " in ln), None)
    new_lines = text.strip("\n").split("\n")
    if start is None:
        out = "\n".join(lines).rstrip("\n") + "\n\n" + "\n".join(new_lines) + "\n"
    else:
        end = next((i for i in range(start + 1, len(lines))
                    if lines[i].startswith("## ") or lines[i].startswith("### ")), len(lines))
        out = "\n".join(lines[:start] + new_lines + [""] + lines[end:]).rstrip("\n") + "\n"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(out)


def main(argv=None) -> int:
    args = parse_args(argv)
    url = prepare_database(args.database_url, args.reset)
    app = make_app(url)
    with app.app_context():
        from flask_migrate import upgrade

        from app.extensions import db

        upgrade()
        t = time.perf_counter()
        counts = generate(app, args)
        gen_seconds = time.perf_counter() - t
        print(f"Generated in {gen_seconds:.1f} s: {counts}", flush=True)
        timing = time_runs(app, args)
        text = report(args, url, counts, timing, gen_seconds, db.engine)
        print(text)
        if not args.no_write:
            write_section(os.path.join(ROOT, "docs", "PERFORMANCE.md"), text, db.engine.dialect.name)
        db.session.remove()
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
