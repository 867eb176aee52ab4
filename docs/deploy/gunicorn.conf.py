"""gunicorn settings of e-Kinerja (docs/deploy.md): `gunicorn -c docs/deploy/gunicorn.conf.py`.

Sync workers with one thread each (a search-filter object of Flask-AppBuilder is shared
between threads: FAB issue #2366). Values come from the environment (the systemd unit's
EnvironmentFile) so that one file serves every node.
"""
import multiprocessing
import os

# The WSGI app: run.py builds it with create_app() (EKINERJA_CONFIG, default config.Config).
wsgi_app = "run:app"
chdir = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Behind nginx on the same machine: loopback only. A node behind a separate nginx machine
# binds its private address (GUNICORN_BIND=10.20.0.12:8000) and is firewalled to that nginx.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# One worker per core: the requests are CPU work (PostgreSQL answers in a fraction of a
# millisecond on the same machine), and more workers than cores only switch between themselves.
# On 2 cores with PostgreSQL and the load generator on them, the month-end load at 200 users
# gave 173-176 req/s with 2 workers and 161 with 3; at 150 users 158 with 3 and 143 with 5
# (docs/PERFORMANCE.md). An app node whose database is on another machine waits longer per
# request: 2 x cores + 1 there (WEB_CONCURRENCY).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "sync"
threads = 1
# The whole-city Excel recap of a large month is the longest request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
# A worker is replaced after this many requests (bounded memory over weeks of uptime).
max_requests = 2000
max_requests_jitter = 200
# Each worker builds its own app and database pools (no engine shared across fork).
preload_app = False

# Logs to stdout/stderr: journald keeps them (journalctl -u ekinerja).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = "ekinerja"

# gunicornc's control socket (worker status, graceful reload): in the unit's runtime directory
# (/run/ekinerja, RuntimeDirectory= sets $RUNTIME_DIRECTORY), never in the code tree; none
# when started by hand without GUNICORN_CONTROL_SOCKET.
_runtime = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or (
    os.path.join(_runtime, "gunicorn.ctl") if _runtime else "gunicorn.ctl")
control_socket_disable = not (os.environ.get("GUNICORN_CONTROL_SOCKET") or _runtime)
