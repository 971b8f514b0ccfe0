"""An uploaded file: what `POST /files` stores and `GET /files` lists, for use as a prediction input.

File
  ├── checksums: FileChecksums
  └── urls: FileURLs
"""

from typing import Dict, Optional

from typing_extensions import NotRequired, Required, TypedDict

from .._base.models import BaseModel, Timestamp
from .._http.multipart import FileContent


class FileChecksums(BaseModel):
    """Digests of the file's content, as hex strings."""

    sha256: Optional[str] = None
    # Not in the spec; every real response carries it.
    md5: Optional[str] = None


class FileURLs(BaseModel):
    """Where to reach the file through the API."""

    get: Optional[str] = None


class File(BaseModel):
    """A file, as `GET /files/{file_id}` returns it."""

    id: str
    content_type: str
    size: int
    checksums: FileChecksums
    metadata: Dict[str, object]
    urls: FileURLs
    created_at: Timestamp
    # Required by the spec, and a timestamp there; the API sends null for a file that does not expire.
    expires_at: Optional[Timestamp]
    # Not in the spec; every real response carries them.
    name: Optional[str] = None
    etag: Optional[str] = None


class FileCreateParams(TypedDict, total=False):
    """`files.create`: `POST /files` (multipart form)."""

    content: Required[FileContent]
    filename: NotRequired[str]
    metadata: NotRequired[Dict[str, object]]
    type: NotRequired[str]


class FileDownloadParams(TypedDict, total=False):
    """`files.download`: `GET /files/{file_id}/download` (query: the signed-URL fields)."""

    file_id: Required[str]
    owner: Required[str]
    expiry: Required[int]
    signature: Required[str]
