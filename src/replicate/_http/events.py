"""Server-sent events: a pure incremental decoder, and reading one event stream as steps.

    bytes ──SSEDecoder.feed()──▶ ServerSentEvent(event, data, id)   (holds only what is unfinished)
    EventReader.read()          the steps (`steps.py`) that open a stream and read its events

Chunks may end anywhere (inside a line, a CRLF pair or a UTF-8 character); nothing buffers a
whole response. A stream that ends before its `done` event is a `StreamInterruptedError`.
"""

from __future__ import annotations

import codecs
import json
import re
import time
from typing import AbstractSet, Any, List, Optional, Tuple

import httpx

from .._base.errors import APIConnectionError
from .call import Call
from .steps import OpenResponse, OpenStream, ReadChunk, Steps

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
        """The events the end of the stream completes: none, an event without its blank line is dropped."""
        return []


class StreamInterruptedError(APIConnectionError):
    """The event stream ended before its `done` event: what was received is not the whole output."""


_SLICE = 2048
"""Bytes of a read decoded at a time by `EventReader` (a few dozen typical events)."""

ENDS = frozenset(("done", "error"))

STREAM_IDLE_CHECK = 10.0
"""Seconds without an event its reader follows (only keep-alives, or endless `logs`) after which
the prediction is fetched: a stream that never sends `done` must not outlive its prediction."""


class EventReader:
    """Reads one prediction's event stream, one decoded slice of a read per `read()`.

    `follows`: the kinds of event that count as progress besides `done` and `error` (`run()`
    follows none; `use(streaming=True)` follows `output`).
    """

    def __init__(self, url: str, follows: AbstractSet[str] = frozenset()) -> None:
        self.url = url
        self.follows = follows | ENDS
        self.decoder = SSEDecoder()
        self.opened: Optional[OpenResponse] = None
        # A read can return thousands of events at once; they are decoded a slice at a time
        # so the first is handed over without waiting for the whole chunk to be decoded.
        self.pending = b""
        self.offset = 0
        self.quiet_since = 0.0

    def read(self) -> Steps[Optional[List[ServerSentEvent]]]:
        """The next events; None when the server closed the stream; [] after `STREAM_IDLE_CHECK`
        seconds without a followed event: time to look at the prediction (the next read goes on
        from here; events not followed may be skipped)."""
        opened = self.opened
        if opened is None:
            # The core sends the token to the API host only.
            headers = {"Accept": "text/event-stream", "Cache-Control": "no-store"}
            opened = self.opened = yield OpenStream(Call("GET", self.url, None, headers=headers))
            self.quiet_since = time.monotonic()
        while True:
            if self.offset >= len(self.pending):
                self.pending = yield ReadChunk(opened)
                self.offset = 0
                if not self.pending:
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
