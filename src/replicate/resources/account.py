"""`client.account`: who the API token belongs to."""

from __future__ import annotations

from typing_extensions import Unpack

from .._call import Call
from .._resource import E, Raw, Resource, Streamed, V, endpoint
from .._types import RequestOptions
from ..types import AccountGetResponse

__all__ = ["Account"]


class Account(Resource[E, V]):
    with_raw_response: Account[E, Raw]
    with_streaming_response: Account[E, Streamed]

    @endpoint
    def get(self, **options: Unpack[RequestOptions]) -> Call[AccountGetResponse]:
        """The user or organization of the API token: `GET /account`."""
        return Call("GET", "/account", AccountGetResponse, options=options)
