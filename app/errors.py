"""Error pages in Bahasa Indonesia, and logging of every refused request."""
from flask import g, jsonify, render_template_string, request

from app.security import log_refusal

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


def _is_api() -> bool:
    return request.path.startswith("/api/")


def register(app) -> None:
    from flask import current_app

    def handler(err):
        code = getattr(err, "code", 500) or 500
        message = MESSAGES.get(code, getattr(err, "description", "Kesalahan."))
        if _is_api():
            return jsonify(message=message), code
        appbuilder = current_app.appbuilder
        return render_template_string(_PAGE, code=code, message=message, appbuilder=appbuilder,
                                      base_template=appbuilder.base_template), code

    for code in (400, 403, 404, 405, 409, 413, 500):
        app.register_error_handler(code, handler)

    @app.before_request
    def reset_request_state():
        # g may outlive a request when an app context was already pushed (tests, CLI).
        for key in ("ek_employee", "ek_refusal_logged", "ek_edit_pk"):
            g.pop(key, None)

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
