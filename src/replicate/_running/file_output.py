"""Files a model returned: `FileOutput` / `AsyncFileOutput` (from `run()`), `PathOutput` (`use()`).

    FileOutput(url)            .url  .filename  .content_type
        .read()                 the whole file, as bytes
        for chunk in output     the file in chunks (bounded memory, however large the file)
        .save(path)             streamed to disk; returns the path written
    AsyncFileOutput(url)        the same, awaited: `await .read()`, `async for`, `await .save()`

`data:` URIs decode locally, without a request. Other URLs are fetched through the client's
connection pool, with the API token only when the URL is on the API's own host: files served
from a delivery host (replicate.delivery, or the emulator's file host) never see it. In a
notebook a file shows itself (an `<img>`, `<audio>` or `<video>` pointing at the URL; the bytes
of a data: URI), and a list holding files is an `OutputList`, shown as a gallery: nothing is
downloaded to display anything.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import os
import posixpath
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator, Iterator, List, Optional, Tuple, Union, cast
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import httpx

from .._base.downloads import download_dir
from .._base.errors import connection_error
from .._base.media import media_html
from .._http.call import Call
from .._http.steps import Emit, OpenResponse, OpenStream, ReadChunk, Steps, async_iterate, iterate

if TYPE_CHECKING:
    from .._client import AsyncReplicate, Replicate
    from .._http.client import _ClientBase

CHUNK_SIZE = 64 * 1024

StrPath = Union[str, "os.PathLike[str]"]


def is_file_url(value: object) -> bool:
    """Whether a model's output string is a file to download: an http(s) URL or a data: URI."""
    return isinstance(value, str) and value.startswith(("https://", "http://", "data:"))


def decode_data_uri(uri: str) -> Tuple[bytes, str]:
    """`(content, media type)` of a `data:[<type>][;base64],<data>` URI."""
    if not uri.startswith("data:") or "," not in uri:
        raise ValueError(f"Not a data: URI: {uri[:40]!r}")
    header, _, payload = uri[5:].partition(",")
    parts = header.split(";")
    media_type = parts[0].strip() or "text/plain"
    if parts[-1].strip().lower() == "base64" and len(parts) > 1:
        cleaned = unquote(payload).replace("\n", "").replace(" ", "")
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4)), media_type
    return unquote_to_bytes(payload), media_type


def _filename(url: str, media_type: Optional[str]) -> str:
    """A name to save the file under: never a path, whatever the URL (chosen by model code) holds."""
    if url.startswith("data:"):
        extension = (mimetypes.guess_extension(media_type) if media_type else None) or ""
        return "output" + extension
    return safe_name(unquote(posixpath.basename(urlsplit(url).path)))


_MAX_NAME_BYTES = 200


def safe_name(name: str) -> str:
    """The last part of `name` after any '/' or '\\' (decoded ones too), without control
    characters or a drive; "output" when nothing usable is left ('', '.', '..')."""
    name = "".join(char for char in name if char >= " " and char != "\x7f")
    name = name.replace("\\", "/").rpartition("/")[2].rpartition(":")[2].strip()
    if len(name.encode()) > _MAX_NAME_BYTES:  # file systems refuse names over 255 bytes
        stem, dot, extension = name.rpartition(".")
        suffix = dot + extension if stem and len(extension) <= 16 else ""
        stem = stem if suffix else name
        name = stem.encode()[: _MAX_NAME_BYTES - len(suffix.encode())].decode(errors="ignore") + suffix
    return "output" if name in ("", ".", "..") else name


def _target_path(path: StrPath, filename: str) -> Path:
    target = Path(path)
    if target.is_dir():
        inside = target / filename
        # safe_name makes this hold; checked again as it guards writing anywhere on disk
        if inside.resolve().parent != target.resolve():
            raise ValueError(f"Refusing to save {filename!r} outside the directory {str(target)!r}")
        target = inside
    return target


class _FileOutputBase:
    """What the sync and async file outputs share: everything but the I/O."""

    __slots__ = ("_client", "_content_type", "_data", "url")

    url: str
    """Where the file is: an http(s) URL, or a data: URI holding the file itself."""

    def __init__(self, url: str, client: _ClientBase[Any]) -> None:
        self.url = url
        self._client = client
        self._data: Optional[bytes] = None
        self._content_type: Optional[str] = None
        if url.startswith("data:"):
            self._data, self._content_type = decode_data_uri(url)

    @property
    def filename(self) -> str:
        """The file's name, from the URL's last path segment (`output.<ext>` for data: URIs)."""
        return _filename(self.url, self._content_type)

    @property
    def content_type(self) -> Optional[str]:
        """The media type, once known: from a data: URI, a download's headers, or the file name."""
        return self._content_type or mimetypes.guess_type(self.filename)[0]

    def _read_steps(self, chunk_size: int) -> Steps[None]:
        """The file's content, emitted in chunks of at most `chunk_size` bytes: a data: URI's at
        once, else downloaded as they are read. One body for both: a step driver performs it."""
        data = self._data
        if data is not None:
            yield Emit([data[start : start + chunk_size] for start in range(0, len(data), chunk_size)])
            return
        download: Call[bytes] = Call("GET", self.url, bytes, headers={"Accept": "*/*"})
        opened: OpenResponse = yield OpenStream(download, chunk_size)
        content_type = opened.response.headers.get("content-type")
        if content_type:
            self._content_type = content_type.split(";")[0].strip()
        while True:
            try:
                chunk: bytes = yield ReadChunk(opened)
            except httpx.RequestError as exc:  # the download broke off: typed, as every transport failure
                raise connection_error(exc, opened.response.request) from exc
            if not chunk:
                return
            yield Emit((chunk,))

    def __str__(self) -> str:
        return self.url

    # -- notebooks (IPython calls these; each returns None when it has nothing to show) --

    def _repr_html_(self) -> Optional[str]:
        return media_html(self.url, self.content_type)

    def _repr_png_(self) -> Optional[bytes]:
        return self._data if self._data is not None and self.content_type == "image/png" else None

    def _repr_jpeg_(self) -> Optional[bytes]:
        return self._data if self._data is not None and self.content_type == "image/jpeg" else None

    def __repr__(self) -> str:
        shown = self.url if len(self.url) <= 80 else self.url[:77] + "..."
        return f"{type(self).__name__}({shown!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _FileOutputBase):
            return self.url == other.url
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.url)


class OutputList(list):  # type: ignore[type-arg]
    """A model's list of outputs, holding files (from `run()` or `use()`): a list in every way,
    shown in a notebook as a gallery of its images, audio and video (other items as their `repr`)."""

    __slots__ = ()

    @staticmethod
    def if_files(value: Any) -> Any:
        """`value`, made an `OutputList` if it is a list holding files (`run()`'s or `use()`'s)."""
        if type(value) is not list:
            return value
        items = cast("List[Any]", value)
        if any(isinstance(item, (_FileOutputBase, PathOutput)) for item in items):
            return OutputList(items)
        return items

    def _repr_html_(self) -> Optional[str]:
        items: List[Any] = list(self)  # pyright: ignore[reportUnknownArgumentType]
        # files show themselves: run()'s FileOutputs and use()'s PathOutputs alike
        renders = [getattr(item, "_repr_html_", None) for item in items]
        if not any(callable(render) for render in renders):
            return None
        cells: List[str] = []
        for item, render in zip(items, renders):
            shown: object = render() if callable(render) else None
            cells.append(
                shown if isinstance(shown, str) and shown else f"<code>{html.escape(repr(item))}</code>"
            )
        return (
            '<div style="display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start">'
            + "".join(f'<div style="max-width:256px">{cell}</div>' for cell in cells)
            + "</div>"
        )


class FileOutput(_FileOutputBase):
    """A file a model returned. Reading it downloads it; `str(output)` is its URL."""

    __slots__ = ()
    _client: Replicate

    def __init__(self, url: str, client: Replicate) -> None:
        super().__init__(url, client)

    def iter_bytes(self, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """The file's content in chunks of at most `chunk_size` bytes, downloaded as you go."""
        return iterate(self._client, self._read_steps(chunk_size))

    def __iter__(self) -> Iterator[bytes]:
        return self.iter_bytes()

    def read(self) -> bytes:
        """The whole file. For large files prefer iterating or `save()`, which stream."""
        if self._data is not None:
            return self._data
        return b"".join(self.iter_bytes())

    def save(self, path: StrPath) -> Path:
        """Write the file to `path` (a file, or a directory to put `filename` in); returns it."""
        target = _target_path(path, self.filename)
        with open(target, "wb") as out:
            for chunk in self.iter_bytes():
                out.write(chunk)
        return target


class AsyncFileOutput(_FileOutputBase):
    """A file a model returned, read with the async client: `await output.read()`."""

    __slots__ = ()
    _client: AsyncReplicate

    def __init__(self, url: str, client: AsyncReplicate) -> None:
        super().__init__(url, client)

    def aiter_bytes(self, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
        """The file's content in chunks of at most `chunk_size` bytes, downloaded as you go."""
        return async_iterate(self._client, self._read_steps(chunk_size))

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.aiter_bytes()

    async def read(self) -> bytes:
        """The whole file. For large files prefer `async for` or `save()`, which stream."""
        if self._data is not None:
            return self._data
        return b"".join([chunk async for chunk in self.aiter_bytes()])

    async def save(self, path: StrPath) -> Path:
        """Write the file to `path` (a file, or a directory to put `filename` in); returns it."""
        target = _target_path(path, self.filename)
        with open(target, "wb") as out:
            async for chunk in self.aiter_bytes():
                out.write(chunk)
        return target


class PathOutput(os.PathLike):  # type: ignore[type-arg]
    """A file a model returned, usable as a path: the first filesystem use downloads it.

    `open(p)`, `Path(p)`, `os.fspath(p)` download the file once, to a temporary directory
    that is removed when the client closes (or the process ends): copy the file to keep it;
    `str(p)` and `replicate.get_path_url(p)` give its URL without downloading anything.
    """

    __slots__ = ("_client", "_lock", "_path", "url")

    def __init__(self, url: str, client: _ClientBase[Any]) -> None:
        self.url = url
        self._client = client
        self._path: Optional[Path] = None
        self._lock = threading.Lock()

    def __fspath__(self) -> str:
        with self._lock:
            if self._path is None:
                target = download_dir(self._client) / _filename(self.url, None)
                # blocking, through the client's transport, retries and token rule (an async
                # client lends its options to a sync twin)
                FileOutput(self.url, self._client._blocking_client()).save(target)  # type: ignore[arg-type]
                self._path = target
            return str(self._path)

    @property
    def downloaded(self) -> bool:
        """Whether the file is on disk yet."""
        return self._path is not None

    def __str__(self) -> str:
        return self.url

    # -- notebooks: shown as run()'s FileOutput is, without downloading anything --

    def _repr_html_(self) -> Optional[str]:
        return media_html(self.url)

    def _repr_png_(self) -> Optional[bytes]:
        return self._inline("image/png")

    def _repr_jpeg_(self) -> Optional[bytes]:
        return self._inline("image/jpeg")

    def _inline(self, media_type: str) -> Optional[bytes]:
        if not self.url.startswith("data:"):
            return None
        data, found = decode_data_uri(self.url)
        return data if found == media_type else None

    def __repr__(self) -> str:
        return f"PathOutput({self.url!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PathOutput):
            return self.url == other.url
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.url)


def get_path_url(path: Any) -> Optional[str]:
    """The URL a `PathOutput`, `FileOutput` or `AsyncFileOutput` came from (without downloading
    it), or None for anything else."""
    if isinstance(path, (PathOutput, FileOutput, AsyncFileOutput)):
        return path.url
    return None
