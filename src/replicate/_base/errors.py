"""Errors raised by the client.

    ReplicateError                    anything this library raises on purpose
    ├── ClientClosedError             the client was closed (also a RuntimeError)
    ├── APIError                      something went wrong talking to the API
    │   ├── APIConnectionError        no usable response: DNS, refused, reset, TLS...
    │   │   └── APITimeoutError       the request took longer than its timeout
    │   ├── APIResponseValidationError  a response that is not what the API promises
    │   │   └── ResponseTooLargeError     a response body larger than the client reads
    │   └── APIStatusError            the API answered with a 4xx or 5xx status
    │       ├── BadRequestError             400
    │       ├── AuthenticationError         401
    │       ├── PermissionDeniedError       403
    │       ├── NotFoundError               404
    │       ├── ConflictError               409
    │       ├── UnprocessableEntityError    422
    │       ├── RateLimitError              429
    │       └── InternalServerError         >= 500
    └── ModelError                    a prediction ran and failed (run(), use())
        └── PredictionCanceledError   a prediction was canceled before it finished
            └── PredictionDeadlineError   ...by the client: it ran on past its `cancel_after` deadline

`may_have_been_created` is set on errors from requests that create something billable
(predictions, trainings) when the server may have acted on the request before it failed:
retrying could run the model twice, so the client does not, and says so. run() and use() set it
too when they created a prediction and then failed to follow it; the message gives its id.

Every error pickles (across a `multiprocessing` boundary, say) without the request's headers,
where the API token is: the request keeps its method and URL, the response its status, content
type and at most `PICKLED_BODY_LIMIT` characters of its body.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Type, cast

import httpx

if TYPE_CHECKING:
    from ..types import Prediction

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "InternalServerError",
    "ModelError",
    "NotFoundError",
    "PermissionDeniedError",
    "PredictionCanceledError",
    "PredictionDeadlineError",
    "RateLimitError",
    "ReplicateError",
    "ResponseTooLargeError",
    "UnprocessableEntityError",
]


PICKLED_BODY_LIMIT = 16 * 1024


class ReplicateError(Exception):
    """Base class of every error this library raises on purpose."""

    def __reduce__(self) -> Any:
        # Exception's own pickling calls `cls(*args)`, which these constructors do not take.
        return (_unpickle, (type(self), self.args), self._pickled_state())

    def _pickled_state(self) -> Dict[str, Any]:
        return dict(self.__dict__)


def _unpickle(cls: Type[ReplicateError], args: Tuple[Any, ...]) -> ReplicateError:
    return cls.__new__(cls, *args)  # sets `args`; pickle then sets the state's attributes


class ClientClosedError(ReplicateError, RuntimeError):
    """The client was closed: it makes no more requests. Create a new one."""


class APIError(ReplicateError):
    message: str
    request: httpx.Request
    body: object
    """The parsed JSON body of the response, its text if it was not JSON, or None."""
    may_have_been_created: bool

    def __init__(self, message: str, request: httpx.Request, *, body: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body
        self.may_have_been_created = False

    def _pickled_state(self) -> Dict[str, Any]:
        # the request without its headers (the token) or body (the input): what an error needs to say
        request = httpx.Request(self.request.method, self.request.url)
        state: Dict[str, Any] = {**super()._pickled_state(), "request": request, "body": _capped(self.body)}
        response = state.get("response")
        if isinstance(response, httpx.Response):
            state["response"] = _bare_response(response, request)
        return state


def _bare_response(response: httpx.Response, request: httpx.Request) -> httpx.Response:
    headers = {"content-type": response.headers["content-type"]} if "content-type" in response.headers else {}
    try:
        content = response.content[:PICKLED_BODY_LIMIT]
    except httpx.ResponseNotRead:
        content = b""
    return httpx.Response(response.status_code, headers=headers, content=content, request=request)


def _capped(body: object) -> object:
    if isinstance(body, str):
        return body[:PICKLED_BODY_LIMIT]
    if body is None or len(json.dumps(body, default=str)) <= PICKLED_BODY_LIMIT:
        return body
    return json.dumps(body, default=str)[:PICKLED_BODY_LIMIT]


class APIConnectionError(APIError):
    def __init__(self, *, message: str = "Connection error.", request: httpx.Request) -> None:
        super().__init__(message, request)


class APITimeoutError(APIConnectionError):
    def __init__(self, request: httpx.Request, *, message: str = "Request timed out.") -> None:
        super().__init__(message=message, request=request)


class APIResponseValidationError(APIError):
    response: httpx.Response
    status_code: int

    def __init__(self, response: httpx.Response, body: object, *, message: Optional[str] = None) -> None:
        super().__init__(
            message or "The API returned a response this client could not read.",
            response.request,
            body=body,
        )
        self.response = response
        self.status_code = response.status_code


class ResponseTooLargeError(APIResponseValidationError):
    """The answer's body, decoded, is larger than the client reads (`max_bytes`): a compressed
    body that inflates without end, say. Nothing of it is kept."""

    max_bytes: int

    def __init__(self, response: httpx.Response, max_bytes: int) -> None:
        request = response.request
        super().__init__(
            response,
            None,
            message=f"The API's answer to {request.method} {request.url.path} is larger than"
            f" {max_bytes // 2**20} MiB once decoded; it was not read.",
        )
        self.max_bytes = max_bytes


class APIStatusError(APIError):
    """The API answered with an error status. `.body` holds the problem details it sent."""

    response: httpx.Response
    status_code: int

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code = response.status_code

    @property
    def detail(self) -> Optional[str]:
        """The `detail` of the RFC 7807 problem body, when the API sent one."""
        if isinstance(self.body, dict):
            detail = self.body.get("detail")  # type: ignore[union-attr]
            return detail if isinstance(detail, str) else None
        return None


class BadRequestError(APIStatusError):
    status_code = 400


class AuthenticationError(APIStatusError):
    status_code = 401


class PermissionDeniedError(APIStatusError):
    status_code = 403


class NotFoundError(APIStatusError):
    status_code = 404


class ConflictError(APIStatusError):
    status_code = 409


class UnprocessableEntityError(APIStatusError):
    status_code = 422


class RateLimitError(APIStatusError):
    status_code = 429


class InternalServerError(APIStatusError):
    pass


class ModelError(ReplicateError):
    """A prediction ran and did not succeed. `.prediction` is its final state."""

    prediction: Prediction

    def __init__(self, prediction: Prediction, message: Optional[str] = None) -> None:
        self.prediction = prediction
        super().__init__(message or _describe_failure(prediction))


class PredictionCanceledError(ModelError):
    """The prediction was canceled (by a user, `cancel_after`, or a deadline) before it finished."""


class PredictionDeadlineError(PredictionCanceledError):
    """A wait gave up on a prediction still running `DEADLINE_GRACE` seconds past its `cancel_after`
    deadline (which the API should have kept), and canceled it. `.prediction` is its last state."""


def _describe_failure(prediction: Prediction) -> str:
    text = f"Prediction {prediction.id} {prediction.status}"
    if prediction.error:
        text += f": {prediction.error}"
    return text + logs_tail(prediction.logs)


def logs_tail(logs: Optional[str]) -> str:
    """The end of a failed prediction's logs, as a paragraph to append to its message ("" if none)."""
    lines = (logs or "").strip().splitlines()
    return "\n\nLast lines of the logs:\n" + "\n".join(lines[-20:]) if lines else ""


def connection_error(exc: httpx.RequestError, request: httpx.Request) -> APIConnectionError:
    """The error for a failure of httpx's: a timeout, a reset, a body that is not the gzip it
    says, a redirect loop... every one an `APIConnectionError` (`APITimeoutError` for timeouts)."""
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(request, message=f"Request timed out ({type(exc).__name__}).")
    if isinstance(exc, httpx.DecodingError):
        return APIConnectionError(message=f"The answer's body could not be decoded: {exc}", request=request)
    if isinstance(exc, httpx.TooManyRedirects):
        return APIConnectionError(message=f"Too many redirects: {exc}", request=request)
    return APIConnectionError(message=f"Connection error: {exc or type(exc).__name__}", request=request)


def note_may_have_been_created(error: APIError, note: str) -> APIError:
    """`error`, marked as from a request that may have created something, `note` saying what to do."""
    error.may_have_been_created = True
    error.message += note
    error.args = (error.message,)
    return error


# Each status class names its code; InternalServerError stands for every 5xx.
_STATUS_ERRORS = {c.status_code: c for c in APIStatusError.__subclasses__() if c is not InternalServerError}


def decode_error_body(response: httpx.Response) -> object:
    """The error body as JSON when it is JSON, else its text (an HTML error page, say)."""
    text = response.text
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def status_error(response: httpx.Response, body: object) -> APIStatusError:
    """The error to raise for an error response, with a message a person can act on."""
    code = response.status_code
    cls = _STATUS_ERRORS.get(code) or (InternalServerError if code >= 500 else APIStatusError)
    return cls(_status_message(response, body), response=response, body=body)


def _status_message(response: httpx.Response, body: object) -> str:
    code = response.status_code
    message = f"{code} {response.reason_phrase or ''}".strip()
    detail: Any = None
    problems: List[str] = []
    if isinstance(body, dict):
        fields = cast("Dict[str, Any]", body)
        detail = fields.get("detail") or fields.get("title") or fields.get("message")
        if detail is not None and not isinstance(detail, str):
            detail = json.dumps(detail)
        problems = _field_problems(fields)
    elif isinstance(body, str) and body.strip():
        detail = _snippet(body)
    if detail:
        message += ": " + shorten(detail, MESSAGE_DETAIL_LIMIT)
    if problems:
        message += shorten(" [" + "; ".join(problems) + "]", MESSAGE_DETAIL_LIMIT)
    if code == 401:
        message += (
            ". Check your API token: set the REPLICATE_API_TOKEN environment variable or pass"
            " bearer_token= to the client (tokens: https://replicate.com/account/api-tokens)."
        )
    return f"{message} ({response.request.method} {response.request.url.path})"


MESSAGE_DETAIL_LIMIT = 400
"""Characters of the server's explanation put in a message; `.body` keeps all of it."""


def shorten(text: str, limit: int) -> str:
    """`text`, cut to `limit` characters (the last an ellipsis) when it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _field_problems(body: Dict[str, Any], limit: int = 5) -> List[str]:
    """Which fields a 422 names (Replicate's `invalid_fields`, or a `validation` list)."""
    entries = body.get("invalid_fields") or body.get("validation")
    if not isinstance(entries, list):
        return []
    found: List[str] = []
    for entry in cast("List[Any]", entries)[:limit]:
        if isinstance(entry, dict):
            item = cast("Dict[str, Any]", entry)
            location = cast("List[object]", item.get("location") or [])
            where = item.get("field") or ".".join(str(part) for part in location)
            what = item.get("description") or item.get("message") or ""
            found.append(f"{where}: {what}" if where else str(what))
    return found


_RAW_TEXT_END = {"script": re.compile(r"</script", re.I), "style": re.compile(r"</style", re.I)}


def _snippet(text: str, limit: int = 200) -> str:
    """A one-line readable excerpt of a non-JSON body, with HTML tags (and scripts, styles) dropped.

    One pass forward, never back: a regex for "a tag" rescans the rest of the page from every
    `<` that has no `>`, and 60 KB of them took a second. It stops once it has `limit` characters.
    """
    words: List[str] = []
    length = 0
    pos, end = 0, len(text)
    while pos < end and length <= limit:
        opening = text.find("<", pos)
        for word in text[pos : opening if opening >= 0 else end].split():
            words.append(word)
            length += len(word) + 1
        if opening < 0:
            break
        name = text[opening + 1 : opening + 7].lower()
        raw = "script" if name == "script" else "style" if name[:5] == "style" else None
        if raw is not None and not text[opening + 1 + len(raw) : opening + 2 + len(raw)].isalnum():
            closing = _RAW_TEXT_END[raw].search(text, opening)
            if closing is None:
                break  # the rest of the page is script or style
            opening = closing.start()
        closing_angle = text.find(">", opening + 1)
        if closing_angle < 0:
            break  # an unclosed tag runs to the end
        pos = closing_angle + 1
    return shorten(" ".join(words), limit)
