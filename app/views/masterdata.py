"""Panel views of the master data. Thin: scope and validation come from the base class,
app.security and app.services.masterdata."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import action, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_wtf import FlaskForm
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, DatePickerWidget, Select2Widget
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.models.sqla.interface import SQLAInterface
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional as OptionalV

from app.domain.golongan import CPNS_ENTRY_GOLONGAN, PNS_GOLONGAN, PPPK_GOLONGAN
from app.domain.nip import EMPLOYEE_KIND_LABELS
from app.domain.positions import ESELONS, LEVELS_BY_KIND
from app.domain import parameters as P
from app.extensions import db
from app.formatting import format_date
from app.models import (
    ActivityCatalog, AuditLog, Employee, Holiday, Parameter, Period, Position, SubmitException, SuperiorOverride, Unit,
)
from app.models.employees import SEX_LABELS
from app.models.organisation import UNIT_KINDS
from app.models.periods import HOLIDAY_KINDS, MONTH_NAMES, PERIOD_STATES
from app.services import masterdata
from app.views.base import BLANK_CHOICE, ReadOnlyModelView, ScopedModelView, format_wib
from app.views.period_close import PeriodCloseMixin


class BlankableSelectField(SelectField):
    """A select whose first option is empty: an empty choice is the value None (FAB's
    SelectField refused it with "Pilihan tidak valid"); whether a value is required is the
    service validator's rule, shown next to the field."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] in ("", "__None"):
            self.data = None
            return
        super().process_formdata(valuelist)

    def process_data(self, value):
        if value is None or value == "":
            self.data = None
            return
        super().process_data(value)

    def pre_validate(self, form):
        if self.data is None:
            return
        super().pre_validate(form)


def _select(label, choices, description="", coerce=str, optional=False, blank=BLANK_CHOICE):
    """A Select2 dropdown; `optional`: with an empty first choice (value None)."""
    if optional:
        return BlankableSelectField(label, choices=[("", blank)] + list(choices), coerce=coerce,
                                    widget=Select2Widget(), description=description, validate_choice=True)
    return SelectField(label, choices=list(choices), coerce=coerce, widget=Select2Widget(),
                       description=description, validate_choice=True)


class BkdOnlyTextWidget(BS3TextFieldWidget):
    """A text input only BKD/Admin edit: read-only for everyone else (the service validator
    refuses a changed value anyway; a read-only input still posts the stored value)."""

    def __call__(self, field, **kwargs):
        from app.security import current_writer

        if not current_writer().is_bkd:
            kwargs["readonly"] = True
        return super().__call__(field, **kwargs)


def _label_of(mapping):
    return lambda value: mapping.get(value, value or "")


GOLONGAN_CHOICES = [(code, f"{code} - {pangkat}") for code, pangkat in PNS_GOLONGAN] + [
    (code, f"{code} (PPPK)") for code in PPPK_GOLONGAN
]
LEVEL_CHOICES = sorted({(lvl, lvl) for levels in LEVELS_BY_KIND.values() for lvl in levels})


class UnitView(ScopedModelView):
    datamodel = SQLAInterface(Unit)
    entity = "Unit"
    list_title = "Daftar Unit Kerja"
    show_title = "Detail Unit Kerja"
    add_title = "Tambah Unit Kerja"
    edit_title = "Ubah Unit Kerja"
    list_columns = ["code", "name", "kind", "parent.name", "workdays_per_week", "active"]
    show_columns = ["code", "name", "kind", "parent", "opd", "workdays_per_week", "active"]
    add_columns = edit_columns = ["code", "name", "kind", "parent", "workdays_per_week", "active"]
    search_columns = ["code", "name", "kind", "parent", "workdays_per_week", "active"]
    order_columns = ["code", "name", "kind", "workdays_per_week"]
    base_order = ("code", "asc")
    label_columns = {
        "code": "Kode", "name": "Nama Unit", "kind": "Jenis", "parent": "Unit Induk",
        "parent.name": "Unit Induk", "opd": "OPD", "workdays_per_week": "Hari Kerja/Minggu",
        "active": "Aktif",
    }
    formatters_columns = {"kind": _label_of(UNIT_KINDS)}
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": _select("Jenis", UNIT_KINDS.items()),
        "workdays_per_week": _select("Hari Kerja/Minggu", [(5, "5 hari"), (6, "6 hari")], coerce=int),
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = ScopedModelView.scoped_rel("parent")
    search_form_query_rel_fields = ScopedModelView.scoped_rel("parent")


class PositionView(ScopedModelView):
    datamodel = SQLAInterface(Position)
    entity = "Position"
    list_title = "Daftar Jabatan"
    show_title = "Detail Jabatan"
    add_title = "Tambah Jabatan"
    edit_title = "Ubah Jabatan"
    list_columns = ["name", "kind.name", "level", "eselon", "kelas_jabatan", "unit.name", "parent.name", "active"]
    show_columns = ["name", "kind", "level", "eselon", "kelas_jabatan", "unit", "parent", "active"]
    add_columns = edit_columns = ["name", "kind", "level", "eselon", "kelas_jabatan", "unit", "parent", "active"]
    search_columns = ["name", "kind", "level", "eselon", "kelas_jabatan", "unit", "active"]
    order_columns = ["name", "level", "eselon", "kelas_jabatan"]
    base_order = ("name", "asc")
    label_columns = {
        "name": "Nama Jabatan", "kind": "Jenis Jabatan", "kind.name": "Jenis Jabatan",
        "level": "Jenjang", "eselon": "Eselon", "kelas_jabatan": "Kelas Jabatan",
        "unit": "Unit Kerja", "unit.name": "Unit Kerja", "parent": "Jabatan Atasan",
        "parent.name": "Jabatan Atasan", "active": "Aktif",
    }
    description_columns = {"parent": "Jabatan atasan langsung dalam garis komando struktural."}
    add_form_extra_fields = edit_form_extra_fields = {
        "level": _select("Jenjang", LEVEL_CHOICES, optional=True,
                         description="Wajib untuk JPT dan jabatan fungsional."),
        "eselon": _select("Eselon", [(e, e) for e in ESELONS], optional=True),
        "kelas_jabatan": IntegerField("Kelas Jabatan", widget=BkdOnlyTextWidget(),
                                      validators=[OptionalV(), NumberRange(1, 17, "Kelas jabatan harus 1 sampai 17.")],
                                      description="Dasar TPP; diisi dan diubah hanya oleh BKD. Operator OPD "
                                                  "mengosongkannya untuk jabatan baru (TPP dasar 0 sampai BKD "
                                                  "menetapkan kelasnya)."),
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = ScopedModelView.scoped_rel("unit", "parent")
    search_form_query_rel_fields = ScopedModelView.scoped_rel("unit")


class EmployeeView(ScopedModelView):
    datamodel = SQLAInterface(Employee)
    entity = "Employee"
    list_title = "Daftar Pegawai"
    show_title = "Detail Pegawai"
    add_title = "Tambah Pegawai"
    edit_title = "Ubah Pegawai"
    list_columns = ["nip", "name", "kind", "golongan", "position.name", "unit.name", "active"]
    show_fieldsets = [
        ("Identitas", {"fields": ["nip", "front_title", "name", "back_title", "sex", "birth_date", "kind", "golongan"]}),
        ("Jabatan", {"fields": ["position", "unit", "superior", "active"]}),
        ("Rekening", {"fields": ["bank_name", "bank_account"]}),
    ]
    add_columns = edit_columns = [
        "nip", "front_title", "name", "back_title", "sex", "birth_date", "kind", "golongan",
        "unit", "position", "bank_name", "bank_account", "active",
    ]
    search_columns = ["nip", "name", "kind", "golongan", "position", "unit", "active"]
    order_columns = ["nip", "name", "kind", "golongan"]
    base_order = ("name", "asc")
    label_columns = {
        "nip": "NIP", "name": "Nama", "front_title": "Gelar Depan", "back_title": "Gelar Belakang",
        "sex": "Jenis Kelamin", "birth_date": "Tanggal Lahir", "kind": "Jenis Pegawai",
        "golongan": "Golongan", "position": "Jabatan", "position.name": "Jabatan",
        "unit": "Unit Kerja", "unit.name": "Unit Kerja", "bank_name": "Nama Bank",
        "bank_account": "Nomor Rekening", "active": "Aktif", "superior": "Atasan Langsung (hari ini)",
    }
    description_columns = {
        "nip": "18 digit: tanggal lahir, TMT CPNS, jenis kelamin, nomor urut.",
        "superior": "Ditentukan otomatis dari jabatan atasan atau atasan pengganti yang berlaku.",
    }
    formatters_columns = {"sex": _label_of(SEX_LABELS), "kind": _label_of(EMPLOYEE_KIND_LABELS)}
    add_form_extra_fields = edit_form_extra_fields = {
        "sex": _select("Jenis Kelamin", SEX_LABELS.items(), optional=True,
                       description="PNS/CPNS: boleh dikosongkan, diambil dari NIP (digit 15)."),
        "kind": _select("Jenis Pegawai", EMPLOYEE_KIND_LABELS.items(), optional=True),
        "golongan": _select("Golongan", GOLONGAN_CHOICES, optional=True,
                            description="CPNS: golongan awal " + ", ".join(CPNS_ENTRY_GOLONGAN) + ". PPPK: I–XVII."),
        "birth_date": DateField("Tanggal Lahir", widget=DatePickerWidget(), format="%Y-%m-%d",
                                validators=[OptionalV()],
                                description="PNS/CPNS: boleh dikosongkan, diambil dari NIP (digit 1-8)."),
        "nip": StringField("NIP", widget=BS3TextFieldWidget(), filters=[lambda v: v.strip() if v else v],
                           description="18 digit: tanggal lahir, TMT CPNS, jenis kelamin, nomor urut. Pegawai baru "
                                       "otomatis mendapat akun login (nama pengguna = NIP, peran Pegawai); kata "
                                       "sandi awalnya ditampilkan sekali setelah data disimpan."),
        # Looked up on demand (app.views.lookups): the Jabatan of the chosen Unit Kerja only.
        "unit": QuerySelectField("Unit Kerja", allow_blank=True, validators=[OptionalV()]),
        "position": QuerySelectField("Jabatan", allow_blank=True, validators=[OptionalV()],
                                     description="Hanya jabatan di unit kerja yang dipilih."),
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = ScopedModelView.scoped_rel("unit", "position")
    lookup_depends = {"position": "unit"}
    search_form_query_rel_fields = ScopedModelView.scoped_rel("unit", "position")

    def pre_add(self, item):
        g.ek_new_login = masterdata.before_employee_write(item, super().pre_add, new=True)

    def post_add(self, item):
        super().post_add(item)
        created = g.pop("ek_new_login", None)
        if created:
            flash(masterdata.LOGIN_NOTICE.format(nip=created[0], password=created[1]), "warning")

    def pre_update(self, item):
        masterdata.before_employee_write(item, super().pre_update, new=False)

    @action("deactivate", "Nonaktifkan", "Nonaktifkan pegawai terpilih?", "fa-user-slash", single=False)
    def deactivate(self, items):
        items = items if isinstance(items, list) else [items]
        count = masterdata.deactivate_employees(items)
        flash(f"{count} pegawai dinonaktifkan.", "success")
        self.update_redirect()
        return redirect(self.get_redirect())


class SuperiorOverrideView(ScopedModelView):
    datamodel = SQLAInterface(SuperiorOverride)
    entity = "SuperiorOverride"
    list_title = "Atasan Pengganti (Plt/Plh/khusus)"
    show_title = add_title = edit_title = "Atasan Pengganti"
    list_columns = ["employee", "superior", "valid_from", "valid_to", "reason"]
    show_columns = add_columns = edit_columns = ["employee", "superior", "valid_from", "valid_to", "reason"]
    search_columns = ["employee", "superior", "valid_from", "valid_to"]
    base_order = ("valid_from", "desc")
    label_columns = {
        "employee": "Pegawai", "superior": "Atasan Pengganti", "valid_from": "Berlaku Mulai",
        "valid_to": "Berlaku Sampai", "reason": "Alasan",
    }
    description_columns = {"valid_to": "Kosongkan bila belum ditentukan."}
    add_form_extra_fields = edit_form_extra_fields = {
        "valid_from": DateField("Berlaku Mulai", widget=DatePickerWidget(), format="%Y-%m-%d"),
        "valid_to": DateField("Berlaku Sampai", widget=DatePickerWidget(), format="%Y-%m-%d",
                              validators=[OptionalV()]),
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = ScopedModelView.scoped_rel("employee", "superior")
    search_form_query_rel_fields = ScopedModelView.scoped_rel("employee", "superior")


class ActivityCatalogView(ScopedModelView):
    datamodel = SQLAInterface(ActivityCatalog)
    entity = "ActivityCatalog"
    list_title = "Katalog Uraian Tugas"
    show_title = add_title = edit_title = "Uraian Tugas"
    list_columns = ["code", "description", "output_unit", "norm_minutes", "active"]
    show_columns = add_columns = edit_columns = [
        "code", "description", "output_unit", "norm_minutes", "allowed_kinds", "allowed_positions", "active",
    ]
    search_columns = ["code", "description", "output_unit", "allowed_kinds", "active"]
    base_order = ("code", "asc")
    label_columns = {
        "code": "Kode", "description": "Uraian Tugas", "output_unit": "Satuan Hasil",
        "norm_minutes": "Norma Waktu (menit)", "allowed_kinds": "Jenis Jabatan yang Boleh",
        "allowed_positions": "Jabatan yang Boleh", "active": "Aktif",
    }
    description_columns = {
        "allowed_kinds": "Kosongkan jenis dan jabatan bila uraian ini berlaku untuk semua jabatan.",
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "norm_minutes": IntegerField("Norma Waktu (menit)", widget=BS3TextFieldWidget(),
                                     validators=[NumberRange(1, 450, "Norma waktu harus antara 1 dan 450 menit.")]),
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = ScopedModelView.scoped_rel("allowed_positions")


class HolidayView(ScopedModelView):
    datamodel = SQLAInterface(Holiday)
    entity = "Holiday"
    list_title = "Kalender Hari Libur"
    show_title = add_title = edit_title = "Hari Libur"
    list_columns = show_columns = add_columns = edit_columns = ["date", "name", "kind"]
    search_columns = ["date", "name", "kind"]
    base_order = ("date", "desc")
    label_columns = {"date": "Tanggal", "name": "Keterangan", "kind": "Jenis"}
    formatters_columns = {"kind": _label_of(HOLIDAY_KINDS), "date": format_date}
    add_form_extra_fields = edit_form_extra_fields = {
        "date": DateField("Tanggal", widget=DatePickerWidget(), format="%Y-%m-%d"),
        "kind": _select("Jenis", HOLIDAY_KINDS.items()),
    }


class AuditLogView(ReadOnlyModelView):
    datamodel = SQLAInterface(AuditLog)
    entity = "AuditLog"
    list_title = "Log Audit"
    show_title = "Detail Log Audit"
    # Anonymous refusals are one row per address, kind and minute: `count` says how many.
    list_columns = ["at", "username", "ip", "entity", "entity_id", "action", "count", "detail"]
    show_columns = ["at", "username", "user_id", "ip", "entity", "entity_id", "action", "count", "before", "after",
                    "detail"]
    search_columns = ["at", "username", "ip", "entity", "entity_id", "action"]
    base_order = ("at", "desc")
    formatters_columns = {"at": format_wib}
    label_columns = {"at": "Waktu", "username": "Pengguna", "user_id": "ID Pengguna", "entity": "Entitas",
                     "entity_id": "ID Data", "action": "Tindakan", "before": "Sebelum", "after": "Sesudah",
                     "detail": "Keterangan", "ip": "Alamat IP", "count": "Jumlah"}


class ReopenForm(FlaskForm):
    reason = TextAreaField("Alasan Membuka Kembali", validators=[DataRequired(message="Alasan wajib diisi.")])


PARAM_CHOICES = [(d.key, f"{d.group}: {d.label}") for d in P.DEFINITIONS.values()]


def _param_label(key) -> str:
    d = P.DEFINITIONS.get(key)
    return d.label if d else key


class ParameterView(ScopedModelView):
    datamodel = SQLAInterface(Parameter)
    entity = "Parameter"
    list_title = "Parameter Tahunan"
    show_title = add_title = edit_title = "Parameter"
    list_columns = ["year", "key", "value", "updated_by", "updated_at"]
    show_columns = ["year", "key", "value", "updated_by", "updated_at"]
    add_columns = edit_columns = ["year", "key", "value"]
    search_columns = ["year", "key"]
    base_order = ("year", "desc")
    label_columns = {"year": "Tahun", "key": "Parameter", "value": "Nilai", "updated_by": "Diubah Oleh",
                     "updated_at": "Diubah Pada"}
    formatters_columns = {"key": _param_label, "updated_at": format_wib}
    description_columns = {
        "value": "Angka desimal memakai titik. Pita potongan: [[1, 30, 0.5], [31, 60, 1], ...]; "
                 "tarif pajak: {\"I\": 0, \"II\": 0, \"III\": 5, \"IV\": 15}. Tanpa baris, berlaku nilai bawaan: "
                 + "; ".join(f"{d.label} = {d.default}" for d in P.DEFINITIONS.values()),
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "year": IntegerField("Tahun", widget=BS3TextFieldWidget(),
                             validators=[NumberRange(2000, 2100, "Tahun harus antara 2000 dan 2100.")]),
        "key": _select("Parameter", PARAM_CHOICES),
        "value": StringField("Nilai", widget=BS3TextFieldWidget()),
    }

    def _normalise(self, item):
        from app.services.parameters import normalise
        from app.services.activities import current_actor

        normalise(item)
        item.updated_by_id = current_actor().user_id

    def pre_add(self, item):
        super().pre_add(item)
        self._normalise(item)

    def pre_update(self, item):
        super().pre_update(item)
        self._normalise(item)

    def _after_change(self, item):
        from app.extensions import db
        from app.services.parameters import after_change

        after_change(item.year, item.key)  # a new daily cap re-caps recognised minutes
        db.session.commit()

    def post_add(self, item):
        super().post_add(item)
        self._after_change(item)

    def post_update(self, item):
        super().post_update(item)
        self._after_change(item)


class SubmitExceptionView(ScopedModelView):
    datamodel = SQLAInterface(SubmitException)
    entity = "SubmitException"
    list_title = "Pengecualian Batas Pengajuan"
    show_title = add_title = edit_title = "Pengecualian Batas Pengajuan"
    list_columns = ["employee", "unit", "date_from", "date_to", "open_until", "reason"]
    show_columns = add_columns = edit_columns = ["employee", "unit", "date_from", "date_to", "open_until", "reason"]
    search_columns = ["employee", "unit", "date_from", "open_until"]
    base_order = ("open_until", "desc")
    label_columns = {"employee": "Pegawai", "unit": "Unit Kerja", "date_from": "Aktivitas Mulai Tanggal",
                     "date_to": "Aktivitas Sampai Tanggal", "open_until": "Boleh Diajukan Sampai", "reason": "Alasan"}
    description_columns = {"unit": "Isi pegawai atau unit (berlaku untuk seluruh pegawai unit/OPD tersebut)."}
    add_form_extra_fields = edit_form_extra_fields = {
        "date_from": DateField("Aktivitas Mulai Tanggal", widget=DatePickerWidget(), format="%Y-%m-%d"),
        "date_to": DateField("Aktivitas Sampai Tanggal", widget=DatePickerWidget(), format="%Y-%m-%d"),
        "open_until": DateField("Boleh Diajukan Sampai", widget=DatePickerWidget(), format="%Y-%m-%d"),
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = ScopedModelView.scoped_rel("employee", "unit")
    search_form_query_rel_fields = ScopedModelView.scoped_rel("employee", "unit")


class PeriodView(PeriodCloseMixin, ScopedModelView):
    """BKD opens a month (add), closes it (action) and reopens it with a reason; a period is
    never edited or deleted (a closed month is frozen)."""

    datamodel = SQLAInterface(Period)
    base_permissions = ["can_list", "can_show", "can_add", "can_reopen_period", "can_close_period"]
    entity = "Period"
    list_title = "Periode Penilaian"
    show_title = add_title = edit_title = "Periode"
    list_columns = ["year", "month", "state", "closed_by", "closed_at"]
    show_columns = ["year", "month", "state", "closed_by", "closed_at"]
    add_columns = ["year", "month"]
    edit_columns = ["year", "month"]
    search_columns = ["year", "month", "state"]
    base_order = ("year", "desc")
    label_columns = {"year": "Tahun", "month": "Bulan", "state": "Status", "closed_by": "Ditutup Oleh",
                     "closed_at": "Ditutup Pada"}
    formatters_columns = {"month": lambda m: MONTH_NAMES[m] if m else "", "state": _label_of(PERIOD_STATES),
                          "closed_at": format_wib}
    add_form_extra_fields = edit_form_extra_fields = {
        "year": IntegerField("Tahun", widget=BS3TextFieldWidget(),
                             validators=[NumberRange(2000, 2100, "Tahun harus antara 2000 dan 2100.")]),
        "month": _select("Bulan", [(i, MONTH_NAMES[i]) for i in range(1, 13)], coerce=int),
    }

    @action("open_reopen_form", "Buka Kembali", "", "fa-unlock", multiple=False)
    def open_reopen_form(self, item):
        return redirect(url_for(".reopen", pk=item.id))

    @expose("/reopen/<int:pk>", methods=["GET", "POST"])
    @has_access
    @permission_name("reopen_period")
    def reopen(self, pk):
        from app.services import ServiceError
        from app.services.activities import current_actor
        from app.services.periods import reopen_period
        from app.views.period_close import flash_service_error

        period = self._scoped_item(pk)
        form = ReopenForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            try:
                reopen_period(period, current_actor(), form.reason.data)
                db.session.commit()
                flash(f"Periode {period.label} dibuka kembali.", "success")
                return redirect(url_for(".list"))
            except ServiceError as err:
                db.session.rollback()
                flash_service_error(err)
        return self.render_template("period_reopen.html", form=form, period=period)


