"""Following a prediction's event stream, and the deprecated `stream()`.

    follow_events     emit a stream's events (read by `_http/events.EventReader`), a batch per
                      `Emit`, until `done`; a stream gone quiet has its prediction looked at, and
                      is left once that has ended
    follow_or_finish  follow_events, or, when there is no stream or it carried no `output` event,
                      the whole output once the prediction has ended

`stream()` is kept for code written against the older clients and is deprecated in favour of
`use(ref, streaming=True)`. It yields the output's text chunks as `str` (file outputs as their
URLs; logs are not mixed in). A stream that ends before its `done` event raises
`StreamInterruptedError`, never passes for a complete output; an `error` event raises `ModelError`.
"""

from __future__ import annotations

import json
import warnings
from typing import (
    TYPE_CHECKING,
    AbstractSet,
    Any,
    AsyncIterator,
    Callable,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    cast,
)

import httpx

from .._base.constants import has_ended
from .._base.errors import ModelError, PredictionCanceledError, logs_tail
from .._http.events import ENDS, EventReader, ServerSentEvent
from .._http.steps import Emit, Running, Steps, async_iterate, iterate
from ..resources.predictions import Predictions
from .outputs import as_mapping
from .run import RunPlan, prepare_run, raise_unless_succeeded, running, unless_past_deadline

if TYPE_CHECKING:
    from .._client import AsyncReplicate, Replicate
    from ..types import Prediction


def error_from_event(prediction: Prediction, event: ServerSentEvent) -> ModelError:
    """The `ModelError` for an `error` event, its `detail` in the message."""
    try:
        detail: Any = as_mapping(event.json()).get("detail")
    except ValueError:
        detail = None
    if not isinstance(detail, str):
        detail = event.data
    if prediction.status == "canceled":
        return PredictionCanceledError(prediction)
    message = f"Prediction {prediction.id} failed: {detail}{logs_tail(prediction.logs)}" if detail else None
    return ModelError(prediction, message)


def follow_events(
    prediction: Prediction,
    *,
    kinds: AbstractSet[str] = frozenset(("output",)),
    emit: Callable[[ServerSentEvent], Any] = lambda event: event,
) -> Steps[bool]:
    """Emit the events of a running prediction whose kind is in `kinds`, made by `emit`, until `done`.

    Returns whether any `output` event came. Raises `ModelError` on an `error` event or a `done`
    with a failure `reason`, and `StreamInterruptedError` if the stream ends first. A `done`
    without a reason is a success (`{}`, per the API), so the prediction is fetched only to
    report a failure, or when the stream has gone quiet.
    """
    url = prediction.urls.stream
    assert url is not None
    # Logs are not progress: a stream logging on after its prediction ended must not hold us.
    reader = EventReader(url, kinds - {"logs"})
    had_output = False
    while True:
        yield from unless_past_deadline(prediction)
        try:
            events = yield from reader.read()
        except httpx.RequestError as exc:
            raise reader.interrupted(exc) from exc
        if events is None:
            raise reader.interrupted()
        if not events:
            yield from _unless_ended(prediction, reader)
            continue
        values: List[Any] = []
        for event in events:
            if event.event in ENDS:
                if values:
                    yield Emit(values)
                yield from _end(prediction, event)
                return had_output
            had_output = had_output or event.event == "output"
            if event.event in kinds:
                values.append(emit(event))
        if values:
            yield Emit(values)


def _end(prediction: Prediction, event: ServerSentEvent) -> Steps[None]:
    """Return on a successful `done` (`{}`, no `reason`); else raise what the event reports."""
    try:
        body: Any = event.json()
    except ValueError:
        body = None
    fields = as_mapping(body)
    if event.event == "done" and isinstance(body, dict) and "reason" not in fields:
        return
    final: Prediction = yield Predictions.get.build(None, prediction_id=prediction.id)
    if event.event == "error":
        raise error_from_event(final, event)
    reason = fields.get("reason")
    if reason == "canceled" or final.status == "canceled":
        raise PredictionCanceledError(final)
    if reason in ("error", "failed", "aborted") or final.status in ("failed", "aborted"):
        raise ModelError(final)


def _unless_ended(prediction: Prediction, reader: EventReader) -> Steps[None]:
    """Raise if the prediction of a quiet stream has ended: its failure, else the stream's."""
    current: Prediction = yield Predictions.get.build(None, prediction_id=prediction.id)
    if not has_ended(current.status, current.completed_at):
        return
    raise_unless_succeeded(current)
    raise reader.interrupted(f"prediction {current.id} has {current.status}, and its stream sent no `done`")


def follow_or_finish(
    plan: RunPlan,
    prediction: Prediction,
    *,
    kinds: AbstractSet[str],
    emit: Callable[[ServerSentEvent], Any] = lambda event: event,
    whole: Callable[[Prediction], List[Any]],
) -> Steps[Optional[Prediction]]:
    """Emit a created prediction's events of `kinds`, made by `emit`, until `done`.

    A prediction with no event stream, or whose stream carries no `output` event (some models
    send only `done` and leave the output in the prediction), is waited for instead, and
    `whole(final prediction)` emitted at its end; that final prediction is returned (else None).
    """
    if prediction.urls.stream is not None:  # even if it has ended: the stream replays its events
        yield running(prediction)
        streamed = yield from follow_events(prediction, kinds=kinds, emit=emit)
        yield Running(None)
        if streamed:
            return None
        prediction = yield Predictions.get.build(None, prediction_id=prediction.id)
    final = yield from plan.finish(prediction)
    yield Emit(whole(final))
    return final


def stream_steps(plan: RunPlan) -> Steps[None]:
    """Create a streaming prediction and emit its output as text chunks (for `stream()`)."""
    prediction: Prediction = yield from plan.create()
    yield from follow_or_finish(
        plan, prediction, kinds={"output"}, emit=lambda event: event.data, whole=_as_text
    )


def _as_text(prediction: Prediction) -> List[str]:
    """The whole output as the text chunks its stream would carry: one per item of a list."""
    output: Any = prediction.output
    items = cast("List[Any]", output) if isinstance(output, list) else [] if output is None else [output]
    return [item if isinstance(item, str) else json.dumps(item) for item in items]


def _deprecated_plan(
    client: Any, ref: Any, input: Optional[Mapping[str, Any]], params: Dict[str, Any]
) -> RunPlan:
    warnings.warn(
        "replicate.stream() is deprecated: use replicate.use(ref, streaming=True), whose function yields"
        " the output as it is produced (`for chunk in model(**input): ...`).",
        DeprecationWarning,
        stacklevel=4,
    )
    return prepare_run(client, ref, input=input, wait=False, **dict(params, stream=True))


def stream(
    client: Replicate, ref: Any, *, input: Optional[Mapping[str, Any]] = None, **params: Any
) -> Iterator[str]:
    """Deprecated. Create a prediction and iterate its output as text chunks, as they come.

    `print(chunk, end="")` prints a language model's answer as it is generated; a model whose
    output is not streamed gives its whole output once (a file as its URL).
    """
    return iterate(client, stream_steps(_deprecated_plan(client, ref, input, params)))


async def async_stream(
    client: AsyncReplicate, ref: Any, *, input: Optional[Mapping[str, Any]] = None, **params: Any
) -> AsyncIterator[str]:
    """Deprecated. The async form of `stream()`: `async for event in await client.stream(...)`."""
    return async_iterate(client, stream_steps(_deprecated_plan(client, ref, input, params)))
