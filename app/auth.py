"""Login, sessions and throttling for pages and API alike (docs/SECURITY.md, section 2).

- `authenticate()` is the one login path of the form (`/login/`) and the API
  (`/api/v1/security/login`): per-address limits in the limiter's storage (memory per worker, or
  Redis shared by all workers), the per-account lockout in the database, then FAB's password
  check.
- Page sessions are checked on every request against `login_session` (app/services/sessions.py);
  JWTs carry the account's token version and are refused once it changed.
- Password forms apply app/domain/passwords.py; changing one's own password asks for the
  current one.
"""
from __future__ import annotations

import logging
import math
import time
from datetime import timedelta

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_appbuilder._compat import as_unicode
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.decorators import no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.views import AuthDBView, ResetMyPasswordView, ResetPasswordView
from flask_appbuilder.security.views import UserDBModelView as FabUserDBModelView
from flask_appbuilder.utils.base import get_safe_redirect
from flask_appbuilder.validators import PasswordComplexityValidator
from flask_appbuilder.views import expose
from flask_jwt_extended import create_access_token, create_refresh_token
from flask_login import current_user, login_user, logout_user, user_logged_in, user_logged_out
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.security import check_password_hash
from wtforms import PasswordField, ValidationError
from wtforms.validators import DataRequired, EqualTo

from app.domain.passwords import password_problems
from app.models.audit import utcnow
from app.services import sessions
from app.views.widgets import EkListWidget

log = logging.getLogger("ekinerja.auth")

SID_KEY = "_ek_sid"  # the random session id in the signed cookie

MSG_INVALID = "Nama pengguna atau kata sandi salah."
MSG_THROTTLED = "Terlalu banyak percobaan masuk dari alamat ini. Coba lagi dalam {wait} detik."
MSG_LOCKED = ("Akun ini dikunci sementara karena terlalu banyak percobaan dengan kata sandi yang salah. "
              "Coba lagi dalam {wait} menit, atau minta admin mengatur ulang kata sandi.")
MSG_TOKEN_REVOKED = "Token tidak berlaku lagi (sesi dicabut). Silakan masuk kembali."
MSG_USER_INACTIVE = "Akun tidak aktif atau tidak ditemukan. Silakan masuk kembali."


class LoginRefused(Exception):
    def __init__(self, status: int, message: str, retry_after: int):
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, max(1, retry_after)


# --------------------------------------------------------------------------- throttling
def _strategy():
    limiter = current_app.appbuilder.sm.limiter
    return limiter.limiter if limiter.enabled else None


def _limit(key: str, scope: str):
    from limits import parse

    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "ekinerja"
    return parse(current_app.config[key]), (prefix, scope, request.remote_addr or "-")


def _refuse_throttled(strategy, item, ids) -> None:
    wait = math.ceil(strategy.get_window_stats(item, *ids).reset_time - time.time())
    log.warning("Percobaan masuk dari %s dibatasi (%s)", request.remote_addr, item)
    raise LoginRefused(429, MSG_THROTTLED.format(wait=max(1, wait)), wait)


def _check_address() -> None:
    """429 when the client address made too many failed, or too many, login attempts."""
    strategy = _strategy()
    if strategy is None:
        return
    try:
        failed, failed_ids = _limit("LOGIN_FAILED_RATE_LIMIT", "login-failed")
        if not strategy.test(failed, *failed_ids):
            _refuse_throttled(strategy, failed, failed_ids)
        total, total_ids = _limit("LOGIN_RATE_LIMIT", "login-all")
        if not strategy.hit(total, *total_ids):
            _refuse_throttled(strategy, total, total_ids)
    except LoginRefused:
        raise
    except Exception:  # the shared store is down: logins stay possible, the lockout still holds
        log.exception("Penyimpanan pembatas percobaan masuk tidak dapat dipakai")


def _count_failure() -> None:
    strategy = _strategy()
    if strategy is None:
        return
    try:
        item, ids = _limit("LOGIN_FAILED_RATE_LIMIT", "login-failed")
        strategy.hit(item, *ids)
    except Exception:
        log.exception("Penyimpanan pembatas percobaan masuk tidak dapat dipakai")


# --------------------------------------------------------------------------- the login
def _record_refusal(kind: str) -> None:
    """A refused login in the audit log, counted per address, kind and minute (the client is
    anonymous); marks the request so the generic refusal logging does not count it again."""
    from app.services.audit import record_anonymous_refusal

    try:
        record_anonymous_refusal(request.remote_addr, kind, f"{request.method} {request.path}", entity="login")
        g.ek_refusal_logged = True
    except Exception:  # a refusal is never turned into a 500
        log.exception("Gagal mencatat penolakan login")


def _locked(until) -> LoginRefused:
    wait = math.ceil((until - utcnow()).total_seconds() / 60)
    return LoginRefused(403, MSG_LOCKED.format(wait=max(1, wait)), wait * 60)


def authenticate(username: str, password: str):
    """The login of the form and the API: the user, None for a wrong name or password, or
    LoginRefused (429 address throttled, 403 account locked)."""
    from app.extensions import db
    from app.services.audit import add_event

    sm = current_app.appbuilder.sm
    try:
        _check_address()
    except LoginRefused:
        _record_refusal("LOGIN_DIBATASI")
        raise
    user = None
    if username:
        user = sm.find_user(username=username) or sm.find_user(email=username)
    if user is not None and user.is_active:
        until = sessions.locked_until(user.id)
        if until is not None:
            _count_failure()
            _record_refusal("LOGIN_TERKUNCI")
            log.warning("Login akun terkunci %s dari %s ditolak", username, request.remote_addr)
            raise _locked(until)
    result = sm.auth_user_db(username, password)
    if result is None:
        _count_failure()
        _record_refusal("LOGIN_GAGAL")
        if user is not None and user.is_active:
            cfg = current_app.config
            until = sessions.register_failure(user.id, int(cfg["LOGIN_LOCKOUT_THRESHOLD"]),
                                              timedelta(minutes=int(cfg["LOGIN_LOCKOUT_MINUTES"])))
            if until is not None:
                log.warning("Akun %s dikunci sampai %s UTC (kata sandi salah dari %s)", username, until,
                            request.remote_addr)
                add_event(db.session, "User", user.id, "LOGIN_LOCKED",
                          detail=f"Akun {user.username} dikunci sampai {until:%Y-%m-%d %H:%M} UTC setelah "
                                 f"{cfg['LOGIN_LOCKOUT_THRESHOLD']} kata sandi salah")
                db.session.commit()
                raise _locked(until)
        return None
    sessions.reset_failures(result.id)
    return result


class EkAuthDBView(AuthDBView):
    class_permission_name = "AuthDBView"
    invalid_login_message = MSG_INVALID

    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    def login(self):
        if g.user is not None and g.user.is_authenticated:
            return redirect(self._get_safe_next_url())
        form = LoginForm_db()
        if form.validate_on_submit():
            next_url = get_safe_redirect(request.args.get("next", ""))
            try:
                user = authenticate(form.username.data, form.password.data)
            except LoginRefused as exc:
                flash(exc.message, "danger")
                if exc.status == 429:
                    page = self.render_template(self.login_template, title=self.title, form=form,
                                                appbuilder=self.appbuilder)
                    return page, 429, {"Retry-After": str(exc.retry_after)}
                return redirect(self.appbuilder.get_url_for_login_with(next_url))
            if not user:
                flash(as_unicode(self.invalid_login_message), "warning")
                return redirect(self.appbuilder.get_url_for_login_with(next_url))
            login_user(user, remember=False)
            return redirect(next_url)
        return self.render_template(self.login_template, title=self.title, form=form, appbuilder=self.appbuilder)


class EkSecurityApi(SecurityApi):
    class_permission_name = "SecurityApi"

    @expose("/login", methods=["POST"])
    def login(self):
        """Login for the API: a JWT access token and optionally a refresh token
        ---
        post:
          description: >-
            Masuk dengan nama pengguna dan kata sandi. Dibatasi per alamat (429) dan per akun
            (403 akun terkunci sementara).
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    username:
                      type: string
                    password:
                      type: string
                    provider:
                      type: string
                      enum:
                      - db
                    refresh:
                      type: boolean
          responses:
            200:
              description: Berhasil masuk
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      access_token:
                        type: string
                      refresh_token:
                        type: string
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            429:
              description: Terlalu banyak percobaan masuk dari alamat ini
        """
        from flask_appbuilder.const import API_SECURITY_PROVIDER_DB
        from flask_appbuilder.security.schemas import login_post
        from marshmallow import ValidationError as SchemaError

        if not request.is_json:
            return self.response_400(message="Isi permintaan harus JSON.")
        try:
            payload = login_post.load(request.json)
        except SchemaError as error:
            return self.response_400(message=error.messages)
        if payload["provider"] != API_SECURITY_PROVIDER_DB:
            return self.response_400(message="Penyedia login tidak dikenal; gunakan \"db\".")
        try:
            user = authenticate(payload["username"], payload["password"])
        except LoginRefused as exc:
            resp = self.response(exc.status, message=exc.message)
            resp.headers["Retry-After"] = str(exc.retry_after)
            return resp
        if not user:
            return self.response(401, message=MSG_INVALID)
        tokens = {"access_token": create_access_token(identity=str(user.id), fresh=True)}
        if payload.get("refresh"):
            tokens["refresh_token"] = create_refresh_token(identity=str(user.id))
        return self.response(200, **tokens)


# --------------------------------------------------------------------------- passwords
def _policy_names() -> tuple[str, ...]:
    """User name and NIP of the account whose password the current form sets."""
    from app.extensions import db
    from app.models import Employee

    sm = current_app.appbuilder.sm
    target = None
    if request.endpoint and request.endpoint.startswith(sm.resetpasswordview.__name__ + "."):
        target = sm.get_user_by_id(request.args.get("pk", type=int) or 0)
    elif request.endpoint and request.endpoint.startswith(sm.resetmypasswordview.__name__ + "."):
        target = sm.get_user_by_id(g.user.id) if g.user is not None and g.user.is_authenticated else None
    if target is None:  # a new user in the user form
        return tuple(v for v in (request.form.get("username"), request.form.get("email", "").split("@")[0]) if v)
    nip = db.session.query(Employee.nip).filter(Employee.user_id == target.id).scalar()
    return tuple(v for v in (target.username, nip, (target.email or "").split("@")[0]) if v)


def check_password_policy(password: str) -> None:
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: every FAB form that sets a password calls this."""
    from flask_appbuilder.exceptions import PasswordComplexityValidationError

    problems = password_problems(password, _policy_names(), int(current_app.config["PASSWORD_MIN_LENGTH"]))
    if problems:
        raise PasswordComplexityValidationError(" ".join(problems))


def _current_password_ok(form, field) -> None:
    user = current_app.appbuilder.sm.get_user_by_id(g.user.id)
    if user is None or not user.password or not check_password_hash(user.password, field.data or ""):
        raise ValidationError("Kata sandi saat ini salah.")


class _Rules:
    """The policy as the forms describe it (the minimum length is a setting)."""

    def __str__(self) -> str:
        return (f"Minimal {current_app.config['PASSWORD_MIN_LENGTH']} karakter, bukan nama pengguna atau NIP "
                "(dan tidak memuatnya), bukan kata sandi umum.")


_RULES = _Rules()


# Created before the form's own fields, so that it is shown first.
_CURRENT_PASSWORD = PasswordField("Kata sandi saat ini", validators=[DataRequired(), _current_password_ok],
                                  widget=BS3PasswordFieldWidget())


class SetPasswordForm(DynamicForm):
    password = PasswordField("Kata sandi baru", description=_RULES,
                             validators=[DataRequired(), PasswordComplexityValidator()],
                             widget=BS3PasswordFieldWidget())
    conf_password = PasswordField("Ulangi kata sandi baru",
                                  validators=[EqualTo("password", message="Kedua kata sandi baru tidak sama.")],
                                  widget=BS3PasswordFieldWidget())


class ChangeOwnPasswordForm(SetPasswordForm):
    current_password = _CURRENT_PASSWORD


class EkResetMyPasswordView(ResetMyPasswordView):
    class_permission_name = "ResetMyPasswordView"  # the permission names of FAB_ROLES
    form = ChangeOwnPasswordForm
    form_title = "Ubah Kata Sandi"
    message = "Kata sandi diganti. Sesi lain dan token API akun ini telah diakhiri."


class UserDBModelView(FabUserDBModelView):
    """FAB's user pages (also "Profil"): Aktif as Ya/Tidak and the roles as a list of names,
    not Python's True and ['Pegawai']. Same class name as FAB's, so endpoints, permissions and
    the page_/_oc_ list arguments keep their names. Light list rows as the app's lists (10,000
    logins: 100 rows of FAB's list were 278 KB)."""
    list_widget = EkListWidget
    formatters_columns = {
        "active": lambda v: "Ya" if v else "Tidak",
        "roles": lambda roles: ", ".join(r.name for r in roles or []),
    }


class EkResetPasswordView(ResetPasswordView):
    class_permission_name = "ResetPasswordView"
    form = SetPasswordForm
    form_title = "Atur Ulang Kata Sandi Pengguna"
    message = "Kata sandi diatur ulang. Semua sesi dan token API pengguna itu telah diakhiri."


def password_changed(user_id: int) -> None:
    """After a password is set: end every session and token of the login; the client that
    changed its own password continues in a fresh session."""
    from app.extensions import db
    from app.services.audit import add_event

    user_id = int(user_id)
    sessions.revoke_user(user_id, sessions.END_PASSWORD)
    own = has_page_login() and str(current_user.get_id()) == str(user_id)
    add_event(db.session, "User", user_id, "PASSWORD_CHANGED" if own else "PASSWORD_RESET")
    db.session.commit()
    if own:
        session[SID_KEY] = sessions.start_session(user_id, request.remote_addr, request.user_agent.string)


def has_page_login() -> bool:
    from flask import has_request_context

    return has_request_context() and "_user_id" in session and current_user.is_authenticated


# --------------------------------------------------------------------------- sessions
def session_refusal(user_id) -> str | None:
    """Why the page session of this request may not continue (None: it may)."""
    cfg = current_app.config
    reason = sessions.check_session(user_id, session.get(SID_KEY),
                                    timedelta(minutes=int(cfg["SESSION_IDLE_MINUTES"])),
                                    timedelta(hours=float(cfg["SESSION_ABSOLUTE_HOURS"])))
    if reason:
        g.ek_session_end = reason
    return reason


def _session_message(reason: str) -> str:
    cfg = current_app.config
    if reason == sessions.END_IDLE:
        return (f"Sesi Anda berakhir karena tidak ada aktivitas selama {cfg['SESSION_IDLE_MINUTES']} menit. "
                "Silakan masuk kembali.")
    if reason == sessions.END_ABSOLUTE:
        return (f"Sesi Anda berakhir karena sudah berlangsung {float(cfg['SESSION_ABSOLUTE_HOURS']):g} jam. "
                "Silakan masuk kembali.")
    return "Sesi Anda telah berakhir. Silakan masuk kembali."


def _enforce_session():
    """A page session that the server ended (or that timed out) is logged out at once."""
    if request.endpoint is None or request.endpoint.endswith("static") or "_user_id" not in session:
        return None
    g.pop("ek_session_end", None)
    if current_user.is_authenticated:  # loads the user: EKinerjaSecurityManager.load_user
        return None
    reason = g.pop("ek_session_end", None) or "ended"
    logout_user()
    session.pop(SID_KEY, None)
    login_endpoint = current_app.appbuilder.sm.auth_view.endpoint + ".login"
    if request.path.startswith("/api/") or request.endpoint == login_endpoint:
        return None
    flash(_session_message(reason), "warning")
    next_url = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for(login_endpoint, next=next_url))


def _on_login(sender, user, **extra) -> None:
    session[SID_KEY] = sessions.start_session(user.id, request.remote_addr, request.user_agent.string)
    log.info("Login %s dari %s", user.username, request.remote_addr)


def _on_logout(sender, user, **extra) -> None:
    sessions.end_session(session.pop(SID_KEY, None), sessions.END_LOGOUT)


# --------------------------------------------------------------------------- JWT
def _token_claims(identity) -> dict:
    return {"tv": sessions.token_version(identity)}


def _token_revoked(jwt_header, jwt_payload) -> bool:
    return jwt_payload.get("tv", 0) != current_app.appbuilder.sm.token_version(jwt_payload["sub"])


def _revoked_response(jwt_header, jwt_payload):
    from flask import jsonify

    return jsonify(message=MSG_TOKEN_REVOKED), 401


def _user_lookup_failed(jwt_header, jwt_payload):
    from flask import jsonify

    return jsonify(message=MSG_USER_INACTIVE), 401


def init_auth(app, sm) -> None:
    """Wire the login machinery into the app (called by the security manager)."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:  # the real client address from X-Forwarded-For, set by that many proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.config.setdefault("FAB_PASSWORD_COMPLEXITY_VALIDATOR", check_password_policy)
    app.before_request(_enforce_session)
    user_logged_in.connect(_on_login, app)
    user_logged_out.connect(_on_logout, app)
    sessions.register_listeners()
    jm = sm.jwt_manager
    jm.additional_claims_loader(_token_claims)
    jm.token_in_blocklist_loader(_token_revoked)
    jm.revoked_token_loader(_revoked_response)
    jm.user_lookup_error_loader(_user_lookup_failed)
