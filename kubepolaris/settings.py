"""Settings, all read from the environment (django-environ). See README "Configuration"."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("KUBEPOLARIS_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # local state (SQLite, demo key file); not in git

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "[::1]", "testserver"]),
    TOKEN_LIFETIME_HOURS=(float, 24.0),
    LOGIN_THROTTLE_RATE=(str, "10/min"),
    KUBE_CONNECT_TIMEOUT=(float, 5.0),
    KUBE_READ_TIMEOUT=(float, 15.0),
)

DEBUG = env("DEBUG")
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see README, Configuration).")
    SECRET_KEY = "insecure-development-only-key-do-not-use-in-production-0123456789"
ALLOWED_HOSTS = env("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "common",
    "accounts",
    "clusters",
    "workloads",
    "pods",
]

MIDDLEWARE = [
    "common.middleware.ApiPathMiddleware",
    "common.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
APPEND_SLASH = False

ROOT_URLCONF = "kubepolaris.urls"
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
            ],
        },
    },
]
WSGI_APPLICATION = "kubepolaris.wsgi.application"
ASGI_APPLICATION = "kubepolaris.asgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["common.permissions.RolePermission"],  # deny by default: role rules
    "DEFAULT_RENDERER_CLASSES": ["common.renderers.EnvelopeRenderer"],
    "DEFAULT_PARSER_CLASSES": ["common.parsers.DepthLimitedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "common.pagination.EnvelopePagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "common.schema.EnvelopeAutoSchema",
    "EXCEPTION_HANDLER": "common.exceptions.envelope_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": env("LOGIN_THROTTLE_RATE")},
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
}

TOKEN_LIFETIME = timedelta(hours=env("TOKEN_LIFETIME_HOURS"))
SIMPLE_JWT = {
    "AUTH_TOKEN_CLASSES": ("accounts.tokens.SessionToken",),
    "SLIDING_TOKEN_LIFETIME": TOKEN_LIFETIME,
    "SLIDING_TOKEN_REFRESH_LIFETIME": TOKEN_LIFETIME,
    "CHECK_REVOKE_TOKEN": True,
    "CHECK_USER_IS_ACTIVE": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "KubePolaris API",
    "DESCRIPTION": (
        "Kubernetes multi-cluster management. Every response is the envelope `{code, message, data}` "
        "(`code` = HTTP status; errors carry `data: null`, validation errors `data.errors` per field); "
        "lists are `{items, total, page, pageSize}`. Authenticate with `Authorization: Bearer <token>` "
        "from `POST /api/auth/login`.\n\n"
        "## WebSockets (not listed below: OpenAPI cannot describe them)\n"
        "Same server, same token: the `Authorization` header or `?token=<jwt>` (never logged). "
        "The server pings idle sockets; a session idle past the limit closes with 4408. Failures send "
        "`{\"type\":\"error\",\"message\":...}` and then close with 4401 (bad/expired token), 4403 (role), "
        "4404 (unknown cluster/pod), 4400 (bad parameter), 4502/4504 (cluster failed/timed out) or 1011.\n\n"
        "**Log stream** `WS /ws/clusters/{id}/namespaces/{ns}/pods/{name}/logs` (viewer). Send "
        "`{\"type\":\"subscribe\",\"container\":\"nginx\",\"follow\":true,\"tailLines\":100}` (also "
        "`sinceSeconds`, `timestamps`, `previous`; a new subscribe switches container). Receive "
        "`{\"type\":\"log\",\"data\":\"<line>\"}` per line and `{\"type\":\"end\"}` when the stream ends.\n\n"
        "**Exec terminal** `WS /ws/clusters/{id}/namespaces/{ns}/pods/{name}/exec?container=&command=` "
        "(operator). `command` defaults to `/bin/sh`; one value is split like a shell would, repeated values "
        "are the argv. A TTY is allocated. Send `{\"type\":\"input\",\"data\":\"ls\\n\"}` and "
        "`{\"type\":\"resize\",\"cols\":120,\"rows\":40}`. Receive `{\"type\":\"output\",\"data\":...}`, "
        "then `{\"type\":\"exit\",\"code\":N}` and a normal close. Closing the socket ends the remote process."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

# Kubernetes gateway: timeouts (seconds) on every call to a cluster.
KUBE_CONNECT_TIMEOUT = env("KUBE_CONNECT_TIMEOUT")
KUBE_READ_TIMEOUT = env("KUBE_READ_TIMEOUT")

# Credentials at rest: comma-separated Fernet keys, newest first. Without it, a key file under var/.
FERNET_KEYS = env.list("FERNET_KEYS", default=[])
FERNET_KEY_FILE = VAR_DIR / "fernet.key"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "common.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "daphne": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- workloads and pods ---
# The most bytes one GET .../pods/<name>/logs returns (sent to Kubernetes as limitBytes). Default 1 MiB.
POD_LOG_LIMIT_BYTES = env.int("POD_LOG_LIMIT_BYTES", default=1024 * 1024)
# The largest replica count POST .../deployments/<name>/scale accepts.
DEPLOYMENT_MAX_REPLICAS = env.int("DEPLOYMENT_MAX_REPLICAS", default=10000)

# --- clusters and nodes ---
# Drain: seconds between retries of an eviction a PodDisruptionBudget refused, and between checks that
# evicted pods are gone.
DRAIN_RETRY_INTERVAL = env.float("DRAIN_RETRY_INTERVAL", default=2.0)
DRAIN_POLL_INTERVAL = env.float("DRAIN_POLL_INTERVAL", default=1.0)
DRAIN_MAX_PARALLEL = env.int("DRAIN_MAX_PARALLEL", default=8)

# --- pod sockets (logs and exec over WebSocket) ---
# Seconds without a frame in either direction before an exec terminal is closed (4408).
EXEC_IDLE_TIMEOUT = env.float("EXEC_IDLE_TIMEOUT", default=900.0)
# The same for a log socket (a followed log that keeps producing lines is never idle).
LOG_IDLE_TIMEOUT = env.float("LOG_IDLE_TIMEOUT", default=3600.0)
# Lines buffered between the apiserver reader and the socket; when full the reader waits (back-pressure).
LOG_QUEUE_LINES = env.int("LOG_QUEUE_LINES", default=1000)
# A longer line is sent in pieces of this many bytes.
LOG_MAX_LINE_BYTES = env.int("LOG_MAX_LINE_BYTES", default=65536)
# Keepalive pings are WebSocket protocol pings sent by daphne: run it with
# `--ping-interval $WS_PING_INTERVAL --ping-timeout $WS_PING_TIMEOUT` (manage.py demo should pass these).
WS_PING_INTERVAL = env.int("WS_PING_INTERVAL", default=30)
WS_PING_TIMEOUT = env.int("WS_PING_TIMEOUT", default=30)

# --- watch cache ---
# Serve list reads (pods, nodes, workloads) from a per-cluster watch cache (list once, then watch) instead of a
# full list per request. Off by default: reads go straight to the cluster. `run.py demo` turns it on.
KUBE_WATCH_CACHE = env.bool("KUBE_WATCH_CACHE", default=False)
# Seconds the first read of a resource waits for the cache's initial list before reading the cluster directly
# (20,000 pods take 5-9 s to list; a cluster that does not answer fails sooner, by KUBE_READ_TIMEOUT).
KUBE_WATCH_CACHE_INITIAL_WAIT = env.float("KUBE_WATCH_CACHE_INITIAL_WAIT", default=20.0)
# A cache nobody has read for this many seconds stops watching and frees its memory.
KUBE_WATCH_CACHE_IDLE_SECONDS = env.float("KUBE_WATCH_CACHE_IDLE_SECONDS", default=600.0)
# After one of our own writes, seconds a read waits for the watch to catch up before it relists.
KUBE_WATCH_CACHE_SYNC_WAIT = env.float("KUBE_WATCH_CACHE_SYNC_WAIT", default=1.0)
# A cache whose watch has been broken this long is not trusted: reads go to the cluster (and see its error).
KUBE_WATCH_CACHE_STALE_SECONDS = env.float("KUBE_WATCH_CACHE_STALE_SECONDS", default=15.0)
# Items per page of the initial list, the server-side timeout of one watch request, and the longest back-off.
KUBE_WATCH_CACHE_PAGE_SIZE = env.int("KUBE_WATCH_CACHE_PAGE_SIZE", default=500)
KUBE_WATCH_CACHE_WATCH_SECONDS = env.int("KUBE_WATCH_CACHE_WATCH_SECONDS", default=60)
KUBE_WATCH_CACHE_MAX_BACKOFF = env.float("KUBE_WATCH_CACHE_MAX_BACKOFF", default=30.0)
