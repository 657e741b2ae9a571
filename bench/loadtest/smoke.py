"""``python -m bench.loadtest.smoke URL``: each user of the locustfile once against a running
server (its login, then each of its tasks once), without load. Prints the requests made and the
failures as JSON; exits 1 on a failure. Run by tests/infrastructure/test_loadtest.py against the
test server (a subprocess: locust patches the standard library with gevent when imported)."""

import json
import sys
from typing import Any

from locust.env import Environment

from bench.loadtest import locustfile


def main(host: str) -> int:
    classes = [locustfile.PairMember, locustfile.Supervisor, locustfile.Auditor]
    env = Environment(user_classes=list(classes), host=host)
    requests: list[str] = []
    failures: list[str] = []

    def on_request(request_type: str, name: str, exception: Any = None, **_: Any) -> None:
        requests.append(f"{request_type} {name}")
        if exception is not None:
            failures.append(f"{request_type} {name}: {exception}")

    env.events.request.add_listener(on_request)  # type: ignore[no-untyped-call]
    for user_class in classes:
        user_class.host = host
        user = user_class(env)  # type: ignore[no-untyped-call]
        user.on_start()
        for user_task in dict.fromkeys(user.tasks):  # each task once, in the class's order
            user_task(user)  # type: ignore[operator]
    print(json.dumps({"requests": requests, "failures": failures}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
