"""Keepline settings: one file, configured by environment variables (see README)."""

import os
import secrets
from collections.abc import Callable
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("KEEPLINE_HOME", PACKAGE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("KEEPLINE_VAR", BASE_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _local_secret(name: str, generate: Callable[[], str]) -> str:
    """A secret for a local demo: read from var/, created once. Production sets the variable."""
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(generate())
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = _env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret(
    "secret_key", lambda: secrets.token_urlsafe(48)
)
# Key(s) for personal fields, comma-separated, newest first (rotation: add the new key in front).
KEEPLINE_FIELD_KEYS = [
    k.strip()
    for k in (
        os.environ.get("KEEPLINE_FIELD_KEY")
        or _local_secret("field_key", lambda: Fernet.generate_key().decode())
    ).split(",")
    if k.strip()
]
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "keepline.core",
    "keepline.places",
    "keepline.enterprises",
    "keepline.whitelist",
    "keepline.bubble",
    "keepline.reports",
    "keepline.power",
    "keepline.problems",
    "keepline.service",
    "keepline.chains",
    "keepline.briefing",
    "keepline.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "keepline.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "keepline.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "keepline.core.web.ErrorMiddleware",
]

ROOT_URLCONF = "keepline.urls"
WSGI_APPLICATION = "keepline.wsgi.application"
AUTH_USER_MODEL = "core.User"

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
                "keepline.core.context_processors.keepline",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'keepline.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout: five failed logins lock the username, and lock one browser at one address that tries
# many usernames. Not the bare address: a whole bureau shares one NAT address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = float(os.environ.get("KEEPLINE_LOCKOUT_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username", ["ip_address", "user_agent"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

# Sessions end after this much inactivity: every request renews the cookie.
SESSION_COOKIE_AGE = int(os.environ.get("KEEPLINE_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
FORMAT_MODULE_PATH = ["keepline.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]  # the npm builds, made by `make assets`
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

KEEPLINE_PAGE_SIZE = 50
# The address the public reaches Keepline at, for links printed on paper (certificate QR codes).
KEEPLINE_PUBLIC_URL = os.environ.get("KEEPLINE_PUBLIC_URL", "")
KEEPLINE_REPORT_DUE_TIME = os.environ.get("KEEPLINE_REPORT_DUE_TIME", "17:00")
# The daily briefing's sections, in order; each module that has something to say adds its own.
KEEPLINE_BRIEFING_SECTIONS = [
    "keepline.briefing.sections.figures_section",
    "keepline.briefing.sections.reports_section",
    "keepline.briefing.sections.whitelist_section",
    "keepline.briefing.sections.power_section",
    "keepline.briefing.sections.problems_section",
]
KEEPLINE_IMPORT_MAX_ROWS = 200_000

# Electricity as the truth signal (docs/indicators.md): an enterprise counts as resumed when its
# day's energy is above this share of its baseline; a report of "halted" with power above
# HALTED_ABOVE of the baseline, or of producing with power under PRODUCING_BELOW, is an alert.
KEEPLINE_POWER_RESUMED_AT = float(os.environ.get("KEEPLINE_POWER_RESUMED_AT", "0.3"))
KEEPLINE_POWER_HALTED_ABOVE = float(os.environ.get("KEEPLINE_POWER_HALTED_ABOVE", "0.5"))
KEEPLINE_POWER_PRODUCING_BELOW = float(os.environ.get("KEEPLINE_POWER_PRODUCING_BELOW", "0.1"))
# Idling (docs/power-alerts.md): a day's hourly load is flat below FLAT_CV (coefficient of
# variation) while the usual shape of the REFERENCE_DAYS before (at least MIN_REFERENCE_DAYS of
# them with a whole profile) varies by USUAL_CV or more.
KEEPLINE_POWER_IDLE_FLAT_CV = float(os.environ.get("KEEPLINE_POWER_IDLE_FLAT_CV", "0.1"))
KEEPLINE_POWER_IDLE_USUAL_CV = float(os.environ.get("KEEPLINE_POWER_IDLE_USUAL_CV", "0.25"))
KEEPLINE_POWER_IDLE_REFERENCE_DAYS = int(os.environ.get("KEEPLINE_POWER_IDLE_REFERENCE_DAYS", "28"))
KEEPLINE_POWER_IDLE_MIN_REFERENCE_DAYS = int(
    os.environ.get("KEEPLINE_POWER_IDLE_MIN_REFERENCE_DAYS", "7")
)
# A day's energy on one account above this is a meter or typing error, not a factory.
KEEPLINE_POWER_MAX_KWH = float(os.environ.get("KEEPLINE_POWER_MAX_KWH", "50000000"))

# Background work (sending notifications, deadline sweeps) is queued in the database and run by
# `keepline db_worker`; at scale, django-tasks' RQ backend on Redis takes its place.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Where SMS go: a class with `send(user, text)`; the default writes them to the "keepline.sms" log.
KEEPLINE_SMS_BACKEND = os.environ.get(
    "KEEPLINE_SMS_BACKEND", "keepline.core.notifications.LogSmsBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "keepline@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
