"""Base classes of the panel views: scope, validation, refusals and audit in one place."""
from __future__ import annotations


from flask import abort, flash, g, request
from flask_appbuilder import ModelView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.extensions import db
from app.formatting import format_datetime, format_value
from app.listing import BoundedCount, BoundedSQLAInterface  # noqa: F401 (BoundedCount: used by tests)
from app.security import log_refusal, refuse, scope_filters, write_refusal
from app.services import ValidationFailed
from app.services import masterdata
from app.views.lookups import LookupEndpointMixin, use_lookups
from app.views.widgets import EkListWidget
from app.views.return_to import ReturnToList

PAGE_SIZE_MAX = 100


def format_wib(value) -> str:
    """A naive UTC timestamp from the database, shown in WIB: '30 Nov 2026 09.00 WIB'."""
    return format_datetime(value)


def _with_domain_validation(view, form_cls):
    """Subclass a generated FAB form so validate() also runs the service validator and puts
    each message next to its field (the same validator the REST API calls)."""

    class ValidatedForm(form_cls):
        def validate(self, extra_validators=None):
            ok = super().validate(extra_validators)
            values = {}
            pk = None
            if g.get("ek_edit_pk") is not None:
                current = view.datamodel.get(g.ek_edit_pk, view._base_filters)
                if current is not None:
                    pk = current.id
                    values.update(masterdata.item_values(current))
            values.update({name: field.data for name, field in self._fields.items()})
            for key, value in list(values.items()):
                if isinstance(value, str):
                    values[key] = value.strip()
            errors = view.validate_values(values, pk)
            for field_name, messages in errors.items():
                field = self._fields.get(field_name)
                if getattr(field, "refused", False):
                    continue  # a posted id outside the lookup: its own message says why
                if field is not None:
                    field.errors = list(field.errors) + messages
                else:
                    for m in messages:
                        flash(m, "danger")
            return ok and not errors

    ValidatedForm.__name__ = form_cls.__name__
    return ValidatedForm


def display_value(value):
    """Empty for NULL, Ya/Tidak for booleans (FAB prints None/True/False), dates as
    '30 Nov 2026' and timestamps in WIB (app.formatting.format_value)."""
    return format_value(value)


def _with_default_formatters(view) -> dict:
    columns = set(view.list_columns or []) | set(view.show_columns or [])
    for _, spec in (view.show_fieldsets or []):
        columns |= set(spec.get("fields", []))
    formatters = dict(view.formatters_columns or {})
    for col in columns:
        formatters.setdefault(col, display_value)
    return formatters


def _unchecked_checkboxes_allowed(form_cls) -> None:
    """FAB marks the checkbox of a NOT NULL boolean column (Aktif) as required, so an
    unchecked box answered "Wajib diisi." and no form could switch a row off. An unchecked
    box is a valid False: drop the required validators of boolean fields."""
    from wtforms import BooleanField
    from wtforms.fields.core import UnboundField
    from wtforms.validators import DataRequired, InputRequired

    for name, unbound in list(vars(form_cls).items()):
        if not isinstance(unbound, UnboundField) or not issubclass(unbound.field_class, BooleanField):
            continue
        kept = [v for v in unbound.kwargs.get("validators") or []
                if not isinstance(v, (DataRequired, InputRequired))]
        setattr(form_cls, name, unbound.field_class(*unbound.args, **{**unbound.kwargs, "validators": kept}))


BLANK_CHOICE = "— pilih —"


def _blank_choice_labelled(form_cls) -> None:
    """FAB builds the dropdown of an optional relation (Jabatan Atasan, Unit Induk) with an
    empty blank option, which Select2 shows as its value "__None": label it "— pilih —"."""
    from flask_appbuilder.fields import QuerySelectField
    from wtforms.fields.core import UnboundField

    for name, unbound in list(vars(form_cls).items()):
        if (isinstance(unbound, UnboundField) and issubclass(unbound.field_class, QuerySelectField)
                and unbound.kwargs.get("allow_blank") and not unbound.kwargs.get("blank_text")):
            setattr(form_cls, name, unbound.field_class(*unbound.args,
                                                         **{**unbound.kwargs, "blank_text": BLANK_CHOICE}))


class ScopedModelView(ReturnToList, LookupEndpointMixin, ModelView):
    """A FAB ModelView whose every path (list, show, forms, dropdowns, actions) obeys the
    scope rules of app.security and whose forms run the service validators. Relation fields
    of large tables are looked up on demand (app.views.lookups) and list counts are bounded
    (BoundedSQLAInterface)."""

    entity: str = ""
    page_size = 25
    list_widget = EkListWidget
    validate_forms = True
    # A lookup offering only rows that belong to another field's choice: {"position": "unit"}.
    lookup_depends: dict = {}

    def __init__(self, **kwargs):
        self._lookups = {}
        if type(self.datamodel) is SQLAInterface:
            self.datamodel = BoundedSQLAInterface(self.datamodel.obj, self.datamodel._session)
            roots = {c.split(".")[0] for c in self.list_columns or []}
            self.datamodel.eager = tuple(sorted(r for r in roots if self.datamodel.is_relation_many_to_one(r)))
        self.base_filters = scope_filters() + self.extra_filters()
        self.formatters_columns = _with_default_formatters(self)
        super().__init__(**kwargs)

    @staticmethod
    def extra_filters() -> list:
        """Filters a view adds to the scope (e.g. the approval queue)."""
        return []

    @classmethod
    def scoped_rel(cls, *fields: str) -> dict:
        return {f: scope_filters() for f in fields}

    def validate_values(self, values: dict, pk) -> dict[str, list[str]]:
        """The service validator of this entity (the same one the API calls)."""
        return masterdata.validate(self.entity, values, pk)

    def _init_forms(self):
        super()._init_forms()
        use_lookups(self, self.add_form, "add")
        use_lookups(self, self.edit_form, "edit")
        use_lookups(self, self.search_form, "search")
        _unchecked_checkboxes_allowed(self.add_form)
        _unchecked_checkboxes_allowed(self.edit_form)
        _blank_choice_labelled(self.add_form)
        _blank_choice_labelled(self.edit_form)
        if self.validate_forms:
            self.add_form = _with_domain_validation(self, self.add_form)
            self.edit_form = _with_domain_validation(self, self.edit_form)

    # -- page size cap (FAB leaves psize_* unbounded)
    def _get_list_widget(self, *args, page_size=None, **kwargs):
        page_size = min(max(int(page_size or self.page_size), 1), PAGE_SIZE_MAX)
        return super()._get_list_widget(*args, page_size=page_size, **kwargs)

    # -- detail and form lookups: out of scope is 404, logged
    def _scoped_item(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            refuse(404, self.entity, pk, f"{request.method} {request.path}")
        return item

    def _show(self, pk):
        self._scoped_item(pk)
        return super()._show(pk)

    def _edit(self, pk):
        self._scoped_item(pk)
        g.ek_edit_pk = pk
        return super()._edit(pk)

    def _delete(self, pk):
        self._scoped_item(pk)
        return super()._delete(pk)

    # -- writes: the result must stay in scope; service rules decide deletes
    def _check_write(self, item):
        reason = write_refusal(item)
        if reason is not None:
            db.session.rollback()
            log_refusal(403, self.entity, getattr(item, "id", None), f"perubahan ditolak: {reason}")
            raise ValidationFailed({"_": [reason]})

    def pre_add(self, item):
        self._check_write(item)

    def pre_update(self, item):
        self._check_write(item)

    def pre_delete(self, item):
        try:
            masterdata.check_delete(item)
        except ValidationFailed:
            db.session.rollback()
            raise

    # -- actions: FAB loads their rows without base_filters; load them through scope
    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        if not self.is_get_mutation_allowed():
            return super().action(name, pk)
        self._scoped_item(self._deserialize_pk_if_composite(pk))
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        name = request.form.get("action", "")
        if name not in self.actions:
            abort(404)
        permission_name = self.get_action_permission_name(name)
        if not self.appbuilder.sm.has_access(permission_name, self.class_permission_name):
            refuse(403, self.entity, None, f"aksi {name} tanpa izin")
        items = []
        for pk in request.form.getlist("rowid"):
            item = self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters)
            if item is None:
                log_refusal(404, self.entity, pk, f"aksi {name} di luar cakupan")
            else:
                items.append(item)
        if not items:
            abort(404)
        skipped = len(request.form.getlist("rowid")) - len(items)
        if skipped:
            flash(f"{skipped} data di luar cakupan Anda diabaikan.", "warning")
        return self.actions[name].func(items)


class ReadOnlyModelView(ScopedModelView):
    base_permissions = ["can_list", "can_show"]
    validate_forms = False
