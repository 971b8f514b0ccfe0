"""Reading an answer: JSON into the pydantic model a `Call` names, a page, text or bytes.

Strict first (pydantic validates the JSON directly); an answer that does not read strictly is
read field by field (`_base/models.read_leniently`) unless the client asks for strict reading.
Used by `client._ClientBase._parse`; no I/O.
"""

from __future__ import annotations

import contextlib
import json
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Optional

import httpx

from .call import Call, CreatedPageCall, PageCall
from .low_level import JSON as _JSON
from .request import (
    adapter,
    page_body,
    parsed_item,
    parsed_leniently,
    read_json,
    typed_page,
    validation_error,
)

if TYPE_CHECKING:
    from .client import _ClientBase

__all__ = ["make_page", "parse"]


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
        # Read as JSON, and the items typed one at a time as they are handed over: the items
        # before a bad one arrive, and its error names it.
        try:
            data = adapter(page_body()).validate_python(read_json()(content))
        except ValueError as exc:
            raise validation_error(response, cast_to, exc) from None
        strict: Callable[[Any], Any] = adapter(cast_to).validator.validate_python
        read = (
            strict if client.strict_response_validation else partial(parsed_item, strict, cast_to, response)
        )

    def invalid(index: int, exc: Exception) -> Exception:
        return validation_error(response, cast_to, exc, item=index)

    if client._is_async:
        cls = (
            pagination.AsyncCursorURLPageWithCreatedFilters
            if isinstance(call, CreatedPageCall)
            else pagination.AsyncCursorURLPage
        )
    else:
        cls = (
            pagination.SyncCursorURLPageWithCreatedFilters
            if isinstance(call, CreatedPageCall)
            else pagination.SyncCursorURLPage
        )
    return cls(
        client=client,  # type: ignore[arg-type]
        items=data.get("results") or [],
        read=read,
        invalid=invalid,
        next=data.get("next"),
        previous=data.get("previous"),
        call=call,
    )
