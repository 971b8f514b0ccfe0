"""`Emulator`: the state of a local Replicate, and the servers that expose it.

em = Emulator()
@em.model("acme/echo")
def echo(text: str = "x") -> str:
    return text
with em.serve() as base_url:          # http://127.0.0.1:N/v1; files and event streams each on
                                      # another host (http://localhost:M, :S), as on Replicate
    client = em.client()
    client.run("acme/echo", input={"text": "hi"})
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import mimetypes
import re
import threading
import time
from http.server import ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Callable, Dict, Generator, List, Literal, Optional, TextIO, Tuple

from ._faults import Faults
from ._limits import Buckets, RateLimits
from ._records import (
    WEBHOOK_EVENTS,
    DeploymentRecord,
    FileRecord,
    ModelRecord,
    PredictionRecord,
    RequestRecord,
    VersionRecord,
    new_id,
    now,
)
from ._runner import StdoutRouter, finish, interrupt, run_prediction
from ._schema import derive_schema
from ._webhooks import WebhookSender

if TYPE_CHECKING:
    from .._client import AsyncReplicate, Replicate

__all__ = ["DEFAULT_TOKEN", "Emulator"]

DEFAULT_TOKEN = "r8_emulator0000000000000000000000000000"
ACCOUNT = {
    "type": "user",
    "username": "emulator",
    "name": "Local Emulator",
    "github_url": "https://github.com/replicate",
}
HARDWARE = [
    {"name": "CPU", "sku": "cpu"},
    {"name": "Nvidia T4 GPU", "sku": "gpu-t4"},
    {"name": "Nvidia L40S GPU", "sku": "gpu-l40s"},
    {"name": "Nvidia A100 (80GB) GPU", "sku": "gpu-a100-large"},
]
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([hms]?)")


def parse_duration(text: str) -> float:
    """`"1h30m"`, `"90s"`, `"5m"`, `"30"` (seconds) → seconds."""
    total = 0.0
    matched = "".join(m.group(0) for m in _DURATION.finditer(text.strip()))
    if not text.strip() or matched != text.strip():
        raise ValueError(f"not a duration: {text!r}")
    for number, unit in _DURATION.findall(text):
        total += float(number) * {"h": 3600, "m": 60, "s": 1, "": 1}[unit]
    return total


class Emulator:
    """A stateful, offline stand-in for api.replicate.com; see the module docstring."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        wait_window: float = 60.0,
        page_size: int = 100,
        builtin_models: bool = True,
        stream_urls: bool = True,
        file_outputs: Literal["url", "data"] = "url",
        rate_limits: Optional[RateLimits] = None,
        webhook_interval: float = 0.5,
        access_log: Optional[TextIO] = None,
    ) -> None:
        if file_outputs not in ("url", "data"):
            raise ValueError(f"file_outputs is 'url' or 'data', got {file_outputs!r}")
        self.token = token
        self.wait_window = wait_window
        self.stream_urls = stream_urls
        """False: predictions come without `urls.stream` (as for a model that cannot stream), so
        clients have to poll them. Can be changed while serving. A model that does not stream
        (it returns rather than yields) sends its whole output as `output` events before `done`."""
        self.file_outputs: Literal["url", "data"] = file_outputs
        """"url": file outputs are URLs on the file host (http://localhost:N/...). "data": they are
        base64 `data:` URLs, which the published clients (JS, Python 1.x and 2.x) read as files,
        as they do the real API's https: URLs. Can be changed while serving."""
        self.rate_limits = Buckets(rate_limits)
        """Every answer reports its bucket (`ratelimit-remaining`, `ratelimit-reset`); only with
        `rate_limits` given does an empty bucket refuse requests (429). See `RateLimits`."""
        self.access_log = access_log
        """Where to write one line per request answered (method, path, status, time), if anywhere."""
        self.page_size = page_size
        self.faults = Faults()
        self.requests: List[RequestRecord] = []
        self.models: Dict[str, ModelRecord] = {}
        self.predictions: Dict[str, PredictionRecord] = {}
        self.trainings: Dict[str, PredictionRecord] = {}
        self.deployments: Dict[str, DeploymentRecord] = {}
        self.files: Dict[str, FileRecord] = {}
        self.outputs: Dict[str, Tuple[str, bytes]] = {}
        self.webhook_secret = "whsec_" + base64.b64encode(hashlib.sha256(token.encode()).digest()).decode()
        self.webhook_deliveries: List[Dict[str, Any]] = []
        self.webhooks = WebhookSender(self.webhook_secret, self.webhook_deliveries, webhook_interval)
        """Delivers each record's webhooks in order; `output` and `logs` at most once per
        `webhook_interval` seconds (0.5, as Replicate's), `start` and `completed` always."""
        self.base_url = ""
        self.file_base_url = ""
        self.stream_base_url = ""
        self.in_flight = 0
        """Requests received and not yet answered (see `RequestRecord.in_flight`)."""
        self._lock = threading.RLock()
        self._file_key = hashlib.sha256(b"files:" + token.encode()).digest()
        self._servers: List[ThreadingHTTPServer] = []
        if builtin_models:
            from ._builtin import register_builtin_models

            register_builtin_models(self)

    # -- models ------------------------------------------------------------------------------------

    def model(
        self,
        name: str,
        *,
        version: Optional[str] = None,
        description: Optional[str] = None,
        official: bool = False,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register a function as the model `owner/name` (a new version if it exists)."""
        owner, _, model_name = name.partition("/")
        if not owner or not model_name or "/" in model_name:
            raise ValueError(f"model names are 'owner/name', got {name!r}")

        def register(function: Callable[..., Any]) -> Callable[..., Any]:
            digest = hashlib.sha256(f"{name}:{function.__qualname__}:{len(self.models)}".encode()).hexdigest()
            record = VersionRecord(version or digest, function, derive_schema(function))
            with self._lock:
                model = self.models.get(name)
                if model is None:
                    doc = (function.__doc__ or "").strip()
                    model = ModelRecord(
                        owner, model_name, description=description or doc.split("\n")[0], is_official=official
                    )
                    model.readme = f"# {name}\n\n{doc}\n" if doc else None
                    self.models[name] = model
                model.versions.append(record)
            return function

        return register

    def find_version(self, version_id: str) -> Optional[Tuple[ModelRecord, VersionRecord]]:
        for model in self.models.values():
            for version in model.versions:
                if version.id == version_id:
                    return model, version
        return None

    # -- predictions ---------------------------------------------------------------------------------

    def start_prediction(
        self,
        model: ModelRecord,
        version: VersionRecord,
        body: Dict[str, Any],
        *,
        deployment: Optional[str] = None,
        cancel_after: Optional[float] = None,
    ) -> PredictionRecord:
        webhook_filter = body.get("webhook_events_filter") or WEBHOOK_EVENTS
        prediction_id = new_id()
        # "hidden" is for an official model run by its name; a deployment names the version it pins.
        hidden = model.is_official and not body.get("version") and deployment is None
        prediction = PredictionRecord(
            prediction_id,
            model.full_name,
            "hidden" if hidden else version.id,
            dict(body.get("input") or {}),
            self.base_url,
            deployment=deployment,
            webhook=body.get("webhook"),
            webhook_events_filter=tuple(webhook_filter),
            stream_url=f"{self.stream_base_url}/v1/streams/{prediction_id}" if self.stream_urls else None,
        )
        if cancel_after is not None:
            prediction.deadline = now(later=cancel_after)
        with self._lock:
            self.predictions[prediction.id] = prediction
            model.run_count += 1
        function = version.function
        if function is None:
            finish(prediction, "failed", error="This version has no code to run in the emulator")
            return prediction
        StdoutRouter.install()
        input_schema = version.openapi_schema["components"]["schemas"]["Input"]
        threading.Thread(
            target=run_prediction,
            args=(prediction, function, input_schema, self.store_output, self.on_event, self._fetch),
            daemon=True,
            name=f"prediction-{prediction.id}",
        ).start()
        if cancel_after is not None:
            timer = threading.Timer(cancel_after, self.cancel, args=(prediction,))
            timer.daemon = True
            timer.start()
        return prediction

    def wait(self, prediction: PredictionRecord, seconds: float) -> bool:
        """Block until the prediction ends or `seconds` pass; whether it ended."""
        deadline = time.monotonic() + min(seconds, self.wait_window)
        with prediction.changed:
            while not prediction.done:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                prediction.changed.wait(left)
        return True

    def cancel(self, prediction: PredictionRecord) -> None:
        prediction.cancel_requested.set()
        interrupt(prediction)
        if finish(prediction, "canceled"):
            self.on_event(prediction, "completed")

    @property
    def prediction_count(self) -> int:
        return len(self.predictions)

    # -- files --------------------------------------------------------------------------------------

    def store_output(self, filename: str, content: bytes) -> str:
        """Serve `content` on the file host; returns its URL (like replicate.delivery), or a
        `data:` URL holding it when `file_outputs` is "data"."""
        if self.file_outputs == "data":
            kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            return f"data:{kind};base64,{base64.b64encode(content).decode()}"
        key = new_id()[:12]
        with self._lock:
            self.outputs[key] = (filename, content)
        return f"{self.file_base_url}/{key}/{filename}"

    def _fetch(self, url: str) -> bytes:
        """A file input's bytes: our own uploads and outputs directly (as Replicate's workers
        read its own storage), anything else over HTTP."""
        prefix = f"{self.base_url}/files/"
        if url.startswith(prefix) and url[len(prefix) :] in self.files:
            return self.files[url[len(prefix) :]].content
        if url.startswith(self.file_base_url + "/"):
            key = url[len(self.file_base_url) + 1 :].split("/")[0]
            if key in self.outputs:
                return self.outputs[key][1]
        from ._runner import fetch_url

        return fetch_url(url)

    def sign_download(self, file_id: str, expiry: int, owner: str) -> str:
        message = f"{owner} {file_id} {expiry}".encode()
        return base64.b64encode(hmac.new(self._file_key, message, hashlib.sha256).digest()).decode()

    def download_url(self, file_id: str, *, expires_in: float = 3600) -> str:
        """A signed `/files/{id}/download` URL, valid for `expires_in` seconds."""
        from urllib.parse import urlencode

        expiry = int(time.time() + expires_in)
        owner = ACCOUNT["username"]
        query = urlencode(
            {"owner": owner, "expiry": expiry, "signature": self.sign_download(file_id, expiry, owner)}
        )
        return f"{self.base_url}/files/{file_id}/download?{query}"

    # -- webhooks -----------------------------------------------------------------------------------

    def on_event(self, prediction: PredictionRecord, event: str) -> None:
        """Deliver `event` of a prediction or training to its webhook, if it asked for that event."""
        if not prediction.webhook or event not in prediction.webhook_events_filter:
            return
        body = json.dumps(prediction.to_json()).encode()
        self.webhooks.send(f"{prediction.kind}:{prediction.id}", prediction.webhook, event, body)

    # -- serving ------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def serve(self, *, port: int = 0) -> Generator[str, None, None]:
        """Serve the API on 127.0.0.1 (`port`, or a free one), files and event streams on others."""
        from ._server import make_server

        if self._servers:
            raise RuntimeError("This emulator is already serving; use another Emulator for a second server")
        api = make_server(self, port, "api")
        files = make_server(self, 0, "files")
        streams = make_server(self, 0, "streams")
        self._servers = [api, files, streams]
        self.base_url = f"http://127.0.0.1:{api.server_address[1]}/v1"
        # Other origins than the API, as replicate.delivery and stream.replicate.com are for the
        # real one: the API token must not be sent there.
        self.file_base_url = f"http://localhost:{files.server_address[1]}"
        self.stream_base_url = f"http://localhost:{streams.server_address[1]}"
        threads = [threading.Thread(target=s.serve_forever, args=(0.05,), daemon=True) for s in self._servers]
        for thread in threads:
            thread.start()
        try:
            yield self.base_url
        finally:
            for server in self._servers:
                server.shutdown()
                server.server_close()
            self._servers = []
            # Models still running would outlive the emulator, printing into whatever stdout
            # is by then; stop them as a machine going down would.
            for record in [*self.predictions.values(), *self.trainings.values()]:
                if not record.done:
                    self.cancel(record)

    def client(self, **options: Any) -> Replicate:
        """A `Replicate` client pointed at this emulator (while it serves)."""
        from .._client import Replicate

        return Replicate(base_url=self._serving_url(), bearer_token=self.token, **options)

    def async_client(self, **options: Any) -> AsyncReplicate:
        """An `AsyncReplicate` client pointed at this emulator (while it serves)."""
        from .._client import AsyncReplicate

        return AsyncReplicate(base_url=self._serving_url(), bearer_token=self.token, **options)

    def _serving_url(self) -> str:
        if not self._servers:
            raise RuntimeError("Start the emulator first: `with emulator.serve(): ...`")
        return self.base_url

    def seen(self, method: str, path_fragment: str) -> List[RequestRecord]:
        """Logged requests with this method whose path contains `path_fragment`."""
        return [r for r in self.requests if r.method == method and path_fragment in r.path]
