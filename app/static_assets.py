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
import re

from flask import Blueprint, Flask, current_app, jsonify, request, send_from_directory, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_compress import Compress
from werkzeug.security import safe_join

STATIC_ENDPOINTS = ("static", "appbuilder.static")
FINGERPRINT_ARG = "v"
YEAR = 365 * 24 * 3600
# The views whose pages use the lean head: the home page, Aktivitas Saya, Antrean Persetujuan
# and (ek_lean_page) the login form, the first page a phone opens.
LEAN_VIEWS = frozenset({"HomeView", "MyActivitiesView", "QueueView"})
ICON_DIR = "icons"
PUBLIC_FILES = ("ek_assets.favicon", "ek_assets.manifest")
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
    view = (request.endpoint or "").partition(".")[0]
    if view in LEAN_VIEWS:
        return True
    appbuilder = getattr(current_app, "appbuilder", None)
    auth_view = getattr(getattr(appbuilder, "sm", None), "auth_view", None)
    return auth_view is not None and view == auth_view.endpoint


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

    assets = Blueprint("ek_assets", __name__)
    assets.add_url_rule("/manifest.webmanifest", "manifest", manifest)
    assets.add_url_rule("/favicon.ico", "favicon", favicon)
    app.register_blueprint(assets)
    app.jinja_env.globals.update(ek_lean_page=ek_lean_page, ek_theme_color=THEME_COLOR)
    register_commands(app)


# --------------------------------------------------------------------------- icon font subset
# Font Awesome's solid font is 150 KiB, half of a phone page's budget, for the few dozen icons
# the panel uses. `flask --app run subset-icons` (fontTools, requirements-test.txt) writes
# ICON_FONT with only the glyphs named anywhere in app/ and FAB's templates, and ICON_CSS, which
# the lean pages load instead of FAB's solid.min.css; tests/test_static_assets.py fails when a
# template or view names an icon that the subset lacks.
ICON_FONT = "vendor/fontawesome/fa-solid-subset.woff2"
ICON_CSS = "css/icons.css"
FA_CSS = ("css/fontawesome/fontawesome.min.css", "css/fontawesome/v4-shims.min.css")
FA_SOLID = "css/webfonts/fa-solid-900.woff2"
_ICON_RULE = re.compile(r'([^{}]+)\{content:"\\([0-9a-fA-F]+)"\}')
_ICON_SELECTOR = re.compile(r"(?:\.fa)?\.(fa-[a-z0-9-]+):(?:before|after)")
ICON_NAME = re.compile(r"\bfa-[a-z0-9]+(?:-[a-z0-9]+)*")
# Names a template composes, which no scan finds: queue/index.html's fa-file{{ '-pdf' … }}.
COMPOSED_ICONS = {"fa-file-pdf"}
_ICON_LIST = re.compile(r"/\* icons: ([a-z0-9 -]+) \*/")


def icon_codepoints(fab_static: str) -> dict[str, set[int]]:
    """Font Awesome class -> its codepoints, from FAB's stylesheets: v6's own and, where the v4
    shims redraw `.fa.fa-globe` with another glyph, that one too (the templates write
    `fa fa-globe`, so the shim's glyph is the one shown)."""
    out: dict[str, set[int]] = {}
    for name in FA_CSS:
        with open(os.path.join(fab_static, name), encoding="utf-8") as fh:
            css = fh.read()
        for selectors, code in _ICON_RULE.findall(css):
            for selector in selectors.split(","):
                found = _ICON_SELECTOR.fullmatch(selector.strip())
                if found:
                    out.setdefault(found.group(1), set()).add(int(code, 16))
    return out


def icons_in_sources(app: Flask) -> set[str]:
    """Every Font Awesome icon named in the app's code and templates and in FAB's templates."""
    codepoints = icon_codepoints(app.blueprints["appbuilder"].static_folder)
    roots = [os.path.dirname(app.static_folder), os.path.join(app.blueprints["appbuilder"].root_path, "templates")]
    names: set[str] = set(COMPOSED_ICONS)
    for root in roots:
        for folder, _, files in os.walk(root):
            if os.sep + "static" in folder[len(root):]:
                continue
            for file in files:
                if file.endswith((".html", ".py")):
                    with open(os.path.join(folder, file), encoding="utf-8") as fh:
                        names |= set(ICON_NAME.findall(fh.read()))
    return {n for n in names if n in codepoints}


def subset_icons_in_css(css: str) -> set[str]:
    found = _ICON_LIST.search(css)
    return set(found.group(1).split()) if found else set()


def build_icon_subset(app: Flask) -> tuple[int, int]:
    """Write ICON_FONT and ICON_CSS; returns (icons, bytes of the font)."""
    from fontTools import subset

    fab_static = app.blueprints["appbuilder"].static_folder
    codepoints = icon_codepoints(fab_static)
    names = sorted(icons_in_sources(app))
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    font = subset.load_font(os.path.join(fab_static, FA_SOLID), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=set().union(*(codepoints[n] for n in names)))
    subsetter.subset(font)
    target = os.path.join(app.static_folder, ICON_FONT)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    subset.save_font(font, target, options)
    digest = file_digest(app, "static", ICON_FONT)
    rel = os.path.relpath(target, os.path.dirname(os.path.join(app.static_folder, ICON_CSS))).replace(os.sep, "/")
    with open(os.path.join(app.static_folder, ICON_CSS), "w", encoding="utf-8") as fh:
        fh.write(
            "/* Font Awesome 6 Free solid (SIL OFL 1.1), only the icons the panel names: written by\n"
            "   `flask --app run subset-icons` (app/static_assets.py); loaded by the lean pages instead of\n"
            "   Flask-AppBuilder's solid.min.css. Do not edit. */\n"
            f"/* icons: {' '.join(names)} */\n"
            '@font-face{font-family:"Font Awesome 6 Free";font-style:normal;font-weight:900;'
            f'font-display:block;src:url({rel}?v={digest}) format("woff2")}}\n'
            ".fa-solid,.fas{font-weight:900}\n")
    return len(names), os.path.getsize(target)


def register_commands(app: Flask) -> None:
    @app.cli.command("subset-icons")
    def subset_icons_command():
        """Rewrite the icon font subset of the lean pages (after a template names a new icon)."""
        count, size = build_icon_subset(app)
        print(f"{count} ikon, {size / 1024:.1f} KiB: app/static/{ICON_FONT}, app/static/{ICON_CSS}")
