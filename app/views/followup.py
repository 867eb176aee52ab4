"""Pages of the follow-up (Tindak Lanjut): BKD's rules, their candidates and decisions, the talent
box, the candidates for a vacant position and the potential assessments (entry and import).

Thin: every rule is in app.services.followup (scope: app.security.followup_scope_clause). BKD
decides and writes; Admin writes rules and potential scores; the Auditor reads the city and an
Operator OPD their OPD, read only. Forms post with the CSRF token; refusals are logged."""
from __future__ import annotations

import io
import json

from flask import current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField
from wtforms.validators import DataRequired, NumberRange

from app.domain import followup as FU
from app.domain import predikat as PR
from app.extensions import db
from app.imports.common import PREVIEW_FIRST_ROWS, UploadStore, csv_template, preview_slice
from app.imports.potential import COLUMNS as POTENTIAL_COLUMNS
from app.security import refuse
from app.services import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from app.services import followup as svc
from app.services.activities import current_actor
from app.views.imports import ImportFlowView

UPLOADS = UploadStore("MASTER_UPLOAD_FOLDER", "potential_uploads")
MAX_BYTES_DEFAULT = 5 * 1024 * 1024


def _year():
    try:
        return svc.parse_year(request.args.get("tahun"))
    except ValidationFailed:
        return svc.default_year()


def _refused(err: ServiceError, entity: str, pk=None):
    """Forbidden -> 403, NotFound -> 404 (logged)."""
    refuse(err.status if err.status in (403, 404) else 404, entity, pk, err.message)


def _flash_errors(err: ServiceError) -> None:
    messages = err.errors.values() if isinstance(err, ValidationFailed) else [[err.message]]
    for msgs in messages:
        for m in msgs:
            flash(m, "danger")


def _common():
    return {"kind_labels": FU.KIND_LABELS, "predikat_labels": PR.PREDIKAT_LABELS,
            "predikat_order": PR.PREDIKAT_ORDER, "decision_labels": FU.DECISION_LABELS}


class FollowupView(BaseView):
    """Tindak Lanjut: rules of the year, candidates of a rule with the decision form, decisions."""

    route_base = "/tindak-lanjut"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        actor = current_actor()
        year = _year()
        try:
            rules = svc.list_rules(actor, year)
        except Forbidden as err:
            _refused(err, "FollowupRule")
        return self.render_template("followup/rules.html", rules=rules, year=year, can_write=svc.can_write(actor),
                                    codes={r.id: json.loads(r.predikat) for r in rules}, **_common())

    def _rule_form(self, rule=None, values=None, errors=None):
        values = values or (svc.rule_values(rule) if rule is not None else {
            "year": _year(), "kind": FU.KIND_REWARD, "predikat": [], "min_periods": 2, "active": True})
        return self.render_template("followup/rule_form.html", rule=rule, values=values, errors=errors or {},
                                    **_common())

    @staticmethod
    def _posted_rule() -> dict:
        form = request.form
        return {"year": form.get("year"), "code": form.get("code"), "name": form.get("name"),
                "kind": form.get("kind"), "predikat": form.getlist("predikat"),
                "min_periods": form.get("min_periods"), "action": form.get("action"),
                "active": form.get("active") == "y"}

    @expose("/aturan/baru", methods=["GET", "POST"])
    @has_access
    @permission_name("manage")
    def rule_add(self):
        actor = current_actor()
        if not svc.can_write(actor):
            refuse(403, "FollowupRule", None, svc.MSG_NO_WRITE)
        if request.method == "GET":
            return self._rule_form()
        values = self._posted_rule()
        try:
            rule = svc.create_rule(values, actor)
            db.session.commit()
        except ValidationFailed as err:
            db.session.rollback()
            return self._rule_form(values=values, errors=err.errors), 422
        except Forbidden as err:
            db.session.rollback()
            _refused(err, "FollowupRule")
        except ServiceError as err:
            db.session.rollback()
            _flash_errors(err)
            return self._rule_form(values=values), err.status
        flash(f"Aturan {rule.code} tahun {rule.year} disimpan.", "success")
        return redirect(url_for(".index", tahun=rule.year))

    @expose("/aturan/<int:pk>/ubah", methods=["GET", "POST"])
    @has_access
    @permission_name("manage")
    def rule_edit(self, pk):
        actor = current_actor()
        try:
            if not svc.can_write(actor):
                raise Forbidden(svc.MSG_NO_WRITE)
            rule = svc.get_rule(pk, actor)
        except (Forbidden, NotFound) as err:
            _refused(err, "FollowupRule", pk)
        if request.method == "GET":
            return self._rule_form(rule)
        values = self._posted_rule()
        try:
            svc.update_rule(pk, values, actor)
            db.session.commit()
        except ValidationFailed as err:
            db.session.rollback()
            return self._rule_form(svc.get_rule(pk, actor), values=values, errors=err.errors), 422
        except ServiceError as err:
            db.session.rollback()
            _flash_errors(err)
            return redirect(url_for(".rule_edit", pk=pk))
        flash("Aturan tindak lanjut diperbarui.", "success")
        return redirect(url_for(".index", tahun=values.get("year")))

    @expose("/aturan/<int:pk>/hapus", methods=["POST"])
    @has_access
    @permission_name("manage")
    def rule_delete(self, pk):
        actor = current_actor()
        try:
            rule = svc.get_rule(pk, actor)
            year = rule.year
            svc.delete_rule(pk, actor)
            db.session.commit()
        except (Forbidden, NotFound) as err:
            db.session.rollback()
            _refused(err, "FollowupRule", pk)
        except ServiceError as err:
            db.session.rollback()
            _flash_errors(err)
            return redirect(url_for(".index"))
        flash("Aturan tindak lanjut dihapus.", "success")
        return redirect(url_for(".index", tahun=year))

    @expose("/aturan/<int:pk>/kandidat")
    @has_access
    @permission_name("index")
    def candidates(self, pk):
        actor = current_actor()
        try:
            rule, rows = svc.candidates(pk, actor)
        except (Forbidden, NotFound) as err:
            _refused(err, "FollowupRule", pk)
        return self.render_template("followup/candidates.html", rule=rule, rows=rows,
                                    can_decide=svc.can_decide(actor), **_common())

    @expose("/aturan/<int:pk>/putuskan", methods=["POST"])
    @has_access
    @permission_name("decide")
    def decide(self, pk):
        actor = current_actor()
        form = request.form
        try:
            svc.decide(pk, form.get("employee_id"), form.get("period"), form.get("decision"), form.get("note"),
                       actor)
            db.session.commit()
        except (Forbidden, NotFound) as err:
            db.session.rollback()
            _refused(err, "FollowupDecision", form.get("employee_id"))
        except (ValidationFailed, Conflict) as err:
            db.session.rollback()
            _flash_errors(err)
            return redirect(url_for(".candidates", pk=pk))
        flash("Keputusan tindak lanjut dicatat.", "success")
        return redirect(url_for(".candidates", pk=pk))

    @expose("/keputusan")
    @has_access
    @permission_name("index")
    def decisions(self):
        actor = current_actor()
        year = _year()
        try:
            rows = svc.list_decisions(actor, year)
        except Forbidden as err:
            _refused(err, "FollowupDecision")
        return self.render_template("followup/decisions.html", rows=rows, year=year, **_common())


class _YearSelectionView(BaseView):
    """A read-only page of the year (?tahun=) and one optional selection (?<param>=): the talent
    box of an OPD, the candidates of a vacant position. A refusal of the selection is logged."""

    default_view = "index"
    entity = ""
    param = ""
    template = ""

    def _context(self, actor, year: int, selected) -> dict:
        """What the template shows besides the year (may raise Forbidden / NotFound)."""
        raise NotImplementedError

    @expose("/")
    @has_access
    def index(self):
        actor = current_actor()
        year = _year()
        selected = request.args.get(self.param) or None
        try:
            context = self._context(actor, year, selected)
        except (Forbidden, NotFound) as err:
            _refused(err, self.entity, selected)
        return self.render_template(self.template, year=year, **context)


class TalentBoxView(_YearSelectionView):
    """Kotak Talenta: the 3x3 grid of an OPD or the city; a count opens the names in that box."""

    route_base = "/kotak-talenta"
    entity = "TalentBox"
    param = "opd"
    template = "followup/talent_box.html"

    def _context(self, actor, year, opd):
        box = svc.talent_box(actor, year, opd)
        choices = svc.opd_choices(actor)
        selected = request.args.get("kotak", "")
        shown = int(selected) if selected in {str(b) for b in range(1, 10)} else None
        return dict(box=box, choices=choices, city=svc.is_city_wide(actor), grid=FU.GRID, names=FU.BOX_NAMES,
                    advice=FU.BOX_ADVICE, levels=FU.LEVELS_OF_BOX, level_labels=FU.LEVEL_LABELS, shown=shown,
                    show_unplaced=selected == "belum", limits=svc.thresholds(year))


class VacancyView(_YearSelectionView):
    """Kandidat Jabatan Lowong: choose a vacant position, see the eligible employees ranked."""

    route_base = "/jabatan-lowong"
    entity = "Position"
    param = "jabatan"
    template = "followup/vacancy.html"

    def _context(self, actor, year, pid):
        positions = svc.vacant_positions(actor)
        result = None
        if pid:
            try:
                result = svc.vacancy_candidates(pid, actor, year)
            except ValidationFailed as err:
                _flash_errors(err)
        return dict(positions=positions, result=result, selected=pid, box_label=FU.box_label)


class UploadForm(FlaskForm):
    year = IntegerField("Tahun asesmen", validators=[
        DataRequired(message="Tahun wajib diisi."),
        NumberRange(min=svc.YEAR_MIN, max=svc.YEAR_MAX, message="Tahun harus antara 2000 dan 2100.")])
    file = FileField("Berkas nilai potensi (.xlsx atau .csv)",
                     validators=[FileRequired(message="Pilih berkas nilai potensi yang akan diunggah.")])


class PotentialView(ImportFlowView):
    """Nilai Potensi: the year's assessments, BKD's entry form and the import (preview, then all
    or nothing, through app.views.imports.ImportFlowView)."""

    route_base = "/nilai-potensi"
    entity = "PotentialAssessment"
    default_filename = "nilai-potensi"
    uploads = UPLOADS
    service = svc
    upload_form = UploadForm

    def _max_bytes(self) -> int:
        return int(current_app.config.get("POTENTIAL_IMPORT_MAX_BYTES", MAX_BYTES_DEFAULT))

    def _page(self, form=None, year=None, values=None, errors=None):
        actor = current_actor()
        year = year or _year()
        try:
            rows = svc.list_potential(actor, year)
        except Forbidden as err:
            _refused(err, "PotentialAssessment")
        form = form or UploadForm(formdata=None, year=year)
        return self.render_template(
            "followup/potential.html", rows=rows, year=year, form=form, can_write=svc.can_write(actor),
            values=values or {"year": year}, errors=errors or {}, columns=POTENTIAL_COLUMNS,
            max_mb=self._max_bytes() // (1024 * 1024), limits=svc.thresholds(year))

    def _render_form(self, form):
        year = form.year.data if isinstance(form.year.data, int) else None
        return self._page(form, year)

    def _render_preview(self, preview, token=None):
        shown, hidden_rows, hidden_errors = preview_slice(preview.rows())
        return self.render_template(
            "followup/potential_preview.html", preview=preview, counts=preview.counts, rows=shown,
            hidden_rows=hidden_rows, hidden_errors=hidden_errors, first_rows=PREVIEW_FIRST_ROWS,
            action_labels=svc.ACTION_LABELS, token=token if preview.ok else None,
            confirm_form=self._blank_confirm_form(token))

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    def _preview(self, form, filename, data, actor):
        return svc.preview_import(filename, data, actor, form.year.data)

    def _upload_meta(self, form, filename):
        return {"filename": filename, "year": form.year.data}

    def _import(self, meta, data, actor):
        return svc.import_potential(meta["filename"], data, actor, meta["year"])

    def _done(self, result):
        flash(f"Nilai potensi tahun {result.preview.year} diimpor ({result.summary()}).", "success")
        return redirect(url_for(".index", tahun=result.preview.year))

    @expose("/simpan", methods=["POST"])
    @has_access
    @permission_name("save")
    def save(self):
        actor = current_actor()
        form = request.form
        values = {"nip": form.get("nip"), "year": form.get("year"), "score": form.get("score"),
                  "assessed_on": form.get("assessed_on"), "source": form.get("source")}
        try:
            row = svc.set_potential(values, actor)
            db.session.commit()
        except Forbidden as err:
            db.session.rollback()
            _refused(err, self.entity)
        except ValidationFailed as err:
            db.session.rollback()
            try:
                year = svc.parse_year(values["year"])
            except ValidationFailed:
                year = None
            return self._page(year=year, values=values, errors=err.errors), 422
        flash(f"Nilai potensi {row.employee.full_name} tahun {row.year} disimpan.", "success")
        return redirect(url_for(".index", tahun=row.year))

    @expose("/templat")
    @has_access
    def template(self):
        data = csv_template(list(POTENTIAL_COLUMNS), [["199001012015011001", "Contoh Pegawai", "75.5", "2026-03-01",
                                                       "Asesmen kompetensi BKD"]])
        return send_file(io.BytesIO(data), mimetype="text/csv; charset=utf-8", as_attachment=True,
                         download_name="templat-nilai-potensi.csv")
