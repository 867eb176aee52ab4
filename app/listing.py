"""List queries of the panel and the REST API at city size (issue 11, items 3 and 6).

Flask-AppBuilder's `SQLAInterface.query` counts every list in full before it reads the page,
and the count repeats the joins the list's dotted columns need: with 10 million activities a
BKD list filtered by month counted some 850,000 rows per request (half a second of PostgreSQL,
most of the database's CPU under the load test). Here:

- the page is read first, and a page that is not full tells the count without counting (the
  superior's queue, an employee's day, the last page of any list);
- otherwise at most max(LIST_COUNT_BOUND, (page + PAGES_AHEAD) x page size) rows are counted,
  so a deeper page still finds its next pages; below the bound the count is exact, above it
  the count is a `BoundedCount` ("lebih dari 10.000");
- the count reads only the filtered table: the dotted columns' joins are many-to-one outer
  joins, which never change the number of rows (they are kept when a filter itself is on a
  dotted column);
- the relations a list shows (`eager`) are loaded with the page's rows in one query each, not
  one query per row (FAB reads `position.name` row by row);
- the `load_only` options that FAB builds for every listed column of every list and detail
  query (17 of them for an activity, two queries per list page) are built once per model and
  column: SQLAlchemy's load options are immutable and reusable, and building them was about a
  tenth of the CPU of an API list or detail request;
- a count that reached its bound is kept in the worker for LIST_COUNT_CACHE_SECONDS, keyed by
  the count statement with its values (the scope is in it), so paging or refreshing the same
  list does not count the same 10,000 rows again: an operator's OPD month list counted them in
  7-11 ms of PostgreSQL per request, the largest single cost of the month-end load test
  (docs/PERFORMANCE.md). Only "lebih dari N" is kept: it stays true while rows are added, and an
  exact count below the bound is always counted afresh.
"""
from __future__ import annotations

import time
from collections import OrderedDict

from flask import current_app
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.utils.base import is_column_dotted
from sqlalchemy.orm import Load, selectinload

COUNT_BOUND = 10_000  # default of LIST_COUNT_BOUND: rows a list page counts at most
PAGES_AHEAD = 10  # a deep page still counts this many pages beyond itself
COUNT_CACHE = "ek_bounded_counts"  # app.extensions key: {count statement key: expiry (monotonic)}
COUNT_CACHE_SIZE = 4096  # kept counts per worker at most (the oldest are dropped)
_SELECT_OPTIONS: dict = {}  # (model, column or relation) -> FAB's load_only options for it


class BoundedCount(int):
    """A list count that stopped at its bound: there are more rows ("lebih dari 10.000").
    Still an int, so FAB's pagination computes its pages from it."""

    def __str__(self) -> str:
        from app.formatting import current_locale, format_number

        more = "lebih dari" if current_locale() == "id" else "more than"
        return f"{more} {format_number(int(self))}"

    def __html__(self) -> str:
        return str(self)


class BoundedSQLAInterface(SQLAInterface):
    """SQLAInterface whose `query` reads the page first and counts only when it must, bounded."""

    eager: tuple = ()

    def apply_all(self, query, *args, **kwargs):
        query = super().apply_all(query, *args, **kwargs)
        if self.eager:
            query = query.options(*[selectinload(getattr(self.obj, rel)) for rel in self.eager])
        return query

    def _select_options(self, name: str, build) -> tuple:
        """FAB's `load_only` options for one listed column or relation, built once per model."""
        key = (self.obj, name)
        options = _SELECT_OPTIONS.get(key)
        if options is None:
            options = _SELECT_OPTIONS[key] = tuple(Load(self.obj).load_only(getattr(self.obj, c)) for c in build())
        return options

    def _apply_normal_col_select_option(self, query, column: str):
        """FAB's option for one listed column: load only that column (none for a relation or a
        property)."""
        options = self._select_options(column, lambda: () if self.is_relation(column)
                                       or self.is_property_or_function(column) else (column,))
        return query.options(*options) if options else query

    def _apply_relation_fks_select_options(self, query, relation_name: str):
        """FAB's options for a listed relation: load only its foreign key columns."""
        def fk_names():
            relation = getattr(self.obj, relation_name)
            return [c.name for c in relation.property.local_columns] if hasattr(relation, "property") else []

        options = self._select_options("fks:" + relation_name, fk_names)
        return query.options(*options) if options else query

    def query(self, filters=None, order_column="", order_direction="", page=None, page_size=None,
              select_columns=None, outer_default_load=False):
        if not page_size:  # an unpaged read (FAB's charts, exports): as FAB does it
            return super().query(filters, order_column=order_column, order_direction=order_direction, page=page,
                                 page_size=page_size, select_columns=select_columns,
                                 outer_default_load=outer_default_load)
        page = page or 0
        base = self.session.query(self.obj)
        rows = self.apply_all(base, filters, order_column, order_direction, page, page_size, select_columns,
                              outer_default_load).all()
        name = self.obj.__name__
        # With dotted columns FAB adds the related entities: the rows are tuples holding the model.
        items = [getattr(row, name) for row in rows] if rows and hasattr(rows[0], name) else rows
        if len(items) < page_size and (items or page == 0):
            return page * page_size + len(items), items
        limit = int(current_app.config.get("LIST_COUNT_BOUND", COUNT_BOUND))
        bound = max(limit, (page + PAGES_AHEAD) * page_size)
        dotted_filter = any(is_column_dotted(f.column_name) for f in (filters.filters if filters else []))
        counting = self._apply_inner_all(base, filters, select_columns=select_columns if dotted_filter else None,
                                         aliases_mapping={}).limit(bound + 1)
        ttl = float(current_app.config.get("LIST_COUNT_CACHE_SECONDS", 60) or 0)
        key = _count_key(counting) if ttl > 0 else None
        kept = current_app.extensions.setdefault(COUNT_CACHE, OrderedDict())
        if key is not None and kept.get(key, 0) > time.monotonic():
            return BoundedCount(bound), items
        counted = counting.count()
        if counted <= bound:
            return counted, items
        if key is not None:
            kept.pop(key, None)  # kept again: to the end of the line
            kept[key] = time.monotonic() + ttl
            while len(kept) > COUNT_CACHE_SIZE:
                kept.popitem(last=False)
        return BoundedCount(bound), items


def _count_key(counting):
    """The count statement's SQL structure with its bound values (scope, filters, limit);
    None for a statement SQLAlchemy cannot key (never kept)."""
    key = counting.statement._generate_cache_key()
    return None if key is None else (key.key, tuple(repr(p.effective_value) for p in key.bindparams))
