"""Antrean Persetujuan: the superior's approval queue on a phone (issue 10 items 3 and 5).

Thin: the queue is app.services.activities.queue_clause within app.security.scope_clause,
decisions are app.services.activities.decide / bulk, evidence is served by ActivityView.evidence.
After every action the user is sent back to the queue with the same filters."""
from __future__ import annotations

import os
from datetime import date
from itertools import groupby
from typing import Optional

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.domain import workflow as wf
from app.extensions import db
from app.models import Activity, Employee
from app.security import log_refusal, refuse, scope_clause
from app.services import Forbidden, NotFound, ServiceError, ValidationFailed
from app.services import activities as svc
from app.formatting import format_date as format_short_date
from app.services.organisation import today_local
from app.views.activities import _flash_error

IMAGE_TYPES = {"png", "jpg", "jpeg"}
DECISION_DONE = {wf.APPROVE: "disetujui", wf.RETURN: "dikembalikan untuk diperbaiki", wf.REJECT: "ditolak"}
PAGE_SIZE = 40  # cards per page, grouped by employee (issue 11: 300 cards were a 656 KiB page)
PEOPLE_LIMIT = 200  # employees offered by the filter select (those with items in the queue)


def _time_range(item) -> str:
    if item.start_time is None or item.end_time is None:
        return ""
    return f"{item.start_time:%H.%M}–{item.end_time:%H.%M}"


def _evidence_kind(item) -> Optional[str]:
    if not item.evidence_file:
        return None
    ext = os.path.splitext(item.evidence_file)[1].lower().lstrip(".")
    return "image" if ext in IMAGE_TYPES else ("pdf" if ext == "pdf" else "file")


class QueueView(BaseView):
    """Antrean Persetujuan: cards per employee, approve one or several, return or reject with a note."""

    route_base = "/antrean"
    default_view = "index"

    # -- filters (query string on GET, hidden fields on POST)
    @staticmethod
    def _filters(source) -> dict:
        out = {}
        for key in ("pegawai", "atasan"):
            raw = (source.get(key) or "").strip()
            if raw.isdigit():
                out[key] = int(raw)
            elif raw:
                flash("Filter pegawai/atasan tidak dikenal dan diabaikan.", "warning")
        raw = (source.get("tanggal") or "").strip()
        if raw:
            try:
                out["tanggal"] = date.fromisoformat(raw)
            except ValueError:
                flash("Tanggal filter tidak valid (format TTTT-BB-HH) dan diabaikan.", "warning")
        raw = (source.get("halaman") or "").strip()
        if raw.isdigit() and int(raw) > 1:
            out["halaman"] = int(raw)
        elif raw and raw != "1":
            flash("Nomor halaman tidak valid dan diabaikan.", "warning")
        return out

    def _back(self):
        filters = self._filters(request.form)
        args = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items()}
        return redirect(url_for(".index", **args))

    @staticmethod
    def _queue(actor, today):
        q = select(Activity).where(svc.queue_clause(actor, today))
        clause = scope_clause(Activity)
        return q.where(clause) if clause is not None else q

    # -- page
    @expose("/")
    @has_access
    def index(self):
        return self._page(self._filters(request.args))

    def _page(self, filters: dict, note_error: Optional[tuple[int, str, list[str]]] = None, status: int = 200):
        """The queue; `note_error` = (activity id, the note typed, messages): that card's
        return/reject form is shown open with the note kept and the messages beside it."""
        actor = svc.current_actor()
        today = today_local()
        base = self._queue(actor, today)
        people = db.session.execute(
            select(Employee.id, Employee.name, Employee.nip)
            .where(Employee.id.in_(base.with_only_columns(Activity.employee_id).scalar_subquery()))
            .order_by(Employee.name).limit(PEOPLE_LIMIT)).all()
        q = base.options(joinedload(Activity.employee), joinedload(Activity.catalog))
        if "pegawai" in filters:
            q = q.where(Activity.employee_id == filters["pegawai"])
        if "atasan" in filters:
            q = q.where(Activity.superior_id == filters["atasan"])
        if "tanggal" in filters:
            q = q.where(Activity.date == filters["tanggal"])
        total = db.session.scalar(select(func.count()).select_from(
            q.with_only_columns(Activity.id).order_by(None).subquery())) or 0
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(filters.get("halaman", 1), pages)  # after decisions the last page may be gone
        if page > 1:
            filters = {**filters, "halaman": page}
        else:
            filters = {k: v for k, v in filters.items() if k != "halaman"}
        items = db.session.scalars(
            q.join(Employee, Employee.id == Activity.employee_id)
            .order_by(Employee.name, Employee.id, Activity.date, Activity.start_time, Activity.id)
            .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).unique().all()
        groups = [(emp, list(rows)) for emp, rows in groupby(items, key=lambda i: i.employee)]
        hidden = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items()}
        without_page = {k: v for k, v in hidden.items() if k != "halaman"}
        nav = {"page": page, "pages": pages,
               "prev": url_for(".index", **without_page, **({"halaman": page - 1} if page > 2 else {}))
               if page > 1 else None,
               "next": url_for(".index", **without_page, halaman=page + 1) if page < pages else None}
        return self.render_template(
            "queue/index.html", groups=groups, people=people, filters=filters, today=today,
            total=total, shown=len(items), nav=nav, fmt=format_short_date, time_range=_time_range,
            evidence_kind=_evidence_kind, overdue=lambda i: i.review_due is not None and i.review_due < today,
            escalated=lambda i: actor.employee_id is not None and i.superior_id != actor.employee_id
            and i.escalation_id == actor.employee_id, RETURN=wf.RETURN, REJECT=wf.REJECT,
            hidden=hidden,
            note_error=note_error), status

    # -- actions (CSRF: the app's CSRFProtect)
    def _decide_one(self, pk: int, action: str, note: Optional[str]):
        actor = svc.current_actor()
        raw_version = (request.form.get("version") or "").strip()
        version = int(raw_version) if raw_version.isdigit() else None
        try:
            item = svc.load_in_scope(pk, lock=True)
        except NotFound:
            db.session.rollback()
            refuse(404, "Activity", pk, "antrean persetujuan: di luar cakupan")
        try:
            svc.decide(item, action, actor, note, version)
            svc.commit_or_conflict()
            flash(f"Aktivitas {item.employee.name} tanggal {format_short_date(item.date)} "
                  f"{DECISION_DONE[action]}.", "success")
        except Forbidden as err:
            db.session.rollback()
            log_refusal(403, "Activity", pk, err.message)
            _flash_error(err)
        except ValidationFailed as err:
            db.session.rollback()
            if "note" in err.errors:  # the message goes beside the note, on the same queue
                return self._page(self._filters(request.form), (pk, note or "", err.errors["note"]), 422)
            _flash_error(err)
        except ServiceError as err:
            db.session.rollback()
            _flash_error(err)
        return self._back()

    @expose("/setujui/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("decide")
    def approve(self, pk):
        return self._decide_one(pk, wf.APPROVE, None)

    @expose("/putuskan/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("decide")
    def decide(self, pk):
        action = request.form.get("decision")
        if action not in (wf.RETURN, wf.REJECT):
            flash("Pilih kembalikan atau tolak.", "danger")
            return self._back()
        return self._decide_one(pk, action, request.form.get("note"))

    @expose("/setujui-terpilih", methods=["POST"])
    @has_access
    @permission_name("decide")
    def approve_selected(self):
        raw = request.form.getlist("ids")
        ids = [int(v) for v in raw if v.strip().isdigit()]
        if not ids or len(ids) != len(raw):
            flash("Pilih minimal satu aktivitas yang valid untuk disetujui.", "danger")
            return self._back()
        actor = svc.current_actor()
        result = svc.bulk(ids, lambda item: svc.decide(item, wf.APPROVE, actor), actor)
        if result.done:
            flash(f"{len(result.done)} aktivitas disetujui.", "success")
        for activity_id, reason in result.refused.items():
            flash(f"Aktivitas #{activity_id} tidak disetujui: {reason}", "danger")
        return self._back()
