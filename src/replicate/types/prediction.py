"""A prediction: one run of a model, as every prediction endpoint and webhook returns it.

    Prediction
      ├── urls: PredictionURLs       get / cancel / stream / web
      └── metrics: PredictionMetrics

Also the request parameters of `predictions.create`, `.list`, `.get` and `.cancel`.
"""

from datetime import datetime
from typing import Dict, List, Mapping, Optional, Union

from typing_extensions import Literal, NotRequired, Required, TypedDict

from .._models import BaseModel, Timestamp
from .._prediction_progress import PredictionProgress, parse_progress

__all__ = [
    "Prediction",
    "PredictionCancelParams",
    "PredictionCreateParams",
    "PredictionGetParams",
    "PredictionListParams",
    "PredictionMetrics",
    "PredictionSource",
    "PredictionStatus",
    "PredictionURLs",
    "WebhookEvent",
]

PredictionStatus = Literal["starting", "processing", "succeeded", "failed", "canceled", "aborted"]
"""Where a prediction is. `succeeded`, `failed`, `canceled` and `aborted` are terminal; a
prediction still running when a `Prefer: wait` window ends reads `starting`."""

PredictionSource = Literal["web", "api"]
"""How a prediction (or training) was created."""

WebhookEvent = Literal["start", "output", "logs", "completed"]
"""The events a `webhook_events_filter` may select."""


class PredictionURLs(BaseModel):
    """Where to reach a prediction. `stream` is present when the model streams its output."""

    get: str
    cancel: str
    # Required by the spec, but absent from every recorded API response.
    web: Optional[str] = None
    stream: Optional[str] = None


class PredictionMetrics(BaseModel):
    """Timings of a prediction, in seconds. Language models add token counts (kept as extras)."""

    total_time: Optional[float] = None
    # Not in the spec; every finished prediction carries it.
    predict_time: Optional[float] = None


class Prediction(BaseModel):
    """A prediction, as `GET /predictions/{prediction_id}` returns it.

    `version` is the version id, or `"hidden"` for official models that do not expose versions.
    `output` is whatever the model returned (`None` until it has output).
    """

    id: str
    status: Union[PredictionStatus, str]
    version: Union[Literal["hidden"], str]
    input: Dict[str, object]
    created_at: Timestamp
    urls: PredictionURLs
    # Required by the spec, but real responses omit them: `model` on some old predictions,
    # `output` and `data_removed` on most. `error` is always sent, but null when there is none.
    model: Optional[str] = None
    output: object = None
    error: Optional[str] = None
    data_removed: Optional[bool] = None
    logs: Optional[str] = None
    metrics: Optional[PredictionMetrics] = None
    source: Optional[Union[PredictionSource, str]] = None
    deployment: Optional[str] = None
    started_at: Optional[Timestamp] = None
    completed_at: Optional[Timestamp] = None
    deadline: Optional[Timestamp] = None

    @property
    def progress(self) -> Optional[PredictionProgress]:
        """How far the model says it is: the last tqdm-style progress line in `logs`
        (`45%|███  | 9/20`) as `(percentage, current, total)`, or None if there is none."""
        return parse_progress(self.logs)


class PredictionCreateParams(TypedDict, total=False):
    """`predictions.create`: `POST /predictions` (body) with the `Prefer` and `Cancel-After` headers."""

    version: Required[str]
    input: Required[Mapping[str, object]]
    stream: NotRequired[bool]
    webhook: NotRequired[str]
    webhook_events_filter: NotRequired[List[WebhookEvent]]
    prefer: NotRequired[str]
    cancel_after: NotRequired[str]


class PredictionListParams(TypedDict, total=False):
    """`predictions.list`: `GET /predictions` (query)."""

    created_after: NotRequired[Union[str, datetime]]
    created_before: NotRequired[Union[str, datetime]]
    source: NotRequired[Literal["web"]]


class PredictionGetParams(TypedDict, total=False):
    """`predictions.get`: `GET /predictions/{prediction_id}`."""

    prediction_id: Required[str]


class PredictionCancelParams(TypedDict, total=False):
    """`predictions.cancel`: `POST /predictions/{prediction_id}/cancel`."""

    prediction_id: Required[str]
