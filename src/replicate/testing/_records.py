"""What the emulator stores: models, versions, predictions, trainings, files, deployments.

Each record knows how to render itself as the JSON the real API sends.
"""

from __future__ import annotations

import datetime
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = [
    "DeploymentRecord",
    "FileRecord",
    "ModelRecord",
    "PredictionRecord",
    "RequestRecord",
    "VersionRecord",
    "WEBHOOK_EVENTS",
    "new_id",
    "now",
]

# Not `replicate._base.constants.TERMINAL_STATUSES`: that module loads httpx, and the emulator runs on
# the standard library alone.
TERMINAL = frozenset({"succeeded", "failed", "canceled", "aborted"})

WEBHOOK_EVENTS = ("start", "output", "logs", "completed")
"""The events a webhook gets when its `webhook_events_filter` is not given."""


def now(later: float = 0.0) -> str:
    """The time (plus `later` seconds) as the API writes it."""
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=later)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id() -> str:
    """A prediction-style id: 26 lowercase base-32 characters."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "".join(secrets.choice(alphabet) for _ in range(26))


@dataclass
class RequestRecord:
    """One request as the emulator saw it (API host and file host alike)."""

    host: str
    method: str
    path: str
    query: str
    headers: Dict[str, str]
    body: bytes
    in_flight: int = 1
    """How many requests the emulator had received and not yet answered (sent a status for) when
    this one arrived, this one included: more than 1 on slow uploads shows the client sent them
    concurrently."""


@dataclass
class VersionRecord:
    id: str
    function: Optional[Callable[..., Any]]
    openapi_schema: Dict[str, Any]
    created_at: str = field(default_factory=now)

    def to_json(self) -> Dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at,
            "cog_version": "0.9.0",
            "openapi_schema": self.openapi_schema,
        }


@dataclass
class ModelRecord:
    owner: str
    name: str
    description: str = ""
    visibility: str = "public"
    hardware: str = "cpu"
    readme: Optional[str] = None
    github_url: Optional[str] = None
    paper_url: Optional[str] = None
    license_url: Optional[str] = None
    cover_image_url: Optional[str] = None
    weights_url: Optional[str] = None
    is_official: bool = False
    versions: List[VersionRecord] = field(default_factory=lambda: [])
    run_count: int = 0
    created_at: str = field(default_factory=now)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def to_json(self) -> Dict[str, Any]:
        latest = self.versions[-1].to_json() if self.versions else None
        return {
            "url": f"https://replicate.com/{self.owner}/{self.name}",
            "owner": self.owner,
            "name": self.name,
            "description": self.description,
            "visibility": self.visibility,
            "github_url": self.github_url,
            "paper_url": self.paper_url,
            "license_url": self.license_url,
            "cover_image_url": self.cover_image_url,
            "run_count": self.run_count,
            "is_official": self.is_official,
            "default_example": None,
            "latest_version": latest,
            "created_at": self.created_at,
        }


@dataclass
class PredictionRecord:
    id: str
    model: str
    version: str
    input: Dict[str, Any]
    api_base: str
    kind: str = "prediction"  # or "training"
    status: str = "starting"
    output: Any = None
    error: Optional[str] = None
    logs: str = ""
    created_at: str = field(default_factory=now)
    started_at: Optional[str] = None
    completed_at: Optional[str] = None
    predict_time: Optional[float] = None
    deployment: Optional[str] = None
    webhook: Optional[str] = None
    webhook_events_filter: Tuple[str, ...] = WEBHOOK_EVENTS
    destination: Optional[str] = None
    stream_url: Optional[str] = None
    deadline: Optional[str] = None  # when Cancel-After will cancel it
    events: List[Tuple[str, str]] = field(default_factory=lambda: [])
    changed: threading.Condition = field(default_factory=threading.Condition)
    cancel_requested: threading.Event = field(default_factory=threading.Event)
    worker: Optional[int] = None  # the thread running the model's code, while it does

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    def add_event(self, event: str, data: str) -> None:
        with self.changed:
            self.events.append((event, data))
            self.changed.notify_all()

    def to_json(self, *, status: Optional[str] = None) -> Dict[str, Any]:
        plural = "trainings" if self.kind == "training" else "predictions"
        urls: Dict[str, str] = {
            "get": f"{self.api_base}/{plural}/{self.id}",
            "cancel": f"{self.api_base}/{plural}/{self.id}/cancel",
            "web": f"https://replicate.com/p/{self.id}",
        }
        if self.stream_url:
            urls["stream"] = self.stream_url
        body: Dict[str, Any] = {
            "id": self.id,
            "model": self.model,
            "version": self.version,
            "input": self.input,
            "logs": self.logs,
            "output": self.output,
            "data_removed": False,
            "error": self.error,
            "status": status or self.status,
            "source": "api",
            "created_at": self.created_at,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
            "deadline": self.deadline,
            "urls": urls,
        }
        if self.predict_time is not None:
            body["metrics"] = {"predict_time": self.predict_time, "total_time": self.predict_time}
        if self.deployment:
            body["deployment"] = self.deployment
        if self.kind == "training":
            body.pop("data_removed")
            body.pop("source")
            if self.output is None:
                body.pop("output")  # a training's output is an object once it has one
        return {k: v for k, v in body.items() if v is not None or k in ("output", "error")}


@dataclass
class FileRecord:
    id: str
    name: str
    content: bytes
    content_type: str
    metadata: Dict[str, Any]
    api_base: str
    created_at: str = field(default_factory=now)
    expires_at: str = ""

    def __post_init__(self) -> None:
        if not self.expires_at:  # a day after its creation, as on Replicate
            created = datetime.datetime.strptime(self.created_at, "%Y-%m-%dT%H:%M:%S.%fZ")
            self.expires_at = (created + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def to_json(self) -> Dict[str, Any]:
        import hashlib

        return {
            "id": self.id,
            "name": self.name,
            "content_type": self.content_type,
            "size": len(self.content),
            "etag": hashlib.md5(self.content).hexdigest(),
            "checksums": {
                "sha256": hashlib.sha256(self.content).hexdigest(),
                "md5": hashlib.md5(self.content).hexdigest(),
            },
            "metadata": self.metadata,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "urls": {"get": f"{self.api_base}/files/{self.id}"},
        }


@dataclass
class DeploymentRecord:
    owner: str
    name: str
    model: str
    version: str
    hardware: str
    min_instances: int
    max_instances: int
    number: int = 1
    created_at: str = field(default_factory=now)

    def to_json(self, account: Dict[str, Any]) -> Dict[str, Any]:
        return {
            "owner": self.owner,
            "name": self.name,
            "current_release": {
                "number": self.number,
                "model": self.model,
                "version": self.version,
                "created_at": self.created_at,
                "created_by": account,
                "configuration": {
                    "hardware": self.hardware,
                    "min_instances": self.min_instances,
                    "max_instances": self.max_instances,
                },
            },
        }
