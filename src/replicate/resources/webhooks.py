"""`client.webhooks`: the signing secret, and checking that a delivery really comes from Replicate."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Dict, Optional, Union, cast

from typing_extensions import Unpack

from .._base.options import RequestOptions
from .._base.webhooks import DEFAULT_TOLERANCE, WebhookHeaders, WebhookVerificationError, verify_signature
from .._http.call import Call
from .._http.endpoint import E, Raw, Resource, Streamed, V, endpoint
from ..types import Prediction, Training
from ..types.webhooks.default import SecretGetResponse


class Webhooks(Resource[E, V]):
    with_raw_response: Webhooks[E, Raw]
    with_streaming_response: Webhooks[E, Streamed]

    @cached_property
    def default(self) -> Default[E, V]:
        return Default(self._client, self._view)

    def verify_signature(
        self,
        body: Union[str, bytes],
        headers: WebhookHeaders,
        secret: Optional[str] = None,
        tolerance: float = DEFAULT_TOLERANCE,
    ) -> None:
        """Check a webhook delivery is from Replicate and fresh; raise `WebhookVerificationError` if not.

        `secret` defaults to `REPLICATE_WEBHOOK_SECRET`; `tolerance` is the accepted clock skew in
        seconds. No request is made.
        """
        verify_signature(body, headers, secret, tolerance)

    def unwrap(
        self,
        body: Union[str, bytes],
        headers: WebhookHeaders,
        secret: Optional[str] = None,
        tolerance: float = DEFAULT_TOLERANCE,
    ) -> Union[Prediction, Training]:
        """Verify a webhook delivery (as `verify_signature`) and return the prediction or training it carries."""
        verify_signature(body, headers, secret, tolerance)
        try:
            data = json.loads(body)
        except ValueError:  # UnicodeDecodeError too
            raise WebhookVerificationError(
                "The webhook is signed but its body is not JSON: not a Replicate prediction or training"
            ) from None
        if not isinstance(data, dict):
            raise WebhookVerificationError("The webhook body is not a JSON object")
        urls = cast("Dict[str, object]", data).get("urls")
        get_url = cast("Dict[str, object]", urls).get("get") if isinstance(urls, dict) else None
        if isinstance(get_url, str) and "/trainings/" in get_url:
            return Training.model_validate(data)
        return Prediction.model_validate(data)


class Default(Resource[E, V]):
    with_raw_response: Default[E, Raw]
    with_streaming_response: Default[E, Streamed]

    @cached_property
    def secret(self) -> Secret[E, V]:
        return Secret(self._client, self._view)


class Secret(Resource[E, V]):
    with_raw_response: Secret[E, Raw]
    with_streaming_response: Secret[E, Streamed]

    @endpoint
    def get(self, **options: Unpack[RequestOptions]) -> Call[SecretGetResponse]:
        """The default webhook signing secret, `{"key": "whsec_..."}`: `GET /webhooks/default/secret`."""
        return Call("GET", "/webhooks/default/secret", SecretGetResponse, options=options)
