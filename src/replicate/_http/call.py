"""`Call`: one API request described as data.

Every endpoint method builds a `Call` (method, path, parameters, how to read the answer) and
hands it to the client, which decides everything else (URL, headers, retries, parsing) in one
place for sync and async alike. Keeping the description apart from the sending is what lets a
single declaration serve `Replicate` and `AsyncReplicate`, plain, raw and streamed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Dict, FrozenSet, Generic, List, Optional, Sequence, Tuple, TypeVar, cast
from urllib.parse import quote, unquote

from .._base.options import NotGiven, Omit, RequestOptions

R = TypeVar("R")
T = TypeVar("T")


@dataclass(frozen=True)
class Call(Generic[R]):
    """A request to make and the type to read its answer as (`cast_to`)."""

    method: str
    path: str
    """Relative to the client's base URL, or an absolute URL (a page's `next`)."""
    cast_to: Any
    query: Optional[Mapping[str, object]] = None
    body: Optional[object] = None
    files: Optional[Any] = None
    """Multipart parts, as httpx takes them; with `files`, `body` becomes the form fields."""
    headers: Mapping[str, Any] = field(default_factory=lambda: {})
    options: RequestOptions = field(default_factory=lambda: RequestOptions())
    billable: bool = False
    """True for requests that create something billable: retried only when provably unsent."""

    def next_page(self, url: str) -> Call[R]:
        """The same call aimed at another page's absolute URL (which carries its own query)."""
        return replace(self, method="GET", path=url, query=None, body=None, files=None)


class PageCall(Call[T]):
    """A call whose answer is one page of `T` items (`{"results": [...], "next": ...}`)."""


class CreatedPageCall(PageCall[T]):
    """A page call whose pages also carry the `created_after`/`created_before` filters."""


class BinaryCall(Call[bytes]):
    """A call whose answer is raw bytes (a file download), not JSON."""


# What `quote(value, safe="")` leaves as it is: most ids and names, which then skip quoting.
_URL_SAFE = re.compile(r"[A-Za-z0-9_.~-]+")
# Characters that end a path segment (or the path), as typed or once percent-decoded.
_SEGMENT_ENDS = re.compile(r"[/\\?#]")


def expand_path(template: str, **params: str) -> str:
    """Fill a path template, refusing values that would silently hit another endpoint.

    Raises `ValueError` naming the parameter, before any request is made.
    """
    values: dict[str, str] = {}
    for name, value in params.items():
        if not isinstance(value, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"`{name}` must be a string, not {type(value).__name__}: {value!r}")
        if not value:
            raise ValueError(f"Expected a non-empty value for `{name}` but received {value!r}")
        if _URL_SAFE.fullmatch(value):
            if value in (".", ".."):
                raise ValueError(
                    f"`{name}` must not be {value!r}: a dot segment would reach another endpoint"
                )
            values[name] = value
            continue
        # A server (or a proxy) may decode once more than we encode: judge the decoded form too.
        if (
            _SEGMENT_ENDS.search(value)
            or _SEGMENT_ENDS.search(unquote(value))
            or unquote(value) in (".", "..")
        ):
            raise ValueError(
                f"`{name}` must be one path segment (no '/', '\\', '?', '#', '.' or '..', typed or"
                f" percent-encoded), got {value!r}: pass each part of the path as its own argument"
                " (for example model_owner='acme', model_name='echo')"
            )
        values[name] = quote(value, safe="")
    return template.format(**values)


def drop_unset(values: Mapping[str, object]) -> dict[str, object]:
    """The entries of `values` the caller actually gave (not NOT_GIVEN or omit)."""
    return {k: v for k, v in values.items() if not isinstance(v, (NotGiven, Omit))}


OPTION_NAMES = frozenset({"extra_headers", "extra_query", "extra_body", "timeout", "max_retries"})


def check_options(options: Mapping[str, object], method: str) -> None:
    """Refuse keyword arguments no endpoint knows, instead of silently dropping them."""
    if OPTION_NAMES.issuperset(options):
        return
    unknown = sorted(options.keys() - OPTION_NAMES)
    raise TypeError(
        f"{method}() got unexpected keyword argument(s) {', '.join(unknown)}; besides its own"
        f" parameters it accepts {', '.join(sorted(OPTION_NAMES))}"
    )


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})

MAX_NESTING = 200
"""How deep inputs may nest: far beyond any model's schema, well within Python's recursion limit."""


def is_plain_json(value: object, _depth: int = 0) -> bool:
    """Whether `value` is JSON data made of exact dicts (string keys), lists, tuples and scalars.

    A quick yes for the common case; a no only means "look closer" (a subclass, a file, data
    nested too deep or containing itself...).
    """
    kind = type(value)
    if kind is dict:
        if _depth >= MAX_NESTING:
            return False
        items = cast("Dict[object, object]", value).items()
        return all(type(key) is str and is_plain_json(item, _depth + 1) for key, item in items)
    if kind is list or kind is tuple:
        if _depth >= MAX_NESTING:
            return False
        return all(is_plain_json(item, _depth + 1) for item in cast("Sequence[object]", value))
    return kind in _JSON_SCALARS


def check_nesting(value: object, where: str) -> None:
    """Raise a ValueError if `value` contains itself or nests deeper than `MAX_NESTING`.

    Walks without recursion, so that it is the one walk that cannot overflow the stack.
    """
    # (container, its path, the ids of the containers above it)
    pending: List[Tuple[object, str, FrozenSet[int]]] = [(value, where, frozenset())]
    while pending:
        item, path, above = pending.pop()
        identity = id(item)
        if isinstance(item, Mapping):
            children = [
                (child, f"{path}[{key!r}]") for key, child in cast("Mapping[object, object]", item).items()
            ]
        elif isinstance(item, (list, tuple)):
            children = [(child, f"{path}[{i}]") for i, child in enumerate(cast("Sequence[object]", item))]
        else:
            continue
        if identity in above:
            raise ValueError(f"{path} contains itself: inputs must be trees of values, without cycles")
        if len(above) >= MAX_NESTING:
            raise ValueError(f"{where} nests more than {MAX_NESTING} levels deep (at {path[:200]}...)")
        inside = above | {identity}
        pending.extend((child, child_path, inside) for child, child_path in children)


def check_json(value: object, where: str) -> None:
    """Raise a TypeError naming the key path of the first value JSON cannot carry (a ValueError
    for data that contains itself or nests absurdly deep)."""
    if is_plain_json(value) or isinstance(value, (str, int, float, bool)):
        return
    check_nesting(value, where)
    _check_json_values(value, where)


def _check_json_values(value: object, where: str) -> None:
    if is_plain_json(value) or isinstance(value, (str, int, float, bool)):
        return
    if isinstance(value, Mapping):
        for key, item in cast("Mapping[object, object]", value).items():
            if not isinstance(key, str):
                raise TypeError(f"{where} has a non-string key {key!r}: JSON object keys must be strings")
            _check_json_values(item, f"{where}[{key!r}]")
        return
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(cast("Sequence[object]", value)):
            _check_json_values(item, f"{where}[{index}]")
        return
    raise TypeError(
        f"{where} is a {type(value).__name__}, which cannot be sent as JSON. Pass strings, numbers,"
        " booleans, None, lists and dicts; for files use replicate.run() / use() (which upload them)"
        " or client.files.create() and pass the file's URL."
    )
