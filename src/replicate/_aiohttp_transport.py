"""The transport of `DefaultAioHttpClient`: httpx-aiohttp's, with aiohttp's failures renamed.

httpx-aiohttp reports aiohttp's failures as httpx errors, but not as our retry rules need them:
it reports a refused connection, and a server that hung up after the request was sent, both as
`httpx.ConnectTimeout`. The first reads as a timeout; the second says "never sent", which would
let a prediction be created twice. `AiohttpTransport` names each failure as httpcore would.

This module imports aiohttp: only `DefaultAioHttpClient()` loads it.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator, Generator

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport as _HttpxAiohttpTransport

__all__ = ["AiohttpTransport"]


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx-aiohttp's transport, with aiohttp's failures named as httpcore names them."""

    event_loop_bound = True
    """Its aiohttp session belongs to the event loop that opened it, and cannot be reset (`_pools`)."""

    def __init__(self, **options: Any) -> None:
        self._inner = _HttpxAiohttpTransport(**options)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with _as_httpx_errors(request):
            response = await self._inner.handle_async_request(request)
        response.stream = _Body(response.stream, request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class _Body(httpx.AsyncByteStream):
    def __init__(self, inner: Any, request: httpx.Request) -> None:
        self._inner = inner
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors(self._request):
            async for chunk in self._inner:
                yield chunk

    async def aclose(self) -> None:
        with _as_httpx_errors(self._request):
            await self._inner.aclose()


@contextlib.contextmanager
def _as_httpx_errors(request: httpx.Request) -> Generator[None, None, None]:
    try:
        yield
    except (httpx.TransportError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
        cause = exc.__cause__ if isinstance(exc, httpx.TransportError) else exc
        if not isinstance(cause, (aiohttp.ClientError, asyncio.TimeoutError)):
            raise
        raise _httpx_error(cause)(str(cause) or type(cause).__name__, request=request) from cause


def _httpx_error(exc: BaseException) -> Any:
    """The httpx error httpcore raises for what aiohttp reported as `exc`."""
    # Most specific first: several of these are subclasses of the ones below them.
    if isinstance(exc, aiohttp.ClientProxyConnectionError):
        return httpx.ProxyError
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError  # refused, unreachable, DNS, TLS: nothing was sent
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout  # no connection within the connect (or pool) timeout
    if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        return httpx.ReadTimeout
    if isinstance(exc, aiohttp.ClientHttpProxyError):
        return httpx.ProxyError
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientResponseError)):
        return httpx.RemoteProtocolError  # sent, then no (or no valid) answer
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol
    return httpx.ReadError  # a reset or a broken body: the request may have been acted on
