"""SKP tahunan pages (issue 12 item 1, design section 9): the employee's "SKP Saya" (phone-first,
like Aktivitas Saya), the superior's "Persetujuan SKP", the read-only SKP detail with its
approval history and the strategic goals ("Sasaran Strategis").

Thin: every rule and every write comes from app.services.skp (workflow, plan and cascade
checks, planning window, frozen periods, goals), scope from app.security. A refused access
is answered 403/404 (logged by the service or here); a refused input comes back on the same
page with the Indonesian message next to its field; after every action the user is back on
the same page."""
from __future__ import annotations

from typing import Any, Optional

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.domain import skp as dom
from app.extensions import db
from app.security import current_employee, operator_opd_id, own_rows_clause, refuse, role_names, scope_clause
from app.services import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from app.services import skp as svc
from app.services.organisation import today_local

LIST_PAGE = 50
MSG_YEAR = "Tahun tidak valid; pilih tahun dari daftar."
MSG_NO_EMPLOYEE = "Akun Anda tidak terhubung dengan data pegawai, sehingga tidak memiliki SKP."


class FailedForm:
    """The form that came back with errors: its key on the page, the values as typed and the
    messages per field (those of no field of the form are shown at its top)."""

    def __init__(self, key: str = "", data: Optional[dict] = None, errors: Optional[dict] = None,
                 fields: tuple = ()):
        self.key, self.data, self.errors, self.fields = key, dict(data or {}), dict(errors or {}), fields

    def is_(self, key: str) -> bool:
        return bool(self.key) and self.key == key

    def value(self, key: str, field: str, default: Any = "") -> Any:
        return self.data.get(field, default) if self.is_(key) else default

    def field_errors(self, key: str, field: str) -> list:
        return self.errors.get(field, []) if self.is_(key) else []

    def other_errors(self, key: str) -> list:
        if not self.is_(key):
            return []
        return [m for f, msgs in self.errors.items() if f not in self.fields for m in msgs]


def _asked_year() -> int:
    """The year asked for in ?tahun= (this year when none; a warning and this year when invalid)."""
    raw = request.args.get("tahun")
    year = dom.to_year(raw) if raw not in (None, "") else today_local().year
    if year is None:
        flash(MSG_YEAR, "warning")
        year = today_local().year
    return year


def _years(year: int) -> list[int]:
    """The years offered by the year selector: last, this and next year, and the one shown."""
    today = today_local()
    return sorted({today.year - 1, today.year, today.year + 1, year})


def _raw_num(value) -> str:
    """A target value as it goes back into a text input (decimal comma, no thousands mark)."""
    if value is None:
        return ""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _call(fn, *args, **kwargs):
    """Run a use case; 404/403 answered as such (the service logged them), a conflict flashed.
    Returns (result, errors): errors is the field -> messages of a ValidationFailed."""
    try:
        return fn(*args, **kwargs), None
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    except ValidationFailed as err:
        return None, err.errors
    except (Conflict, ServiceError) as err:
        flash(err.message, "danger")
        return None, {}


def _version() -> Optional[int]:
    return dom.to_id(request.form.get("version"))  # digits only (not '²'), else no version check


def _plan_rows(skp, planning: bool = False) -> list[dict]:
    """The RHK of an SKP as cards: kind, link (superior's RHK or OPD goal), indicators, and
    whether each is in force or frozen by a closed period."""
    frozen = svc.frozen_rhk_ids([r.id for r in skp.rhks])
    rows = []
    for rhk in skp.rhks:
        rows.append({"rhk": rhk, "kind": dom.KIND_LABELS.get(rhk.kind, rhk.kind),
                     "in_force": dom.in_force(rhk.approved_revision, skp.approved_revision),
                     "in_use": planning and svc.rhk_in_use(rhk, skp),
                     "frozen": rhk.id in frozen, "parent": rhk.parent, "goal": rhk.goal,
                     "indicators": list(rhk.indicators)})
    return rows


def _snapshot_rows(snapshot: Optional[dict]) -> list[dict]:
    """The approved plan of an SkpHistory snapshot, with the names of the RHK it intervenes in."""
    if not snapshot:
        return []
    from app.models import Rhk, StrategicGoal

    items = [r for r in snapshot.get("rhk", []) if r.get("active", True)]
    parent_ids = {r["parent_id"] for r in items if r.get("parent_id")}
    goal_ids = {r["goal_id"] for r in items if r.get("goal_id")}
    parents = dict(db.session.execute(select(Rhk.id, Rhk.name).where(Rhk.id.in_(parent_ids))).all()) \
        if parent_ids else {}
    goals = dict(db.session.execute(select(StrategicGoal.id, StrategicGoal.name)
                                    .where(StrategicGoal.id.in_(goal_ids))).all()) if goal_ids else {}
    rows = []
    for r in sorted(items, key=lambda r: (r["kind"] != "UTAMA", r["number"])):
        rows.append({"kind": dom.KIND_LABELS.get(r["kind"], r["kind"]), "number": r["number"], "name": r["name"],
                     "parent": parents.get(r.get("parent_id")), "goal": goals.get(r.get("goal_id")),
                     "indicators": [{"aspect": dom.ASPECT_LABELS.get(i["aspect"], i["aspect"]), "name": i["name"],
                                     "target": _decimal(i["target_value"]), "unit": i["target_unit"]}
                                    for i in r.get("indicators", [])]})
    return rows


def _decimal(text):
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        return None


def _history(skp) -> list[dict]:
    """Every approval of the SKP (SkpHistory), newest first, with its plan."""
    import json

    from app.models import SkpHistory

    rows = db.session.scalars(select(SkpHistory).where(SkpHistory.skp_id == skp.id)
                              .options(selectinload(SkpHistory.approved_by))
                              .order_by(SkpHistory.revision.desc())).all()
    return [{"revision": h.revision, "at": h.approved_at,
             "by": (h.approved_by.get_full_name() if h.approved_by else "") or "",
             "plan": _snapshot_rows(json.loads(h.snapshot))} for h in rows]


COMMON = {"raw_num": _raw_num,
          "aspects": dom.ASPECT_LABELS, "kinds": dom.KIND_LABELS, "status_label": dom.status_label}


# ============================================================================ SKP Saya
RHK_FIELDS = ("kind", "name", "parent_id", "goal_id")
IND_FIELDS = ("aspect", "name", "target_value", "target_unit")
# row kind in the URL -> (loader of app.services.skp, attributes from the row to its SKP)
_ROWS = {"skp": ("load_skp", ()), "rhk": ("load_rhk", ("skp",)), "indikator": ("load_indicator", ("rhk", "skp"))}
# (row kind, action) -> (use case of app.services.skp, posted fields, key of the form, message)
_CHANGES = {
    ("skp", "rhk"): ("add_rhk", RHK_FIELDS, "rhk-new", "RHK ditambahkan."),
    ("rhk", "ubah"): ("edit_rhk", RHK_FIELDS, "rhk-{pk}", "RHK diubah."),
    ("rhk", "hapus"): ("delete_rhk", None, "rhk-{pk}", "RHK dihapus."),
    ("rhk", "indikator"): ("add_indicator", IND_FIELDS, "ind-new-{pk}", "Indikator ditambahkan."),
    ("indikator", "ubah"): ("edit_indicator", IND_FIELDS, "ind-{pk}", "Indikator diubah."),
    ("indikator", "hapus"): ("delete_indicator", None, "ind-{pk}", "Indikator dihapus."),
}


class MySkpView(BaseView):
    """SKP Saya: the employee plans their own SKP of a year, submits it and revises it."""

    route_base = "/skp-saya"
    default_view = "index"
    base_permissions = ["can_index", "can_plan"]

    def _url(self, year: int):
        return url_for("MySkpView.index", tahun=year)

    def _own_skp(self, year: int):
        from app.models import Skp

        return db.session.scalar(select(Skp).where(own_rows_clause(Skp), Skp.year == year)
                                 .options(selectinload(Skp.rhks)))

    def _render(self, year: int, failed: Optional[FailedForm] = None, status: int = 200):
        actor = svc.current_actor()
        employee = current_employee()
        today = today_local()
        skp = self._own_skp(year) if employee is not None else None
        start, end = svc.skp_window(year)
        window_msg = dom.window_error(year, today, start, end)
        ctx = parents = goals = in_force = None
        may_plan = employee is not None and svc.may_plan(actor, employee) and employee.active
        editable = skp is not None and may_plan and dom.is_editable(skp.status)
        if skp is not None:
            ctx = svc.cascade_context(skp)
            if editable:
                parents = svc.parent_choices(skp)
                goals = svc.goal_choices(skp)
            if skp.approved_revision is not None and skp.status != dom.APPROVED:
                in_force = _snapshot_rows(svc.plan_in_force(skp))
        actions = dom.allowed_actions(skp.status) if skp is not None and may_plan else frozenset()
        html = self.render_template(
            "skp/mine.html", year=year, years=_years(year), today=today, skp=skp, employee=employee,
            window=(start, end), window_msg=window_msg, may_plan=may_plan, editable=editable, ctx=ctx,
            parents=parents or [], goals=goals or [], rows=_plan_rows(skp, editable) if skp is not None else [],
            in_force=in_force, can_submit=dom.SUBMIT in actions and (skp.approved_revision is not None
                                                                     or window_msg is None),
            can_revise=dom.REVISE in actions, failed=failed or FailedForm(), **COMMON)
        return html, status

    def _after(self, year: int, errors, key: str, fields: tuple, ok_message: str):
        """Back on the page: the message of success, or the form again with its errors (422)."""
        if errors:
            return self._render(year, FailedForm(key, request.form.to_dict(), errors, fields), status=422)
        if errors is None:
            flash(ok_message, "success")
        return redirect(self._url(year))

    @staticmethod
    def _values(fields: tuple) -> dict:
        return {f: request.form.get(f, "") for f in fields if f in request.form}

    @staticmethod
    def _year_of(row: str, pk: int) -> int:
        """The year of the SKP an SKP / RHK / indicator id belongs to (404, logged, if out of scope)."""
        loader, path = _ROWS[row]
        item, _ = _call(getattr(svc, loader), pk)
        for attr in path:
            item = getattr(item, attr)
        return item.year

    # ------------------------------------------------------------------ pages
    @expose("/")
    @has_access
    @permission_name("index")
    def index(self):
        year = _asked_year()
        if current_employee() is None:
            flash(MSG_NO_EMPLOYEE, "warning")
        return self._render(year)

    @expose("/buat", methods=["POST"])
    @has_access
    @permission_name("plan")
    def create(self):
        year = dom.to_year(request.form.get("tahun"))
        employee = current_employee()
        if employee is None:
            refuse(404, "Skp", None, "SKP Saya: akun tanpa data pegawai")
        if year is None:
            return self._render(today_local().year, FailedForm("create", {}, {"year": [dom.MSG_YEAR]}, ("year",)),
                                status=422)
        _, errors = _call(svc.create_skp, svc.current_actor(), employee.id, year)
        return self._after(year, errors, "create", ("year",), f"SKP tahun {year} dibuat sebagai draf. "
                                                              "Tambahkan rencana hasil kerja (RHK).")

    @expose("/<row>/<int:pk>/<action>", methods=["POST"])
    @has_access
    @permission_name("plan")
    def change(self, row, pk, action):
        """Add an RHK to an SKP, change or delete an RHK, add an indicator to an RHK, change or
        delete an indicator (_CHANGES: the use case, the posted fields, the form's key)."""
        spec = _CHANGES.get((row, action))
        if spec is None:
            refuse(404, "Skp", pk, f"SKP Saya: tindakan tidak dikenal {row}/{action}")
        use_case, fields, key, message = spec
        year = self._year_of(row, pk)
        args = (self._values(fields),) if fields else ()
        _, errors = _call(getattr(svc, use_case), svc.current_actor(), pk, *args)
        return self._after(year, errors, key.format(pk=pk), fields or (), message)

    @expose("/rhk/<int:pk>/aktif", methods=["POST"])
    @has_access
    @permission_name("plan")
    def set_active(self, pk):
        year = self._year_of("rhk", pk)
        active = request.form.get("active") == "1"
        _, errors = _call(svc.set_rhk_active, svc.current_actor(), pk, active)
        return self._after(year, errors, f"rhk-{pk}", (), "RHK diaktifkan kembali." if active else
                           "RHK dinonaktifkan; tetap berlaku sampai revisi disetujui.")

    @expose("/<int:skp_id>/ajukan", methods=["POST"])
    @has_access
    @permission_name("plan")
    def submit(self, skp_id):
        year = self._year_of("skp", skp_id)
        _, errors = _call(svc.submit, svc.current_actor(), skp_id, version=_version())
        return self._after(year, errors, "submit", (), "SKP diajukan kepada atasan langsung (pejabat penilai).")

    @expose("/<int:skp_id>/revisi", methods=["POST"])
    @has_access
    @permission_name("plan")
    def revise(self, skp_id):
        year = self._year_of("skp", skp_id)
        note = request.form.get("note")
        _, errors = _call(svc.start_revision, svc.current_actor(), skp_id, note=note, version=_version())
        return self._after(year, errors, "revise", ("note",),
                           "Revisi SKP dimulai. Rencana yang disetujui tetap berlaku sampai revisi disetujui.")


# ============================================================================ Persetujuan SKP
class SkpApprovalView(BaseView):
    """Persetujuan SKP: the submitted SKP waiting for the current user (subordinates' as the
    superior snapshot; at the top of the tree, BKD), approve or return with a note; the
    read-only detail of any SKP in scope with its approval history; the SKP list in scope."""

    route_base = "/persetujuan-skp"
    default_view = "index"
    base_permissions = ["can_index", "can_decide", "can_show"]

    def _queue(self):
        from app.models import Skp

        q = select(Skp).where(svc.approval_queue_clause(svc.current_actor()))
        clause = scope_clause(Skp)
        if clause is not None:
            q = q.where(clause)
        return db.session.scalars(q.options(selectinload(Skp.rhks), selectinload(Skp.employee))
                                  .order_by(Skp.submitted_at, Skp.id)).all()

    def _render(self, failed: Optional[FailedForm] = None, status: int = 200):
        items = [{"skp": s, "rows": _plan_rows(s)} for s in self._queue()]
        return self.render_template("skp/approval.html", items=items, failed=failed or FailedForm(),
                                    **COMMON), status

    @expose("/")
    @has_access
    @permission_name("index")
    def index(self):
        return self._render()

    @expose("/<int:pk>/setujui", methods=["POST"])
    @has_access
    @permission_name("decide")
    def approve(self, pk):
        skp, errors = _call(svc.approve, svc.current_actor(), pk, version=_version())
        if errors:
            return self._render(FailedForm(f"skp-{pk}", request.form.to_dict(), errors, ("note",)), status=422)
        if skp is not None:
            flash(f"SKP {skp.year} {skp.employee.name} disetujui.", "success")
        return redirect(url_for("SkpApprovalView.index"))

    @expose("/<int:pk>/kembalikan", methods=["POST"])
    @has_access
    @permission_name("decide")
    def return_(self, pk):
        skp, errors = _call(svc.return_skp, svc.current_actor(), pk, request.form.get("note", ""), version=_version())
        if errors:
            return self._render(FailedForm(f"skp-{pk}", request.form.to_dict(), errors, ("note",)), status=422)
        if skp is not None:
            flash(f"SKP {skp.year} {skp.employee.name} dikembalikan dengan catatan.", "success")
        return redirect(url_for("SkpApprovalView.index"))

    @expose("/<int:pk>")
    @has_access
    @permission_name("show")
    def show(self, pk):
        skp, _ = _call(svc.load_skp, pk)
        in_force = None
        if skp.approved_revision is not None and skp.status != dom.APPROVED:
            in_force = _snapshot_rows(svc.plan_in_force(skp))
        return self.render_template("skp/detail.html", skp=skp, rows=_plan_rows(skp), in_force=in_force,
                                    history=_history(skp), **COMMON)

    @expose("/daftar")
    @has_access
    @permission_name("show")
    def list(self):
        """The SKP of a year in the user's scope (own, subordinates', the OPD's, the city's), paged."""
        from app.models import Employee, Skp

        year = _asked_year()
        status = request.args.get("status") or ""
        if status not in dom.STATUSES:
            status = ""
        page = min(dom.to_id(request.args.get("hal")) or 1, 10_000)
        q = select(Skp).join(Employee, Employee.id == Skp.employee_id).where(Skp.year == year)
        clause = scope_clause(Skp)
        if clause is not None:
            q = q.where(clause)
        if status:
            q = q.where(Skp.status == status)
        total = db.session.scalar(select(func.count()).select_from(q.subquery())) or 0
        rows = db.session.scalars(q.options(selectinload(Skp.employee), selectinload(Skp.opd))
                                  .order_by(Employee.name, Skp.id)
                                  .offset((page - 1) * LIST_PAGE).limit(LIST_PAGE)).all()
        return self.render_template("skp/list.html", year=year, years=_years(year),
                                    status=status, statuses=dom.STATUS_LABELS, rows=rows, total=total, page=page,
                                    pages=max(1, -(-total // LIST_PAGE)), **COMMON)


# ============================================================================ Sasaran Strategis
class StrategicGoalView(BaseView):
    """Sasaran Strategis per year: the Wali Kota's (city) goals and each OPD's Renstra goals.
    BKD writes all, the Operator OPD their own OPD's (app.security.write_rule through
    app.services.skp); others with the page read."""

    route_base = "/sasaran-strategis"
    default_view = "index"
    base_permissions = ["can_index", "can_write"]

    FIELDS = ("code", "name", "indicator", "parent_id")

    def _opd_choice(self, raw: Optional[str]) -> Optional[int]:
        """The OPD shown: the operator's own; for city-wide roles the one asked for."""
        from app.models import Unit

        roles = role_names()
        if not roles & {"Admin", "BKD", "Auditor"}:
            return operator_opd_id()
        opd = dom.to_id(raw)
        if opd is None:
            return None
        exists = db.session.scalar(select(Unit.id).where(Unit.id == opd, Unit.parent_id.is_(None)))
        return exists

    def _url(self, year: int, opd: Optional[int]):
        return url_for("StrategicGoalView.index", tahun=year, opd=opd or None)

    def _render(self, year: int, opd: Optional[int], failed: Optional[FailedForm] = None, status: int = 200):
        from app.models import StrategicGoal, Unit
        from app.security import write_refusal

        city = db.session.scalars(select(StrategicGoal).where(StrategicGoal.year == year,
                                                              StrategicGoal.unit_id.is_(None))
                                  .order_by(StrategicGoal.code)).all()
        goals = db.session.scalars(select(StrategicGoal).where(StrategicGoal.year == year,
                                                               StrategicGoal.unit_id == opd)
                                   .options(selectinload(StrategicGoal.parent))
                                   .order_by(StrategicGoal.code)).all() if opd is not None else []
        roles = role_names()
        city_wide = bool(roles & {"Admin", "BKD", "Auditor"})
        opds = db.session.execute(select(Unit.id, Unit.code, Unit.name).where(
            Unit.parent_id.is_(None), Unit.active.is_(True)).order_by(Unit.code)).all() if city_wide else []
        opd_name = db.session.scalar(select(Unit.name).where(Unit.id == opd)) if opd is not None else None
        may_write = self.appbuilder.sm.has_access("can_write", "StrategicGoalView")
        can_city = may_write and write_refusal(StrategicGoal(year=year, unit_id=None, code="-", name="-")) is None
        can_opd = may_write and opd is not None and write_refusal(
            StrategicGoal(year=year, unit_id=opd, code="-", name="-")) is None
        can_params = self.appbuilder.sm.has_access("can_list", "ParameterView")
        html = self.render_template(
            "skp/goals.html", year=year, years=_years(year),
            opd=opd, opd_name=opd_name, opds=opds, city=city, goals=goals, city_wide=city_wide,
            can_city=can_city, can_opd=can_opd, failed=failed or FailedForm(), window=svc.skp_window(year),
            in_use={g.id for g in (*city, *goals) if (can_city or can_opd) and svc.goal_in_use(g.id)},
            requires_rhk=svc.requires_rhk(year), can_params=can_params, **COMMON)
        return html, status

    @expose("/")
    @has_access
    @permission_name("index")
    def index(self):
        year = _asked_year()
        return self._render(year, self._opd_choice(request.args.get("opd")))

    def _after(self, year, opd, errors, key, message):
        if errors:
            return self._render(year, opd, FailedForm(key, request.form.to_dict(), errors, self.FIELDS + ("year",)),
                                status=422)
        if errors is None:
            flash(message, "success")
        return redirect(self._url(year, opd))

    @expose("/tambah", methods=["POST"])
    @has_access
    @permission_name("write")
    def add(self):
        year = dom.to_year(request.form.get("tahun")) or today_local().year
        scope = request.form.get("lingkup")
        opd = None if scope == "kota" else dom.to_id(request.form.get("opd"))
        values = {f: request.form.get(f, "") for f in self.FIELDS}
        values.update(year=year, unit_id=opd, parent_id=values["parent_id"] or None if opd else None)
        _, errors = _call(svc.create_goal, svc.current_actor(), values)
        key = "goal-city" if opd is None else "goal-opd"
        return self._after(year, opd if opd is not None else self._opd_choice(request.form.get("opd")),
                           errors, key, "Sasaran strategis ditambahkan.")

    @expose("/<int:pk>/ubah", methods=["POST"])
    @has_access
    @permission_name("write")
    def edit(self, pk):
        goal, _ = _call(svc.load_goal, pk)
        year, opd = goal.year, goal.unit_id
        values = {f: request.form.get(f, "") for f in self.FIELDS if f in request.form}
        if "parent_id" in values:
            values["parent_id"] = values["parent_id"] or None
        _, errors = _call(svc.edit_goal, svc.current_actor(), pk, values)
        return self._after(year, opd, errors, f"goal-{pk}", "Sasaran strategis diubah.")

    @expose("/<int:pk>/hapus", methods=["POST"])
    @has_access
    @permission_name("write")
    def delete(self, pk):
        goal, _ = _call(svc.load_goal, pk)
        year, opd = goal.year, goal.unit_id
        _, errors = _call(svc.delete_goal, svc.current_actor(), pk)
        return self._after(year, opd, errors, f"goal-del-{pk}", "Sasaran strategis dihapus.")
