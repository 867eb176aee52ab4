"""Lighthouse (mobile preset) on the pages of the daily loop, served by gunicorn (issue 10 item 8).

    npm ci --prefix bench/lighthouse          # Lighthouse 12.2.3 (bench/lighthouse/package.json)
    CHROME_PATH=/usr/bin/chromium .venv/bin/python -m bench.lighthouse_bench

What it does, from nothing:
1. seeds the demo data (`run.prepare`, the same as `python run.py`) into a fresh SQLite file in
   a temporary folder (or uses `--database-url`, which must already hold the demo data);
2. starts `gunicorn -w 2 --threads 1 run:app` on a free port of 127.0.0.1 (plain http, so
   `EKINERJA_ENV=development` for cookies without Secure);
3. logs in through the real login form as the demo employee and the demo superior and hands
   each session cookie to Lighthouse (`--extra-headers`);
4. runs Lighthouse's default (mobile) configuration, performance and accessibility, on the
   home page, Aktivitas Saya, the entry page (editing one of one's own activities) and
   Antrean Persetujuan, each as a first load (Lighthouse clears the browser cache);
5. writes the scores, the transferred KiB (Lighthouse's total-byte-weight: compressed bytes
   on the wire), the request count and any request to another host to docs/PERFORMANCE.md
   (replacing its own section) and the JSON reports to bench/out/lighthouse/.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
OUT = ROOT / "bench" / "out" / "lighthouse"
DOC = ROOT / "docs" / "PERFORMANCE.md"
SECTION = "## Lighthouse on the phone pages"
PASSWORD = "malang123"
EMPLOYEE = "197502102003011192"  # Pegawai: Pengelola Data Pelayanan Kesehatan
SUPERIOR = "197501162003071288"  # Atasan: Kepala Dinas Kesehatan
BUDGET_KIB = 300
TARGET_PERFORMANCE = 90
TARGET_ACCESSIBILITY = 95


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer at {url}")


class Session:
    """A browser-like client: cookies, the login form with its CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as r:
            return r.read().decode("utf-8")

    def login(self, username: str, password: str) -> None:
        page = self.get("/login/")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        form = {"username": username, "password": password}
        if token:
            form["csrf_token"] = token.group(1)
        data = urllib.parse.urlencode(form).encode()
        with self.opener.open(self.base + "/login/", data=data, timeout=30) as r:
            r.read()
        if "Keluar" not in self.get("/") and "logout" not in self.get("/"):
            raise SystemExit(f"login as {username} failed")

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def entry_page(employee: Session) -> str:
    """The edit form of one of the employee's own activities that may still be changed."""
    from datetime import date, timedelta

    day = date.today()
    for back in range(0, 40):
        path = f"/aktivitas-saya/?tanggal={(day - timedelta(days=back)).isoformat()}"
        found = re.search(r'href="(/aktivitas-saya/ubah/\d+)"', employee.get(path))
        if found:
            return found.group(1)
    raise SystemExit("the demo employee has no activity that may be edited in the last 40 days")


def run_lighthouse(url: str, cookie: str, name: str) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    report = OUT / f"{name}.json"
    headers = OUT / f"{name}.headers.json"
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    cmd = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
           "--only-categories=performance,accessibility",
           "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
    if cookie:
        headers.write_text(json.dumps({"Cookie": cookie}))
        cmd.append(f"--extra-headers={headers}")
    try:
        subprocess.run(cmd, check=True, env=env)
    finally:
        headers.unlink(missing_ok=True)  # a live session cookie
    data = json.loads(report.read_text())
    audits = data["audits"]
    requests = audits["network-requests"]["details"]["items"]
    origin = urllib.parse.urlsplit(url).netloc
    other_hosts = sorted({urllib.parse.urlsplit(r["url"]).netloc for r in requests
                          if r["url"].startswith("http") and urllib.parse.urlsplit(r["url"]).netloc != origin})
    failed_a11y = [a for a in data["categories"]["accessibility"]["auditRefs"]
                   if audits[a["id"]].get("score") is not None and audits[a["id"]]["score"] < 1 and a["weight"]]
    return {
        "performance": round(data["categories"]["performance"]["score"] * 100),
        "accessibility": round(data["categories"]["accessibility"]["score"] * 100),
        "kib": audits["total-byte-weight"]["numericValue"] / 1024,
        "requests": len(requests),
        "fcp": audits["first-contentful-paint"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "other_hosts": other_hosts,
        "a11y_failed": [a["id"] for a in failed_a11y],
        "lighthouse": data["lighthouseVersion"],
        "user_agent": data["environment"]["hostUserAgent"],
    }


READING = [
    "How the pages are kept light (issue 10 item 8; `app/static_assets.py`, `app/templates/ek_layout.html`):",
    "",
    "- Every text response is compressed (Flask-Compress: zstd, br or gzip as the browser accepts; static files",
    "  streamed and still conditional). The session cookie is not written on static answers, which would",
    "  otherwise carry `Vary: Cookie` and go stale in the browser cache at the next page.",
    "- Every `url_for('static', …)` and `url_for('appbuilder.static', …)` carries `?v=` and the first 12 hex",
    "  digits of the file's SHA-256; such a URL is answered `Cache-Control: public, max-age=31536000,",
    "  immutable`, any other static URL `max-age=86400` (`STATIC_MAX_AGE_FINGERPRINTED`, `STATIC_MAX_AGE`).",
    "- The pages of the daily loop (home, Aktivitas Saya with its entry form, Antrean Persetujuan, login) get a",
    "  lean head: Bootstrap's CSS, Font Awesome's CSS with a subset of its solid font (7 KiB) holding only the",
    "  icons the panel names (`flask --app run subset-icons`; the full font is 150 KiB) and a 1.6 KiB navbar",
    "  script (`app/static/js/nav.js`) instead of jQuery, Bootstrap's script, Select2, the date picker and",
    "  FAB's list helpers (about 300 KiB uncompressed), which these pages do not use. Admin pages keep them.",
    "- Before these changes (same bench, 2026-11-29): performance 62-72, accessibility 72-80, 740-906 KiB",
    "  per page (FAB's full head, uncompressed, the 150 KiB icon font). The accessibility findings fixed",
    "  on the way: no `lang` on `<html>`, `role=\"header\"` (not an ARIA role), an unnamed menu button, the",
    "  application name in Bootstrap's link blue on the dark navbar (3.5:1), links in running text told",
    "  apart by colour only.",
    "- `tests/test_static_assets.py` checks the same without a browser and without timing: only same-host,",
    "  fingerprinted assets, compression, cache headers, manifest and icon, every icon in the subset, and a",
    "  first load of each phone page (HTML + every referenced asset + every woff2 its stylesheets declare,",
    "  compressed) at most 300 KiB.",
]


def write_section(rows: list[tuple[str, str, str, dict]], command: str) -> str:
    first = rows[0][3]
    chrome = re.search(r"Chrome/([\d.]+)", first["user_agent"])
    lines = [
        f"{SECTION} — {datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"- Lighthouse {first['lighthouse']} (npm, `bench/lighthouse/package.json`), default mobile preset "
        f"(Moto G Power emulation, simulated slow 4G, 4× CPU slowdown), Debian Chromium "
        f"{chrome.group(1) if chrome else '?'} via `CHROME_PATH=/usr/bin/chromium`; "
        f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}",
        "- Served by gunicorn (`-w 2 --threads 1 run:app`) from the demo data (`run.prepare`), logged in "
        "through the login form (the login page itself anonymously); each page is a first load (empty "
        f"cache), run {len(first['all_performance'])} times, the run with the median performance score kept",
        f"- Command: `{command}`",
        f"- Targets (issue 10 item 8): performance ≥ {TARGET_PERFORMANCE}, accessibility ≥ "
        f"{TARGET_ACCESSIBILITY}, at most {BUDGET_KIB} KiB transferred, no other host",
        "",
        "| page | user | performance (median of the runs) | accessibility | transferred | requests | FCP | LCP | TBT | "
        "other hosts |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, user, path, r in rows:
        lines.append(
            f"| {label} (`{path}`) | {user} | {r['performance']} ({', '.join(map(str, r['all_performance']))}) | "
            f"{r['accessibility']} | {r['kib']:.1f} KiB | "
            f"{r['requests']} | {r['fcp'] / 1000:.1f} s | {r['lcp'] / 1000:.1f} s | {r['tbt']:.0f} ms | "
            f"{', '.join(r['other_hosts']) or 'none'} |")
    missed = [f"{label}: {', '.join(r['a11y_failed'])}" for label, _, _, r in rows if r["a11y_failed"]]
    if missed:
        lines += ["", "Accessibility audits not passed: " + "; ".join(missed)]
    met = all(r["performance"] >= TARGET_PERFORMANCE and r["accessibility"] >= TARGET_ACCESSIBILITY
              and r["kib"] <= BUDGET_KIB and not r["other_hosts"] for *_, r in rows)
    lines += ["", f"**Targets {'met' if met else 'NOT met'} on every page.**", "", *READING, ""]
    return "\n".join(lines)


def replace_section(text: str, section: str) -> str:
    """Replace this bench's own section (up to the next `## `) or append it."""
    start = text.find(SECTION)
    if start < 0:
        return text.rstrip("\n") + "\n\n" + section
    end = text.find("\n## ", start + len(SECTION))
    rest = text[end + 1:] if end >= 0 else ""
    return text[:start] + section + ("\n" + rest if rest else "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a database that already holds the demo data")
    parser.add_argument("--no-write", action="store_true", help="print, do not touch docs/PERFORMANCE.md")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (the median is kept)")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse missing: npm ci --prefix bench/lighthouse")
    tmp = Path(tempfile.mkdtemp(prefix="ek-lighthouse-"))
    env = {**os.environ, "EKINERJA_ENV": "development", "RATELIMIT_ENABLED": "0",
           "DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'demo.db'}",
           "UPLOAD_FOLDER": str(tmp / "uploads")}
    if not args.database_url:
        subprocess.run([sys.executable, "-c", f"import run; run.prepare({PASSWORD!r})"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "1", "-b",
                               f"127.0.0.1:{port}", "run:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_for(base + "/login/")
        employee, superior = Session(base), Session(base)
        employee.login(EMPLOYEE, PASSWORD)
        superior.login(SUPERIOR, PASSWORD)
        pages = [
            ("Masuk", "tamu", "/login/", None),
            ("Beranda", "pegawai", "/", employee),
            ("Aktivitas Saya", "pegawai", "/aktivitas-saya/", employee),
            ("Ubah aktivitas (entri)", "pegawai", entry_page(employee), employee),
            ("Beranda", "atasan", "/", superior),
            ("Antrean Persetujuan", "atasan", "/antrean/", superior),
        ]
        rows = []
        for i, (label, user, path, session) in enumerate(pages):
            slug = re.sub(r"\W+", "_", path).strip("_") or "home"
            cookie = session.cookie_header() if session is not None else None
            runs = [run_lighthouse(base + path, cookie, f"{i}-{user}-{slug}-{n}") for n in range(args.runs)]
            # Lighthouse's advice for variable machines: the run with the median performance score
            result = sorted(runs, key=lambda r: r["performance"])[len(runs) // 2]
            result["all_performance"] = [r["performance"] for r in runs]
            print(f"{label:28} {user:8} perf {result['performance']:3} {result['all_performance']} "
                  f"a11y {result['accessibility']:3} {result['kib']:7.1f} KiB {result['requests']:3} req  "
                  f"other hosts: {result['other_hosts']}  a11y failed: {result['a11y_failed']}")
            rows.append((label, user, path, result))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    command = "CHROME_PATH=/usr/bin/chromium .venv/bin/python -m bench.lighthouse_bench"
    section = write_section(rows, command)
    if args.no_write:
        print(section)
    else:
        DOC.write_text(replace_section(DOC.read_text(), section))
        print(f"written to {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
