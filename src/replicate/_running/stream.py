"""Server-sent events: an incremental decoder, reading a prediction's event stream, and `stream()`.

    bytes from the socket ──feed()──▶ SSEDecoder ──▶ ServerSentEvent(event, data, id)
                                        (keeps only the unfinished line and event)
    EventReader: the steps (see `_http/steps.py`) that open `urls.stream` and read events a slice at a time
                 (or [] after `STREAM_IDLE_CHECK` seconds without an event its reader follows:
                 keep-alives only, or only events of other kinds, such as endless `logs`)
    follow_events: emit those events in batches (one `Emit` per slice) until `done`; a stream
                   gone quiet has its prediction looked at, and is left once that has ended
    follow_or_finish: follow_events, or, when there is no stream or it carried no `output`
                   event (only `done`), the whole output once the prediction has ended
    stream_steps: create a prediction, then emit its output as text chunks until `done`

The decoder is a pure object fed chunks of any size (a chunk may end inside a line, a CRLF
pair or a UTF-8 character), so sync and async share it, and nothing buffers a whole response.

`stream()` is kept for code written against the older clients and is deprecated in favour of
`use(ref, streaming=True)`. It yields the output's text chunks as `str` (file outputs as their
URLs; logs are not mixed in). A stream that ends before its `done` event raises
`StreamInterruptedError`, never passes for a complete output; an `error` event raises
`ModelError`.
"""

from __future__ import annotations

import codecs
import json
import re
import time
import warnings
from typing import (
    TYPE_CHECKING,
    AbstractSet,
    Any,
    AsyncIterator,
    Callable,
    Iterator,
    List,
    Mapping,
    Optional,
    Tuple,
    cast,
)

import httpx

from .._base.constants import has_ended
from .._base.errors import APIConnectionError, ModelError, PredictionCanceledError, logs_tail
from .._http.call import Call
from .._http.steps import Emit, OpenResponse, OpenStream, ReadChunk, Running, Steps
from ..resources.predictions import Predictions

if TYPE_CHECKING:
    from .._client import AsyncReplicate, Replicate
    from ..types import Prediction
    from .run import RunPlan

__all__ = [
    "EventReader",
    "SSEDecoder",
    "ServerSentEvent",
    "StreamInterruptedError",
    "async_stream",
    "stream",
    "stream_steps",
]

_LINE_END = re.compile(r"\r\n|\r|\n")


class ServerSentEvent:
    """One server-sent event. `str(event)` is its data for `output` events, else "".

    A plain class with slots rather than a frozen dataclass: a token stream builds one per token,
    and a frozen dataclass's `__init__` costs about as much as decoding the event's lines.
    """

    __slots__ = ("data", "event", "id", "retry")

    def __init__(self, event: str, data: str, id: Optional[str] = None, retry: Optional[int] = None) -> None:
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry

    def json(self) -> Any:
        """The data parsed as JSON (`error` and `done` events carry JSON objects)."""
        return json.loads(self.data) if self.data.strip() else {}

    def __str__(self) -> str:
        return self.data if self.event == "output" else ""

    def __repr__(self) -> str:
        return (
            f"ServerSentEvent(event={self.event!r}, data={self.data!r}, id={self.id!r}, retry={self.retry!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServerSentEvent):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:  # hashable, as the frozen dataclass it replaced was
        return hash(self._fields())

    def _fields(self) -> Tuple[str, str, Optional[str], Optional[int]]:
        return (self.event, self.data, self.id, self.retry)


MAX_EVENT_CHARS = 64 * 2**20
"""The most text an unfinished event may hold: a stream inflating one endless line (a gzip bomb)
fails (`httpx.DecodingError`) instead of filling memory."""


class SSEDecoder:
    """Turns chunks of an event stream into events, as they complete (the WHATWG algorithm).

    >>> decoder = SSEDecoder()
    >>> decoder.feed(b"event: output\\ndata: hel")
    []
    >>> decoder.feed(b"lo\\n\\n")
    [ServerSentEvent(event='output', data='hello', id=None, retry=None)]
    """

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial: List[str] = []  # the unfinished line, in pieces (a long line stays linear)
        self._after_cr = False  # the last chunk ended in "\r": a "\n" next belongs to it
        self._started = False
        self._event = ""
        self._data: List[str] = []
        self._has_fields = False
        self._last_id: Optional[str] = None
        self._retry: Optional[int] = None
        self._held = 0  # characters of the unfinished event, roughly: bounded by MAX_EVENT_CHARS

    @property
    def last_event_id(self) -> Optional[str]:
        """The last `id:` seen, to send as `Last-Event-ID` when reconnecting."""
        return self._last_id

    def feed(self, chunk: bytes) -> List[ServerSentEvent]:
        """The events completed by `chunk` (often none, sometimes several)."""
        text = self._text.decode(chunk)
        if not text:
            return []
        if not self._started:
            self._started = True
            if text.startswith("\ufeff"):
                text = text[1:]
        if self._after_cr and text.startswith("\n"):
            text = text[1:]
        self._after_cr = False
        if "\n" not in text and "\r" not in text:
            self._hold(len(text))
            self._partial.append(text)
            return []
        if self._partial:
            self._partial.append(text)
            text = "".join(self._partial)
            self._partial.clear()
        # Most streams end lines with "\n" alone, which str.split handles far faster than the regex.
        lines = _LINE_END.split(text) if "\r" in text else text.split("\n")
        rest = lines.pop()
        if rest:
            self._partial.append(rest)
        elif text.endswith("\r"):
            self._after_cr = True
        events: List[ServerSentEvent] = []
        # The field handling is inlined, on locals: this loop runs four times per event of a token stream.
        event, data, has_fields = self._event, self._data, self._has_fields
        last_id, retry = self._last_id, self._retry
        for line in lines:
            if not line:  # the blank line that ends an event
                if has_fields:
                    events.append(ServerSentEvent(event or "message", "\n".join(data), last_id, retry))
                    event, data, has_fields = "", [], False
                continue
            # Most lines are "name: value": one partition finds both, unless the first ":" is not
            # the one followed by a space ("a:b: c") or there is none.
            name, space, value = line.partition(": ")
            if not space or ":" in name:
                name, _, value = line.partition(":")
                if value[:1] == " ":
                    value = value[1:]
            if not name:
                continue  # a line starting with ":" is a comment, often a keep-alive
            if name == "data":
                data.append(value)
                has_fields = True
            elif name == "event":
                event = value
                has_fields = True
            elif name == "id":
                if "\0" not in value:
                    last_id = value
            elif name == "retry" and value.isdigit():
                retry = int(value)
        self._event, self._data, self._has_fields = event, data, has_fields
        self._last_id, self._retry = last_id, retry
        if events or not has_fields:
            self._held = 0  # what came before has ended: only the unfinished line is held
            self._hold(len(rest))
        else:
            self._hold(len(text))
        return events

    def _hold(self, chars: int) -> None:
        self._held += chars
        if self._held > MAX_EVENT_CHARS:
            raise httpx.DecodingError(f"An event of the stream is larger than {MAX_EVENT_CHARS:,} characters")

    def end(self) -> List[ServerSentEvent]:
        """Call at the end of the stream. An event without its closing blank line is dropped."""
        self._text.decode(b"", final=True)
        self._partial.clear()
        self._reset()
        return []

    def _reset(self) -> None:
        self._event = ""
        self._data = []
        self._has_fields = False


class StreamInterruptedError(APIConnectionError):
    """The event stream ended before its `done` event: what was received is not the whole output."""


def event_stream_call(url: str) -> Call[Any]:
    """`GET urls.stream` as an event stream (the core sends the token to the API host only)."""
    return Call("GET", url, None, headers={"Accept": "text/event-stream", "Cache-Control": "no-store"})


_SLICE = 2048
"""Bytes of a read decoded at a time by `EventReader` (a few dozen typical events)."""

_ENDS = frozenset(("done", "error"))

STREAM_IDLE_CHECK = 10.0
"""Seconds of an event stream sending keep-alives (`: ping`), or events its reader does not
follow, after which its prediction is fetched: a stream that never sends `done` must not
outlive its prediction."""


class EventReader:
    """Reads one prediction's event stream, the events of one decoded slice per `read()` (steps).

    `follows`: the kinds of event that count as the stream making progress, besides `done` and
    `error` (`run()` waits for `done` alone; `use(streaming=True)` follows `output`).
    """

    def __init__(self, url: str, follows: AbstractSet[str] = frozenset()) -> None:
        self.url = url
        self.follows = follows | _ENDS
        self.decoder = SSEDecoder()
        self.opened: Optional[OpenResponse] = None
        # A read can return thousands of events at once; they are decoded a slice at a time
        # so the first is handed over without waiting for the whole chunk to be decoded.
        self.pending = b""
        self.offset = 0
        self.quiet_since = 0.0

    def read(self) -> Steps[Optional[List[ServerSentEvent]]]:
        """The next events, or None when the server closed the stream. No events ([]) means the
        stream has sent no event its reader follows for `STREAM_IDLE_CHECK` seconds (keep-alives,
        or `logs` forever after the prediction ended): time to look at the prediction (the next
        read goes on from where this one stopped; events it does not follow may be skipped)."""
        opened = self.opened
        if opened is None:
            opened = self.opened = yield OpenStream(event_stream_call(self.url))
            self.quiet_since = time.monotonic()
        while True:
            if self.offset >= len(self.pending):
                self.pending = yield ReadChunk(opened)
                self.offset = 0
                if not self.pending:
                    self.decoder.end()
                    return None
            piece = self.pending[self.offset : self.offset + _SLICE]
            self.offset += _SLICE
            events = self.decoder.feed(piece)
            now = time.monotonic()
            if any(event.event in self.follows for event in events):
                self.quiet_since = now
                return events
            if now - self.quiet_since >= STREAM_IDLE_CHECK:
                self.quiet_since = now
                return []
            if events:
                return events

    def interrupted(self, cause: object = None) -> StreamInterruptedError:
        request = self.opened.response.request if self.opened else httpx.Request("GET", self.url)
        reason = f" ({cause})" if cause else ""
        return StreamInterruptedError(
            message=f"The prediction's event stream ended before its `done` event{reason}; the output"
            " received so far is incomplete. Fetch the prediction to see its final state.",
            request=request,
        )


def failure_from_done(prediction: Prediction, done: ServerSentEvent) -> Optional[ModelError]:
    """The error a `done` event reports (`reason` "canceled" or "error"), else None."""
    try:
        reason = done.json().get("reason")
    except (ValueError, AttributeError):
        reason = None
    if reason == "canceled" or prediction.status == "canceled":
        return PredictionCanceledError(prediction)
    if reason in ("error", "failed", "aborted") or prediction.status in ("failed", "aborted"):
        return ModelError(prediction)
    return None


def _mapping(value: object) -> Mapping[str, Any]:
    return cast("Mapping[str, Any]", value) if isinstance(value, dict) else {}


def error_from_event(prediction: Prediction, event: ServerSentEvent) -> ModelError:
    """The `ModelError` for an `error` event, its `detail` in the message."""
    try:
        body: Any = event.json()
        detail: Any = _mapping(body).get("detail")
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
    report a failure, or when the stream has gone quiet: one whose prediction has ended without
    a `done` is left then.
    """
    from .run import unless_past_deadline

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
            if event.event in _ENDS:
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
    """Raise what an `error` event or a failed `done` reports; return on a successful `done`."""
    if event.event == "done" and _succeeded(event):
        return
    final: Prediction = yield Predictions.get.build(None, prediction_id=prediction.id)
    if event.event == "error":
        raise error_from_event(final, event)
    failure = failure_from_done(final, event)
    if failure is not None:
        raise failure


def _unless_ended(prediction: Prediction, reader: EventReader) -> Steps[None]:
    """Raise if the prediction of a quiet stream has ended: its failure, else the stream's."""
    from ..resources.predictions import Predictions

    current: Prediction = yield Predictions.get.build(None, prediction_id=prediction.id)
    if not has_ended(current.status, current.completed_at):
        return
    if current.status == "canceled":
        raise PredictionCanceledError(current)
    if current.status != "succeeded":
        raise ModelError(current)
    raise reader.interrupted(f"prediction {current.id} has {current.status}, and its stream sent no `done`")


def _succeeded(done: ServerSentEvent) -> bool:
    """A `done` without a `reason` (`{}`) is a success; anything else is looked into."""
    try:
        body: Any = done.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "reason" not in body


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
        yield Running(prediction.id)
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
    yield from follow_or_finish(plan, prediction, kinds={"output"}, emit=_data, whole=_as_text)


def _data(event: ServerSentEvent) -> str:
    return event.data


def _as_text(prediction: Prediction) -> List[str]:
    """The whole output as the text chunks its stream would carry: one per item of a list."""
    output: Any = prediction.output
    items = cast("List[Any]", output) if isinstance(output, list) else [] if output is None else [output]
    return [item if isinstance(item, str) else json.dumps(item) for item in items]


_DEPRECATED = (
    "replicate.stream() is deprecated: use replicate.use(ref, streaming=True), whose function yields"
    " the output as it is produced (`for chunk in model(**input): ...`)."
)


def stream(
    client: Replicate, ref: Any, *, input: Optional[Mapping[str, Any]] = None, **params: Any
) -> Iterator[str]:
    """Deprecated. Create a prediction and iterate its output as text chunks, as they come.

    `print(chunk, end="")` prints a language model's answer as it is generated; a model whose
    output is not streamed gives its whole output once (a file as its URL).
    """
    warnings.warn(_DEPRECATED, DeprecationWarning, stacklevel=3)
    from .._http.steps import iterate
    from .run import prepare_run

    plan = prepare_run(client, ref, input=input, wait=False, params={**params, "stream": True})
    return iterate(client, stream_steps(plan))


async def async_stream(
    client: AsyncReplicate, ref: Any, *, input: Optional[Mapping[str, Any]] = None, **params: Any
) -> AsyncIterator[str]:
    """Deprecated. The async form of `stream()`: `async for event in await client.stream(...)`."""
    warnings.warn(_DEPRECATED, DeprecationWarning, stacklevel=3)
    from .._http.steps import async_iterate
    from .run import prepare_run

    plan = prepare_run(client, ref, input=input, wait=False, params={**params, "stream": True})
    return async_iterate(client, stream_steps(plan))
