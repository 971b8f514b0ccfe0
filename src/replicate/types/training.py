"""A training: a run of a model version's `train()` that pushes a new version to a destination.

Training
  ├── urls: TrainingURLs
  ├── metrics: TrainingMetrics
  └── output: TrainingOutput      the new version and its weights
"""

from typing import Dict, List, Mapping, Optional

from typing_extensions import Literal, NotRequired, Required, TypedDict

from .._base.models import BaseModel, OpenEnum, Timestamp
from .prediction import PredictionSource, WebhookEvent

TrainingStatus = Literal["starting", "processing", "succeeded", "failed", "canceled", "aborted"]


class TrainingURLs(BaseModel):
    """Where to reach a training."""

    get: Optional[str] = None
    cancel: Optional[str] = None


class TrainingMetrics(BaseModel):
    """Timings of a training, in seconds."""

    predict_time: Optional[float] = None
    total_time: Optional[float] = None


class TrainingOutput(BaseModel):
    """What a finished training made: the new version's id and its weights."""

    version: Optional[str] = None
    weights: Optional[str] = None


class Training(BaseModel):
    """A training, as `GET /trainings/{training_id}` returns it. The spec marks no field
    required, so all may be `None`."""

    id: Optional[str] = None
    status: Optional[OpenEnum[TrainingStatus]] = None
    model: Optional[str] = None
    version: Optional[str] = None
    input: Optional[Dict[str, object]] = None
    output: Optional[TrainingOutput] = None
    error: Optional[str] = None
    logs: Optional[str] = None
    metrics: Optional[TrainingMetrics] = None
    source: Optional[OpenEnum[PredictionSource]] = None
    urls: Optional[TrainingURLs] = None
    created_at: Optional[Timestamp] = None
    started_at: Optional[Timestamp] = None
    completed_at: Optional[Timestamp] = None


class TrainingCreateParams(TypedDict, total=False):
    """`trainings.create`: `POST /models/{model_owner}/{model_name}/versions/{version_id}/trainings` (body)."""

    model_owner: Required[str]
    model_name: Required[str]
    version_id: Required[str]
    destination: Required[str]
    input: Required[Mapping[str, object]]
    webhook: NotRequired[str]
    webhook_events_filter: NotRequired[List[WebhookEvent]]
