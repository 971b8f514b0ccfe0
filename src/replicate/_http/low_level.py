"""`client.request/get/post/...`: a request to an endpoint this library does not wrap, as a `Call`.

    client.post("/custom/endpoint", json={"key": "value"})                       httpx's keywords
    client.request(method="PATCH", url="/custom/endpoint", headers={...}, json={...})
    client.post("/custom/endpoint", body={...}, options={"timeout": 5})           this SDK's (v2's)

Both spellings are read here, checked before anything is sent (one path, one body, one source of
headers and of query), and become the same `Call` a resource method would make; the client then
sends it with the same auth (to the API host only), retries and errors.
"""

from __future__ import annotations

import datetime
import json as _json
import re
from collections.abc import Mapping
from typing import Any, Optional, Sequence, Union, cast

import httpx
from typing_extensions import TypedDict

from .._base.options import NotGiven, Omit, RequestOptions
from .call import Call, check_json, check_nesting

JSON: Any = object
"""`cast_to` when none is given: the answer's JSON, parsed (`_ClientBase._parse`)."""


class LowLevelOptions(TypedDict, total=False):
    """`options=` of `client.get/post/...`: per-request settings plus query and headers."""

    headers: Mapping[str, Any]
    params: Mapping[str, object]
    timeout: Union[float, httpx.Timeout, None]
    max_retries: int
    extra_json: Mapping[str, object]


class LowLevelRequest(TypedDict, total=False):
    """The keywords of `client.request/get/post/...`: httpx's names beside this SDK's own."""

    url: str
    """The path, as httpx calls it (instead of the first argument)."""
    json: object
    """A body sent as JSON."""
    body: object
    """The same as `json=` (this SDK's name); with `files=`, the form fields."""
    content: Union[str, bytes]
    """A body sent as it is."""
    files: Any
    """Multipart parts, as httpx takes them."""
    params: Mapping[str, object]
    """The query."""
    headers: Mapping[str, Any]
    """Headers to add; a value of None (or `omit`) removes a default header."""
    options: LowLevelOptions


_KEYWORDS = frozenset(LowLevelRequest.__annotations__)
_OPTIONS = frozenset(LowLevelOptions.__annotations__)
_METHOD = re.compile(r"[A-Za-z]+")
_QUERY_SCALARS = (str, int, float, bool, datetime.date, type(None))
_HINTS = {
    "data": "json= (a JSON body) or content= (str or bytes)",
    "timeout": "options={'timeout': ...}",
    "max_retries": "options={'max_retries': ...}",
}


def low_level_call(method: object, path: object, cast_to: Any, request: Mapping[str, Any]) -> Call[Any]:
    """The `Call` for `client.request(method, path, cast_to=..., **request)`, or a clear error."""
    unknown = sorted(request.keys() - _KEYWORDS)
    if unknown:
        hints = "".join(f"; for {name}= use {_HINTS[name]}" for name in unknown if name in _HINTS)
        raise TypeError(
            f"request() got unexpected keyword argument(s) {', '.join(unknown)}{hints}."
            f" It takes {', '.join(sorted(_KEYWORDS))} and cast_to"
        )
    if not isinstance(method, str) or not _METHOD.fullmatch(method):
        raise ValueError(f"method must be an HTTP method name such as 'GET' or 'PATCH', got {method!r}")
    path = _path(path, request.get("url"))
    options: Mapping[str, Any] = request.get("options") or {}
    if not isinstance(options, Mapping):
        raise TypeError(f"options= must be a dict, not {type(options).__name__}")
    wrong = sorted(options.keys() - _OPTIONS)
    if wrong:
        raise TypeError(f"Unknown request option(s) {wrong}; valid: {sorted(_OPTIONS)}")
    headers = _one_of("headers", request.get("headers"), options.get("headers"))
    params = _one_of("params", request.get("params"), options.get("params"))
    _check_headers(headers)
    _check_params(params)
    body, headers = _body(request, headers)
    request_options = RequestOptions()
    if "timeout" in options:
        request_options["timeout"] = options["timeout"]
    if "max_retries" in options:
        request_options["max_retries"] = options["max_retries"]
    if "extra_json" in options:
        request_options["extra_body"] = dict(options["extra_json"])
    return Call(
        method.upper(),
        path,
        cast_to,
        query=params,
        body=body,
        files=request.get("files"),
        headers=headers or {},
        options=request_options,
    )


def _path(path: object, url: object) -> str:
    if path is not None and url is not None:
        raise TypeError("Pass the path once: as the first argument or as url=, not both")
    given = path if path is not None else url
    if isinstance(given, httpx.URL):
        given = str(given)
    if not isinstance(given, str):
        if given is None:
            raise TypeError("A request needs a path: client.get('/account') or url='/account'")
        raise TypeError(f"The path must be a string, not {type(given).__name__}")
    if not given.strip():
        raise ValueError("The path is empty: pass one such as '/account'")
    if not given.startswith(("http://", "https://", "/")):
        given = "/" + given
    return given


def _one_of(name: str, keyword: Any, option: Any) -> Optional[Mapping[str, Any]]:
    if keyword is not None and option is not None:
        raise TypeError(f"Pass {name} once: as {name}= or in options={{'{name}': ...}}, not both")
    value: object = keyword if keyword is not None else option
    if value is not None and not isinstance(value, Mapping):
        raise TypeError(f"{name}= must be a dict, not {type(value).__name__}")
    return cast("Optional[Mapping[str, Any]]", value)


def _check_headers(headers: Optional[Mapping[Any, Any]]) -> None:
    for name, value in (headers or {}).items():
        if not isinstance(name, str):
            raise TypeError(f"Header names must be strings, not {type(name).__name__}")
        if not isinstance(value, (str, Omit, NotGiven, type(None))):
            # the value itself stays out of the message: headers carry secrets
            raise TypeError(f"The value of header {name!r} must be a string, not {type(value).__name__}")


def _check_params(params: Optional[Mapping[Any, Any]]) -> None:
    for name, value in cast("Mapping[object, object]", params or {}).items():
        kind = type(value).__name__
        values: Sequence[object] = (value,)
        if isinstance(value, (list, tuple)):
            values = cast("Sequence[object]", value)
        if not isinstance(name, str) or not all(isinstance(v, _QUERY_SCALARS) for v in values):
            raise TypeError(
                f"params[{name!r}] must be a string, number, boolean, date or a list of those, not {kind}"
            )


_FILE_VALUE = "bytes, str, an open file, or a (filename, content[, content_type]) tuple"


def _check_files(files: object) -> None:
    """`files=` as httpx takes it: a dict of name -> file, or a list of (name, file) pairs."""
    pairs: Sequence[object]
    if isinstance(files, Mapping):
        pairs = list(cast("Mapping[object, object]", files).items())
    elif isinstance(files, (list, tuple)):
        pairs = cast("Sequence[object]", files)
    else:
        raise TypeError(
            f"files= must be a dict of name -> file or a list of (name, file) pairs, not {type(files).__name__}"
        )
    for pair in pairs:
        kind = type(pair).__name__
        if not isinstance(pair, tuple) or len(cast("tuple[object, ...]", pair)) != 2:
            raise TypeError(f"files= as a list holds (name, file) pairs, not {kind}")
        name, value = cast("tuple[object, object]", pair)
        if not isinstance(name, str):
            raise TypeError(f"files= names must be strings, not {type(name).__name__}")
        if not (isinstance(value, (bytes, str, tuple)) or hasattr(value, "read")):
            raise TypeError(f"files[{name!r}] must be {_FILE_VALUE}, not {type(value).__name__}")


def _body(request: Mapping[str, Any], headers: Optional[Mapping[str, Any]]) -> tuple[Any, Any]:
    """The body to send, from whichever one of `json=`, `body=` and `content=` was given."""
    given = [name for name in ("json", "body", "content") if request.get(name) is not None]
    if len(given) > 1:
        raise TypeError(
            f"Pass one body, not {' and '.join(f'{name}=' for name in given)}: json= (or body=)"
            " is sent as JSON, content= (str or bytes) as it is"
        )
    if request.get("files") is not None:
        _check_files(request["files"])
        if given and given != ["body"]:
            raise TypeError(
                f"Pass {given[0]}= or files=, not both: files= sends a multipart body, whose form"
                " fields go in body= (a dict)"
            )
    if "content" in given:
        content = request["content"]
        if not isinstance(content, (str, bytes)):
            raise TypeError(
                f"content= must be str or bytes, not {type(content).__name__}; for JSON use json="
            )
        return content, headers
    if "json" in given:
        value = request["json"]
        check_json(value, "json=")
        if isinstance(value, str):
            # A str body is sent as it is (content); a JSON string needs its quotes.
            return _json.dumps(value), {"Content-Type": "application/json", **(headers or {})}
        return value, headers
    body = request.get("body")
    if body is not None and not isinstance(body, (str, bytes)):
        check_nesting(body, "body=")  # else json.dumps overflows the stack
    return body, headers
