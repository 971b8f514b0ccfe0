"""A loopback server answering every request with a function of the handler, for misbehaviours."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, List, Type, TypeVar

import replicate

Behaviour = Callable[[BaseHTTPRequestHandler], None]
S = TypeVar("S", bound="LoopbackServer")


class JSONHandler(BaseHTTPRequestHandler):
    """A quiet HTTP/1.1 handler with a helper for JSON answers."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_json(self, status: int, value: Any) -> None:
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class LoopbackServer:
    """Serves a handler class on a loopback port, in a thread, for the length of a `with` block."""

    def serve(self, handler: Type[BaseHTTPRequestHandler]) -> None:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self: S) -> S:
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class MisbehavingServer(LoopbackServer):
    """A loopback server whose every request is answered by `behaviour(handler)`; it counts them."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.requests: List[str] = []
        outer = self

        class Handler(JSONHandler):
            disable_nagle_algorithm = True

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                elif self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    while True:  # aiohttp sends some bodies chunked, even empty ones
                        size = int(self.rfile.readline().split(b";")[0] or b"0", 16)
                        self.rfile.read(size + 2)
                        if not size:
                            break
                outer.requests.append(f"{self.command} {self.path}")
                try:
                    behaviour(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should

            do_GET = do_POST = _handle

        self.serve(Handler)

    def client(self, **options: object) -> replicate.Replicate:
        return replicate.Replicate(base_url=self.base_url, bearer_token="r8_test", **options)  # type: ignore[arg-type]

    def async_client(self, **options: object) -> replicate.AsyncReplicate:
        return replicate.AsyncReplicate(base_url=self.base_url, bearer_token="r8_test", **options)  # type: ignore[arg-type]


def answer(handler: BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
