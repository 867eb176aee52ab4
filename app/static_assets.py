"""Light pages (issue 10 item 8, design section 8): compressed responses, fingerprinted static
URLs cached for a year, the lean page head of the phone pages, the web app manifest and icon.

- Compression: Flask-Compress answers every text response (pages, JSON, CSS, JS, SVG) in the
  best encoding the browser accepts (zstd, br, gzip). Static files are streamed by Flask, so they
  are compressed on the fly with zstd/br/deflate and still answer conditional requests.
- Fingerprints: every `url_for('static', …)` and `url_for('appbuilder.static', …)` (FAB's own
  templates included) gets `?v=<first 12 hex digits of the file's SHA-256>`. A request whose `v`
  is the file's current digest is answered `Cache-Control: public, max-age=<a year>, immutable`;
  a static file without it (a font that a stylesheet names relatively, an outdated digest) gets
  `STATIC_MAX_AGE` and is revalidated after that. A changed file gets a new URL, so a browser
  never keeps an old stylesheet after a deployment.
- Lean pages: the daily loop's pages (LEAN_VIEWS) load Bootstrap's CSS, Font Awesome's solid
  icons and a 1 KiB navbar script (app/static/js/nav.js) instead of FAB's jQuery, Select2, date
  picker and their helpers, which those pages do not use (`ek_lean_page()` in
  app/templates/ek_layout.html).
- `/manifest.webmanifest` and `/favicon.ico`, open to everybody like the static files.
"""
from __future__ import annotations

import hashlib
import os

from flask import Flask, current_app, jsonify, request, send_from_directory, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_compress import Compress
from werkzeug.security import safe_join

STATIC_ENDPOINTS = ("static", "appbuilder.static")
FINGERPRINT_ARG = "v"
YEAR = 365 * 24 * 3600
# The views whose pages use the lean head: the home page, Aktivitas Saya, Antrean Persetujuan
# and the login form (the first page a phone opens).
LEAN_VIEWS = frozenset({"HomeView", "MyActivitiesView", "QueueView", "AuthDBView"})
ICON_DIR = "icons"
PUBLIC_FILES = ("favicon", "web_manifest")
THEME_COLOR = "#0d4f8b"

# path -> (mtime_ns, size, digest): a file is hashed again only when it changed on disk.
_digests: dict[str, tuple[int, int, str]] = {}


def _static_folder(app: Flask, endpoint: str) -> str | None:
    if endpoint == "static":
        return app.static_folder
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
    return blueprint.static_folder if blueprint is not None else None


def file_digest(app: Flask, endpoint: str, filename: str) -> str | None:
    """The fingerprint of a static file, or None when there is no such file."""
    folder = _static_folder(app, endpoint)
    path = safe_join(folder, filename) if folder and filename else None
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    cached = _digests.get(path)
    if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
        return cached[2]
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            sha.update(chunk)
    digest = sha.hexdigest()[:12]
    _digests[path] = (stat.st_mtime_ns, stat.st_size, digest)
    return digest


class StaticFilesWithoutSession(SecureCookieSessionInterface):
    """Flask's cookie session, not written on static files, the manifest and the icon.

    Something reads the session on every request (the locale), so Flask would answer each
    static file with `Vary: Cookie` and a fresh `Set-Cookie`; the session cookie changes with
    every page, so a browser would find its cached stylesheet stale at the next page. A static
    answer never changes the session."""

    def save_session(self, app, session, response):
        if request.endpoint in STATIC_ENDPOINTS or request.endpoint in PUBLIC_FILES:
            return None
        return super().save_session(app, session, response)


def ek_lean_page() -> bool:
    """True on the pages of the daily loop, which get the lean page head."""
    endpoint = request.endpoint or ""
    return endpoint.partition(".")[0] in LEAN_VIEWS


def manifest():
    """The web app manifest: the panel can sit on a phone's home screen."""
    def icon(name, sizes, kind):
        return {"src": url_for("static", filename=f"{ICON_DIR}/{name}"), "sizes": sizes, "type": kind,
                "purpose": "any"}

    response = jsonify({
        "name": current_app.config.get("APP_NAME", "e-Kinerja Kota Malang"),
        "short_name": "e-Kinerja",
        "description": "Catat aktivitas harian, ajukan ke atasan dan setujui aktivitas bawahan.",
        "lang": "id",
        "dir": "ltr",
        "start_url": url_for("HomeView.index"),
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [icon("icon-192.png", "192x192", "image/png"), icon("icon-512.png", "512x512", "image/png"),
                  icon("icon.svg", "any", "image/svg+xml")],
    })
    response.mimetype = "application/manifest+json"
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["STATIC_MAX_AGE"]
    return response


def favicon():
    """Browsers ask for /favicon.ico on their own; the pages name the fingerprinted one."""
    return send_from_directory(os.path.join(current_app.static_folder, ICON_DIR), "favicon.ico",
                               mimetype="image/vnd.microsoft.icon",
                               max_age=current_app.config["STATIC_MAX_AGE"])


def register(app: Flask) -> None:
    app.config.setdefault("STATIC_FINGERPRINT", True)
    app.config.setdefault("STATIC_MAX_AGE_FINGERPRINTED", YEAR)
    app.config.setdefault("STATIC_MAX_AGE", 24 * 3600)
    app.config.setdefault("COMPRESS_STREAMING_ENDPOINT_CONDITIONAL", list(STATIC_ENDPOINTS))
    Compress(app)
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = StaticFilesWithoutSession()

    @app.url_defaults
    def fingerprint_static(endpoint, values):
        if (endpoint in STATIC_ENDPOINTS and FINGERPRINT_ARG not in values
                and app.config["STATIC_FINGERPRINT"]):
            digest = file_digest(app, endpoint, values.get("filename", ""))
            if digest:
                values[FINGERPRINT_ARG] = digest

    @app.after_request
    def cache_static(response):
        if request.endpoint not in STATIC_ENDPOINTS or response.status_code not in (200, 206, 304):
            return response
        given = request.args.get(FINGERPRINT_ARG)
        filename = (request.view_args or {}).get("filename", "")
        cc = response.cache_control
        cc.no_cache = None
        cc.public = True
        if given and given == file_digest(app, request.endpoint, filename):
            cc.max_age = app.config["STATIC_MAX_AGE_FINGERPRINTED"]
            cc.immutable = True
        else:
            cc.max_age = app.config["STATIC_MAX_AGE"]
        return response

    app.add_url_rule("/manifest.webmanifest", "web_manifest", manifest)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    app.jinja_env.globals.update(ek_lean_page=ek_lean_page, ek_theme_color=THEME_COLOR)
