"""`DefaultAioHttpClient`: an `httpx.AsyncClient` (so the pipeline, retries and errors are the usual
ones) whose transport sends through aiohttp (`aiohttp_transport.py`), loaded when one is built.
"""

from __future__ import annotations

from typing import Any, Dict

import httpx

from .httpx_clients import DefaultAsyncHttpxClient

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
            # Imported here, not at the top: aiohttp is an optional dependency, loaded only by
            # those who build this client (and `import replicate` stays cheap).
            from .aiohttp_transport import AiohttpTransport
        except ImportError as exc:
            raise ImportError(_MISSING) from exc
        self._transport_class = AiohttpTransport
        super().__init__(**kwargs)

    def _init_transport(self, *args: Any, transport: Any = None, **kwargs: Any) -> httpx.AsyncBaseTransport:
        if transport is not None:
            return transport
        return self._transport_class(**_transport_options(kwargs))

    def _init_proxy_transport(
        self, proxy: httpx.Proxy, *args: Any, **kwargs: Any
    ) -> httpx.AsyncBaseTransport:
        return self._transport_class(proxy=proxy, **_transport_options(kwargs))


def _transport_options(options: Dict[str, Any]) -> Dict[str, Any]:
    # aiohttp speaks HTTP/1.1 only: an http2= request is dropped rather than warned about per client.
    return {name: options[name] for name in ("verify", "cert", "trust_env", "limits") if name in options}
