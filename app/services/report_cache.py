"""Recap, payroll and distribution files of an OPD or the whole city, kept for a short while.

At month end BKD, finance and the operators download the same files again and again, and each
whole-city file costs 0.7–2 s of CPU to build (10,000 rows through xlsxwriter): under the load
test of issue 11 the city downloads alone asked for more CPU than the machine has. A built file
is kept on disk (REPORT_CACHE_DIR, default a folder in the temporary directory, shared by the
workers of a node) and served again while

- the period's recap rows are the same: their number and newest `computed_at` are part of the
  key, so a recompute (the only writer of recap rows) gives new files at once;
- the request is the same: database, kind, period and its state, OPD, and the asker's scope over the
  recap rows (the SQL of app.security.scope_clause, with its values), so nobody is served rows
  outside their scope;
- the file is younger than REPORT_CACHE_SECONDS (default 120; 0 = never kept), which bounds how
  long a renamed unit or a new signatory takes to show, as for the dashboard's city figures.

Files of one employee are small and built every time. The print time in a kept file is the
time it was built.
"""
from __future__ import annotations

import glob
import hashlib
import os
import shutil
import tempfile
import time
from typing import Callable, Optional

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db

DEFAULT_SECONDS = 120


def _seconds() -> float:
    return float(current_app.config.get("REPORT_CACHE_SECONDS", DEFAULT_SECONDS) or 0)


def _folder() -> str:
    from app.services.reports import _tmpdir

    folder = current_app.config.get("REPORT_CACHE_DIR") or os.path.join(_tmpdir(), "ekinerja-report-cache")
    os.makedirs(folder, exist_ok=True)
    return folder


def _scope_sql() -> Optional[str]:
    """The asker's scope over recap rows as SQL with its values; "" = everything; None = a
    scope that cannot be written out (not kept then)."""
    from app.models import Recap
    from app.security import scope_clause

    clause = scope_clause(Recap)
    if clause is None:
        return ""
    try:
        return str(clause.compile(dialect=db.session.get_bind().dialect, compile_kwargs={"literal_binds": True}))
    except Exception:  # noqa: BLE001 - a value without a literal form: do not keep
        return None


def key_of(req) -> Optional[str]:
    """The cache key of an OPD or city request, or None when it is not kept."""
    from app.models import Recap

    if req.employee is not None or _seconds() <= 0:
        return None
    scope = _scope_sql()
    if scope is None:
        return None
    # The rows the file is made of: an OPD's file holds the OPD's rows only (read through the
    # period+OPD index instead of the whole city's period).
    rows_of = select(func.count(Recap.id), func.max(Recap.computed_at)).where(Recap.period_id == req.period.id)
    if req.opd is not None:
        rows_of = rows_of.where(Recap.opd_id == req.opd.id)
    rows, newest = db.session.execute(rows_of).one()
    parts = (db.engine.url.render_as_string(hide_password=True), req.kind, req.period.id, req.period.state, req.opd.id if req.opd is not None else "kota", rows,
             newest.isoformat() if newest is not None else "", scope)
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _prune(folder: str, ttl: float) -> None:
    """Drop files past their time (a file being sent stays readable through its open handle)."""
    limit = time.time() - ttl
    for path in glob.glob(os.path.join(folder, "*.xlsx")):
        try:
            if os.stat(path).st_mtime < limit:
                os.remove(path)
        except FileNotFoundError:
            pass


def fetch(req, build: Callable):
    """The ReportFile of `req`: a kept one while valid, else `build(req)`, kept for the next.
    Kept as <key>--<rows>--<download name>; written under a temporary name and renamed, so a
    reader never sees half a file."""
    from app.services.reports import ReportFile

    key = key_of(req)
    if key is None:
        return build(req)
    folder, ttl = _folder(), _seconds()
    for path in glob.glob(os.path.join(folder, f"{key}--*.xlsx")):
        try:
            fresh = time.time() - os.stat(path).st_mtime < ttl
        except FileNotFoundError:
            continue
        if fresh:
            _, rows, filename = os.path.basename(path).split("--", 2)
            return ReportFile(filename, int(rows), path=path, keep=True)
    report = build(req)
    _prune(folder, ttl)
    target = os.path.join(folder, f"{key}--{report.rows}--{report.filename}")
    fd, tmp = tempfile.mkstemp(prefix=".building-", suffix=".xlsx", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            if report.path:
                with open(report.path, "rb") as src:
                    shutil.copyfileobj(src, out)
            else:
                out.write(report.data.getvalue())
        os.replace(tmp, target)
    except OSError:  # a full or read-only cache folder: serve the file built, keep nothing
        if os.path.exists(tmp):
            os.remove(tmp)
        return report
    report.discard()
    return ReportFile(report.filename, report.rows, path=target, keep=True)
