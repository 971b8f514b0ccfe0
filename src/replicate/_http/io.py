"""`SyncClient` / `AsyncClient`: `_ClientBase`'s calls performed, sync or awaited.

Each drives an exchange's steps (`steps.SyncDriver` / `AsyncDriver`) and hands back what a view
asks for: a parsed result, a page, a raw or a streamed response. The rest is the lifecycle and
the low-level `request/get/post/...`. `replicate._client` builds `Replicate` / `AsyncReplicate` on them.
"""

from __future__ import annotations

import contextlib
from functools import cached_property
from typing import TYPE_CHECKING, Any, AsyncGenerator, Generator, Optional, Type, TypeVar

import httpx
from typing_extensions import Self

from .._base.downloads import remove_downloads
from . import pools as _pools
from .call import BinaryCall, Call, PageCall
from .client import _ClientBase
from .endpoint import Step
from .httpx_clients import DefaultAsyncHttpxClient, DefaultHttpxClient
from .low_level import JSON as _JSON
from .low_level import LowLevelRequest, low_level_call
from .response import (
    APIResponse,
    AsyncAPIResponse,
    AsyncBinaryAPIResponse,
    AsyncStreamedBinaryAPIResponse,
    BinaryAPIResponse,
    StreamedBinaryAPIResponse,
)
from .steps import AsyncDriver, SyncDriver, async_complete, complete

if TYPE_CHECKING:
    from typing_extensions import Unpack

R = TypeVar("R")


class SyncClient(_ClientBase[httpx.Client]):
    """A synchronous client's I/O: the exchange driven, calls made, the lifecycle."""

    _http_type = httpx.Client
    _default_http = DefaultHttpxClient

    @cached_property
    def _driver(self) -> SyncDriver:
        return SyncDriver(self)  # an exchange's steps keep no state in it: one per client

    def _send(self, call: Call[Any], *, stream: bool = False) -> httpx.Response:
        return self._driver.drive(self._exchange(call, stream=stream))

    def _request(self, call: Call[Any]) -> Any:
        if isinstance(call, BinaryCall):
            return self._request_raw(call)
        return self._parse(self._send(call), call)

    def _request_raw(self, call: Call[Any]) -> APIResponse[Any]:
        cls = BinaryAPIResponse if isinstance(call, BinaryCall) else APIResponse[Any]
        return cls(self._send(call), client=self, call=call)

    @contextlib.contextmanager
    def _request_streamed(self, call: Call[Any]) -> Generator[APIResponse[Any], None, None]:
        response = self._send(call, stream=True)
        cls = StreamedBinaryAPIResponse if isinstance(call, BinaryCall) else APIResponse
        try:
            yield cls(response, client=self, call=call)
        finally:
            response.close()

    def _run_steps(self, steps: Generator[Step, Any, R]) -> R:
        return complete(self, steps)

    def _blocking_client(self) -> SyncClient:
        return self

    def close(self) -> None:
        """Close the connection pool and remove the files `use()` downloaded; the client is done."""
        self._http.close()
        remove_downloads(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- low-level requests ----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: Optional[str] = None,
        *,
        cast_to: Type[R] = _JSON,
        **request: Unpack[LowLevelRequest],
    ) -> R:
        """Any request, with this client's auth, retries and errors (for endpoints not wrapped here).

        `client.request("PATCH", "/custom/endpoint", json={...}, headers={...})`. The path
        (`path`, or `url=` as httpx calls it) is relative to `base_url` or an absolute URL; the
        token goes only to the API's host. The body is `json=` (or `body=`), `content=` (str or
        bytes, sent as they are) or `files=` (multipart, its form fields in `body=`); `params=` is
        the query. Without `cast_to` the result is the answer's JSON, parsed (None for an empty
        answer); pass `cast_to=` a pydantic model, `str`, `bytes` or `httpx.Response` to read it
        otherwise.
        """
        return self._request(low_level_call(method, path, cast_to, request))

    def get(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("GET", path, ...)`: the parsed JSON answer unless `cast_to` says otherwise."""
        return self.request("GET", path, cast_to=cast_to, **request)

    def post(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("POST", path, ...)`: `client.post("/custom/endpoint", json={"key": "value"})`."""
        return self.request("POST", path, cast_to=cast_to, **request)

    def patch(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("PATCH", path, ...)`."""
        return self.request("PATCH", path, cast_to=cast_to, **request)

    def put(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("PUT", path, ...)`."""
        return self.request("PUT", path, cast_to=cast_to, **request)

    def delete(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("DELETE", path, ...)`."""
        return self.request("DELETE", path, cast_to=cast_to, **request)


class AsyncClient(_ClientBase[httpx.AsyncClient]):
    """An asyncio client's I/O: the exchange driven, calls made, the lifecycle."""

    _is_async = True
    _http_type = httpx.AsyncClient
    _default_http = DefaultAsyncHttpxClient
    _view_methods = {**_ClientBase._view_methods, "plain": "_request_or_paginate"}

    @cached_property
    def _driver(self) -> AsyncDriver:
        return AsyncDriver(self)  # an exchange's steps keep no state in it: one per client

    async def _send(self, call: Call[Any], *, stream: bool = False) -> httpx.Response:
        _pools.check_event_loop(self._http, type(self).__name__)
        return await self._driver.drive(self._exchange(call, stream=stream))

    def _request_or_paginate(self, call: Call[Any]) -> Any:
        """The plain form: the coroutine of `_request`, or for a list a paginator (awaited for its
        first page, iterated for every item)."""
        if isinstance(call, PageCall):
            from ..pagination import AsyncPaginator

            return AsyncPaginator[Any, Any](lambda: self._request(call))
        return self._request(call)

    async def _request(self, call: Call[Any]) -> Any:
        if isinstance(call, BinaryCall):
            return await self._request_raw(call)
        return self._parse(await self._send(call), call)

    async def _request_raw(self, call: Call[Any]) -> AsyncAPIResponse[Any]:
        cls = AsyncBinaryAPIResponse if isinstance(call, BinaryCall) else AsyncAPIResponse[Any]
        return cls(await self._send(call), client=self, call=call)

    @contextlib.asynccontextmanager
    async def _request_streamed(self, call: Call[Any]) -> AsyncGenerator[AsyncAPIResponse[Any], None]:
        response = await self._send(call, stream=True)
        cls = AsyncStreamedBinaryAPIResponse if isinstance(call, BinaryCall) else AsyncAPIResponse
        try:
            yield cls(response, client=self, call=call)
        finally:
            await response.aclose()

    async def _run_steps(self, steps: Generator[Step, Any, R]) -> R:
        return await async_complete(self, steps)

    _twin: Optional[SyncClient] = None

    def _blocking_client(self) -> SyncClient:
        """A sync client with this one's options, made at the first blocking download and closed
        with this one. It cannot share an `httpx.AsyncClient`'s pool: it has its own, with this
        library's defaults."""
        if self._twin is None:
            self._twin = SyncClient(
                bearer_token=self.bearer_token,
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=self.max_retries,
                default_headers=self._default_headers,
                default_query=self._default_query,
                strict_response_validation=self.strict_response_validation,
            )
        return self._twin

    async def close(self) -> None:
        """Close the connection pool and remove the files `use()` downloaded; the client is done."""
        await self._http.aclose()
        if self._twin is not None:
            self._twin.close()
        remove_downloads(self)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- low-level requests ----------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: Optional[str] = None,
        *,
        cast_to: Type[R] = _JSON,
        **request: Unpack[LowLevelRequest],
    ) -> R:
        """Any request, with this client's auth, retries and errors (for endpoints not wrapped here).

        `await client.request("PATCH", "/custom/endpoint", json={...})`: as `Replicate.request`.
        """
        return await self._request(low_level_call(method, path, cast_to, request))

    async def get(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("GET", path, ...)`: the parsed JSON answer unless `cast_to` says otherwise."""
        return await self.request("GET", path, cast_to=cast_to, **request)

    async def post(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("POST", path, ...)`: `client.post("/custom/endpoint", json={"key": "value"})`."""
        return await self.request("POST", path, cast_to=cast_to, **request)

    async def patch(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("PATCH", path, ...)`."""
        return await self.request("PATCH", path, cast_to=cast_to, **request)

    async def put(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("PUT", path, ...)`."""
        return await self.request("PUT", path, cast_to=cast_to, **request)

    async def delete(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("DELETE", path, ...)`."""
        return await self.request("DELETE", path, cast_to=cast_to, **request)
