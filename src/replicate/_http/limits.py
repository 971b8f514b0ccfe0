"""How long an attempt may take, and how much of an answer is read into memory.

httpx's timeouts bound each read, not the call (a server dripping a byte every half second never
trips a 2 s read timeout), and a gzip body inflates without limit. So an attempt has a deadline,
its `timeout`'s largest part after it was sent, and a body read whole is read against
`BodyLimit(deadline, max_bytes)`: past the deadline it fails as a read timeout (and is retried as
one); beyond `max_bytes` decoded bytes, with `ResponseTooLargeError`.

The deadline bounds the send (request out, headers in) too: async sends run under an anyio
deadline; sync httpx has none, so `bound_reads` has our default transport clamp each socket read
and write to the time left. Streamed responses are read by their caller, bounded per read only.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any, List, Mapping, Optional, Type

import httpcore
import httpx

from .._base.errors import ResponseTooLargeError

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
    """When an attempt whose request carries `timeout` (httpx's per-phase dict) must end.

    None (no deadline) when there is no read timeout: the caller waits however long it takes."""
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

    httpx has no hook for this: the private `_pool._network_backend` of an `HTTPTransport` opens
    the sockets. A transport without them (another httpx version, a custom one) is left as it
    is, bounded per read only.
    """
    transports: List[object] = [getattr(http, "_transport", None)]
    transports += list(getattr(http, "_mounts", {}).values())
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(backend, _BoundBackend):
            setattr(pool, "_network_backend", _BoundBackend(backend))  # noqa: B010
