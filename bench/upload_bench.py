"""Benchmark: what an upload costs — crafted files against the bounded reader, and a legit
5,000-row attendance file against bare openpyxl.

Every file is parsed in a fresh subprocess; a small runner process starts it and reads its
peak RSS with resource.getrusage(RUSAGE_CHILDREN).ru_maxrss after it exits (the runner's only
child, so the figure is that child's own peak). The child times the parse itself (imports
excluded). Files:

  crafted (each must be refused with a clear message, in < 2 s and < 200 MB):
    dimension A1:XFD20000 (attendance and master-data sheets), a cell at XFD1048576 (with and
    without a <dimension>), a zip bomb (100 MiB of one sheet in ~100 KiB), 2,000 zip entries,
    a .docx renamed .xlsx, 1 million CSV lines, a 1 MB cell in CSV and in XLSX
  legit: 5,000 attendance rows (XLSX as the template writes it, and the same rows as CSV)

  app      app.imports.attendance.parse_attendance (+ validate_rows for the legit files) or
           app.imports.masterdata.parse_masterdata, with the default limits
  baseline bare openpyxl: load_workbook(read_only=True) and iter_rows(values_only=True) over the
           same sheet, nothing kept (XLSX only; stopped after --baseline-timeout seconds)

    python -m bench.upload_bench            # prints and appends a section to docs/PERFORMANCE.md
    python -m bench.upload_bench --no-write

tests/test_upload_bounds.py builds the same crafted files (crafted_files()) and asserts the
memory bound and the messages; it does not time.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER = ["NIP", "TANGGAL", "STATUS", "TERLAMBAT_MENIT", "PULANG_CEPAT_MENIT", "KETERANGAN"]
MASTER_HEADER = ["NIP", "NAMA", "JENIS_KELAMIN", "TANGGAL_LAHIR", "JENIS_PEGAWAI", "GOLONGAN", "KODE_UNIT"]


# --------------------------------------------------------------------------- crafted files
def _col(n: int) -> str:
    name = ""
    while n:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    return name


def _row_xml(line: int, values) -> str:
    cells = "".join(f'<c r="{_col(i)}{line}" t="inlineStr"><is><t>{v}</t></is></c>'
                    for i, v in enumerate(values, start=1) if v is not None)
    return f'<row r="{line}">{cells}</row>'


def _content_types(main: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml") -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{main}"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')


def write_xlsx(path: str, sheet: str, rows_xml: str, dimension: str | None, padding_mib: int = 0,
               extra_entries: int = 0, main_type: str | None = None) -> None:
    """A minimal workbook of one sheet written part by part (so that the XML can lie)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _content_types(main_type) if main_type else _content_types())
        zf.writestr("_rels/.rels", f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" '
                                   f'Type="{DOC_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN_NS}" xmlns:r="{DOC_REL}"><sheets>'
                                       f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels",
                    f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="{DOC_REL}/worksheet" '
                    'Target="worksheets/sheet1.xml"/></Relationships>')
        dim = f'<dimension ref="{dimension}"/>' if dimension else ""
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            fh.write(f'<worksheet xmlns="{MAIN_NS}">{dim}<sheetData>'.encode())
            chunk = b" " * (1024 * 1024)
            for _ in range(padding_mib):  # whitespace between elements: valid XML, compresses ~1000x
                fh.write(chunk)
            fh.write(f"{rows_xml}</sheetData></worksheet>".encode())
        for i in range(extra_entries):
            zf.writestr(f"customXml/item{i}.xml", "<a/>")


def _attendance_rows_xml(extra: str = "") -> str:
    rows = [HEADER, ["199004042015032004", "2026-11-02", "HADIR", "0", "0", "x"],
            ["199004042015032004", "2026-11-03", "SAKIT", None, None, None]]
    return "".join(_row_xml(i, r) for i, r in enumerate(rows, start=1)) + extra


def crafted_files(folder: str) -> list[dict]:
    """The crafted uploads: name, path, filename, parser ("attendance" or "master") and a
    fragment the refusal message must contain."""
    out = []

    def add(name, filename, parser, expect, build):
        path = os.path.join(folder, name + os.path.splitext(filename)[1])
        build(path)
        out.append({"name": name, "path": path, "filename": filename, "parser": parser, "expect": expect})

    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    xfd20000 = '<row r="20000"><c r="XFD20000" t="inlineStr"><is><t>x</t></is></c></row>'
    add("dimensi_XFD20000", "kehadiran.xlsx", "attendance", "ukuran lembar",
        lambda p: write_xlsx(p, "Kehadiran", _attendance_rows_xml(xfd20000), "A1:XFD20000"))
    add("data_induk_dimensi_XFD20000", "data-induk.xlsx", "master", "ukuran lembar",
        lambda p: write_xlsx(p, "Pegawai", _row_xml(1, MASTER_HEADER) + xfd20000, "A1:XFD20000"))
    add("sel_XFD1048576", "kehadiran.xlsx", "attendance", "ukuran lembar",
        lambda p: write_xlsx(p, "Kehadiran", _attendance_rows_xml(far), "A1:XFD1048576"))
    add("sel_XFD1048576_tanpa_dimensi", "kehadiran.xlsx", "attendance", "lebih dari",
        lambda p: write_xlsx(p, "Kehadiran", _attendance_rows_xml(far), None))
    add("zip_bomb_100MiB", "kehadiran.xlsx", "attendance", "zip bomb",
        lambda p: write_xlsx(p, "Kehadiran", _attendance_rows_xml(), "A1:F3", padding_mib=100))
    add("zip_2000_entri", "kehadiran.xlsx", "attendance", "terlalu banyak bagian",
        lambda p: write_xlsx(p, "Kehadiran", _attendance_rows_xml(), "A1:F3", extra_entries=2000))
    add("docx_bernama_xlsx", "kehadiran.xlsx", "attendance", "bukan XLSX",
        lambda p: write_xlsx(p, "Kehadiran", _attendance_rows_xml(), "A1:F3", main_type=(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")))

    def million_lines(path):
        with open(path, "wb") as fh:
            fh.write((",".join(HEADER) + "\n").encode())
            fh.write(b"1,2,3,4,5,6\n" * 1_000_000)

    add("csv_1_juta_baris", "kehadiran.csv", "attendance", "lebih dari", million_lines)

    def long_csv(path):
        with open(path, "wb") as fh:
            fh.write((",".join(HEADER) + "\n").encode())
            fh.write(b"199004042015032004,2026-11-02,HADIR,0,0," + b"a" * 1_000_000 + b"\n")

    add("csv_sel_1MB", "kehadiran.csv", "attendance", "terlalu panjang", long_csv)
    add("xlsx_sel_1MB", "kehadiran.xlsx", "attendance", "terlalu panjang",
        lambda p: write_xlsx(p, "Kehadiran", _attendance_rows_xml(_row_xml(4, [
            "199004042015032004", "2026-11-04", "HADIR", "0", "0", "a" * 1_000_000])), "A1:F4"))
    return out


# --------------------------------------------------------------------------- legit files
LEGIT_NIPS = [f"1990{m:02d}{d:02d}2015{(i % 2) + 1:02d}{i:04d}"[:18]
              for i, (m, d) in enumerate(((1 + k % 12, 1 + k % 28) for k in range(250)))]


def legit_rows(n: int = 5000) -> list[list]:
    """n attendance rows: 250 employees x the working days of November 2026 (and on)."""
    days = [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(30)]
    days = [d for d in days if d.weekday() < 5]
    statuses = ["HADIR"] * 17 + ["SAKIT", "CUTI", "DL", "IZIN", "TK"]
    out = []
    for i in range(n):
        nip, day = LEGIT_NIPS[i % len(LEGIT_NIPS)], days[(i // len(LEGIT_NIPS)) % len(days)]
        status = statuses[i % len(statuses)]
        late = (i * 7) % 40 if status == "HADIR" else None
        early = 0 if status == "HADIR" else None
        out.append([nip, day, status, late, early, "" if i % 5 else "catatan"])
    return out


def write_legit(folder: str, n: int = 5000) -> tuple[str, str]:
    import xlsxwriter

    rows = legit_rows(n)
    xlsx = os.path.join(folder, "legit_5000.xlsx")
    wb = xlsxwriter.Workbook(xlsx)
    ws = wb.add_worksheet("Kehadiran")
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, HEADER)
    for i, (nip, d, status, late, early, note) in enumerate(rows, start=1):
        ws.write_string(i, 0, nip)
        ws.write_datetime(i, 1, dt.datetime.combine(d, dt.time()), day)
        ws.write_string(i, 2, status)
        for col, value in ((3, late), (4, early)):
            if value is not None:
                ws.write_number(i, col, value)
        if note:
            ws.write_string(i, 5, note)
    wb.close()
    path_csv = os.path.join(folder, "legit_5000.csv")
    with open(path_csv, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for nip, d, status, late, early, note in rows:
            w.writerow([nip, d.isoformat(), status, "" if late is None else late, "" if early is None else early, note])
    return xlsx, path_csv


# --------------------------------------------------------------------------- measuring
# Both children import openpyxl before timing and report the median of REPEAT parses.
CHILD_APP = r"""
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
path, filename, parser, validate, repeat = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1", int(sys.argv[6])
import openpyxl.reader.excel, openpyxl.utils.datetime  # noqa: F401  (imports are not the parse)
from app.imports.attendance import parse_attendance, validate_rows
from app.imports.masterdata import parse_masterdata
with open(path, "rb") as fh:
    data = fh.read()

def once():
    if parser == "master":
        parsed = parse_masterdata(filename, data)
        return parsed, sum(len(s.rows) for s in parsed.sheets.values())
    parsed = parse_attendance(filename, data)
    rows = len(parsed.rows)
    if validate and not parsed.errors:
        employees = {r.nip: i for i, r in enumerate(parsed.rows) if r.nip}
        rows = validate_rows(parsed, 2026, 11, employees, None).counts["valid"]
    return parsed, rows

times = []
for _ in range(repeat):
    t = time.perf_counter()
    parsed, rows = once()
    times.append(time.perf_counter() - t)
print(json.dumps({"seconds": statistics.median(times), "errors": parsed.errors, "rows": rows}))
"""

CHILD_BASELINE = r"""
import io, json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
# the same modules as the app's child, so that both parse in a process of the same size
import openpyxl.reader.excel, openpyxl.utils.datetime  # noqa: F401
import app.imports.attendance, app.imports.masterdata  # noqa: F401
from openpyxl import load_workbook
with open(sys.argv[2], "rb") as fh:
    data = fh.read()
times = []
for _ in range(int(sys.argv[3])):
    t = time.perf_counter()
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = 0
    for _ in wb[wb.sheetnames[0]].iter_rows(values_only=True):
        rows += 1
    wb.close()
    times.append(time.perf_counter() - t)
print(json.dumps({"seconds": statistics.median(times), "errors": [], "rows": rows}))
"""

# The whole import of the legit file through the service (preview, then import_month and
# commit) into a fresh migrated SQLite database holding the file's 250 employees.
CHILD_SERVICE = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
path, db_path = sys.argv[2], sys.argv[3]
from bench.recompute_bench import Loader, make_app
from bench.upload_bench import LEGIT_NIPS
app = make_app("sqlite:///" + db_path)
with app.app_context():
    from flask_migrate import upgrade
    from app.extensions import db
    from app.services.activities import Actor
    from app.services.attendance import import_month, preview_import
    upgrade()
    raw = db.engine.raw_connection()
    ld = Loader(raw, False)
    ld.load("unit", ["id", "code", "name", "kind", "parent_id", "opd_id", "workdays_per_week", "active"],
            [(1, "9.00", "OPD Bench", "OPD", None, 1, 5, 1)])
    ld.load("position", ["id", "name", "kind_code", "kelas_jabatan", "unit_id", "active"],
            [(1, "Pelaksana Bench", "PELAKSANA", 5, 1, 1)])
    ld.load("employee", ["id", "nip", "name", "sex", "birth_date", "kind", "golongan", "position_id", "unit_id",
                         "active"],
            [(i + 1, nip, f"Pegawai {i}", "L", "1990-01-01", "PNS", "III/a", 1, 1, 1) for i, nip in enumerate(LEGIT_NIPS)])
    ld.load("period", ["id", "year", "month", "state"], [(1, 2026, 11, "OPEN")])
    raw.commit()
    raw.close()
    with open(path, "rb") as fh:
        data = fh.read()
    actor = Actor(user_id=None, username="bench", employee_id=None, roles={"BKD"})
    t = time.perf_counter()
    preview = preview_import(2026, 11, "kehadiran.xlsx", data, actor)
    result = import_month(2026, 11, "kehadiran.xlsx", data, actor)
    db.session.commit()
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "errors": preview.all_messages(5), "rows": result.rows}))
"""

CHILD_APP_ONLY = r"""
import json, os, sys
sys.path.insert(0, sys.argv[1])
from bench.recompute_bench import make_app
app = make_app("sqlite:///" + sys.argv[3])
with app.app_context():
    from flask_migrate import upgrade
    upgrade()
print(json.dumps({"seconds": 0, "errors": [], "rows": 0}))
"""

CHILD_IMPORTS = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import app.imports.attendance, app.imports.masterdata
print(json.dumps({"seconds": 0, "errors": [], "rows": 0}))
"""

RUNNER = r"""
import json, resource, subprocess, sys
timeout = float(sys.argv[1])
try:
    done = subprocess.run(sys.argv[2:], capture_output=True, text=True, timeout=timeout)
    result = json.loads(done.stdout) if done.returncode == 0 else {"failed": done.stderr[-2000:]}
except subprocess.TimeoutExpired:
    result = {"timeout": timeout}
result["peak_kb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps(result))
"""


def measure(child: str, args: list[str], timeout: float = 120.0) -> dict:
    """Run `child` (python -c) with args in a subprocess of a fresh runner; return the child's
    JSON answer plus peak_kb (its ru_maxrss, read through RUSAGE_CHILDREN by the runner)."""
    done = subprocess.run([sys.executable, "-c", RUNNER, str(timeout), sys.executable, "-c", child, *args],
                          capture_output=True, text=True, timeout=timeout + 60)
    return json.loads(done.stdout)


def parse_in_child(path: str, filename: str, parser: str = "attendance", validate: bool = False,
                   timeout: float = 120.0, repeat: int = 1) -> dict:
    return measure(CHILD_APP, [ROOT, path, filename, parser, "1" if validate else "0", str(repeat)], timeout)


# --------------------------------------------------------------------------- report
def _mb(kb) -> str:
    return f"{kb / 1024:.0f} MB"


def _time(r: dict) -> str:
    if "timeout" in r:
        return f"> {r['timeout']:.0f} s (dihentikan)"
    if "failed" in r:
        return "gagal"
    return f"{r['seconds'] * 1000:.0f} ms"


def run(args) -> str:
    with tempfile.TemporaryDirectory() as folder:
        imports = measure(CHILD_IMPORTS, [ROOT])
        lines = []
        for item in crafted_files(folder):
            size = os.path.getsize(item["path"])
            app = parse_in_child(item["path"], item["filename"], item["parser"], repeat=args.repeat)
            base = (measure(CHILD_BASELINE, [ROOT, item["path"], str(args.repeat)], args.baseline_timeout)
                    if item["filename"].endswith(".xlsx") else None)
            message = (app.get("errors") or ["(tidak ditolak!)"])[0]
            lines.append(f"| {item['name']} | {size / 1024:,.0f} KiB | {_time(app)} | {_mb(app['peak_kb'])} | "
                         + (f"{_time(base)} | {_mb(base['peak_kb'])}" if base else "– | –")
                         + f" | {message[:140]} |")
            print(lines[-1], flush=True)
        xlsx, path_csv = write_legit(folder)
        legit = []
        for path, name in ((xlsx, "kehadiran.xlsx"), (path_csv, "kehadiran.csv")):
            app = parse_in_child(path, name, validate=True, repeat=args.repeat)
            base = (measure(CHILD_BASELINE, [ROOT, path, str(args.repeat)], args.baseline_timeout)
                    if name.endswith(".xlsx") else None)
            legit.append(f"| legit 5.000 baris ({name.rsplit('.', 1)[1].upper()}) | "
                         f"{os.path.getsize(path) / 1024:,.0f} KiB | {_time(app)} | {_mb(app['peak_kb'])} | "
                         + (f"{_time(base)} | {_mb(base['peak_kb'])}" if base else "– | –")
                         + f" | {app.get('rows', 0):,} baris valid, {len(app.get('errors') or [])} kesalahan berkas |")
            print(legit[-1], flush=True)
        service = measure(CHILD_SERVICE, [ROOT, xlsx, os.path.join(folder, "service.db")], 600)
        app_only = measure(CHILD_APP_ONLY, [ROOT, xlsx, os.path.join(folder, "app_only.db")], 600)
        print(service, app_only, flush=True)

    import openpyxl

    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return "\n".join([
        "", f"## Upload bounds — {stamp}", "",
        f"- Machine: {platform.processor() or platform.machine()} ({os.cpu_count()} CPU); Python "
        f"{platform.python_version()}; openpyxl {openpyxl.__version__}",
        "- Command: `python -m bench.upload_bench`",
        f"- Each file parsed in a fresh subprocess; time = median of {args.repeat} parses in that child (imports "
        "excluded); peak = the "
        "child's whole-process RSS (`ru_maxrss` via `RUSAGE_CHILDREN` in a runner whose only child it is), "
        f"of which the imports alone (Flask, openpyxl, the app's modules) take **{_mb(imports['peak_kb'])}**.",
        "- app = `parse_attendance` (legit files: + `validate_rows`) or `parse_masterdata` with the default "
        "limits; baseline = bare openpyxl `read_only=True` + `iter_rows(values_only=True)` over the same "
        f"sheet, nothing kept, stopped after {args.baseline_timeout:.0f} s, in a child that has imported the "
        "same modules (a process of the same size: the garbage collector's work depends on it).",
        "",
        "| file | size | app time | app peak | baseline time | baseline peak | app answer |",
        "|---|---|---|---|---|---|---|",
        *lines, *legit, "",
        "Whole import of the legit XLSX through the service (`preview_import` then `import_month` and commit: "
        "parse twice, validate, look up 250 employees, plan, insert 5,000 rows, audit) into a fresh migrated "
        f"SQLite database: **{_time(service)}**, peak **{_mb(service['peak_kb'])}** RSS"
        + (f" ({service.get('rows', 0):,} rows imported)" if "rows" in service else f" ({service})")
        + f"; the same child creating the app and migrating without importing peaks at {_mb(app_only['peak_kb'])}.",
        "",
    ])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline-timeout", type=float, default=60.0)
    ap.add_argument("--repeat", type=int, default=5, help="parses per child; the median is reported")
    ap.add_argument("--no-write", action="store_true", help="print only, do not append to docs/PERFORMANCE.md")
    args = ap.parse_args(argv)
    section = run(args)
    print(section)
    if not args.no_write:
        with open(os.path.join(ROOT, "docs", "PERFORMANCE.md"), "a", encoding="utf-8") as fh:
            fh.write(section)


if __name__ == "__main__":
    main()
