"""`run_many()`'s two drivers: threads for `Replicate`, tasks for `AsyncReplicate`.

A row's work is written once (`batch.row_steps`, performed by `_http/steps.py`'s drivers); what
is shared here is the bookkeeping (`_Schedule`): which row may start (at most `concurrency` in
flight and, in input order, no further ahead of the oldest unfinished row than a window), and
which results may be handed out. The drivers differ only in how they wait for a row to finish.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from typing import Any, AsyncIterator, Dict, Iterator, List, Optional, Tuple, cast

from .._http.steps import Running, Steps, _abandon_steps, abandon, async_complete, complete
from .batch import BatchPlan, BatchResult, Row, row_steps


class _Stopped(BaseException):
    """The batch was left early: a row still running is abandoned (its prediction cancelled)."""


class _Schedule:
    def __init__(self, plan: BatchPlan) -> None:
        self.plan = plan
        self.rows = plan.rows()
        self.exhausted = False
        self.in_flight = 0
        self.pulled = 0
        self.next_out = 0
        self.waiting: Dict[int, BatchResult] = {}
        # In input order, results after a slow row wait for it: bound how many.
        self.window = max(4 * plan.concurrency, 64)
        self.started = time.monotonic()

    @property
    def over(self) -> bool:
        return self.exhausted and not self.in_flight

    def next_row(self) -> Optional[Row]:
        """The next row to start, or None if none may start now (or there are none left)."""
        plan = self.plan
        if self.exhausted or self.in_flight >= plan.concurrency:
            return None
        if plan.ordered and self.pulled - self.next_out >= self.window:
            return None
        row = next(self.rows, None)
        if row is None:
            self.exhausted = True
            self._close_if_over()
            return None
        self.pulled += 1
        if row.result is None:
            self.in_flight += 1
            plan.state.in_flight = self.in_flight
        return row

    def finished(self, result: BatchResult, *, resumed: bool) -> List[BatchResult]:
        """Count a finished row; returns the results that may now be handed out, in order."""
        plan = self.plan
        if not resumed:
            self.in_flight -= 1
            plan.state.in_flight = self.in_flight
        plan.count(result, resumed=resumed, elapsed=time.monotonic() - self.started)
        self._close_if_over()
        if not plan.ordered:
            return [result]
        self.waiting[result.index] = result
        out: List[BatchResult] = []
        while self.next_out in self.waiting:
            out.append(self.waiting.pop(self.next_out))
            self.next_out += 1
        return out

    def _close_if_over(self) -> None:
        if self.over and self.plan.journal is not None:
            self.plan.journal.close()


class _Stop:
    """Leaving a sync batch early. The main thread cancels the predictions known to be running
    itself (a Ctrl-C ends the process before a worker blocked in a request would get to it); a
    worker cancels only what it learns of afterwards, so each is cancelled, and told, once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.set = False
        self.running: Dict[int, Running] = {}

    def claim(self) -> List[Running]:
        """Stop the workers; the predictions left for the caller's thread to cancel."""
        with self.lock:
            self.set = True
            claimed, self.running = list(self.running.values()), {}
        return claimed


def _stoppable(steps: Steps[BatchResult], stop: _Stop, index: int) -> Steps[BatchResult]:
    """`steps`, ending with `_Stopped` at the first step after the batch is stopped."""
    try:
        step = next(steps)
        while True:
            claimed: Optional[bool] = None
            with stop.lock:
                if isinstance(step, Running):  # still goes through: the driver cancels what it holds
                    if step.cancel is not None:
                        stop.running[index] = step
                    else:
                        stop.running.pop(index, None)
                elif stop.set:
                    claimed = index not in stop.running
                    stop.running.pop(index, None)
            if claimed is not None:
                if claimed:
                    yield Running(None)  # the caller's thread has cancelled it
                raise _Stopped
            try:
                result = yield step
            except Exception as exc:
                step = steps.throw(exc)
            else:
                step = steps.send(result)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


def iterate(plan: BatchPlan) -> Iterator[BatchResult]:
    """Run a batch on worker threads, at most `concurrency` of them."""
    client: Any = plan.batch_client
    schedule = _Schedule(plan)
    rows: queue.Queue[Optional[Row]] = queue.Queue()
    results: queue.Queue[BatchResult] = queue.Queue()
    stop = _Stop()
    workers: List[threading.Thread] = []

    def work() -> None:
        while True:
            row = rows.get()
            if row is None:
                return
            try:
                result = complete(client, _stoppable(row_steps(plan, row), stop, row.index))
            except BaseException as exc:  # stopped: nobody is reading any more
                result = BatchResult(row.index, row.input, None, exc, None)
            results.put(result)

    try:
        while not schedule.over:
            row = schedule.next_row()
            if row is not None and row.result is not None:
                yield from schedule.finished(row.result, resumed=True)
            elif row is not None:
                if len(workers) < schedule.in_flight:
                    # Daemon threads: a Ctrl-C leaves without waiting out a create held open.
                    workers.append(threading.Thread(target=work, daemon=True, name="replicate-run-many"))
                    workers[-1].start()
                rows.put(row)
            elif schedule.in_flight:
                yield from schedule.finished(results.get(), resumed=False)
    finally:
        for running in stop.claim():
            abandon(client, _abandon_steps(running, None, None))
        for _ in workers:
            rows.put(None)


async def async_iterate(plan: BatchPlan) -> AsyncIterator[BatchResult]:
    """Run a batch as tasks, at most `concurrency` of them."""
    import anyio
    from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

    client: Any = plan.batch_client
    schedule = _Schedule(plan)
    # Unbounded: at most `concurrency` results are ever waiting in it.
    send, receive = cast(
        "Tuple[MemoryObjectSendStream[BatchResult], MemoryObjectReceiveStream[BatchResult]]",
        anyio.create_memory_object_stream(math.inf),
    )

    async def work(row: Row) -> None:
        await send.send(await async_complete(client, row_steps(plan, row)))

    async with anyio.create_task_group() as group:
        try:
            while not schedule.over:
                row = schedule.next_row()
                if row is not None and row.result is not None:
                    for result in schedule.finished(row.result, resumed=True):
                        yield result
                elif row is not None:
                    group.start_soon(work, row)
                elif schedule.in_flight:
                    for result in schedule.finished(await receive.receive(), resumed=False):
                        yield result
        except GeneratorExit:
            pass  # the caller left the loop (aclose()): not an error for the task group to wrap
        finally:
            group.cancel_scope.cancel()  # rows still running are abandoned: their predictions cancelled
