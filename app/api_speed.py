"""Flask-AppBuilder's REST API checks the Rison argument `q` of every list and lookup request
against its JSON schema with `jsonschema.validate(instance, schema)`, which first validates the
schema itself against the JSON Schema meta-schema: about a third of the CPU of a list request
(29 ms of CPU per `GET /api/v1/activity/?q=…`, profiled under the load test of issue 11,
docs/PERFORMANCE.md). The schemas are fixed class attributes, so the check of each schema and
its validator are made once per process here; instances are validated exactly as before (same
validator class, same `best_match` error, same `ValidationError` that FAB turns into a 400).

FAB also rebuilds the filter set of every column of the model three times per list request and
warns each time that a time column (the activity's start and end time) has no filter type: six
identical warnings per `GET /api/v1/activity/`, written to the log of every request under load.
That logger is kept to errors.

FAB's list and count queries join every dotted column's relation (the activity's `employee`,
`superior`, ...) through a new `aliased(Model, name=relation)` per query: SQLAlchemy then
builds a proxy Column for every column of the aliased table again, twice per list request (about
7 ms of CPU each, docs/PERFORMANCE.md). An alias is an immutable description of "this table
under this name", reused safely by any number of queries, so one is kept per (model, name).

FAB's `Filters` object (several per list request) converts every column of the model into its
filter instances again (`_get_filters`: 40 filter objects for the activity, about a tenth of a
list request's CPU). Filter instances hold only their column and data model and are never
changed after they are made, so the conversion is kept on the data model per (converter,
columns); every caller gets its own dict and lists (FAB appends custom search filters to them).
"""
from __future__ import annotations

from typing import Any

import jsonschema


class CachedJsonSchema:
    """Stands in for the `jsonschema` module inside flask_appbuilder.api (it uses `validate`
    and `ValidationError` only)."""

    ValidationError = jsonschema.ValidationError

    def __init__(self) -> None:
        self._validators: dict[int, tuple[Any, Any]] = {}

    def validate(self, instance: Any, schema: Any) -> None:
        entry = self._validators.get(id(schema))
        if entry is None or entry[0] is not schema:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            entry = (schema, cls(schema))
            self._validators[id(schema)] = entry
        error = jsonschema.exceptions.best_match(entry[1].iter_errors(instance))
        if error is not None:
            raise error


class CachedAliased:
    """Stands in for `sqlalchemy.orm.aliased` inside flask_appbuilder.models.sqla.interface,
    which only calls `aliased(model, name=relation)`; anything else goes through unchanged."""

    def __init__(self, aliased) -> None:
        self.aliased = aliased
        self._aliases: dict[tuple[Any, str], Any] = {}

    def __call__(self, element, *args, **kwargs):
        if args or set(kwargs) != {"name"} or not isinstance(element, type):
            return self.aliased(element, *args, **kwargs)
        key = (element, kwargs["name"])
        alias = self._aliases.get(key)
        if alias is None:
            alias = self._aliases[key] = self.aliased(element, name=kwargs["name"])
        return alias


def cached_get_filters(original):
    def _get_filters(self, cols):
        kept = self.datamodel.__dict__.setdefault("_ek_filters", {})
        key = (self.filter_converter, tuple(cols))
        filters = kept.get(key)
        if filters is None:
            filters = kept[key] = original(self, cols)
        return {col: list(items) for col, items in filters.items()}

    _get_filters.ek_cached = True
    return _get_filters


def install() -> None:
    import logging

    import flask_appbuilder.api as fab_api

    logging.getLogger("flask_appbuilder.models.filters").setLevel(logging.ERROR)

    if not isinstance(fab_api.jsonschema, CachedJsonSchema):
        fab_api.jsonschema = CachedJsonSchema()

    import flask_appbuilder.models.sqla.interface as fab_interface

    if not isinstance(fab_interface.aliased, CachedAliased):
        fab_interface.aliased = CachedAliased(fab_interface.aliased)

    from flask_appbuilder.models.filters import Filters

    if not getattr(Filters._get_filters, "ek_cached", False):
        Filters._get_filters = cached_get_filters(Filters._get_filters)
