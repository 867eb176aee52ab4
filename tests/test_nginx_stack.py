"""The production stack, running: Debian's nginx (the shipped site config, docs/deploy/nginx/)
in front of gunicorn (docs/deploy/gunicorn.conf.py) serving the app on SQLite demo data.

nginx runs as a non-daemon child with a temporary prefix and a main config of the test; the
site file is the shipped one, rendered only where a test must differ from a server: the
loopback ports, the paths of this checkout and its virtualenv, a throwaway self-signed
certificate, no IPv6 listeners. Requests come over TLS from 127.0.0.2 (a second loopback
address), so the client's address differs from nginx's own (127.0.0.1) all the way to the app.

Checked: a page through nginx (compressed, HSTS because the app saw X-Forwarded-Proto https);
static files served by nginx itself (compressed, cache lifetimes, never reaching gunicorn);
X-Forwarded-For giving the app the real client address (audit log and login session) and a
client's forged header ignored; the upload limit (413 from nginx above MAX_CONTENT_LENGTH, the
app's own answer at it). Runs once, in the SQLite pass; skipped when nginx or gunicorn is
missing, a failure under CI (.ci/run installs nginx).
"""
from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

import config
from tests.conftest import IS_PG

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE = os.path.join(ROOT, "docs", "deploy", "nginx", "ekinerja.conf")
GUNICORN_CONF = os.path.join(ROOT, "docs", "deploy", "gunicorn.conf.py")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
GUNICORN = os.path.join(os.path.dirname(sys.executable), "gunicorn")
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
PASSWORD = "demo-rahasia-nginx"
CLIENT_ADDR = "127.0.0.2"
FORGED = "203.0.113.9"
YEAR = 31536000
HOST = "ekinerja.malangkota.go.id"

if IS_PG:
    pytest.skip("runs once, in the SQLite pass (its own SQLite demo database)", allow_module_level=True)
_missing = [name for name, path in (("nginx", NGINX), ("gunicorn", GUNICORN), ("openssl", OPENSSL))
            if not os.path.exists(path)]
if _missing:
    if os.environ.get("CI"):  # .ci/run installs nginx: missing there is a failure
        pytest.fail(f"not installed: {', '.join(_missing)}", pytrace=False)
    pytest.skip(f"not installed: {', '.join(_missing)}", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, log: str) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise AssertionError(f"exited with {proc.returncode}:\n{open(log).read()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"port {port} never opened:\n{open(log).read()[-3000:]}")


def _replace(text: str, old: str, new: str) -> str:
    """Render one spot of the shipped config; the spot must exist (the test follows the file)."""
    assert old in text, f"{old!r} not in {SITE}"
    return text.replace(old, new)


def render_site(ports: dict, tls: tuple[str, str]) -> str:
    import flask_appbuilder

    text = open(SITE, encoding="utf-8").read()
    text = _replace(text, "/srv/ekinerja/.venv/lib/python3.11/site-packages/flask_appbuilder",
                    os.path.dirname(os.path.abspath(flask_appbuilder.__file__)))
    text = _replace(text, "root /srv/ekinerja/app;", f"root {ROOT}/app;")
    text = _replace(text, "server 127.0.0.1:8000 ", f"server 127.0.0.1:{ports['app']} ")
    text = _replace(text, "listen 80 default_server;", f"listen 127.0.0.1:{ports['http']} default_server;")
    text = _replace(text, "listen 443 ssl http2 default_server;",
                    f"listen 127.0.0.1:{ports['https']} ssl http2 default_server;")
    text = _replace(text, "/etc/ssl/ekinerja/fullchain.pem", tls[0])
    text = _replace(text, "/etc/ssl/ekinerja/privkey.pem", tls[1])
    return "\n".join(line for line in text.splitlines() if "listen [::]" not in line) + "\n"


def main_conf(prefix: str, site: str) -> str:
    """What Debian's /etc/nginx/nginx.conf gives the site: http context, mime types, logs."""
    # As root, the workers stay root: the checkout may sit where www-data cannot read (/root).
    user = "user root;" if os.geteuid() == 0 else ""
    temps = "\n".join(f"    {kind}_temp_path {prefix}/tmp/{kind};"
                      for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 128; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {prefix}/access.log;
{temps}
    include {site};
}}
"""


class Stack:
    def __init__(self, base: str):
        self.base = base
        self.db = os.path.join(base, "ekinerja.db")
        self.imports = os.path.join(base, "shared", "attendance-imports")  # a shared mount on several nodes
        self.ports = {"app": _free_port(), "http": _free_port(), "https": _free_port()}
        self.procs: list[subprocess.Popen] = []
        self.gunicorn_log = os.path.join(base, "gunicorn.log")
        self.nginx_log = os.path.join(base, "nginx.out")

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL",
                                                                  "EKINERJA_CONFIG", "GUNICORN_CMD_ARGS")}
        env.update(DATABASE_URL=f"sqlite:///{self.db}", SECRET_KEY="nginx-stack-test-" + uuid.uuid4().hex,
                   EKINERJA_ENV="production", TRUSTED_PROXIES="1", UPLOAD_FOLDER=os.path.join(self.base, "uploads"),
                   ATTENDANCE_UPLOAD_FOLDER=self.imports, RATELIMIT_STORAGE_URI="memory://", WEB_CONCURRENCY="2",
                   GUNICORN_BIND=f"127.0.0.1:{self.ports['app']}")
        return env

    def start(self) -> None:
        env = self.env()
        subprocess.run([sys.executable, "-c", f"import run; run.prepare({PASSWORD!r})"], cwd=ROOT, env=env,
                       check=True, capture_output=True, timeout=600)
        with open(self.gunicorn_log, "w") as out:
            self.procs.append(subprocess.Popen([GUNICORN, "-c", GUNICORN_CONF], cwd=ROOT, env=env, stdout=out,
                                               stderr=subprocess.STDOUT))
        _wait_port(self.ports["app"], self.procs[-1], self.gunicorn_log)

        prefix = os.path.join(self.base, "nginx")
        os.makedirs(os.path.join(prefix, "tmp"))
        cert, key = os.path.join(prefix, "cert.pem"), os.path.join(prefix, "key.pem")
        subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "2", "-subj", "/CN=ekinerja.malangkota.go.id", "-keyout", key,
                        "-out", cert], check=True, capture_output=True, timeout=60)
        site = os.path.join(prefix, "ekinerja.conf")
        with open(site, "w") as f:
            f.write(render_site(self.ports, (cert, key)))
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(main_conf(prefix, site))
        os.chmod(self.base, 0o755)
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            path = os.path.join(prefix, "tmp", kind)
            os.makedirs(path)
            os.chmod(path, 0o777)
        cmd = [NGINX, "-p", prefix, "-c", conf, "-g", "daemon off;"]
        check = subprocess.run(cmd + ["-t"], capture_output=True, text=True, timeout=60)
        assert check.returncode == 0, check.stderr
        with open(self.nginx_log, "w") as out:
            self.procs.append(subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT))
        _wait_port(self.ports["https"], self.procs[-1], self.nginx_log)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.procs.clear()

    def gunicorn_output(self) -> str:
        return open(self.gunicorn_log, encoding="utf-8", errors="replace").read()

    def sql(self, query: str, *args):
        conn = sqlite3.connect(self.db, timeout=15)
        try:
            return conn.execute(query, args).fetchall()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def stack():
    base = tempfile.mkdtemp(prefix="ekinerja-nginx-")
    s = Stack(base)
    try:
        s.start()
        yield s
    finally:
        s.stop()
        shutil.rmtree(base, ignore_errors=True)


class Browser:
    """A tiny HTTPS client from 127.0.0.2 with a cookie jar (no redirects followed)."""

    def __init__(self, port: int, source: str = CLIENT_ADDR):
        self.port, self.source, self.cookies = port, source, {}
        self.ctx = ssl.create_default_context()
        self.ctx.check_hostname = False
        self.ctx.verify_mode = ssl.CERT_NONE

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx,
                                           source_address=(self.source, 0), timeout=120)
        # As a browser on the standard port would send them (Flask-WTF checks the Referer over https).
        h = {"Host": HOST, "Accept-Encoding": "gzip", "Referer": f"https://{HOST}{path}"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        for cookie in resp.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return resp.status, resp.headers, data

    def page(self, path: str, **kw):
        status, headers, data = self.request("GET", path, **kw)
        if headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return status, headers, data.decode("utf-8", "replace")

    def csrf(self, path: str = "/login/") -> str:
        status, _, html = self.page(path)
        assert status == 200, (path, status)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    def login(self, username: str, password: str, headers: dict | None = None) -> bool:
        """True when the app logged the user in (FAB redirects a failed login back to the form)."""
        from urllib.parse import urlencode

        token = self.csrf()
        body = urlencode({"username": username, "password": password, "csrf_token": token}).encode()
        status, answer, _ = self.request("POST", "/login/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
        assert status == 302, status
        return "/login" not in answer["Location"]


def test_a_page_comes_through_nginx_over_tls_compressed_with_hsts(stack):
    b = Browser(stack.ports["https"])
    status, headers, html = b.page("/login/")
    assert status == 200 and 'name="csrf_token"' in html
    assert headers["Content-Encoding"] == "gzip"  # the app's page compressed by nginx
    assert "Content-Security-Policy" in headers  # the app answered
    # HSTS only when the app saw https: X-Forwarded-Proto from nginx, trusted by ProxyFix.
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in headers["Set-Cookie"]

    plain = http.client.HTTPConnection("127.0.0.1", stack.ports["http"], timeout=30)
    plain.request("GET", "/login/?x=1", headers={"Host": "ekinerja.malangkota.go.id"})
    resp = plain.getresponse()
    assert resp.status == 301 and resp.headers["Location"] == "https://ekinerja.malangkota.go.id/login/?x=1"
    plain.close()


@pytest.mark.parametrize("path, source", [
    ("/static/vendor/chartjs/chart.umd.min.js", "app/static/vendor/chartjs/chart.umd.min.js"),
    ("/static/appbuilder/css/bootstrap.min.css", "flask_appbuilder/static/appbuilder/css/bootstrap.min.css"),
])
def test_static_files_are_served_by_nginx_compressed_with_cache_lifetimes(stack, path, source):
    import flask_appbuilder

    base = ROOT if source.startswith("app/") else os.path.dirname(os.path.dirname(flask_appbuilder.__file__))
    on_disk = open(os.path.join(base, source), "rb").read()
    b = Browser(stack.ports["https"])

    status, headers, data = b.request("GET", path)
    assert status == 200 and headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in headers["Vary"]
    assert gzip.decompress(data) == on_disk and len(data) < len(on_disk)
    assert headers["Cache-Control"] == "public, max-age=86400"  # not fingerprinted: revalidated daily
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in headers  # nginx, not the app

    status, headers, data = b.request("GET", path + "?v=3f2a9c1d")  # a fingerprinted URL
    assert status == 200 and gzip.decompress(data) == on_disk
    assert headers["Cache-Control"] == f"public, max-age={YEAR}, immutable"

    status, headers, _ = b.request("GET", path, headers={"Accept-Encoding": "identity"})
    assert status == 200 and "Content-Encoding" not in headers

    assert " /static/" not in stack.gunicorn_output()  # no static request reached gunicorn


def test_the_app_sees_the_client_address_from_x_forwarded_for_not_a_forged_one(stack):
    b = Browser(stack.ports["https"])
    # A wrong password: the refusal is written to the audit log with the client's address. The
    # client forges X-Forwarded-For; nginx appends the real address, the app trusts one hop.
    assert not b.login("admin", "salah-sekali", headers={"X-Forwarded-For": FORGED})
    ips = {ip for (ip,) in stack.sql("SELECT ip FROM audit_log WHERE ip IS NOT NULL")}
    assert CLIENT_ADDR in ips
    assert FORGED not in ips and "127.0.0.1" not in ips

    assert b.login("admin", PASSWORD)
    sessions = stack.sql("SELECT ip FROM login_session ORDER BY id DESC LIMIT 1")
    assert sessions == [(CLIENT_ADDR,)]


def multipart(fields: dict, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "ekinerjaboundary"
    parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
             for k, v in fields.items()]
    parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
                 f"Content-Type: text/csv\r\n\r\n".encode() + content + f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_an_import_preview_is_kept_in_the_configured_folder(stack):
    """ATTENDANCE_UPLOAD_FOLDER (shared storage when several nodes serve preview and confirm)."""
    b = Browser(stack.ports["https"])
    assert b.login("admin", PASSWORD)
    token = b.csrf("/attendance-import/")
    csv = b"NIP,TANGGAL,STATUS,TERLAMBAT_MENIT,PULANG_CEPAT_MENIT\n197502102003011192,2026-11-02,HADIR,5,0\n"
    body, ctype = multipart({"csrf_token": token, "year": "2026", "month": "11"}, "kehadiran.csv", csv)
    status, headers, data = b.request("POST", "/attendance-import/upload", body=body, headers={"Content-Type": ctype})
    html = (gzip.decompress(data) if headers.get("Content-Encoding") == "gzip" else data).decode()
    assert status == 200 and 'name="token"' in html, re.findall(r"alert[^>]*>([^<]+)", html)
    stored = os.listdir(stack.imports)
    assert any(name.endswith(".bin") for name in stored) and any(name.endswith(".json") for name in stored)


def test_uploads_above_the_limit_are_refused_by_nginx_and_below_it_reach_the_app(stack):
    limit = config.Config.MAX_CONTENT_LENGTH
    shipped = re.search(r"client_max_body_size (\d+)m;", open(SITE).read())
    assert int(shipped.group(1)) * 1024 * 1024 == limit  # nginx and the app agree

    # Above the limit: nginx answers 413 from the Content-Length alone, before any body.
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", stack.ports["https"]), timeout=30,
                                  source_address=(CLIENT_ADDR, 0)) as raw, \
            ctx.wrap_socket(raw, server_hostname="ekinerja.malangkota.go.id") as tls:
        tls.sendall((f"POST /attendance-import/upload HTTP/1.1\r\nHost: ekinerja.malangkota.go.id\r\n"
                     f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {limit + 1}\r\n"
                     f"Connection: close\r\n\r\n").encode())
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode()
    assert head.startswith("HTTP/1.1 413") and "Content-Security-Policy" not in head

    # One byte under the limit: the whole body passes nginx and reaches the app, which reads it
    # and answers with its own message (the attendance file itself may be at most 20 MB).
    b = Browser(stack.ports["https"])
    assert b.login("admin", PASSWORD)
    token = b.csrf("/attendance-import/")
    fields = {"csrf_token": token, "year": "2026", "month": "11"}
    overhead = len(multipart(fields, "kehadiran.csv", b"")[0])
    body, ctype = multipart(fields, "kehadiran.csv", b"x" * (limit - 1 - overhead))
    assert len(body) == limit - 1
    status, headers, data = b.request("POST", "/attendance-import/upload", body=body, headers={"Content-Type": ctype})
    html = (gzip.decompress(data) if headers.get("Content-Encoding") == "gzip" else data).decode()
    assert status == 200 and "Content-Security-Policy" in headers
    assert "Berkas terlalu besar (paling besar 20 MB)." in html
