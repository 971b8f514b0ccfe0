"""The request handling every route shares: auth, faults, rate limits, answers, paging, the log.

A request to the API host goes: faults (`emulator.faults`) → the token (`Bearer` or `Token`) →
its rate-limit bucket → the route, whose answer carries the bucket's `ratelimit-*` headers.
Errors use the API's problem-details shape: `{"title", "detail", "status"}`.
"""

from __future__ import annotations

import datetime
import hmac
import json
import math
import mimetypes
import re
import socket
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Pattern, Tuple, cast
from urllib.parse import parse_qs, urlencode, urlsplit

from ._limits import throttled
from ._records import ModelRecord, RequestRecord, VersionRecord

if TYPE_CHECKING:
    from ._emulator import Emulator

__all__ = ["BaseHandler", "InvalidInput", "Problem", "Reply", "Route"]

Reply = Tuple[int, Any]
Route = Tuple[Pattern[str], str, Callable[..., Reply]]
_CREATE = re.compile(r"^/v1/(predictions|(models|deployments)/[^/]+/[^/]+/predictions)$")


class Problem(Exception):
    def __init__(self, status: int, detail: str, title: Optional[str] = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or {
            400: "Bad request",
            401: "Unauthenticated",
            404: "Not found",
            409: "Conflict",
            422: "Input validation failed",
        }.get(status, "Error")


class InvalidInput(Problem):
    def __init__(self, invalid_fields: List[Dict[str, str]]) -> None:
        super().__init__(422, "; ".join(f"{f['field']}: {f['description']}" for f in invalid_fields))
        self.invalid_fields = invalid_fields


class BaseHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each answer waits on a delayed ACK (~40 ms)
    emulator: Emulator
    role: str
    routes: List[Route] = []
    _unanswered = False
    _status: Optional[int] = None
    _limit_headers: Dict[str, str] = {}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        em = self.emulator
        with em._lock:  # pyright: ignore[reportPrivateUsage]
            em.in_flight += 1
            in_flight = em.in_flight
        self._unanswered = True
        self._status = None
        self._limit_headers = {}
        started = time.monotonic()
        try:
            self._answer(in_flight)
        finally:
            self._answered()
            if em.access_log is not None:
                self._log_access(em.access_log, time.monotonic() - started)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_QUERY = _handle

    def _log_access(self, log: Any, seconds: float) -> None:
        # The path alone: a query may hold a signed download link, and headers hold the token.
        stamp = datetime.datetime.now().strftime("%H:%M:%S")
        host = "" if self.role == "api" else f"{self.role} "
        status = self._status if self._status is not None else "dropped"
        print(
            f"{stamp} {host}{self.command} {urlsplit(self.path).path} {status} {seconds * 1000:.0f}ms",
            file=log,
            flush=True,
        )

    def send_response(self, code: int, message: Optional[str] = None) -> None:
        # Counted as answered once its status goes out: a client that has read one answer and
        # sends its next request must not find the previous one still counted.
        self._answered()
        self._status = code
        super().send_response(code, message)

    def _answered(self) -> None:
        if self._unanswered:
            self._unanswered = False
            with self.emulator._lock:  # pyright: ignore[reportPrivateUsage]
                self.emulator.in_flight -= 1

    def _answer(self, in_flight: int) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        em = self.emulator
        em.requests.append(
            RequestRecord(
                self.headers.get("Host", ""),
                self.command,
                split.path,
                split.query,
                dict(self.headers.items()),
                body,
                in_flight,
            )
        )
        if self.role == "files":
            return self._serve_output(split.path)
        if self.role == "streams":
            return self._serve_stream(split.path)
        fault = em.faults.take(self.command, split.path)
        if fault is not None:
            if fault.kind == "delay":
                time.sleep(fault.seconds)
            elif fault.kind == "drop":
                return self._drop()
            elif fault.kind == "status":
                problem: Any = fault.body or {
                    "title": "Injected fault",
                    "detail": f"Injected {fault.status}",
                    "status": fault.status,
                }
                headers: Dict[str, str] = {}
                if fault.retry_after is not None:
                    # HTTP's Retry-After is whole seconds (or a date).
                    seconds = max(math.ceil(fault.retry_after), 0)
                    headers["Retry-After"] = str(seconds)
                    if fault.status == 429 and isinstance(problem, dict):
                        cast("Dict[str, Any]", problem).setdefault("retry_after", seconds)
                return self._send(fault.status, problem, extra=headers)
        try:
            status, payload = self._authorized(split.path, parse_qs(split.query), body)
        except Problem as problem:
            payload: Any = {"title": problem.title, "detail": problem.detail, "status": problem.status}
            status = problem.status
            if isinstance(problem, InvalidInput):
                payload["invalid_fields"] = problem.invalid_fields
        except (BrokenPipeError, ConnectionResetError):
            return
        if fault is not None and fault.kind == "drop_after":
            return self._drop()
        if status == -1:  # the route answered by itself (an event stream)
            return
        self._send(status, payload)

    def _authorized(self, path: str, query: Dict[str, List[str]], body: bytes) -> Reply:
        em = self.emulator
        parts = [p for p in path.split("/") if p]
        if parts[:1] != ["v1"]:
            raise Problem(404, f"No route for {path}")
        if len(parts) == 4 and parts[1] == "files" and parts[3] == "download" and self.command == "GET":
            return self._download(parts[2], query)  # signed: no token needed
        # Both schemes work on the real API; the spec's own examples use `Token`.
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        given = token.strip().encode("utf-8", "replace")  # compare_digest takes ASCII str only
        if scheme.lower() not in ("bearer", "token") or not hmac.compare_digest(given, em.token.encode()):
            raise Problem(401, "You did not pass a valid authentication token")
        create = self.command == "POST" and bool(_CREATE.match(path))
        self._limit_headers, wait = em.rate_limits.take(em.token, create)
        if wait is not None:
            self._send(429, throttled(wait), extra={"Retry-After": str(wait)})
            return -1, None
        return self._route("/" + "/".join(parts[1:]), path, query, body)

    def _route(self, route: str, path: str, query: Dict[str, List[str]], body: bytes) -> Reply:
        for pattern, verb, handler in self.routes:
            match = pattern.match(route)
            if match and verb == self.command:
                return handler(self, query, body, *match.groups())
        if any(p.match(route) for p, _, _ in self.routes):
            raise Problem(405, f"{self.command} is not allowed on {path}", "Method not allowed")
        raise Problem(404, f"No route for {self.command} {path}")

    # -- what the routes share ---------------------------------------------------------------------

    def _serve_stream(self, path: str) -> None:
        raise NotImplementedError

    def _download(self, file_id: str, query: Dict[str, List[str]]) -> Reply:
        raise NotImplementedError

    def _send(self, status: int, payload: Any, *, extra: Optional[Dict[str, str]] = None) -> None:
        headers = {**self._limit_headers, **(extra or {})}
        if isinstance(payload, (bytes, str)):
            data = payload.encode() if isinstance(payload, str) else payload
            kind = headers.pop("Content-Type", "text/plain; charset=utf-8")
        elif status == 204 or payload is None:
            data, kind = b"", ""
        else:
            data = json.dumps(payload).encode()
            kind = "application/problem+json" if status >= 400 else "application/json"
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _serve_output(self, path: str) -> None:
        key = path.strip("/").split("/")[0]
        found = self.emulator.outputs.get(key)
        if found is None:
            return self._send(404, {"title": "Not found", "detail": "No such file", "status": 404})
        name, content = found
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        self._send(200, content, extra={"Content-Type": kind})

    def _json_body(self, body: bytes) -> Dict[str, Any]:
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            raise Problem(400, "The request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise Problem(400, "The request body must be a JSON object")
        return data  # pyright: ignore[reportUnknownVariableType]

    def _page(self, items: List[Dict[str, Any]], query: Dict[str, List[str]], path: str) -> Reply:
        em = self.emulator
        cursor = (query.get("cursor") or [""])[0]
        if cursor and not cursor.isdigit():
            raise Problem(400, f"Invalid cursor {cursor!r}: use the `next` or `previous` URL of a page")
        offset = int(cursor or 0)
        size = em.page_size
        page = items[offset : offset + size]

        def link(at: int) -> str:
            rest = {k: v[0] for k, v in query.items() if k != "cursor"}
            return f"{em.base_url}{path}?{urlencode({**rest, 'cursor': at})}"

        return 200, {
            "results": page,
            "next": link(offset + size) if offset + size < len(items) else None,
            "previous": link(max(offset - size, 0)) if offset > 0 else None,
        }

    def _model(self, owner: str, name: str) -> ModelRecord:
        model = self.emulator.models.get(f"{owner}/{name}")
        if model is None:
            raise Problem(404, f"Model {owner}/{name} not found")
        return model

    def _version(self, owner: str, name: str, version_id: str) -> VersionRecord:
        for version in self._model(owner, name).versions:
            if version.id == version_id:
                return version
        raise Problem(404, f"Version {version_id} of {owner}/{name} not found")
