"""Bahasa Indonesia everywhere, English selectable (issue 10 item 7).

- FAB's strings, the app's and WTForms' validation messages come from one catalog per language
  (app/translations/<lang>); WTForms ships no Indonesian catalog and Flask-Wtf reads
  `request.wtforms_translations` first, so the app's Babel catalog is handed to it.
- The language is FAB's: the session's `locale` (FAB's /lang/<code> menu), Indonesian by default
  (`BABEL_DEFAULT_LOCALE`); `LANGUAGES` in config.py lists Indonesian and English.
- Dates, times, money and numbers are formatted by app.formatting in the request's language,
  registered once here as Jinja filters and globals (`{{ d|fmt_date }}` or `{{ fmt_date(d) }}`).
- FAB's browser widgets (date picker, Select2, its alert) get their texts from
  app/static/js/i18n/widgets.js, loaded by `ek_widgets_script()` after FAB's scripts.
"""
from __future__ import annotations

from flask import has_request_context, request, url_for
from flask_babel import get_locale, get_translations
from markupsafe import Markup, escape

from app import formatting

WIDGET_SCRIPT = "js/i18n/widgets.js"


def request_locale() -> str:
    """The current request's language ('id' or 'en'); Indonesian outside a request."""
    if not has_request_context():
        return formatting.DEFAULT_LOCALE
    try:
        locale = get_locale()
    except (RuntimeError, KeyError):
        return formatting.DEFAULT_LOCALE
    return formatting.current_locale(str(locale) if locale else None)


def widgets_script(nonce: str) -> Markup:
    """The <script> of FAB's widget texts in the current language (after FAB's own scripts)."""
    lang = request_locale()
    src = url_for("static", filename=WIDGET_SCRIPT)
    return Markup('<script src="{}" nonce="{}" data-locale="{}"></script>').format(
        escape(src), escape(nonce), lang)


def register(app) -> None:
    formatting.set_locale_provider(request_locale)
    for name, func in formatting.JINJA.items():
        app.jinja_env.filters[name] = func
        app.jinja_env.globals[name] = func
    app.jinja_env.globals["ek_locale"] = request_locale
    app.jinja_env.globals["ek_widgets_script"] = widgets_script

    @app.before_request
    def wtforms_in_indonesian():
        request.wtforms_translations = get_translations()
