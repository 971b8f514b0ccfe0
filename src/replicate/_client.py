"""`Replicate` and `AsyncReplicate`: decide once, send twice.

    Replicate / AsyncReplicate          ← what users construct (this module): the resource tree
        │                                 and run / stream / run_many / use on top
        │  resource tree (`client.predictions.get`, ...) builds a `Call`
        ▼
    _http/client.py: _ClientBase        ← every decision, no I/O
        _build_request(call)   URL, query, JSON or multipart body, headers, auth, timeout
        _exchange(call)        a generator: yields Send / Read / Sleep steps, applies
                               RetryPolicy between attempts, maps failures to errors
        _parse(response, call) JSON → pydantic model, page, str, bytes... (_http/parse.py)
        ▼
    _http/steps.py: SyncDriver / AsyncDriver   ← the only I/O: perform those steps (and a run's)
                                                 with httpx.Client or httpx.AsyncClient

The two drivers differ only in how they perform a step (`send` vs `await send`), so sync and
async cannot drift apart.
"""

from __future__ import annotations

import importlib
import inspect
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable, Iterable, Iterator, Optional, Union, overload

from typing_extensions import Concatenate, Literal, ParamSpec, TypeVar

from ._base.options import NOT_GIVEN, NotGiven, RequestOptions
from ._http.call import Call
from ._http.endpoint import Async, E, Plain, Raw, Resource, Streamed, Sync, V, endpoint
from ._http.io import AsyncClient, SyncClient

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._running.batch import BatchProgress, BatchResult
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

C = TypeVar("C")
P = ParamSpec("P")
R = TypeVar("R")


class ReplicateResources(Resource[E, V]):
    """The root of the resource tree: the namespaces (see `_Namespace`) and the top-level `search`."""

    with_raw_response: ReplicateResources[E, Raw]
    with_streaming_response: ReplicateResources[E, Streamed]
    predictions: Predictions[E, V]
    models: Models[E, V]
    deployments: Deployments[E, V]
    trainings: Trainings[E, V]
    files: Files[E, V]
    collections: Collections[E, V]
    hardware: Hardware[E, V]
    account: Account[E, V]
    webhooks: Webhooks[E, V]

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


class _Namespace:
    """A namespace of a client (`client.predictions`): the class of `resources/<name>.py` named
    like it (`Predictions`), imported on first use so that making a client stays cheap."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        module = importlib.import_module(f".resources.{self.name}", __package__)
        namespace = getattr(module, self.name.capitalize())(obj._client, obj._view)
        obj.__dict__[self.name] = namespace  # not a data descriptor: later lookups are a dict hit
        return namespace


# The names annotated in ReplicateResources, less its two views, are its namespaces.
for _name in set(ReplicateResources.__annotations__) - {"with_raw_response", "with_streaming_response"}:
    setattr(ReplicateResources, _name, _Namespace(_name))


class _Running:
    """What both clients add to the HTTP core: models run as functions (see `_running/use.py`)."""

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

        client: Any = self  # a Replicate or an AsyncReplicate
        return use(ref, hint=hint, streaming=streaming, client=client, progress=progress)


def _shaped_as(
    sync: Callable[Concatenate[Any, P], Any],
) -> Callable[[Callable[Concatenate[C, ...], R]], Callable[Concatenate[C, P], R]]:
    """An `AsyncReplicate` method takes the parameters of its `Replicate` twin (declared once
    there), for type checkers and `inspect`; what it returns is its own."""

    def shaped(method: Callable[Concatenate[C, ...], R]) -> Callable[Concatenate[C, P], R]:
        returns = inspect.signature(method).return_annotation
        method.__signature__ = inspect.signature(sync).replace(return_annotation=returns)  # type: ignore[attr-defined]
        return method

    return shaped


class Replicate(SyncClient, _Running, ReplicateResources[Sync, Plain]):
    """A synchronous client for Replicate's HTTP API.

    >>> client = Replicate()  # reads REPLICATE_API_TOKEN
    >>> client.predictions.get(prediction_id="...")
    """

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
        from ._running.batch import prepare_batch
        from ._running.batch_run import iterate

        plan = prepare_batch(
            self,
            ref,
            inputs,
            concurrency=concurrency,
            journal=journal,
            ordered=ordered,
            progress=progress,
            **options,
        )
        return iterate(plan)


class AsyncReplicate(AsyncClient, _Running, ReplicateResources[Async, Plain]):
    """An asyncio client for Replicate's HTTP API; every method is awaited.

    >>> async with AsyncReplicate() as client:
    ...     prediction = await client.predictions.get(prediction_id="...")
    """

    @_shaped_as(Replicate.run)
    async def run(self, *args: Any, **kwargs: Any) -> Any:
        """`Replicate.run`, awaited; cancelling the task cancels the prediction too."""
        import replicate._running.run  # see Replicate.run

        return await replicate._running.run.async_run(self, *args, **kwargs)

    @_shaped_as(Replicate.stream)
    async def stream(self, *args: Any, **kwargs: Any) -> AsyncIterator[str]:
        """Deprecated: `Replicate.stream`, awaited (`async for chunk in await client.stream(...)`)."""
        from ._running.stream import async_stream

        return await async_stream(self, *args, **kwargs)

    @_shaped_as(Replicate.run_many)
    def run_many(self, *args: Any, **kwargs: Any) -> AsyncIterator[BatchResult]:
        """`Replicate.run_many`, as an async iterator of `BatchResult`s."""
        from ._running.batch import prepare_batch
        from ._running.batch_run import async_iterate

        return async_iterate(prepare_batch(self, *args, **kwargs))
