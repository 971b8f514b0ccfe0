"""Steps, and the two drivers that perform them: the only I/O of a request and of a run.

What takes several requests in order (one exchange with its retries, `predictions.wait`, a whole
`run()`) is written once, as a generator that yields steps and receives each one's result:

    Send(request, deadline) → httpx.Response    its body unread
    Read(response, limit)   → None              the body read, within a deadline and a size cap
    Call(...)               → parsed result     client._request
    Sleep(seconds)          → None
    Gather([calls])         → [results]         one after another / concurrently
    OpenStream(call, size)  → OpenResponse      a streaming response, unread (read in chunks of `size`)
    ReadChunk(open)         → bytes, b"" at end
    Emit(values)            → None              values handed, in order, to whoever iterates
    Running(cancel)         → None              the call that cancels the work if the caller gives up

`SyncDriver` performs them with an `httpx.Client`, `AsyncDriver` awaits an `httpx.AsyncClient`;
the two differ only in awaiting. A request is `drive`n (`client._exchange(call)`); a run is
`complete`d or `iterate`d (`async_complete` / `async_iterate`), which also clean up: open
responses are closed whatever happens, and when the caller gives up (Ctrl-C, a task cancelled)
while a `Running` step is in force, or while a create has not answered yet, its prediction is
found if need be (`reconcile.cancel_abandoned`) and cancelled, best effort and bounded. One
warning on the `replicate` logger names the prediction and what was done with it.
"""

from __future__ import annotations

import time
from contextlib import closing
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Generator,
    Generic,
    List,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
    Union,
)

import httpx

from .._base.logs import logger
from .call import Call
from .endpoint import Sleep
from .limits import BodyLimit, aread_body, asend_within, read_body, send_within
from .reconcile import ABANDON_SETTLE, cancel_abandoned

if TYPE_CHECKING:
    from .io import AsyncClient, SyncClient

R = TypeVar("R")
ClientT = TypeVar("ClientT", "SyncClient", "AsyncClient")

CANCEL_TIMEOUT = 3.0
"""How long cancelling an abandoned prediction may take before we give up on it."""


class Send:
    """Send `request` by `deadline` (the attempt's, see `limits.py`)."""

    __slots__ = ("deadline", "request")  # plain slots, not a dataclass: one per attempt, on the hot path

    def __init__(self, request: httpx.Request, deadline: Optional[float]) -> None:
        self.request = request
        self.deadline = deadline


class Read:
    """Read `response`'s body within `limit`."""

    __slots__ = ("limit", "response")

    def __init__(self, response: httpx.Response, limit: BodyLimit) -> None:
        self.response = response
        self.limit = limit


@dataclass(frozen=True)
class Gather:
    calls: List[Call[Any]]


@dataclass(frozen=True)
class OpenStream:
    call: Call[Any]
    chunk_size: Optional[int] = None  # None: the chunks as they arrive


@dataclass(eq=False)
class OpenResponse:
    response: httpx.Response
    chunks: Any = field(repr=False)


@dataclass(frozen=True)
class ReadChunk:
    open: OpenResponse


@dataclass(frozen=True)
class Emit:
    """A batch, not one value: a token stream decodes dozens of events from one read, and a step
    per token would cost more than decoding it."""

    values: Sequence[Any]


@dataclass(frozen=True)
class Running:
    """Something runs on our behalf (`what`, for the warning): `cancel` it (read as an
    `httpx.Response`) if the caller gives up. `Running(None)`: it ended."""

    cancel: Optional[Call[Any]]
    what: str = ""


RunStep = Union[Send, Read, Call[Any], Sleep, Gather, OpenStream, ReadChunk, Emit, Running]
Steps = Generator[RunStep, Any, R]


def _abandon_steps(
    running: Optional[Running], creating: Optional[Tuple[Call[Any], float]], ledger: Any
) -> Steps[str]:
    """What to do about a run the caller gave up on: cancel its prediction, known or still being created."""
    if running and running.cancel:
        answer: httpx.Response = yield running.cancel
        # It may have ended meanwhile: say so rather than claim a cancel that did nothing.
        try:
            status = answer.json().get("status")
        except (ValueError, AttributeError):  # read tolerantly: the cancel was accepted all the same
            status = None
        if status in ("succeeded", "failed"):
            return f"{running.what} had already ended ({status})"
        return f"{running.what} was canceled"
    assert creating is not None
    call, sent_at = creating
    return (yield from cancel_abandoned(call, sent_at, ledger))


def _tell(what: str) -> None:
    logger.warning("replicate: the run was interrupted; %s.", what)


class _Driver(Generic[ClientT]):
    """What both drivers hold: what is open, and what to cancel if the caller gives up."""

    def __init__(self, client: ClientT) -> None:
        self.client = client
        self.running: Optional[Running] = None
        self.creating: Optional[Tuple[Call[Any], float]] = None
        self.open: List[OpenResponse] = []

    def _opened(self, response: httpx.Response, chunks: Any) -> OpenResponse:
        opened = OpenResponse(response, chunks)
        self.open.append(opened)
        return opened

    def _abandoned(self, kind: Optional[type]) -> Optional[Steps[str]]:
        """The steps that cancel what runs on our behalf, if the run was left by an exception of
        this `kind` while it ran: not when it ended, raised (the steps' own decision) or was
        closed by whoever iterated it, but on Ctrl-C or a cancelled task."""
        if kind is None or issubclass(kind, (Exception, GeneratorExit)):
            return None
        if not (self.running or self.creating):
            return None
        steps = _abandon_steps(self.running, self.creating, self.client._creates)
        self.running = self.creating = None
        return steps


class SyncDriver(_Driver["SyncClient"]):
    """Performs steps with a `SyncClient`; a context manager for a run's clean-up."""

    def drive(self, steps: Generator[Any, Any, Any]) -> Any:
        """Perform `steps` until they return (what they return) or emit (the `Emit`: hand its
        values over, then drive on)."""
        http = self.client._http
        try:
            step = steps.send(None)
            while True:
                try:
                    # Sending and reading first: they are almost every step of every request.
                    if type(step) is Send:
                        result: Any = send_within(http, step.request, step.deadline)
                    elif type(step) is Read:
                        result = read_body(step.response, step.limit)
                    elif type(step) is Emit:
                        return step
                    else:
                        result = self.perform(step)
                except Exception as exc:
                    step = steps.throw(exc)
                else:
                    step = steps.send(result)
        except StopIteration as done:
            return done.value

    def perform(self, step: RunStep) -> Any:
        if isinstance(step, Call):
            if not step.billable:
                return self.client._request(step)
            self.creating = (step, time.time())
            result = self.client._request(step)
            self.creating = None
            return result
        if isinstance(step, ReadChunk):
            return next(step.open.chunks, b"")
        if isinstance(step, Sleep):
            return time.sleep(step.seconds)
        if isinstance(step, OpenStream):
            response = self.client._send(step.call, stream=True)
            return self._opened(response, response.iter_bytes(step.chunk_size))
        if isinstance(step, Gather):
            return [self.client._request(call) for call in step.calls]
        if isinstance(step, Running):
            self.running = step if step.cancel else None
            return None
        raise TypeError(f"Not a step: {step!r}")

    def __enter__(self) -> SyncDriver:
        return self

    def __exit__(self, kind: Optional[type], *_: object) -> None:
        for opened in self.open:
            opened.response.close()
        self.open.clear()
        steps = self._abandoned(kind)
        if steps is not None:
            abandon(self.client, steps)


def abandon(client: SyncClient, steps: Steps[str]) -> None:
    """Perform `_abandon_steps` and tell the caller what was done, in one line."""
    try:
        _tell(complete(client, steps))
    except Exception as exc:  # best effort: the caller is already leaving with their own error
        _tell(f"its prediction could not be canceled ({type(exc).__name__})")


def iterate(client: SyncClient, steps: Steps[R]) -> Generator[Any, None, R]:
    """Perform `steps`, yielding each emitted value; returns what the steps return."""
    with SyncDriver(client) as driver, closing(steps):
        while True:
            step = driver.drive(steps)
            if type(step) is not Emit:
                return step  # type: ignore[no-any-return]
            yield from step.values


def complete(client: SyncClient, steps: Steps[R]) -> R:
    """Perform `steps` to the end (ignoring emitted values) and return their result."""
    with SyncDriver(client) as driver, closing(steps):
        step = driver.drive(steps)
        while type(step) is Emit:
            step = driver.drive(steps)
        return step  # type: ignore[no-any-return]


class AsyncDriver(_Driver["AsyncClient"]):
    """`SyncDriver`, awaited, with an `AsyncClient`."""

    async def drive(self, steps: Generator[Any, Any, Any]) -> Any:
        """Perform `steps` until they return (what they return) or emit (the `Emit`)."""
        http = self.client._http
        try:
            step = steps.send(None)
            while True:
                try:
                    if type(step) is Send:
                        result: Any = await asend_within(http, step.request, step.deadline)
                    elif type(step) is Read:
                        result = await aread_body(step.response, step.limit)
                    elif type(step) is Emit:
                        return step
                    else:
                        result = await self.perform(step)
                except Exception as exc:
                    step = steps.throw(exc)
                else:
                    step = steps.send(result)
        except StopIteration as done:
            return done.value

    async def perform(self, step: RunStep) -> Any:
        if isinstance(step, Call):
            if not step.billable:
                return await self.client._request(step)
            self.creating = (step, time.time())
            result = await self.client._request(step)
            self.creating = None
            return result
        if isinstance(step, ReadChunk):
            try:
                return await step.open.chunks.__anext__()
            except StopAsyncIteration:
                return b""
        if isinstance(step, Sleep):
            import anyio

            return await anyio.sleep(step.seconds)
        if isinstance(step, OpenStream):
            response = await self.client._send(step.call, stream=True)
            return self._opened(response, response.aiter_bytes(step.chunk_size))
        if isinstance(step, Gather):
            return await _gather(self.client, step.calls)
        if isinstance(step, Running):
            self.running = step if step.cancel else None
            return None
        raise TypeError(f"Not a step: {step!r}")

    async def __aenter__(self) -> AsyncDriver:
        return self

    async def __aexit__(self, kind: Optional[type], *_: object) -> None:
        steps = self._abandoned(kind)
        if not self.open and steps is None:
            return  # the usual end of a run: nothing to close, nothing to cancel
        import anyio

        # Shielded: this runs while the task is being cancelled, and must still run.
        with anyio.CancelScope(shield=True):
            for opened in self.open:
                await opened.response.aclose()
            self.open.clear()
            if steps is None:
                return
            with anyio.move_on_after(CANCEL_TIMEOUT + 2 * ABANDON_SETTLE):
                try:
                    _tell(await async_complete(self.client, steps))
                except Exception as exc:  # best effort
                    _tell(f"its prediction could not be canceled ({type(exc).__name__})")
                return
            _tell("its prediction could not be canceled in time")


async def _gather(client: AsyncClient, calls: List[Call[Any]]) -> List[Any]:
    import anyio

    results: List[Any] = [None] * len(calls)

    async def one(index: int, call: Call[Any]) -> None:
        results[index] = await client._request(call)

    if len(calls) == 1:
        await one(0, calls[0])
        return results
    async with anyio.create_task_group() as group:
        for index, call in enumerate(calls):
            group.start_soon(one, index, call)
    return results


async def async_iterate(client: AsyncClient, steps: Steps[Any]) -> AsyncIterator[Any]:
    """Perform `steps` with the async client, yielding each emitted value."""
    async with AsyncDriver(client) as driver:
        with closing(steps):
            while True:
                step = await driver.drive(steps)
                if type(step) is not Emit:
                    return
                for value in step.values:
                    yield value


async def async_complete(client: AsyncClient, steps: Steps[R]) -> R:
    """Perform `steps` to the end with the async client and return their result."""
    async with AsyncDriver(client) as driver:
        with closing(steps):
            step = await driver.drive(steps)
            while type(step) is Emit:
                step = await driver.drive(steps)
            return step  # type: ignore[no-any-return]
