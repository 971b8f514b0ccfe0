"""Verifying that a webhook really comes from Replicate (no I/O, so sync and async share it).

Replicate signs each delivery: `webhook-signature` holds space-separated `v1,<base64>` entries,
each base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")), where the key is the
base64-decoded part of the `whsec_...` secret. We accept the delivery when any entry matches
(compared in constant time) and its timestamp is within `tolerance` seconds of now.

The body must be the raw bytes (or text) as received: a parsed dict cannot be checked, as its
re-serialization differs. Headers may be a mapping or a list of (name, value) pairs, as str or
bytes (an ASGI scope's).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import os
import time
from typing import Dict, Iterable, Mapping, Optional, Tuple, Union, cast

from .errors import ReplicateError

WebhookHeaders = Union[Mapping[str, str], Iterable[Tuple[Union[str, bytes], Union[str, bytes]]]]
"""A webhook request's headers: a mapping, or (name, value) pairs."""

DEFAULT_TOLERANCE = 300


class WebhookVerificationError(ReplicateError):
    """The webhook's signature, timestamp or headers did not check out; do not trust its body."""


def _key(secret: Optional[str]) -> bytes:
    if secret is None:
        secret = os.environ.get("REPLICATE_WEBHOOK_SECRET")
    elif not isinstance(secret, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"secret must be the 'whsec_...' string, not {type(secret).__name__}")
    elif not secret.strip():
        raise WebhookVerificationError(
            "The webhook secret passed is empty: pass the 'whsec_...' value (or leave secret= out to"
            " read REPLICATE_WEBHOOK_SECRET)"
        )
    if not secret:
        raise WebhookVerificationError(
            "No webhook secret: pass secret= or set REPLICATE_WEBHOOK_SECRET (get it once with"
            " client.webhooks.default.secret.get().key)"
        )
    try:
        return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("The webhook secret is not a valid 'whsec_<base64>' value") from None


def _text(value: object, what: str) -> str:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    if isinstance(value, str):
        return value
    raise TypeError(f"webhook {what} must be str or bytes, not {type(value).__name__}")


def _headers(headers: WebhookHeaders) -> Dict[str, str]:
    """`headers` by lowercased name (the first of repeated ones)."""
    pairs: Iterable[object]
    if isinstance(headers, Mapping):
        pairs = cast("Mapping[object, object]", headers).items()
    elif isinstance(headers, (str, bytes)) or not isinstance(headers, Iterable):
        raise TypeError(f"headers must be a mapping or (name, value) pairs, not {type(headers).__name__}")
    else:
        pairs = cast("Iterable[object]", headers)
    found: Dict[str, str] = {}
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(cast("Tuple[object, ...]", pair)) != 2:
            kind = type(cast(object, pair)).__name__
            raise TypeError(f"headers given as pairs must hold (name, value) tuples, found a {kind}")
        name, value = cast("Tuple[object, object]", pair)
        found.setdefault(_text(name, "header names").lower(), _text(value, "header values"))
    return found


def _header(headers: Dict[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        raise WebhookVerificationError(f"Missing the {name} header: is this request a Replicate webhook?")
    return value


def _body_bytes(body: object) -> bytes:
    """The raw body of a webhook request, or a TypeError saying what to pass instead."""
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(cast("bytes", body))
    raise TypeError(
        f"body must be the raw request body as received (bytes or str), not {type(body).__name__}:"
        " the signature covers the exact bytes sent, which a parsed body no longer has"
    )


def _check_tolerance(tolerance: object) -> float:
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)):
        raise TypeError(f"tolerance must be a number of seconds, not {type(tolerance).__name__}")
    if not 0 <= tolerance < math.inf:
        raise ValueError(f"tolerance must be a finite number of seconds >= 0, got {tolerance!r}")
    return float(tolerance)


def _signature(key: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    message = f"{webhook_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def sign(body: Union[str, bytes], *, webhook_id: str, timestamp: int, secret: Optional[str] = None) -> str:
    """The `v1,<signature>` entry Replicate would send for this body (handy in tests)."""
    return "v1," + _signature(_key(secret), webhook_id, timestamp, _body_bytes(body))


def verify_signature(
    body: Union[str, bytes],
    headers: WebhookHeaders,
    secret: Optional[str] = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> None:
    """Raise `WebhookVerificationError` saying what is wrong unless the webhook is genuine and fresh.

    Arguments of the wrong kind (a parsed body, a NaN tolerance) raise TypeError or ValueError.
    """
    tolerance = _check_tolerance(tolerance)
    payload = _body_bytes(body)
    key = _key(secret)
    found = _headers(headers)
    webhook_id = _header(found, "webhook-id")
    stamp = _header(found, "webhook-timestamp")
    signatures = _header(found, "webhook-signature")
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
            f"The webhook's timestamp is {timestamp - int(now)} s in the future (tolerance {tolerance:g} s)"
        )
    expected = _signature(key, webhook_id, timestamp, payload).encode()
    for entry in signatures.split():
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode(), expected):
            return
    raise WebhookVerificationError("No signature in webhook-signature matches the body: forged or tampered")
