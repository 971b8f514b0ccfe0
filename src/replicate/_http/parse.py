"""Reading an answer: JSON into the pydantic model a `Call` names, a page, text or bytes.

Strict first (pydantic validates the JSON directly); an answer that does not read strictly is
read field by field (`_base/models.read_leniently`) unless the client asks for strict reading.
Used by `client._ClientBase._parse`; no I/O.
"""

from __future__ import annotations

import contextlib
import json
from functools import cache, partial
from typing import TYPE_CHECKING, Any, Callable, List, Optional

import httpx

from .._base.errors import APIResponseValidationError
from .._base.logs import logger
from .call import Call, CreatedPageCall, PageCall
from .low_level import JSON as _JSON

if TYPE_CHECKING:
    from .client import _ClientBase


def parse(client: _ClientBase[Any], response: httpx.Response, call: Call[Any]) -> Any:
    """What `call` returns, read from its answer (the page, the model, the text, the bytes...)."""
    cast_to = call.cast_to
    if isinstance(call, PageCall):
        return make_page(client, response, call)
    if cast_to is None:
        return None
    if cast_to is httpx.Response:
        return response
    if cast_to is str:
        return response.text
    if cast_to is bytes:
        return response.content
    content = response.content
    try:
        if cast_to is _JSON:  # a low-level call without cast_to
            return json.loads(content) if content else None
        validate_json = getattr(cast_to, "model_validate_json", None)
        if validate_json is not None:
            if not getattr(cast_to, "_typed_from_json", True):
                return cast_to.model_validate(read_json()(content))
            return validate_json(content)
        return adapter(cast_to).validate_json(content)
    except ValueError as exc:  # pydantic's ValidationError and JSONDecodeError both are
        if client.strict_response_validation:
            raise validation_error(response, cast_to, exc) from None
        try:
            return parsed_leniently(cast_to, read_json()(content), response)
        except ValueError as unreadable:  # not JSON, or a field it cannot do without
            raise validation_error(response, cast_to, unreadable) from None


def make_page(client: _ClientBase[Any], response: httpx.Response, call: PageCall[Any]) -> Any:
    """A page of `call`'s results, typed one at a time as they are handed over when the whole
    page does not read strictly (so the items before a bad one arrive, and its error names it)."""
    from .. import pagination

    cast_to = call.cast_to
    content = response.content
    data: Any = None
    read: Optional[Callable[[Any], Any]] = None
    if getattr(cast_to, "_typed_from_json", True):
        with contextlib.suppress(ValueError):  # read again below, to name the part that is wrong
            data = adapter(typed_page(cast_to)).validate_json(content)
    if data is None:
        try:
            data = adapter(typed_page(Any)).validate_python(read_json()(content))  # items left as JSON
        except ValueError as exc:
            raise validation_error(response, cast_to, exc) from None
        strict: Callable[[Any], Any] = adapter(cast_to).validator.validate_python
        read = (
            strict if client.strict_response_validation else partial(parsed_item, strict, cast_to, response)
        )

    def invalid(index: int, exc: Exception) -> Exception:
        return validation_error(response, cast_to, exc, item=index)

    created = isinstance(call, CreatedPageCall)
    if client._is_async:
        cls = pagination.AsyncCursorURLPageWithCreatedFilters if created else pagination.AsyncCursorURLPage
    else:
        cls = pagination.SyncCursorURLPageWithCreatedFilters if created else pagination.SyncCursorURLPage
    return cls(
        client=client,  # type: ignore[arg-type]
        items=data.get("results") or [],
        read=read,
        invalid=invalid,
        next=data.get("next"),
        previous=data.get("previous"),
        call=call,
    )


def validation_error(
    response: httpx.Response, cast_to: Any, exc: Exception, *, item: Optional[int] = None
) -> APIResponseValidationError:
    name = getattr(cast_to, "__name__", None) or repr(cast_to)
    if cast_to is _JSON:
        name = "JSON (pass cast_to=str, bytes or httpx.Response to read other answers)"
    text = response.text
    snippet = text[:200] + ("…" if len(text) > 200 else "")
    lines = str(exc).strip().splitlines()
    # "1 validation error for Prediction" says little; the field and the problem do
    first = " ".join(line.strip() for line in lines[1:3]) if len(lines) > 1 else lines[0] if lines else ""
    first = first or type(exc).__name__
    request = f"{response.request.method} {response.request.url.path}"
    if item is not None:
        first = f"results[{item}]: {first}"
        request += f"?{response.request.url.query.decode()}" if response.request.url.query else ""
    return APIResponseValidationError(
        response,
        body=text,
        message=f"The API's answer to {request} could not be read as {name}: {first}. Body starts: {snippet!r}",
    )


def parsed_leniently(cast_to: Any, data: Any, response: httpx.Response) -> Any:
    """What a strict read refused, read field by field (see `_base/models.read_leniently`).

    Raises `ValueError` (`UnreadableFieldError` naming the field) if a needed field is unreadable.
    """
    from .._base.models import read_leniently  # here: `import replicate` does not load pydantic

    problems: List[str] = []
    value = read_leniently(cast_to, data, problems)
    logger.info(
        "Read %s %s leniently; left None: %s",
        response.request.method,
        response.request.url.path,
        "; ".join(problems[:10]),
    )
    return value


def parsed_item(read: Callable[[Any], Any], cast_to: Any, response: httpx.Response, item: Any) -> Any:
    """One item of a page, read strictly, else leniently."""
    try:
        return read(item)
    except ValueError:
        return parsed_leniently(cast_to, item, response)


@cache
def adapter(tp: Any) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(tp)


@cache
def typed_page(item: Any) -> Any:
    """A page of `item`s, read from its JSON in one pass (see pagination.py)."""
    from typing_extensions import TypedDict as _TypedDict

    # the item type is known only at run time: the functional form, out of the type checker's sight
    make: Any = _TypedDict
    return make(
        "Page",
        {"results": Optional[List[item]], "next": Optional[str], "previous": Optional[str]},
        total=False,
    )


@cache
def read_json() -> Callable[[bytes], Any]:
    """The fastest JSON reader at hand: pydantic-core's builds Python objects in one pass, ~25%
    faster than `json.loads` on a page of predictions (older pydantic-core has none)."""
    try:
        from pydantic_core import from_json
    except ImportError:
        return json.loads
    try:
        from_json(b'{"a": "b"}', cache_strings="keys")
    except TypeError:  # pydantic-core < 2.16 caches no strings
        return from_json
    # Keys repeat from item to item, values (ids, URLs, text) rarely: only keys are worth caching.
    return partial(from_json, cache_strings="keys")
