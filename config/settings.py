"""Settings, all from the environment.

Development (the default) needs nothing set: SQLite beside the code, DEBUG on, an
insecure key that is refused as soon as DEBUG is off. Production is DEBUG=false plus
SECRET_KEY and ALLOWED_HOSTS; then every check of `manage.py check --deploy` holds.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

from config.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)

DEV_SECRET_KEY = "django-insecure-jibao-development-only"
SECRET_KEY = env_str("SECRET_KEY") or (DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY or (not DEBUG and SECRET_KEY == DEV_SECRET_KEY):
    raise ImproperlyConfigured("DEBUG 关闭时必须设置环境变量 SECRET_KEY（SECRET_KEY must be set when DEBUG is off）。")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    # Login throttling: failed logins are counted per user name and address (see below).
    "axes",
    "csp",  # its system checks catch a policy written in the old (pre-4.0) format
    "django_tasks",
    "django_tasks_db",
    "import_export",  # onboarding sheets in the admin (reports.onboarding)
    "django_python3_ldap",  # directory sign-in, when JIBAO_LDAP_URL is set
    "django_cas_ng",  # unified sign-on (CAS), when JIBAO_CAS_URL is set
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (the policy is below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view says otherwise (the login page does).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The product's 404 and 500 pages under DEBUG too (`make run`); nothing when DEBUG is off.
    "config.error_pages.ProductErrorPagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records who made each change in the edit trail (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Django's technical 404 and traceback pages under DEBUG, for a developer (config/error_pages.py).
TECHNICAL_ERROR_PAGES = env_bool("TECHNICAL_ERROR_PAGES", default=False)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reports.context_processors.awaiting",
            ],
        },
    },
]

# Storage: an SQLite file by default, PostgreSQL (psycopg 3) when DATABASE_URL is set.
SQLITE_PATH = env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True),
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue instead of failing with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "reports.onboarding.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out login before any password is checked; then the
# ordinary model backend (the first backend with get_user, which client.force_login uses).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Directory sign-in, when JIBAO_LDAP_URL is set: people sign in with their unit's LDAP or Active
# Directory account (django-python3-ldap: pure Python, no C client library to build). The account
# is the user of the same 用户名 (an imported person, or one created at the first sign-in, who
# then sees whom to ask for a role). Without it, sign-in stays with the passwords kept here.
JIBAO_LDAP_URL = env_str("JIBAO_LDAP_URL")
if JIBAO_LDAP_URL:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "django_python3_ldap.auth.LDAPBackend"]
# Unified sign-on (统一身份认证), when JIBAO_CAS_URL is set to the CAS server's base URL
# (https://sso.example.gov.cn/cas/): the login page offers 统一身份认证登录, which goes to the CAS
# server and comes back with a ticket that django-cas-ng checks with the server. The account is the
# user of the same 用户名, as with a directory.
JIBAO_CAS_URL = env_str("JIBAO_CAS_URL")
if JIBAO_CAS_URL:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "django_cas_ng.backends.CASBackend"]
CAS_SERVER_URL = JIBAO_CAS_URL or None
CAS_VERSION = env_str("JIBAO_CAS_VERSION", "3")
CAS_REDIRECT_URL = "/reports/"
CAS_LOGIN_MSG = CAS_LOGGED_MSG = None  # the pages say who is signed in; no message in English
CAS_LOGOUT_COMPLETELY = False  # 退出 leaves 季报, not every system of the unit
LDAP_AUTH_URL = [JIBAO_LDAP_URL] if JIBAO_LDAP_URL else []
LDAP_AUTH_USE_TLS = env_bool("JIBAO_LDAP_START_TLS", default=False)
LDAP_AUTH_SEARCH_BASE = env_str("JIBAO_LDAP_SEARCH_BASE")  # ou=people,dc=example,dc=gov,dc=cn
LDAP_AUTH_OBJECT_CLASS = env_str("JIBAO_LDAP_OBJECT_CLASS", "inetOrgPerson")  # user for Active Directory
LDAP_AUTH_USER_FIELDS = {"username": env_str("JIBAO_LDAP_USERNAME_ATTRIBUTE", "uid"),  # sAMAccountName for AD
                         "first_name": env_str("JIBAO_LDAP_NAME_ATTRIBUTE", "cn"), "email": "mail"}
LDAP_AUTH_USER_LOOKUP_FIELDS = ("username",)
LDAP_AUTH_ACTIVE_DIRECTORY_DOMAIN = env_str("JIBAO_LDAP_AD_DOMAIN") or None
if LDAP_AUTH_ACTIVE_DIRECTORY_DOMAIN:
    LDAP_AUTH_FORMAT_USERNAME = "django_python3_ldap.utils.format_username_active_directory_principal"
LDAP_AUTH_CONNECT_TIMEOUT = LDAP_AUTH_RECEIVE_TIMEOUT = 5  # a directory that is down fails a sign-in in seconds
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Uploaded evidence (reports/evidence/store.py), when stored on this machine's disk. Never served
# from here directly: only through the view that checks the reader's right to the report.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Evidence in S3-compatible object storage (several app servers share nothing on local disk): set the
# bucket, and the endpoint for a server other than AWS (MinIO, a cloud's OSS/COS); the keys come
# from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY as boto3 reads them. Unset: the file system.
JIBAO_S3_BUCKET = env_str("JIBAO_S3_BUCKET", "")
if JIBAO_S3_BUCKET:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": JIBAO_S3_BUCKET,
        "endpoint_url": env_str("JIBAO_S3_ENDPOINT_URL", "") or None,
        "region_name": env_str("JIBAO_S3_REGION", "us-east-1"),
        "default_acl": None,  # private: files are served only through the view that checks the reader
        "file_overwrite": False,
    }}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Uploads (Word files to import) are refused above this size rather than read into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
# No form of the application has more than a few dozen fields; the evidence panel's plain form
# (without JavaScript, which sends one file a request) may send a handful of files at once.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 20)

# Links in e-mails point here (the address users open the application at). Unset, the address
# `make run` serves on: its PORT (8000 unless given, as `PORT=9000 make run`).
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")
# GB practice: a leader does not approve a report they wrote or submitted themselves.
JIBAO_ALLOW_SELF_APPROVAL = env_bool("JIBAO_ALLOW_SELF_APPROVAL", default=False)
# Reports are due this many days after their quarter ends, unless the admin sets a date.
JIBAO_DEFAULT_DUE_DAYS = env_int("JIBAO_DEFAULT_DUE_DAYS", 10)
# The annual report (年度报告) is due this many days after the year ends: by the end of January.
JIBAO_ANNUAL_DUE_DAYS = env_int("JIBAO_ANNUAL_DUE_DAYS", 31)
# 佐证材料: the largest file taken, and the most a report may hold, in megabytes.
JIBAO_EVIDENCE_MAX_FILE_MB = env_int("JIBAO_EVIDENCE_MAX_FILE_MB", 20)
JIBAO_EVIDENCE_MAX_REPORT_MB = env_int("JIBAO_EVIDENCE_MAX_REPORT_MB", 200)
# The ledger shows an open problem as 即将到期 this many days before its 整改时限.
JIBAO_LEDGER_SOON_DAYS = env_int("JIBAO_LEDGER_SOON_DAYS", 15)
# The quality check's comparison of texts (reports.quality.copies): a part this alike (0 to 1, on
# characters) to one of the body's earlier reports or of another body's of the same period is
# reported as copied; parts shorter than a sentence (characters, stock phrases left out) are not.
JIBAO_COPY_SIMILARITY = env_float("JIBAO_COPY_SIMILARITY", 0.8)
JIBAO_COPY_MIN_CHARS = env_int("JIBAO_COPY_MIN_CHARS", 20)
# A figure this many times its reference (the same quarter last year, or the body's median), or
# this fraction of it, asks for a 说明; counts both under JIBAO_OUTLIER_MIN are too small to judge.
JIBAO_OUTLIER_FACTOR = env_float("JIBAO_OUTLIER_FACTOR", 10)
JIBAO_OUTLIER_MIN = env_int("JIBAO_OUTLIER_MIN", 10)

# Unset, mails are printed on the console of `make run` (nothing is sent), as the README says.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "jibao@localhost")

# Work that must not run in a request (e-mail, PDF conversion, the quarter's .zip) is a task of
# Django's tasks framework (the django-tasks backport). Without configuration a task runs in the
# process that enqueues it, once the transaction has committed: `make run` needs nothing more.
# JIBAO_TASKS=database puts tasks in the database (django-tasks-db), where `manage.py db_worker`
# processes on any number of machines take them; no broker to run beside the database.
JIBAO_TASKS = env_str("JIBAO_TASKS", "immediate")
# Seconds before each new attempt at a notice's e-mail that failed (reports.mail): a relay down for
# a minute or for a night.
JIBAO_MAIL_RETRY_SECONDS = [int(value) for value in env_list("JIBAO_MAIL_RETRY_SECONDS", ("60", "300", "1800", "7200", "43200"))]
TASKS = {
    "default": {
        "BACKEND": {"immediate": "django_tasks.backends.immediate.ImmediateBackend",
                    "database": "django_tasks_db.DatabaseBackend"}[JIBAO_TASKS],
    }
}

# A session ends after a working day (8 h) or when the browser closes, whichever is first.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# htmx sends the token from the page (hx-headers on <body>), so no script needs the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# A stale form gets the product's page in Chinese, not Django's technical one.
CSRF_FAILURE_VIEW = "reports.views.stale_form.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts, styles, fonts, images and requests only from
# this site; no inline script at all (page data travels in json_script blocks and data-
# attributes, behaviour in static/js). The one relaxation is style-src-attr: the report sheet
# sets the signature's and the date's computed indent in a style= attribute (GB/T 9704 7.3.5);
# a style attribute cannot run script. Bootstrap's icons are data: SVGs in its CSS.
# CSP_REPORT_ONLY=true sends the same policy as Content-Security-Policy-Report-Only instead,
# for trying a change of the pages in production without breaking them.
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if env_bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one user name
# from one address, that pair is refused for AXES_COOLOFF_MINUTES (the page says so in the
# user's language, HTTP 429); a correct login resets the count. Counting the pair rather than the
# address alone keeps one mistyping colleague from locking out a whole office behind one NAT;
# counting it rather than the user name alone keeps a stranger from locking a user out.
# Administrators unlock early in the admin (访问尝试) or with `manage.py axes_reset`.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Lazy: django-axes hands it to authenticate()'s caller, in the language of the request.
AXES_COOLOFF_MESSAGE = gettext_lazy("登录失败次数过多，已暂时锁定。请稍后再试，或联系管理员解锁。")
AXES_PERMALOCK_MESSAGE = AXES_COOLOFF_MESSAGE
# Behind the load balancer every request comes from its address: the client's is the one the
# balancer appended to X-Forwarded-For (the right-most entry; what a client wrote before it
# is not trusted). TRUSTED_PROXY_COUNT says how many proxies append to it. The default is 0
# (the connection's own address), also in production: where gunicorn can be reached directly,
# X-Forwarded-For is whatever the client writes, and a new one per attempt would never lock.
# Set it (1 behind one balancer) only where nothing reaches gunicorn but the balancer.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# The callables by dotted path (django-axes imports them): see config/login_throttling.py.
AXES_CLIENT_IP_CALLABLE = "config.login_throttling.client_ip_address"
AXES_LOCKOUT_CALLABLE = "config.login_throttling.lockout_response"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    # Behind a load balancer that terminates TLS and says so in X-Forwarded-Proto.
    if env_bool("BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO" if not DEBUG else "WARNING")},
}

# Onboarding sheets (reports.onboarding): .xlsx and .csv, each import in one transaction, rolled
# back as a whole when a row is refused; every object written is in the admin's log (who, when).
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
