"""Relation lookups on demand: no page embeds the city's employees, positions, units or catalog.

A relation field of a large table (add/edit dropdowns and the list search widget of every
ScopedModelView) is rendered as a <select> holding only its current value; app/static/js/lookup.js
turns it into a Select2 box that asks `/<view>/lookup/<column>/<purpose>` page by page (20 rows,
searched by NIP, code or name). The endpoint and the validation of a posted id use exactly the
filters the dropdown used before (`add_form_query_rel_fields`, `edit_form_query_rel_fields`,
`search_form_query_rel_fields`, built in app.security): the scope is decided there only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from flask import g, jsonify, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.fields import QuerySelectField, QuerySelectMultipleField
from markupsafe import Markup, escape
from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload
from wtforms.fields.core import UnboundField
from wtforms.validators import StopValidation

from app.extensions import db
from app.security import log_refusal, refuse, scope_filters

BLANK_CHOICE = "— pilih —"
PAGE_SIZE = 20
MAX_PAGE = 1000
MAX_TERM = 100
PURPOSES = {"add": "can_add", "edit": "can_edit", "search": "can_list"}

# Related tables too large to embed; the others (golongan, kinds, periods, roles) stay <option>s.
# Per table: columns searched by prefix, columns searched inside, order, relations the label needs.
SEARCHABLE = {
    "Employee": (("nip",), ("name",), ("name", "id"), ()),
    "Position": ((), ("name",), ("name", "id"), ("unit",)),
    "Unit": (("code",), ("name",), ("code", "id"), ()),
    "ActivityCatalog": (("code",), ("description",), ("code", "id"), ()),
    "User": (("username",), ("first_name", "last_name"), ("username", "id"), ()),
    "Rhk": ((), ("name",), ("name", "id"), ()),
}

MSG_NOT_IN_SCOPE = "{label}: pilihan tidak ditemukan atau di luar cakupan Anda."
MSG_BAD_PAGE = "Halaman pencarian tidak valid: gunakan bilangan 1 sampai {max}."


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Lookup:
    """The rows one relation field of one view may offer (its filters come from app.security)."""

    view: Any
    column: str
    purpose: str
    depends: Optional[str] = None

    @property
    def model(self):
        return self.view.datamodel.get_related_model(self.column)

    def _filter_spec(self) -> list:
        configured = getattr(self.view, f"{self.purpose}_form_query_rel_fields", None) or {}
        spec = configured.get(self.column)
        return scope_filters() if spec is None else spec

    def query(self):
        """The related rows in scope (the same filters FAB's dropdown used)."""
        iface = self.view.datamodel.get_related_interface(self.column)
        filters = iface.get_filters().add_filter_list(self._filter_spec())
        query = filters.apply_all(db.session.query(self.model))
        loads = SEARCHABLE[self.model.__name__][3]
        return query.options(*[selectinload(getattr(self.model, rel)) for rel in loads]) if loads else query

    def _pk(self):
        return self.model.__mapper__.primary_key[0]

    def get_many(self, pks) -> list:
        ids = set()
        for pk in pks:
            try:
                ids.add(int(pk))
            except (TypeError, ValueError):
                return []
        if not ids:
            return []
        return self.query().filter(self._pk().in_(ids)).all()

    def search(self, term: str, page: int, depends_value: Optional[str] = None) -> tuple[list, bool]:
        prefix_cols, inside_cols, order, _ = SEARCHABLE[self.model.__name__]
        query = self.query()
        if self.depends:
            try:
                wanted = int(depends_value)
            except (TypeError, ValueError):
                return [], False  # e.g. no Unit Kerja chosen yet: no Jabatan to offer
            rel = self.model.__mapper__.relationships[self.depends]
            (fk,) = rel.local_columns
            query = query.filter(fk == wanted)
        term = (term or "").strip()[:MAX_TERM].lower()
        if term:
            pattern = _like_escape(term)
            conds = [func.lower(getattr(self.model, c)).like(f"{pattern}%", escape="\\") for c in prefix_cols]
            conds += [func.lower(getattr(self.model, c)).like(f"%{pattern}%", escape="\\") for c in inside_cols]
            query = query.filter(or_(*conds))
        query = query.order_by(*[getattr(self.model, c) for c in order])
        rows = query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1).all()
        return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE

    def url(self) -> str:
        return url_for(f"{self.view.endpoint}.lookup", column=self.column, purpose=self.purpose)


# --------------------------------------------------------------------------- form fields
class _LookupMixin:
    """Resolves posted ids through the lookup (one query for the posted ids, never the whole
    table) and refuses ids outside it with a clear message, logged as a refusal."""

    def _get_object_list(self):
        data = self._data if self._formdata is None else self.data
        objs = data if isinstance(data, list) else [data] if data is not None else []
        return [(str(self.get_pk_func(o)), o) for o in objs]

    def _kept(self) -> list:
        """The values the edited row holds now: keeping them is no new choice (an operator's
        Kepala Dinas keeps the Sekda above it, which only BKD may set)."""
        pk = g.get("ek_edit_pk") if self.lookup.purpose == "edit" else None
        if pk is None:
            return []
        view = self.lookup.view
        row = view.datamodel.get(pk, view._base_filters)
        value = getattr(row, self.lookup.column, None) if row is not None else None
        return list(value) if isinstance(value, (list, tuple, set)) else [value] if value is not None else []

    def _resolve(self, wanted: set) -> tuple[list, set]:
        """(rows for the posted ids, ids refused): in the lookup's scope or kept as they are."""
        found = self.lookup.get_many(wanted) if wanted else []
        missing = wanted - {str(self.get_pk_func(o)) for o in found}
        if missing:
            kept = [o for o in self._kept() if str(self.get_pk_func(o)) in missing]
            found += kept
            missing -= {str(self.get_pk_func(o)) for o in kept}
        return found, missing

    @property
    def refused(self) -> bool:
        """A posted id was refused (its message stands alone, no "Wajib diisi." after it)."""
        return bool(self._invalid)

    def _refused(self, ids) -> StopValidation:
        log_refusal(403, self.lookup.model.__name__, ",".join(sorted(map(str, ids)))[:100],
                    f"pilihan {self.lookup.column} di luar cakupan ({self.lookup.purpose})")
        return StopValidation(MSG_NOT_IN_SCOPE.format(label=self.label.text))


class LookupSelectField(_LookupMixin, QuerySelectField):
    def __init__(self, label=None, validators=None, lookup: Lookup = None, **kwargs):
        kwargs.setdefault("get_pk_func", lambda obj: obj.id)
        super().__init__(label, validators, **kwargs)
        self.lookup = lookup
        self._invalid = None

    def _get_data(self):
        if self._formdata is not None:
            wanted = {self._formdata} - {"", "__None"}
            found, missing = self._resolve(wanted)
            self._invalid = next(iter(missing), None)
            self._set_data(found[0] if found else None)
        return self._data

    data = property(_get_data, QuerySelectField._set_data)

    def process_formdata(self, valuelist):
        if valuelist:
            self._data = None
            self._formdata = valuelist[0]

    def pre_validate(self, form):
        self.data  # resolve the posted id
        if self._invalid is not None:
            raise self._refused([self._invalid])


class LookupSelectMultipleField(_LookupMixin, QuerySelectMultipleField):
    def __init__(self, label=None, validators=None, lookup: Lookup = None, **kwargs):
        kwargs.setdefault("get_pk_func", lambda obj: obj.id)
        super().__init__(label, validators, **kwargs)
        self.lookup = lookup
        self._invalid = ()

    def _get_data(self):
        if self._formdata is not None:
            found, missing = self._resolve(set(self._formdata) - {"", "__None"})
            self._invalid = tuple(missing)
            self._set_data(found)
        return self._data

    data = property(_get_data, QuerySelectMultipleField._set_data)

    def pre_validate(self, form):
        self.data
        if self._invalid:
            raise self._refused(self._invalid)


class LookupWidget:
    """A <select> with the current value(s) only; lookup.js asks the endpoint for the rest."""

    def __call__(self, field, **kwargs):
        lookup: Lookup = field.lookup
        multiple = isinstance(field, QuerySelectMultipleField)
        selected = field.data if multiple else [field.data] if field.data is not None else []
        if lookup.purpose == "search":
            selected = list(selected) + lookup.get_many(_active_filter_values(field.name))
        attrs = {
            "id": kwargs.pop("id", field.id), "name": field.name,
            "class": "ek-lookup form-control", "data-lookup-url": lookup.url(),
            "data-placeholder": BLANK_CHOICE, "data-blank": "" if multiple else "__None",
            "data-allow-clear": "1" if multiple or getattr(field, "allow_blank", False) or lookup.purpose == "search"
            else "0",
        }
        if lookup.depends:
            attrs["data-depends"] = lookup.depends
        if multiple:
            attrs["multiple"] = "multiple"
        html = ["<select " + " ".join(f'{k}="{escape(v)}"' for k, v in attrs.items()) + ">"]
        if not multiple:
            html.append(f'<option value="__None">{escape(BLANK_CHOICE)}</option>')
        seen = set()
        for obj in selected:
            pk = str(field.get_pk_func(obj))
            if pk not in seen:
                seen.add(pk)
                html.append(f'<option value="{escape(pk)}" selected>{escape(str(obj))}</option>')
        html.append("</select>")
        return Markup("".join(html))


def _active_filter_values(name: str) -> list[str]:
    """Ids of the list's active filters on this column (`_flt_<op>_<name>=<id>`)."""
    pattern = re.compile(r"_flt_\d+_" + re.escape(name))
    return [v for key in request.args if pattern.fullmatch(key) for v in request.args.getlist(key)]


# --------------------------------------------------------------------------- the view side
def _is_large(view, name: str) -> bool:
    dm = view.datamodel
    return dm.is_relation(name) and dm.get_related_model(name).__name__ in SEARCHABLE


def use_lookups(view, form_cls, purpose: str) -> None:
    """Replace every relation dropdown of a large table in `form_cls` by a lookup field."""
    depends = getattr(view, "lookup_depends", {}) or {}
    for name, unbound in list(vars(form_cls).items()):
        if not (isinstance(unbound, UnboundField) and issubclass(unbound.field_class, QuerySelectField)
                and _is_large(view, name)):
            continue
        lookup = Lookup(view, name, purpose, depends.get(name))
        view._lookups[(name, purpose)] = lookup
        kwargs = {k: v for k, v in unbound.kwargs.items() if k not in ("query_func", "widget", "blank_text")}
        multiple = issubclass(unbound.field_class, QuerySelectMultipleField)
        cls = LookupSelectMultipleField if multiple else LookupSelectField
        if multiple:
            kwargs.pop("allow_blank", None)
        setattr(form_cls, name, cls(*unbound.args, lookup=lookup, widget=LookupWidget(), **kwargs))


class LookupEndpointMixin:
    """`GET /<view>/lookup/<column>/<purpose>?q=&page=`: Select2's JSON of the rows this user's
    dropdown may offer. The view permission of the purpose is required (can_add, can_edit,
    can_list); anything else is refused 403/404 and logged."""

    @expose("/lookup/<string:column>/<string:purpose>")
    def lookup(self, column, purpose):
        entity = getattr(self, "entity", "") or type(self).__name__
        permission = PURPOSES.get(purpose)
        if permission is None or not self.appbuilder.sm.has_access(permission, self.class_permission_name):
            refuse(403, entity, None, f"lookup {column}/{purpose} tanpa izin")
        found = self._lookups.get((column, purpose))
        if found is None:
            refuse(404, entity, None, f"lookup {column}/{purpose} tidak dikenal")
        raw_page = request.args.get("page", "1")
        if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
            return jsonify(message=MSG_BAD_PAGE.format(max=MAX_PAGE)), 400
        depends_value = request.args.get(found.depends) if found.depends else None
        rows, more = found.search(request.args.get("q", ""), int(raw_page), depends_value)
        return jsonify(results=[{"id": str(r.id), "text": str(r)} for r in rows], pagination={"more": more})
