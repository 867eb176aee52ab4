"""Reads of reports and dashboards from a PostgreSQL streaming replica (`DATABASE_REPLICA_URL`).

The one place that decides where a report or dashboard query runs. `run(fn, ...)` (and the
`@reads` decorator) executes `fn` with `db.session` bound, for the duration of the call, to a
read-only session on the replica — every query inside, including the scope helpers, goes there
— when the replica is usable, and on the primary otherwise:

- no `DATABASE_REPLICA_URL`: the primary, nothing checked (a single machine);
- the replica does not answer (connection refused, timeout after `REPLICA_CONNECT_TIMEOUT`
  seconds): the primary, logged, and the replica is not tried again for
  `REPLICA_RETRY_SECONDS` (so a dead host does not cost every report a timeout);
- the replica lags: it has not replayed the WAL the primary had written when the request
  began (`pg_current_wal_lsn()` on the primary against `pg_last_wal_replay_lsn()` on the
  replica), and its last replayed transaction (`pg_last_xact_replay_timestamp()`) is older than
  `REPLICA_MAX_LAG_SECONDS`: the primary, logged. A replica that has replayed everything
  counts as lag 0 however long ago the last write was (an idle city at night);
- the server is not (or no longer) a standby (`pg_is_in_recovery()` false, e.g. promoted):
  the primary, logged — its data may have diverged;
- the replica fails during the read (connection lost, query cancelled by a conflict with
  recovery): the read-only call is run again on the primary, logged.

Only read-only use cases go through here (report files, dashboard aggregates); every write,
and the authorisation with its refusal logging, stays on the primary.
"""
from __future__ import annotations

import functools
import logging
import math
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.extensions import db

log = logging.getLogger(__name__)

PRIMARY, REPLICA = "primary", "replica"
_EXT = "ekinerja_replica"

REPLICA_STATUS_SQL = text("""
SELECT pg_is_in_recovery() AS standby,
       pg_wal_lsn_diff(COALESCE(CAST(:primary_lsn AS pg_lsn), pg_last_wal_receive_lsn()),
                       pg_last_wal_replay_lsn()) AS behind_bytes,
       EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()) AS since_replay
""")


@dataclass
class _State:
    """Per app: the replica engine (created on first use, in the worker) and the back-off."""

    url: str
    engine: Any = None
    down_until: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Status:
    """What the check found: where the reads go and why."""

    source: str  # PRIMARY or REPLICA
    reason: str
    lag_seconds: Optional[float] = None


def _config(key: str, default):
    from flask import current_app

    value = current_app.config.get(key)
    return default if value is None or value == "" else value


def _state() -> Optional[_State]:
    from flask import current_app

    url = (_config("DATABASE_REPLICA_URL", "") or "").strip()
    if not url:
        return None
    state = current_app.extensions.get(_EXT)
    if state is None or state.url != url:
        if state is not None and state.engine is not None:
            state.engine.dispose()
        state = current_app.extensions[_EXT] = _State(url)
    return state


def _engine(state: _State):
    with state.lock:
        if state.engine is None:
            timeout = max(1, int(_config("REPLICA_CONNECT_TIMEOUT", 2)))
            state.engine = create_engine(
                state.url, pool_pre_ping=True, pool_recycle=3600,
                connect_args={"connect_timeout": timeout, "application_name": "ekinerja-replica-read"})
            from app.extensions import configure_postgresql

            configure_postgresql(state.engine)  # jit=off, as on the primary
        return state.engine


def lag_seconds(primary_lsn: Optional[str], replica_conn) -> tuple[bool, Optional[float]]:
    """(is a standby, lag in seconds) of the replica behind `replica_conn`: 0 when it has
    replayed `primary_lsn` (or, unknown, all it received), else the age of its last replayed
    transaction (None: nothing replayed since it started — unknown, treated as too old)."""
    row = replica_conn.execute(REPLICA_STATUS_SQL, {"primary_lsn": primary_lsn}).one()
    if not row.standby:
        return False, None
    if row.behind_bytes is not None and row.behind_bytes <= 0:
        return True, 0.0
    return True, None if row.since_replay is None else max(0.0, float(row.since_replay))


def _primary_lsn() -> Optional[str]:
    """The primary's current WAL position (what a reader could have seen committed)."""
    try:
        with db.engine.connect() as conn:
            if conn.dialect.name != "postgresql":
                return None
            return conn.execute(text("SELECT CAST(pg_current_wal_lsn() AS text)")).scalar()
    except DBAPIError:
        log.exception("Posisi WAL basis data utama tidak dapat dibaca")
        return None


def check() -> Status:
    """Where the next report/dashboard read goes (see the module docstring)."""
    state = _state()
    if state is None:
        return Status(PRIMARY, "tanpa replika")
    if time.monotonic() < state.down_until:
        return Status(PRIMARY, "replika tidak tersedia (menunggu percobaan berikutnya)")
    engine = _engine(state)
    if engine.dialect.name != "postgresql":
        log.error("DATABASE_REPLICA_URL harus menunjuk replika PostgreSQL; laporan dibaca dari basis data utama")
        return Status(PRIMARY, "replika bukan PostgreSQL")
    primary_lsn = _primary_lsn()
    try:
        with engine.connect() as conn:
            standby, lag = lag_seconds(primary_lsn, conn)
    except DBAPIError as err:
        retry = float(_config("REPLICA_RETRY_SECONDS", 15))
        state.down_until = time.monotonic() + retry
        log.warning("Replika basis data tidak dapat dihubungi, laporan dibaca dari basis data utama "
                    "(dicoba lagi setelah %.0f detik): %s", retry, _first_line(err))
        return Status(PRIMARY, "replika tidak dapat dihubungi")
    if not standby:
        log.warning("Server DATABASE_REPLICA_URL bukan replika (tidak dalam pemulihan); "
                    "laporan dibaca dari basis data utama")
        return Status(PRIMARY, "server bukan replika")
    max_lag = float(_config("REPLICA_MAX_LAG_SECONDS", 30))
    shown = math.inf if lag is None else lag
    if shown > max_lag:
        log.warning("Replika tertinggal %s detik (batas %s detik), laporan dibaca dari basis data utama",
                    "tak diketahui" if lag is None else f"{lag:.1f}", f"{max_lag:g}")
        return Status(PRIMARY, "replika tertinggal", lag)
    return Status(REPLICA, "replika", lag)


def _first_line(err: BaseException) -> str:
    lines = str(getattr(err, "orig", None) or err).strip().splitlines()
    return lines[0][:300] if lines else type(err).__name__


@contextmanager
def _session_on(engine):
    """`db.session` is a read-only session on `engine` inside the block (same app context)."""
    from flask import g

    registry = db.session.registry
    primary = registry()
    session = Session(bind=engine, autoflush=False, expire_on_commit=False)
    registry.set(session)
    g.ek_read_source = REPLICA
    try:
        yield session
    finally:
        registry.set(primary)
        g.ek_read_source = PRIMARY
        session.close()


def current_source() -> str:
    """Where `db.session` reads right now (REPLICA inside run(), else PRIMARY)."""
    from flask import g, has_app_context

    return getattr(g, "ek_read_source", PRIMARY) if has_app_context() else PRIMARY


def run(fn: Callable, *args, **kwargs):
    """`fn(*args, **kwargs)` — a read-only use case — on the replica when usable, else (or when
    the replica fails during the call) on the primary."""
    if current_source() == REPLICA:  # already routed (a read-only call inside another)
        return fn(*args, **kwargs)
    status = check()
    if status.source != REPLICA:
        return fn(*args, **kwargs)
    state = _state()
    try:
        with _session_on(state.engine):
            return fn(*args, **kwargs)
    except DBAPIError as err:
        if err.connection_invalidated:
            state.down_until = time.monotonic() + float(_config("REPLICA_RETRY_SECONDS", 15))
        log.warning("Pembacaan dari replika gagal, diulang pada basis data utama: %s", _first_line(err))
    return fn(*args, **kwargs)


def reads(fn: Callable) -> Callable:
    """Decorator: the function is a read-only use case served through run()."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return run(fn, *args, **kwargs)

    return wrapper
