"""A fake of Brevo's transactional SMS and e-mail APIs on 127.0.0.1, behaving like the real ones
for what Binôme uses: ``POST /v3/smtp/email`` (django-anymail's Brevo backend),
``POST /v3/transactionalSMS/send`` (api-key header, JSON body, 201 with a message id; 400
``invalid_parameter``; 401; 429; 500) and ``GET /v3/transactionalSMS/statistics/events`` (the
events of a tag). ``mode`` chooses how it answers the next sends: « accept », « refuse »,
« rate_limit », « error », or « slow » (it takes the SMS, then answers after ``delay`` seconds:
a client timing out has still had its SMS sent)."""

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

API_KEY = "cle-brevo-de-test"
SENDER = re.compile(r"^[A-Za-z0-9]{3,11}$")


@dataclass
class FakeBrevo:
    mode: str = "accept"
    delay: float = 0.0
    #: Every SMS the fake took (as the real API would have sent it).
    sent: list[dict[str, Any]] = field(default_factory=list)
    #: Every e-mail the fake took (``POST /v3/smtp/email``, django-anymail's Brevo backend).
    emails: list[dict[str, Any]] = field(default_factory=list)
    #: Every call, as (method, path), in the order received.
    calls: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> "FakeBrevo":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _answer(self, status: int, body: dict[str, Any] | None = None) -> None:
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                try:
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    # The client gave up before the answer (« slow »: its timeout): as for the
                    # real API, the SMS is taken all the same and nobody reads the answer.
                    pass

            def _received(self) -> None:
                with fake._lock:
                    fake.calls.append((self.command, urlparse(self.path).path))

            def do_POST(self) -> None:  # noqa: N802 — http.server's name
                self._received()
                if urlparse(self.path).path == "/v3/smtp/email":
                    return self._email()
                if urlparse(self.path).path != "/v3/transactionalSMS/send":
                    return self._answer(404, {"code": "not_found"})
                if self.headers.get("api-key") != API_KEY:
                    return self._answer(401, {"code": "unauthorized", "message": "Key not found"})
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if fake.mode == "rate_limit":
                    return self._answer(429, {"code": "too_many_requests"})
                if fake.mode == "error":
                    return self._answer(500, {"code": "internal_error"})
                recipient = str(body.get("recipient", ""))
                if (
                    fake.mode == "refuse"
                    or not recipient.isdigit()
                    or not SENDER.match(str(body.get("sender", "")))
                    or not body.get("content")
                ):
                    return self._answer(
                        400, {"code": "invalid_parameter", "message": "Invalid phone number"}
                    )
                with fake._lock:
                    fake.sent.append(body)
                    message_id = 1511882900176220 + len(fake.sent)
                if fake.mode == "slow":
                    time.sleep(fake.delay)
                return self._answer(
                    201,
                    {
                        "reference": f"ab1cde2fgh3i4jklmno{len(fake.sent)}",
                        "messageId": message_id,
                        "smsCount": 1,
                        "usedCredits": 0.7,
                        "remainingCredits": 82.85,
                    },
                )

            def _email(self) -> None:
                if self.headers.get("api-key") != API_KEY:
                    return self._answer(401, {"code": "unauthorized", "message": "Key not found"})
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if fake.mode == "rate_limit":
                    return self._answer(429, {"code": "too_many_requests"})
                if not body.get("to") or not body.get("sender") or not body.get("subject"):
                    return self._answer(400, {"code": "missing_parameter"})
                with fake._lock:
                    fake.emails.append(body)
                    number = len(fake.emails)
                return self._answer(201, {"messageId": f"<2026{number:08d}@smtp-relay.mailin.fr>"})

            def do_GET(self) -> None:  # noqa: N802
                self._received()
                url = urlparse(self.path)
                if url.path != "/v3/transactionalSMS/statistics/events":
                    return self._answer(404, {"code": "not_found"})
                if self.headers.get("api-key") != API_KEY:
                    return self._answer(401, {"code": "unauthorized"})
                tags = set(parse_qs(url.query).get("tags", [""])[0].split(","))
                with fake._lock:
                    events = [
                        {
                            "phoneNumber": sms["recipient"],
                            "date": "2026-01-01T00:00:00.000Z",
                            "messageId": str(index),
                            "event": "sent",
                            "tag": sms["tag"],
                        }
                        for index, sms in enumerate(fake.sent)
                        if sms.get("tag") in tags
                    ]
                return self._answer(200, {"events": events})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}/v3"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def sends(self) -> int:
        return sum(1 for method, _ in self.calls if method == "POST")
