"""Real sockets on 127.0.0.1 for the outbox's tests: a port that refuses connections, and a tiny
SMTP server that accepts every message and keeps it (a fake external server, not a mock)."""

import email
import email.policy
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any


def closed_port() -> int:
    """A port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def smtp_mailers(port: int) -> dict[str, Any]:
    """``MAILERS`` for Django's SMTP backend on 127.0.0.1:port, with a short timeout."""
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }


class _Handler(socketserver.StreamRequestHandler):
    server: "_Server"

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 fake ESMTP")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 fake")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                time.sleep(self.server.delay)  # a slow server: the queueing takes a while
                self.server.received.append(
                    email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[arg-type]
                )
                self.reply("250 OK queued")
            elif command == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    received: list[EmailMessage]
    delay: float


@contextmanager
def smtp_server(port: int = 0, delay: float = 0.0) -> Iterator[tuple[int, list[EmailMessage]]]:
    """An SMTP server on 127.0.0.1 (``port``, or a free one): (its port, the messages received).
    ``delay``: seconds it takes to queue each message (received, then kept after the delay)."""
    server = _Server(("127.0.0.1", port), _Handler)
    server.received = []
    server.delay = delay
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1]), server.received
    finally:
        server.shutdown()
        server.server_close()
