"""`use()`: a model as a Python function, typed by its version's schema.

    flux = replicate.use("black-forest-labs/flux-schnell")
    images = flux(prompt="a cat")            # waits; file outputs are PathOutput (path-like)
    for token in replicate.use("meta/llama", streaming=True)(prompt="hi"):
        print(token, end="")                 # chunks as the model produces them
    run = flux.create(prompt="a dog")        # a handle: run.id, .output(), .logs(), .cancel(), .wait()

`Function` / `AsyncFunction` (inputs and output typed by `hint=`) and their handles `Run` /
`AsyncRun` are thin: the logic is in `_FunctionBase` and `_RunBase`, as steps (`_http/steps.py`).

`use()` is lazy: nothing is requested, and no token is needed, until the function is called;
without `client=`, each call takes the module-level client as it is then. The version schema is
fetched once per function (one `GET` of the model or version) and drives the output: strings
marked `format: uri` become `PathOutput`s, an iterator output (`x-cog-array-type: iterator`) a
list, and one also marked `x-cog-array-display: concatenate` (a language model's) a `TextOutput`.
For `owner/name` the function runs the latest version, pinned at the first call so the schema
matches (official models, which hide their versions, run through the model's endpoint).
"""

from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Dict,
    Generic,
    Iterator,
    List,
    Mapping,
    Optional,
    Tuple,
    Union,
    cast,
    overload,
)

from typing_extensions import Literal, ParamSpec, TypeVar

from .._base import defaults
from .._http.steps import Steps, async_complete, async_iterate, complete, iterate
from ..resources.models import Models, Versions
from .file_output import OutputList, PathOutput
from .outputs import Chunks, TextOutput, as_mapping, async_chunks, resolve_schema, transform_by_schema
from .refs import ModelRef, parse_ref
from .run import (
    Progress,
    RunPlan,
    is_iterator,
    output_schema,
    prepare_run,
    progress_watch,
    raise_unless_succeeded,
    wait_steps,
)
from .stream import follow_or_finish

if TYPE_CHECKING:
    from .._client import AsyncReplicate, Replicate
    from .._http.client import _ClientBase
    from .._http.events import ServerSentEvent
    from ..types import Prediction

Input = ParamSpec("Input", default=...)
"""A function's inputs, as `hint=` declares them (any keywords without a hint)."""
Output = TypeVar("Output", default=Any)
"""A function's output, as `hint=` declares it (`Any` without a hint)."""
_C = TypeVar("_C", bound="_ClientBase[Any]")


class _FunctionBase(Generic[_C]):
    """A model as a function: the behaviour of `Function` and `AsyncFunction`, as steps."""

    def __init__(
        self,
        ref: Any,
        client: Optional[_C] = None,
        *,
        hint: Any = None,
        streaming: bool = False,
        progress: Optional[Progress] = None,
    ) -> None:
        self._ref = parse_ref(ref)
        if hint is not None and not callable(hint):
            raise TypeError(
                f"hint must be a function whose signature describes the model (def f(prompt: str) -> str: ...),"
                f" not {type(hint).__name__}"
            )
        if not isinstance(streaming, bool):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"streaming must be True or False, not {streaming!r}")
        progress_watch(progress)  # a callback that cannot be called is refused here, not at a call
        self._given = ref
        self._client_given: Optional[_C] = client
        self.hint = hint
        self.streaming = streaming
        self.progress = progress
        self._schema: Optional[Dict[str, Any]] = None
        self._target: Optional[ModelRef] = None

    @property
    def ref(self) -> str:
        """The model this function runs, as `owner/name[:version]` or a version id."""
        return str(self._ref)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.ref!r}{', streaming=True' if self.streaming else ''})"

    def _client(self) -> _C:
        """The client for one call: the one given to `use()`, else the module-level one as it is now."""
        raise NotImplementedError

    # -- steps ---------------------------------------------------------------------------------

    def _resolve_steps(self) -> Steps[ModelRef]:
        """Fetch the schema (once) and decide which version runs."""
        if self._target is not None:
            return self._target
        ref = self._ref
        target = ref
        schema: Optional[Dict[str, Any]] = None
        if ref.version and ref.owner and ref.name:
            version = yield Versions.get.build(
                None, model_owner=ref.owner, model_name=ref.name, version_id=ref.version
            )
            schema = version.openapi_schema
        elif ref.owner and ref.name:
            model = yield Models.get.build(None, model_owner=ref.owner, model_name=ref.name)
            latest = model.latest_version
            if latest is not None:
                schema = latest.openapi_schema
                if latest.id and not model.is_official:
                    target = ModelRef(ref.owner, ref.name, latest.id)
        self._schema = schema or {}
        self._target = target
        return target

    def _prepare(
        self, client: _C, args: Tuple[Any, ...], input: Mapping[str, Any], **options: Any
    ) -> RunPlan:
        """Check the input (files, missing paths) before any request, even the schema's."""
        if args:
            raise TypeError(
                f"{self.ref} takes its inputs as keyword arguments (fn(prompt=...)), not {len(args)} positional"
            )
        options.setdefault("progress", self.progress)
        return prepare_run(client, self._given, input=input, **options)

    def _steps(self, client: _C, args: Tuple[Any, ...], input: Mapping[str, Any]) -> Steps[Any]:
        """One call: its output, or with `streaming` its chunks (emitted)."""
        if self.streaming:
            return self._stream_steps(self._prepare(client, args, input, wait=False, stream=True))
        return self._call_steps(self._prepare(client, args, input))

    def _start(self, plan: RunPlan) -> Steps[Prediction]:
        plan.target = yield from self._resolve_steps()
        return (yield from plan.create())

    def _call_steps(self, plan: RunPlan) -> Steps[Any]:
        prediction = yield from self._start(plan)
        prediction = yield from plan.finish(prediction)
        return self._output(prediction, plan.client)

    def _stream_steps(self, plan: RunPlan) -> Steps[None]:
        prediction = yield from self._start(plan)
        yield from follow_or_finish(
            plan,
            prediction,
            kinds={"output"},
            emit=self._chunk_maker(plan.client),
            whole=lambda final: self._output_chunks(final, plan.client),
        )

    def _schema_steps(self) -> Steps[Dict[str, Any]]:
        yield from self._resolve_steps()
        return self._schema or {}

    # -- output --------------------------------------------------------------------------------

    def _output(self, prediction: Prediction, client: _ClientBase[Any]) -> Any:
        schema = self._schema or {}
        out = output_schema(schema)
        value: Any = transform_by_schema(prediction.output, out, schema, lambda url: PathOutput(url, client))
        concatenated = is_iterator(out) and out.get("x-cog-array-display") == "concatenate"
        if concatenated and type(value) is list and all(isinstance(item, str) for item in value):  # pyright: ignore[reportUnknownVariableType]
            return TextOutput(cast("List[str]", value))
        return OutputList.if_files(value)  # a gallery in a notebook, as run()'s

    def _chunk_maker(self, client: _ClientBase[Any]) -> Callable[[ServerSentEvent], Any]:
        """How a streamed `output` event becomes a chunk: decided once per stream, not per token."""
        schema = self._schema or {}
        out = resolve_schema(output_schema(schema), schema)
        item = as_mapping(out.get("items")) if out.get("type") == "array" else out
        if resolve_schema(item, schema).get("format") == "uri":
            return lambda event: PathOutput(event.data, client)
        return lambda event: event.data

    def _output_chunks(self, prediction: Prediction, client: _ClientBase[Any]) -> List[Any]:
        """A whole output as the chunks streaming would have given (for a model with no stream)."""
        output = self._output(prediction, client)
        return list(output) if isinstance(output, (list, TextOutput)) else [output]  # pyright: ignore[reportUnknownArgumentType]


class Function(_FunctionBase["Replicate"], Generic[Input, Output]):
    """A model you call like a function. See the module docstring of `replicate._running.use`."""

    def _client(self) -> Replicate:
        if self._client_given is None:
            return defaults.sync_client()
        return self._client_given

    def __call__(self, *args: Input.args, **input: Input.kwargs) -> Output:
        """Run the model and return its output; with `streaming=True`, an iterator of chunks."""
        client = self._client()
        steps = self._steps(client, args, input)
        return cast(Output, iterate(client, steps) if self.streaming else complete(client, steps))

    def create(self, *args: Input.args, **input: Input.kwargs) -> Run[Output]:
        """Start the model without waiting: `POST` a prediction and return a `Run` handle."""
        client = self._client()
        plan = self._prepare(client, args, input, wait=False, progress=None)
        return Run(self, client, complete(client, self._start(plan)))

    def openapi_schema(self) -> Dict[str, Any]:
        """The version's OpenAPI schema (fetched once)."""
        return complete(self._client(), self._schema_steps())


class AsyncFunction(_FunctionBase["AsyncReplicate"], Generic[Input, Output]):
    """A model you call like an async function: `await fn(...)`. With `streaming=True`, `await` it
    for an async iterator of chunks (as in Replicate's v2 SDK) or `async for` over it directly."""

    _made: Optional[Tuple[Any, AsyncReplicate]] = None
    """The module-level async client made for this function, and the settings it was made with."""

    def _client(self) -> AsyncReplicate:
        if self._client_given is not None:
            return self._client_given
        self._made = defaults.async_client(self._made)
        return self._made[1]

    def __call__(self, *args: Input.args, **input: Input.kwargs) -> Awaitable[Output]:
        """A coroutine of the output; with `streaming=True`, the chunks (see the class docstring)."""
        client = self._client()
        steps = self._steps(client, args, input)
        if self.streaming:
            return cast("Awaitable[Output]", Chunks(async_iterate(client, steps)))
        return async_complete(client, steps)

    async def create(self, *args: Input.args, **input: Input.kwargs) -> AsyncRun[Output]:
        """Start the model without waiting: `POST` a prediction and return an `AsyncRun` handle."""
        client = self._client()
        plan = self._prepare(client, args, input, wait=False, progress=None)
        return AsyncRun(self, client, await async_complete(client, self._start(plan)))

    async def openapi_schema(self) -> Dict[str, Any]:
        """The version's OpenAPI schema (fetched once)."""
        return await async_complete(self._client(), self._schema_steps())


class _RunBase(Generic[Output]):
    """A started prediction of a function: its steps, shared by `Run` and `AsyncRun`."""

    def __init__(
        self, function: _FunctionBase[Any], client: _ClientBase[Any], prediction: Prediction
    ) -> None:
        self._function = function
        self._client = client
        self.prediction = prediction
        """The prediction as last seen."""

    @property
    def id(self) -> str:
        return self.prediction.id

    @property
    def status(self) -> str:
        return self.prediction.status

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, status={self.status!r})"

    def _wait_steps(self) -> Steps[Prediction]:
        self.prediction = yield from wait_steps(self.prediction, progress_watch(self._function.progress))
        return self.prediction

    def _output_steps(self) -> Steps[Any]:
        prediction = yield from self._wait_steps()
        raise_unless_succeeded(prediction)
        if self._function.streaming:  # the chunks, as calling the function would have given them
            return self._function._output_chunks(prediction, self._client)
        return self._function._output(prediction, self._client)


class Run(_RunBase[Output]):
    """A prediction started by `fn.create(...)`."""

    _client: Replicate

    def wait(self) -> Prediction:
        """Block until the prediction ends; returns it (check `.status`; this does not raise)."""
        return complete(self._client, self._wait_steps())

    def output(self) -> Output:
        """Wait, then return the output like calling the function would (raises `ModelError`)."""
        output = complete(self._client, self._output_steps())
        return cast(Output, iter(output) if self._function.streaming else output)

    def logs(self) -> Optional[str]:
        """The logs so far (fetches the prediction)."""
        self.prediction = self._client.predictions.get(prediction_id=self.id)
        return self.prediction.logs

    def cancel(self) -> Prediction:
        """Cancel the prediction: `POST /predictions/{id}/cancel`."""
        self.prediction = self._client.predictions.cancel(prediction_id=self.id)
        return self.prediction


class AsyncRun(_RunBase[Output]):
    """A prediction started by `await fn.create(...)`; its methods are awaited."""

    _client: AsyncReplicate

    async def wait(self) -> Prediction:
        """Wait until the prediction ends; returns it (check `.status`; this does not raise)."""
        return await async_complete(self._client, self._wait_steps())

    async def output(self) -> Output:
        """Wait, then return the output like calling the function would (raises `ModelError`)."""
        output = await async_complete(self._client, self._output_steps())
        return cast(Output, async_chunks(output) if self._function.streaming else output)

    async def logs(self) -> Optional[str]:
        """The logs so far (fetches the prediction)."""
        self.prediction = await self._client.predictions.get(prediction_id=self.id)
        return self.prediction.logs

    async def cancel(self) -> Prediction:
        """Cancel the prediction: `POST /predictions/{id}/cancel`."""
        self.prediction = await self._client.predictions.cancel(prediction_id=self.id)
        return self.prediction


# `use()`: which function type a call gets. With `hint=`, its signature and return type become the
# function's (Input, Output); without, any keywords and `Any`. Streaming wraps Output in an iterator.


@overload
def use(
    ref: Any,
    *,
    hint: Optional[Callable[Input, Output]] = None,
    streaming: Literal[False] = False,
    use_async: Literal[False] = False,
    client: Optional[Replicate] = None,
    progress: Optional[Progress] = None,
) -> Function[Input, Output]: ...
@overload
def use(
    ref: Any,
    *,
    hint: Optional[Callable[Input, Output]] = None,
    streaming: Literal[True],
    use_async: Literal[False] = False,
    client: Optional[Replicate] = None,
    progress: Optional[Progress] = None,
) -> Function[Input, Iterator[Output]]: ...
@overload
def use(
    ref: Any,
    *,
    hint: Optional[Callable[Input, Output]] = None,
    streaming: Literal[False] = False,
    use_async: Literal[True],
    client: Optional[AsyncReplicate] = None,
    progress: Optional[Progress] = None,
) -> AsyncFunction[Input, Output]: ...
@overload
def use(
    ref: Any,
    *,
    hint: Optional[Callable[Input, Output]] = None,
    streaming: Literal[True],
    use_async: Literal[True],
    client: Optional[AsyncReplicate] = None,
    progress: Optional[Progress] = None,
) -> AsyncFunction[Input, AsyncIterator[Output]]: ...
@overload
def use(
    ref: Any,
    *,
    hint: Optional[Callable[Input, Output]] = None,
    streaming: Literal[False] = False,
    use_async: bool = False,
    client: AsyncReplicate,
    progress: Optional[Progress] = None,
) -> AsyncFunction[Input, Output]: ...
@overload
def use(
    ref: Any,
    *,
    hint: Optional[Callable[Input, Output]] = None,
    streaming: Literal[True],
    use_async: bool = False,
    client: AsyncReplicate,
    progress: Optional[Progress] = None,
) -> AsyncFunction[Input, AsyncIterator[Output]]: ...
@overload
def use(
    ref: Any,
    *,
    hint: Optional[Callable[Input, Output]] = None,
    streaming: bool = False,
    use_async: bool = False,
    client: Optional[_ClientBase[Any]] = None,
    progress: Optional[Progress] = None,
) -> Union[Function[Input, Any], AsyncFunction[Input, Any]]: ...
def use(
    ref: Any,
    *,
    hint: Any = None,
    streaming: bool = False,
    use_async: bool = False,
    client: Optional[_ClientBase[Any]] = None,
    progress: Optional[Progress] = None,
) -> Any:
    """A model as a function (`Function`), or an async one (`AsyncFunction`) with `use_async`.

    Lazy: nothing is requested, and no API token is needed, until the function is called; then
    each call uses `client`, or without one the module-level client as configured at that moment
    (the environment's token, or inside a Cog model the current prediction's). A language
    model's output (an iterator the schema shows concatenated) is text, a `str` that iterates its
    chunks as often as you like; other iterator outputs are lists, and file outputs path-like.
    `streaming=True` yields the chunks as they come (a model whose output does not stream: its
    whole output, once). `hint=` is a
    function whose signature and return type describe the model, for your type checker (v2's
    `hint`). `progress(prediction)` is called as each call's prediction is created, changes and
    ends, as with `run(..., progress=)` (also while a `create()` handle waits); with
    `streaming=True` it sees the creation, and the chunks are the progress.
    """
    if not isinstance(use_async, bool):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"use_async must be True or False, not {use_async!r}")
    given_async: bool = getattr(client, "_is_async", False)  # an AsyncReplicate (not imported: a layer above)
    if use_async or given_async:
        if client is not None and not given_async:
            raise TypeError("use_async=True needs an AsyncReplicate client")
        return AsyncFunction(ref, client, hint=hint, streaming=streaming, progress=progress)  # type: ignore[arg-type]
    return Function(ref, client, hint=hint, streaming=streaming, progress=progress)  # type: ignore[arg-type]
