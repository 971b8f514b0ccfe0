"""Files inside a model's `input`: found, checked, then uploaded or inlined, once each.

    input = {"image": Path("cat.png"), "masks": [open("m.png", "rb"), b"..."], "ref": file_output}
        │  find_files(input, strategy)      pure walk; a missing path fails here, before any request
        ▼
    FileInputs  .inline   small files (or strategy "base64") → data: URIs, encoded locally
                .uploads  the others (or strategy "url") → one `files.create` call each
        │  fill(urls)                        the input with every file replaced by its URL
        ▼
    {"image": "https://api.replicate.com/v1/files/...", "masks": ["data:image/png;base64,...", ...], ...}

What counts as a file: a `pathlib.Path` (any `os.PathLike`), `bytes`/`bytearray`/`memoryview`,
and binary file objects (anything with `read`, e.g. `open(..., "rb")`, `io.BytesIO`). A
`FileOutput` from an earlier run stands for its URL. The same object (or the same path) appearing
several times is uploaded once.
"""

from __future__ import annotations

import base64
import io
import mimetypes
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, cast

from .._http.call import Call, check_nesting, is_plain_json
from ..resources.files import Files
from .file_output import PathOutput, _FileOutputBase

INLINE_LIMIT = 256 * 1024
"""Files up to this size are sent inline as data: URIs unless the strategy says otherwise."""

STRATEGIES = (None, "url", "base64")


@dataclass(frozen=True)
class _Slot:
    """Where a file was in the input: the index of its URL among `FileInputs.urls`."""

    index: int


@dataclass
class FileInputs:
    """The files found in an input, and the input with placeholders where they were."""

    template: Dict[str, Any]
    inline: Dict[int, str] = field(default_factory=lambda: {})
    uploads: Dict[int, Call[Any]] = field(default_factory=lambda: {})
    count: int = 0

    def fill(self, uploaded: List[str]) -> Dict[str, Any]:
        """The input with each file replaced: `uploaded` are the URLs of `uploads`, in order."""
        if not self.count:
            return dict(self.template)
        urls = dict(self.inline)
        urls.update(zip(self.uploads, uploaded))
        return _replace(self.template, urls)


def find_files(input: Mapping[str, Any], strategy: Optional[str]) -> FileInputs:
    """Walk `input` for files, deciding for each whether it is inlined or uploaded."""
    if strategy not in STRATEGIES:
        raise ValueError(
            f'file_encoding_strategy must be "url", "base64" or None (automatic), got {strategy!r}'
        )
    if is_plain_json(input):
        return FileInputs(template=dict(input))  # the common case: no file to look for
    check_nesting(input, "input")  # before the recursive walk below, which it keeps in bounds
    seen: Dict[Any, int] = {}
    found = FileInputs(template={})
    keep_alive: List[object] = []  # ids stay unique while the objects they name are alive

    def visit(value: Any, where: str) -> Any:
        if isinstance(value, Mapping):
            return {k: visit(v, f"{where}[{k!r}]") for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
        if isinstance(value, (list, tuple)):
            return [visit(v, f"{where}[{i}]") for i, v in enumerate(value)]  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
        if isinstance(value, str) or value is None or isinstance(value, (int, float, bool)):
            return value
        if isinstance(value, (_FileOutputBase, PathOutput)):
            return value.url
        if not _is_file(value):
            return value
        key = _identity(value, where)
        index = seen.get(key)
        if index is None:
            keep_alive.append(value)
            index = seen[key] = found.count
            found.count += 1
            _decide(found, index, value, strategy)
        return _Slot(index)

    found.template = visit(dict(input), "input")
    return found


def _is_file(value: object) -> bool:
    return isinstance(value, (os.PathLike, bytes, bytearray, memoryview)) or callable(
        getattr(value, "read", None)
    )


def _identity(value: Any, where: str) -> Any:
    if isinstance(value, os.PathLike):
        path = Path(os.fspath(value))  # pyright: ignore[reportUnknownArgumentType]
        if not path.is_file():
            problem = "is a directory" if path.is_dir() else "does not exist"
            raise FileNotFoundError(f"{where}: the file {str(path)!r} {problem}; nothing was sent")
        return ("path", str(path.resolve()))
    if isinstance(value, io.TextIOBase):
        raise TypeError(f"{where}: open the file in binary mode ('rb') to send it to a model")
    return ("object", id(value))


def _size(value: Any) -> Optional[int]:
    if isinstance(value, os.PathLike):
        return Path(os.fspath(value)).stat().st_size  # pyright: ignore[reportUnknownArgumentType]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return len(cast("bytes", value))
    try:
        if value.seekable():
            here = value.tell()
            end = value.seek(0, io.SEEK_END)
            value.seek(here)
            return int(end - here)
    except (AttributeError, OSError, ValueError):
        pass
    return None


def _name(value: Any) -> str:
    if isinstance(value, os.PathLike):
        return Path(os.fspath(value)).name  # pyright: ignore[reportUnknownArgumentType]
    name = getattr(value, "name", None)
    return os.path.basename(name) if isinstance(name, str) else "file"


def _decide(found: FileInputs, index: int, value: Any, strategy: Optional[str]) -> None:
    inline = strategy == "base64"
    if strategy is None:
        size = _size(value)
        inline = size is not None and size <= INLINE_LIMIT
    if inline:
        found.inline[index] = data_uri(_read(value), _name(value))
    else:
        content: Any = (
            value if not isinstance(value, (bytearray, memoryview)) else bytes(cast("bytes", value))
        )
        found.uploads[index] = Files.create.build(None, content=content)


def _read(value: Any) -> bytes:
    if isinstance(value, os.PathLike):
        return Path(os.fspath(value)).read_bytes()  # pyright: ignore[reportUnknownArgumentType]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(cast("bytes", value))
    data = value.read()
    if isinstance(data, str):
        raise TypeError("Open the file in binary mode ('rb') to send it to a model")
    return bytes(data)


def data_uri(content: bytes, name: str = "file") -> str:
    """`content` as a `data:<type>;base64,...` URI, the type guessed from `name`."""
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"data:{media_type};base64,{base64.b64encode(content).decode('ascii')}"


def _replace(value: Any, urls: Mapping[int, str]) -> Any:
    if isinstance(value, _Slot):
        return urls[value.index]
    if isinstance(value, dict):
        return {k: _replace(v, urls) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, list):
        return [_replace(v, urls) for v in value]  # pyright: ignore[reportUnknownVariableType]
    return value


def upload_urls(results: List[Any]) -> List[str]:
    """The URL to pass as input for each uploaded file (`urls.get` of `files.create`)."""
    urls: List[str] = []
    for file in results:
        url = file.urls.get if file.urls is not None else None
        if not url:
            raise ValueError(
                f"The uploaded file {getattr(file, 'id', '?')} has no urls.get to pass to the model"
            )
        urls.append(url)
    return urls
