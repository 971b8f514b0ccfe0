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

The two drivers in `_client.py` call `read_body` / `aread_body`, the only code here that
differs between sync and async. Streamed responses (event streams, `FileOutput` downloads,
`with_streaming_response`) are read by their caller and bounded per read only.
"""

from __future__ import annotations

import time
from typing import Any, List, Mapping, Optional

import httpx

from ._exceptions import ResponseTooLargeError

__all__ = ["MAX_ERROR_BODY_BYTES", "MAX_JSON_BYTES", "BodyLimit", "aread_body", "call_deadline", "read_body"]

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
