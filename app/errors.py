"""Error pages in Bahasa Indonesia, and logging of every refused request.

Malformed input never reaches a 500: path ids and Flask-AppBuilder's list arguments are
checked once for every view and API before the view runs (app.params), a refused CSRF token
gets its own message, and a value the database cannot hold (OverflowError, DataError) that
slipped through is answered 400 and logged."""
import logging

from flask import abort, g, jsonify, render_template_string, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError

from app import params
from app.security import log_refusal, refuse

log = logging.getLogger(__name__)

_PAGE = """{% extends base_template %}{% block content %}
<div class="container"><h2>{{ code }}</h2><p class="lead">{{ message }}</p>
<p><a href="{{ appbuilder.get_url_for_index }}">Kembali ke beranda</a></p></div>{% endblock %}"""

MESSAGES = {
    400: "Permintaan tidak valid.",
    403: "Anda tidak berwenang mengakses halaman atau data ini.",
    404: "Data atau halaman tidak ditemukan, atau berada di luar cakupan Anda.",
    405: "Metode permintaan tidak diizinkan.",
    409: "Data telah diubah oleh pengguna lain. Muat ulang halaman lalu coba lagi.",
    413: "Berkas atau data yang dikirim terlalu besar. Perkecil berkas lalu coba lagi.",
    500: "Terjadi kesalahan pada sistem. Silakan hubungi admin.",
}
MSG_CSRF = ("Token keamanan formulir tidak ada, tidak sah atau kedaluwarsa. "
            "Muat ulang halaman lalu kirim formulir sekali lagi.")
MSG_BAD_VALUE = "Permintaan tidak valid: ada nilai yang tidak dapat diproses (bukan angka yang sah atau di luar batas)."
MSG_NUL = "Permintaan tidak valid: parameter mengandung karakter yang tidak diizinkan."
# The database cannot be reached or written (docs/faults.md): nothing of the request was saved.
MSG_DB_DOWN = ("Basis data sedang tidak dapat dihubungi. Perubahan Anda tidak disimpan; "
               "coba lagi dalam beberapa saat.")
MSG_DB_FULL = ("Penyimpanan server penuh sehingga data tidak dapat disimpan. Perubahan Anda tidak disimpan; "
               "hubungi admin.")
MSG_DB_BUSY = "Basis data sedang sibuk. Perubahan Anda tidak disimpan; coba lagi dalam beberapa saat."
MSG_DB_READONLY = ("Basis data sedang hanya dapat dibaca (read-only), misalnya saat pemeliharaan. "
                   "Perubahan Anda tidak disimpan; coba lagi nanti atau hubungi admin.")


def database_fault(err) -> tuple[int, str] | None:
    """(status, message) when `err` says the database is unreachable, full or read-only; else None.
    Constraint and data errors are not faults of the database: they stay with their handlers."""
    if not isinstance(err, (OperationalError, InterfaceError)) and not (
            isinstance(err, DBAPIError) and err.connection_invalidated):
        return None
    orig = getattr(err, "orig", None)
    if (getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)) in ("40001", "40P01", "55P03"):
        return 409, MESSAGES[409]  # two writers met (serialization, deadlock, lock timeout)
    text = str(orig or err).lower()
    if "database is locked" in text:
        return 503, MSG_DB_BUSY
    if "disk is full" in text or "no space left" in text or "disk full" in text:
        return 507, MSG_DB_FULL
    if "readonly" in text or "read-only" in text or "read only" in text:
        return 503, MSG_DB_READONLY
    return 503, MSG_DB_DOWN


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _answer_bad_values_in_api() -> None:
    """Flask-AppBuilder's REST API catches every exception of a handler (`@safe`) and answers
    500 with `response_500`: there, a value from the request that the database cannot hold
    (a filter value out of range, ...) is answered 400 like on the pages."""
    import sys

    from flask_appbuilder.api import BaseApi

    if getattr(BaseApi.response_500, "ek_bad_value_aware", False):
        return
    original = BaseApi.response_500

    def response_500(self, message=None):
        err = sys.exc_info()[1]
        fault = database_fault(err)
        if fault is not None:
            _forget_failed_transaction(err)
            return self.response(fault[0], message=fault[1])
        if isinstance(err, (OverflowError, DataError)):
            from app.extensions import db

            db.session.rollback()
            log.warning("Nilai permintaan API tidak dapat diproses: %s %s: %s", request.method, request.path,
                        type(err).__name__)
            return self.response_400(message=MSG_BAD_VALUE)
        return original(self, MESSAGES[500])  # Flask-AppBuilder's own text is English

    response_500.ek_bad_value_aware = True
    BaseApi.response_500 = response_500


def _forget_failed_transaction(err) -> None:
    """Roll back after a database fault; the connection may be gone (the pool replaces it)."""
    from app.extensions import db

    log.error("Basis data tidak dapat dipakai: %s %s: %s", request.method, request.path,
              str(getattr(err, "orig", None) or err).splitlines()[0][:300])
    try:
        db.session.rollback()
    except Exception:  # the connection itself is broken
        db.session.remove()


def _model_apis(app) -> dict:
    """Relation fields (name -> to-many?) of each model REST API, by class name."""
    apis = app.extensions.get("ek_model_apis")
    if apis is None:
        from flask_appbuilder.api import ModelRestApi

        apis = {}
        for api in app.appbuilder.baseviews:
            if isinstance(api, ModelRestApi):
                dm = api.datamodel
                columns = set(api.add_columns or []) | set(api.edit_columns or [])
                apis[type(api).__name__] = {c: dm.is_relation_many_to_many(c) or dm.is_relation_one_to_many(c)
                                            for c in columns if dm.is_relation(c)
                                            # ids only: a PositionKind is named by its code ("JPT")
                                            and dm.get_related_model(c).__mapper__.primary_key[0].type.python_type
                                            is int}
        app.extensions["ek_model_apis"] = apis
    return apis


def _list_views(app) -> dict:
    """Flask-AppBuilder views with a list (page, size and order arguments), by class name."""
    views = app.extensions.get("ek_list_views")
    if views is None:
        views = {type(v).__name__: v for v in app.appbuilder.baseviews if hasattr(v, "order_columns")}
        app.extensions["ek_list_views"] = views
    return views


def register(app) -> None:
    from flask import current_app

    def answer(code: int, message: str):
        if _is_api():
            return jsonify(message=message), code
        if "user" not in g:  # refused before Flask-AppBuilder's before_request (CSRF): the menu needs it
            g.user = current_user
        appbuilder = current_app.appbuilder
        return render_template_string(_PAGE, code=code, message=message, appbuilder=appbuilder,
                                      base_template=appbuilder.base_template), code

    def handler(err):
        code = getattr(err, "code", 500) or 500
        description = getattr(err, "description", None)
        custom = description and description != getattr(type(err), "description", None)
        message = description if custom else MESSAGES.get(code, description or "Kesalahan.")
        return answer(code, message)

    def csrf_refused(err):
        log.warning("Token CSRF ditolak: %s %s (%s)", request.method, request.path, err.description)
        return answer(400, MSG_CSRF)

    def bad_value(err):
        """Last resort: a value from the request the database or Python cannot hold."""
        from app.extensions import db

        db.session.rollback()
        log.warning("Nilai permintaan tidak dapat diproses: %s %s: %s: %s", request.method, request.path,
                    type(err).__name__, str(err).splitlines()[0][:300] if str(err) else "")
        return answer(400, MSG_BAD_VALUE)

    def database_down(err):
        """The database is unreachable, full or read-only: 503/507 with what happened, never a 500."""
        from flask import make_response

        code, message = database_fault(err) or (503, MSG_DB_DOWN)
        _forget_failed_transaction(err)
        try:
            body, code = answer(code, message)
        except Exception:  # the page's menu needs the database too: a bare page then
            from app.extensions import db

            db.session.remove()
            body = (f"<!doctype html><html lang='id'><head><meta charset='utf-8'><title>{code}</title></head>"
                    f"<body><h2>{code}</h2><p>{message}</p></body></html>")
        response = make_response(body, code)
        response.headers["Retry-After"] = "30"
        return response

    for code in (400, 403, 404, 405, 409, 413, 500):
        app.register_error_handler(code, handler)
    app.register_error_handler(OperationalError, database_down)
    app.register_error_handler(InterfaceError, database_down)
    app.register_error_handler(CSRFError, csrf_refused)
    app.register_error_handler(OverflowError, bad_value)
    app.register_error_handler(DataError, bad_value)
    _answer_bad_values_in_api()

    @app.before_request
    def reset_request_state():
        # g may outlive a request when an app context was already pushed (tests, CLI).
        for key in ("ek_employee", "ek_refusal_logged", "ek_edit_pk"):
            g.pop(key, None)

    def _order_columns(view_name: str):
        view = _list_views(app).get(view_name)
        return None if view is None else list(view.order_columns or [])

    @app.before_request
    def check_request_arguments():
        """Malformed ids in the path (404, logged) and list arguments (400), for every view and API."""
        for key, values in request.args.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                raise params.InvalidArgument(MSG_NUL)
        view_args = request.view_args or {}
        bad = params.check_view_args(view_args)
        if bad is not None:
            refuse(404, (request.endpoint or "request").split(".")[0], str(view_args[bad])[:40],
                   f"{request.method} {request.path[:200]} (nomor data tidak sah)")
        if request.endpoint and request.endpoint.endswith(".download") and "filename" in view_args \
                and "_sep_" not in view_args["filename"]:
            abort(404)  # Flask-AppBuilder stores uploads as <uuid>_sep_<name>
        message = params.check_list_args(request.args, _order_columns)
        if not message and _is_api():
            message = params.check_api_query(request.args.get("q"))
        if message:
            raise params.InvalidArgument(message)
        if request.method in ("POST", "PUT") and _is_api() and request.is_json:
            api = _model_apis(app).get((request.endpoint or "").split(".")[0])
            if api is not None:
                errors = params.check_relation_values(request.get_json(silent=True), api)
                if errors:
                    return jsonify(message=errors), 422

    @app.after_request
    def log_refusals(response):
        code = response.status_code
        if code in (401, 403, 404) and request.endpoint and not g.get("ek_refusal_logged"):
            view_args = request.view_args or {}
            if code != 404 or "pk" in view_args:
                try:
                    log_refusal(code, request.endpoint.split(".")[0], view_args.get("pk"),
                                f"{request.method} {request.path}")
                except Exception:  # never turn a refusal into a 500
                    app.logger.exception("Gagal mencatat penolakan akses")
        return response
