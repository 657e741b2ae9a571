"""gunicorn's configuration: ``gunicorn -c config/gunicorn.py config.wsgi``.

The timeouts are chosen with the others in docs/deployment.md (« Délais »); a test checks that a
request waiting on PostgreSQL gives up (connect and statement timeouts) before gunicorn kills its
worker.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
#: A worker silent for this many seconds is killed and replaced (the request gets no answer).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
#: On restart or HUP, requests in progress get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
#: Seconds an idle keep-alive connection from the load balancer is kept.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
#: No access log: partners.request_log writes one line per request without the query string
#: (which may carry a name searched for) or the client's address.
accesslog = None
errorlog = "-"
