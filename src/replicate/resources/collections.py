"""`client.collections`: curated groups of models."""

from __future__ import annotations

from typing_extensions import Unpack

from .._base.options import RequestOptions
from .._http.call import Call, PageCall, expand_path
from .._http.endpoint import E, Raw, Resource, Streamed, V, endpoint
from ..types import CollectionGetResponse, CollectionListResponse


class Collections(Resource[E, V]):
    with_raw_response: Collections[E, Raw]
    with_streaming_response: Collections[E, Streamed]

    @endpoint
    def list(self, **options: Unpack[RequestOptions]) -> PageCall[CollectionListResponse]:
        """All collections, a page at a time: `GET /collections`."""
        return PageCall("GET", "/collections", CollectionListResponse, options=options)

    @endpoint
    def get(self, *, collection_slug: str, **options: Unpack[RequestOptions]) -> Call[CollectionGetResponse]:
        """A collection and its models: `GET /collections/{collection_slug}`."""
        path = expand_path("/collections/{collection_slug}", collection_slug=collection_slug)
        return Call("GET", path, CollectionGetResponse, options=options)
