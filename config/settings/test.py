"""Tests: fast hashing, strict templates, eager Celery unless a test asks for the real broker."""

import jinja2

from config.settings.base import *  # noqa: F403
from config.settings.base import TEMPLATES

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True
# As in production: the dashboards' refresh is due at the end of its window (a test that wants it
# runs the task, as the worker would).
BINOME_DASHBOARD_REFRESH_SECONDS = 120
# The fake partner servers listen on 127.0.0.1, in plain HTTP.
BINOME_WEBHOOK_ALLOW_HTTP = True


class InvalidTemplateVariable(str):
    """Makes an unknown template variable an error instead of an empty string."""

    def __contains__(self, item: object) -> bool:
        return item == "%s"

    def __mod__(self, variable: object) -> str:
        raise NameError(f"Variable de gabarit inconnue : {variable}")


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")
# The same for the rows rendered by Jinja2 (partners/fragments.py).
TEMPLATES[1]["OPTIONS"]["undefined"] = jinja2.StrictUndefined

# Static files from the apps' folders, without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
