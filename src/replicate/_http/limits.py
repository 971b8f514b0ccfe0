"""How long a call may take, and how much of an answer the client reads into memory.

httpx's timeouts bound each read, not the call: a server dripping a byte every half second
never trips a 2 s read timeout. And a compressed body is inflated without limit: 1 MiB of
gzip can become 1 GiB. So a body the client reads whole is read a chunk at a time, against

    BodyLimit(deadline, max_bytes)
        deadline    the monotonic time the attempt's `timeout` ends (its largest part: an
                    attempt with timeout=2 ends about 2 s after it was sent, however slowly
                    the bytes come); past it, the read fails as a read timeout does (and is
                    retried as one)
        max_bytes   decoded bytes at most (None: no cap); beyond it, `ResponseTooLargeError`

The same deadline bounds the send (request out, headers in): a server dripping its headers
fails the call as one dripping its body does. Async sends run under an anyio deadline; sync
httpx has no such thing, so `bound_reads` has our default transport clamp each socket read and
write to the time left before the deadline that `send_within` sets around the send.

The two drivers in `steps.py` call `send_within` / `asend_within` and `read_body` /
`aread_body`, the only code here that differs between sync and async. Streamed responses (event
streams, `FileOutput` downloads, `with_streaming_response`) are read by their caller and bounded
per read only.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any, List, Mapping, Optional, Type

import httpcore
import httpx

from .._base.errors import ResponseTooLargeError

__all__ = [
    "MAX_ERROR_BODY_BYTES",
    "MAX_JSON_BYTES",
    "BodyLimit",
    "aread_body",
    "asend_within",
    "bound_reads",
    "call_deadline",
    "read_body",
    "send_within",
]

MAX_JSON_BYTES = 64 * 2**20
"""The largest decoded answer read to be parsed (a page of 100 models with schemas is ~2 MiB)."""
MAX_ERROR_BODY_BYTES = 2**20
"""An error body is read for its message only: beyond this it is left unread."""


class BodyLimit:
    """The deadline and the size cap of one body's read (a plain class: one is made per request)."""

    __slots__ = ("deadline", "max_bytes")

    def __init__(self, deadline: Optional[float], max_bytes: Optional[int]) -> None:
        self.deadline = deadline
        self.max_bytes = max_bytes

    def check(self, response: httpx.Response, size: int) -> None:
        if self.max_bytes is not None and size > self.max_bytes:
            raise ResponseTooLargeError(response, self.max_bytes)
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise httpx.ReadTimeout("The call took longer than its timeout", request=response.request)


def call_deadline(timeout: Optional[Mapping[str, Any]]) -> Optional[float]:
    """When an attempt whose request carries `timeout` (httpx's per-phase dict) must end, if ever.

    No read timeout (None) means the caller waits however long the answer takes: no deadline.
    """
    if not timeout or timeout.get("read") is None:
        return None
    return time.monotonic() + max(float(value) for value in timeout.values() if value is not None)


def _keep(response: httpx.Response, chunks: List[bytes]) -> bytes:
    content = b"".join(chunks)
    # What `Response.read()` stores, so `.content`, `.text` and `.json()` work as after a read.
    setattr(response, "_content", content)  # noqa: B010
    return content


def read_body(response: httpx.Response, limit: BodyLimit) -> bytes:
    """The body of `response`, read within `limit` (the response is closed either way)."""
    chunks: List[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            limit.check(response, size)
    finally:
        response.close()
    return _keep(response, chunks)


async def aread_body(response: httpx.Response, limit: BodyLimit) -> bytes:
    """`read_body` for an async response."""
    chunks: List[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            limit.check(response, size)
    finally:
        await response.aclose()
    return _keep(response, chunks)


# -- the send ---------------------------------------------------------------------------------------

_DEADLINE: ContextVar[Optional[float]] = ContextVar("replicate_send_deadline", default=None)


def send_within(http: httpx.Client, request: httpx.Request, deadline: Optional[float]) -> httpx.Response:
    """Send `request` (streamed); a transport wrapped by `bound_reads` stops at `deadline`."""
    token = _DEADLINE.set(deadline)
    try:
        return http.send(request, stream=True)
    finally:
        _DEADLINE.reset(token)


async def asend_within(
    http: httpx.AsyncClient, request: httpx.Request, deadline: Optional[float]
) -> httpx.Response:
    """Send `request` (streamed), failing as a read timeout does if the headers come after `deadline`."""
    if deadline is None:
        return await http.send(request, stream=True)
    import anyio

    with anyio.move_on_after(deadline - time.monotonic()):
        return await http.send(request, stream=True)
    raise httpx.ReadTimeout("The call took longer than its timeout", request=request)


def _left(timeout: Optional[float], expired: Type[Exception]) -> Optional[float]:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:  # a socket timeout of 0 would mean "do not block", not "too late"
        raise expired("The call took longer than its timeout")
    return left if timeout is None else min(timeout, left)


class _BoundStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: Optional[float] = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: Optional[float] = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: Optional[str] = None, timeout: Optional[float] = None
    ) -> httpcore.NetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _BoundStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _BoundBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: Optional[float] = None,
        local_address: Optional[str] = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _BoundStream(self._backend.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: Optional[float] = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _BoundStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def bound_reads(http: httpx.Client) -> None:
    """Have the httpcore pools of `http`'s own transports honour `send_within`'s deadline.

    httpx offers no hook for this: an `HTTPTransport` keeps its `httpcore.ConnectionPool` in
    `_pool`, whose `_network_backend` opens the sockets. Both are private, so a transport
    without them (another httpx version, a custom transport) is left as it is: its sends are
    then bounded per read only, as before.
    """
    transports: List[object] = [getattr(http, "_transport", None)]
    transports += list(getattr(http, "_mounts", {}).values())
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(backend, _BoundBackend):
            setattr(pool, "_network_backend", _BoundBackend(backend))  # noqa: B010
