"""Security headers on every response (pages, API, static files, error pages).

flask-talisman sets the Content-Security-Policy with a fresh nonce per request, which
Flask-AppBuilder's templates already put on each of their `<script>` tags
(`baselib.get_nonce()` reads Talisman's `csp_nonce()`), as do the app's templates. So scripts
run only from this origin or with that nonce: no 'unsafe-inline' and no 'unsafe-eval' for
scripts, and inline event handlers are not allowed (app/static/js/ui.js wires them instead).
Styles keep 'unsafe-inline': the templates use `style="…"` attributes, which a nonce cannot
cover, and styles cannot run code.

HSTS is sent only when the request came over TLS as seen by `request.is_secure`, which
honours the reverse proxy's X-Forwarded-Proto only where ProxyFix trusts it. Talisman's own
HSTS also trusts a raw X-Forwarded-Proto header from anybody, so it is switched off here.
Talisman's redirect to https is off too: TLS ends at the reverse proxy, which redirects.
Cookie flags come from config.py (`SESSION_COOKIE_SECURE` and friends), not from Talisman.
"""
from __future__ import annotations

from flask import Flask, request
from flask_talisman import Talisman

SELF = "'self'"

CONTENT_SECURITY_POLICY = {
    "default-src": SELF,
    "script-src": SELF,  # + the per-request nonce
    "style-src": [SELF, "'unsafe-inline'"],
    "img-src": [SELF, "data:"],
    "font-src": SELF,
    "connect-src": SELF,
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": SELF,
    "form-action": SELF,
}
REFERRER_POLICY = "strict-origin-when-cross-origin"


def register(app: Flask) -> None:
    """One Talisman per app (a shared instance would keep the last app's settings)."""
    talisman = Talisman()
    talisman.init_app(
        app,
        force_https=False,
        frame_options="DENY",
        strict_transport_security=False,
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        referrer_policy=REFERRER_POLICY,
        session_cookie_secure=False,  # config.py decides; Talisman would force it on
        session_cookie_http_only=app.config.get("SESSION_COOKIE_HTTPONLY", True),
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
        x_content_type_options=True,
    )
    app.extensions["talisman"] = talisman
    max_age = int(app.config.get("HSTS_MAX_AGE", 365 * 24 * 3600))

    @app.after_request
    def strict_transport_security(response):
        if request.is_secure and max_age > 0:
            response.headers["Strict-Transport-Security"] = f"max-age={max_age}; includeSubDomains"
        return response
