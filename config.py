"""Settings from the environment. `create_app()` reads one of these classes."""
import os

BASE_DIR = os.path.abspath(os.path.dirname(__file__))


def _default_sqlite() -> str:
    instance = os.path.join(BASE_DIR, "instance")
    os.makedirs(instance, exist_ok=True)
    return "sqlite:///" + os.path.join(instance, "ekinerja.db")


def _env_flag(name: str, default: bool) -> bool:
    """A yes/no setting from the environment: 1/true/yes/ya/on or 0/false/no/tidak/off."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    return raw in ("1", "true", "yes", "ya", "on")


# `EKINERJA_ENV=development` is a local machine on plain http (cookies without Secure);
# anything else is a deployment behind TLS.
EKINERJA_ENV = os.environ.get("EKINERJA_ENV", "production").strip().lower()


def _role(*pairs):
    """FAB_ROLES entry: anchored (view, permission) regular expressions."""
    return [[f"^{view}$", f"^{perm}$"] for view, perm in pairs]


# Every role may use its own profile and reset its own password.
_SELF = (
    ("UserInfoEditView", "can_this_form_get|can_this_form_post"),
    ("ResetMyPasswordView", "can_this_form_get|can_this_form_post"),
    ("UserDBModelView", "can_userinfo|resetmypassword"),
    ("MyUserInfo", "menu_access"),
    ("NotificationView", "can_index|can_settings"),
)
_READ = "can_list|can_show|can_get|can_info"
_WRITE = "can_list|can_show|can_add|can_edit|can_delete|can_get|can_info|can_post|can_put"
_MASTER_VIEWS = "UnitView|PositionView|EmployeeView|SuperiorOverrideView|ActivityCatalogView|HolidayView|PeriodView"
_MASTER_APIS = "UnitApi|PositionApi|EmployeeApi|ActivityCatalogApi"
_MASTER_MENUS = "Data Induk|Unit Kerja|Jabatan|Pegawai|Atasan Pengganti|Katalog Uraian Tugas|Hari Libur|Periode"
_WORK_MENUS = "Kinerja|Aktivitas Harian"
_QUEUE_MENUS = "Kinerja|Persetujuan Aktivitas|Antrean Persetujuan"
_QUEUE_PAGE = ("QueueView", "can_index|can_decide")  # Antrean Persetujuan (app/views/queue.py)
_REPORT_MENUS = "Kinerja|Keterlambatan Persetujuan"
_SETTING_MENUS = "Pengaturan|Parameter|Pengecualian Batas Pengajuan"
_SCORE_MENUS = "Kinerja|Rekap Kinerja dan TPP"
_ATTENDANCE_MENUS = "Kehadiran|Data Kehadiran|Impor Kehadiran"
_EVAL_MENUS = "Penilaian|Penilaian Periodik|Predikat Organisasi|Distribusi Predikat"
_TPP_MENUS = "Pengaturan|Tabel TPP per Kelas|Hukuman Disiplin"
_REPORT_VIEWS = "ReportView"
_REPORTS = "can_index|can_download"
_REPORT_MENUS2 = "Laporan|Unduh Laporan Excel|Dasbor"
_API_READ = "can_get|can_info"
_API_ENTRY = "can_get|can_info|can_post|can_put|can_delete|can_submit"
# Aktivitas Saya (app/views/my_activities.py): one's own day, for whoever records own work.
_MINE = "can_index|can_add|can_edit|can_delete|can_submit"
_API_DECIDE = "can_get|can_info|can_approve|can_return|can_reject|can_bulk_approve"
# Tindak Lanjut (app/views/followup.py, app/api/followup.py): BKD writes and decides, Admin has
# every permission, the Auditor and the Operator OPD read (the service scopes the operator's OPD).
_FOLLOWUP_MENUS = "Penilaian|Aturan dan Kandidat|Kotak Talenta|Kandidat Jabatan Lowong|Nilai Potensi"
_FOLLOWUP_READ = (("FollowupView|TalentBoxView|VacancyView|PotentialView", "can_index"), ("FollowupApi", "can_get"),
                  (_FOLLOWUP_MENUS, "menu_access"))
_FOLLOWUP_BKD = (("FollowupView", "can_manage|can_decide"),
                 ("PotentialView", "can_upload|can_confirm|can_template|can_save"), ("FollowupApi", "can_manage|can_decide"))
# SKP tahunan REST API (app/api/skp.py): planning (own SKP; the operator for the OPD), deciding
# (the superior; BKD at the top of the tree), reading; strategic goals written by BKD and operators.
_SKP_APIS_READ = ("SkpApi|RhkApi|RhkIndicatorApi|StrategicGoalApi", _API_READ)
_SKP_PLAN = ("SkpApi", "can_post|can_submit|can_revise")
_SKP_DECIDE = ("SkpApi", "can_approve|can_return")
_SKP_PLAN_ITEMS = ("RhkApi|RhkIndicatorApi", "can_post|can_put|can_delete")
_GOAL_WRITE = ("StrategicGoalApi", "can_post|can_put|can_delete")
# SKP pages (app/views/skp.py): SKP Saya (plan one's own), Persetujuan SKP (the superior; BKD at the
# top), the read-only detail and list of the SKP in scope, Sasaran Strategis (BKD and operators write).
_SKP_MINE_PAGES = (("MySkpView", "can_index|can_plan"), ("SkpApprovalView", "can_show"), ("SKP|SKP Saya", "menu_access"))
_SKP_DECIDE_PAGES = (("SkpApprovalView", "can_index|can_decide|can_show"),
                     ("SKP|Persetujuan SKP|Daftar SKP", "menu_access"))
_SKP_READ_PAGES = (("SkpApprovalView", "can_show"), ("StrategicGoalView", "can_index"),
                   ("SKP|Daftar SKP|Sasaran Strategis", "menu_access"))
_GOAL_PAGES = (("StrategicGoalView", "can_index|can_write"), ("SKP|Sasaran Strategis", "menu_access"))
# Pertukaran BKN (app/views/bkn.py): export of the SKP and predikat in scope (BKD, Admin, Auditor: the
# city; Operator OPD: own OPD), import of BKN e-Kinerja predikat by BKD only.
_BKN_EXPORT = (("BknView", "can_index|can_export"), ("SKP|Pertukaran BKN", "menu_access"))
_BKN_IMPORT = ("BknView", "can_upload|can_confirm")
# Matriks Peran Hasil (app/views/cascade.py, app/api/cascade.py): app.security.cascade_reach scopes it
# (BKD, Admin, Auditor: every OPD; Operator OPD: own OPD; Pegawai/Atasan: own branch).
_CASCADE = (("CascadeView", "can_index|can_download"), ("CascadeApi", "can_get"), ("SKP|Matriks Peran Hasil", "menu_access"))
# Realisasi SKP (app/views/realisation.py): the employee's own page; the others read the SKP in their
# scope (app.services.realisation.load_skp / load_realisation).
_REALISATION_MINE = (("RealisationView", "can_index|can_save|can_show"), ("SKP|Realisasi SKP", "menu_access"))
_REALISATION_READ = ("RealisationView", "can_show")
# Printable SKP and evaluation (app/views/documents.py): app.services.documents scopes the rows.
_DOCUMENTS = ("DocumentView", "can_skp|can_evaluation")


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "ganti-kunci-rahasia-ini")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _default_sqlite()
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Seconds a worker keeps the city-wide dashboard rates of a period (app.services.dashboard
    # opd_rates: the month's ~800,000 activities at city size); 0 = always computed.
    DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", 120))
    # A list page (panel and API) counts at most this many rows, or ten pages past its own
    # (app/listing.py); a page that is not full is not counted.
    LIST_COUNT_BOUND = int(os.environ.get("LIST_COUNT_BOUND", 10_000))
    # Seconds a worker keeps a count that reached the bound ("lebih dari 10.000"), so paging
    # or refreshing the same list does not count again; 0 = always counted.
    LIST_COUNT_CACHE_SECONDS = int(os.environ.get("LIST_COUNT_CACHE_SECONDS", 60))
    # Recap, payroll and distribution files of an OPD or the city are kept on disk and served
    # again while the period's recap rows are unchanged, at most this many seconds
    # (app/services/report_cache.py); 0 = always built. REPORT_CACHE_DIR: the folder (default
    # ekinerja-report-cache in the temporary directory; on several nodes each keeps its own).
    REPORT_CACHE_SECONDS = int(os.environ.get("REPORT_CACHE_SECONDS", 120))
    REPORT_CACHE_DIR = os.environ.get("REPORT_CACHE_DIR", "")
    # A PostgreSQL streaming replica for the report files and dashboards (app/services/replica.py,
    # docs/deploy.md): used while it answers and lags at most REPLICA_MAX_LAG_SECONDS, else the
    # primary; after a failed connection it is tried again after REPLICA_RETRY_SECONDS.
    DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
    REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", 30))
    REPLICA_CONNECT_TIMEOUT = int(os.environ.get("REPLICA_CONNECT_TIMEOUT", 2))
    REPLICA_RETRY_SECONDS = float(os.environ.get("REPLICA_RETRY_SECONDS", 15))

    # E-mail digest (`flask --app run send-reminders`, Flask-Mail): the SMTP server and sender.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").strip().lower() in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "e-Kinerja Kota Malang <ekinerja@malangkota.go.id>")
    # Address of the panel in the digest's link (no request in a cron job).
    APP_BASE_URL = os.environ.get("APP_BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    APP_NAME = "e-Kinerja Kota Malang"
    APP_THEME = ""
    # FAB's layout plus app/static/css/ekinerja.css (app/templates/ek_layout.html).
    FAB_BASE_TEMPLATE = "ek_layout.html"
    # Static files (app/static_assets.py): URLs carry the file's digest (?v=…) and are cached for
    # STATIC_MAX_AGE_FINGERPRINTED seconds as immutable; a static URL without the current digest
    # (a font named by a stylesheet, favicon.ico, the manifest) for STATIC_MAX_AGE seconds.
    STATIC_FINGERPRINT = _env_flag("STATIC_FINGERPRINT", True)
    STATIC_MAX_AGE_FINGERPRINTED = int(os.environ.get("STATIC_MAX_AGE_FINGERPRINTED", 365 * 24 * 3600))
    STATIC_MAX_AGE = int(os.environ.get("STATIC_MAX_AGE", 24 * 3600))
    # Flask-Compress: zstd, br or gzip as the browser accepts; text responses of 500 bytes or more.
    COMPRESS_ALGORITHM = ["zstd", "br", "gzip", "deflate"]
    COMPRESS_MIN_SIZE = 500
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    # Indonesian by default; English selectable in the navbar (FAB's /lang/<code>, app/i18n.py).
    LANGUAGES = {"id": {"flag": "id", "name": "Bahasa Indonesia"}, "en": {"flag": "gb", "name": "English"}}
    FAB_INDEX_VIEW = "app.views.home.HomeView"

    # The schema comes from migrations; roles and permissions from `flask sync-roles`.
    FAB_CREATE_DB = False
    FAB_UPDATE_PERMS = False
    FAB_ADD_SECURITY_VIEWS = True
    FAB_API_SWAGGER_UI = True
    FAB_API_MAX_PAGE_SIZE = 100
    FAB_SECURITY_MANAGER_CLASS = "app.security.EKinerjaSecurityManager"
    AUTH_TYPE = 1  # AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    # Login, sessions and throttling (docs/SECURITY.md, section 2). FAB's own AUTH_RATE_LIMITED
    # throttles the form only, every POST alike: app/auth.py limits form and API together.
    AUTH_RATE_LIMITED = False
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
    # memory:// counts per worker; redis://host:6379/0 shares the limits between all workers.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "ekinerja")
    # A Redis that does not answer delays a login by at most this long (then logins go on).
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    # Per client address: every login attempt (an office behind one NAT address logs in at 08:00)
    # and the failed ones.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "600 per minute")
    LOGIN_FAILED_RATE_LIMIT = os.environ.get("LOGIN_FAILED_RATE_LIMIT", "40 per 10 minute")
    # Per account: this many wrong passwords in a row lock it for the cool-down (0: never).
    LOGIN_LOCKOUT_THRESHOLD = int(os.environ.get("LOGIN_LOCKOUT_THRESHOLD", 20))
    LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", 15))
    # Reverse proxies in front of the app that set X-Forwarded-For (0: ignore the header).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", 30))
    SESSION_ABSOLUTE_HOURS = float(os.environ.get("SESSION_ABSOLUTE_HOURS", 10))
    # Policy for a new password (app/domain/passwords.py), in every form that sets one.
    PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", 10))
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    # No cookie login for the REST API (it is CSRF-exempt): JWT only.
    FAB_API_ALLOW_JWT_COOKIE = False
    JWT_TOKEN_LOCATION = ["headers"]
    JWT_ACCESS_TOKEN_EXPIRES = 3600
    # Cookies (session and remember-me): HttpOnly, SameSite=Lax, and Secure except in
    # development; `SESSION_COOKIE_SECURE=0` turns Secure off explicitly (see docs/SECURITY.md).
    SESSION_COOKIE_SECURE = _env_flag("SESSION_COOKIE_SECURE", EKINERJA_ENV != "development")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Strict-Transport-Security max-age (seconds), sent only on requests that came over TLS.
    HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", 365 * 24 * 3600))
    PAGE_SIZE_MAX = 100

    FAB_ROLES = {
        "BKD": _role(
            *_SELF,
            (_MASTER_VIEWS, _WRITE),
            ("EmployeeView", "deactivate"),
            (_MASTER_APIS, _WRITE),
            (_MASTER_MENUS, "menu_access"),
            ("PeriodView", "close_period|can_close_period|open_reopen_form|can_reopen_period"),
            ("ActivityView", _READ + "|koreksi|can_correct"),
            ("ApprovalQueueView", _READ + "|approve|putuskan|can_decide"),
            _QUEUE_PAGE,
            ("OverdueReportView", "can_index"),
            ("ParameterView|SubmitExceptionView", _WRITE),
            ("AuditLogView", _READ),
            ("ActivityApi", _API_READ + "|" + _API_DECIDE + "|can_correct"),
            _SKP_APIS_READ, _SKP_DECIDE, _GOAL_WRITE, *_CASCADE,
            _REALISATION_READ,
            *_SKP_DECIDE_PAGES, *_SKP_READ_PAGES, *_GOAL_PAGES, _DOCUMENTS,
            ("RecapView", _READ + "|can_rincian|rincian|can_recompute"),
            ("AttendanceView", _READ),
            ("AttendanceImportView", "can_index|can_upload|can_confirm|can_template"),
            ("TppRateView|SanctionView|OrgPredikatView", _WRITE),
            ("EvaluationView", _READ + "|can_subordinates|can_evaluate"),
            ("DistributionReportView", "can_index"),
            (_SCORE_MENUS + "|" + _ATTENDANCE_MENUS + "|" + _EVAL_MENUS + "|" + _TPP_MENUS + "|Hitung Ulang Rekap",
             "menu_access"),
            ("ReportView|DashboardView", _REPORTS + "|can_data"),
            ("ReportApi", "can_get|can_download"),
            ("MasterImportView", "can_index|can_upload|can_confirm|can_template"),
            (_REPORT_MENUS2 + "|Impor Data Induk", "menu_access"),
            (_WORK_MENUS + "|" + _QUEUE_MENUS + "|" + _REPORT_MENUS + "|" + _SETTING_MENUS + "|Laporan|Log Audit",
             "menu_access"),
            *_FOLLOWUP_READ,
            *_FOLLOWUP_BKD,
            *_BKN_EXPORT, _BKN_IMPORT,
        ),
        "Operator OPD": _role(
            *_SELF,
            ("PositionView|EmployeeView|SuperiorOverrideView", _WRITE),
            ("EmployeeView", "deactivate"),
            ("PositionApi|EmployeeApi", _WRITE),
            ("UnitView|ActivityCatalogView|HolidayView|PeriodView", _READ),
            ("UnitApi|ActivityCatalogApi", _READ),
            (_MASTER_MENUS, "menu_access"),
            ("ActivityView", _WRITE + "|submit"),
            ("MyActivitiesView", _MINE),
            ("Kinerja|Aktivitas Saya", "menu_access"),
            ("OverdueReportView", "can_index"),
            ("SubmitExceptionView", _READ),
            ("ActivityApi", _API_ENTRY),
            _SKP_APIS_READ, _SKP_PLAN, _SKP_PLAN_ITEMS, _GOAL_WRITE, *_CASCADE,
            _REALISATION_READ,
            *_SKP_MINE_PAGES, *_SKP_READ_PAGES, *_GOAL_PAGES, _DOCUMENTS,
            (_WORK_MENUS + "|" + _REPORT_MENUS + "|Pengaturan|Pengecualian Batas Pengajuan", "menu_access"),
            ("RecapView", _READ + "|can_rincian|rincian"),
            ("AttendanceView", _READ),
            ("AttendanceImportView", "can_index|can_upload|can_confirm|can_template"),
            ("SanctionView|OrgPredikatView|EvaluationView", _READ),
            ("DistributionReportView", "can_index"),
            (_SCORE_MENUS + "|" + _ATTENDANCE_MENUS + "|" + _EVAL_MENUS + "|Hukuman Disiplin", "menu_access"),
            ("ReportView|DashboardView", _REPORTS + "|can_data"),
            ("ReportApi", "can_get|can_download"),
            ("MasterImportView", "can_index|can_upload|can_confirm|can_template"),
            (_REPORT_MENUS2 + "|Impor Data Induk", "menu_access"),
            *_FOLLOWUP_READ,
            *_BKN_EXPORT,
        ),
        "Pegawai": _role(
            *_SELF,
            ("UnitView|PositionView|EmployeeView|SuperiorOverrideView", _READ),
            ("ActivityCatalogView|HolidayView|PeriodView", _READ),
            ("UnitApi|PositionApi|EmployeeApi|ActivityCatalogApi", _READ),
            (_MASTER_MENUS, "menu_access"),
            ("ActivityView", _WRITE + "|submit"),
            ("MyActivitiesView", _MINE),
            ("Kinerja|Aktivitas Saya", "menu_access"),
            ("ActivityApi", _API_ENTRY),
            _SKP_APIS_READ, _SKP_PLAN, _SKP_PLAN_ITEMS, *_CASCADE,
            *_REALISATION_MINE,
            *_SKP_MINE_PAGES, ("StrategicGoalView", "can_index"), ("SKP|Sasaran Strategis", "menu_access"),
            _DOCUMENTS,
            (_WORK_MENUS, "menu_access"),
            ("RecapView", _READ + "|can_rincian|rincian"),
            ("AttendanceView|EvaluationView", _READ),
            (_SCORE_MENUS + "|Kehadiran|Data Kehadiran|Penilaian|Penilaian Periodik", "menu_access"),
            ("ReportView|DashboardView", _REPORTS + "|can_data"),
            ("ReportApi", "can_get|can_download"),
            (_REPORT_MENUS2, "menu_access"),
        ),
        "Atasan": _role(
            *_SELF,
            ("EmployeeView|SuperiorOverrideView", _READ),
            ("EmployeeApi", _READ),
            ("Data Induk|Pegawai|Atasan Pengganti", "menu_access"),
            ("ActivityView", _READ),
            ("ApprovalQueueView", _READ + "|approve|putuskan|can_decide"),
            _QUEUE_PAGE,
            ("ActivityApi", _API_DECIDE),
            _SKP_APIS_READ, _SKP_DECIDE, *_CASCADE,
            _REALISATION_READ,
            *_SKP_DECIDE_PAGES, _DOCUMENTS,
            (_WORK_MENUS + "|" + _QUEUE_MENUS, "menu_access"),
            ("RecapView", _READ + "|can_rincian|rincian"),
            ("EvaluationView", _READ + "|can_subordinates|can_evaluate"),
            (_SCORE_MENUS + "|Penilaian|Penilaian Periodik", "menu_access"),
            ("ReportView|DashboardView", _REPORTS + "|can_data"),
            ("ReportApi", "can_get|can_download"),
            (_REPORT_MENUS2, "menu_access"),
        ),
        "Auditor": _role(
            *_SELF,
            (_MASTER_VIEWS, _READ),
            (_MASTER_APIS, _READ),
            ("AuditLogView", _READ),
            ("ActivityView|ParameterView|SubmitExceptionView", _READ),
            ("OverdueReportView", "can_index"),
            ("ActivityApi", _API_READ),
            _SKP_APIS_READ, *_CASCADE,
            _REALISATION_READ,
            *_SKP_READ_PAGES, _DOCUMENTS,
            (_MASTER_MENUS + "|Laporan|Log Audit|" + _WORK_MENUS + "|" + _REPORT_MENUS + "|" + _SETTING_MENUS,
             "menu_access"),
            ("RecapView", _READ + "|can_rincian|rincian"),
            ("AttendanceView|TppRateView|SanctionView|OrgPredikatView|EvaluationView", _READ),
            ("DistributionReportView", "can_index"),
            (_SCORE_MENUS + "|Kehadiran|Data Kehadiran|" + _EVAL_MENUS + "|" + _TPP_MENUS, "menu_access"),
            ("ReportView|DashboardView", _REPORTS + "|can_data"),
            ("ReportApi", "can_get|can_download"),
            (_REPORT_MENUS2, "menu_access"),
            *_FOLLOWUP_READ,
            *_BKN_EXPORT,
        ),
        "Keuangan": _role(
            *_SELF,
            ("UnitView|PositionView|EmployeeView|HolidayView|PeriodView", _READ),
            ("UnitApi|PositionApi|EmployeeApi", _READ),
            ("Data Induk|Unit Kerja|Jabatan|Pegawai|Hari Libur|Periode", "menu_access"),
            ("RecapView", _READ + "|can_rincian|rincian"),
            ("TppRateView", _READ),
            (_SCORE_MENUS + "|Pengaturan|Tabel TPP per Kelas", "menu_access"),
            ("ReportView", _REPORTS),
            ("ReportApi", "can_get|can_download"),
            ("Laporan|Unduh Laporan Excel", "menu_access"),
        ),
        # Anonymous visitors: nothing (the login and password-reset pages need no permission).
        # Built in like every role here, so the public check that FAB makes before every API call
        # is matched in process instead of read from the tables (app/security.py is_item_public).
        AUTH_ROLE_PUBLIC: [],
    }

    MIGRATIONS_DIR = os.path.join(BASE_DIR, "migrations")

    # Evidence uploads (activities) live outside the code tree.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", os.path.join(BASE_DIR, "instance", "uploads"))
    # Import files kept between preview and confirmation (app.imports.common.UploadStore); unset:
    # instance/attendance_uploads and instance/master_uploads. Several app nodes: shared storage.
    ATTENDANCE_UPLOAD_FOLDER = os.environ.get("ATTENDANCE_UPLOAD_FOLDER") or None
    MASTER_UPLOAD_FOLDER = os.environ.get("MASTER_UPLOAD_FOLDER") or None
    EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", 2 * 1024 * 1024))
    # Upload bounds (app.imports.common.UploadLimits). Werkzeug refuses a larger request body
    # with 413 before reading it; each import has its own caps of bytes and data rows; the
    # UPLOAD_* keys bound the XLSX container and the sheets of every import.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 21 * 1024 * 1024))
    ATTENDANCE_MAX_BYTES = int(os.environ.get("ATTENDANCE_MAX_BYTES", 20 * 1024 * 1024))
    ATTENDANCE_MAX_ROWS = int(os.environ.get("ATTENDANCE_MAX_ROWS", 100_000))
    UPLOAD_MAX_COLUMNS = int(os.environ.get("UPLOAD_MAX_COLUMNS", 50))
    UPLOAD_MAX_CELL_CHARS = int(os.environ.get("UPLOAD_MAX_CELL_CHARS", 2_000))
    UPLOAD_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("UPLOAD_MAX_UNCOMPRESSED_BYTES", 128 * 1024 * 1024))
    UPLOAD_MAX_LOADED_PART_BYTES = int(os.environ.get("UPLOAD_MAX_LOADED_PART_BYTES", 24 * 1024 * 1024))
    UPLOAD_MAX_ZIP_RATIO = int(os.environ.get("UPLOAD_MAX_ZIP_RATIO", 100))
    UPLOAD_MAX_ZIP_ENTRIES = int(os.environ.get("UPLOAD_MAX_ZIP_ENTRIES", 500))
    # Pins "today" (WIB) for tests and demos; None means the real date.
    FIXED_TODAY = None


class TestConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    AUTH_RATE_LIMITED = False
    SECRET_KEY = "test-secret-key-with-at-least-32-bytes!"
    # Cheap hashes keep the suite fast; production keeps FAB's scrypt default.
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
