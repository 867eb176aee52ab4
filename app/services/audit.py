"""Audit trail.

Changes of audited models are recorded by a session listener in the same flush, so pages,
API and commands are covered alike and an audit row never outlives a rolled-back change.
Refusals are written in their own short transaction, since the request itself is refused:
one row per refusal of a logged-in user, and one counted row per address, kind and minute
for anonymous clients (`record_anonymous_refusal`).
"""
from __future__ import annotations

import json
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from flask import has_request_context, request
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.models.audit import AuditLog, utcnow

AUDITED = {"Unit", "Position", "Employee", "SuperiorOverride", "ActivityCatalog", "Holiday", "Period",
           "Activity", "SubmitException", "Parameter", "Evaluation", "OrgPredikat", "TppRate", "Sanction",
           "StrategicGoal", "Skp", "Rhk", "RhkIndicator", "RhkRealisation"}
# Derived caches, recomputed by the system (not someone's change).
_SKIP_COLUMNS = {"Employee": {"superior_id"}, "Unit": {"opd_id"}}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row_values(obj) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    skip = _SKIP_COLUMNS.get(type(obj).__name__, set())
    return {c.key: _jsonable(getattr(obj, c.key)) for c in mapper.column_attrs if c.key not in skip}


def _before_values(obj) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before, after = {}, {}
    skip = _SKIP_COLUMNS.get(type(obj).__name__, set())
    for attr in state.mapper.column_attrs:
        if attr.key in skip:
            continue
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            before[attr.key] = _jsonable(hist.deleted[0]) if hist.deleted else None
            after[attr.key] = _jsonable(hist.added[0]) if hist.added else None
    return before, after


def _pk(obj) -> str | None:
    values = inspect(obj).mapper.primary_key_from_instance(obj)
    return None if values is None or values[0] is None else "/".join(str(v) for v in values)


def _actor() -> tuple[Any, Any, Any]:
    if not has_request_context():
        return None, "sistem", None
    from app.security import current_login

    user = current_login()
    return getattr(user, "id", None), getattr(user, "username", None), request.remote_addr


def _dump(values: dict | None) -> str | None:
    return None if values is None else json.dumps(values, ensure_ascii=False, sort_keys=True)


def _after_flush(session: Session, flush_context) -> None:
    if session.info.get("audit_disabled"):
        return
    rows = []
    user_id, username, ip = _actor()
    now = utcnow()
    for action, objs in (("CREATE", session.new), ("UPDATE", session.dirty), ("DELETE", session.deleted)):
        for obj in objs:
            name = type(obj).__name__
            if name not in AUDITED:
                continue
            if action == "CREATE":
                before, after = None, _row_values(obj)
            elif action == "DELETE":
                before, after = _row_values(obj), None
            else:
                before, after = _before_values(obj)
                if not after:
                    continue
            named = obj.__dict__.pop("_audit_action", None)  # a workflow transition, if any
            note = obj.__dict__.pop("_audit_detail", None)
            rows.append(
                dict(at=now, user_id=user_id, username=username, entity=name,
                     entity_id=_pk(obj), action=named or action, before=_dump(before),
                     after=_dump(after), detail=note, ip=ip)
            )
    if rows:
        session.connection().execute(AuditLog.__table__.insert(), rows)


def register_listeners() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def add_event(session: Session, entity: str, entity_id: Any, action: str,
              before: dict | None = None, after: dict | None = None, detail: str | None = None) -> None:
    """Write an audit row for a domain event (import, recompute, ...) in the session's
    transaction: it commits or rolls back with the change it describes."""
    if session.info.get("audit_disabled"):
        return
    user_id, username, ip = _actor()
    session.execute(AuditLog.__table__.insert(), [dict(
        at=utcnow(), user_id=user_id, username=username, ip=ip, entity=entity,
        entity_id=None if entity_id is None else str(entity_id), action=action,
        before=_dump(before), after=_dump(after), detail=detail)])


def record_refusal(user_id, username, status: int, entity: str, entity_id, detail: str, ip) -> None:
    """Write a refused access attempt in its own transaction (the request is refused).

    A logged-in user's refusal is one row each; an anonymous one is aggregated
    (`record_anonymous_refusal`), so no unauthenticated client can grow the table without bound."""
    if user_id is None:
        record_anonymous_refusal(ip, f"DITOLAK_{status}", detail, entity=entity)
        return
    from app.extensions import db

    with db.engine.begin() as conn:
        conn.execute(
            AuditLog.__table__.insert(),
            dict(at=utcnow(), user_id=user_id, username=username, entity=entity,
                 entity_id=None if entity_id is None else str(entity_id),
                 action=f"DITOLAK_{status}", detail=detail, ip=ip),
        )


def _upsert(dialect_name: str):
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect_name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the app runs on SQLite and PostgreSQL only
        raise RuntimeError(f"Basis data {dialect_name} tidak didukung untuk agregasi log audit.")
    return insert


def record_anonymous_refusal(ip: str | None, kind: str, path: str = "", entity: str = "request",
                             now: datetime | None = None) -> None:
    """Count a refusal of an unauthenticated client (a refused request, a failed login, ...).

    One audit row per address, `kind` (the action, e.g. ``DITOLAK_401`` or ``LOGIN_GAGAL``)
    and minute holds the time of the first such request, their number and the latest path. The row is written by
    one atomic upsert (``INSERT … ON CONFLICT (bucket) DO UPDATE SET count = count + 1``) in
    its own transaction, so concurrent requests on PostgreSQL and SQLite never lose a count
    nor create a second row."""
    from app.extensions import db

    now = now or utcnow()
    minute = now.replace(second=0, microsecond=0)
    address = (ip or "-")[:45]
    kind = kind[:30]
    table = AuditLog.__table__
    insert = _upsert(db.engine.dialect.name)
    stmt = insert(table).values(
        at=now, user_id=None, username=None, entity=(entity or "request")[:50], entity_id=None,
        action=kind, detail=(path or "")[:500] or None, ip=None if ip is None else address, count=1,
        bucket=f"{minute:%Y%m%d%H%M}|{kind}|{address}",
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.bucket],
        set_={"count": table.c.count + 1, "detail": stmt.excluded.detail},
    )
    with db.engine.begin() as conn:
        conn.execute(stmt)
