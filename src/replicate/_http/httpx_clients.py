"""The httpx clients a Replicate client makes when given no `http_client=`: httpx's, with this
library's timeout, connection limits, redirects and headers (sent without a merge per request),
and a cookie jar that skips responses setting no cookie. Subclass or configure them for `http_client=`
(`aiohttp.DefaultAioHttpClient` is one, over aiohttp).
"""

from __future__ import annotations

from typing import Any, Dict

import httpx

from .._base.constants import DEFAULT_CONNECTION_LIMITS, DEFAULT_TIMEOUT
from .._base.platform import user_agent
from .limits import bound_reads


class DefaultHttpxClient(httpx.Client):
    """An `httpx.Client` with this library's defaults; subclass or configure it for `http_client=`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**_with_defaults(kwargs))
        self._cookies = _ResponseCookies(self._cookies.jar)
        bound_reads(self)  # so `timeout` bounds the whole send, not each read


class DefaultAsyncHttpxClient(httpx.AsyncClient):
    """An `httpx.AsyncClient` with this library's defaults; configure it for `http_client=`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**_with_defaults(kwargs))
        self._cookies = _ResponseCookies(self._cookies.jar)


def our_headers() -> Dict[str, str]:
    """The Accept and User-Agent every request of this library sends."""
    return {"Accept": "application/json", "User-Agent": user_agent()}


def _with_defaults(kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """This library's timeout, limits and redirects unless given; its Accept and User-Agent
    under the headers given."""
    headers = httpx.Headers(our_headers())
    headers.update(kwargs.get("headers"))
    return {
        "timeout": DEFAULT_TIMEOUT,
        "limits": DEFAULT_CONNECTION_LIMITS,
        "follow_redirects": True,
        **kwargs,
        "headers": headers,
    }


class _ResponseCookies(httpx.Cookies):
    """httpx's cookie jar, which does not read a response that sets no cookie.

    httpx hands every response to the jar, which first builds urllib stand-ins for the request
    and the response: ~15% of the CPU of an async predictions.get over aiohttp. The API sets no
    cookies; a response that does is read exactly as httpx reads it. (`client.cookies = ...`
    puts httpx's own jar back: slower, the same behaviour.)
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:
            super().extract_cookies(response)
