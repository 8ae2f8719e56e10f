"""omnitrip settings: everything from the environment, embedded defaults otherwise.

Embedded mode (nothing set): SQLite in WAL mode with IMMEDIATE transactions, Celery tasks
run eagerly in-process, local-memory cache, console e-mail.
Production: set OMNITRIP_ENV=production plus DATABASE_URL, REDIS_URL, CELERY_BROKER_URL,
SECRET_KEY; start-up refuses the development secret key.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("OMNITRIP_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


ENVIRONMENT = os.environ.get("OMNITRIP_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEV_SECRET = "omnitrip-development-secret-key-not-for-production-use-0123456789"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
if PRODUCTION and (SECRET_KEY == DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("Set SECRET_KEY (50+ random characters) in production.")
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
if not PRODUCTION:
    ALLOWED_HOSTS += ["testserver", "[::1]"]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "omnitrip.core",
    "omnitrip.accounts",
    # accounts: sign-up, sign-in, MFA (allauth) and login throttling (axes). Listed after
    # omnitrip.accounts so its templates (allauth/…, account/…, mfa/…) override theirs.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "omnitrip.catalog",
    "omnitrip.inventory",
    "omnitrip.pricing",
    "omnitrip.orders",
    "omnitrip.payments",
    "omnitrip.fulfilment",
    "omnitrip.ledger",
    "omnitrip.reconciliation",
    "omnitrip.api",
    "omnitrip.storefront",
    "omnitrip.plugins.payment_sandbox",
    "omnitrip.plugins.payment_alipay",
    "omnitrip.plugins.payment_wechatpay",
    "omnitrip.plugins.payment_stripe",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "omnitrip.api.middleware.ApiProblemMiddleware",
    # accounts: allauth's request context, the staff two-factor rule for /admin/, and
    # axes last (it turns a flagged lockout into our lockout page).
    "allauth.account.middleware.AccountMiddleware",
    "omnitrip.accounts.middleware.StaffTwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "omnitrip.urls"
WSGI_APPLICATION = "omnitrip.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "omnitrip.storefront.context.storefront",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'omnitrip.db'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0 if "sqlite" in DATABASE_URL else 60)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so
    # two writers never deadlock on lock upgrade; the timeout makes writers queue instead
    # of failing with "database is locked".
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;"
        ),
    }
    _db["TEST"] = {
        "NAME": str(VAR_DIR / f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.db")
    }
else:
    _db.setdefault("OPTIONS", {})
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw"):
    # Parallel test workers each get their own Redis database (10, 11, …): a test's
    # cache.clear() flushes its whole database and must not wipe another worker's counters.
    from urllib.parse import urlsplit, urlunsplit

    _redis = urlsplit(REDIS_URL)
    _worker_db = 10 + int(os.environ["PYTEST_XDIST_WORKER"][2:])
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{_worker_db}"))
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- background work ------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Values are Celery schedules: timedeltas here (the embedded scheduler reads total_seconds()).
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "release-expired-holds": {
        "task": "omnitrip.inventory.tasks.release_expired_holds",
        "schedule": timedelta(seconds=60),
    },
    "expire-unpaid-orders": {
        "task": "omnitrip.orders.tasks.expire_unpaid_orders",
        "schedule": timedelta(seconds=60),
    },
    "process-stale-notifications": {
        "task": "omnitrip.orders.tasks.process_stale_notifications",
        "schedule": timedelta(seconds=60),
    },
    "retry-unfinished-refunds": {
        "task": "omnitrip.payments.tasks.retry_unfinished_refunds",
        "schedule": timedelta(minutes=5),
    },
    "complete-delivered-orders": {
        "task": "omnitrip.orders.tasks.complete_delivered_orders",
        "schedule": timedelta(hours=1),
    },
}

# --- domain knobs ---------------------------------------------------------------------
HOLD_MINUTES = int(os.environ.get("OMNITRIP_HOLD_MINUTES", "15"))
# The version of the terms of booking (storefront/site/terms.html) a checkout accepts; bump
# it whenever that text changes so each order records which terms its buyer agreed to.
OMNITRIP_TERMS_VERSION = "2026-11"
SANDBOX_PAYMENT_SECRET = os.environ.get("OMNITRIP_SANDBOX_SECRET", "sandbox-" + SECRET_KEY[:32])
WEBHOOK_TOLERANCE_SECONDS = int(os.environ.get("OMNITRIP_WEBHOOK_TOLERANCE", "300"))

# --- payment providers (each is enabled only when its keys are set) -------------------
# Keys may be given inline (PEM text) or as a path to a PEM file.
ALIPAY = {
    "APP_ID": os.environ.get("ALIPAY_APP_ID", ""),
    "PRIVATE_KEY": os.environ.get("ALIPAY_PRIVATE_KEY", ""),  # our RSA2 signing key
    "ALIPAY_PUBLIC_KEY": os.environ.get("ALIPAY_PUBLIC_KEY", ""),  # verifies notifications
    "GATEWAY": os.environ.get("ALIPAY_GATEWAY", "https://openapi.alipay.com/gateway.do"),
    "SELLER_ID": os.environ.get("ALIPAY_SELLER_ID", ""),  # if set, other sellers are refused
}
WECHATPAY = {
    "MCHID": os.environ.get("WECHATPAY_MCHID", ""),
    "APPID": os.environ.get("WECHATPAY_APPID", ""),
    "API_V3_KEY": os.environ.get("WECHATPAY_API_V3_KEY", ""),  # 32 bytes, decrypts callbacks
    "PRIVATE_KEY": os.environ.get("WECHATPAY_PRIVATE_KEY", ""),  # merchant API key (RSA)
    "CERT_SERIAL_NO": os.environ.get("WECHATPAY_CERT_SERIAL_NO", ""),
    "PLATFORM_PUBLIC_KEY": os.environ.get("WECHATPAY_PLATFORM_PUBLIC_KEY", ""),
    "PLATFORM_PUBLIC_KEY_ID": os.environ.get("WECHATPAY_PLATFORM_PUBLIC_KEY_ID", ""),
    "API_BASE": os.environ.get("WECHATPAY_API_BASE", "https://api.mch.weixin.qq.com"),
}
STRIPE = {
    "SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
    "WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
    "API_BASE": os.environ.get("STRIPE_API_BASE", "https://api.stripe.com"),
}

# --- i18n -----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("OMNITRIP_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- e-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "omnitrip <no-reply@omnitrip.local>")
# The file backend (EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend) writes
# each message to a file here; the browser tests read sign-up verification mails from it.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
if os.environ.get("EMAIL_URL"):
    # smtp://user:password@host:port (port 587 or ?tls=1: STARTTLS); smtps://… for SSL (465).
    from urllib.parse import parse_qs, unquote, urlsplit

    _mail = urlsplit(os.environ["EMAIL_URL"])
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_USE_TLS = not EMAIL_USE_SSL and (
        EMAIL_PORT == 587 or parse_qs(_mail.query).get("tls") == ["1"]
    )

# --- security -------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The load balancer checks readiness over plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- accounts (docs/architecture.md "Accounts and sign-in") ------------------------------
# django-allauth does sign-up, e-mail verification, sign-in, password reset and TOTP
# two-factor; django-axes locks a (login, IP) pair after repeated failures.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login outright
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "storefront:home"
LOGOUT_REDIRECT_URL = "storefront:home"
ACCOUNT_ADAPTER = "omnitrip.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
# No username on the forms; allauth fills User.username with a unique value from the e-mail.
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_USER_DISPLAY = "omnitrip.accounts.adapter.user_display"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True  # one address per account: changing it verifies the new one first
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[omnitrip] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# allauth's own rate limits stay at their defaults (sign-up, login per IP, password reset,
# failed logins per address, confirmation mails); axes adds the lockout below.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("OMNITRIP_TRUSTED_PROXY_COUNT", "0"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "omnitrip"
MFA_TOTP_TOLERANCE = 1  # also accept the code of the 30 s step before/after (clock drift)
# Staff (is_staff) must have TOTP before /admin/ (omnitrip.accounts.middleware).
AXES_FAILURE_LIMIT = int(os.environ.get("OMNITRIP_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("OMNITRIP_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock ends 15 min after failure 5
AXES_USERNAME_CALLABLE = "omnitrip.accounts.throttling.login_name"
AXES_CLIENT_IP_CALLABLE = "omnitrip.accounts.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "omnitrip.accounts.throttling.lockout_response"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"omnitrip": {"level": os.environ.get("OMNITRIP_LOG_LEVEL", "INFO")}},
}
