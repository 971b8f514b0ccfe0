"""`client.files`: upload files to use as model inputs, and manage them."""

from __future__ import annotations

from typing import Dict, Union

from typing_extensions import Unpack

from .._base.options import NOT_GIVEN, NotGiven, RequestOptions
from .._http.call import BinaryCall, Call, PageCall, check_json, expand_path
from .._http.endpoint import E, Raw, Resource, Streamed, V, endpoint
from .._http.multipart import FileContent, multipart_file
from ..types import FileCreateResponse, FileGetResponse, FileListResponse


class Files(Resource[E, V]):
    with_raw_response: Files[E, Raw]
    with_streaming_response: Files[E, Streamed]

    @endpoint
    def create(
        self,
        *,
        content: FileContent,
        filename: Union[str, NotGiven] = NOT_GIVEN,
        metadata: Union[Dict[str, object], NotGiven] = NOT_GIVEN,
        type: Union[str, NotGiven] = NOT_GIVEN,
        **options: Unpack[RequestOptions],
    ) -> Call[FileCreateResponse]:
        """Upload a file: `POST /files` (multipart). Streams from disk for a `pathlib.Path`.

        `content` is bytes, a binary file object, a `pathlib.Path`, or a
        `(filename, content, content_type)` tuple; `filename` and `type` default from it.
        """
        name, stream, content_type = multipart_file(
            content,
            filename if isinstance(filename, str) else None,
            type if isinstance(type, str) else None,
        )
        if len(name.encode()) > 255:
            raise ValueError(f"filename must be at most 255 bytes of UTF-8, got {len(name.encode())}")
        if isinstance(metadata, dict):
            check_json(metadata, "metadata")
        fields = {"filename": name, "type": content_type, "metadata": metadata}
        files = {"content": (name, stream, content_type)}
        return Call("POST", "/files", FileCreateResponse, body=fields, files=files, options=options)

    @endpoint
    def list(self, **options: Unpack[RequestOptions]) -> PageCall[FileListResponse]:
        """Your uploaded files, newest first: `GET /files`."""
        return PageCall("GET", "/files", FileListResponse, options=options)

    @endpoint
    def delete(self, *, file_id: str, **options: Unpack[RequestOptions]) -> Call[None]:
        """Delete a file: `DELETE /files/{file_id}`."""
        return Call("DELETE", expand_path("/files/{file_id}", file_id=file_id), None, options=options)

    @endpoint
    def get(self, *, file_id: str, **options: Unpack[RequestOptions]) -> Call[FileGetResponse]:
        """A file's metadata and URLs: `GET /files/{file_id}`."""
        return Call("GET", expand_path("/files/{file_id}", file_id=file_id), FileGetResponse, options=options)

    @endpoint
    def download(
        self, *, file_id: str, expiry: int, owner: str, signature: str, **options: Unpack[RequestOptions]
    ) -> BinaryCall:
        """A file's bytes via a signed URL's parameters: `GET /files/{file_id}/download`.

        Returns a binary response: `.read()`, `.iter_bytes()`, `.write_to_file(path)`.
        """
        path = expand_path("/files/{file_id}/download", file_id=file_id)
        query = {"expiry": expiry, "owner": owner, "signature": signature}
        headers = {"Accept": "application/octet-stream"}
        return BinaryCall("GET", path, bytes, query=query, headers=headers, options=options)
