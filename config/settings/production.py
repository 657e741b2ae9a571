"""Production: every secret from the environment, HTTPS only."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import LOGGING, SMTP_BACKEND, env_bool, mailers, redis_cache

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY doit être défini en production.")

if not os.environ.get("CELERY_BROKER_URL"):
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL doit être défini en production (sinon les tâches s'exécuteraient "
        "dans les processus web)."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# The preload directive only allows the domain to be submitted to the browsers' preload list;
# switch it off (SECURE_HSTS_PRELOAD=0) for a domain whose subdomains are not all on HTTPS.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
CSRF_TRUSTED_ORIGINS = [
    origin for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if origin
]

# E-mail (reminders): SMTP in production; the console backend would lose every message.
MAILERS = mailers(SMTP_BACKEND)

# The cache holds the login-throttling counts (docs/deployment.md § 4). Never the broker: with
# CACHE_URL (a Redis database of its own) every web worker shares the counts, with short socket
# timeouts so that a stopped or hung Redis costs a login half a second (partners.throttle then
# fails open); without it, each process counts in its own memory.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("CACHE_URL"):
    if os.environ["CACHE_URL"] == os.environ["CELERY_BROKER_URL"]:
        raise ImproperlyConfigured(
            "CACHE_URL doit désigner un autre Redis (ou une autre base Redis) que le courtier."
        )
    CACHES = {"default": redis_cache(os.environ["CACHE_URL"])}

# One JSON object a line (LOG_FORMAT=console for readable lines).
LOGGING["handlers"]["console"]["formatter"] = os.environ.get("LOG_FORMAT", "json")
