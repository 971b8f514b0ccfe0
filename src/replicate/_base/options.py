"""Option types shared by every request (and `NOT_GIVEN`, from `sentinels.py`)."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Union

import httpx
from typing_extensions import TypedDict

from .sentinels import NOT_GIVEN as NOT_GIVEN
from .sentinels import NotGiven, Omit

Timeout = httpx.Timeout
TimeoutTypes = Union[float, httpx.Timeout, None]
Headers = Mapping[str, Union[str, Omit]]
Query = Mapping[str, object]


class RequestOptions(TypedDict, total=False):
    """Options every API method accepts besides its own parameters."""

    extra_headers: Optional[Headers]
    """Headers sent with this request only; `omit` as a value removes a default header."""
    extra_query: Optional[Query]
    """Query parameters added to this request only."""
    extra_body: Optional[Dict[str, Any]]
    """JSON fields merged into this request's body."""
    timeout: Union[float, httpx.Timeout, NotGiven, None]
    """This request's timeout, in seconds or as an `httpx.Timeout`."""
    max_retries: Union[int, NotGiven]
    """How many times to retry this request (instead of the client's `max_retries`)."""
