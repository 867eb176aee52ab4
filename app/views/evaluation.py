"""Pages of the periodic evaluation, the organisation predikat, the distribution report, the TPP
table per kelas and the disciplinary sanctions. Thin: every rule is in app.services.evaluation."""
from __future__ import annotations

from datetime import timedelta

from flask import flash, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, DatePickerWidget, Select2Widget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField

from app.domain import predikat as PR
from app.domain import workflow as wf
from app.domain.distribution import ORG_PREDIKAT, ORG_PREDIKAT_LABELS
from app.domain.skp import ASPECT_LABELS, KIND_LABELS
from app.formatting import format_date, format_money, format_pct
from app.extensions import db
from app.models import Employee, Evaluation, OrgPredikat, Period, Sanction, TppRate
from app.params import to_id
from app.security import ROLE_ADMIN, ROLE_AUDITOR, ROLE_BKD, ROLE_OPERATOR, log_refusal, refuse, role_names
from app.services import Forbidden, ServiceError, ValidationFailed
from app.services import evaluation as svc
from app.services.activities import current_actor
from app.views.base import ScopedModelView, format_wib


def _label_of(mapping):
    return lambda value: mapping.get(value, value or "")


_fmt_date = format_date
_fmt_score = format_pct
_rupiah = format_money


def _select(label, choices, description=""):
    return SelectField(label, choices=list(choices), widget=Select2Widget(), description=description,
                       validate_choice=True)


RATING_CHOICES = [(r, PR.RATING_LABELS[r]) for r in PR.RATINGS]
rating_label = _label_of(PR.RATING_LABELS)
predikat_label = _label_of(PR.PREDIKAT_LABELS)
org_predikat_label = _label_of(ORG_PREDIKAT_LABELS)


def _period_from_request():
    """?period=<id>, else the latest OPEN period, else the latest period."""
    period = None
    period_id = to_id(request.args.get("period"))
    if period_id is not None:
        period = db.session.get(Period, period_id)
    if period is None:
        period = svc.latest_open_period()
    if period is None:
        period = db.session.scalar(select(Period).order_by(Period.year.desc(), Period.month.desc()).limit(1))
    return period


def _all_periods():
    return db.session.scalars(select(Period).order_by(Period.year.desc(), Period.month.desc())).all()


def _activities_url(employee_id: int, period) -> str:
    """The ActivityView list filtered by employee and the period's month."""
    first, last = svc.period_bounds(period)
    return (url_for("ActivityView.list") + f"?_flt_0_employee={employee_id}"
            f"&_flt_1_date={(first - timedelta(days=1)).isoformat()}&_flt_2_date={(last + timedelta(days=1)).isoformat()}")


def _perilaku_values_text(value) -> str:
    import json

    try:
        data = json.loads(value) if value else {}
    except ValueError:
        return value or ""
    return "; ".join(f"{PR.BERAKHLAK_LABELS.get(k, k)}: {PR.RATING_LABELS.get(v, v)}" for k, v in data.items())


# --------------------------------------------------------------------------- evaluation form
def _field_name(value: str) -> str:
    return value.lower()


def _build_form():
    attrs = {
        "rating_hasil_kerja": SelectField("Rating Hasil Kerja", choices=[("", "— pilih —")] + RATING_CHOICES,
                                          validate_choice=False),
        "rating_perilaku": SelectField(
            "Rating Perilaku", choices=[("", "Otomatis dari tujuh nilai BerAKHLAK")] + RATING_CHOICES,
            validate_choice=False,
            description="Kosongkan agar rating perilaku mengikuti nilai terbanyak dari tujuh nilai BerAKHLAK."),
        "note": TextAreaField("Catatan / Umpan Balik"),
    }
    for value in PR.BERAKHLAK_VALUES:
        attrs[_field_name(value)] = SelectField(PR.BERAKHLAK_LABELS[value], choices=[("", "— pilih —")] + RATING_CHOICES,
                                                validate_choice=False)
    return type("EvaluationForm", (FlaskForm,), attrs)


EvaluationForm = _build_form()
VALUE_FIELDS = [(_field_name(v), v) for v in PR.BERAKHLAK_VALUES]


class EvaluationView(ScopedModelView):
    """Penilaian periodik: evaluations in scope, the superior's page and the rating form."""

    datamodel = SQLAInterface(Evaluation)
    entity = "Evaluation"
    base_permissions = ["can_list", "can_show", "can_subordinates", "can_evaluate"]
    validate_forms = False
    list_title = "Penilaian Periodik"
    show_title = "Detail Penilaian Periodik"
    list_template = "evaluation_list.html"
    show_template = "evaluation_show.html"  # with the printable document (app/views/documents.py)
    list_columns = ["period", "employee", "work_score", "rating_hasil_kerja", "rating_perilaku", "predikat",
                    "evaluator", "evaluated_at"]
    show_fieldsets = [
        ("Penilaian", {"fields": ["employee", "period", "rating_hasil_kerja", "rating_perilaku", "perilaku_values",
                                  "predikat", "note"]}),
        ("Bukti Kinerja", {"fields": ["work_score", "suggested_hasil_kerja"]}),
        ("Penilai", {"fields": ["evaluator", "evaluated_by", "evaluated_at"]}),
    ]
    search_columns = ["period", "employee", "predikat", "rating_hasil_kerja", "rating_perilaku"]
    order_columns = ["work_score", "predikat", "evaluated_at"]
    base_order = ("evaluated_at", "desc")
    label_columns = {
        "employee": "Pegawai", "period": "Periode", "work_score": "Capaian Kinerja",
        "suggested_hasil_kerja": "Saran Rating Hasil Kerja", "rating_hasil_kerja": "Rating Hasil Kerja",
        "rating_perilaku": "Rating Perilaku", "perilaku_values": "Nilai BerAKHLAK", "predikat": "Predikat Kinerja",
        "note": "Catatan", "evaluator": "Penilai (Atasan)", "evaluated_by": "Disimpan Oleh",
        "evaluated_at": "Dinilai Pada",
    }
    formatters_columns = {
        "work_score": _fmt_score, "suggested_hasil_kerja": rating_label, "rating_hasil_kerja": rating_label,
        "rating_perilaku": rating_label, "predikat": predikat_label, "perilaku_values": _perilaku_values_text,
        "evaluated_at": format_wib,
    }
    search_form_query_rel_fields = ScopedModelView.scoped_rel("employee")

    def _refuse_employee(self, employee_id, detail):
        refuse(404, "Employee", employee_id, detail)

    @expose("/subordinates/")
    @has_access
    @permission_name("subordinates")
    def subordinates(self):
        actor = current_actor()
        period = _period_from_request()
        rows = []
        if period is not None:
            employees = svc.subordinates_for(actor, period)
            evidence = svc.work_evidence_many(employees, period)
            counts = svc.activity_counts([e.id for e in employees], period)
            existing = {}
            if employees:
                existing = {ev.employee_id: ev for ev in db.session.scalars(select(Evaluation).where(
                    Evaluation.period_id == period.id, Evaluation.employee_id.in_([e.id for e in employees])))}
            for emp in employees:
                c = counts.get(emp.id, {})
                rows.append(dict(employee=emp, evidence=evidence[emp.id], approved=c.get(wf.APPROVED, 0),
                                 submitted=c.get(wf.SUBMITTED, 0), evaluation=existing.get(emp.id),
                                 activities_url=_activities_url(emp.id, period)))
        thresholds = svc.params_service.score_params(period.year).rating_thresholds if period else None
        return self.render_template(
            "evaluation_subordinates.html", period=period, periods=_all_periods(), rows=rows, thresholds=thresholds,
            rating_label=rating_label, predikat_label=predikat_label, fmt_score=_fmt_score)

    @expose("/evaluate/<int:employee_id>/<int:period_id>", methods=["GET", "POST"])
    @has_access
    @permission_name("evaluate")
    def evaluate(self, employee_id, period_id):
        actor = current_actor()
        employee = db.session.get(Employee, employee_id)
        period = db.session.get(Period, period_id)
        if period is None:
            refuse(404, "Period", period_id, f"{request.method} {request.path}")
        if employee is None or not svc.may_evaluate(actor, employee, period):
            self._refuse_employee(employee_id, f"penilaian di luar cakupan: {request.method} {request.path}")
        existing = svc.evaluation_of(employee.id, period.id)
        evidence = svc.work_evidence(employee, period)
        counts = svc.activity_counts([employee.id], period).get(employee.id, {})
        form = EvaluationForm(request.form if request.method == "POST" else None)
        if request.method == "GET":
            if existing is not None:
                form.rating_hasil_kerja.data = existing.rating_hasil_kerja
                values = svc.perilaku_values_of(existing)
                for name, value in VALUE_FIELDS:
                    form[name].data = values.get(value, "")
                form.note.data = existing.note or ""
            else:
                form.rating_hasil_kerja.data = evidence.suggested
        saved = None
        if request.method == "POST" and form.validate():
            values = {value: form[name].data or "" for name, value in VALUE_FIELDS}
            try:
                saved = svc.evaluate(employee, period, actor, form.rating_hasil_kerja.data or None, values,
                                     form.note.data, form.rating_perilaku.data or None)
                db.session.commit()
                flash(f"Penilaian {employee.full_name} periode {period.label} disimpan. Predikat kinerja: "
                      f"{predikat_label(saved.predikat)}.", "success")
                existing = saved
            except Forbidden as err:
                db.session.rollback()
                log_refusal(403, self.entity, employee_id, err.message)
                flash(err.message, "danger")
            except ValidationFailed as err:
                db.session.rollback()
                fields = dict((v, n) for n, v in VALUE_FIELDS)
                for key, messages in err.errors.items():
                    target = form._fields.get(fields.get(key, key))
                    if target is not None:
                        target.errors = list(target.errors) + messages
                    else:
                        for m in messages:
                            flash(m, "danger")
            except ServiceError as err:
                db.session.rollback()
                flash(err.message, "danger")
        thresholds = svc.params_service.score_params(period.year).rating_thresholds
        return self.render_template(
            "evaluation_form.html", form=form, employee=employee, period=period, evidence=evidence,
            evaluation=existing, saved=saved, approved=counts.get(wf.APPROVED, 0),
            submitted=counts.get(wf.SUBMITTED, 0), activities_url=_activities_url(employee.id, period),
            thresholds=thresholds, value_fields=VALUE_FIELDS, rating_label=rating_label,
            predikat_label=predikat_label, fmt_score=_fmt_score, perilaku_values_text=_perilaku_values_text,
            closed=period.state != "OPEN", realisation=svc.skp_realisation(employee, period),
            aspects=ASPECT_LABELS, kinds=KIND_LABELS)


# --------------------------------------------------------------------------- organisation predikat
class OpdRootFilter(BaseFilter):
    """Only OPD roots (units without a parent) in the dropdown."""

    name = "OPD"
    arg_name = "opd_root"

    def apply(self, query, value):
        return query.filter(self.model.parent_id.is_(None), self.model.active.is_(True))


class OrgPredikatView(ScopedModelView):
    datamodel = SQLAInterface(OrgPredikat)
    entity = "OrgPredikat"
    list_title = "Predikat Organisasi per OPD"
    show_title = "Detail Predikat Organisasi"
    add_title = "Tetapkan Predikat Organisasi"
    edit_title = "Ubah Predikat Organisasi"
    list_columns = ["period", "unit", "predikat", "set_by", "set_at"]
    show_columns = ["unit", "period", "predikat", "set_by", "set_at"]
    add_columns = edit_columns = ["unit", "period", "predikat"]
    search_columns = ["period", "unit", "predikat"]
    base_order = ("set_at", "desc")
    label_columns = {"unit": "OPD", "period": "Periode", "predikat": "Predikat Organisasi", "set_by": "Ditetapkan Oleh",
                     "set_at": "Ditetapkan Pada"}
    description_columns = {
        "predikat": "Predikat pegawai di OPD ini harus sesuai dengan ketentuan distribusi (SE MenPAN-RB 3/2023).",
    }
    formatters_columns = {"predikat": org_predikat_label, "set_at": format_wib}
    add_form_extra_fields = edit_form_extra_fields = {
        "predikat": _select("Predikat Organisasi", [(c, ORG_PREDIKAT_LABELS[c]) for c in ORG_PREDIKAT]),
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "unit": ScopedModelView.scoped_rel("unit")["unit"] + [["id", OpdRootFilter, None]],
    }
    search_form_query_rel_fields = ScopedModelView.scoped_rel("unit")

    def validate_values(self, values, pk):
        return svc.validate_org_predikat(values, pk)

    def _stamp(self, item):
        item.set_by_id = current_actor().user_id
        item.set_at = svc._utcnow()

    def pre_add(self, item):
        super().pre_add(item)
        self._stamp(item)

    def pre_update(self, item):
        super().pre_update(item)
        self._stamp(item)


# --------------------------------------------------------------------------- TPP table
class TppRateView(ScopedModelView):
    datamodel = SQLAInterface(TppRate)
    entity = "TppRate"
    list_title = "Tabel TPP per Kelas Jabatan"
    show_title = add_title = edit_title = "Besaran TPP per Kelas Jabatan"
    list_columns = show_columns = ["year", "kelas_jabatan", "amount"]
    add_columns = edit_columns = ["year", "kelas_jabatan", "amount"]
    search_columns = ["year", "kelas_jabatan"]
    order_columns = ["year", "kelas_jabatan", "amount"]
    base_order = ("kelas_jabatan", "desc")
    label_columns = {"year": "Tahun", "kelas_jabatan": "Kelas Jabatan", "amount": "Besaran TPP per Bulan"}
    description_columns = {"amount": "Rupiah utuh per bulan, tanpa titik pemisah ribuan (contoh: 4500000)."}
    formatters_columns = {"amount": _rupiah}
    add_form_extra_fields = edit_form_extra_fields = {
        "year": IntegerField("Tahun", widget=BS3TextFieldWidget()),
        "kelas_jabatan": IntegerField("Kelas Jabatan (1–17)", widget=BS3TextFieldWidget()),
        "amount": IntegerField("Besaran TPP per Bulan (Rp)", widget=BS3TextFieldWidget()),
    }

    def validate_values(self, values, pk):
        return svc.validate_tpp_rate(values, pk)


# --------------------------------------------------------------------------- sanctions
class ActiveEmployeeFilter(BaseFilter):
    name = "Aktif"
    arg_name = "active_employee"

    def apply(self, query, value):
        return query.filter(self.model.active.is_(True))


class SanctionView(ScopedModelView):
    datamodel = SQLAInterface(Sanction)
    entity = "Sanction"
    list_title = "Hukuman Disiplin"
    show_title = add_title = edit_title = "Hukuman Disiplin"
    list_columns = ["employee", "percent", "valid_from", "valid_to", "reason"]
    show_columns = add_columns = edit_columns = ["employee", "percent", "valid_from", "valid_to", "reason"]
    search_columns = ["employee", "valid_from", "valid_to"]
    base_order = ("valid_from", "desc")
    label_columns = {"employee": "Pegawai", "percent": "Potongan TPP", "valid_from": "Berlaku Mulai",
                     "valid_to": "Berlaku Sampai", "reason": "Dasar / Alasan"}
    description_columns = {"percent": "Persentase potongan TPP selama hukuman berlaku (lebih dari 0, paling banyak 100)."}
    formatters_columns = {"percent": _fmt_score, "valid_from": _fmt_date, "valid_to": _fmt_date}
    add_form_extra_fields = edit_form_extra_fields = {
        "percent": DecimalField("Potongan TPP (%)", places=2, widget=BS3TextFieldWidget()),
        "valid_from": DateField("Berlaku Mulai", widget=DatePickerWidget(), format="%Y-%m-%d"),
        "valid_to": DateField("Berlaku Sampai", widget=DatePickerWidget(), format="%Y-%m-%d"),
        "reason": StringField("Dasar / Alasan", widget=BS3TextFieldWidget()),
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "employee": ScopedModelView.scoped_rel("employee")["employee"] + [["id", ActiveEmployeeFilter, None]],
    }
    search_form_query_rel_fields = ScopedModelView.scoped_rel("employee")

    def validate_values(self, values, pk):
        return svc.validate_sanction(values, pk)


# --------------------------------------------------------------------------- distribution report
class DistributionReportView(BaseView):
    """Distribusi predikat per OPD against its organisation predikat (Operator OPD: own OPD;
    BKD, Admin, Auditor: all)."""

    route_base = "/distribution"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        period = _period_from_request()
        roles = role_names()
        if roles & {ROLE_ADMIN, ROLE_BKD, ROLE_AUDITOR}:
            opd_ids = None
        elif ROLE_OPERATOR in roles and current_actor().opd_id is not None:
            opd_ids = [current_actor().opd_id]
        else:
            opd_ids = []
        rows = svc.distribution_report(period, opd_ids) if period is not None else []
        return self.render_template(
            "distribution_report.html", period=period, periods=_all_periods(), rows=rows,
            predikat_order=PR.PREDIKAT_ORDER, predikat_labels=PR.PREDIKAT_LABELS, fmt_pct=format_pct)
