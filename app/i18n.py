"""Bahasa Indonesia everywhere: FAB's strings, the app's and WTForms' validation messages
come from one catalog (app/translations/id). WTForms ships no Indonesian catalog; Flask-WTF
reads `request.wtforms_translations` first, so the app's Babel catalog is handed to it."""
from flask import request
from flask_babel import get_translations


def register(app) -> None:
    @app.before_request
    def wtforms_in_indonesian():
        request.wtforms_translations = get_translations()
