"""What `files.create` accepts as content, turned into one multipart part.

    bytes                                   sent as is
    a file object opened in binary mode     read in chunks as it is sent
    pathlib.Path                            opened only while it is sent (streams from disk)
    (filename, content, content_type)       any of the above with a name and type

Nothing is read into memory whole: httpx pulls chunks from the file while sending.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import IO, Any, Optional, Tuple, Union

_Content = Union[bytes, IO[bytes], os.PathLike[str]]
FileContent = Union[_Content, Tuple[Optional[str], _Content], Tuple[Optional[str], _Content, Optional[str]]]
"""What `files.create` uploads (public as `replicate.types.FileContent`)."""


class DiskFile(io.RawIOBase):
    """A file on disk that is open only while it is being read, so no handle outlives a request."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.name = path.name
        self._file: Optional[IO[bytes]] = None

    def _open(self) -> IO[bytes]:
        if self._file is None:
            self._file = open(self.path, "rb")  # noqa: SIM115 - closed at end of file or close()
        return self._file

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._open().seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell() if self._file is not None else 0

    def read(self, size: Optional[int] = -1) -> bytes:
        data = self._open().read(-1 if size is None else size)
        if not data or size is None or size < 0:
            self.close()
        return data

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def multipart_file(
    content: FileContent, filename: Optional[str] = None, content_type: Optional[str] = None
) -> Tuple[str, Any, str]:
    """`(filename, stream or bytes, content_type)` for httpx's `files=`, checking the input first."""
    if isinstance(content, tuple):
        parts: Tuple[Any, ...] = content
        if len(parts) not in (2, 3):
            raise TypeError("A file tuple must be (filename, content) or (filename, content, content_type)")
        filename = filename or parts[0]
        content_type = content_type or (parts[2] if len(parts) == 3 else None)
        content = parts[1]
    body: Any
    if isinstance(content, (bytes, bytearray, memoryview)):
        body = bytes(content)
        name = filename or "file"
    elif isinstance(content, (str, os.PathLike)):
        if isinstance(content, str):
            raise TypeError(
                "File content given as a str is ambiguous: pass pathlib.Path(...) for a file on disk,"
                " or text.encode() for its bytes"
            )
        path = Path(content)
        if not path.is_file():
            raise FileNotFoundError(f"No such file to upload: {str(path)!r}")
        body = DiskFile(path)
        name = filename or path.name
    elif hasattr(content, "read"):
        if isinstance(content, io.TextIOBase):
            raise TypeError("Open the file in binary mode ('rb') to upload it")
        body = content
        name = filename or os.path.basename(str(getattr(content, "name", "") or "")) or "file"
    else:
        raise TypeError(
            f"Cannot upload a {type(content).__name__}: pass bytes, a binary file object, a pathlib.Path,"
            " or a (filename, content, content_type) tuple"
        )
    if content_type is None:
        import mimetypes

        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return name, body, content_type
