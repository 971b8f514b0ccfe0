"""A loopback HTTP server that answers from a script, for testing the request pipeline.

Each test queues what the next requests get: a response (status, headers, body), a dropped
connection (closed before any answer), or a slow answer. Every request is recorded.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Optional, Union


@dataclass
class Reply:
    status: int = 200
    body: Union[bytes, str] = b"{}"
    headers: Dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0


@dataclass
class Drop:
    """Close the connection without answering (after reading the request)."""


@dataclass
class Seen:
    method: str
    path: str
    headers: Dict[str, str]
    body: bytes


class ScriptedServer:
    def __init__(self) -> None:
        self.script: List[Union[Reply, Drop]] = []
        self.default = Reply()
        self.requests: List[Seen] = []
        self.clock = 0.0
        """Seconds the server's clock (its `Date` header) is ahead of ours."""
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else headers and body wait on delayed ACKs (40 ms)

            def log_message(self, format: str, *args: object) -> None:
                pass

            def date_time_string(self, timestamp: Optional[float] = None) -> str:
                return super().date_time_string((timestamp or time.time()) + server.clock)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with server._lock:
                    server.requests.append(Seen(self.command, self.path, dict(self.headers.items()), body))
                    step = server.script.pop(0) if server.script else server.default
                if isinstance(step, Drop):
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if step.delay:
                    time.sleep(step.delay)
                payload = step.body.encode() if isinstance(step.body, str) else step.body
                self.send_response(step.status)
                for name, value in step.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_QUERY = _handle

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def queue(self, *steps: Union[Reply, Drop]) -> None:
        with self._lock:
            self.script.extend(steps)

    def serve(self) -> Iterator[ScriptedServer]:
        thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._httpd.shutdown()
            self._httpd.server_close()


def done_only_script(server: ScriptedServer, output: Any) -> List[Reply]:
    """What a run of the model `acme/hello` gets from a server whose event stream carries nothing
    but `done` (the output is left in the prediction): the model, the created prediction, the
    stream, the final prediction."""
    version = "a" * 64
    schema = {"components": {"schemas": {"Output": {"type": "string", "title": "Output"}}}}
    model = {"owner": "acme", "name": "hello", "latest_version": {"id": version, "openapi_schema": schema}}
    prediction: Dict[str, Any] = {
        "id": "p1",
        "model": "acme/hello",
        "version": version,
        "status": "starting",
        "input": {},
        "created_at": "2026-11-26T10:00:00Z",
        "urls": {
            "get": f"{server.base_url}/predictions/p1",
            "cancel": f"{server.base_url}/predictions/p1/cancel",
            "stream": f"{server.base_url}/streams/p1",
        },
    }
    done = Reply(body="event: done\ndata: {}\n\n", headers={"Content-Type": "text/event-stream"})
    final = {**prediction, "status": "succeeded", "output": output}
    return [
        Reply(body=json.dumps(model)),
        Reply(body=json.dumps(prediction)),
        done,
        Reply(body=json.dumps(final)),
    ]
