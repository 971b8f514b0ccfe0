"""`_ClientBase`: a client's options, and every decision about its requests and answers; no I/O.

`_build_request(call)` makes the `httpx.Request`; `_exchange(call)` yields the steps of sending
it (`Send`, `Read`, `Sleep`), retrying as `RetryPolicy` says; `_parse` reads the answer.
`io.SyncClient` / `io.AsyncClient` perform the steps.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    ClassVar,
    Dict,
    Generator,
    Generic,
    Optional,
    TypeVar,
    Union,
    cast,
)

import httpx
from typing_extensions import Never, Self

from .._base.constants import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from .._base.errors import ClientClosedError, ReplicateError, ResponseTooLargeError, decode_error_body
from .._base.logs import logger
from .._base.options import NOT_GIVEN, NotGiven, Omit, TimeoutTypes
from . import pools as _pools
from .call import Call, check_nesting
from .endpoint import Sleep, Step
from .httpx_clients import our_headers
from .limits import MAX_ERROR_BODY_BYTES, BodyLimit, call_deadline
from .parse import parse
from .reconcile import SETTLE_AFTER_TIMEOUT, CreateLedger, CreateShape, find_created
from .request import (
    NOT_WRITTEN,
    check_max_retries,
    check_timeout,
    checked_base_url,
    checked_token,
    connection_error_for,
    form_fields,
    legacy_arguments,
    max_body_bytes,
    merge_headers,
    merged_json_body,
    origin,
    parsed_url,
    query_values,
    redact,
    retry_policy,
    status_error_for,
    unsendable_error,
)
from .retry import RetryPolicy
from .steps import Read, Send
from .throttle import Throttle

if TYPE_CHECKING:
    from .io import SyncClient

__all__ = ["_ClientBase"]  # imported by the layers above, despite its private name

ExchangeStep = Union[Send, Read, Sleep, Call[Any]]
"""What `_ClientBase._exchange` yields (see `steps.py`); `Call`s only to find a create."""

HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)
"""`httpx.Client` or `httpx.AsyncClient`: what `http_client=` must be."""


class _ClientBase(Generic[HttpT]):
    """What `SyncClient` and `AsyncClient` share: the options, building requests, the exchange."""

    bearer_token: str
    base_url: httpx.URL
    timeout: TimeoutTypes
    max_retries: int
    strict_response_validation: bool
    _http: HttpT
    _is_async: ClassVar[bool] = False
    _http_type: ClassVar[type]
    _default_http: ClassVar[Callable[..., Any]]

    def __init__(
        self,
        *legacy_args: Never,
        bearer_token: Optional[str] = None,
        base_url: Union[str, httpx.URL, None] = None,
        timeout: Union[TimeoutTypes, NotGiven] = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Optional[Mapping[str, Union[str, Omit]]] = None,
        default_query: Optional[Mapping[str, object]] = None,
        http_client: Optional[HttpT] = None,
        strict_response_validation: bool = False,
        reconcile_creates: bool = True,
        **legacy_options: Never,
    ) -> None:
        """All keyword-only; each defaults from the environment or `replicate._base.constants`.

        `bearer_token` defaults to `REPLICATE_API_TOKEN` (inside a Cog model, to the token of
        the current prediction), `base_url` to `REPLICATE_BASE_URL` or the public API (one
        without a path, as 1.x took it, means its `/v1`);
        `timeout` (seconds or an `httpx.Timeout`) to 60 s with 5 s to connect; `max_retries`
        to 2. `http_client` is your own configured httpx client (proxies, transports, limits).
        `strict_response_validation=True` makes an answer with a field that does not match its
        type fail the call (`APIResponseValidationError`, naming the field); by default such a
        field reads as None unless the object cannot do without it (an `id`, a `status`).
        `reconcile_creates=False` turns off finding out whether a create whose outcome is unknown
        made its prediction before trying again (see `_http/reconcile.py`): such creates then fail.
        """
        if legacy_args or legacy_options:
            raise legacy_arguments(type(self).__name__, len(legacy_args), legacy_options)
        if http_client is not None and not isinstance(http_client, self._http_type):
            raise TypeError(
                f"http_client must be an {self._http_type.__module__}.{self._http_type.__name__},"
                f" not {type(http_client).__name__}"
            )
        self.bearer_token = checked_token(bearer_token)
        self.base_url = checked_base_url(base_url)
        check_max_retries(max_retries)
        self.max_retries = max_retries
        self.timeout = DEFAULT_TIMEOUT if isinstance(timeout, NotGiven) else timeout
        check_timeout(self.timeout)
        self.strict_response_validation = strict_response_validation
        self._default_headers = dict(default_headers or {})
        merge_headers({}, self._default_headers)  # refuses values HTTP cannot carry, now rather than later
        self._default_query = dict(default_query or {})
        self._creates: Optional[CreateLedger] = CreateLedger() if reconcile_creates else None
        self._throttle: Optional[Throttle] = None
        """Set on a batch's own copy of the client (see `_running/batch.py`): every request waits its turn."""
        self._base = str(self.base_url)
        self._origin = origin(self.base_url)
        self._http = http_client or cast(HttpT, self._default_http(timeout=self.timeout))
        self._headers = our_headers()
        # Headers the httpx client already sends (ours, a DefaultHttpxClient, a copy's) are not
        # merged again per request: that merge was httpx's costliest step in building one.
        self._per_request_headers = {k: v for k, v in self._headers.items() if self._http.headers.get(k) != v}
        # The client is the root of its own resource tree (see ReplicateResources).
        self._client = self
        self._view = "plain"
        _pools.forget_in_child(self._http)

    # -- public helpers -------------------------------------------------------------------

    @property
    def default_headers(self) -> Dict[str, Union[str, Omit]]:
        return {**self._headers, "Authorization": "Bearer <redacted>", **self._default_headers}

    @property
    def default_query(self) -> Dict[str, object]:
        return dict(self._default_query)

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self._base!r}, bearer_token={redact(self.bearer_token)!r},"
            f" timeout={self.timeout!r}, max_retries={self.max_retries})"
        )

    def copy(
        self,
        *,
        bearer_token: Optional[str] = None,
        base_url: Union[str, httpx.URL, None] = None,
        timeout: Union[TimeoutTypes, NotGiven] = NOT_GIVEN,
        max_retries: Optional[int] = None,
        default_headers: Optional[Mapping[str, Union[str, Omit]]] = None,
        set_default_headers: Optional[Mapping[str, Union[str, Omit]]] = None,
        default_query: Optional[Mapping[str, object]] = None,
        set_default_query: Optional[Mapping[str, object]] = None,
        http_client: Optional[HttpT] = None,
        strict_response_validation: Optional[bool] = None,
        reconcile_creates: Optional[bool] = None,
    ) -> Self:
        """A new client with some options changed, sharing this one's connection pool.

        `default_headers` / `default_query` are merged into this client's; the `set_` forms
        replace them.
        """
        if default_headers is not None and set_default_headers is not None:
            raise ValueError("Pass default_headers (merged) or set_default_headers (replacing), not both")
        if default_query is not None and set_default_query is not None:
            raise ValueError("Pass default_query (merged) or set_default_query (replacing), not both")
        headers = dict(set_default_headers) if set_default_headers is not None else {**self._default_headers}
        headers.update(default_headers or {})
        query = dict(set_default_query) if set_default_query is not None else {**self._default_query}
        query.update(default_query or {})
        return type(self)(
            bearer_token=bearer_token or self.bearer_token,
            base_url=base_url or self.base_url,
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            max_retries=self.max_retries if max_retries is None else max_retries,
            default_headers=headers,
            default_query=query,
            http_client=http_client or self._http,
            strict_response_validation=(
                self.strict_response_validation
                if strict_response_validation is None
                else strict_response_validation
            ),
            reconcile_creates=self._creates is not None if reconcile_creates is None else reconcile_creates,
        )

    with_options = copy

    # -- building requests ------------------------------------------------------------------

    def _build_request(self, call: Call[Any]) -> httpx.Request:
        options = call.options
        path = call.path
        absolute = path.startswith(("http://", "https://"))
        target = parsed_url(path if absolute else self._base + path)

        headers: Dict[str, str] = dict(self._per_request_headers)
        on_api_host = not absolute or origin(target) == self._origin  # the token goes there only
        if on_api_host:
            headers["Authorization"] = f"Bearer {self.bearer_token}"
        if self._default_headers:
            merge_headers(headers, self._default_headers)
        if call.headers:
            merge_headers(headers, call.headers)
        extra_headers = options.get("extra_headers")
        if extra_headers:
            merge_headers(headers, extra_headers)

        params: Dict[str, Any] = {}
        if self._default_query:
            params.update(query_values(self._default_query))
        if call.query:
            params.update(query_values(call.query))
        extra_query = options.get("extra_query")
        if extra_query:
            params.update(query_values(extra_query))

        json_body: Any = None
        content: Any = None
        data: Any = None
        body = call.body
        extra_body = options.get("extra_body")
        if extra_body:
            check_nesting(extra_body, "extra_body")  # else encoding it overflows the stack
        if call.files is not None:
            data = {**form_fields(body), **form_fields(extra_body)}
        elif isinstance(body, (str, bytes)) and not extra_body:
            content = body
        elif body is not None or extra_body:
            json_body = merged_json_body(body, extra_body)

        timeout = options.get("timeout", NOT_GIVEN)
        if isinstance(timeout, NotGiven):
            timeout = self.timeout
        else:
            check_timeout(timeout)
        request = self._http.build_request(
            call.method,
            target,
            params=params or None,
            headers=headers,
            json=json_body,
            content=content,
            data=data,
            files=call.files,
            timeout=timeout,
        )
        if not on_api_host and not any(name.lower() == "authorization" for name in headers):
            # An `http_client=` with an Authorization header of its own: that, too, is for the API host only.
            request.headers.pop("Authorization", None)
        return request

    # -- one exchange, with retries ------------------------------------------------------------

    def _retry_policy(self, call: Call[Any]) -> RetryPolicy:
        max_retries = call.options.get("max_retries", NOT_GIVEN)
        if isinstance(max_retries, NotGiven):
            max_retries = self.max_retries
        check_max_retries(max_retries)
        return retry_policy(max_retries)

    def _exchange(self, call: Call[Any], *, stream: bool) -> Generator[ExchangeStep, Any, httpx.Response]:
        """Send `call`, retrying as the policy allows; returns a successful response.

        The body is read unless `stream`, within a deadline and a size cap (see `limits.py`):
        `timeout` bounds each attempt, from sending to the body's last byte, not each read.
        A driver performs each yielded step and sends back its result (or throws its
        exception) — see `steps.SyncDriver.drive`.
        """
        if self._http.is_closed:
            raise ClientClosedError(
                f"This {type(self).__name__} is closed (close() or its `with` block ended); create a new"
                " client to make requests"
            )
        policy = self._retry_policy(call)
        attempt = 0
        waited = 0.0
        # A create we can look for: when its outcome is unknown, find out before trying again.
        shape = CreateShape.of(call) if call.billable and self._creates is not None else None
        billable = call.billable and shape is None
        while True:
            request = self._build_request(call)
            failure: Optional[Exception] = None
            settle = 0.0
            if self._throttle is not None:
                yield Sleep(self._throttle.turn(call.billable))
            deadline = call_deadline(request.extensions.get("timeout"))
            sent_at = time.time()
            if shape is not None:
                self._creates.sending(shape)  # type: ignore[union-attr]
            try:
                response: httpx.Response = yield Send(request, deadline)
                if response.status_code < 400 and not stream:
                    yield Read(response, BodyLimit(deadline, max_body_bytes(call)))
            except NOT_WRITTEN as exc:
                # Refused by httpx itself: nothing was sent, and sending again would fail the same way.
                raise unsendable_error(exc, request) from None
            except httpx.RequestError as exc:
                delay = policy.delay_after_error(exc, attempt=attempt, billable=billable)
                if shape is not None and RetryPolicy.outcome_unknown(exc):
                    failure = connection_error_for(exc, request, call)
                    settle = SETTLE_AFTER_TIMEOUT if isinstance(exc, httpx.TimeoutException) else 0.0
                elif delay is None:
                    raise connection_error_for(exc, request, call) from exc
                reason: object = exc
            else:
                if response.status_code < 400:
                    logger.debug("%s %s -> %d", request.method, request.url, response.status_code)
                    if shape is not None and not stream:
                        self._creates.hold_answer(response.content)  # type: ignore[union-attr]
                    return response
                body: object = None
                try:
                    yield Read(response, BodyLimit(deadline, MAX_ERROR_BODY_BYTES))
                    body = decode_error_body(response)
                except (httpx.RequestError, ResponseTooLargeError):
                    pass  # the status alone decides; the body was only for the message
                delay = policy.delay_after_response(
                    response, body, attempt=attempt, waited=waited, billable=billable
                )
                if self._throttle is not None and response.status_code == 429:
                    self._throttle.pause(delay or 1.0, call.billable)
                if shape is not None and RetryPolicy.outcome_unknown(response):
                    failure = status_error_for(response, body, call)
                elif delay is None:
                    logger.debug("%s %s -> %d", request.method, request.url, response.status_code)
                    raise status_error_for(response, body, call)
                reason = response.status_code
            finally:
                if shape is not None:
                    self._creates.settled(shape)  # type: ignore[union-attr]
            failed_at = time.time() + settle  # no later than this does the server act on it
            logger.info("Retrying %s %s in %.2fs after %r", request.method, request.url, delay or 0, reason)
            if delay is not None:
                yield Sleep(max(delay, settle))
            if shape is not None and failure is not None:
                # Unknown outcome: carry on with the prediction if it was made, else create again.
                try:
                    find = find_created(
                        shape,
                        self._creates,  # type: ignore[arg-type]
                        sent_at,
                        settle=0.0 if delay else settle,
                        failed_at=failed_at,
                    )
                    found = yield from find  # its Calls and Sleeps, performed by the same driver
                except ReplicateError:
                    found = None
                    delay = None  # cannot tell: creating again could run the model twice
                if found is not None:
                    logger.info(
                        "%s %s: found its %s after %r", request.method, request.url, found.get("id"), failure
                    )
                    return httpx.Response(201, json=found, request=request)
                if delay is None:
                    raise failure
            assert delay is not None
            attempt += 1
            waited += delay

    # -- reading answers, and what the two clients perform ------------------------------------------

    def _parse(self, response: httpx.Response, call: Call[Any]) -> Any:
        return parse(self, response, call)

    _view_methods: ClassVar[Dict[str, str]] = {
        "plain": "_request",
        "raw": "_request_raw",
        "streamed": "_request_streamed",
    }

    def _executor(self, view: str) -> Callable[[Call[Any]], Any]:
        """How this client performs a call in a view (the method `_view_methods` names)."""
        return getattr(self, self._view_methods[view])

    def _blocking_client(self) -> SyncClient:
        """The sync client a blocking download (`os.fspath()` of a `use()` path output) goes through."""
        raise NotImplementedError

    def _run_steps(self, steps: Generator[Step, Any, Any]) -> Any:
        """Run a procedure's steps (see `endpoint.procedure`); the async client's returns a coroutine."""
        raise NotImplementedError
