"""A TCP proxy on 127.0.0.1 that a test can cut, hang and restore, to put a real service (the
test PostgreSQL) behind a failure without touching the service itself.

- ``cut()``: closes the listening socket (new connections are refused) and every connection in
  progress, both ways: PostgreSQL stopped or unreachable.
- ``hang()``: closes the connections in progress; new connections are accepted and then nothing
  is forwarded, either way: a hung server (or a black-holed network) that answers no byte.
- ``restore()``: listens again on the same port and forwards.
"""

import contextlib
import socket
import threading


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = "forward"
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.port = 0
        self._listen()

    # --- control ----------------------------------------------------------------------------
    def cut(self) -> None:
        with self._lock:
            self.mode = "cut"
        self._close_listener()
        self._close_connections()

    def hang(self) -> None:
        with self._lock:
            self.mode = "hang"
        self._close_connections()
        if self._listener is None:
            self._listen()

    def restore(self) -> None:
        with self._lock:
            self.mode = "forward"
        if self._listener is None:
            self._listen()

    def stop(self) -> None:
        self._close_listener()
        self._close_connections()

    # --- internals --------------------------------------------------------------------------
    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _close_connections(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:  # the listener was closed
                return
            self._track(client)
            if self.mode == "hang":
                continue  # accepted, never answered
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            self._track(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data or self.mode != "forward":
                    break
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
