"""The signing secret of the account's webhooks (`GET /webhooks/default/secret`)."""

from typing import Optional

from .._base.models import BaseModel


class WebhookSecret(BaseModel):
    """`key` is `whsec_` followed by the base64 HMAC key that signs webhook requests."""

    key: Optional[str] = None
