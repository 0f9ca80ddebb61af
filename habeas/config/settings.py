"""Habeas settings, read from the environment.

Variables:
- ``DATABASE_URL``: ``sqlite:///path/to/habeas.sqlite3`` or ``postgres://user:pass@host:port/name``.
  Default: a SQLite database in ``HABEAS_DATA_DIR``.
- ``HABEAS_DATA_DIR``: the data folder (default: the per-user data directory).
- ``HABEAS_SECRET_KEY`` or ``HABEAS_SECRET_KEY_FILE``: required unless ``HABEAS_DEBUG`` is on.
- ``HABEAS_KEY_FILE``: the key file of the encrypted fields (default ``keys.json`` in the data folder).
- ``HABEAS_DEBUG``: ``1``/``true``/``yes`` or ``0``/``false``/``no`` (default off).
- ``HABEAS_ALLOWED_HOSTS``: comma-separated host names (default ``localhost,127.0.0.1``).
- ``HABEAS_TIME_ZONE``: the time zone (IANA's name, ``Asia/Almaty``) in which times are typed and shown where the
  record's place has none (default ``UTC``).
- ``HABEAS_REAUTH_MINUTES``: how long a confirmed password counts before deletions and exports (default 10).
- ``HABEAS_JOB_HEARTBEAT_SECONDS``, ``HABEAS_JOB_STALLED_SECONDS``: how often the worker says a job still runs
  (default 10), and after how long without a word a running job counts as stopped (default 60).
- ``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``,
  ``DEFAULT_FROM_EMAIL``: the mail server of the live clock's e-mails (default: localhost, port 25);
  ``HABEAS_SITE_URL``: the address the e-mails link to (``https://habeas.example.org``).
"""

from __future__ import annotations

import os
from pathlib import Path

import django_stubs_ext
from csp.constants import NONE, SELF

from habeas.core.env import data_dir, database, env_flag, env_int, key_file, secret_key

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
DEBUG = env_flag("HABEAS_DEBUG")
SECRET_KEY = secret_key(DEBUG)
HABEAS_KEY_FILE = key_file()
ALLOWED_HOSTS = [
    host.strip() for host in os.environ.get("HABEAS_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if host.strip()
]

INSTALLED_APPS = [
    "habeas.accounts.adminconfig.HabeasAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "template_partials",
    "habeas.core",
    "habeas.accounts",
    "habeas.evidence",
    "habeas.registry",
    "habeas.custody",
    "habeas.cases",
    "habeas.monitoring",
    "habeas.standards",
    "habeas.files",
    "habeas.reports",
    "habeas.counting",
    "ninja",  # its Swagger UI, served from our static files at /api/docs
    "habeas.api",
]

MIDDLEWARE = [
    "habeas.core.requestlog.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "habeas.accounts.middleware.SecondFactorMiddleware",
    "habeas.accounts.viewer.ViewerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Logs hold no name: no query string (searches and filters), no request body, no error message; an unexpected
# error (500) is logged with the id its page shows (habeas/core/requestlog.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "habeas.core.requestlog.RequestFilter"}},
    "formatters": {
        "plain": {
            "()": "habeas.core.requestlog.NoDataFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [request %(request_id)s] %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request"], "formatter": "plain"}},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

ROOT_URLCONF = "habeas.config.urls"
LOGIN_URL = "admin:login"
WSGI_APPLICATION = "habeas.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "habeas.accounts.viewer.viewer",
            ],
        },
    },
]

DATABASES = {"default": database(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["habeas.accounts.backends.ThrottledModelBackend"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("kk", "Қазақша")]
TIME_ZONE = os.environ.get("HABEAS_TIME_ZONE", "").strip() or "UTC"  # Django refuses a name it does not know
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = data_dir() / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = data_dir() / "media"
# An upload too large to keep in memory is spooled encrypted (in FILE_UPLOAD_TEMP_DIR if set, else the data
# folder's "uploads"), never in clear in the system's temporary folder (habeas/core/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "habeas.core.uploads.SealedFileUploadHandler",
]

# The dashboard's counts (no names), in each server process's memory.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "habeas-default"}}

# Long operations (checks, linkage, estimates) run as tasks, queued in the database and run by `habeas worker`
# (which `habeas serve` and `habeas demo` start beside the web server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The worker writes a running job's heartbeat this often; a running job not heard from for the second figure has
# lost its worker and may be started again (it exceeds SQLite's busy timeout of 20 s, which a beat may wait out).
HABEAS_JOB_HEARTBEAT_SECONDS = env_int("HABEAS_JOB_HEARTBEAT_SECONDS", 10, minimum=1)
HABEAS_JOB_STALLED_SECONDS = env_int("HABEAS_JOB_STALLED_SECONDS", 60, minimum=2)

# Two-factor login: a TOTP code for every user with an authenticator; for everyone when this is on.
HABEAS_REQUIRE_2FA = env_flag("HABEAS_REQUIRE_2FA")
OTP_TOTP_ISSUER = "Habeas"

# The JSON API: calls a minute per token's user (habeas.api.auth).
HABEAS_API_PER_MINUTE = env_int("HABEAS_API_PER_MINUTE", 1200, minimum=1)

# The signed checkpoint of the audit trail's end, outside the database it protects (habeas.accounts.checkpoint).
HABEAS_AUDIT_CHECKPOINT = data_dir() / "audit-checkpoint.json"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_flag("HABEAS_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # HSTS with secure cookies: a browser that once reached Habeas over HTTPS refuses plain HTTP to it for a
    # year, so that a network in between cannot strip the encryption (sent on HTTPS answers only). Not for
    # subdomains, which may be other services of the organisation.
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if SESSION_COOKIE_SECURE else 0

# Content Security Policy (django-csp; Django 5.2 has none of its own): scripts and styles only from our
# own static files, so an injected <script> or on…= attribute does not run. The admin needs no inline
# script or style (tests/accounts/test_security_headers.py checks the rendered pages).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Deleting records and exporting them need a password (and TOTP code) confirmed this many minutes ago.
HABEAS_REAUTH_MINUTES = env_int("HABEAS_REAUTH_MINUTES", 10, minimum=1)
HABEAS_MAX_UPLOAD_MB = env_int("HABEAS_MAX_UPLOAD_MB", 50, minimum=1)  # the largest document a source may hold

# E-mail (the live clock tells the members who asked to be told: habeas.reports.services.clock_notify)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "habeas@localhost")
HABEAS_SITE_URL = os.environ.get("HABEAS_SITE_URL", "").rstrip("/")
