"""Settings, driven by environment variables (see .env.example).

With nothing set, local-development defaults apply: SQLite under var/, tasks run in-process,
DEBUG on and a generated secret. With DJANGO_DEBUG off the app refuses to start without
DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS: production fails closed.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from reviews import task_names

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PRIORAUTH_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _development_secret_key() -> str:
    # Kept in var/ so sessions survive a restart of the local server.
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DJANGO_DEBUG", default=True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or _development_secret_key()
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters "
            "when DJANGO_DEBUG is off."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "priorauth.admin_site.PolicyAdminConfig",  # django.contrib.admin, with the app's 403
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Renews the idle timeout at most once a minute, instead of a session write per request.
    "reviews.middleware.SessionRenewalMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page requires login; login and /health/ opt out with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "reviews.middleware.NotFoundMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "priorauth.urls"
WSGI_APPLICATION = "priorauth.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reviews.context_processors.roles",
            ],
            # |day and |moment, the screens' one way to write dates, on every template.
            "builtins": ["reviews.templatetags.screen_dates"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Per connection, whatever the server's own settings: no JIT (it compiled plans for
    # 0.1-0.7 s on the case list and audit queries at a million cases, for queries that run in
    # milliseconds from their indexes), and, when set, a ceiling on any one statement so a
    # runaway query fails with an error instead of holding a worker (web processes: 30 s in
    # docker-compose.yml; off by default, so migrations and bulk loads are not cut short).
    _timeout = int(os.environ.get("DJANGO_DB_STATEMENT_TIMEOUT_MS", "0"))
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c jit=off -c statement_timeout={_timeout}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a Celery worker started by the tests sees the same test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
    # Several reviewers at once on the embedded database (Django 5.2, ref/databases, SQLite
    # notes: "Database is locked" errors, Transactions behavior, Setting pragma options):
    # - transaction_mode IMMEDIATE: a transaction takes the write lock at BEGIN, so a second
    #   writer waits up to `timeout`. Under the default DEFERRED, a transaction that read
    #   first fails at once with "database is locked" when it tries to write.
    # - timeout: seconds a writer waits for the lock (SQLite's busy timeout).
    # - WAL: readers never block the writer nor wait for it; synchronous=NORMAL is safe with
    #   WAL (a power cut may lose the last commits, never corrupt the file).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "reviews.auth_backends.RolePermissionsBackend",  # ModelBackend, permissions in 1 query
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True
# One date format and one date-and-time format on every screen, the admin's too.
FORMAT_MODULE_PATH = ["priorauth.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Documents live outside any public URL; only a view that checks access serves them.
MEDIA_ROOT = Path(os.environ.get("PRIORAUTH_PRIVATE_STORAGE", VAR_DIR / "private"))
WHITENOISE_USE_FINDERS = DEBUG
# Largest document accepted per file (bytes).
PRIORAUTH_MAX_UPLOAD_BYTES = int(os.environ.get("PRIORAUTH_MAX_UPLOAD_BYTES", 25 * 1024 * 1024))
# Determination letters: who the plan is and how a member or a prescriber reaches it. The
# defaults are plainly fictional (555-01xx numbers are reserved for fiction; "Anytown"), so a
# demo letter can never be mistaken for a real plan's; `check --deploy` warns while any is
# still in use (reviews/checks.py). docs/letters.md says what each letter carries and why.
LETTER_DEMO_DEFAULTS = {
    "LETTER_PLAN_NAME": "Example Health Plan (demo)",
    "LETTER_PLAN_ADDRESS": "Utilization Management, PO Box 0100, Anytown, ST 00000",
    "LETTER_PLAN_PHONE": "1-800-555-0100",
    "LETTER_PLAN_TTY": "711",
    "LETTER_PROVIDER_PHONE": "1-800-555-0101",
    "LETTER_PLAN_HOURS": "8 a.m. to 8 p.m., 7 days a week",
}
LETTER_PLAN_NAME = os.environ.get("LETTER_PLAN_NAME") or LETTER_DEMO_DEFAULTS["LETTER_PLAN_NAME"]
LETTER_PLAN_ADDRESS = (
    os.environ.get("LETTER_PLAN_ADDRESS") or LETTER_DEMO_DEFAULTS["LETTER_PLAN_ADDRESS"]
)
LETTER_PLAN_PHONE = os.environ.get("LETTER_PLAN_PHONE") or LETTER_DEMO_DEFAULTS["LETTER_PLAN_PHONE"]
LETTER_PLAN_TTY = os.environ.get("LETTER_PLAN_TTY") or LETTER_DEMO_DEFAULTS["LETTER_PLAN_TTY"]
LETTER_PROVIDER_PHONE = (
    os.environ.get("LETTER_PROVIDER_PHONE") or LETTER_DEMO_DEFAULTS["LETTER_PROVIDER_PHONE"]
)
LETTER_PLAN_HOURS = os.environ.get("LETTER_PLAN_HOURS") or LETTER_DEMO_DEFAULTS["LETTER_PLAN_HOURS"]
# The languages of the "help in your language" taglines, in order (codes of
# reviews/letter_notices.py). Default: the 15 languages CMS names for Medicare plans
# nationally; a plan sets the 15 most spoken by people with limited English in its State(s).
LETTER_TAGLINE_LANGUAGES = env_list("LETTER_TAGLINE_LANGUAGES") or [
    "es", "zh", "tl", "fr", "vi", "de", "ko", "ru", "ar", "it", "pt", "ht", "pl", "hi", "ja",
]  # fmt: skip

# The JSON API (/api/v1/): the same services and permission checks as the pages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "reviews.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "reviews.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Prior authorization review API",
    "DESCRIPTION": "Intake, documents, review and determinations for prior authorization "
    "of specialty drugs. Authenticate with the header `Authorization: Token YOUR_TOKEN`; "
    "get a token from POST /api/v1/auth/token/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "reviews.models.case.CaseStatus",
        "UrgencyEnum": "reviews.models.case.Urgency",
        "LineOfBusinessEnum": "reviews.models.case.LineOfBusiness",
        "RequestTypeEnum": "reviews.models.case.RequestType",
        "DocumentKindEnum": "reviews.models.case.DocumentKind",
        "AnswerEnum": "reviews.models.review.CriterionAnswer.Value",
        "LetterStatusEnum": "reviews.models.physician.Letter.Status",
        "PolicyVersionStatusEnum": "reviews.models.policy.PolicyVersion.Status",
        "ClaimLineStatusEnum": "reviews.models.claims.ClaimLineStatus",
    },
    # The documentation page's assets come from our static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security. A TLS-terminating proxy in front of gunicorn handles HTTPS and the HTTP->HTTPS
# redirect; it must set X-Forwarded-Proto (see README, "Deploying").
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_IDLE_SECONDS", "900"))
# The age is an idle timeout, renewed by requests: at most once per SESSION_RENEW_SECONDS
# (reviews.middleware.SessionRenewalMiddleware), so most requests write no session row.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): our own files only, no inline script or style
# anywhere. Views that need more (the letter preview's own stylesheet) add a hash to their
# response only; see reviews/csp.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "frame-src": ["'self'"],
    }
}

# Sign-in lockout (django-axes). Failures are counted per username *and* client address
# together: an attacker can lock a name only from his own address, never a whole ward that
# shares one (per-address) or a colleague everywhere (per-username). Lift a lock early
# with `manage.py axes_reset_username <name>` (README, "Security").
AXES_ENABLED = True
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a good password clears the earlier typos
# The lock runs cool-off minutes from the last counted failure; retrying while locked does
# not extend it, so the lockout page can say exactly when to try again.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are audited as AccessEvent rows already
AXES_LOCKOUT_CALLABLE = "reviews.views.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "reviews.client_ip.client_ip"
AXES_USERNAME_CALLABLE = "reviews.client_ip.signin_username"
# Proxies in front of gunicorn that append to X-Forwarded-For (0: use the socket's address).
PRIORAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
# Named on the lockout page as whom to ask for an early unlock.
PRIORAUTH_SUPPORT_CONTACT = (
    os.environ.get("PRIORAUTH_SUPPORT_CONTACT") or "your supervisor or the IT service desk"
)

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)

# Celery. Without a broker, tasks run in-process so the local run needs nothing else.
_broker = os.environ.get("CELERY_BROKER_URL") or REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not _broker
# In-process, nothing is sent; Celery still builds a producer for each task, so name an
# in-memory transport rather than let it fall back to amqp://localhost.
CELERY_BROKER_URL = _broker or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is delivered again; tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "120"))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "180"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged task after this long; longer than any task may run.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": task_names.WORKER_HEARTBEAT,
        "schedule": timedelta(minutes=1),
    },
    "deadline-sweep": {
        "task": task_names.DEADLINE_SWEEP,
        "schedule": timedelta(minutes=5),
        # A sweep still queued when the next is due is dropped, not run late on top of it.
        "options": {"expires": 4 * 60},
    },
    # Sends the tasks whose transaction committed while the broker was down (the outbox).
    "outbox-dispatch": {
        "task": task_names.OUTBOX_DISPATCH,
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    # Files kept across a refused intake that was never corrected (patient data: a day at most).
    "staged-uploads-purge": {
        "task": task_names.STAGED_UPLOADS_PURGE,
        "schedule": timedelta(hours=1),
        "options": {"expires": 30 * 60},
    },
}
# /health/ calls the worker stale when its last heartbeat is older than this.
WORKER_HEARTBEAT_STALE_AFTER = timedelta(minutes=5)

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "review-demo-2026")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
