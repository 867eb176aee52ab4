"""Rekap kinerja dan TPP: the score page per OPD and period, each employee's "rincian"
(every number explained) and BKD's recompute button. Numbers come from the Recap rows
written by app.services.recap; the rincian recomputes them step by step (explain())."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import action, expose, has_access
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField

from app.domain.predikat import PREDIKAT_LABELS, RATING_LABELS
from app.extensions import db
from app.formatting import format_money, format_pct
from app.models import Period, Recap
from app.services import ServiceError
from app.views.base import EkListWidget, ScopedModelView, format_wib


_rupiah = format_money


def _pct(value) -> str:
    """Decimal('66.67') -> '66,67' (the page writes the % sign)."""
    return format_pct(value)[:-1]


def _param_rows(params: dict) -> list[tuple[str, str]]:
    """The parameters a recap used, as (Indonesian label, readable value) for the rincian page
    (the stored keys and Python reprs such as ['CUTI', 'DL'] or None meant nothing to a reader)."""
    from app.domain.parameters import DEFINITIONS

    def readable(value) -> str:
        if value is None:
            return "tanpa batas"
        if isinstance(value, dict):
            return ", ".join(f"{k}: {readable(v)}" for k, v in value.items()) or "—"
        if isinstance(value, list):
            if value and all(isinstance(b, list) and len(b) == 3 for b in value):
                return "; ".join(f"{lo}–{'…' if hi is None else hi} menit: {str(pct).replace('.', ',')}%"
                                 for lo, hi, pct in value)
            return ", ".join(readable(v) for v in value) or "tidak ada"
        return str(value)

    rows = []
    for key, value in params.items():
        if key == "holidays":
            label = "Hari libur bulan ini"
        else:
            # the input hint of the Parameter form ("[[min, maks, persen], ...]") is not for readers
            label = DEFINITIONS[key].label.split(" [[")[0] if key in DEFINITIONS else key
        rows.append((label, readable(value)))
    return rows


class RecomputeForm(FlaskForm):
    period = SelectField("Periode", coerce=int, widget=Select2Widget())


class CardListWidget(EkListWidget):
    """The light list whose rows become labelled cards on a phone (fits 390 px)."""

    template = "widgets/list_cards.html"


class RecapView(ScopedModelView):
    datamodel = SQLAInterface(Recap)
    entity = "Recap"
    base_permissions = ["can_list", "can_show", "can_rincian", "can_recompute", "rincian"]
    validate_forms = False
    list_widget = CardListWidget
    list_title = "Rekap Kinerja dan TPP"
    show_title = "Rekap Pegawai"
    list_columns = ["period", "nip", "name", "unit_name", "kelas_jabatan", "work_score", "predikat",
                    "deduction_pct", "net"]
    show_fieldsets = [
        ("Pegawai", {"fields": ["period", "nip", "name", "unit_name", "opd", "position_name", "kelas_jabatan",
                                "employee_kind", "golongan", "bank_account"]}),
        ("Capaian kinerja", {"fields": ["calendar_working_days", "reduced_days", "working_days", "target_minutes",
                                        "recognised_minutes", "work_score", "predikat"]}),
        ("TPP", {"fields": ["base_tpp", "performance_part", "deduction_pct", "discipline_part", "sanction_pct",
                            "gross", "tax", "health", "net"]}),
        ("Perhitungan", {"fields": ["computed_at"]}),
    ]
    search_columns = ["period", "opd", "unit", "nip", "name", "kelas_jabatan", "work_score", "predikat", "net"]
    order_columns = ["nip", "name", "unit_name", "kelas_jabatan", "work_score", "deduction_pct", "net"]
    base_order = ("name", "asc")
    label_columns = {
        "period": "Periode", "nip": "NIP", "name": "Nama", "unit_name": "Unit Kerja", "unit": "Unit Kerja",
        "opd": "OPD", "position_name": "Jabatan", "kelas_jabatan": "Kelas", "employee_kind": "Jenis Pegawai",
        "golongan": "Golongan", "bank_account": "Nomor Rekening", "calendar_working_days": "Hari Kerja Kalender",
        "reduced_days": "Hari Cuti/Sakit/DL", "working_days": "Hari Kerja Efektif", "target_minutes": "Target (menit)",
        "recognised_minutes": "Menit Diakui", "work_score": "Capaian Kinerja (%)", "predikat": "Predikat",
        "base_tpp": "TPP Dasar", "performance_part": "Bagian Kinerja", "deduction_pct": "Potongan Disiplin (%)",
        "discipline_part": "Bagian Disiplin", "sanction_pct": "Hukuman Disiplin (%)", "gross": "Bruto",
        "tax": "PPh 21", "health": "Iuran Kesehatan", "net": "TPP Diterima", "computed_at": "Dihitung Pada",
    }
    formatters_columns = {
        "work_score": _pct, "deduction_pct": _pct, "sanction_pct": _pct, "base_tpp": _rupiah,
        "performance_part": _rupiah, "discipline_part": _rupiah, "gross": _rupiah, "tax": _rupiah,
        "health": _rupiah, "net": _rupiah, "computed_at": format_wib,
        "predikat": lambda p: PREDIKAT_LABELS.get(p, p or "Belum dinilai"),
    }
    search_form_query_rel_fields = ScopedModelView.scoped_rel("opd", "unit")

    @action("rincian", "Rincian", "", "fa-search-plus", multiple=False)
    def rincian_action(self, item):
        return redirect(url_for(".rincian", pk=item.id))

    @expose("/rincian/<int:pk>")
    @has_access
    @permission_name("rincian")
    def rincian(self, pk):
        return self._rincian(self._scoped_item(pk))

    @expose("/rincian/<string:period>/<string:nip>")
    @has_access
    @permission_name("rincian")
    def rincian_by_nip(self, period, nip):
        """The same page addressed by period (YYYY-MM) and NIP: a link that never changes."""
        from app.services import NotFound
        from app.services.reports import find_period

        try:
            found = find_period(period)
        except NotFound:
            found = None
        pk = None if found is None else db.session.scalar(
            select(Recap.id).where(Recap.period_id == found.id, Recap.nip == nip.strip()))
        return self._rincian(self._scoped_item(pk if pk is not None else 0))

    def _rincian(self, row):
        from app.services.recap import explain

        detail = explain(row.employee_id, row.period.year, row.period.month)
        link = url_for(".rincian_by_nip", period=f"{row.period.year}-{row.period.month:02d}", nip=row.nip)
        return self.render_template("recap_rincian.html", d=detail, row=row, rupiah=_rupiah, pct=_pct,
                                    predikat_labels=PREDIKAT_LABELS, permalink=link,
                                    rating_labels=RATING_LABELS, param_rows=_param_rows(detail["params"]))

    @expose("/recompute/", methods=["GET", "POST"])
    @has_access
    @permission_name("recompute")
    def recompute(self):
        from app.models.periods import MONTH_NAMES
        from app.services.activities import current_actor
        from app.services.recap import recompute_period

        periods = db.session.scalars(select(Period).where(Period.state == "OPEN")
                                     .order_by(Period.year.desc(), Period.month.desc())).all()
        form = RecomputeForm(request.form if request.method == "POST" else None)
        form.period.choices = [(p.id, f"{MONTH_NAMES[p.month]} {p.year}") for p in periods]
        if request.method == "POST" and form.validate():
            period = db.session.get(Period, form.period.data)
            try:
                result = recompute_period(period.year, period.month, current_actor())
                db.session.commit()
                flash(result.summary(), "success")
                return redirect(url_for(".list"))
            except ServiceError as err:
                db.session.rollback()
                flash(err.message, "danger")
        return self.render_template("recap_recompute.html", form=form)
