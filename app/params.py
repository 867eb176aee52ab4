"""Parsing of request arguments: one place for every integer, id and period a client sends.

`str.isdigit()` accepts Unicode digits such as "²" that `int()` refuses, `int()` accepts
numbers no database column holds, and Flask-AppBuilder reads its list arguments (`page_*`,
`psize_*`, `_oc_*`, `_od_*`) with a bare `int()`. Every numeric argument goes through the
functions here: ASCII digits only, within bounds. Malformed input is answered 400 (query
arguments) or 404 (ids in the path) with a message in Bahasa Indonesia, never 500.
"""
from __future__ import annotations

import re
from typing import Optional

from werkzeug.exceptions import BadRequest

ID_MAX = 2**31 - 1  # INTEGER primary keys (PostgreSQL int4; SQLite holds more)
YEAR_MIN, YEAR_MAX = 2000, 2100
PAGE_MAX = 1_000_000  # offset = page × page size stays far inside a 64-bit integer
PAGE_SIZE_MAX = 1_000_000  # the views cap the page size further (app.views.base.PAGE_SIZE_MAX)
_DIGITS = re.compile(r"[0-9]{1,19}", re.ASCII)
_PERIOD = re.compile(r"([0-9]{4})-([0-9]{1,2})", re.ASCII)
# Flask-AppBuilder's list arguments: page_<View>, psize_<View>, _oc_<View>, _od_<View>
_FAB_LIST_ARG = re.compile(r"(page|psize|_oc|_od)_(.+)")


class InvalidArgument(BadRequest):
    """A malformed query argument (400) whose description is the Indonesian message shown."""

    def __init__(self, message: str):
        super().__init__(description=message)


# --------------------------------------------------------------------------- plain parsing
def to_int(raw, lo: int = 0, hi: int = ID_MAX) -> Optional[int]:
    """The whole number written in `raw` (ASCII digits, surrounding blanks allowed), or None
    when it is malformed or outside [lo, hi]. An int (not a bool) is checked against the bounds."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip()
        if not _DIGITS.fullmatch(text):
            return None
        value = int(text)
    return value if lo <= value <= hi else None


def to_id(raw) -> Optional[int]:
    """A primary key (1 … 2³¹−1) or None."""
    return to_int(raw, 1, ID_MAX)


def to_year_month(raw) -> Optional[tuple[int, int]]:
    """"YYYY-MM" (ASCII digits, month 1–12, year 2000–2100) as (year, month), or None."""
    m = _PERIOD.fullmatch(str(raw or "").strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not (YEAR_MIN <= year <= YEAR_MAX and 1 <= month <= 12):
        return None
    return year, month


# --------------------------------------------------------------------------- request arguments
def arg_int(name: str, default: Optional[int] = None, lo: int = 0, hi: int = ID_MAX,
            message: Optional[str] = None) -> Optional[int]:
    """The query argument `name` as an int within [lo, hi]; `default` when absent or blank;
    InvalidArgument (400) when malformed."""
    from flask import request

    raw = request.args.get(name)
    if raw is None or not raw.strip():
        return default
    value = to_int(raw, lo, hi)
    if value is None:
        raise InvalidArgument(message or f"Parameter '{name}' harus berupa bilangan bulat antara {lo} dan {hi}.")
    return value


def arg_id(name: str, message: Optional[str] = None) -> Optional[int]:
    """The query argument `name` as a primary key; None when absent or blank; 400 when malformed."""
    return arg_int(name, None, 1, ID_MAX, message or f"Parameter '{name}' bukan nomor data yang sah.")


# --------------------------------------------------------------------------- whole requests
def _is_id_arg(name: str) -> bool:
    return name == "pk" or name.endswith("_id")


def check_view_args(view_args: Optional[dict]) -> Optional[str]:
    """The first malformed id in the path arguments of a request (``pk``, ``*_id``), or None.
    No row has an id that is not 1 … 2³¹−1, so such a request is answered 404."""
    for name, value in (view_args or {}).items():
        if _is_id_arg(name) and to_id(value) is None:
            return name
    return None


def check_api_query(raw_q: Optional[str]) -> Optional[str]:
    """The Indonesian message for a page number or size out of bounds in the Rison argument
    ``q`` of Flask-AppBuilder's REST API (which passes them unchecked to the database), or None.
    Malformed Rison is left to the API (400)."""
    if not raw_q:
        return None
    import prison

    try:
        rison = prison.loads(raw_q)
    except Exception:  # prison raises bare exceptions of several kinds on malformed input
        return None
    if not isinstance(rison, dict):
        return None
    # page_size -1 asks for everything; the API caps it at its maximum page size
    for key, lo, hi in (("page", 0, PAGE_MAX), ("page_size", -1, PAGE_SIZE_MAX)):
        value = rison.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and not lo <= value <= hi:
            return f"Parameter {key} tidak valid: gunakan bilangan bulat {lo} sampai {hi}."
    return None


MSG_RELATION_ID = "Harus berupa nomor data (bilangan bulat positif) atau kosong."


def check_relation_values(body, relations: dict[str, bool]) -> dict[str, list[str]]:
    """Field errors for relation fields of a JSON body that hold no id: `relations` maps each
    relation field of the model to True when it holds a list (to-many). Flask-AppBuilder's API
    schemas look such values up in the database as they are (a dict, a float or a huge number
    was a 500)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(body, dict):
        return errors
    for name, many in relations.items():
        if name not in body or body[name] is None:
            continue
        value = body[name]
        values = value if many and isinstance(value, list) else [value]
        if (many and not isinstance(value, list)) or any(to_id(v) is None for v in values):
            errors[name] = [MSG_RELATION_ID]
    return errors


def check_list_args(args, order_columns_of) -> Optional[str]:
    """The Indonesian message for the first malformed list argument of Flask-AppBuilder
    (page_*, psize_*, _oc_*, _od_*) in `args`, or None. `order_columns_of(view_name)` gives the
    sortable columns of a list view (None when the name is no list view of the app)."""
    for key in args:
        m = _FAB_LIST_ARG.fullmatch(key)
        if not m:
            continue
        kind, view_name = m.groups()
        value = args.get(key, "")
        if kind == "page" and to_int(value, 0, PAGE_MAX) is None:
            return f"Nomor halaman tidak valid: gunakan bilangan bulat 0 sampai {PAGE_MAX}."
        if kind == "psize" and to_int(value, 1, PAGE_SIZE_MAX) is None:
            return "Jumlah baris per halaman tidak valid: gunakan bilangan bulat positif."
        if kind == "_od" and value not in ("asc", "desc"):
            return "Arah pengurutan tidak valid: gunakan asc atau desc."
        if kind == "_oc":
            columns = order_columns_of(view_name)
            if columns is not None and value not in columns:
                return "Kolom pengurutan tidak dikenal."
    return None
