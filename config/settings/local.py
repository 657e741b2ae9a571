"""First look on a laptop: SQLite by default, Celery eager, demo passwords allowed."""

from config.settings.base import *  # noqa: F403
from config.settings.base import SECRET_KEY, env_bool

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "local-only-insecure-key-do-not-use-in-production"  # noqa: S105
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# A partner system of the demo may be notified on http://127.0.0.1.
BINOME_WEBHOOK_ALLOW_HTTP = env_bool("BINOME_WEBHOOK_ALLOW_HTTP", default=True)
WHITENOISE_USE_FINDERS = True
