"""Responses handed back by `with_raw_response` and `with_streaming_response`.

    APIResponse[R]            headers, status, `.parse()` -> R, `.read()`, `.iter_bytes()` ...
    BinaryAPIResponse         a file's bytes: `.read()`, `.iter_bytes()`, `.write_to_file(path)`
    StreamedBinaryAPIResponse a file's bytes not read yet (`with_streaming_response.download`):
                              `.stream_to_file(path)` saves them as they arrive
    Async...                  each of them with `await`

A raw response has been read when you get it (`is_closed` is true); a streamed one is read
only when you call `.parse()`, `.read()` or iterate it, and is closed when its `with` ends.
Parsing is the client's (`parse.py`), shared with plain calls.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING, Any, AsyncIterator, Generator, Generic, Iterator, Optional, TypeVar, Union

import httpx

from .._base.errors import connection_error

if TYPE_CHECKING:
    from .call import Call
    from .client import _ClientBase

R = TypeVar("R")
T = TypeVar("T")

_UNPARSED: Any = object()


class _ResponseBase(Generic[R]):
    http_response: httpx.Response

    def __init__(self, http_response: httpx.Response, *, client: _ClientBase[Any], call: Call[Any]) -> None:
        self.http_response = http_response
        self._client = client
        self._call = call
        self._parsed: Any = _UNPARSED

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def http_request(self) -> httpx.Request:
        return self.http_response.request

    @property
    def url(self) -> httpx.URL:
        return self.http_response.url

    @property
    def method(self) -> str:
        return self.http_request.method

    @property
    def http_version(self) -> str:
        return self.http_response.http_version

    @property
    def elapsed(self) -> Any:
        return self.http_response.elapsed

    @property
    def is_closed(self) -> bool:
        """Whether the body has been read and the connection given back."""
        return self.http_response.is_closed

    def _parse_read(self) -> R:
        if self._parsed is _UNPARSED:
            self._parsed = self._client._parse(self.http_response, self._call)
        return self._parsed

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.status_code} {self.http_response.reason_phrase}] {self.method} {self.url}>"


class APIResponse(_ResponseBase[R]):
    def parse(self) -> R:
        """The typed result, as the plain method would have returned it."""
        self.read()
        return self._parse_read()

    def read(self) -> bytes:
        with typed_transport_errors(self.http_request):
            return self.http_response.read()

    def text(self) -> str:
        self.read()
        return self.http_response.text

    def json(self) -> object:
        self.read()
        return self.http_response.json()

    def iter_bytes(self, chunk_size: Optional[int] = None) -> Iterator[bytes]:
        return _typed_iter(self.http_response.iter_bytes(chunk_size), self.http_request)

    def iter_text(self, chunk_size: Optional[int] = None) -> Iterator[str]:
        return _typed_iter(self.http_response.iter_text(chunk_size), self.http_request)

    def iter_lines(self) -> Iterator[str]:
        return _typed_iter(self.http_response.iter_lines(), self.http_request)

    def close(self) -> None:
        self.http_response.close()


class AsyncAPIResponse(_ResponseBase[R]):
    async def parse(self) -> R:
        """The typed result, as the plain method would have returned it."""
        await self.read()
        return self._parse_read()

    async def read(self) -> bytes:
        with typed_transport_errors(self.http_request):
            return await self.http_response.aread()

    async def text(self) -> str:
        await self.read()
        return self.http_response.text

    async def json(self) -> object:
        await self.read()
        return self.http_response.json()

    def iter_bytes(self, chunk_size: Optional[int] = None) -> AsyncIterator[bytes]:
        return _atyped_iter(self.http_response.aiter_bytes(chunk_size), self.http_request)

    def iter_text(self, chunk_size: Optional[int] = None) -> AsyncIterator[str]:
        return _atyped_iter(self.http_response.aiter_text(chunk_size), self.http_request)

    def iter_lines(self) -> AsyncIterator[str]:
        return _atyped_iter(self.http_response.aiter_lines(), self.http_request)

    async def close(self) -> None:
        await self.http_response.aclose()


@contextlib.contextmanager
def typed_transport_errors(request: httpx.Request) -> Generator[None, None, None]:
    """httpx's failures while reading a body (a reset, bad gzip...) raised as `APIConnectionError`."""
    try:
        yield
    except httpx.RequestError as exc:
        raise connection_error(exc, request) from exc


def _typed_iter(chunks: Iterator[T], request: httpx.Request) -> Iterator[T]:
    with typed_transport_errors(request):
        yield from chunks


async def _atyped_iter(chunks: AsyncIterator[T], request: httpx.Request) -> AsyncIterator[T]:
    with typed_transport_errors(request):
        async for chunk in chunks:
            yield chunk


PathLike = Union[str, "os.PathLike[str]"]


class BinaryAPIResponse(APIResponse[bytes]):
    """A downloaded file. `.read()` gives its bytes; `.write_to_file(path)` saves it."""

    def write_to_file(self, file: PathLike) -> None:
        with open(file, "wb") as out:
            for chunk in self.iter_bytes():
                out.write(chunk)


class AsyncBinaryAPIResponse(AsyncAPIResponse[bytes]):
    """A downloaded file. `await .read()` gives its bytes; `await .write_to_file(path)` saves it."""

    async def write_to_file(self, file: PathLike) -> None:
        with open(file, "wb") as out:
            async for chunk in self.iter_bytes():
                out.write(chunk)


class StreamedBinaryAPIResponse(BinaryAPIResponse):
    """A file being downloaded (`files.with_streaming_response.download`), read as you ask for it."""

    def stream_to_file(self, file: PathLike, *, chunk_size: Optional[int] = None) -> None:
        """Save the bytes to `file` as they arrive, `chunk_size` bytes at a time."""
        with open(file, "wb") as out:
            for chunk in self.iter_bytes(chunk_size):
                out.write(chunk)


class AsyncStreamedBinaryAPIResponse(AsyncBinaryAPIResponse):
    """A file being downloaded (`files.with_streaming_response.download`), read as you ask for it."""

    async def stream_to_file(self, file: PathLike, *, chunk_size: Optional[int] = None) -> None:
        """Save the bytes to `file` as they arrive, `chunk_size` bytes at a time."""
        with open(file, "wb") as out:
            async for chunk in self.iter_bytes(chunk_size):
                out.write(chunk)
