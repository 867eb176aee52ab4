"""Values read once per database transaction (issue 11 item 6).

One submission read the year's parameters three times and the holiday calendar twice (the
entry rules, the RHK rule, the review deadline). `in_transaction(kind, key, read)` keeps what
`read()` returned in the session until the transaction ends (commit or rollback), so a use case
reads each once; the next transaction reads afresh. It is forgotten at once when the session
holds or writes any change (a pending row, a flush, an INSERT/UPDATE/DELETE statement): a use
case that changes parameters or holidays reads its own change, as before.
"""
from __future__ import annotations

from typing import Any, Callable, Hashable

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

_KEY = "ek_memo"


def in_transaction(kind: str, key: Hashable, read: Callable[[], Any]) -> Any:
    session = db.session()
    if session.new or session.dirty or session.deleted:  # changes not flushed yet: read (autoflush)
        forget(session)
    store = session.info.setdefault(_KEY, {})
    try:
        return store[(kind, key)]
    except KeyError:
        value = store[(kind, key)] = read()
        return value


def forget(session: Session) -> None:
    session.info.pop(_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session, transaction):
    if transaction.parent is None:
        forget(session)


@event.listens_for(Session, "before_flush")
def _flushing(session, flush_context, instances):
    if session.new or session.dirty or session.deleted:
        forget(session)


@event.listens_for(Session, "do_orm_execute")
def _statement(orm_execute_state):
    if not orm_execute_state.is_select:
        forget(orm_execute_state.session)
