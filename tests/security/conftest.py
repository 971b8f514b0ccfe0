"""Shared by the security tests: a loopback server that answers every GET with the same bytes,
whatever the path (file outputs whose URLs model code chose)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator, List

import pytest


class FileServer:
    """Answers every request with `content`, or with a 307 to `redirect_to` when given. Records
    each request's path, and the client port it came from (which connection it used)."""

    def __init__(self, content: bytes = b"payload", redirect_to: str = "") -> None:
        self.paths: List[str] = []
        self.ports: List[int] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: connections are pooled and reused

            def do_GET(self) -> None:
                server.paths.append(self.path)
                server.ports.append(self.client_address[1])
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if redirect_to:
                    self.send_response(307)
                    self.send_header("Location", redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_POST = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://localhost:{self._httpd.server_address[1]}"

    def __enter__(self) -> FileServer:
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def file_server() -> Iterator[FileServer]:
    with FileServer() as server:
        yield server
