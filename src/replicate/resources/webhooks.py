"""`client.webhooks`: the signing secret that proves webhooks come from Replicate."""

from __future__ import annotations

from typing_extensions import Unpack

from .._call import Call
from .._resource import E, Raw, Resource, Streamed, V, endpoint
from .._types import RequestOptions
from ..types.webhooks.default import SecretGetResponse

__all__ = ["Default", "Secret", "Webhooks"]


class Webhooks(Resource[E, V]):
    with_raw_response: Webhooks[E, Raw]
    with_streaming_response: Webhooks[E, Streamed]

    @property
    def default(self) -> Default[E, V]:
        return self._sub(Default)


class Default(Resource[E, V]):
    with_raw_response: Default[E, Raw]
    with_streaming_response: Default[E, Streamed]

    @property
    def secret(self) -> Secret[E, V]:
        return self._sub(Secret)


class Secret(Resource[E, V]):
    with_raw_response: Secret[E, Raw]
    with_streaming_response: Secret[E, Streamed]

    @endpoint
    def get(self, **options: Unpack[RequestOptions]) -> Call[SecretGetResponse]:
        """The default webhook signing secret, `{"key": "whsec_..."}`: `GET /webhooks/default/secret`."""
        return Call("GET", "/webhooks/default/secret", SecretGetResponse, options=options)
