"""`run_many()`: one model over many inputs, none lost, none created twice, at the pace the API allows.

    prepare_batch(...)   → BatchPlan     everything checkable before a request (the reference,
                                         concurrency, the journal and whether it fits)
    BatchPlan.rows()     → Row...        the inputs, read lazily, each with what the journal
                                         knows of it (finished, created, maybe created)
    row_steps(plan, row) → steps         one input: create (or follow, or settle) → wait → result
    batch_run.iterate / async_iterate    at most `concurrency` rows at once; results in input
                                         order, or as they finish

A batch runs on its own copy of the client (same connection pool, same ledger of creates) that
carries a `Throttle` (`_http/throttle.py`): every request, retries included, waits its turn under the
API's limits, and a 429 pauses all of the batch's requests of that kind. Waiting costs little:
creates hold the request open (`Prefer: wait`), and longer predictions are followed on their
event stream, so a quick model takes one request per input.

Stopping early (leaving the loop, Ctrl-C, a cancelled task) cancels the predictions in flight,
as `run()` does. With a journal, the next run creates those rows again; rows the journal saw
finish come back from it without a request.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Union, cast

from .._base.errors import ReplicateError
from .._base.options import NOT_GIVEN, NotGiven
from .._http.reconcile import CreateShape, find_created
from .._http.steps import Steps
from .._http.throttle import CREATES_PER_MINUTE, REQUESTS_PER_MINUTE, Throttle
from ..resources.predictions import Predictions
from .batch_journal import Journal, JournalEntry, Row, input_hash
from .run import prepare_run, transform_output

if TYPE_CHECKING:
    from .._http.client import _ClientBase
    from ..types import Prediction
    from .refs import ModelRef
    from .run import RunPlan


@dataclass(frozen=True)
class BatchResult:
    """One input's outcome: `output`, or the `error` that stopped it (None when it succeeded)."""

    index: int
    input: Mapping[str, Any]
    output: Any
    error: Optional[BaseException]
    prediction_id: Optional[str]

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BatchProgress:
    """Where a batch stands, handed to `progress=` after each input finishes."""

    done: int = 0
    """Inputs finished, successfully or not (`failed` of them did not succeed)."""
    failed: int = 0
    in_flight: int = 0
    elapsed: float = 0.0
    """Seconds since the batch started."""
    resumed: int = 0
    """Of `done`, those that came back from the journal without a request."""

    def time_left(self, total: int) -> Optional[float]:
        """Seconds until `total` inputs are done, at the pace so far (None before there is one)."""
        ran = self.done - self.resumed
        if ran <= 0 or self.elapsed <= 0:
            return None
        return max(total - self.done, 0) * self.elapsed / ran


@dataclass
class BatchPlan:
    checked: RunPlan
    """The run, checked once up front on the caller's client (which the output files go through)."""
    batch_client: _ClientBase[Any]
    ref: Any
    inputs: Iterator[Any]
    concurrency: int
    ordered: bool
    journal: Optional[Journal]
    use_file_output: bool
    params: Dict[str, Any]
    wait: Union[bool, int, NotGiven]
    progress: Optional[Callable[[BatchProgress], object]]
    state: BatchProgress = field(default_factory=BatchProgress)

    def rows(self) -> Iterator[Row]:
        """The inputs as rows, lazily; with a journal, checked against it before any request."""
        if self.journal is None:
            for index, value in enumerate(self.inputs):
                yield Row(index, value)
            return
        ledger = self.batch_client._creates
        if ledger is not None:  # the predictions of the journal's rows: settling rows leave them be
            for entry in self.journal.entries.values():
                if entry.prediction_id:
                    ledger.hold(entry.prediction_id)
        yield from self.journal.resume(self.inputs, self.finished)

    def finished(self, index: int, value: Any, entry: JournalEntry) -> BatchResult:
        """The result of an input the journal saw finish."""
        error = None if entry.error is None else ReplicateError(f"{entry.error} (as the journal recorded it)")
        output = self.files(entry.output) if error is None else None
        return BatchResult(index, value, output, error, entry.prediction_id)

    def files(self, output: Any) -> Any:
        return transform_output(output, self.checked.client) if self.use_file_output else output

    def count(self, result: BatchResult, *, resumed: bool, elapsed: float) -> None:
        state = self.state
        state.done += 1
        state.failed += result.error is not None
        state.resumed += resumed
        state.elapsed = elapsed
        if self.progress is not None:
            self.progress(state)


def prepare_batch(
    client: _ClientBase[Any],
    ref: Any,
    inputs: Iterable[Mapping[str, Any]],
    *,
    concurrency: int = 10,
    journal: Union[str, os.PathLike[str], None] = None,
    ordered: bool = True,
    use_file_output: bool = True,
    progress: Optional[Callable[[BatchProgress], object]] = None,
    creates_per_minute: float = CREATES_PER_MINUTE,
    requests_per_minute: float = REQUESTS_PER_MINUTE,
    wait: Union[bool, int, NotGiven] = NOT_GIVEN,
    **params: Any,
) -> BatchPlan:
    """Check everything that can be checked before a request (module docstring)."""
    checked = prepare_run(client, ref, input={}, wait=wait, **params)
    given: Any = inputs
    kind: str = type(inputs).__name__
    if isinstance(given, (str, bytes, Mapping)) or not isinstance(given, Iterable):
        raise TypeError(f"inputs must be an iterable of input dicts (a list, a generator...), not {kind}")
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ValueError(f"concurrency must be a whole number >= 1, got {concurrency!r}")
    if wait is False:
        raise ValueError("run_many() waits for every prediction; wait=False is for run()")
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be a function taking a BatchProgress, not {type(progress).__name__}")
    # Its own copy of the client: the same connections and creates, paced for this batch alone.
    batch_client = client.copy()
    batch_client._creates = client._creates
    batch_client._throttle = Throttle(creates_per_minute, requests_per_minute)
    opened = None if journal is None else Journal.open(journal, ref=_ref_text(checked.target))
    return BatchPlan(
        checked=checked,
        batch_client=batch_client,
        ref=ref,
        inputs=iter(cast("Iterable[Any]", inputs)),
        concurrency=concurrency,
        ordered=ordered,
        journal=opened,
        use_file_output=use_file_output,
        params=params,
        wait=wait,
        progress=progress,
    )


def _ref_text(target: ModelRef) -> str:
    text = f"{target.owner}/{target.name}" if target.owner else ""
    return f"{text}:{target.version}" if target.version else text


def row_steps(plan: BatchPlan, row: Row) -> Steps[BatchResult]:
    """One input: create it (or follow, or settle what the journal knows), wait, and report."""
    prediction: Optional[Prediction] = None
    journal = plan.journal
    digest = input_hash(row.input) if journal is not None else ""
    try:
        given: Any = row.input
        if not isinstance(given, Mapping):
            raise TypeError(
                f"input {row.index} must be a dict of the model's inputs, not {type(given).__name__}"
            )
        run = prepare_run(
            plan.batch_client,
            plan.ref,
            input=cast("Mapping[str, Any]", given),
            wait=plan.wait,
            **plan.params,
            use_file_output=False,
        )
        entry = row.entry
        if entry is not None and entry.prediction_id:
            prediction = yield Predictions.get.build(None, prediction_id=entry.prediction_id)
        elif entry is not None and entry.sent_at is not None:
            prediction = yield from _settle(plan, run, row, entry.sent_at)
        if prediction is not None and prediction.status == "canceled":
            prediction = None  # stopped with an earlier run of the batch: run it again
        if prediction is None:
            if journal is not None:
                journal.creating(row.index, digest)
            prediction = yield from run.create()
        if journal is not None:
            journal.created(row.index, digest, prediction.id)
        prediction = yield from run.finish(prediction)
    except Exception as exc:
        result = BatchResult(row.index, row.input, None, exc, prediction.id if prediction else None)
        if journal is not None:
            journal.done(row.index, digest, result.prediction_id, None, f"{type(exc).__name__}: {exc}")
        return result
    if journal is not None:
        journal.done(row.index, digest, prediction.id, prediction.output, None)
    return BatchResult(row.index, row.input, plan.files(prediction.output), None, prediction.id)


def _settle(plan: BatchPlan, run: RunPlan, row: Row, sent_at: float) -> Steps[Optional[Prediction]]:
    """A row whose create may have been sent before the batch was stopped: find its prediction."""
    from ..types import Prediction

    ledger = plan.batch_client._creates
    if run.files.uploads or ledger is None:
        raise ReplicateError(
            f"input {row.index} may have been created by an earlier run of this batch, and cannot be"
            " looked for (it has local files, or reconcile_creates is off): check client.predictions.list()"
        )
    given: Any = row.input
    shape = CreateShape.of(run._create_call(dict(given)))
    if shape is None:
        return None
    found = yield from find_created(shape, ledger, sent_at)
    return None if found is None else Prediction.model_validate(found)
