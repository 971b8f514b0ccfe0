"""Verifying that a webhook really comes from Replicate (no I/O, so sync and async share it).

Replicate signs each delivery: `webhook-signature` holds space-separated `v1,<base64>` entries,
each base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")), where the key is the
base64-decoded part of the `whsec_...` secret. We accept the delivery when any entry matches
(compared in constant time) and its timestamp is within `tolerance` seconds of now.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import time
from typing import Mapping, Optional, Union

from ._exceptions import ReplicateError

__all__ = ["WebhookVerificationError", "sign", "verify_signature"]

DEFAULT_TOLERANCE = 300


class WebhookVerificationError(ReplicateError):
    """The webhook's signature, timestamp or headers did not check out; do not trust its body."""


def _key(secret: Optional[str]) -> bytes:
    secret = secret or os.environ.get("REPLICATE_WEBHOOK_SECRET")
    if not secret:
        raise WebhookVerificationError(
            "No webhook secret: pass secret= or set REPLICATE_WEBHOOK_SECRET (get it once with"
            " client.webhooks.default.secret.get().key)"
        )
    encoded = secret[len("whsec_") :] if secret.startswith("whsec_") else secret
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("The webhook secret is not a valid 'whsec_<base64>' value") from None


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    raise WebhookVerificationError(f"Missing the {name} header: is this request a Replicate webhook?")


def _signature(key: bytes, webhook_id: str, timestamp: int, body: Union[str, bytes]) -> str:
    payload = body.encode() if isinstance(body, str) else body
    message = f"{webhook_id}.{timestamp}.".encode() + payload
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def sign(body: Union[str, bytes], *, webhook_id: str, timestamp: int, secret: Optional[str] = None) -> str:
    """The `v1,<signature>` entry Replicate would send for this body (handy in tests)."""
    return "v1," + _signature(_key(secret), webhook_id, timestamp, body)


def verify_signature(
    body: Union[str, bytes],
    headers: Mapping[str, str],
    secret: Optional[str] = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> None:
    """Raise `WebhookVerificationError` saying what is wrong unless the webhook is genuine and fresh."""
    key = _key(secret)
    webhook_id = _header(headers, "webhook-id")
    stamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookVerificationError(f"webhook-timestamp is not a Unix time: {stamp!r}") from None
    now = time.time()
    if timestamp < now - tolerance:
        raise WebhookVerificationError(
            f"The webhook is too old ({int(now - timestamp)} s > {tolerance:g} s tolerance): a replay?"
        )
    if timestamp > now + tolerance:
        raise WebhookVerificationError(
            f"The webhook's timestamp is {int(timestamp - now)} s in the future (tolerance {tolerance:g} s)"
        )
    expected = _signature(key, webhook_id, timestamp, body).encode()
    for entry in signatures.split():
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode(), expected):
            return
    raise WebhookVerificationError("No signature in webhook-signature matches the body: forged or tampered")
