"""Sentinels and option types shared by every request.

`NOT_GIVEN` marks an optional argument the caller did not pass (distinct from `None`, which
may be a meaningful value); `omit` removes a header the client would otherwise send.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, TypeVar, Union

import httpx
from typing_extensions import Literal, TypedDict, final

__all__ = [
    "NOT_GIVEN",
    "Body",
    "Headers",
    "NotGiven",
    "Omit",
    "Query",
    "RequestOptions",
    "Timeout",
    "omit",
]

_T = TypeVar("_T")


@final
class NotGiven:
    """The type of `NOT_GIVEN`: an argument that was not passed at all."""

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


@final
class Omit:
    """The type of `omit`: pass it as a header value to stop the client sending that header."""

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "omit"


omit = Omit()

Timeout = httpx.Timeout
TimeoutTypes = Union[float, httpx.Timeout, None]
Headers = Mapping[str, Union[str, Omit]]
Query = Mapping[str, object]
Body = object


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


def is_given(value: Union[_T, NotGiven, Omit]) -> bool:
    return not isinstance(value, (NotGiven, Omit))
