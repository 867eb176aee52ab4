"""Base REST API: the same scope, validation and refusal rules as the panel views."""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.const import API_FILTERS_RIS_KEY
from flask_appbuilder.exceptions import InvalidOperationFilterFABException
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.extensions import db
from app.listing import BoundedCount, BoundedSQLAInterface
from app.security import log_refusal, scope_filters, write_refusal
from app.services import ValidationFailed
from app.services import masterdata


class _OutOfScope(Exception):
    pass


class BoundedListApi(ModelRestApi):
    """Lists read the page first and count at most to a bound (app.listing); a count that
    stopped at its bound is marked `count_bounded` (there are more rows than `count`)."""

    def __init__(self, **kwargs):
        if type(self.datamodel) is SQLAInterface:
            self.datamodel = BoundedSQLAInterface(self.datamodel.obj, self.datamodel._session)
        super().__init__(**kwargs)

    def pre_get_list(self, data: dict) -> None:
        data["count_bounded"] = isinstance(data["count"], BoundedCount)

    def _handle_filters_args(self, rison_args: dict):
        """FAB drops a filter whose operation the column does not have (`date` with `ge`)
        without a word, and the list then answers unfiltered rows as if filtered: refused
        here like FAB's other bad filters (400, in Indonesian through app.api_messages)."""
        joined = super()._handle_filters_args(rison_args)
        given = rison_args.get(API_FILTERS_RIS_KEY, [])
        if len(self._filters.filters) < len(given):
            known = {(f.column_name, f.arg_name) for f in self._filters.filters}
            for item in given:
                if (item.get("col"), item.get("opr")) not in known:
                    raise InvalidOperationFilterFABException(
                        f"Filter operation: {item.get('opr')} not allowed on column: {item.get('col')}")
        return joined


class ScopedModelApi(BoundedListApi):
    entity: str = ""
    allow_browser_login = False  # JWT only: the API is CSRF-exempt, so no cookie login
    max_page_size = 100
    page_size = 25

    def __init__(self, **kwargs):
        self.base_filters = scope_filters()
        super().__init__(**kwargs)

    @classmethod
    def scoped_rel(cls, *fields: str) -> dict:
        return {f: scope_filters() for f in fields}

    def _validate(self, item):
        reason = write_refusal(item)
        if reason is not None:
            raise _OutOfScope(reason)
        pk = getattr(item, "id", None)
        errors = masterdata.validate(self.entity, masterdata.item_values(item), pk)
        if errors:
            raise ValidationFailed(errors)

    def pre_add(self, item):
        self._validate(item)

    def pre_update(self, item):
        self._validate(item)

    def pre_delete(self, item):
        masterdata.check_delete(item)

    def _guard(self, call):
        try:
            return call()
        except _OutOfScope as refused:
            db.session.rollback()
            log_refusal(403, self.entity, request.view_args.get("pk"), f"{request.method} ditolak: {refused}")
            return self.response(403, message=str(refused))
        except ValidationFailed as err:
            db.session.rollback()
            return self.response_422(message=err.errors)

    def post_headless(self):
        return self._guard(super().post_headless)

    def put_headless(self, pk):
        return self._guard(lambda: super(ScopedModelApi, self).put_headless(pk))

    def delete_headless(self, pk):
        return self._guard(lambda: super(ScopedModelApi, self).delete_headless(pk))
