"""The transport of `DefaultAioHttpClient` (imports aiohttp): httpx-aiohttp's, failures renamed.

httpx-aiohttp reports a refused connection, and a server that hung up after the request was sent,
both as `httpx.ConnectTimeout`. The first reads as a timeout; the second says "never sent", which
would let a prediction be created twice. So each failure is named as httpcore would name it.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Tuple, Type

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport as _HttpxAiohttpTransport


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx-aiohttp's transport, with aiohttp's failures named as httpcore names them."""

    event_loop_bound = True
    """Its aiohttp session belongs to the event loop that opened it, and cannot be reset (`pools.py`)."""

    def __init__(self, **options: Any) -> None:
        self._inner = _HttpxAiohttpTransport(**options)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self._inner.handle_async_request(request)
        except _FAILURES as exc:
            raise _renamed(exc, request)  # noqa: B904 (_renamed sets the cause)
        response.stream = _Body(response.stream, request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class _Body(httpx.AsyncByteStream):
    def __init__(self, inner: Any, request: httpx.Request) -> None:
        self._inner = inner
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                yield chunk
        except _FAILURES as exc:
            raise _renamed(exc, self._request)  # noqa: B904 (_renamed sets the cause)

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        except _FAILURES as exc:
            raise _renamed(exc, self._request)  # noqa: B904 (_renamed sets the cause)


# Caught with try/except at each of the three places above, not by a context manager: they run
# for every request, and a generator-based context manager cost more than the renaming itself.
_FAILURES = (httpx.TransportError, aiohttp.ClientError, asyncio.TimeoutError)


# aiohttp's failure → the httpx error httpcore raises for it. The first that matches: several of
# these are subclasses of the ones below them. Anything else (a reset, a broken body: the request
# may have been acted on) is an `httpx.ReadError`.
_RENAMES: Tuple[Tuple[Any, Type[httpx.TransportError]], ...] = (
    (aiohttp.ClientProxyConnectionError, httpx.ProxyError),
    (aiohttp.ClientConnectorError, httpx.ConnectError),  # refused, unreachable, DNS, TLS: nothing sent
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),  # none within the connect (or pool) timeout
    ((aiohttp.ServerTimeoutError, asyncio.TimeoutError), httpx.ReadTimeout),
    (aiohttp.ClientHttpProxyError, httpx.ProxyError),
    ((aiohttp.ServerDisconnectedError, aiohttp.ClientResponseError), httpx.RemoteProtocolError),  # sent
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
)


def _renamed(exc: BaseException, request: httpx.Request) -> BaseException:
    """The httpx error for aiohttp's failure behind `exc` (raised from it); `exc` if none is."""
    cause = exc.__cause__ if isinstance(exc, httpx.TransportError) else exc
    if not isinstance(cause, (aiohttp.ClientError, asyncio.TimeoutError)):
        return exc
    error = next((error for kinds, error in _RENAMES if isinstance(cause, kinds)), httpx.ReadError)
    renamed = error(str(cause) or type(cause).__name__, request=request)
    renamed.__cause__ = cause  # as `raise ... from cause`
    return renamed
