"""Cookies of the production settings, given back over plain HTTP to 127.0.0.1.

Not imported by ``bench.loadtest``'s package: locust must patch ``ssl`` (gevent) before
``requests`` is imported.
"""

import http.cookiejar
from typing import Any

from requests.cookies import RequestsCookieJar


class SecureOverHttp(RequestsCookieJar):
    """Keeps the ``Secure`` cookies as if they had come over HTTPS, so that they are given back
    over HTTP to 127.0.0.1 (requests merges the jar into a fresh one for each request: a cookie
    policy of this jar would not apply). Used by the locust users and by ``bench.over_http``."""

    def set_cookie(self, cookie: http.cookiejar.Cookie, *args: Any, **kwargs: Any) -> Any:
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)
