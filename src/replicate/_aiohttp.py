"""`DefaultAioHttpClient`: `AsyncReplicate` over aiohttp instead of httpcore.

    AsyncReplicate(http_client=DefaultAioHttpClient())    needs `pip install 'replicate[aiohttp]'`

The client is still an `httpx.AsyncClient` (so the request pipeline, retries and errors are the
ones every client uses); only its transport sends through an aiohttp session, from the
`httpx-aiohttp` package. aiohttp loads when the first client is built, not on `import replicate`.

That package reports aiohttp's failures as httpx errors, but not the ones our retry rules need:
it reports a refused connection, and a server that hung up after the request was sent, both as
`httpx.ConnectTimeout`. The first reads as a timeout; the second says "never sent", which would
let a prediction be created twice. `_Transport` names each failure as httpcore would.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator, Dict, Generator

import httpx

from ._client import DefaultAsyncHttpxClient

__all__ = ["DefaultAioHttpClient"]

_MISSING = (
    "DefaultAioHttpClient needs aiohttp and httpx-aiohttp, which are not installed:"
    " pip install 'replicate[aiohttp]'"
)


class DefaultAioHttpClient(DefaultAsyncHttpxClient):
    """An `httpx.AsyncClient` that sends over aiohttp, with this library's defaults.

    `AsyncReplicate(http_client=DefaultAioHttpClient())`. Takes `httpx.AsyncClient`'s arguments
    (`limits`, `proxy`, `verify`, `timeout`...). Needs `pip install 'replicate[aiohttp]'`.
    """

    def __init__(self, **kwargs: Any) -> None:
        try:
            import httpx_aiohttp  # noqa: F401  # pyright: ignore[reportUnusedImport]
        except ImportError as exc:
            raise ImportError(_MISSING) from exc
        super().__init__(**kwargs)

    def _init_transport(self, *args: Any, transport: Any = None, **kwargs: Any) -> httpx.AsyncBaseTransport:
        if transport is not None:
            return transport
        return _Transport(**_transport_options(kwargs))

    def _init_proxy_transport(
        self, proxy: httpx.Proxy, *args: Any, **kwargs: Any
    ) -> httpx.AsyncBaseTransport:
        return _Transport(proxy=proxy, **_transport_options(kwargs))


def _transport_options(options: Dict[str, Any]) -> Dict[str, Any]:
    # aiohttp speaks HTTP/1.1 only: an http2= request is dropped rather than warned about per client.
    return {name: options[name] for name in ("verify", "cert", "trust_env", "limits") if name in options}


class _Transport(httpx.AsyncBaseTransport):
    """httpx-aiohttp's transport, with aiohttp's failures named as httpcore names them."""

    def __init__(self, **options: Any) -> None:
        from httpx_aiohttp import AiohttpTransport

        self._inner = AiohttpTransport(**options)

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
    import aiohttp

    try:
        yield
    except (httpx.TransportError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
        cause = exc.__cause__ if isinstance(exc, httpx.TransportError) else exc
        if not isinstance(cause, (aiohttp.ClientError, asyncio.TimeoutError)):
            raise
        raise _httpx_error(cause)(str(cause) or type(cause).__name__, request=request) from cause


def _httpx_error(exc: BaseException) -> Any:
    """The httpx error httpcore raises for what aiohttp reported as `exc`."""
    import aiohttp

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
