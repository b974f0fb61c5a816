"""Kruzhok settings: one file, every value from the environment with a safe default.

The README lists every variable. SQLite is used unless DATABASE_URL is set.
"""

import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from kruzhok.core.env import env_bool, env_choice, env_int, env_list, env_str, env_url, url_origin

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# pytest (or `manage.py test`) imports these settings: static files then need no collectstatic.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]
# The development key works everywhere, but `check --deploy` refuses it (kruzhok.core.checks).
DEVELOPMENT_SECRET_KEY = "dev-insecure-kruzhok-key-change-me-in-production-0123456789"  # noqa: S105 (public on purpose)  # nosec B105
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    # First, so that its createsuperuser (which verifies the admin's email) replaces Django's.
    "kruzhok.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_tasks_db",
    # Only for its Swagger UI files and template: the API docs page is served without a CDN.
    "ninja",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "kruzhok.core",
    "kruzhok.places",
    "kruzhok.catalog",
    "kruzhok.imports",
    "kruzhok.search",
    "kruzhok.community",
    "kruzhok.moderation",
    "kruzhok.events",
    "kruzhok.notifications",
    "kruzhok.api",
    "kruzhok.promotion",
    "kruzhok.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything below, so it sees the response the visitor gets (static files never reach it).
    "kruzhok.analytics.middleware.PageViewMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a signed-in user's saved language wins over the cookie.
    "kruzhok.core.middleware.ChosenLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Editors and admins reach staff pages only with TOTP enrolled.
    "kruzhok.accounts.middleware.StaffMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "kruzhok.urls"
WSGI_APPLICATION = "kruzhok.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kruzhok" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kruzhok.core.context_processors.site",
                "kruzhok.core.context_processors.seo",
                "kruzhok.accounts.context_processors.roles",
            ],
        },
    },
]

SQLITE_PATH = env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str("TEST_DATABASE_NAME", "test_kruzhok")
        # No JIT: it compiles a statement whose estimated cost is high (a search word with a
        # hundred synonyms is one statement of a hundred index lookups) for seconds, to save
        # microseconds on a query that runs in milliseconds.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait on
                # busy_timeout instead of failing with "database is locked" mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("SQLITE_BUSY_TIMEOUT_S", 20),
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-64000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs (Django's tasks API). The default runs each job in the process that queued it,
# right after the commit, so `make run` and the tests need no worker; production sets
# TASKS_BACKEND=django_tasks_db.DatabaseBackend and runs `manage.py db_worker` (README).
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"),
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Email login, rate limits and MFA all go through allauth; the admin's own login page
    # redirects to it (kruzhok/urls.py), so nobody signs in around those checks.
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "catalog:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "kruzhok" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Omsk")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end libraries come from npm (package.json + lock) and are served from node_modules.
STATICFILES_DIRS = [
    BASE_DIR / "kruzhok" / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/markercluster", NODE_MODULES / "leaflet.markercluster" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# The open data files (`manage.py export_open_data`, served at /data/ by the application).
OPEN_DATA_DIR = Path(env_str("OPEN_DATA_DIR", str(MEDIA_ROOT / "open-data")))
WHITENOISE_USE_FINDERS = DEBUG
# Without DEBUG, static files are served from STATIC_ROOT only, so `manage.py collectstatic` must
# have run; it then writes each file under a name with its content hash (app.3f2a9c1b.css) and a
# gzip/brotli copy, and WhiteNoise serves those names with a one-year immutable Cache-Control.
# Off under DEBUG (files come straight from the finders) and in tests (nothing collected).
STATIC_HASHED = env_bool("STATIC_HASHED", not DEBUG and not TESTING)
# Uploaded media (photos, ad images, catalog files waiting for confirmation) go through Django's
# storage API only: the filesystem under MEDIA_ROOT by default; an S3-compatible bucket when
# S3_BUCKET is set, so that every app machine sees every file (README, «Running on several machines»).
S3_BUCKET = env_str("S3_BUCKET", "")
S3_CUSTOM_DOMAIN = env_str("S3_CUSTOM_DOMAIN", "")
S3_ENDPOINT_URL = env_str("S3_ENDPOINT_URL", "")
if S3_BUCKET:
    _MEDIA_STORAGE: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "custom_domain": S3_CUSTOM_DOMAIN or None,
            # Public photos and ad images get plain, cacheable URLs (the bucket policy makes the
            # photo and ad folders readable, nothing else); names never collide (a random suffix)
            # and an existing object is never overwritten.
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
        },
    }
    # Where the images are served from, for the Content Security Policy's img-src.
    _S3_REGION = env_str("S3_REGION", "")
    MEDIA_ORIGIN = (
        f"https://{S3_CUSTOM_DOMAIN}"
        if S3_CUSTOM_DOMAIN
        else url_origin(S3_ENDPOINT_URL)
        if S3_ENDPOINT_URL
        else f"https://{S3_BUCKET}.s3.{_S3_REGION}.amazonaws.com"
        if _S3_REGION
        else f"https://{S3_BUCKET}.s3.amazonaws.com"
    )
else:
    _MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    MEDIA_ORIGIN = ""
STORAGES = {
    "default": _MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_HASHED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# The cache: Django's local memory, per process, unless CACHE_URL names a Redis (redis://host:6379/0),
# which every app process then shares for rate limits and rendered results. A Redis outage is
# never an error (kruzhok.core.cache): each process falls back to its own memory until it is back.
CACHE_URL = env_str("CACHE_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "kruzhok.core.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "kruzhok",
            "FALLBACK_ENTRIES": env_int("LOCAL_CACHE_ENTRIES", 5000),
        }
        if CACHE_URL
        # Django's default of 300 entries is less than the rendered searches of one busy minute
        # plus the rate-limit counters: those would push each other out.
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": env_int("LOCAL_CACHE_ENTRIES", 5000)},
        }
    )
}

# Map tiles: any XYZ tile server; markers and lists work without tiles.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")

# Content Security Policy (Django's built-in middleware): no inline script or style anywhere.
_TILE_ORIGIN = "/".join(MAP_TILE_URL.split("/")[:3]).replace("{s}.", "*.") if "://" in MAP_TILE_URL else ""
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": [
        "'self'",
        "data:",
        *([_TILE_ORIGIN] if _TILE_ORIGIN else []),
        *([MEDIA_ORIGIN] if MEDIA_ORIGIN else []),
    ],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}

CITY_NAME = env_str("CITY_NAME", "Омск")
CITY_NAME_EN = env_str("CITY_NAME_EN", "Omsk")
CATALOG_PAGE_SIZE = env_int("CATALOG_PAGE_SIZE", 20)
# Comments: an account younger than this many days has its comments with links held for an
# editor; at most this many comments per person per hour; this many reports hide a comment.
COMMENT_SANDBOX_DAYS = env_int("COMMENT_SANDBOX_DAYS", 7)
COMMENTS_PER_HOUR = env_int("COMMENTS_PER_HOUR", 10)
COMMENT_REPORTS_TO_HIDE = 3

# Review cycle (`manage.py review_cycle`, daily; REVIEW_AFTER_DAYS is also the «fresh» share the
# department network shows): an entry not verified for REVIEW_AFTER_DAYS is
# due and its provider is asked to confirm it; REVIEW_GRACE_DAYS later without an answer its page
# says the data may be outdated and it joins the editors' queue. The mailed «всё верно» link
# works REVIEW_LINK_EXTRA_DAYS beyond the grace period. Problem reports: per person per hour.
REVIEW_AFTER_DAYS = env_int("REVIEW_AFTER_DAYS", 180)
REVIEW_GRACE_DAYS = env_int("REVIEW_GRACE_DAYS", 30)
REVIEW_LINK_EXTRA_DAYS = env_int("REVIEW_LINK_EXTRA_DAYS", 30)
REPORTS_PER_HOUR = env_int("REPORTS_PER_HOUR", 5)

# Abuse: client IPs come from X-Forwarded-For only when the connection is from one of these
# proxies (addresses or networks, e.g. "127.0.0.1,10.0.0.0/8"); a client IP gets this many times a
# person's limit (a school or a library shares one address).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
IP_LIMIT_FACTOR = env_int("IP_LIMIT_FACTOR", 5)
# The public API (/api/v1/): requests a minute from one client address; 0 = no limit.
API_REQUESTS_PER_MINUTE = env_int("API_REQUESTS_PER_MINUTE", 600)
# Paid ads: one visitor (address + browser) counts at most this many impressions and one click
# per campaign per day; further views still show the ad, uncounted.
ADS_IMPRESSIONS_PER_VISITOR = env_int("ADS_IMPRESSIONS_PER_VISITOR", 10)

# Import limits: a spreadsheet is refused before parsing when it is over these.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)
# Web uploads of catalog files wait between the preview and the confirmation at most this long.
IMPORT_UPLOAD_KEEP_HOURS = env_int("IMPORT_UPLOAD_KEEP_HOURS", 24)

# Departments invite institutions: a link works this many days, once; each department member
# may send this many invitations (new or resent) an hour.
INVITATION_EXPIRY_DAYS = env_int("INVITATION_EXPIRY_DAYS", 14)
INVITATIONS_PER_HOUR = env_int("INVITATIONS_PER_HOUR", 30)

# Development prints mail to the console; production sets EMAIL_BACKEND to
# django.core.mail.backends.smtp.EmailBackend and the EMAIL_* variables below.
MAILERS = {
    "default": {
        "BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": env_int("EMAIL_TIMEOUT_S", 10),
        }
        if env_str("EMAIL_BACKEND", "").endswith("smtp.EmailBackend")
        else {},
    }
}
# The outbox (kruzhok/notifications/outbox.py): a worker holds a mail this long while it sends it
# (far longer than EMAIL_TIMEOUT_S), a failed attempt waits OUTBOX_RETRY_BASE_S · 2^(attempt−1)
# seconds, and a mail is given up after OUTBOX_MAX_ATTEMPTS attempts.
OUTBOX_LEASE_S = env_int("OUTBOX_LEASE_S", 300)
OUTBOX_RETRY_BASE_S = env_int("OUTBOX_RETRY_BASE_S", 60)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
# Alerts (`manage.py send_alerts`, kruzhok/notifications/alerts.py): events count as new once they are
# ALERTS_SETTLE_S old (their transaction has surely committed); daily and weekly mails and the
# reminders of tomorrow's events go out from ALERTS_DAILY_HOUR, Omsk time.
ALERTS_SETTLE_S = env_int("ALERTS_SETTLE_S", 60)
ALERTS_DAILY_HOUR = env_int("ALERTS_DAILY_HOUR", 8)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Кружок <noreply@localhost>")

# Accounts (django-allauth): sign-in by email, which must be verified before the first sign-in.
ACCOUNT_ADAPTER = "kruzhok.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "kruzhok.accounts.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_USER_DISPLAY = "kruzhok.accounts.models.user_display"
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3  # the mails say «три дня»
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
# Failed sign-ins: LOGIN_FAILURES_PER_ACCOUNT within LOGIN_LOCKOUT_MINUTES lock the account's
# sign-in until the oldest failure is that old; 10 a minute per client address on top.
# Counters live in Django's cache (per process with the default local-memory cache).
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 30)
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"10/m/ip,{LOGIN_FAILURES_PER_ACCOUNT}/{LOGIN_LOCKOUT_MINUTES}m/key",
    "signup": "20/h/ip",
    "reset_password": "20/h/ip,5/h/key",  # a rate, not a password  # nosec B105
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Кружок")
MFA_TOTP_TOLERANCE = 1

# --- HTTPS and security headers ------------------------------------------------------------------
# One switch: a SITE_URL that starts with https:// says the site is served over HTTPS only, and
# turns on secure cookies, HSTS and the redirect of plain-HTTP requests. Each can be overridden.
# `make run` and the tests use http://127.0.0.1:8000, so none of this gets in their way.
HTTPS = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Lax: a link from a mail or another site still arrives signed in; a cross-site POST does not.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The form pages read the CSRF token from the form, never from the cookie, so no script needs it.
CSRF_COOKIE_HTTPONLY = True
# Behind a proxy that rewrites Host, a POST's Origin is still the public site.
CSRF_TRUSTED_ORIGINS = [url_origin(SITE_URL)]
# HSTS: a year by default once HTTPS; includeSubDomains and preload are promises about the whole
# domain that only its owner can make, so they are off unless set (and their checks then silenced).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
# A load balancer or monitor may probe the health check over plain HTTP on the private side.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only when the deployer says a proxy in front sets it (and strips it from clients), e.g.
# SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto: then a request with `X-Forwarded-Proto: https` is
# secure. Under gunicorn, its FORWARDED_ALLOW_IPS does the same job (gunicorn.conf.py).
_PROXY_SSL_HEADER = env_str("SECURE_PROXY_SSL_HEADER", "").strip()
if _PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]

# Health check (/healthz): unhealthy when a job has waited longer than this to be run.
HEALTHZ_MAX_QUEUE_AGE_S = env_int("HEALTHZ_MAX_QUEUE_AGE_S", 300)

# Logs go to stderr: one JSON object a line in production (kruzhok.core.logging.JsonFormatter,
# for journald or a log shipper), plain text lines under DEBUG. LOG_FORMAT=json|text overrides.
LOG_FORMAT = env_choice("LOG_FORMAT", "text" if DEBUG else "json", ("json", "text"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "kruzhok.core.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
# `manage.py backup` writes here (created 0700); keep it off the web root and copy it off the machine.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "backups")))
