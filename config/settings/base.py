"""Settings shared by every environment. Configuration comes from environment variables."""

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


#: Socket timeouts of the Redis cache, in seconds: a stopped or hung Redis costs a request this
#: long at most before partners.throttle fails open.
REDIS_CACHE_TIMEOUT = 0.5


def redis_cache(url: str) -> dict[str, Any]:
    """Django's Redis cache at ``url`` with short connect and read timeouts."""
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "OPTIONS": {
            "socket_connect_timeout": REDIS_CACHE_TIMEOUT,
            "socket_timeout": REDIS_CACHE_TIMEOUT,
        },
    }


DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "dsfr",
    "widget_tweaks",
    "django_htmx",
    "guardian",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "anymail",
    "rest_framework",
    "drf_spectacular",
    "partners",
    "casework",
    "orientation",
]

MIDDLEWARE = [
    # First: /sante/vivant and /sante/pret, before sessions, users and the HTTPS redirect.
    "partners.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "partners.middleware.RequestIdMiddleware",
    "partners.request_log.RequestLogMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # After the CSRF check, before the session and the user are loaded (see its docstring).
    "partners.middleware.RejectNulBytesMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "partners.middleware.LoadUserMiddleware",
    # After the user is known: a professional's write pins their reads to the primary.
    "partners.replica.PinToPrimaryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "partners.middleware.SessionTimeoutMiddleware",
    "partners.middleware.SecondFactorRequiredMiddleware",
    "partners.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% form_field %} (partners/templatetags/dsfr_fields.py) in every template.
            "builtins": ["partners.templatetags.dsfr_fields"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partners.context_processors.site",
                "partners.context_processors.binome_roles",
            ],
        },
    },
    {
        # Only for the rows of long lists (partners/fragments.py), called by name: *.jinja files.
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "partners.fragments.environment"},
    },
]

# Django's widget templates rendered by Jinja2 (partners/forms.py, docs/performance.md §1).
FORM_RENDERER = "partners.forms.WidgetRenderer"

# Timeouts (docs/deployment.md, « Délais »): a connection attempt gives up after
# DATABASE_CONNECT_TIMEOUT seconds, a statement after DATABASE_STATEMENT_TIMEOUT seconds (0: none),
# both well under gunicorn's timeout (config/gunicorn.py), so that a hung database answers the 503
# page instead of a killed worker.
DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3"))
DATABASE_STATEMENT_TIMEOUT = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "20"))
#: Persistent connections, checked before reuse (docs/deployment.md, « Connections »).
DATABASE_CONN_MAX_AGE = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
#: PgBouncer in transaction pooling mode in front of PostgreSQL (docs/deployment.md, « PgBouncer »):
#: no server-side cursors, no prepared statements, no per-connection startup ``options`` (the
#: planner settings and the statement timeout then come from ALTER DATABASE … SET).
DATABASE_PGBOUNCER = env_bool("DATABASE_PGBOUNCER")


def database(url: str) -> dict[str, Any]:
    """The Django database settings for ``url`` as deployed: persistent connections with health
    checks and, on PostgreSQL, the connect and statement timeouts and the planner settings."""
    db: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True)
    )
    if db["ENGINE"] != "django.db.backends.postgresql":
        return db
    options = db.setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
    if DATABASE_PGBOUNCER:
        # A server connection serves many clients, one transaction at a time: a cursor or a
        # prepared statement would not outlive the transaction, and PgBouncer refuses `options`.
        db["DISABLE_SERVER_SIDE_CURSORS"] = True
        options["prepare_threshold"] = None
        return db
    # Planner settings for SSD storage, on every connection, so that tests that check query
    # plans see what production sees (docs/deployment.md).
    # An ``options`` given in DATABASE_URL's query string wins.
    options.setdefault(
        "options",
        os.environ.get(
            "DATABASE_PLANNER_OPTIONS", "-c random_page_cost=1.1 -c effective_io_concurrency=200"
        ),
    )
    if "statement_timeout" not in options["options"]:
        options["options"] = (
            f"{options['options']} -c statement_timeout={DATABASE_STATEMENT_TIMEOUT}s"
        ).strip()
    return db


DATABASES = {
    "default": database(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
# The read replica (docs/deployment.md, « Read replica »): the pages that read much and change
# nothing read there (partners.replica.read_only), through config.db_router.ReplicaRouter.
# Tests: a mirror of the default database (the real replica replays the test database itself).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database(os.environ["DATABASE_REPLICA_URL"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
#: Seconds of replay lag past which the replica is bypassed.
DATABASE_REPLICA_MAX_LAG = float(os.environ.get("DATABASE_REPLICA_MAX_LAG", "5"))
#: Seconds the replica's lag, once measured, is trusted before it is measured again.
DATABASE_REPLICA_LAG_CHECK_INTERVAL = float(
    os.environ.get("DATABASE_REPLICA_LAG_CHECK_INTERVAL", "2")
)
#: Seconds a professional reads from the primary after a write (a POST…), so that they see it.
#: At least the lag tolerated plus the interval between two checks of it.
DATABASE_REPLICA_PIN = float(
    os.environ.get(
        "DATABASE_REPLICA_PIN",
        str(DATABASE_REPLICA_MAX_LAG + DATABASE_REPLICA_LAG_CHECK_INTERVAL + 1),
    )
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) serve the supervisors' figures on PostgreSQL, the production
# database; SQLite (tests, development) builds them on their key columns only, as intended.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "partners.Professional"
AUTHENTICATION_BACKENDS = [
    "partners.backends.ProfessionalBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# The activation links of new accounts (partners.tokens): good this long, once. Binôme has no
# other password-reset link.
PASSWORD_RESET_TIMEOUT = 7 * 24 * 3600
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-guardian: no anonymous professional, object permissions never fall back to global ones.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# django-auditlog: free text and identity never copied into the audit trail.
AUDITLOG_MASK_CALLABLE = "partners.audit.mask"
AUDITLOG_STORE_JSON_CHANGES = True

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", _("Français"))]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Sessions (docs/deployment.md, « Sessions et connexion »): a session ends after 30 minutes
# without a request, 12 hours after the login whatever the activity, and when the browser closes
# (shared office computers). partners.middleware.SessionTimeoutMiddleware enforces the first two;
# partners.checks refuses to start without them.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
BINOME_SESSION_IDLE_TIMEOUT = 30 * 60
# The person's own space (/mon-espace/): its own session, shorter (casework.space.session).
BINOME_SPACE_IDLE_TIMEOUT = 15 * 60
BINOME_SPACE_ABSOLUTE_TIMEOUT = 4 * 3600
BINOME_SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "partners.error_pages.csrf_failure"

# Login throttling (partners.throttle): after 5 failures for one address, or 50 from one IP,
# within 15 minutes, the login is refused for 15 minutes. Counted in the cache (CACHE_URL's Redis in
# production, so that every web worker sees the same counts; never the broker's).
BINOME_LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
BINOME_LOGIN_MAX_FAILURES_PER_IP = 50
BINOME_LOGIN_LOCKOUT_SECONDS = 15 * 60

# Second factor (django-otp, TOTP): required for these roles, optional for the others.
BINOME_OTP_REQUIRED_ROLES = ["admin", "auditor"]
OTP_TOTP_ISSUER = "Binôme"

# Content-Security-Policy (Django's own middleware): no inline script or style anywhere; the
# DSFR's and htmx's files come from our static files. DSFR's stylesheets use data: images.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Celery: without a broker, tasks run eagerly in the web process (first look, tests).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
#: The supervisors' dashboards are refreshed at the end of a window of this many seconds after a
#: write (orientation/snapshots.py); 0 refreshes after each write, for ``make run``, whose tasks
#: run eagerly without beat to relay a row due later.
BINOME_DASHBOARD_REFRESH_SECONDS = int(
    os.environ.get("BINOME_DASHBOARD_REFRESH_SECONDS", "0" if CELERY_TASK_ALWAYS_EAGER else "120")
)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A worker that loses its broker connection stops its running late-acked tasks: the broker gives
# their messages to another worker, and a task redelivered is then never still running elsewhere
# (the outbox's relay relies on it: partners.outbox.dispatch.release).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 15 * 60
CELERY_TASK_TIME_LIMIT = 20 * 60
# With acks_late, Redis redelivers a message not acknowledged within the visibility timeout: it
# must exceed every hard time limit and every countdown, or a running task would run twice.
# Socket timeouts (Redis transport; RabbitMQ uses the connection timeout and its heartbeats).
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
    "visibility_timeout": 2 * 60 * 60,
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 3
CELERY_REDIS_SOCKET_TIMEOUT = 5
# RabbitMQ, the production broker (docs/deployment.md § 4): quorum queues (replicated, and a dead
# worker's unacknowledged message goes back to the queue as soon as its connection drops, not
# after a visibility timeout). Celery needs publisher confirms with them, per-consumer prefetch
# (quorum queues have no global QoS: worker_detect_quorum_queues) and a topic exchange for its
# native delayed delivery of countdowns and retries. The queue is named « binome » (CELERY_QUEUE):
# a classic « celery » queue left by an older deployment cannot be redeclared as a quorum queue.
if CELERY_BROKER_URL.startswith(("amqp://", "amqps://", "pyamqp://")):
    CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "binome")
    CELERY_TASK_DEFAULT_QUEUE_TYPE = "quorum"
    CELERY_TASK_DEFAULT_EXCHANGE_TYPE = "topic"
    CELERY_TASK_CREATE_MISSING_QUEUE_TYPE = "quorum"  # a worker's extra -Q queues too
    CELERY_TASK_CREATE_MISSING_QUEUE_EXCHANGE_TYPE = "topic"
    CELERY_WORKER_DETECT_QUORUM_QUEUES = True
    CELERY_BROKER_TRANSPORT_OPTIONS["confirm_publish"] = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # The outbox's relay: e-mails and tasks that follow business events (docs/architecture.md).
    "relay-outbox": {
        "task": "partners.tasks.relay_outbox",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "expire-delegations": {
        "task": "casework.tasks.expire_delegations",
        "schedule": crontab(hour=0, minute=15),
    },
    # The supervisors' dashboards, for the new day (after the writes: orientation/snapshots.py).
    "nightly-dashboards": {
        "task": "orientation.tasks.refresh_all_dashboards",
        "schedule": crontab(hour=0, minute=30),
    },
    "daily-reminders": {
        "task": "orientation.tasks.send_daily_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    # The person's appointment reminders (J-2, J-1 by default): SMS wait for the quiet hours' end.
    "appointment-reminders": {
        "task": "casework.tasks.send_appointment_reminders",
        "schedule": crontab(hour=10, minute=0),
    },
    "nightly-retention": {
        "task": "casework.tasks.run_retention",
        "schedule": crontab(hour=2, minute=30),
    },
    # The journal's monthly partitions, three months ahead (PostgreSQL; casework/partitions.py).
    "create-journal-partitions": {
        "task": "casework.tasks.create_journal_partitions",
        "schedule": crontab(hour=0, minute=20),
    },
    # Each department's journal head, signed, to the file and to the DPO (docs/audit.md).
    "publish-journal-heads": {
        "task": "casework.tasks.publish_journal_heads",
        "schedule": crontab(hour=0, minute=5),
    },
}

# Published journal heads (docs/audit.md, « Têtes publiées »). The Ed25519 key that signs them is
# a file outside the database, readable by the worker's account only; the public key checks them
# (audit_verify --heads, restore_drill); without it, the public key of the signing key is used.
BINOME_HEADS_SIGNING_KEY_FILE = os.environ.get("BINOME_HEADS_SIGNING_KEY_FILE", "")
BINOME_HEADS_PUBLIC_KEY_FILE = os.environ.get("BINOME_HEADS_PUBLIC_KEY_FILE", "")
#: The JSON-lines file the beat task appends the signed heads to.
BINOME_HEADS_FILE = os.environ.get("BINOME_HEADS_FILE", "")

#: Seconds an SMTP connection or command may take: the SMTP mailer's ``timeout`` (Django 6.1
#: refuses the old EMAIL_TIMEOUT setting beside MAILERS).
BINOME_EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
BREVO_EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
# Brevo (SMS and, with EMAIL_BACKEND=anymail.backends.brevo.EmailBackend, e-mail): the API key
# and address; the tests point the address at a fake on 127.0.0.1.
BREVO_API_KEY = os.environ.get("BREVO_API_KEY", "")
BREVO_API_URL = os.environ.get("BREVO_API_URL", "https://api.brevo.com/v3")
# django-anymail's e-mail delivery reports (/webhooks/brevo/email/): HTTP basic authentication
# « user:password » shared with Brevo. Unset: a random secret nobody knows, every report refused.
ANYMAIL = {
    "WEBHOOK_SECRET": os.environ.get("ANYMAIL_WEBHOOK_SECRET") or f"refus:{secrets.token_hex(16)}"
}


def mailers(default_backend: str) -> dict[str, dict[str, Any]]:
    """``MAILERS`` from the environment: EMAIL_BACKEND (or ``default_backend``), and for SMTP
    EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS."""
    mailer: dict[str, Any] = {"BACKEND": os.environ.get("EMAIL_BACKEND", default_backend)}
    if mailer["BACKEND"] == BREVO_EMAIL_BACKEND:  # django-anymail, Brevo's transactional e-mail
        mailer["OPTIONS"] = {"api_key": BREVO_API_KEY, "api_url": BREVO_API_URL}
    if mailer["BACKEND"] == SMTP_BACKEND:
        mailer["OPTIONS"] = {  # Django 6.1's SMTP mailer needs its host here
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS"),
            "timeout": BINOME_EMAIL_TIMEOUT,
        }
    return {"default": mailer}


# E-mail (reminders): the console by default; an SMTP server from the environment.
MAILERS = mailers("django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "binome@localhost")
# SMS to the person (partners/outbox/sms.py): the console by default, Brevo's API when chosen.
BINOME_SMS_BACKEND = os.environ.get("BINOME_SMS_BACKEND", "console")
#: The shared secret Brevo's delivery-report webhook sends (``Authorization: Bearer …``); empty:
#: every report is refused.
BREVO_WEBHOOK_TOKEN = os.environ.get("BREVO_WEBHOOK_TOKEN", "")
#: Seconds an SMS provider's call may take before the relay tries later.
BINOME_SMS_TIMEOUT = float(os.environ.get("BINOME_SMS_TIMEOUT", "10"))
# Notifications to the partner systems (partners/outbox/webhooks.py): signed with Standard
# Webhooks' scheme, over HTTPS only unless a local setting allows plain HTTP (the demo, tests).
BINOME_WEBHOOK_TIMEOUT = float(os.environ.get("BINOME_WEBHOOK_TIMEOUT", "10"))
BINOME_WEBHOOK_ALLOW_HTTP = env_bool("BINOME_WEBHOOK_ALLOW_HTTP", default=False)
#: The address of the site, for links in e-mails.
BINOME_SITE_URL = os.environ.get("BINOME_SITE_URL", "http://127.0.0.1:8000")

# The site as the DSFR header shows it. The State's brand (Marianne block) is shown only when the
# operator is a State body (France Travail): django-dsfr's terms of use reserve it to them.
BINOME_OPERATOR_IS_STATE = env_bool("BINOME_OPERATOR_IS_STATE", default=False)
BINOME_OPERATOR_NAME = os.environ.get("BINOME_OPERATOR_NAME", "Conseil départemental")
BINOME_SITE_TITLE = "Binôme"
BINOME_SITE_TAGLINE = "L'accompagnement global, à deux et avec la personne"

# Logs on stderr: readable lines locally, one JSON object a line in production (LOG_FORMAT).
# partners.request_log writes one line per request, without personal data.
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "console": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("LOG_FORMAT", "console"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# The partner API (/api/v1/, partners.api and the apps' api sub-packages): Django REST framework,
# token-only (a partner system's key, never a session), JSON in and out, every error a French
# problem+json body (RFC 9457), a rate limit per partner system (PartnerSystem.requests_per_minute,
# counted in the cache), pages by cursor. docs/architecture.md, « The partner API ».
REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["partners.api.authentication.PartnerKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["partners.api.permissions.IsPartner"],
    "DEFAULT_THROTTLE_CLASSES": ["partners.api.throttling.PartnerRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "partners.api.pagination.CursorPage",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "partners.api.problems.exception_handler",
}
SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "API partenaires de Binôme",
    "DESCRIPTION": (
        "L'API des systèmes partenaires d'un département (rdv-insertion, les logiciels de France "
        "Travail et du département) : le suivi des accompagnements, jamais de contenu secret. "
        "Authentification : « Authorization: Bearer <clé> », une clé délivrée par "
        "l'administration fonctionnelle du département. Erreurs au format problem+json "
        "(RFC 9457), en français."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "AppointmentKindEnum": "casework.enums.AppointmentKind",
        "ContractKindEnum": "orientation.enums.ContractKind",
        "OrientationPathEnum": "casework.enums.OrientationPath",
    },
}

# Readiness (/sante/pret, partners.health): one check per part, the outbox's lag included.
BINOME_READINESS_CHECKS = [
    "partners.health.DatabaseReady",
    "partners.health.BrokerReady",
    "partners.health.MailReady",
    "partners.health.OutboxReady",
]
#: /sante/pret fails when an outbox message has been due for longer than this (seconds): the
#: relay (beat, every minute) is not running.
BINOME_OUTBOX_MAX_LAG = int(os.environ.get("BINOME_OUTBOX_MAX_LAG", str(10 * 60)))

# ProConnect (the State's OpenID Connect for public agents), through mozilla-django-oidc: off
# unless PROCONNECT_CLIENT_ID is set. A professional logs in with ProConnect only if an active
# account with the same e-mail address exists (no account is created); the e-mail and password
# login stays. See docs/deployment.md, « ProConnect ».
PROCONNECT_CLIENT_ID = os.environ.get("PROCONNECT_CLIENT_ID", "")
BINOME_PROCONNECT_ENABLED = bool(PROCONNECT_CLIENT_ID)
if BINOME_PROCONNECT_ENABLED:
    PROCONNECT_BASE_URL = os.environ.get(
        "PROCONNECT_BASE_URL", "https://auth.proconnect.gouv.fr/api/v2"
    ).rstrip("/")
    AUTHENTICATION_BACKENDS = ["partners.backends.ProConnectBackend", *AUTHENTICATION_BACKENDS]
    OIDC_RP_CLIENT_ID = PROCONNECT_CLIENT_ID
    OIDC_RP_CLIENT_SECRET = os.environ["PROCONNECT_CLIENT_SECRET"]
    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_RP_SCOPES = "openid email given_name usual_name"
    OIDC_OP_ISSUER = os.environ.get("PROCONNECT_ISSUER", PROCONNECT_BASE_URL)
    OIDC_OP_AUTHORIZATION_ENDPOINT = f"{PROCONNECT_BASE_URL}/authorize"
    OIDC_OP_TOKEN_ENDPOINT = f"{PROCONNECT_BASE_URL}/token"
    OIDC_OP_USER_ENDPOINT = f"{PROCONNECT_BASE_URL}/userinfo"
    OIDC_OP_JWKS_ENDPOINT = f"{PROCONNECT_BASE_URL}/jwks"
    OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "eidas1"}
    OIDC_CREATE_USER = False
    OIDC_TIMEOUT = 10
    LOGIN_REDIRECT_URL_FAILURE = "/connexion/?proconnect=echec"

# FranceConnect (the State's OpenID Connect for citizens) for the person's space, through
# mozilla-django-oidc's views and backend too: off unless FRANCECONNECT_CLIENT_ID is set. Its own
# FRANCECONNECT_* settings, never ProConnect's OIDC_* ones: casework.space.franceconnect maps the
# library's setting names onto these. A FranceConnect identity opens a space only once the person
# tied it from their space (logged in with a code). See docs/deployment.md, « FranceConnect ».
FRANCECONNECT_CLIENT_ID = os.environ.get("FRANCECONNECT_CLIENT_ID", "")
BINOME_FRANCECONNECT_ENABLED = bool(FRANCECONNECT_CLIENT_ID)
FRANCECONNECT_CLIENT_SECRET = (
    os.environ["FRANCECONNECT_CLIENT_SECRET"] if BINOME_FRANCECONNECT_ENABLED else ""
)
FRANCECONNECT_BASE_URL = os.environ.get(
    "FRANCECONNECT_BASE_URL", "https://oidc.franceconnect.gouv.fr/api/v2"
).rstrip("/")
#: The issuer the tokens must name; the base URL when unset.
FRANCECONNECT_ISSUER = os.environ.get("FRANCECONNECT_ISSUER", "")
FRANCECONNECT_SCOPES = "openid given_name family_name birthdate email"
FRANCECONNECT_TIMEOUT = 10
