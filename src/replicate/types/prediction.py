"""A prediction: one run of a model, as every prediction endpoint and webhook returns it.

    Prediction
      ├── urls: PredictionURLs       get / cancel / stream / web
      └── metrics: PredictionMetrics

`repr(prediction)` shows the id, model, status, and the error or output cut to a line (never
the input or logs); in a notebook, a status card: status, timing, progress, error, output preview.
"""

import html
from datetime import datetime
from typing import Any, ClassVar, Dict, Iterator, List, Mapping, Optional, Tuple, Union, cast

from typing_extensions import Annotated, Literal, NotRequired, Required, TypedDict

from .._base.errors import shorten
from .._base.models import Abbreviated, BaseModel, BuiltOnAccess, OpenEnum, Timestamp
from .._base.progress import PredictionProgress, parse_progress

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

    _needed_fields: ClassVar[Tuple[str, ...]] = ("id", "status")

    id: str
    status: OpenEnum[PredictionStatus]
    version: OpenEnum[Literal["hidden"]]
    input: Dict[str, object]
    created_at: Timestamp
    # Checked with the prediction, built on first read: see BuiltOnAccess.
    urls: Annotated[PredictionURLs, BuiltOnAccess()]
    # Required by the spec, but real responses omit them: `model` on some old predictions,
    # `output` and `data_removed` on most. `error` is always sent, but null when there is none.
    model: Optional[str] = None
    output: object = None
    error: Optional[str] = None
    data_removed: Optional[bool] = None
    logs: Optional[str] = None
    metrics: Annotated[Optional[PredictionMetrics], BuiltOnAccess()] = None
    source: Optional[OpenEnum[PredictionSource]] = None
    deployment: Optional[str] = None
    started_at: Optional[Timestamp] = None
    completed_at: Optional[Timestamp] = None
    deadline: Optional[Timestamp] = None

    @property
    def progress(self) -> Optional[PredictionProgress]:
        """How far the model says it is: the last tqdm-style progress line in `logs`
        (`45%|███  | 9/20`) as `(percentage, current, total)`, or None if there is none."""
        return parse_progress(self.logs)

    def __repr_args__(self) -> Iterator[Tuple[str, Any]]:
        # pydantic's repr lists every field (input, logs, output...); keep it to a line
        yield "id", self.id
        yield "model", self.model
        yield "status", self.status
        if self.error:
            yield "error", Abbreviated(self.error)
        if self.output is not None:
            yield "output", Abbreviated(self.output)

    def _repr_html_(self) -> str:
        """A notebook's card for the prediction (see the module docstring)."""
        from .._base.media import media_html

        colour = {
            "succeeded": "#1a7f37",
            "failed": "#cf222e",
            "canceled": "#6e7781",
            "aborted": "#cf222e",
        }.get(str(self.status), "#9a6700")
        title = html.escape(self.model or self.version)
        parts = [
            f"<div><b>{title}</b> <code>{html.escape(self.id)}</code> "
            f'<span style="color:{colour}">&#9679; {html.escape(str(self.status))}</span>'
        ]
        seconds = self.metrics.predict_time if self.metrics else None
        if seconds is not None:
            parts.append(f" &middot; {seconds:.1f}s")
        parts.append("</div>")
        progress = self.progress
        if progress is not None:
            parts.append(
                f'<div><progress value="{progress.percentage:.0f}" max="100"></progress> '
                f"{progress.percentage:.0f}% ({progress.current}/{progress.total})</div>"
            )
        if self.error:
            parts.append(f'<div style="color:#cf222e">{html.escape(self.error)}</div>')
        output: object = self.output
        outputs: List[object] = list(cast("List[object]", output)) if isinstance(output, list) else [output]
        texts = [item for item in outputs if isinstance(item, str)]
        media = [media_html(item, max_width="256px") for item in texts[:12]]
        if output is not None and len(texts) == len(outputs) and media and all(media):
            gallery = "".join(tag or "" for tag in media)
            parts.append(f'<div style="display:flex;flex-wrap:wrap;gap:8px">{gallery}</div>')
        elif output is not None:
            text = "".join(texts) if len(texts) == len(outputs) else repr(self.output)
            text = shorten(text, 500)
            parts.append(f'<pre style="white-space:pre-wrap;margin:4px 0">{html.escape(text)}</pre>')
        if self.urls.web:
            parts.append(
                f'<div><a href="{html.escape(self.urls.web, quote=True)}" target="_blank">web</a></div>'
            )
        style = "border:1px solid #d0d7de;border-radius:6px;padding:6px 10px;max-width:640px;font-size:13px"
        return f'<div style="{style}">' + "".join(parts) + "</div>"


class _PredictionRequest(TypedDict, total=False):
    """What every prediction create takes: the body's `input` and options, the `Prefer` and
    `Cancel-After` headers. The three `...PredictionCreateParams` add where the model comes from."""

    input: Required[Mapping[str, object]]
    stream: NotRequired[bool]
    webhook: NotRequired[str]
    webhook_events_filter: NotRequired[List[WebhookEvent]]
    prefer: NotRequired[str]
    cancel_after: NotRequired[str]


class PredictionCreateParams(_PredictionRequest, total=False):
    """`predictions.create`: `POST /predictions`."""

    version: Required[str]


class PredictionListParams(TypedDict, total=False):
    """`predictions.list`: `GET /predictions` (query)."""

    created_after: NotRequired[Union[str, datetime]]
    created_before: NotRequired[Union[str, datetime]]
    source: NotRequired[Literal["web"]]
