"""Helpers for `client._ClientBase`: options checked (and defaulted from the environment),
headers, query and bodies, errors for failed exchanges. No I/O.

Also the caches that make the hot path cheap (parsed URLs, retry policies).
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any, Dict, Optional, Tuple, Union, cast

import httpx

from .._base.constants import DEFAULT_BASE_URL
from .._base.errors import (
    APIConnectionError,
    APIStatusError,
    ReplicateError,
    connection_error,
    note_may_have_been_created,
    status_error,
)
from .._base.options import NotGiven, Omit
from .._base.platform import token_from_environment
from .call import BinaryCall, Call, drop_unset
from .limits import MAX_JSON_BYTES
from .retry import RetryPolicy

# 1.x constructor arguments -> what says the same now
_LEGACY_OPTIONS = {
    "api_token": "bearer_token=...",
    "headers": "default_headers=...",
    "transport": "http_client=httpx.Client(transport=...)",
}


def legacy_arguments(cls: str, positional: int, options: Mapping[str, object]) -> TypeError:
    """The error for 1.x-style constructor arguments: the new spelling, never the values given."""
    if positional:
        fix = f"{cls}() takes keyword arguments only: {cls}(bearer_token=...)"
    else:
        renamed = [
            f"{cls}({name}=...) is the 1.x spelling of {cls}({_LEGACY_OPTIONS[name]})"
            for name in options
            if name in _LEGACY_OPTIONS
        ]
        unknown = [f"{name}=" for name in options if name not in _LEGACY_OPTIONS]
        if unknown:
            renamed.append(f"{cls}() takes no {', '.join(unknown)}")
        fix = "; ".join(renamed)
    return TypeError(
        f"{fix}. The options are bearer_token, base_url, timeout, max_retries, default_headers,"
        " default_query and http_client; UPGRADING.md maps each 1.x argument to its new spelling."
    )


def redact(token: str) -> str:
    return token[:3] + "…" if len(token) > 8 else "…"


def checked_token(token: object) -> str:
    """`token` (by default the environment's) without the whitespace around it (a token read from
    a file ends in a newline).

    What is left must be printable ASCII to go in a header; the error says where it is not,
    never what the token is.
    """
    if token is None:
        token = token_from_environment() or ""
    if not isinstance(token, str):
        raise TypeError(f"bearer_token must be a string, not {type(token).__name__}")
    token = token.strip()
    if not token:
        raise ReplicateError(
            "No API token: set the REPLICATE_API_TOKEN environment variable or pass"
            " bearer_token= to the client (create a token at https://replicate.com/account/api-tokens)."
        )
    for position, char in enumerate(token):
        if not "!" <= char <= "~":
            if char < " " or char == "\x7f":
                kind = "a control character"
            else:
                kind = "a space" if char == " " else "a non-ASCII character"
            raise ReplicateError(
                f"The API token has {kind} at position {position + 1} of {len(token)}, which cannot be"
                " sent in an HTTP header: check how it was read or pasted (tokens are letters, digits"
                " and '_')"
            )
    return token


def _shown_url(text: str) -> str:
    """`text` for an error message, with any `user:password@` taken out."""
    return _USERINFO.sub(r"\1<user:password>@", text)


_USERINFO = re.compile(r"^([^/?#]*//)?[^/?#]*@")


def checked_base_url(base_url: Union[str, httpx.URL, None]) -> httpx.URL:
    """`base_url` (by default the environment's, else the public API's) parsed, or a ValueError
    saying what is wrong with it (it never shows a password)."""
    if base_url is None:
        base_url = os.environ.get("REPLICATE_BASE_URL") or DEFAULT_BASE_URL
    text = str(base_url)
    shown = _shown_url(text)
    try:
        url = httpx.URL(text.rstrip("/"))
    except httpx.InvalidURL as exc:
        raise ValueError(f"base_url is not a valid URL ({exc}): {shown!r}") from None
    if url.userinfo:
        raise ValueError(
            "base_url must not hold a user name or password ('user:password@host'): the API token"
            " goes in bearer_token= (or REPLICATE_API_TOKEN), and it is the only credential sent"
        )
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an absolute http(s) URL, got {shown!r}")
    if url.port is not None and not 0 < url.port <= 65535:
        raise ValueError(f"base_url has port {url.port}, outside 1 to 65535: {shown!r}")
    if url.query or url.fragment or "?" in text or "#" in text:
        raise ValueError(
            f"base_url must not have a query string or fragment ('?...', '#...'), got {shown!r};"
            " for query parameters on every request pass default_query="
        )
    if url.raw_path in (b"", b"/"):
        # The 1.x form (https://api.replicate.com): the API lives under /v1, as 1.x knew.
        url = url.copy_with(raw_path=b"/v1")
    return url


def origin(url: httpx.URL) -> Tuple[str, str, Optional[int]]:
    return (url.scheme, url.host, url.port)


def merge_headers(headers: Dict[str, str], extra: Mapping[str, Any]) -> None:
    for name, value in extra.items():
        if isinstance(value, NotGiven):
            continue
        for existing in [k for k in headers if k.lower() == name.lower()]:
            del headers[existing]
        if isinstance(value, Omit) or value is None:
            continue
        text = str(value)
        if not _HEADER_VALUE.fullmatch(text):
            # The value itself stays out of the message: it may be a credential.
            raise ValueError(
                f"The {name!r} header's value cannot be sent in HTTP: it holds a newline, another"
                " control character or a non-ASCII character"
            )
        headers[name] = text


# What httpx can encode (ASCII) and HTTP allows in a header value: printable characters and tabs.
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")


def query_values(query: Mapping[str, object]) -> Dict[str, Any]:
    values: Dict[str, Any] = {}
    for name, value in drop_unset(query).items():
        if value is None:
            continue
        if isinstance(value, bool):
            values[name] = "true" if value else "false"
        elif isinstance(value, (datetime.datetime, datetime.date)):
            values[name] = value.isoformat()
        else:
            values[name] = value
    return values


def merged_json_body(body: object, extra_body: Optional[Mapping[str, Any]]) -> Any:
    if isinstance(body, Mapping):
        merged: Dict[str, Any] = drop_unset(cast("Mapping[str, object]", body))
        if extra_body:
            merged.update(extra_body)
        return merged
    if extra_body:
        sends = "text" if isinstance(body, (str, bytes)) else f"a {type(body).__name__}"
        raise TypeError(f"extra_body can only be merged into a JSON object body; this request sends {sends}")
    return body


def form_fields(fields: object) -> Dict[str, Any]:
    if not fields:
        return {}
    out: Dict[str, Any] = {}
    for name, value in drop_unset(cast("Mapping[str, object]", fields)).items():
        if value is None:
            continue
        out[name] = value if isinstance(value, (str, bytes)) else json.dumps(value)
    return out


# Errors httpx raises before writing a byte (an illegal header value, a URL scheme it cannot send).
NOT_WRITTEN = (httpx.LocalProtocolError, httpx.UnsupportedProtocol)


def unsendable_error(exc: httpx.TransportError, request: httpx.Request) -> APIConnectionError:
    # Never `str(exc)`: h11 quotes the offending header value, which may be the token.
    what = f"{request.method} {request.url.path}"
    if isinstance(exc, httpx.UnsupportedProtocol):
        try:
            scheme = exc.request.url.scheme  # the URL of a redirect, when that is what failed
        except RuntimeError:
            scheme = request.url.scheme
        message = f"{what} led to a {scheme!r} URL, which httpx cannot send to (only http and https)."
    else:
        message = (
            f"{what} was not sent: a header name or value is not allowed in HTTP (a newline or"
            " control character?). Nothing reached the server."
        )
    return APIConnectionError(message=message, request=request)


def connection_error_for(
    exc: httpx.RequestError, request: httpx.Request, call: Call[Any]
) -> APIConnectionError:
    error = connection_error(exc, request)
    if call.billable and RetryPolicy.outcome_unknown(exc):
        note_may_have_been_created(error, NOT_RETRIED)
    return error


def max_body_bytes(call: Call[Any]) -> Optional[int]:
    """The cap on a successful answer read whole: file bytes are the caller's to size."""
    if isinstance(call, BinaryCall) or call.cast_to is bytes or call.cast_to is httpx.Response:
        return None
    return MAX_JSON_BYTES


def status_error_for(response: httpx.Response, body: object, call: Call[Any]) -> APIStatusError:
    error = status_error(response, body)
    if call.billable and RetryPolicy.outcome_unknown(response):
        note_may_have_been_created(error, NOT_RETRIED)
    return error


NOT_RETRIED = (
    " The request may have created a prediction or training before it failed; it was not"
    " retried so the model does not run (and bill) twice. Check client.predictions.list()"
    " before trying again."
)


def check_timeout(timeout: object) -> None:
    if timeout is None:
        return
    if isinstance(timeout, httpx.Timeout):
        for part in (timeout.connect, timeout.read, timeout.write, timeout.pool):
            if part is not None and not 0 < part < math.inf:
                raise ValueError(
                    f"timeout parts must be positive, finite numbers of seconds or None, got {timeout!r}"
                )
        return
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number of seconds, an httpx.Timeout or None, not {timeout!r}")
    if not 0 < timeout < math.inf:
        raise ValueError(f"timeout must be a positive, finite number of seconds, got {timeout!r}")


def check_max_retries(max_retries: object) -> None:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be a whole number >= 0, got {max_retries!r}")


@lru_cache(maxsize=256)
def parsed_url(url: str) -> httpx.URL:
    """`url` parsed, as build_request takes it without parsing it again. Parsing is a good part
    of building a request, and the same few URLs come back call after call (httpx.URL is immutable)."""
    return httpx.URL(url)


@cache
def retry_policy(max_retries: int) -> RetryPolicy:
    return RetryPolicy(max_retries=max_retries)
