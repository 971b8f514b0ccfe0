"""Running a model as a generator of steps, performed by one of two small drivers.

`run()`, `use()` and `stream()` each do several things in order: upload files, create the
prediction, follow its event stream or poll it, download nothing until asked. Each of those
behaviours is written once, as a generator that yields what it needs done and receives the
result, the way `endpoint.procedure` does for `predictions.wait`:

    steps = run_steps(...)             # pure logic: decides, never does I/O
        Send(request)    → httpx.Response     (sent; its body unread)
        Read(resp, limit) → None              (the body read, within a deadline and a size cap)
        Call(...)        → parsed result      (client._request / await client._request)
        Sleep(s)         → None
        Gather([calls])  → [results]          (one after another / concurrently)
        OpenStream(call) → OpenResponse       (an unread streaming response)
        ReadChunk(open)  → bytes, b"" at end
        Emit(values)     → None               (hand values, in order, to whoever iterates)
        Running(cancel)  → None               (the call that cancels the work if the caller gives up)
    complete(client, steps) / iterate(client, steps)              ← sync driver
    await async_complete(client, steps) / async_iterate(...)      ← async driver

One request is steps too: `client._exchange(call)` yields `Send`, `Read` and `Sleep` (and, to
find a create whose outcome is unknown, `Call`s), performed by the same drivers (`drive`).
The drivers differ only in awaiting. They also own clean-up: open responses are closed
whatever happens, and while a `Running` step is in force its cancel call is made (best effort,
bounded) when the caller gives up: an async task cancelled, or Ctrl-C in sync code. A caller who
gives up while a create has not answered yet (held open by `Prefer: wait`, say) gets its
prediction found (`reconcile.cancel_abandoned`) and cancelled too. Either way the end is one
warning on the `replicate` logger (printed to stderr when logging is not configured) naming the
prediction and what was done with it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Generator,
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

__all__ = [
    "CANCEL_TIMEOUT",
    "AsyncDriver",
    "Read",
    "Send",
    "Sleep",
    "SyncDriver",
    "Emit",
    "Gather",
    "OpenResponse",
    "OpenStream",
    "ReadChunk",
    "Running",
    "RunStep",
    "async_complete",
    "async_iterate",
    "complete",
    "iterate",
]

R = TypeVar("R")

CANCEL_TIMEOUT = 3.0
"""How long cancelling an abandoned prediction may take before we give up on it."""


class Send:
    """Send `request` by `deadline` (the attempt's, see `limits.py`); the response comes back
    with its body unread (see `Read`)."""

    __slots__ = ("deadline", "request")  # plain slots, not a dataclass: one per attempt, on the hot path

    def __init__(self, request: httpx.Request, deadline: Optional[float]) -> None:
        self.request = request
        self.deadline = deadline


class Read:
    """Read `response`'s body, within `limit` (the attempt's deadline, a size cap)."""

    __slots__ = ("limit", "response")

    def __init__(self, response: httpx.Response, limit: BodyLimit) -> None:
        self.response = response
        self.limit = limit


@dataclass(frozen=True)
class Gather:
    """Make these calls (concurrently where the driver can) and send back their results in order."""

    calls: List[Call[Any]]


@dataclass(frozen=True)
class OpenStream:
    """Send this call and send back the response unread, as an `OpenResponse`."""

    call: Call[Any]


@dataclass(eq=False)
class OpenResponse:
    """A response being read a chunk at a time (the driver knows how)."""

    response: httpx.Response
    chunks: Any = field(repr=False)


@dataclass(frozen=True)
class ReadChunk:
    """Read the next chunk of an open response: bytes, or b"" once it has ended."""

    open: OpenResponse


@dataclass(frozen=True)
class Emit:
    """Hand `values`, in order, to the caller iterating the steps (streamed output chunks, say).

    A batch, not one value: a token stream decodes dozens of events from one read, and a step
    per token would cost more than decoding it.
    """

    values: Sequence[Any]


@dataclass(frozen=True)
class Running:
    """Something runs on our behalf (`what`, for the warning): make `cancel` (read as an
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


# -- sync ------------------------------------------------------------------------------------------


class SyncDriver:
    """Performs steps with a `SyncClient`: one request's exchange (`drive`), or a run's (`iterate`)."""

    def __init__(self, client: SyncClient) -> None:
        self.client = client
        self.running: Optional[Running] = None
        self.creating: Optional[Tuple[Call[Any], float]] = None
        self.open: List[OpenResponse] = []

    def drive(self, steps: Generator[Any, Any, R]) -> R:
        """Perform an exchange's steps to its end and return its result (the response)."""
        http = self.client._http
        step = next(steps)
        while True:
            try:
                # Sending and reading first: they are almost every step of every request.
                if type(step) is Send:
                    result: Any = send_within(http, step.request, step.deadline)
                elif type(step) is Read:
                    result = read_body(step.response, step.limit)
                else:
                    result = self.perform(step)
            except Exception as exc:
                try:
                    step = steps.throw(exc)
                except StopIteration as done:
                    return done.value  # type: ignore[no-any-return]
            else:
                try:
                    step = steps.send(result)
                except StopIteration as done:
                    return done.value  # type: ignore[no-any-return]

    def perform(self, step: RunStep) -> Any:
        if isinstance(step, Send):
            return send_within(self.client._http, step.request, step.deadline)
        if isinstance(step, Read):
            return read_body(step.response, step.limit)
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
            opened = OpenResponse(response, response.iter_bytes())
            self.open.append(opened)
            return opened
        if isinstance(step, Gather):
            return [self.client._request(call) for call in step.calls]
        if isinstance(step, Running):
            self.running = step if step.cancel else None
            return None
        raise TypeError(f"Not a step: {step!r}")

    def finish(self, abandoned: bool) -> None:
        for opened in self.open:
            opened.response.close()
        self.open.clear()
        if abandoned and (self.running or self.creating):
            steps = _abandon_steps(self.running, self.creating, self.client._creates)
            self.running = self.creating = None
            abandon(self.client, steps)


def abandon(client: SyncClient, steps: Steps[str]) -> None:
    """Perform `_abandon_steps` and tell the caller what was done, in one line."""
    try:
        _tell(complete(client, steps))
    except Exception as exc:  # best effort: the caller is already leaving with their own error
        _tell(f"its prediction could not be canceled ({type(exc).__name__})")


def iterate(client: SyncClient, steps: Steps[R]) -> Generator[Any, None, R]:
    """Perform `steps`, yielding each emitted value; returns what the steps return."""
    driver = SyncDriver(client)
    abandoned = True
    try:
        step = next(steps)
        while True:
            if isinstance(step, Emit):
                yield from step.values
                step = steps.send(None)
                continue
            try:
                result = driver.perform(step)
            except Exception as exc:
                step = steps.throw(exc)
            else:
                step = steps.send(result)
    except StopIteration as done:
        abandoned = False
        return done.value  # type: ignore[no-any-return]
    except (Exception, GeneratorExit):
        abandoned = False  # the steps raised (their own decision) or the caller stopped iterating
        raise
    finally:
        steps.close()
        driver.finish(abandoned)


def complete(client: SyncClient, steps: Steps[R]) -> R:
    """Perform `steps` to the end (ignoring emitted values) and return their result."""
    run = iterate(client, steps)
    try:
        while True:
            next(run)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


# -- async -----------------------------------------------------------------------------------------


class AsyncDriver:
    """`SyncDriver`, awaited, with an `AsyncClient`."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.running: Optional[Running] = None
        self.creating: Optional[Tuple[Call[Any], float]] = None
        self.open: List[OpenResponse] = []

    async def drive(self, steps: Generator[Any, Any, R]) -> R:
        """Perform an exchange's steps to its end and return its result (the response)."""
        http = self.client._http
        step = next(steps)
        while True:
            try:
                if type(step) is Send:
                    result: Any = await asend_within(http, step.request, step.deadline)
                elif type(step) is Read:
                    result = await aread_body(step.response, step.limit)
                else:
                    result = await self.perform(step)
            except Exception as exc:
                try:
                    step = steps.throw(exc)
                except StopIteration as done:
                    return done.value  # type: ignore[no-any-return]
            else:
                try:
                    step = steps.send(result)
                except StopIteration as done:
                    return done.value  # type: ignore[no-any-return]

    async def perform(self, step: RunStep) -> Any:
        if isinstance(step, Send):
            return await asend_within(self.client._http, step.request, step.deadline)
        if isinstance(step, Read):
            return await aread_body(step.response, step.limit)
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
            opened = OpenResponse(response, response.aiter_bytes())
            self.open.append(opened)
            return opened
        if isinstance(step, Gather):
            return await _gather(self.client, step.calls)
        if isinstance(step, Running):
            self.running = step if step.cancel else None
            return None
        raise TypeError(f"Not a step: {step!r}")

    async def finish(self, abandoned: bool) -> None:
        if not self.open and not (abandoned and (self.running or self.creating)):
            return  # the usual end of a run: nothing to close, nothing to cancel
        import anyio

        # Shielded: this runs while the task is being cancelled, and must still run.
        with anyio.CancelScope(shield=True):
            for opened in self.open:
                await opened.response.aclose()
            self.open.clear()
            if abandoned and (self.running or self.creating):
                steps = _abandon_steps(self.running, self.creating, self.client._creates)
                self.running = self.creating = None
                told = False
                with anyio.move_on_after(CANCEL_TIMEOUT + 2 * ABANDON_SETTLE):
                    try:
                        _tell(await async_complete(self.client, steps))
                        told = True
                    except Exception as exc:  # best effort
                        _tell(f"its prediction could not be canceled ({type(exc).__name__})")
                        told = True
                if not told:
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


class _Stepper:
    """Advances a steps generator with the async driver; shared by `async_complete` and `async_iterate`."""

    def __init__(self, client: AsyncClient, steps: Steps[Any]) -> None:
        self.driver = AsyncDriver(client)
        self.steps = steps
        self.done = False
        self.value: Any = None

    async def next_emit(self) -> Sequence[Any]:
        """The next emitted values; sets `done` and `value` when the steps return instead."""
        steps = self.steps
        try:
            step = next(steps)  # starts the steps, or resumes them after their last `Emit`
            while not isinstance(step, Emit):
                try:
                    result = await self.driver.perform(step)
                except Exception as exc:
                    step = steps.throw(exc)
                else:
                    step = steps.send(result)
            return step.values
        except StopIteration as stop:
            self.done = True
            self.value = stop.value
            return ()

    async def close(self, abandoned: bool) -> None:
        self.steps.close()
        await self.driver.finish(abandoned)


async def async_iterate(client: AsyncClient, steps: Steps[Any]) -> AsyncIterator[Any]:
    """Perform `steps` with the async client, yielding each emitted value."""
    stepper = _Stepper(client, steps)
    abandoned = True
    try:
        while True:
            values = await stepper.next_emit()
            if stepper.done:
                abandoned = False
                return
            for value in values:
                yield value
    except (Exception, GeneratorExit):
        abandoned = False
        raise
    finally:
        await stepper.close(abandoned)


async def async_complete(client: AsyncClient, steps: Steps[R]) -> R:
    """Perform `steps` to the end with the async client and return their result."""
    stepper = _Stepper(client, steps)
    abandoned = True
    try:
        while not stepper.done:
            await stepper.next_emit()
        abandoned = False
        return stepper.value  # type: ignore[no-any-return]
    except Exception:
        abandoned = False
        raise
    finally:
        await stepper.close(abandoned)
