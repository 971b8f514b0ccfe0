"""The prediction routes: predictions, their event streams, trainings and deployments.

An event stream (`urls.stream`, on the stream host) sends `output` events (for a model that does
not stream, its whole output before `done`; each item of a list its own event), `logs`, `error`
and `done`, resuming after `Last-Event-ID`.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any, Dict, List, Optional, Tuple, cast

from ._emulator import ACCOUNT, parse_duration
from ._http import BaseHandler, InvalidInput, Problem, Reply
from ._records import WEBHOOK_EVENTS, DeploymentRecord, ModelRecord, PredictionRecord, VersionRecord, new_id
from ._runner import finish

__all__ = ["PredictionRoutes"]

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class PredictionRoutes(BaseHandler):
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
            raise InvalidInput(invalid)

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
        stall = self.emulator.faults.take_stream_stall(path)
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
            if stall is not None and written >= stall[0]:
                return self._keep_alive_only(stall[1])
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
                if stall is not None and written >= stall[0]:
                    return self._keep_alive_only(stall[1])
                lines = "".join(f"data: {line}\n" for line in data.split("\n"))
                self.wfile.write(f"id: {sent}\nevent: {event}\n{lines}\n".encode())
                self.wfile.flush()
                written += 1
                if event == "done":
                    return

    def _keep_alive_only(self, every: float) -> None:
        """A stream that has stalled: comments, never an event, until the client goes (or a minute)."""
        ends = time.monotonic() + 60
        while time.monotonic() < ends:
            self.wfile.write(b": ping\n\n")
            self.wfile.flush()
            time.sleep(every)

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
