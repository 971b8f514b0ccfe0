"""`Replicate` and `AsyncReplicate`: decide once, send twice.

    Replicate / AsyncReplicate          ← what users construct
        │  resource tree (`client.predictions.get`, ...) builds a `Call`
        ▼
    _ClientBase                         ← every decision, no I/O
        _build_request(call)   URL, query, JSON or multipart body, headers, auth, timeout
        _exchange(call)        a generator: yields "send"/"read"/"sleep" steps, applies
                               RetryPolicy between attempts, maps failures to errors
        _parse(response, call) JSON → pydantic model, page, str, bytes...
        ▼
    Replicate._drive / AsyncReplicate._drive   ← the only I/O: run those steps with
                                                 httpx.Client or httpx.AsyncClient

The two client classes differ only in how they perform a step (`send` vs `await send`), so
sync and async cannot drift apart.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import math
import os
import re
import time
from collections.abc import Mapping
from functools import cache, cached_property, lru_cache, partial
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncGenerator,
    AsyncIterator,
    Callable,
    ClassVar,
    Dict,
    Generator,
    Generic,
    Iterable,
    Iterator,
    List,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
    cast,
    overload,
)

import httpx
from typing_extensions import Literal, Never, Self

from ._base.constants import DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from ._base.downloads import remove_downloads
from ._base.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    ClientClosedError,
    ReplicateError,
    ResponseTooLargeError,
    connection_error,
    decode_error_body,
    note_may_have_been_created,
    status_error,
)
from ._base.logs import logger
from ._base.options import NOT_GIVEN, NotGiven, Omit, RequestOptions, TimeoutTypes
from ._base.platform import token_from_environment, user_agent
from ._http import pools as _pools
from ._http.call import BinaryCall, Call, CreatedPageCall, PageCall, check_nesting, drop_unset
from ._http.endpoint import (
    Async,
    E,
    Plain,
    Raw,
    Resource,
    Sleep,
    Step,
    Streamed,
    Sync,
    V,
    endpoint,
    last_response,
)
from ._http.httpx_clients import DefaultAsyncHttpxClient, DefaultHttpxClient
from ._http.limits import (
    MAX_ERROR_BODY_BYTES,
    MAX_JSON_BYTES,
    BodyLimit,
    aread_body,
    asend_within,
    call_deadline,
    read_body,
    send_within,
)
from ._http.low_level import JSON as _JSON
from ._http.low_level import LowLevelRequest, low_level_call
from ._http.reconcile import SETTLE_AFTER_TIMEOUT, CreateLedger, CreateShape, find_created
from ._http.retry import NEVER_SENT, RetryPolicy

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._http.response import APIResponse, AsyncAPIResponse
    from ._running.batch import BatchProgress, BatchResult
    from ._running.batch_limits import Throttle
    from ._running.use import AsyncFunction, Function, Input, Output
    from .resources.account import Account
    from .resources.collections import Collections
    from .resources.deployments import Deployments
    from .resources.files import Files
    from .resources.hardware import Hardware
    from .resources.models import Models
    from .resources.predictions import Predictions
    from .resources.trainings import Trainings
    from .resources.webhooks import Webhooks
    from .types import Prediction, SearchResponse

__all__ = ["AsyncReplicate", "DefaultAsyncHttpxClient", "DefaultHttpxClient", "Replicate"]

R = TypeVar("R")
HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)


# The steps `_exchange` asks a driver to perform.
_SEND = "send"
_READ = "read"
_SLEEP = "sleep"
ExchangeStep = Tuple[str, Any]


class ReplicateResources(Resource[E, V]):
    """The root of the resource tree: the namespaces and the top-level `search`."""

    with_raw_response: ReplicateResources[E, Raw]
    with_streaming_response: ReplicateResources[E, Streamed]

    @cached_property
    def predictions(self) -> Predictions[E, V]:
        from .resources.predictions import Predictions

        return Predictions(self._client, self._view)

    @cached_property
    def models(self) -> Models[E, V]:
        from .resources.models import Models

        return Models(self._client, self._view)

    @cached_property
    def deployments(self) -> Deployments[E, V]:
        from .resources.deployments import Deployments

        return Deployments(self._client, self._view)

    @cached_property
    def trainings(self) -> Trainings[E, V]:
        from .resources.trainings import Trainings

        return Trainings(self._client, self._view)

    @cached_property
    def files(self) -> Files[E, V]:
        from .resources.files import Files

        return Files(self._client, self._view)

    @cached_property
    def collections(self) -> Collections[E, V]:
        from .resources.collections import Collections

        return Collections(self._client, self._view)

    @cached_property
    def hardware(self) -> Hardware[E, V]:
        from .resources.hardware import Hardware

        return Hardware(self._client, self._view)

    @cached_property
    def account(self) -> Account[E, V]:
        from .resources.account import Account

        return Account(self._client, self._view)

    @cached_property
    def webhooks(self) -> Webhooks[E, V]:
        from .resources.webhooks import Webhooks

        return Webhooks(self._client, self._view)

    def _namespace_class(self) -> Any:
        # A client's raw and streamed views are plain resource trees, not more clients.
        return ReplicateResources

    @endpoint
    def search(
        self, *, query: str, limit: Union[int, NotGiven] = NOT_GIVEN, **options: Unpack[RequestOptions]
    ) -> Call[SearchResponse]:
        """Search models, collections and docs: `GET /search?query=...&limit=...`."""
        from .types import SearchResponse

        return Call("GET", "/search", SearchResponse, query={"query": query, "limit": limit}, options=options)


class _ClientBase(Generic[HttpT]):
    """Options and every decision about requests and responses; no I/O."""

    bearer_token: str
    base_url: httpx.URL
    timeout: TimeoutTypes
    max_retries: int
    strict_response_validation: bool
    _default_headers: Mapping[str, Union[str, Omit]]
    _default_query: Mapping[str, object]
    _http: HttpT
    _is_async: ClassVar[bool] = False
    _http_type: ClassVar[type]
    """`httpx.Client` or `httpx.AsyncClient`: what `http_client=` must be."""
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
        made its prediction before trying again (see `_reconcile`): such creates then fail.
        """
        if legacy_args or legacy_options:
            raise _legacy_arguments(type(self).__name__, len(legacy_args), legacy_options)
        if http_client is not None and not isinstance(http_client, self._http_type):
            raise TypeError(
                f"http_client must be an {self._http_type.__module__}.{self._http_type.__name__},"
                f" not {type(http_client).__name__}"
            )
        if bearer_token is None:
            bearer_token = token_from_environment()
        bearer_token = _checked_token(bearer_token) if bearer_token is not None else None
        if not bearer_token:
            raise ReplicateError(
                "No API token: set the REPLICATE_API_TOKEN environment variable or pass"
                " bearer_token= to the client (create a token at https://replicate.com/account/api-tokens)."
            )
        if base_url is None:
            base_url = os.environ.get("REPLICATE_BASE_URL") or DEFAULT_BASE_URL
        url = _checked_base_url(str(base_url))
        if url.raw_path in (b"", b"/"):
            # The 1.x form (https://api.replicate.com): the API lives under /v1, as 1.x knew.
            url = url.copy_with(raw_path=b"/v1")
        _check_max_retries(max_retries)
        if isinstance(timeout, NotGiven):
            timeout = DEFAULT_TIMEOUT
        _check_timeout(timeout)
        self.bearer_token = bearer_token
        self.base_url = url
        self.timeout = timeout
        self.max_retries = max_retries
        self.strict_response_validation = strict_response_validation
        self._default_headers = dict(default_headers or {})
        _merge_headers({}, self._default_headers)  # refuses values HTTP cannot carry, now rather than later
        self._default_query = dict(default_query or {})
        self._creates: Optional[CreateLedger] = CreateLedger() if reconcile_creates else None
        self._throttle: Optional[Throttle] = None
        """Set on a batch's own copy of the client (see `_batch`): every request waits its turn."""
        self._base = str(url)
        self._origin = _origin(url)
        self._headers = {"Accept": "application/json", "User-Agent": user_agent()}
        # Headers the httpx client already sends (ours, a DefaultHttpxClient, a copy's) are not
        # merged again per request: that merge was httpx's costliest step in building one.
        self._per_request_headers: Dict[str, str] = (
            {name: value for name, value in self._headers.items() if http_client.headers.get(name) != value}
            if http_client
            else {}
        )
        self._http = http_client or cast(HttpT, self._default_http(timeout=timeout))
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

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self._base!r}, bearer_token={_redact(self.bearer_token)!r},"
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
        target = _parsed_url(path if absolute else self._base + path)

        headers: Dict[str, str] = dict(self._per_request_headers)
        on_api_host = not absolute or self._on_api_host(target)
        if on_api_host:
            headers["Authorization"] = f"Bearer {self.bearer_token}"
        if self._default_headers:
            _merge_headers(headers, self._default_headers)
        if call.headers:
            _merge_headers(headers, call.headers)
        extra_headers = options.get("extra_headers")
        if extra_headers:
            _merge_headers(headers, extra_headers)

        params: Dict[str, Any] = {}
        if self._default_query:
            params.update(_query_values(self._default_query))
        if call.query:
            params.update(_query_values(call.query))
        extra_query = options.get("extra_query")
        if extra_query:
            params.update(_query_values(extra_query))

        json_body: Any = None
        content: Any = None
        data: Any = None
        body = call.body
        extra_body = options.get("extra_body")
        if extra_body:
            check_nesting(extra_body, "extra_body")  # else encoding it overflows the stack
        if call.files is not None:
            data = {**_form_fields(body), **_form_fields(extra_body)}
        elif isinstance(body, (str, bytes)):
            if extra_body:
                raise TypeError(
                    "extra_body can only be merged into a JSON object body; this request sends text"
                )
            content = body
        elif body is not None or extra_body:
            json_body = _json_body(body, extra_body)

        timeout = options.get("timeout", NOT_GIVEN)
        if isinstance(timeout, NotGiven):
            timeout = self.timeout
        else:
            _check_timeout(timeout)
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

    def _on_api_host(self, url: Union[str, httpx.URL]) -> bool:
        """Whether absolute `url` is on the configured API host: the token goes there and nowhere else."""
        return _origin(url if isinstance(url, httpx.URL) else httpx.URL(url)) == self._origin

    # -- one exchange, with retries ------------------------------------------------------------

    def _retry_policy(self, call: Call[Any]) -> RetryPolicy:
        max_retries = call.options.get("max_retries", NOT_GIVEN)
        if isinstance(max_retries, NotGiven):
            max_retries = self.max_retries
        _check_max_retries(max_retries)
        return _retry_policy(max_retries)

    def _exchange(self, call: Call[Any], *, stream: bool) -> Generator[ExchangeStep, Any, httpx.Response]:
        """Send `call`, retrying as the policy allows; returns a successful response.

        The body is read unless `stream`, within a deadline and a size cap (see `_limits`):
        `timeout` bounds each attempt, from sending to the body's last byte, not each read.
        A driver performs each yielded step and sends back its result (or throws its
        exception) — see `Replicate._drive`.
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
                yield _SLEEP, self._throttle.turn(call.billable)
            deadline = call_deadline(request.extensions.get("timeout"))
            sent_at = time.time()
            if shape is not None:
                self._creates.sending(shape)  # type: ignore[union-attr]
            try:
                response: httpx.Response = yield _SEND, (request, deadline)
                if response.status_code < 400 and not stream:
                    yield _READ, (response, BodyLimit(deadline, _max_body_bytes(call)))
            except _NOT_WRITTEN as exc:
                # Refused by httpx itself: nothing was sent, and sending again would fail the same way.
                raise _unsendable_error(exc, request) from None
            except httpx.RequestError as exc:
                delay = policy.delay_after_error(exc, attempt=attempt, billable=billable)
                if shape is not None and not isinstance(exc, NEVER_SENT):
                    failure = _connection_error(exc, request, call)
                    settle = SETTLE_AFTER_TIMEOUT if isinstance(exc, httpx.TimeoutException) else 0.0
                elif delay is None:
                    raise _connection_error(exc, request, call) from exc
                logger.info("Retrying %s %s in %.2fs after %r", request.method, request.url, delay or 0, exc)
            else:
                if response.status_code < 400:
                    logger.debug("%s %s -> %d", request.method, request.url, response.status_code)
                    if shape is not None and not stream:
                        self._creates.hold_answer(response.content)  # type: ignore[union-attr]
                    return response
                body: object = None
                try:
                    yield _READ, (response, BodyLimit(deadline, MAX_ERROR_BODY_BYTES))
                    body = decode_error_body(response)
                except (httpx.RequestError, ResponseTooLargeError):
                    pass  # the status alone decides; the body was only for the message
                delay = policy.delay_after_response(
                    response, body, attempt=attempt, waited=waited, billable=billable
                )
                if self._throttle is not None and response.status_code == 429:
                    self._throttle.pause(delay or 1.0, call.billable)
                status = response.status_code
                said_retry = response.headers.get("x-should-retry") == "true"  # so it did not act
                if shape is not None and (status >= 500 or status in (408, 409)) and not said_retry:
                    failure = _status_error(response, body, call)
                elif delay is None:
                    logger.debug("%s %s -> %d", request.method, request.url, response.status_code)
                    raise _status_error(response, body, call)
                logger.info(
                    "Retrying %s %s in %.2fs after %d",
                    request.method,
                    request.url,
                    delay or 0,
                    response.status_code,
                )
            finally:
                if shape is not None:
                    self._creates.settled(shape)  # type: ignore[union-attr]
            failed_at = time.time() + settle  # no later than this does the server act on it
            if delay is not None:
                yield _SLEEP, max(delay, settle)
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
                    found = yield from self._steps_as_exchange(find)
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

    def _steps_as_exchange(self, steps: Generator[Any, Any, R]) -> Generator[ExchangeStep, Any, R]:
        """Run `Call`/`Sleep` steps (see `_reconcile.find_created`) inside an exchange."""
        result: Any = None
        try:
            step = next(steps)
            while True:
                if isinstance(step, Sleep):
                    yield _SLEEP, step.seconds
                    step = steps.send(None)
                    continue
                try:
                    result = self._parse((yield from self._exchange(step, stream=False)), step)
                except Exception as exc:
                    step = steps.throw(exc)
                else:
                    step = steps.send(result)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]

    # -- reading answers ------------------------------------------------------------------------

    def _parse(self, response: httpx.Response, call: Call[Any]) -> Any:
        cast_to = call.cast_to
        if isinstance(call, PageCall):
            return self._make_page(response, call)
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
                    return cast_to.model_validate(_read_json()(content))
                return validate_json(content)
            return _adapter(cast_to).validate_json(content)
        except ValueError as exc:  # pydantic's ValidationError and JSONDecodeError both are
            if self.strict_response_validation:
                raise _validation_error(response, cast_to, exc) from None
            try:
                return _read_leniently(cast_to, _read_json()(content), response)
            except ValueError as unreadable:  # not JSON, or a field it cannot do without
                raise _validation_error(response, cast_to, unreadable) from None

    def _make_page(self, response: httpx.Response, call: PageCall[Any]) -> Any:
        from . import pagination

        cast_to = call.cast_to
        content = response.content
        data: Any = None
        read: Optional[Callable[[Any], Any]] = None
        if getattr(cast_to, "_typed_from_json", True):
            with contextlib.suppress(ValueError):  # read again below, to name the part that is wrong
                data = _adapter(_typed_page(cast_to)).validate_json(content)
        if data is None:
            # Read as JSON, and the items typed one at a time as they are handed over: the items
            # before a bad one arrive, and its error names it.
            try:
                data = _adapter(_page_body()).validate_python(_read_json()(content))
            except ValueError as exc:
                raise _validation_error(response, cast_to, exc) from None
            strict: Callable[[Any], Any] = _adapter(cast_to).validator.validate_python
            read = (
                strict if self.strict_response_validation else partial(_read_item, strict, cast_to, response)
            )

        def invalid(index: int, exc: Exception) -> Exception:
            return _validation_error(response, cast_to, exc, item=index)

        if isinstance(self, AsyncReplicate):
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
            client=self,  # type: ignore[arg-type]
            items=data.get("results") or [],
            read=read,
            invalid=invalid,
            next=data.get("next"),
            previous=data.get("previous"),
            call=call,
        )

    def _executor(self, view: str) -> Callable[[Call[Any]], Any]:
        """How this client performs a call in a view ("plain", "raw", "streamed")."""
        raise NotImplementedError

    def _run_steps(self, steps: Generator[Step, Any, Any]) -> Any:
        """Run a procedure's steps (see `_resource.procedure`)."""
        raise NotImplementedError

    def _run_steps_for_response(self, steps: Generator[Step, Any, Any], view: str) -> Any:
        """Run a procedure's steps for its raw ("raw") or streamed ("streamed") form."""
        raise NotImplementedError

    @overload
    def use(
        self: Replicate,
        ref: Any,
        *,
        hint: Optional[Callable[Input, Output]] = None,
        streaming: Literal[False] = False,
        progress: Optional[Callable[[Prediction], object]] = None,
    ) -> Function[Input, Output]: ...
    @overload
    def use(
        self: Replicate,
        ref: Any,
        *,
        hint: Optional[Callable[Input, Output]] = None,
        streaming: Literal[True],
        progress: Optional[Callable[[Prediction], object]] = None,
    ) -> Function[Input, Iterator[Output]]: ...
    @overload
    def use(
        self: AsyncReplicate,
        ref: Any,
        *,
        hint: Optional[Callable[Input, Output]] = None,
        streaming: Literal[False] = False,
        progress: Optional[Callable[[Prediction], object]] = None,
    ) -> AsyncFunction[Input, Output]: ...
    @overload
    def use(
        self: AsyncReplicate,
        ref: Any,
        *,
        hint: Optional[Callable[Input, Output]] = None,
        streaming: Literal[True],
        progress: Optional[Callable[[Prediction], object]] = None,
    ) -> AsyncFunction[Input, AsyncIterator[Output]]: ...
    def use(
        self,
        ref: Any,
        *,
        hint: Any = None,
        streaming: bool = False,
        progress: Optional[Callable[[Prediction], object]] = None,
    ) -> Any:
        """A model as a Python function (an async one on `AsyncReplicate`). See `replicate._running.use`.

        `hint=` (a function with the model's signature) types it: `Function[(prompt: str), str]`.
        """
        from ._running.use import use

        return use(ref, hint=hint, streaming=streaming, client=self, progress=progress)


class Replicate(_ClientBase[httpx.Client], ReplicateResources[Sync, Plain]):
    """A synchronous client for Replicate's HTTP API.

    >>> client = Replicate()  # reads REPLICATE_API_TOKEN
    >>> client.predictions.get(prediction_id="...")
    """

    _http_type = httpx.Client
    _default_http = DefaultHttpxClient

    def _executor(self, view: str) -> Callable[[Call[Any]], Any]:
        if view == "raw":
            return self._request_raw
        if view == "streamed":
            return self._request_streamed
        return self._request

    # -- the I/O ---------------------------------------------------------------------------------

    def _drive(self, steps: Generator[ExchangeStep, Any, httpx.Response]) -> httpx.Response:
        http = self._http
        step = next(steps)
        while True:
            kind, arg = step
            try:
                if kind is _SEND:
                    result: Any = send_within(http, *arg)
                elif kind is _READ:
                    result = read_body(*arg)
                else:
                    result = time.sleep(arg)
            except Exception as exc:
                try:
                    step = steps.throw(exc)
                except StopIteration as done:
                    return done.value
            else:
                try:
                    step = steps.send(result)
                except StopIteration as done:
                    return done.value

    def _send(self, call: Call[Any], *, stream: bool = False) -> httpx.Response:
        return self._drive(self._exchange(call, stream=stream))

    def _request(self, call: Call[Any]) -> Any:
        if isinstance(call, PageCall):
            return self._request_page(call)
        if isinstance(call, BinaryCall):
            return self._request_raw(call)
        return self._parse(self._send(call), call)

    def _request_page(self, call: Call[Any]) -> Any:
        return self._make_page(self._send(call), call)  # type: ignore[arg-type]

    def _request_raw(self, call: Call[Any]) -> APIResponse[Any]:
        from ._http.response import APIResponse, BinaryAPIResponse

        if isinstance(call, BinaryCall):
            return BinaryAPIResponse(self._send(call), client=self, call=call)
        return APIResponse[Any](self._send(call), client=self, call=call)

    @contextlib.contextmanager
    def _request_streamed(self, call: Call[Any]) -> Generator[APIResponse[Any], None, None]:
        from ._http.response import APIResponse, StreamedBinaryAPIResponse

        response = self._send(call, stream=True)
        cls = StreamedBinaryAPIResponse if isinstance(call, BinaryCall) else APIResponse
        try:
            yield cls(response, client=self, call=call)
        finally:
            response.close()

    def _run_steps(self, steps: Generator[Step, Any, R]) -> R:
        """Run a procedure (see `_resource.procedure`) with the step driver of `_steps`."""
        from ._http.steps import complete

        return complete(self, steps)

    def _run_steps_for_response(self, steps: Generator[Step, Any, Any], view: str) -> Any:
        """A procedure's raw (or streamed) form: the response of its last call, already read."""
        from ._http.response import APIResponse

        response, call = self._run_steps(last_response(steps, self._parse))
        wrapped = APIResponse[Any](response, client=self, call=call)
        return wrapped if view == "raw" else contextlib.nullcontext(wrapped)

    # -- running models (see _running/run.py, _running/use.py, _running/stream.py) ------------------------------------------

    def run(
        self,
        ref: Any,
        *,
        input: Optional[Mapping[str, Any]] = None,
        wait: Union[bool, int, NotGiven] = NOT_GIVEN,
        use_file_output: bool = True,
        file_encoding_strategy: Optional[str] = None,
        progress: Optional[Callable[[Prediction], object]] = None,
        **params: Any,
    ) -> Any:
        """Run a model and return its output (never a `Prediction`). See `replicate._running.run`.

        `wait=True` (the default) holds the create request open (`Prefer: wait`), `wait=N` for at
        most N seconds (1 to 60), `wait=False` not at all; either way the prediction is followed
        to its end and its output returned. An iterator output is a list (iterate it again, or
        `"".join()` it); file outputs are `FileOutput`s (`use_file_output=False`: their URLs). A
        failed prediction raises `ModelError`. To start one without waiting, use
        `predictions.create(...)` or `use(ref).create(...)`.

        `progress(prediction)` is called as the prediction starts, changes and ends.

        `run()` follows a running prediction as long as it runs (models may run for hours);
        `timeout` bounds each request, not the wait. To bound the wait, pass `cancel_after="5m"`
        (the `Cancel-After` header): the API cancels the prediction at that deadline, and a
        prediction still running `DEADLINE_GRACE` (30) seconds later is canceled by the client,
        which raises `PredictionDeadlineError`.
        """
        # Imported here, as it is not needed to construct a client; absolute, because a relative
        # import in a function resolves its package in Python on every call (~1 µs of each run()).
        import replicate._running.run

        return replicate._running.run.run(
            self,
            ref,
            input=input,
            wait=wait,
            use_file_output=use_file_output,
            file_encoding_strategy=file_encoding_strategy,
            progress=progress,
            **params,
        )

    def stream(self, ref: Any, *, input: Optional[Mapping[str, Any]] = None, **params: Any) -> Iterator[str]:
        """Deprecated: the output's text chunks (`str`) as they come. Use `use(ref, streaming=True)`.

        Logs are not mixed in. A model whose output does not stream (not an iterator, or an event
        stream carrying only `done`) gives its whole output once.
        """
        from ._running.stream import stream

        return stream(self, ref, input=input, **params)

    def run_many(
        self,
        ref: Any,
        inputs: Iterable[Mapping[str, Any]],
        *,
        concurrency: int = 10,
        journal: Union[str, os.PathLike[str], None] = None,
        ordered: bool = True,
        progress: Optional[Callable[[BatchProgress], object]] = None,
        **options: Any,
    ) -> Iterator[BatchResult]:
        """Run a model once per input, `concurrency` at a time: an iterator of `BatchResult`s.

        See `replicate._running.batch` (journal, rate limits, stopping early).
        """
        from ._running.batch_run import run_many

        return run_many(
            self,
            ref,
            inputs,
            concurrency=concurrency,
            journal=journal,
            ordered=ordered,
            progress=progress,
            **options,
        )

    # -- lifecycle -----------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool and remove the files `use()` downloaded; the client is done."""
        self._http.close()
        remove_downloads(self)

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- low-level requests ----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: Optional[str] = None,
        *,
        cast_to: Type[R] = _JSON,
        **request: Unpack[LowLevelRequest],
    ) -> R:
        """Any request, with this client's auth, retries and errors (for endpoints not wrapped here).

        `client.request("PATCH", "/custom/endpoint", json={...}, headers={...})`. The path
        (`path`, or `url=` as httpx calls it) is relative to `base_url` or an absolute URL; the
        token goes only to the API's host. The body is `json=` (or `body=`), `content=` (str or
        bytes, sent as they are) or `files=` (multipart, its form fields in `body=`); `params=` is
        the query. Without `cast_to` the result is the answer's JSON, parsed (None for an empty
        answer); pass `cast_to=` a pydantic model, `str`, `bytes` or `httpx.Response` to read it
        otherwise.
        """
        return self._request(low_level_call(method, path, cast_to, request))

    def get(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("GET", path, ...)`: the parsed JSON answer unless `cast_to` says otherwise."""
        return self.request("GET", path, cast_to=cast_to, **request)

    def post(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("POST", path, ...)`: `client.post("/custom/endpoint", json={"key": "value"})`."""
        return self.request("POST", path, cast_to=cast_to, **request)

    def patch(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("PATCH", path, ...)`."""
        return self.request("PATCH", path, cast_to=cast_to, **request)

    def put(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("PUT", path, ...)`."""
        return self.request("PUT", path, cast_to=cast_to, **request)

    def delete(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("DELETE", path, ...)`."""
        return self.request("DELETE", path, cast_to=cast_to, **request)


class AsyncReplicate(_ClientBase[httpx.AsyncClient], ReplicateResources[Async, Plain]):
    """An asyncio client for Replicate's HTTP API; every method is awaited.

    >>> async with AsyncReplicate() as client:
    ...     prediction = await client.predictions.get(prediction_id="...")
    """

    _is_async = True
    _http_type = httpx.AsyncClient
    _default_http = DefaultAsyncHttpxClient

    def _executor(self, view: str) -> Callable[[Call[Any]], Any]:
        if view == "raw":
            return self._request_raw
        if view == "streamed":
            return self._request_streamed
        return self._request_or_paginate

    # -- the I/O ---------------------------------------------------------------------------------

    async def _drive(self, steps: Generator[ExchangeStep, Any, httpx.Response]) -> httpx.Response:
        http = self._http
        _pools.check_event_loop(http, type(self).__name__)
        step = next(steps)
        while True:
            kind, arg = step
            try:
                if kind is _SEND:
                    result: Any = await asend_within(http, *arg)
                elif kind is _READ:
                    result = await aread_body(*arg)
                else:
                    import anyio

                    result = await anyio.sleep(arg)
            except Exception as exc:
                try:
                    step = steps.throw(exc)
                except StopIteration as done:
                    return done.value
            else:
                try:
                    step = steps.send(result)
                except StopIteration as done:
                    return done.value

    async def _send(self, call: Call[Any], *, stream: bool = False) -> httpx.Response:
        return await self._drive(self._exchange(call, stream=stream))

    def _request_or_paginate(self, call: Call[Any]) -> Any:
        if isinstance(call, PageCall):
            from .pagination import AsyncPaginator

            return AsyncPaginator[Any, Any](lambda: self._request_page(call))
        return self._request(call)

    async def _request(self, call: Call[Any]) -> Any:
        if isinstance(call, PageCall):
            return await self._request_page(call)
        if isinstance(call, BinaryCall):
            return await self._request_raw(call)
        return self._parse(await self._send(call), call)

    async def _request_page(self, call: Call[Any]) -> Any:
        return self._make_page(await self._send(call), call)  # type: ignore[arg-type]

    async def _request_raw(self, call: Call[Any]) -> AsyncAPIResponse[Any]:
        from ._http.response import AsyncAPIResponse, AsyncBinaryAPIResponse

        if isinstance(call, BinaryCall):
            return AsyncBinaryAPIResponse(await self._send(call), client=self, call=call)
        return AsyncAPIResponse[Any](await self._send(call), client=self, call=call)

    @contextlib.asynccontextmanager
    async def _request_streamed(self, call: Call[Any]) -> AsyncGenerator[AsyncAPIResponse[Any], None]:
        from ._http.response import AsyncAPIResponse, AsyncStreamedBinaryAPIResponse

        response = await self._send(call, stream=True)
        cls = AsyncStreamedBinaryAPIResponse if isinstance(call, BinaryCall) else AsyncAPIResponse
        try:
            yield cls(response, client=self, call=call)
        finally:
            await response.aclose()

    async def _run_steps(self, steps: Generator[Step, Any, R]) -> R:
        """Run a procedure (see `_resource.procedure`) with the step driver of `_steps`."""
        from ._http.steps import async_complete

        return await async_complete(self, steps)

    def _run_steps_for_response(self, steps: Generator[Step, Any, Any], view: str) -> Any:
        """A procedure's raw (or streamed) form: the response of its last call, already read."""
        from ._http.response import AsyncAPIResponse

        async def raw() -> AsyncAPIResponse[Any]:
            response, call = await self._run_steps(last_response(steps, self._parse))
            return AsyncAPIResponse[Any](response, client=self, call=call)

        @contextlib.asynccontextmanager
        async def streamed() -> AsyncGenerator[AsyncAPIResponse[Any], None]:
            yield await raw()

        return raw() if view == "raw" else streamed()

    # -- running models (see _running/run.py, _running/use.py, _running/stream.py) ------------------------------------------

    async def run(
        self,
        ref: Any,
        *,
        input: Optional[Mapping[str, Any]] = None,
        wait: Union[bool, int, NotGiven] = NOT_GIVEN,
        use_file_output: bool = True,
        file_encoding_strategy: Optional[str] = None,
        progress: Optional[Callable[[Prediction], object]] = None,
        **params: Any,
    ) -> Any:
        """Run a model and return its output (never a `Prediction`). See `replicate._running.run`.

        `wait=True` (the default) holds the create request open (`Prefer: wait`), `wait=N` for at
        most N seconds (1 to 60), `wait=False` not at all; either way the prediction is followed
        to its end and its output returned. An iterator output is a list (iterate it again, or
        `"".join()` it); file outputs are `FileOutput`s (`use_file_output=False`: their URLs). A
        failed prediction raises `ModelError`. To start one without waiting, use
        `predictions.create(...)` or `use(ref).create(...)`.

        `progress(prediction)` is called as the prediction starts, changes and ends.
        """
        import replicate._running.run  # see Replicate.run

        return await replicate._running.run.async_run(
            self,
            ref,
            input=input,
            wait=wait,
            use_file_output=use_file_output,
            file_encoding_strategy=file_encoding_strategy,
            progress=progress,
            **params,
        )

    async def stream(
        self, ref: Any, *, input: Optional[Mapping[str, Any]] = None, **params: Any
    ) -> AsyncIterator[str]:
        """Deprecated: the output's text chunks (`str`) as they come. Use `use(ref, streaming=True)`.

        Logs are not mixed in. A model whose output does not stream (not an iterator, or an event
        stream carrying only `done`) gives its whole output once.
        """
        from ._running.stream import async_stream

        return await async_stream(self, ref, input=input, **params)

    def run_many(
        self,
        ref: Any,
        inputs: Iterable[Mapping[str, Any]],
        *,
        concurrency: int = 10,
        journal: Union[str, os.PathLike[str], None] = None,
        ordered: bool = True,
        progress: Optional[Callable[[BatchProgress], object]] = None,
        **options: Any,
    ) -> AsyncIterator[BatchResult]:
        """Run a model once per input, `concurrency` at a time: an async iterator of `BatchResult`s.

        See `replicate._running.batch` (journal, rate limits, stopping early).
        """
        from ._running.batch_run import async_run_many

        return async_run_many(
            self,
            ref,
            inputs,
            concurrency=concurrency,
            journal=journal,
            ordered=ordered,
            progress=progress,
            **options,
        )

    # -- lifecycle -----------------------------------------------------------------------------------

    async def close(self) -> None:
        """Close the connection pool and remove the files `use()` downloaded; the client is done."""
        await self._http.aclose()
        remove_downloads(self)

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- low-level requests ----------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: Optional[str] = None,
        *,
        cast_to: Type[R] = _JSON,
        **request: Unpack[LowLevelRequest],
    ) -> R:
        """Any request, with this client's auth, retries and errors (for endpoints not wrapped here).

        `client.request("PATCH", "/custom/endpoint", json={...}, headers={...})`. The path
        (`path`, or `url=` as httpx calls it) is relative to `base_url` or an absolute URL; the
        token goes only to the API's host. The body is `json=` (or `body=`), `content=` (str or
        bytes, sent as they are) or `files=` (multipart, its form fields in `body=`); `params=` is
        the query. Without `cast_to` the result is the answer's JSON, parsed (None for an empty
        answer); pass `cast_to=` a pydantic model, `str`, `bytes` or `httpx.Response` to read it
        otherwise.
        """
        return await self._request(low_level_call(method, path, cast_to, request))

    async def get(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("GET", path, ...)`: the parsed JSON answer unless `cast_to` says otherwise."""
        return await self.request("GET", path, cast_to=cast_to, **request)

    async def post(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("POST", path, ...)`: `client.post("/custom/endpoint", json={"key": "value"})`."""
        return await self.request("POST", path, cast_to=cast_to, **request)

    async def patch(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("PATCH", path, ...)`."""
        return await self.request("PATCH", path, cast_to=cast_to, **request)

    async def put(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("PUT", path, ...)`."""
        return await self.request("PUT", path, cast_to=cast_to, **request)

    async def delete(
        self, path: Optional[str] = None, *, cast_to: Type[R] = _JSON, **request: Unpack[LowLevelRequest]
    ) -> R:
        """`request("DELETE", path, ...)`."""
        return await self.request("DELETE", path, cast_to=cast_to, **request)


# -- helpers: pure functions of their arguments ---------------------------------------------------------


# 1.x constructor arguments -> what says the same now
_LEGACY_OPTIONS = {
    "api_token": "bearer_token=...",
    "headers": "default_headers=...",
    "transport": "http_client=httpx.Client(transport=...)",
}


def _legacy_arguments(cls: str, positional: int, options: Mapping[str, object]) -> TypeError:
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


def _redact(token: str) -> str:
    return token[:3] + "…" if len(token) > 8 else "…"


def _checked_token(token: object) -> str:
    """`token` without the whitespace around it (a token read from a file ends in a newline).

    What is left must be printable ASCII to go in a header; the error says where it is not,
    never what the token is.
    """
    if not isinstance(token, str):
        raise TypeError(f"bearer_token must be a string, not {type(token).__name__}")
    token = token.strip()
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


def _checked_base_url(text: str) -> httpx.URL:
    """`base_url` parsed, or a ValueError saying what is wrong with it (it never shows a password)."""
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
    return url


def _origin(url: httpx.URL) -> Tuple[str, str, Optional[int]]:
    return (url.scheme, url.host, url.port)


def _merge_headers(headers: Dict[str, str], extra: Mapping[str, Any]) -> None:
    for name, value in extra.items():
        if isinstance(value, NotGiven):
            continue
        if isinstance(value, Omit) or value is None:
            for existing in [k for k in headers if k.lower() == name.lower()]:
                del headers[existing]
            continue
        for existing in [k for k in headers if k.lower() == name.lower() and k != name]:
            del headers[existing]
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


def _query_values(query: Mapping[str, object]) -> Dict[str, Any]:
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


def _json_body(body: object, extra_body: Optional[Mapping[str, Any]]) -> Any:
    if isinstance(body, Mapping):
        merged: Dict[str, Any] = drop_unset(cast("Mapping[str, object]", body))
        if extra_body:
            merged.update(extra_body)
        return merged
    if extra_body:
        raise TypeError("extra_body can only be merged into a JSON object body")
    return body


def _form_fields(fields: object) -> Dict[str, Any]:
    if not fields:
        return {}
    out: Dict[str, Any] = {}
    for name, value in drop_unset(cast("Mapping[str, object]", fields)).items():
        if value is None:
            continue
        out[name] = value if isinstance(value, (str, bytes)) else json.dumps(value)
    return out


# Errors httpx raises before writing a byte (an illegal header value, a URL scheme it cannot send).
_NOT_WRITTEN = (httpx.LocalProtocolError, httpx.UnsupportedProtocol)


def _unsendable_error(exc: httpx.TransportError, request: httpx.Request) -> APIConnectionError:
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


def _connection_error(exc: httpx.RequestError, request: httpx.Request, call: Call[Any]) -> APIConnectionError:
    error = connection_error(exc, request)
    if call.billable and not isinstance(exc, NEVER_SENT):
        note_may_have_been_created(error, _NOT_RETRIED)
    return error


def _max_body_bytes(call: Call[Any]) -> Optional[int]:
    """The cap on a successful answer read whole: file bytes are the caller's to size."""
    if isinstance(call, BinaryCall) or call.cast_to is bytes or call.cast_to is httpx.Response:
        return None
    return MAX_JSON_BYTES


def _status_error(response: httpx.Response, body: object, call: Call[Any]) -> APIStatusError:
    error = status_error(response, body)
    # A 4xx other than 408/409/429 means the server refused the request: nothing was created.
    if call.billable and (response.status_code >= 500 or response.status_code in (408, 409)):
        note_may_have_been_created(error, _NOT_RETRIED)
    return error


_NOT_RETRIED = (
    " The request may have created a prediction or training before it failed; it was not"
    " retried so the model does not run (and bill) twice. Check client.predictions.list()"
    " before trying again."
)


def _validation_error(
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
    if item is not None:
        first = f"results[{item}]: {first}"
    request = f"{response.request.method} {response.request.url.path}"
    if item is not None:
        request += f"?{response.request.url.query.decode()}" if response.request.url.query else ""
    return APIResponseValidationError(
        response,
        body=text,
        message=f"The API's answer to {request} could not be read as {name}: {first}. Body starts: {snippet!r}",
    )


def _read_leniently(cast_to: Any, data: Any, response: httpx.Response) -> Any:
    """What a strict read refused, read field by field (see `_models.read_leniently`).

    Raises `ValueError` (`UnreadableFieldError` naming the field) if a needed field is unreadable.
    """
    from ._base.models import read_leniently  # here: `import replicate` does not load pydantic

    problems: List[str] = []
    value = read_leniently(cast_to, data, problems)
    logger.info(
        "Read %s %s leniently; left None: %s",
        response.request.method,
        response.request.url.path,
        "; ".join(problems[:10]),
    )
    return value


def _read_item(read: Callable[[Any], Any], cast_to: Any, response: httpx.Response, item: Any) -> Any:
    """One item of a page, read strictly, else leniently."""
    try:
        return read(item)
    except ValueError:
        return _read_leniently(cast_to, item, response)


def _check_timeout(timeout: object) -> None:
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


def _check_max_retries(max_retries: object) -> None:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be a whole number >= 0, got {max_retries!r}")


@lru_cache(maxsize=256)
def _parsed_url(url: str) -> httpx.URL:
    """`url` parsed, as build_request takes it without parsing it again. Parsing is a good part
    of building a request, and the same few URLs come back call after call (httpx.URL is immutable)."""
    return httpx.URL(url)


@cache
def _retry_policy(max_retries: int) -> RetryPolicy:
    return RetryPolicy(max_retries=max_retries)


@cache
def _adapter(tp: Any) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(tp)


@cache
def _typed_page(item: Any) -> Any:
    """A page of `item`s, read from its JSON in one pass (see pagination.py)."""
    from typing_extensions import TypedDict as _TypedDict

    # the item type is known only at run time: the functional form, out of the type checker's sight
    make: Any = _TypedDict
    return make(
        "Page",
        {"results": Optional[List[item]], "next": Optional[str], "previous": Optional[str]},
        total=False,
    )


def _page_body() -> Any:
    """A page whose items stay JSON values (dicts) until the page hands them over."""
    return _typed_page(Any)


@cache
def _read_json() -> Callable[[bytes], Any]:
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
