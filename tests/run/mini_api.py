"""A small stand-in for Replicate's prediction endpoints over loopback HTTP.

Used by these tests where `replicate.testing.Emulator` is not available: models are Python
functions run on threads; predictions go starting → processing → succeeded/failed/canceled;
`Prefer: wait` blocks up to `wait_window`; `urls.stream` serves server-sent events; files
are served from a second server (another port, like replicate.delivery). Every request is
logged with its headers.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import secrets
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import replicate

TOKEN = "r8_test"


@dataclass
class Seen:
    host: str
    method: str
    path: str
    headers: Dict[str, str]
    body: bytes


@dataclass
class Prediction:
    id: str
    model: str
    version: str
    input: Dict[str, Any]
    status: str = "starting"
    output: Any = None
    error: Optional[str] = None
    logs: str = ""
    events: List[Tuple[str, str]] = field(default_factory=lambda: [])
    cancel: threading.Event = field(default_factory=threading.Event)
    changed: threading.Condition = field(default_factory=threading.Condition)
    created_at: str = "2024-01-01T00:00:00Z"


class MiniAPI:
    def __init__(self, *, wait_window: float = 60.0, streaming: bool = True) -> None:
        self.models: Dict[str, Tuple[Callable[..., Any], Dict[str, Any], str]] = {}
        self.predictions: Dict[str, Prediction] = {}
        self.files: Dict[str, Tuple[bytes, str]] = {}
        self.requests: List[Seen] = []
        self.wait_window = wait_window
        self.streaming = streaming
        self.cut_streams = False
        self.upload_delay = 0.0
        self.uploads_in_flight = 0
        self.most_uploads_in_flight = 0
        self.lock = threading.Lock()

    def model(self, name: str, output_schema: Optional[Dict[str, Any]] = None) -> Callable[[Any], Any]:
        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            returns = inspect.signature(fn).return_annotation
            item: Dict[str, Any] = {"type": "string"}
            if returns in (Path, bytes, "Path", "bytes") or "Iterator[Path]" in str(returns):
                item = {"type": "string", "format": "uri"}
            schema = output_schema or item
            if inspect.isgeneratorfunction(fn) and output_schema is None:
                schema = {"type": "array", "items": item, "x-cog-array-type": "iterator"}
            self.models[name] = (fn, {"components": {"schemas": {"Output": schema}}}, secrets.token_hex(32))
            return fn

        return register

    # -- running -------------------------------------------------------------------------------

    def _event(self, p: Prediction, kind: str, data: str) -> None:
        with p.changed:
            p.events.append((kind, data))
            p.changed.notify_all()

    def _run(self, p: Prediction) -> None:
        fn = self.models[p.model][0]
        p.status = "processing"
        try:
            result = fn(**p.input)
            if inspect.isgenerator(result):
                out: List[Any] = []
                for item in result:
                    if p.cancel.is_set():
                        break
                    out.append(self._serve(item))
                    p.output = out
                    self._event(p, "output", str(out[-1]))
                result = out
            else:
                result = self._serve(result)
                if p.cancel.is_set():
                    pass
            if p.cancel.is_set():
                p.status = "canceled"
                self._event(p, "done", json.dumps({"reason": "canceled"}))
            else:
                p.output = result
                p.status = "succeeded"
                self._event(p, "done", "{}")
        except Exception as exc:
            p.error = str(exc)
            p.logs += traceback.format_exc()
            p.status = "failed"
            self._event(p, "error", json.dumps({"detail": str(exc)}))
            self._event(p, "done", json.dumps({"reason": "error"}))

    def _serve(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self._serve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._serve(v) for v in value]
        if isinstance(value, Path):
            value = (value.name, value.read_bytes())
        if isinstance(value, bytes):
            value = ("output.bin", value)
        if isinstance(value, tuple):
            key = secrets.token_hex(4)
            self.files[key] = (value[1], "application/octet-stream")
            return f"{self.file_base}/{key}/{value[0]}"
        return value

    def _json(self, p: Prediction) -> Dict[str, Any]:
        base = self.base_url
        urls = {"get": f"{base}/predictions/{p.id}", "cancel": f"{base}/predictions/{p.id}/cancel"}
        if self.streaming:
            urls["stream"] = f"{self.stream_base}/streams/{p.id}"
        return {
            "id": p.id,
            "model": p.model,
            "version": p.version,
            "input": p.input,
            "status": p.status,
            "output": p.output,
            "error": p.error,
            "logs": p.logs,
            "created_at": p.created_at,
            "urls": urls,
        }

    # -- HTTP ----------------------------------------------------------------------------------

    def client(self, **options: Any) -> replicate.Replicate:
        return replicate.Replicate(bearer_token=TOKEN, base_url=self.base_url, **options)

    def async_client(self, **options: Any) -> replicate.AsyncReplicate:
        return replicate.AsyncReplicate(bearer_token=TOKEN, base_url=self.base_url, **options)

    def seen(self, method: str, fragment: str) -> List[Seen]:
        return [r for r in self.requests if r.method == method and fragment in r.path]

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                pass

            def send_json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def handle_any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                host = f"{self.server.server_address[0]}:{self.server.server_address[1]}"  # type: ignore[index]
                with api.lock:
                    api.requests.append(Seen(host, self.command, self.path, dict(self.headers.items()), body))
                try:
                    api.route(self, body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = handle_any

        servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(3)]
        threads = [threading.Thread(target=s.serve_forever, args=(0.02,), daemon=True) for s in servers]
        for t in threads:
            t.start()
        ports = [s.server_address[1] for s in servers]
        self.base_url = f"http://127.0.0.1:{ports[0]}/v1"
        self.file_base = f"http://127.0.0.1:{ports[1]}/files"
        self.stream_base = f"http://127.0.0.1:{ports[2]}/v1"
        try:
            yield self.base_url
        finally:
            for s in servers:
                s.shutdown()
                s.server_close()

    def route(self, h: Any, body: bytes) -> None:
        path = h.path.split("?")[0]
        parts = [p for p in path.split("/") if p]
        if parts[:1] == ["files"] or (parts[:2] == ["v1", "files"] and h.command == "GET"):
            parts = parts[1:] if parts[0] == "v1" else parts
            content, kind = self.files[parts[1]]
            h.send_response(200)
            h.send_header("Content-Type", kind)
            h.send_header("Content-Length", str(len(content)))
            h.end_headers()
            h.wfile.write(content)
            return
        if parts[:2] == ["v1", "streams"]:
            return self.stream(h, self.predictions[parts[2]])
        if h.headers.get("Authorization") != f"Bearer {TOKEN}":
            return h.send_json(401, {"title": "Unauthenticated", "detail": "bad token", "status": 401})
        if h.command == "POST" and parts[:2] == ["v1", "files"]:
            with self.lock:
                self.uploads_in_flight += 1
                self.most_uploads_in_flight = max(self.most_uploads_in_flight, self.uploads_in_flight)
            time.sleep(self.upload_delay)
            with self.lock:
                self.uploads_in_flight -= 1
            key = secrets.token_hex(4)
            self.files[key] = (body, "application/octet-stream")
            return h.send_json(
                201,
                {
                    "id": key,
                    "content_type": "application/octet-stream",
                    "size": len(body),
                    "checksums": {},
                    "metadata": {},
                    "urls": {"get": f"{self.base_url}/files/{key}"},
                    "created_at": "2024-01-01T00:00:00Z",
                    "expires_at": "2024-01-02T00:00:00Z",
                },
            )
        if h.command == "POST" and (parts[-1] == "predictions"):
            data = json.loads(body)
            if len(parts) == 5:
                model = f"{parts[2]}/{parts[3]}"
                version = self.models[model][2]
            else:
                version = data["version"]
                model = next(m for m, v in self.models.items() if v[2] == version)
            p = Prediction(secrets.token_hex(6), model, version, data.get("input") or {})
            self.predictions[p.id] = p
            threading.Thread(target=self._run, args=(p,), daemon=True).start()
            prefer = h.headers.get("Prefer")
            if prefer:
                window = float(prefer.partition("=")[2] or 60)
                deadline = time.monotonic() + min(window, self.wait_window)
                with p.changed:
                    while p.status not in ("succeeded", "failed", "canceled"):
                        left = deadline - time.monotonic()
                        if left <= 0:
                            break
                        p.changed.wait(left)
            return h.send_json(201, self._json(p))
        if parts[:2] == ["v1", "predictions"] and len(parts) == 3:
            return h.send_json(200, self._json(self.predictions[parts[2]]))
        if parts[:2] == ["v1", "predictions"] and parts[-1] == "cancel":
            p = self.predictions[parts[2]]
            p.cancel.set()
            return h.send_json(200, self._json(p))
        if parts[:2] == ["v1", "models"] and len(parts) == 4:
            name = f"{parts[2]}/{parts[3]}"
            _, schema, version = self.models[name]
            return h.send_json(
                200,
                {
                    "owner": parts[2],
                    "name": parts[3],
                    "latest_version": {"id": version, "openapi_schema": schema},
                },
            )
        if parts[:2] == ["v1", "models"] and len(parts) == 6:
            _, schema, version = self.models[f"{parts[2]}/{parts[3]}"]
            return h.send_json(200, {"id": version, "openapi_schema": schema})
        h.send_json(404, {"title": "Not found", "detail": "no such route", "status": 404})

    def stream(self, h: Any, p: Prediction) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Connection", "close")
        h.end_headers()
        sent = 0
        while True:
            with p.changed:
                while len(p.events) <= sent:
                    p.changed.wait(1)
                pending = p.events[sent:]
            for kind, data in pending:
                sent += 1
                if self.cut_streams and kind == "done":
                    h.wfile.flush()
                    h.close_connection = True
                    return
                h.wfile.write(f"id: {sent}\nevent: {kind}\ndata: {data}\n\n".encode())
                h.wfile.flush()
                if kind == "done":
                    h.close_connection = True
                    return
