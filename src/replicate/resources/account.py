"""`client.account`: who the API token belongs to."""

from __future__ import annotations

from typing_extensions import Unpack

from .._base.options import RequestOptions
from .._http.call import Call
from .._http.endpoint import E, Raw, Resource, Streamed, V, endpoint
from ..types import AccountGetResponse


class Account(Resource[E, V]):
    with_raw_response: Account[E, Raw]
    with_streaming_response: Account[E, Streamed]

    @endpoint
    def get(self, **options: Unpack[RequestOptions]) -> Call[AccountGetResponse]:
        """The user or organization of the API token: `GET /account`."""
        return Call("GET", "/account", AccountGetResponse, options=options)
