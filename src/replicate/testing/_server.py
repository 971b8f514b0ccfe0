"""The HTTP side of the emulator: auth, faults, the request log, and every API route.

Routes mirror Replicate's OpenAPI spec under `/v1`; the file host serves model outputs and the
stream host predictions' event streams (`/v1/streams/{id}`, reached by that URL alone).
Errors use the API's problem-details shape: `{"title", "detail", "status"}`.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, cast
from urllib.parse import parse_qs, urlencode, urlsplit

from ._emulator import ACCOUNT, HARDWARE, parse_duration
from ._records import (
    WEBHOOK_EVENTS,
    DeploymentRecord,
    FileRecord,
    ModelRecord,
    PredictionRecord,
    RequestRecord,
    VersionRecord,
    new_id,
)

if TYPE_CHECKING:
    from ._emulator import Emulator

__all__ = ["make_server"]

Reply = Tuple[int, Any]
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


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


class _Server(ThreadingHTTPServer):
    # Hundreds of concurrent clients (soak tests) must queue, not be refused.
    request_queue_size = 512


def make_server(emulator: Emulator, port: int, role: str) -> ThreadingHTTPServer:
    """The server for one host of the emulator: `role` is "api", "files" or "streams"."""
    handler = type(f"{role.title()}Handler", (_Handler,), {"emulator": emulator, "role": role})
    server = _Server(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each answer waits on a delayed ACK (~40 ms)
    emulator: Emulator
    role: str
    _unanswered = False

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        em = self.emulator
        with em._lock:  # pyright: ignore[reportPrivateUsage]
            em.in_flight += 1
            in_flight = em.in_flight
        self._unanswered = True
        try:
            self._answer(in_flight)
        finally:
            self._answered()

    def send_response(self, code: int, message: Optional[str] = None) -> None:
        # Counted as answered once its status goes out: a client that has read one answer and
        # sends its next request must not find the previous one still counted.
        self._answered()
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
        record = RequestRecord(
            self.headers.get("Host", ""),
            self.command,
            split.path,
            split.query,
            dict(self.headers.items()),
            body,
            in_flight,
        )
        em.requests.append(record)
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
                headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
                problem: Any = fault.body or {
                    "title": "Injected fault",
                    "detail": f"Injected {fault.status}",
                    "status": fault.status,
                }
                if fault.status == 429 and fault.retry_after is not None and isinstance(problem, dict):
                    cast("Dict[str, Any]", problem).setdefault("retry_after", fault.retry_after)
                return self._send(fault.status, problem, extra=headers)
        try:
            status, payload = self._route(split.path, parse_qs(split.query), body)
        except Problem as problem:
            payload: Any = {"title": problem.title, "detail": problem.detail, "status": problem.status}
            status = problem.status
            if isinstance(problem, _InvalidInput):
                payload["invalid_fields"] = problem.invalid_fields
        except (BrokenPipeError, ConnectionResetError):
            return
        if fault is not None and fault.kind == "drop_after":
            return self._drop()
        if status == -1:  # the route answered by itself (an event stream)
            return
        self._send(status, payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_QUERY = _handle

    # -- answering ---------------------------------------------------------------------------------

    def _send(self, status: int, payload: Any, *, extra: Optional[Dict[str, str]] = None) -> None:
        if isinstance(payload, (bytes, str)):
            data = payload.encode() if isinstance(payload, str) else payload
            kind = (
                (extra or {}).pop("Content-Type", "text/plain; charset=utf-8")
                if extra
                else "text/plain; charset=utf-8"
            )
        elif status == 204 or payload is None:
            data, kind = b"", ""
        else:
            data = json.dumps(payload).encode()
            kind = "application/problem+json" if status >= 400 else "application/json"
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        for name, value in (extra or {}).items():
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
        import mimetypes

        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        self._send(200, content, extra={"Content-Type": kind})

    # -- routing ---------------------------------------------------------------------------------------

    def _route(self, path: str, query: Dict[str, List[str]], body: bytes) -> Reply:
        em = self.emulator
        parts = [p for p in path.split("/") if p]
        if parts[:1] != ["v1"]:
            raise Problem(404, f"No route for {path}")
        parts = parts[1:]
        method = self.command
        if parts[:1] == ["files"] and len(parts) == 3 and parts[2] == "download" and method == "GET":
            return self._download(parts[1], query)
        if self.headers.get("Authorization") != f"Bearer {em.token}":
            raise Problem(401, "You did not pass a valid authentication token")
        for pattern, verb, handler in _ROUTES:
            match = pattern.match("/" + "/".join(parts))
            if match and verb == method:
                return handler(self, query, body, *match.groups())
        if any(p.match("/" + "/".join(parts)) for p, _, _ in _ROUTES):
            raise Problem(405, f"{method} is not allowed on {path}", "Method not allowed")
        raise Problem(404, f"No route for {method} {path}")

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
        offset = int((query.get("cursor") or ["0"])[0] or 0)
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

    # -- models ------------------------------------------------------------------------------------------

    def _model(self, owner: str, name: str) -> ModelRecord:
        model = self.emulator.models.get(f"{owner}/{name}")
        if model is None:
            raise Problem(404, f"Model {owner}/{name} not found")
        return model

    def models_list(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        models = [
            m.to_json() for m in reversed(list(self.emulator.models.values())) if m.visibility == "public"
        ]
        return self._page(models, query, "/models")

    def models_search(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        text = body.decode(errors="replace").strip().lower()
        found = [
            m.to_json()
            for m in self.emulator.models.values()
            if text in f"{m.full_name} {m.description}".lower()
        ]
        return self._page(found, query, "/models")

    def models_create(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        data = self._json_body(body)
        missing = [k for k in ("owner", "name", "visibility", "hardware") if not data.get(k)]
        if missing:
            raise Problem(422, f"Missing required fields: {', '.join(missing)}")
        name = f"{data['owner']}/{data['name']}"
        if name in self.emulator.models:
            raise Problem(409, f"Model {name} already exists")
        fields = {
            k: data[k]
            for k in ("description", "github_url", "paper_url", "license_url", "cover_image_url")
            if k in data
        }
        model = ModelRecord(
            data["owner"], data["name"], visibility=data["visibility"], hardware=data["hardware"], **fields
        )
        self.emulator.models[name] = model
        return 201, model.to_json()

    def model_get(self, query: Dict[str, List[str]], body: bytes, owner: str, name: str) -> Reply:
        return 200, self._model(owner, name).to_json()

    def model_update(self, query: Dict[str, List[str]], body: bytes, owner: str, name: str) -> Reply:
        model = self._model(owner, name)
        for key, value in self._json_body(body).items():
            if key in ("description", "github_url", "paper_url", "license_url", "readme", "weights_url"):
                setattr(model, key, value)
        return 200, model.to_json()

    def model_delete(self, query: Dict[str, List[str]], body: bytes, owner: str, name: str) -> Reply:
        model = self._model(owner, name)
        if model.versions:
            raise Problem(400, "A model with versions cannot be deleted: delete its versions first")
        del self.emulator.models[model.full_name]
        return 204, None

    def model_examples(self, query: Dict[str, List[str]], body: bytes, owner: str, name: str) -> Reply:
        model = self._model(owner, name)
        examples = [
            p.to_json()
            for p in self.emulator.predictions.values()
            if p.model == model.full_name and p.status == "succeeded"
        ]
        return self._page(examples[:3], query, f"/models/{owner}/{name}/examples")

    def model_readme(self, query: Dict[str, List[str]], body: bytes, owner: str, name: str) -> Reply:
        model = self._model(owner, name)
        if model.readme is None:
            raise Problem(404, f"Model {owner}/{name} has no README")
        return 200, model.readme

    def versions_list(self, query: Dict[str, List[str]], body: bytes, owner: str, name: str) -> Reply:
        versions = [v.to_json() for v in reversed(self._model(owner, name).versions)]
        return self._page(versions, query, f"/models/{owner}/{name}/versions")

    def _version(self, owner: str, name: str, version_id: str) -> VersionRecord:
        for version in self._model(owner, name).versions:
            if version.id == version_id:
                return version
        raise Problem(404, f"Version {version_id} of {owner}/{name} not found")

    def version_get(
        self, query: Dict[str, List[str]], body: bytes, owner: str, name: str, version_id: str
    ) -> Reply:
        return 200, self._version(owner, name, version_id).to_json()

    def version_delete(
        self, query: Dict[str, List[str]], body: bytes, owner: str, name: str, version_id: str
    ) -> Reply:
        model = self._model(owner, name)
        model.versions.remove(self._version(owner, name, version_id))
        return 202, None

    # -- predictions --------------------------------------------------------------------------------------

    def _create(
        self,
        model: ModelRecord,
        version: VersionRecord,
        data: Dict[str, Any],
        deployment: Optional[str] = None,
    ) -> Reply:
        em = self.emulator
        self._check_input(version, data.get("input"))
        cancel_after = self.headers.get("Cancel-After")
        try:
            seconds = parse_duration(cancel_after) if cancel_after else None
        except ValueError:
            raise Problem(
                400, f"Cancel-After must be a duration like 30s, 5m or 1h30m, got {cancel_after!r}"
            ) from None
        prediction = em.start_prediction(model, version, data, deployment=deployment, cancel_after=seconds)
        prefer = self.headers.get("Prefer")
        if prefer:
            match = re.fullmatch(r"wait(?:=(\d+))?", prefer.strip())
            if not match or not 1 <= int(match.group(1) or 60) <= 60:
                raise Problem(400, f"Prefer must be 'wait' or 'wait=N' with N from 1 to 60, got {prefer!r}")
            if not em.wait(prediction, float(match.group(1) or 60)):
                # The real API hands back a still-running prediction as "starting".
                return 201, prediction.to_json(status="starting")
        return 201, prediction.to_json()

    def _check_input(self, version: VersionRecord, given: Any) -> None:
        if not isinstance(given, dict):
            raise Problem(422, "input must be a JSON object")
        value = cast("Dict[str, Any]", given)
        schema = version.openapi_schema["components"]["schemas"]["Input"]
        properties: Dict[str, Any] = schema.get("properties", {})
        problems = [
            f"{k}: Additional property {k} is not allowed"
            for k in value
            if k not in properties and not schema.get("additionalProperties")
        ]
        problems += [f"{k}: {k} is required" for k in schema.get("required", []) if k not in value]
        if problems:
            invalid = [
                {"type": "invalid", "field": f"input.{p.split(':')[0]}", "description": p.split(": ", 1)[1]}
                for p in problems
            ]
            raise _InvalidInput(invalid)

    def _resolve_version(self, ref: str) -> Tuple[ModelRecord, VersionRecord]:
        em = self.emulator
        if _HEX64.match(ref):
            found = em.find_version(ref)
            if found is None:
                raise Problem(422, f"Version {ref} does not exist (or you do not have access to it)")
            return found
        model_name, _, version_id = ref.partition(":")
        owner, _, name = model_name.partition("/")
        model = self._model(owner, name)
        if version_id:
            return model, self._version(owner, name, version_id)
        if not model.versions:
            raise Problem(422, f"Model {model_name} has no versions to run")
        return model, model.versions[-1]

    def predictions_create(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        data = self._json_body(body)
        ref = data.get("version")
        if not isinstance(ref, str) or not ref:
            raise Problem(422, "version is required: a version id, owner/name:version_id or owner/name")
        model, version = self._resolve_version(ref)
        return self._create(model, version, data)

    def model_predictions_create(
        self, query: Dict[str, List[str]], body: bytes, owner: str, name: str
    ) -> Reply:
        model = self._model(owner, name)
        if not model.versions:
            raise Problem(422, f"Model {model.full_name} has no versions to run")
        return self._create(model, model.versions[-1], self._json_body(body))

    def predictions_list(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        after = (query.get("created_after") or [""])[0]
        before = (query.get("created_before") or [""])[0]
        items = [p.to_json() for p in reversed(list(self.emulator.predictions.values()))]
        items = [
            p
            for p in items
            if (not after or p["created_at"] >= after) and (not before or p["created_at"] < before)
        ]
        return self._page(items, query, "/predictions")

    def _prediction(self, prediction_id: str) -> PredictionRecord:
        found = self.emulator.predictions.get(prediction_id)
        if found is None:
            raise Problem(404, f"Prediction {prediction_id} not found")
        return found

    def prediction_get(self, query: Dict[str, List[str]], body: bytes, prediction_id: str) -> Reply:
        return 200, self._prediction(prediction_id).to_json()

    def prediction_cancel(self, query: Dict[str, List[str]], body: bytes, prediction_id: str) -> Reply:
        prediction = self._prediction(prediction_id)
        self.emulator.cancel(prediction)
        return 200, prediction.to_json()

    def _serve_stream(self, path: str) -> None:
        # Like the real stream host, an event stream is reached by its unguessable URL alone.
        parts = path.strip("/").split("/")
        found = (
            self.emulator.predictions.get(parts[2])
            if parts[:2] == ["v1", "streams"] and len(parts) == 3
            else None
        )
        if found is None:
            return self._send(404, {"title": "Not found", "detail": "No such stream", "status": 404})
        try:
            self._stream_events(found, path)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _stream_events(self, prediction: PredictionRecord, path: str) -> None:
        cut = self.emulator.faults.take_stream_cut(path)
        last = self.headers.get("Last-Event-ID")
        sent = int(last) if last and last.isdigit() else 0
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        written = 0
        while True:
            with prediction.changed:
                while len(prediction.events) <= sent:
                    prediction.changed.wait(0.5)
                pending = prediction.events[sent:]
            for event, data in pending:
                sent += 1
                if event == "status":
                    continue
                if cut is not None and written >= cut:
                    return
                lines = "".join(f"data: {line}\n" for line in data.split("\n"))
                self.wfile.write(f"id: {sent}\nevent: {event}\n{lines}\n".encode())
                self.wfile.flush()
                written += 1
                if event == "done":
                    return

    # -- trainings ------------------------------------------------------------------------------------

    def trainings_create(
        self, query: Dict[str, List[str]], body: bytes, owner: str, name: str, version_id: str
    ) -> Reply:
        em = self.emulator
        model = self._model(owner, name)
        self._version(owner, name, version_id)
        data = self._json_body(body)
        destination = data.get("destination")
        if not isinstance(destination, str) or destination not in em.models:
            raise Problem(404, f"The destination model {destination!r} does not exist: create it first")
        training = PredictionRecord(
            new_id(),
            model.full_name,
            version_id,
            dict(data.get("input") or {}),
            em.base_url,
            kind="training",
            destination=destination,
            webhook=data.get("webhook"),
            webhook_events_filter=tuple(data.get("webhook_events_filter") or WEBHOOK_EVENTS),
        )
        em.trainings[training.id] = training

        def train() -> None:
            from ._runner import finish

            time.sleep(0.02)
            training.status = "processing"
            training.started_at = training.created_at
            em.on_event(training, "start")
            time.sleep(0.05)
            target = em.models[destination]
            source = self._version(owner, name, version_id)
            new = VersionRecord(new_id() + new_id()[:38], source.function, source.openapi_schema)
            target.versions.append(new)
            if finish(
                training,
                "succeeded",
                output={"version": new.id, "weights": em.store_output("weights.tar", b"weights")},
                started=time.monotonic() - 0.05,
            ):
                em.on_event(training, "completed")

        import threading

        threading.Thread(target=train, daemon=True).start()
        return 201, training.to_json()

    def trainings_list(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        return self._page(
            [t.to_json() for t in reversed(list(self.emulator.trainings.values()))], query, "/trainings"
        )

    def _training(self, training_id: str) -> PredictionRecord:
        found = self.emulator.trainings.get(training_id)
        if found is None:
            raise Problem(404, f"Training {training_id} not found")
        return found

    def training_get(self, query: Dict[str, List[str]], body: bytes, training_id: str) -> Reply:
        return 200, self._training(training_id).to_json()

    def training_cancel(self, query: Dict[str, List[str]], body: bytes, training_id: str) -> Reply:
        training = self._training(training_id)
        self.emulator.cancel(training)
        return 200, training.to_json()

    # -- deployments ----------------------------------------------------------------------------------

    def _deployment(self, owner: str, name: str) -> DeploymentRecord:
        found = self.emulator.deployments.get(f"{owner}/{name}")
        if found is None:
            raise Problem(404, f"Deployment {owner}/{name} not found")
        return found

    def deployments_list(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        items = [d.to_json(ACCOUNT) for d in reversed(list(self.emulator.deployments.values()))]
        return self._page(items, query, "/deployments")

    def deployments_create(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        data = self._json_body(body)
        missing = [
            k
            for k in ("name", "model", "version", "hardware", "min_instances", "max_instances")
            if k not in data
        ]
        if missing:
            raise Problem(422, f"Missing required fields: {', '.join(missing)}")
        owner, _, model_name = str(data["model"]).partition("/")
        self._version(owner, model_name, str(data["version"]))
        record = DeploymentRecord(
            ACCOUNT["username"],
            data["name"],
            data["model"],
            data["version"],
            data["hardware"],
            int(data["min_instances"]),
            int(data["max_instances"]),
        )
        self.emulator.deployments[f"{record.owner}/{record.name}"] = record
        return 200, record.to_json(ACCOUNT)

    def deployment_get(self, query: Dict[str, List[str]], body: bytes, owner: str, name: str) -> Reply:
        return 200, self._deployment(owner, name).to_json(ACCOUNT)

    def deployment_update(self, query: Dict[str, List[str]], body: bytes, owner: str, name: str) -> Reply:
        record = self._deployment(owner, name)
        for key, value in self._json_body(body).items():
            if key in ("hardware", "min_instances", "max_instances", "version"):
                setattr(record, key, value)
        record.number += 1
        return 200, record.to_json(ACCOUNT)

    def deployment_delete(self, query: Dict[str, List[str]], body: bytes, owner: str, name: str) -> Reply:
        del self.emulator.deployments[f"{self._deployment(owner, name).owner}/{name}"]
        return 204, None

    def deployment_predictions_create(
        self, query: Dict[str, List[str]], body: bytes, owner: str, name: str
    ) -> Reply:
        record = self._deployment(owner, name)
        model_owner, _, model_name = record.model.partition("/")
        version = self._version(model_owner, model_name, record.version)
        return self._create(
            self._model(model_owner, model_name), version, self._json_body(body), deployment=f"{owner}/{name}"
        )

    # -- files ----------------------------------------------------------------------------------------

    def files_create(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        kind = self.headers.get("Content-Type", "")
        if not kind.startswith("multipart/form-data"):
            raise Problem(400, "Upload files as multipart/form-data")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {kind}\r\n\r\n".encode() + body
        )
        fields: Dict[str, Tuple[Optional[str], bytes, str]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str):
                fields[name] = (
                    part.get_filename(),
                    payload if isinstance(payload, bytes) else b"",
                    part.get_content_type(),
                )
        if "content" not in fields:
            raise Problem(422, "The content field (the file) is required")
        filename, content, content_type = fields["content"]
        name = fields["filename"][1].decode() if "filename" in fields else (filename or "file")
        content_type = fields["type"][1].decode() if "type" in fields else content_type
        metadata: Dict[str, Any] = {}
        if "metadata" in fields:
            try:
                metadata = json.loads(fields["metadata"][1] or b"{}")
            except ValueError:
                raise Problem(422, "metadata must be a JSON object") from None
        if len(name.encode()) > 255:
            raise Problem(422, "filename must be at most 255 bytes")
        record = FileRecord(new_id(), name, content, content_type, metadata, self.emulator.base_url)
        self.emulator.files[record.id] = record
        return 201, record.to_json()

    def files_list(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        return self._page(
            [f.to_json() for f in reversed(list(self.emulator.files.values()))], query, "/files"
        )

    def _file(self, file_id: str) -> FileRecord:
        found = self.emulator.files.get(file_id)
        if found is None:
            raise Problem(404, "File not found")
        return found

    def file_get(self, query: Dict[str, List[str]], body: bytes, file_id: str) -> Reply:
        return 200, self._file(file_id).to_json()

    def file_delete(self, query: Dict[str, List[str]], body: bytes, file_id: str) -> Reply:
        del self.emulator.files[self._file(file_id).id]
        return 204, None

    def _download(self, file_id: str, query: Dict[str, List[str]]) -> Reply:
        em = self.emulator
        owner = (query.get("owner") or [""])[0]
        expiry = (query.get("expiry") or ["0"])[0]
        signature = (query.get("signature") or [""])[0]
        import hmac as _hmac

        valid = expiry.isdigit() and _hmac.compare_digest(
            em.sign_download(file_id, int(expiry), owner), signature
        )
        if not valid or int(expiry) < time.time():
            raise Problem(404, "File not found (the download link is invalid or has expired)")
        record = self._file(file_id)
        self._send(200, record.content, extra={"Content-Type": "application/octet-stream"})
        return -1, None

    # -- everything else --------------------------------------------------------------------------------

    def account_get(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        return 200, ACCOUNT

    def hardware_list(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        return 200, HARDWARE

    def collections_list(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        return self._page([_collection(self.emulator, False)], query, "/collections")

    def collection_get(self, query: Dict[str, List[str]], body: bytes, slug: str) -> Reply:
        if slug != "emulator-models":
            raise Problem(404, f"Collection {slug} not found")
        return 200, _collection(self.emulator, True)

    def search(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        text = (query.get("query") or [""])[0].lower()
        if not text:
            raise Problem(400, "query is required")
        limit = int((query.get("limit") or ["20"])[0])
        found = [
            m for m in self.emulator.models.values() if text in f"{m.full_name} {m.description}".lower()
        ][:limit]
        result: Dict[str, Any] = {
            "query": text,
            "models": [
                {
                    "model": m.to_json(),
                    "metadata": {"score": 1.0, "tags": [], "generated_description": m.description},
                }
                for m in found
            ],
            "collections": [],
            "pages": [],
        }
        return 200, result

    def webhook_secret(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        return 200, {"key": self.emulator.webhook_secret}


class _InvalidInput(Problem):
    def __init__(self, invalid_fields: List[Dict[str, str]]) -> None:
        super().__init__(422, "; ".join(f"{f['field']}: {f['description']}" for f in invalid_fields))
        self.invalid_fields = invalid_fields


def _collection(emulator: Emulator, with_models: bool) -> Dict[str, Any]:
    body: Dict[str, Any] = {
        "name": "Emulator models",
        "slug": "emulator-models",
        "description": "Every model registered with this emulator.",
    }
    if with_models:
        body["full_description"] = None
        body["models"] = [m.to_json() for m in emulator.models.values()]
    return body


_S = r"([^/]+)"
_ROUTE_TABLE: List[Tuple[str, str, Callable[..., Reply]]] = [
    ("/account", "GET", _Handler.account_get),
    ("/collections", "GET", _Handler.collections_list),
    (f"/collections/{_S}", "GET", _Handler.collection_get),
    ("/deployments", "GET", _Handler.deployments_list),
    ("/deployments", "POST", _Handler.deployments_create),
    (f"/deployments/{_S}/{_S}", "GET", _Handler.deployment_get),
    (f"/deployments/{_S}/{_S}", "PATCH", _Handler.deployment_update),
    (f"/deployments/{_S}/{_S}", "DELETE", _Handler.deployment_delete),
    (f"/deployments/{_S}/{_S}/predictions", "POST", _Handler.deployment_predictions_create),
    ("/files", "GET", _Handler.files_list),
    ("/files", "POST", _Handler.files_create),
    (f"/files/{_S}", "GET", _Handler.file_get),
    (f"/files/{_S}", "DELETE", _Handler.file_delete),
    ("/hardware", "GET", _Handler.hardware_list),
    ("/models", "GET", _Handler.models_list),
    ("/models", "POST", _Handler.models_create),
    ("/models", "QUERY", _Handler.models_search),
    (f"/models/{_S}/{_S}", "GET", _Handler.model_get),
    (f"/models/{_S}/{_S}", "PATCH", _Handler.model_update),
    (f"/models/{_S}/{_S}", "DELETE", _Handler.model_delete),
    (f"/models/{_S}/{_S}/examples", "GET", _Handler.model_examples),
    (f"/models/{_S}/{_S}/predictions", "POST", _Handler.model_predictions_create),
    (f"/models/{_S}/{_S}/readme", "GET", _Handler.model_readme),
    (f"/models/{_S}/{_S}/versions", "GET", _Handler.versions_list),
    (f"/models/{_S}/{_S}/versions/{_S}", "GET", _Handler.version_get),
    (f"/models/{_S}/{_S}/versions/{_S}", "DELETE", _Handler.version_delete),
    (f"/models/{_S}/{_S}/versions/{_S}/trainings", "POST", _Handler.trainings_create),
    ("/predictions", "GET", _Handler.predictions_list),
    ("/predictions", "POST", _Handler.predictions_create),
    (f"/predictions/{_S}", "GET", _Handler.prediction_get),
    (f"/predictions/{_S}/cancel", "POST", _Handler.prediction_cancel),
    ("/search", "GET", _Handler.search),
    ("/trainings", "GET", _Handler.trainings_list),
    (f"/trainings/{_S}", "GET", _Handler.training_get),
    (f"/trainings/{_S}/cancel", "POST", _Handler.training_cancel),
    ("/webhooks/default/secret", "GET", _Handler.webhook_secret),
]
_ROUTES = [(re.compile(f"^{pattern}$"), verb, handler) for pattern, verb, handler in _ROUTE_TABLE]
