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
    # Loopback only by default (the demo); production lists its public name. Tests add "testserver" themselves.
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "[::1]"]),
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
    "audit",
    "search",
    "namespaces",
    "configuration",
    "manifests",
    "resources",
]

MIDDLEWARE = [
    "observe.middleware.RequestMetricsMiddleware",  # outermost: times and counts every request (GET /metrics)
    "common.middleware.ApiPathMiddleware",
    "common.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditMiddleware",  # after authentication: records every /api/ change
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
APPEND_SLASH = False
CSRF_FAILURE_VIEW = "common.views.csrf_failure"

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
# Parallel test workers share one Redis database: each keeps its cache keys and channel-layer messages under
# its own name (pytest-xdist sets PYTEST_XDIST_WORKER; the servers a test starts inherit it). Empty otherwise.
REDIS_PREFIX = env.str("PYTEST_XDIST_WORKER", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                    "CONFIG": {"hosts": [REDIS_URL], "prefix": f"asgi{REDIS_PREFIX}"}}
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": REDIS_PREFIX}}
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
    # DRF's throttles find the client the same way as common.client_ip (None would trust any X-Forwarded-For).
    "NUM_PROXIES": env.int("TRUSTED_PROXY_COUNT", default=0),
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

# --- client address and login lock ---
# How many proxies of our own stand in front of the server. 0: X-Forwarded-For is ignored and the socket's
# address is the client; N: the client is the Nth address from the right of X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Failed logins (API and admin alike) counted in the shared cache within a window: this many for one username
# locks that username, this many from one client address locks that address (0 turns a limit off).
LOGIN_LOCKOUT_FAILURES = env.int("LOGIN_LOCKOUT_FAILURES", default=10)
LOGIN_LOCKOUT_ADDRESS_FAILURES = env.int("LOGIN_LOCKOUT_ADDRESS_FAILURES", default=50)
LOGIN_LOCKOUT_WINDOW_SECONDS = env.int("LOGIN_LOCKOUT_WINDOW_SECONDS", default=15 * 60)
# How long a lock lasts (429 with Retry-After, whatever the password).
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)

SPECTACULAR_SETTINGS = {
    "TITLE": "KubePolaris API",
    "DESCRIPTION": (
        "Kubernetes multi-cluster management. Every response is the envelope `{code, message, data}` "
        "(`code` = HTTP status; errors carry `data: null`, validation errors `data.errors` per field); "
        "lists are `{items, total, page, pageSize}`. Authenticate with `Authorization: Bearer <token>` "
        "from `POST /api/auth/login`.\n\n"
        "## WebSockets (not listed below: OpenAPI cannot describe them)\n"
        "Same server, same token: the `Authorization` header, `?token=<jwt>`, or (for browsers) `?ticket=` from "
        "`POST /api/auth/ws-ticket`: single-use, valid for seconds. Neither value is ever logged. "
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
    # Two choice sets share the field name `role`: a user's (admin, operator, viewer) and a grant's (no admin).
    "ENUM_NAME_OVERRIDES": {"RoleEnum": "common.permissions.Role",
                            "GrantRoleEnum": [("viewer", "Viewer"), ("operator", "Operator")]},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "common.schema.path_name_patterns"],
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
# Who may `POST …/secrets/:name/reveal`: the least of these roles and above (default: admins only).
SECRET_REVEAL_ROLES = env.list("SECRET_REVEAL_ROLES", default=["admin"])
# POST /api/clusters/:id/apply: the largest YAML text and the most objects one request takes.
APPLY_MAX_BYTES = env.int("APPLY_MAX_BYTES", default=1024 * 1024)
APPLY_MAX_OBJECTS = env.int("APPLY_MAX_OBJECTS", default=100)
# The largest replica count POST .../deployments/<name>/scale accepts.
DEPLOYMENT_MAX_REPLICAS = env.int("DEPLOYMENT_MAX_REPLICAS", default=10000)

# --- clusters and nodes ---
# Drain: seconds between retries of an eviction a PodDisruptionBudget refused, and between checks that
# evicted pods are gone.
DRAIN_RETRY_INTERVAL = env.float("DRAIN_RETRY_INTERVAL", default=2.0)
DRAIN_POLL_INTERVAL = env.float("DRAIN_POLL_INTERVAL", default=1.0)
DRAIN_MAX_PARALLEL = env.int("DRAIN_MAX_PARALLEL", default=8)

# --- pod sockets (logs and exec over WebSocket) ---
# Seconds without a frame from the user (input or resize) before an exec terminal is closed (4408);
# the command's own output does not count, so a chatty process cannot keep an abandoned shell open.
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
# Browser origins allowed to open sockets besides this server's own (comma-separated; `https://ui.example.com`,
# `.example.com` for a domain and its subdomains, `*` for any). Others are refused with 4403 (common.ws_origin);
# clients that send no Origin header (scripts, the SDK) are not affected.
WS_ALLOWED_ORIGINS = env.list("WS_ALLOWED_ORIGINS", default=[])
# Seconds a WebSocket ticket (POST /api/auth/ws-ticket) stays valid. It is single-use and never outlives the
# token it was issued for; tickets live in the cache (Redis with REDIS_URL, so any process can redeem them).
WS_TICKET_SECONDS = env.float("WS_TICKET_SECONDS", default=30.0)

# --- watch cache ---
# Serve list reads (pods, nodes, workloads) from a per-cluster watch cache (list once, then watch) instead of a
# full list per request. On by default (demo and production); KUBE_WATCH_CACHE=0 sends every read to the cluster.
KUBE_WATCH_CACHE = env.bool("KUBE_WATCH_CACHE", default=True)
# Seconds the first read of a resource waits for the cache's initial list before reading the cluster directly
# (20,000 pods take 5-9 s to list; a cluster that does not answer fails sooner, by KUBE_READ_TIMEOUT).
KUBE_WATCH_CACHE_INITIAL_WAIT = env.float("KUBE_WATCH_CACHE_INITIAL_WAIT", default=20.0)
# While the first list of a big cluster (more than KUBE_WATCH_CACHE_DIRECT_MAX objects received so far) is still
# loading, a read waits at most this many seconds, then answers 503 with Retry-After (a direct read of that many
# objects would be as slow); a smaller cluster's read waits up to KUBE_WATCH_CACHE_INITIAL_WAIT, then reads directly.
KUBE_WATCH_CACHE_LOADING_WAIT = env.float("KUBE_WATCH_CACHE_LOADING_WAIT", default=2.0)
KUBE_WATCH_CACHE_DIRECT_MAX = env.int("KUBE_WATCH_CACHE_DIRECT_MAX", default=5000)
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

# --- operations: /healthz, /readyz, /metrics (observe/) ---
# Bearer token for GET /metrics. Unset: /metrics answers 404, except with DEBUG on (the demo), where it is open.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Seconds /readyz waits for the channel layer's send/receive round trip before it reports it failed.
READYZ_TIMEOUT = env.float("READYZ_TIMEOUT", default=2.0)

# --- audit log and terminal recordings ---
# Days an audit row (and its recording) is kept; `manage.py prune_audit` deletes older ones (run it daily).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=90)
# Also record what is typed into exec terminals (off: keystrokes may hold passwords typed with echo off).
AUDIT_RECORD_INPUT = env.bool("AUDIT_RECORD_INPUT", default=False)
# Largest recording of one exec session, in bytes; past it the recording says it was truncated.
AUDIT_RECORDING_MAX_BYTES = env.int("AUDIT_RECORDING_MAX_BYTES", default=1024 * 1024)

# --- security: credentials, cluster addresses, HTTPS (issue 10, points 4, 5, 9) ---------------------------
# Kept in one block so `manage.py check --deploy` passes with production settings:
#   DEBUG=0 SECRET_KEY=<50+ random chars> FERNET_KEYS=<key> ALLOWED_HOSTS=kubepolaris.example.com
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

# Credentials at rest: with DEBUG off, FERNET_KEYS is required. The key file under var/ is a demo convenience:
# it lies next to the database it protects, so a copied var/ (or backup) would carry both.
if not DEBUG:
    if not [key for key in FERNET_KEYS if key.strip()]:
        raise ImproperlyConfigured(
            "FERNET_KEYS must be set when DEBUG is off: comma-separated Fernet keys, newest first, that encrypt "
            "cluster credentials. Make one with: python -c \"from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())\" (see README, Security)."
        )
    from cryptography.fernet import Fernet

    for _position, _key in enumerate((k.strip() for k in FERNET_KEYS if k.strip()), start=1):
        try:
            Fernet(_key.encode())
        except ValueError:
            raise ImproperlyConfigured(
                f"FERNET_KEYS entry {_position} is not a Fernet key (32 url-safe base64-encoded bytes)."
            ) from None

# Cluster API servers must use https://; plain http:// (credentials and tokens in clear) only when a lab
# explicitly allows it.
KUBE_ALLOW_INSECURE_HTTP = env.bool("KUBE_ALLOW_INSECURE_HTTP", default=False)

# HTTPS. Production runs behind a TLS-terminating proxy: set SECURE_PROXY_SSL_HEADER to the header the proxy
# sets (e.g. X-Forwarded-Proto, value "https") and make sure the proxy overwrites it on every request.
_proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="").strip()
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
# With DEBUG off: redirect http to https, secure-only cookies, HSTS for a year. The test harnesses that
# serve plain http on loopback (tests/conftest.py, scripts/liveserver.py) turn the redirect off.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Paths (regexes, no leading slash) answered over plain http too: by default the liveness and readiness probes
# (kubelet and load balancers probe over http). /metrics is not exempt: its token is not sent in clear.
SECURE_REDIRECT_EXEMPT = env.list("SECURE_REDIRECT_EXEMPT", default=[r"^healthz$", r"^readyz$"])
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
# HSTS covers subdomains of the host KubePolaris is served on (not its parent domain).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a decision for the owner of the whole registered domain (it is submitted to browser
    # vendors' lists and hard to undo), not for one application: opt in with SECURE_HSTS_PRELOAD=1.
    "security.W021",
]

# Cross-cluster search (search/): each cluster's share of a search must answer within this many seconds, else it
# becomes an entry of the answer's `errors`; at most this many clusters are searched at the same time.
SEARCH_CLUSTER_TIMEOUT = env.float("SEARCH_CLUSTER_TIMEOUT", default=2.0)
SEARCH_MAX_WORKERS = env.int("SEARCH_MAX_WORKERS", default=8)
