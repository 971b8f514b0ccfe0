"""Resources and their endpoints: each endpoint is declared once, for every way to call it.

A resource class (e.g. `Predictions`) is generic in how it executes (`Sync` or `Async`) and in
what it returns (`Plain` results, `Raw` responses or `Streamed` responses). An endpoint is a
method that only *describes* its request, decorated with `@endpoint`:

    class Predictions(Resource[E, V]):
        @endpoint
        def get(self, *, prediction_id: str, **options: Unpack[RequestOptions]) -> Call[Prediction]:
            return Call("GET", expand_path("/predictions/{prediction_id}", ...), Prediction, options=options)

The decorator makes it an `Operation` descriptor: on a `Predictions[Sync, Plain]` a function
returning `Prediction`, on `Predictions[Async, Plain]` a coroutine function, on the
`with_raw_response` / `with_streaming_response` views functions returning response wrappers.
`Operation.__get__`'s overloads spell out the types of all six forms; at run time the client picks
the execution (see `io.py`). A `@procedure` (`predictions.wait`) is declared the same way, as a
generator of `Call`s and `Sleep`s run by the step drivers (`steps.py`).
"""

from __future__ import annotations

from contextlib import asynccontextmanager, nullcontext
from dataclasses import replace
from functools import partial
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncContextManager,
    AsyncGenerator,
    Awaitable,
    Callable,
    ContextManager,
    Coroutine,
    Dict,
    Generator,
    Generic,
    Optional,
    Tuple,
    TypeVar,
    Union,
    overload,
)

import httpx
from typing_extensions import Concatenate, ParamSpec, Self

from .call import BinaryCall, Call, CreatedPageCall, PageCall, check_options
from .response import APIResponse, AsyncAPIResponse

if TYPE_CHECKING:
    import inspect

    from ..pagination import (
        AsyncCursorURLPage,
        AsyncCursorURLPageWithCreatedFilters,
        AsyncPaginator,
        SyncCursorURLPage,
        SyncCursorURLPageWithCreatedFilters,
    )
    from .client import _ClientBase
    from .response import (
        AsyncBinaryAPIResponse,
        AsyncStreamedBinaryAPIResponse,
        BinaryAPIResponse,
        StreamedBinaryAPIResponse,
    )

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
S = TypeVar("S")  # what the sync form returns (parsed)
A = TypeVar("A")  # what the async form returns (a coroutine or a paginator)
AS = TypeVar("AS")  # what the async form's response parses to


class Sync:
    """Execution marker: methods return results."""


class Async:
    """Execution marker: methods return coroutines (or async paginators)."""


class Plain:
    """View marker: methods return parsed results."""


class Raw:
    """View marker: methods return the response, read, with `.parse()`."""


class Streamed:
    """View marker: methods return a context manager around an unread response."""


E = TypeVar("E", Sync, Async)
V = TypeVar("V", Plain, Raw, Streamed)


class Resource(Generic[E, V]):
    """A namespace of endpoints bound to a client and a view."""

    _client: _ClientBase[Any]
    _view: str  # "plain" | "raw" | "streamed"

    def __init__(self, client: _ClientBase[Any], view: str = "plain") -> None:
        self._client = client
        self._view = view

    if not TYPE_CHECKING:
        # Subclasses declare these with their precise types (e.g. `Predictions[E, Raw]`).
        @property
        def with_raw_response(self):
            return self._view_as("raw")

        @property
        def with_streaming_response(self):
            return self._view_as("streamed")

    def _view_as(self, view: str) -> Self:
        cache = self.__dict__.setdefault("_views", {})
        if view not in cache:
            cache[view] = self._namespace_class()(self._client, view)
        return cache[view]

    def _namespace_class(self) -> type[Self]:
        """The class to build views of this namespace from (the client overrides it)."""
        return type(self)


class Operation(Generic[P, S, A, AS]):
    """An endpoint: `S` is the sync result, `A` the async return, `AS` the async parsed result.

    `build` returns the `Call` to make; a procedure's returns a generator of steps instead.
    """

    def __init__(self, build: Callable[Concatenate[Any, P], Any], procedure: bool = False) -> None:
        self.build = build
        self.procedure = procedure
        self._result = _result_of(build)
        if procedure:  # what its generator returns is what it returns, as if from one `Call`
            self._result = "Call[" + self._result.rsplit(", ", 1)[-1]
        self._paginated = self._result.startswith(("PageCall", "CreatedPageCall"))
        self.__name__ = build.__name__
        self.__doc__ = build.__doc__
        self.__wrapped__ = build

    @overload
    def __get__(self, obj: None, owner: Any) -> Self: ...
    @overload
    def __get__(self, obj: Resource[Sync, Plain], owner: Any) -> Callable[P, S]: ...
    @overload
    def __get__(self, obj: Resource[Async, Plain], owner: Any) -> Callable[P, A]: ...
    @overload
    def __get__(self, obj: Resource[Sync, Raw], owner: Any) -> Callable[P, APIResponse[S]]: ...
    @overload
    def __get__(
        self, obj: Resource[Async, Raw], owner: Any
    ) -> Callable[P, Coroutine[Any, Any, AsyncAPIResponse[AS]]]: ...
    @overload
    def __get__(
        self, obj: Resource[Sync, Streamed], owner: Any
    ) -> Callable[P, ContextManager[APIResponse[S]]]: ...
    @overload
    def __get__(
        self, obj: Resource[Async, Streamed], owner: Any
    ) -> Callable[P, AsyncContextManager[AsyncAPIResponse[AS]]]: ...
    def __get__(self, obj: Resource[Any, Any] | None, owner: Any) -> Any:
        if obj is None:
            return self
        build = self.build
        client, view = obj._client, obj._view
        qualname = f"{type(obj).__name__.lower()}.{self.__name__}"
        awaited = client._is_async and (view == "raw" or (view == "plain" and not self._paginated))
        if self.procedure:
            # Its raw and streamed forms hand back the response of its last call, read.
            run = client._run_steps if view == "plain" else partial(_last_response_as, view, client)

            def steps(*args: Any, **kwargs: Any) -> Any:
                if args:
                    raise positional_error(qualname, build, args)
                return run(build(obj, *args, **kwargs))

            return _bind(obj, self, steps, awaited)
        execute = client._executor(view)

        def invoke(*args: Any, **kwargs: Any) -> Any:
            if args:
                raise positional_error(qualname, build, args)
            call = build(obj, *args, **kwargs)
            if call.options:
                check_options(call.options, qualname)
            return execute(call)

        return _bind(obj, self, invoke, awaited)


class BinaryOperation(
    Operation[P, "BinaryAPIResponse", Coroutine[Any, Any, "AsyncBinaryAPIResponse"], "AsyncBinaryAPIResponse"]
):
    """An endpoint answering with a file's bytes: its plain and raw forms both return the response
    (read), its streamed form a `StreamedBinaryAPIResponse` (unread)."""

    if TYPE_CHECKING:

        @overload
        def __get__(self, obj: None, owner: Any) -> Self: ...
        @overload
        def __get__(self, obj: Resource[Sync, Plain], owner: Any) -> Callable[P, BinaryAPIResponse]: ...
        @overload
        def __get__(
            self, obj: Resource[Async, Plain], owner: Any
        ) -> Callable[P, Coroutine[Any, Any, AsyncBinaryAPIResponse]]: ...
        @overload
        def __get__(self, obj: Resource[Sync, Raw], owner: Any) -> Callable[P, BinaryAPIResponse]: ...
        @overload
        def __get__(
            self, obj: Resource[Async, Raw], owner: Any
        ) -> Callable[P, Coroutine[Any, Any, AsyncBinaryAPIResponse]]: ...
        @overload
        def __get__(
            self, obj: Resource[Sync, Streamed], owner: Any
        ) -> Callable[P, ContextManager[StreamedBinaryAPIResponse]]: ...
        @overload
        def __get__(
            self, obj: Resource[Async, Streamed], owner: Any
        ) -> Callable[P, AsyncContextManager[AsyncStreamedBinaryAPIResponse]]: ...
        def __get__(  # pyright: ignore[reportIncompatibleMethodOverride]  (narrower, on purpose)
            self, obj: Resource[Any, Any] | None, owner: Any
        ) -> Any: ...


@overload
def endpoint(  # pyright: ignore[reportOverlappingOverload]
    build: Callable[Concatenate[Any, P], CreatedPageCall[T]],
) -> Operation[
    P,
    SyncCursorURLPageWithCreatedFilters[T],
    AsyncPaginator[T, AsyncCursorURLPageWithCreatedFilters[T]],
    AsyncCursorURLPageWithCreatedFilters[T],
]: ...
@overload
def endpoint(  # pyright: ignore[reportOverlappingOverload]
    build: Callable[Concatenate[Any, P], PageCall[T]],
) -> Operation[P, SyncCursorURLPage[T], AsyncPaginator[T, AsyncCursorURLPage[T]], AsyncCursorURLPage[T]]: ...
@overload
def endpoint(  # pyright: ignore[reportOverlappingOverload]
    build: Callable[Concatenate[Any, P], BinaryCall],
) -> BinaryOperation[P]: ...
@overload
def endpoint(build: Callable[Concatenate[Any, P], Call[R]]) -> Operation[P, R, Coroutine[Any, Any, R], R]: ...
def endpoint(build: Callable[Concatenate[Any, P], Call[Any]]) -> Operation[P, Any, Any, Any]:
    """Declare an endpoint from a method that returns the `Call` to make."""
    if _result_of(build).startswith("BinaryCall"):
        return BinaryOperation(build)
    return Operation(build)


class Sleep:
    """A step of a procedure: wait this many seconds (with `time.sleep` or `anyio.sleep`)."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


Step = Union[Call[Any], Sleep]
"""What a procedure yields: a call to make (its parsed result is sent back) or a pause."""


def positional_error(qualname: str, fn: Callable[..., Any], args: Tuple[Any, ...]) -> TypeError:
    """Every endpoint parameter is keyword-only; say so with the names, as 1.x code passes them
    positionally (`models.get("owner/name")`). The values are not echoed: one may be a secret."""
    import inspect

    required = [
        name
        for name, p in inspect.signature(fn).parameters.items()
        if p.kind is p.KEYWORD_ONLY and p.default is p.empty
    ]
    values = dict.fromkeys(required, "...")
    owner_name = [name for name in required if name.endswith(("_owner", "_name"))]
    if len(args) == 1 and isinstance(args[0], str) and args[0].count("/") == 1 and len(owner_name) == 2:
        # "owner/name" is a model or deployment reference, not a secret
        values.update(zip(owner_name, map(repr, args[0].split("/"))))
    example = ", ".join(f"{name}={value}" for name, value in values.items())
    return TypeError(
        f"{qualname}() takes keyword arguments only: {qualname}({example}). 1.x code passed"
        " them positionally; see UPGRADING.md for the new spellings."
    )


def procedure(
    steps: Callable[Concatenate[Any, P], Generator[Step, Any, R]],
) -> Operation[P, R, Coroutine[Any, Any, R], R]:
    """Declare a method made of several calls (polling, say), from a generator that yields
    `Call`s (each sent back its parsed result) and `Sleep`s."""
    return Operation(steps, procedure=True)


def _last_response_as(view: str, client: _ClientBase[Any], steps: Generator[Step, Any, Any]) -> Any:
    """A procedure's raw or streamed form: the response of its last call, read (the streamed form
    inside a context manager), made by the client's own driver."""
    run = partial(client._run_steps, _last_response(steps, client))
    if view == "raw":
        return run()  # the response, or for the async client the coroutine of it
    return _awaited_on_entry(run) if client._is_async else nullcontext(run())


@asynccontextmanager
async def _awaited_on_entry(run: Callable[[], Awaitable[T]]) -> AsyncGenerator[T, None]:
    yield await run()


def _last_response(
    steps: Generator[Step, Any, Any], client: _ClientBase[Any]
) -> Generator[Step, Any, Union[APIResponse[Any], AsyncAPIResponse[Any]]]:
    """A procedure's `steps`, each call made for its response (parsed for the procedure); returns
    the last response, as the client's raw form wraps it."""
    last: Optional[Tuple[httpx.Response, Call[Any]]] = None
    try:
        step = next(steps)
        while True:
            try:
                if isinstance(step, Call):
                    response = yield replace(step, cast_to=httpx.Response)
                    last = (response, step)
                    result = client._parse(response, step)
                else:
                    result = yield step
            except Exception as exc:
                step = steps.throw(exc)
            else:
                step = steps.send(result)
    except StopIteration:
        pass
    if last is None:
        raise RuntimeError("The procedure made no request, so there is no response to return")
    response, call = last
    wrap = AsyncAPIResponse[Any] if client._is_async else APIResponse[Any]
    return wrap(response, client=client, call=call)


# -- what `inspect.signature` and `help()` show for a bound endpoint ---------------------------------

_OPTION_DEFAULTS: Dict[str, Any] = {"extra_headers": None, "extra_query": None, "extra_body": None}


def _result_of(fn: Callable[..., Any]) -> str:
    """The declared return of an endpoint or procedure, as source text (`"Call[Prediction]"`)."""
    annotation = fn.__annotations__.get("return", "")
    return annotation if isinstance(annotation, str) else getattr(annotation, "__name__", repr(annotation))


def _form_returns(result: str, is_async: bool, view: str) -> str:
    """What one form of an endpoint returns, from the `Call` it declares (`"PageCall[Model]"`)."""
    kind, _, item = result.partition("[")
    item = item[:-1]
    prefix = "Async" if is_async else ""
    if kind == "BinaryCall":
        response = f"{prefix}{'Streamed' if view == 'streamed' else ''}BinaryAPIResponse"
    else:
        if kind in ("PageCall", "CreatedPageCall"):
            suffix = "WithCreatedFilters" if kind == "CreatedPageCall" else ""
            page = f"{prefix or 'Sync'}CursorURLPage{suffix}[{item}]"
            if is_async and view == "plain":
                return f"AsyncPaginator[{item}, {page}]"
            item = page
        if view == "plain":
            return item
        response = f"{prefix}APIResponse[{item}]"
    return f"{prefix}ContextManager[{response}]" if view == "streamed" else response


class _Shape:
    """Stands behind a bound endpoint's `__wrapped__`, so that `inspect.signature` shows its real
    parameters (the per-request options spelled out) and return, computed on first look."""

    __slots__ = ("_fn", "_form", "_signature")

    def __init__(self, fn: Callable[..., Any], form: Tuple[str, bool, str]) -> None:
        self._fn = fn
        self._form = form
        self._signature: Optional[inspect.Signature] = None

    @property
    def __signature__(self) -> inspect.Signature:
        if self._signature is None:
            import inspect

            from .._base.options import NOT_GIVEN, RequestOptions

            parameters = list(inspect.signature(self._fn).parameters.values())[1:]  # without self
            if parameters and parameters[-1].kind is inspect.Parameter.VAR_KEYWORD:
                parameters.pop()
                parameters += [
                    inspect.Parameter(
                        name,
                        inspect.Parameter.KEYWORD_ONLY,
                        default=_OPTION_DEFAULTS.get(name, NOT_GIVEN),
                        # TypedDict keeps postponed annotations as ForwardRefs: show their text.
                        annotation=getattr(annotation, "__forward_arg__", annotation),
                    )
                    for name, annotation in RequestOptions.__annotations__.items()
                ]
            self._signature = inspect.Signature(parameters, return_annotation=_form_returns(*self._form))
        return self._signature


def _bind(
    obj: Resource[Any, Any], declared: Any, invoke: Callable[..., Any], awaited: bool
) -> Callable[..., Any]:
    """`invoke` as `obj`'s method `declared`: described for `help()` and cached in `obj`."""
    bound = invoke
    if awaited:
        # Awaitable forms are real coroutine functions, as `inspect.iscoroutinefunction` sees them.
        async def bound(*args: Any, **kwargs: Any) -> Any:
            return await invoke(*args, **kwargs)

    bound.__name__ = declared.__name__
    bound.__qualname__ = declared.__name__
    bound.__doc__ = declared.__doc__
    form = (declared._result, obj._client._is_async, obj._view)
    bound.__wrapped__ = _Shape(declared.__wrapped__, form)  # type: ignore[attr-defined]
    # `typing.get_type_hints` would read the wrapper's `*args: Any` in the _Shape's (absent) globals.
    bound.__annotations__ = {}
    # A non-data descriptor: caching in the instance makes later lookups a dict hit.
    obj.__dict__[declared.__name__] = bound
    return bound
