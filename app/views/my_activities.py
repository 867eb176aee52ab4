"""Aktivitas Saya: the employee's own day on a phone (issue 10 item 2, design section 8).

Own rows only (app.security.own_rows_clause), every rule from app.services.activities:
entry rules (check_entry), the catalog allowed for the position (catalog_allowed), edits and
deletes (check_editable), submission (submit), evidence (check_evidence / store_evidence).
After an action the user is sent back to the same day."""
from __future__ import annotations

import os
import re
from datetime import date, time, timedelta
from typing import Optional

from flask import current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.domain import workflow as wf
from app.extensions import db
from app.models import Activity, ActivityCatalog, Rhk
from app.security import current_employee, log_refusal, own_rows_clause, refuse
from app.services import Forbidden, ServiceError, ValidationFailed
from app.services import activities as svc
from app.services import calendar as cal_service
from app.services import realisation as realisation_service
from app.formatting import format_date as format_short_date
from app.formatting import format_time as format_clock
from app.services.organisation import today_local
from app.views.activities import _flash_error

ENTITY = "Activity"
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.[a-z]{3,4}$")
MSG_DATE = "Tanggal tidak valid; gunakan pemilih tanggal."
MSG_TIME = "Jam tidak valid; gunakan pemilih jam (contoh 09.00)."
MSG_CATALOG = "Pilih uraian tugas dari daftar."


format_time = format_clock  # time(9, 0) -> "09.00" (app.formatting)


def _parse_day(raw: Optional[str]) -> Optional[date]:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def _parse_time(raw: Optional[str]) -> tuple[Optional[time], bool]:
    """(time or None, valid): an empty input is a valid None."""
    text = (raw or "").strip()
    if not text:
        return None, True
    try:
        return time.fromisoformat(text), True
    except ValueError:
        return None, False


def allowed_catalog(employee) -> list:
    """Active catalog items allowed for the employee's position (svc.catalog_allowed)."""
    if employee is None:
        return []
    items = db.session.scalars(
        select(ActivityCatalog).where(ActivityCatalog.active.is_(True))
        .options(selectinload(ActivityCatalog.allowed_kinds), selectinload(ActivityCatalog.allowed_positions))
        .order_by(ActivityCatalog.code)).all()
    return [c for c in items if svc.catalog_allowed(c, employee)]


def _pending_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="ek-pending-evidence")


class EntryForm:
    """The quick-entry form as typed, its errors, and a pending evidence file stored once."""

    FIELDS = ("date", "catalog_id", "description", "volume", "start_time", "end_time", "evidence_link", "rhk_id")

    def __init__(self, data: Optional[dict] = None):
        self.data = {k: "" for k in self.FIELDS}
        self.data["volume"] = "1"
        self.data.update({k: v for k, v in (data or {}).items() if k in self.FIELDS and v is not None})
        self.errors: dict[str, list[str]] = {}
        self.pending_token = ""
        self.pending_name = ""

    @classmethod
    def from_item(cls, item) -> "EntryForm":
        vol = item.volume
        return cls({
            "date": item.date.isoformat(), "catalog_id": str(item.catalog_id or ""),
            "description": "" if item.catalog_id and item.description == item.catalog.description
            else (item.description or ""),
            "volume": "" if vol is None else (f"{vol:f}".rstrip("0").rstrip(".") if "." in f"{vol:f}" else f"{vol:f}"),
            "start_time": item.start_time.strftime("%H:%M") if item.start_time else "",
            "end_time": item.end_time.strftime("%H:%M") if item.end_time else "",
            "evidence_link": item.evidence_link or "", "rhk_id": str(item.rhk_id or ""),
        })

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def values(self, employee) -> tuple[dict, Optional[ActivityCatalog]]:
        """The entry values for svc.check_entry (types parsed here, rules in the service)."""
        d = self.data
        day = _parse_day(d["date"])
        if day is None:
            self.add("date", MSG_DATE)
        catalog = None
        if d["catalog_id"].strip():
            try:
                catalog = db.session.get(ActivityCatalog, int(d["catalog_id"]))
            except ValueError:
                catalog = None
            if catalog is None:
                self.add("catalog", MSG_CATALOG)
        start, ok_start = _parse_time(d["start_time"])
        end, ok_end = _parse_time(d["end_time"])
        if not ok_start:
            self.add("start_time", MSG_TIME)
        if not ok_end:
            self.add("end_time", MSG_TIME)
        values = {"employee": employee, "date": day, "catalog": catalog, "description": d["description"],
                  "volume": d["volume"], "start_time": start, "end_time": end,
                  "evidence_link": d["evidence_link"].strip() or None}
        # The RHK of the approved SKP ("" = non-SKP work); its rules in svc.check_entry.
        raw_rhk = d["rhk_id"].strip()
        rhk = db.session.get(Rhk, int(raw_rhk)) if raw_rhk.isdigit() and len(raw_rhk) < 10 else None
        values.update(rhk=rhk, rhk_unknown=bool(raw_rhk) and rhk is None)
        return values, catalog

    # -- evidence kept across validation errors
    def take_pending(self, token: str) -> None:
        """A pending evidence file from an earlier attempt (signed: only this user's own)."""
        if not token:
            return
        try:
            user_id, stored, name = _pending_signer().loads(token)
        except (BadSignature, ValueError, TypeError):
            return
        from app.security import current_login

        login = current_login()
        folder = current_app.config["UPLOAD_FOLDER"]
        if (login is None or user_id != login.id or not _STORED_NAME.match(stored or "")
                or not os.path.exists(os.path.join(folder, stored))):
            return
        self.pending_token, self.pending_name = token, name
        self._pending = (stored, name)

    def pending(self) -> Optional[tuple[str, str]]:
        return getattr(self, "_pending", None)

    def keep(self, stored: str, name: str, user_id: int) -> None:
        self._pending = (stored, name)
        self.pending_name = name
        self.pending_token = _pending_signer().dumps([user_id, stored, name])


class MyActivitiesView(BaseView):
    """Aktivitas Saya: one day of one's own activities, quick entry, submit the day."""

    route_base = "/aktivitas-saya"
    default_view = "index"
    base_permissions = ["can_index", "can_add", "can_edit", "can_delete", "can_submit"]

    # ------------------------------------------------------------------ helpers
    def _day_url(self, day: Optional[date]):
        return url_for("MyActivitiesView.index", tanggal=(day or today_local()).isoformat())

    def _own_item(self, pk: int):
        """The user's own activity, or a logged 404 (a subordinate's row is not one's own)."""
        item = db.session.scalar(select(Activity).where(Activity.id == pk, own_rows_clause(Activity)))
        if item is None:
            refuse(404, ENTITY, pk, "Aktivitas Saya: bukan aktivitas sendiri atau tidak ada")
        return item

    @staticmethod
    def _allowed(item, actor, deleting: bool = False) -> bool:
        try:
            svc.check_editable(item, actor, deleting=deleting)
        except ServiceError:
            return False
        return True

    def _render(self, day: date, form: EntryForm, editing=None, status: int = 200):
        actor = svc.current_actor()
        employee = current_employee()
        items = db.session.scalars(
            select(Activity).where(own_rows_clause(Activity), Activity.date == day)
            .options(selectinload(Activity.catalog), selectinload(Activity.rhk))
            .order_by(Activity.start_time.is_(None), Activity.start_time, Activity.id)).all()
        cards = []
        for item in items:
            cards.append({
                "item": item, "status": wf.status_label(item.status),
                "can_edit": self._allowed(item, actor), "can_delete": self._allowed(item, actor, deleting=True),
            })
        may_enter = employee is not None and svc.may_enter_for(actor, employee) and not svc.inactive_errors(
            actor, employee)
        drafts = [c for c in cards if c["item"].status == wf.DRAFT and c["can_edit"]]
        catalog = allowed_catalog(employee) if may_enter else []
        # The RHK of the approved SKP of the form's year (none: no approved SKP, field hidden).
        form_day = _parse_day(form.data.get("date")) or day
        rhk_choices = realisation_service.rhk_in_force(employee.id, form_day.year) if may_enter else []
        today = today_local()
        html = self.render_template(
            "my_activities/index.html", day=day, today=today, prev_day=day - timedelta(days=1),
            next_day=day + timedelta(days=1) if day < today else None, cards=cards, form=form,
            editing=editing, catalog=catalog, may_enter=may_enter, drafts=drafts, rhk_choices=rhk_choices,
            rhk_year=form_day.year,
            fmt_date=format_short_date, fmt_time=format_time, period_state=cal_service.period_state(day),
            day_url=self._day_url)
        return html, status

    def _save(self, item, form: EntryForm):
        """Check and write one new or edited activity; returns a response."""
        actor = svc.current_actor()
        employee = current_employee()
        form.take_pending(request.form.get("pending_evidence", ""))
        values, catalog = form.values(employee)
        upload = request.files.get("evidence")
        has_upload = upload is not None and bool(upload.filename)
        if has_upload:
            try:
                svc.check_evidence(upload, current_app.config["EVIDENCE_MAX_BYTES"])
            except ValidationFailed as err:
                for f, msgs in err.errors.items():
                    for m in msgs:
                        form.add(f, m)
                has_upload = False
        errors, claimed = ({}, 0)
        if values["date"] is not None and "catalog" not in form.errors:
            errors, claimed = svc.check_entry(values, item.id if item is not None else None, actor)
        for f, msgs in errors.items():
            for m in msgs:
                form.add(f, m)
        if has_upload:
            # Stored once: kept as a pending reference if the form comes back with errors.
            stored, name = svc.store_evidence(upload, current_app.config["UPLOAD_FOLDER"],
                                              current_app.config["EVIDENCE_MAX_BYTES"])
            form.keep(stored, name, actor.user_id)
        day = values["date"] or (item.date if item is not None else today_local())
        if form.errors:
            db.session.rollback()
            return self._render(day, form, editing=item, status=422)
        new = item is None
        if new:
            item = Activity(employee=employee)
        with db.session.no_autoflush:
            item.date = values["date"]
            item.catalog = catalog
            item.description = (values["description"] or "").strip() or None
            item.volume = wf.to_volume(values["volume"])
            item.start_time, item.end_time = values["start_time"], values["end_time"]
            item.evidence_link = values["evidence_link"]
            item.rhk = values["rhk"]
            if form.pending():
                item.evidence_file, item.evidence_name = form.pending()
            svc.apply_entry(item, actor, claimed)
        if new:
            db.session.add(item)
        try:
            svc.commit_or_conflict()
        except ServiceError as err:
            flash(err.message, "danger")
            return redirect(self._day_url(day))
        if request.form.get("then") == "submit" and item.status in (wf.DRAFT, wf.RETURNED):
            # "Simpan & ajukan": saved, then submitted through the same use case as the day's button.
            self._submit([item.id])
            return redirect(self._day_url(item.date))
        flash("Aktivitas disimpan sebagai draf." if item.status == wf.DRAFT else "Perubahan aktivitas disimpan.",
              "success")
        return redirect(self._day_url(item.date))

    # ------------------------------------------------------------------ pages
    @expose("/")
    @has_access
    @permission_name("index")
    def index(self):
        raw = request.args.get("tanggal")
        day = _parse_day(raw) if raw else today_local()
        if day is None:
            flash(MSG_DATE, "warning")
            day = today_local()
        form = EntryForm({"date": day.isoformat()})
        return self._render(day, form)

    @expose("/catat", methods=["POST"])
    @has_access
    @permission_name("add")
    def add(self):
        return self._save(None, EntryForm(request.form.to_dict()))

    @expose("/ubah/<int:pk>", methods=["GET", "POST"])
    @has_access
    @permission_name("edit")
    def edit(self, pk):
        item = self._own_item(pk)
        actor = svc.current_actor()
        try:
            svc.check_editable(item, actor)
        except Forbidden as err:
            log_refusal(403, ENTITY, pk, err.message)
            flash(err.message, "danger")
            return redirect(self._day_url(item.date))
        except ServiceError as err:
            _flash_error(err)
            return redirect(self._day_url(item.date))
        if request.method == "POST":
            return self._save(item, EntryForm(request.form.to_dict()))
        return self._render(item.date, EntryForm.from_item(item), editing=item)

    @expose("/hapus/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("delete")
    def delete(self, pk):
        item = self._own_item(pk)
        day = item.date
        try:
            svc.delete(item, svc.current_actor())
            svc.commit_or_conflict()
            flash("Aktivitas dihapus.", "success")
        except ServiceError as err:
            db.session.rollback()
            if isinstance(err, Forbidden):
                log_refusal(403, ENTITY, pk, err.message)
            _flash_error(err)
        return redirect(self._day_url(day))

    @expose("/ajukan", methods=["POST"])
    @has_access
    @permission_name("submit")
    def submit_day(self):
        day = _parse_day(request.form.get("tanggal"))
        if day is None:
            flash(MSG_DATE, "danger")
            return redirect(self._day_url(None))
        ids = db.session.scalars(select(Activity.id).where(
            own_rows_clause(Activity), Activity.date == day, Activity.status == wf.DRAFT)).all()
        self._submit(ids)
        return redirect(self._day_url(day))

    @expose("/ajukan/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("submit")
    def submit_one(self, pk):
        item = self._own_item(pk)
        day = item.date
        self._submit([item.id])
        return redirect(self._day_url(day))

    @staticmethod
    def _submit(ids) -> None:
        if not ids:
            flash("Tidak ada draf untuk diajukan pada tanggal ini.", "warning")
            return
        actor = svc.current_actor()
        result = svc.bulk(ids, lambda item: svc.submit(item, actor), actor)
        if result.done:
            flash(f"{len(result.done)} aktivitas diajukan ke atasan.", "success")
        for _, reason in result.refused.items():
            flash(f"Aktivitas tidak dapat diajukan: {reason}", "danger")
