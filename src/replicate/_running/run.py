"""`run()`: create a prediction, wait for it to end, return its output. One body, two drivers.

    prepare_run(...)  → RunPlan    everything checkable without a request: the reference,
                                   wait/prefer, file inputs (a missing path fails here)
    run_steps(plan)   → steps      uploads → create (`Prefer: wait` unless wait=False) → wait → output
    wait_steps(p)     → steps      the event stream to its `done`, else polls (`predictions.poll_steps`)
    run(client, ...)        = complete(client, run_steps(plan))          (see `_http/steps.py`)
    async_run(client, ...)  = await async_complete(client, run_steps(plan))

`wait` only says how the create request waits (`Prefer: wait`, `wait=N`, or none with False);
the prediction is followed to its end either way. A `progress=` callback makes the wait poll
instead of holding the event stream open (and a bare `wait` send no `Prefer`, so the callback
sees the prediction as soon as it exists); it runs between requests, and what it raises ends
the wait, leaving the prediction running. A prediction with a `deadline` (`cancel_after=`) that
is still running `DEADLINE_GRACE` seconds past it, by this machine's clock, is canceled by the
client, which raises `PredictionDeadlineError`: a server that never says a prediction ended
cannot hold the caller of `run()`, `use()` or `stream()`. `REPLICATE_POLL_INTERVAL` (seconds)
caps the pause between polls.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Union

import httpx

from .._base.constants import has_ended
from .._base.errors import (
    APIError,
    ModelError,
    PredictionCanceledError,
    PredictionDeadlineError,
    note_may_have_been_created,
)
from .._base.options import NOT_GIVEN, NotGiven
from .._http.call import Call, check_options
from .._http.events import EventReader
from .._http.steps import CANCEL_TIMEOUT, Gather, Running, Steps, async_complete, complete
from ..resources.models import ModelPredictions
from ..resources.predictions import Predictions, past_deadline, poll_steps
from .file_input import FileInputs, find_files, upload_urls
from .file_output import AsyncFileOutput, FileOutput, OutputList, is_file_url
from .refs import ModelRef, parse_ref

if TYPE_CHECKING:
    from .._client import AsyncReplicate, Replicate
    from .._http.client import _ClientBase
    from ..types import Prediction

SERVER_WAIT_WINDOW = 60
"""Seconds a bare `Prefer: wait` holds the request open at most (the API's maximum)."""
DEFAULT_POLL_CAP = 0.5
STREAM_ATTEMPTS = 3
DEADLINE_GRACE = 30.0
"""Seconds past a prediction's `deadline` that a wait still follows it: the API cancels it at
the deadline, and this clock may be a little off the API's."""

Wait = Union[bool, int, NotGiven]
Progress = Callable[["Prediction"], object]
"""A `progress=` callback: receives the prediction on each change (module docstring)."""


class ProgressWatch:
    """Calls a `progress=` callback with a prediction when it differs from the one last shown."""

    def __init__(self, callback: Progress) -> None:
        self.callback = callback
        self._last: Any = None

    def __call__(self, prediction: Prediction) -> None:
        seen = (prediction.id, prediction.status, prediction.logs, prediction.output, prediction.error)
        if seen != self._last:
            self._last = seen
            self.callback(prediction)


def progress_watch(progress: Optional[Progress]) -> Optional[ProgressWatch]:
    """A fresh watch for a `progress=` callback (None without one); refuses what cannot be called."""
    if progress is None:
        return None
    if not callable(progress):
        raise TypeError(f"progress must be a function taking a Prediction, not {type(progress).__name__}")
    return ProgressWatch(progress)


def poll_interval_cap() -> float:
    """The longest pause between polls: `REPLICATE_POLL_INTERVAL` seconds if set, else 0.5."""
    value = os.environ.get("REPLICATE_POLL_INTERVAL")
    if not value:
        return DEFAULT_POLL_CAP
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < math.inf:
        raise ValueError(
            f"REPLICATE_POLL_INTERVAL must be a positive, finite number of seconds, got {value!r}"
        )
    return seconds


def prefer_header(wait: Wait, prefer: object) -> Optional[str]:
    """The `Prefer` header: "wait" for wait=True (the default), "wait=N" for N in 1..60, none for
    False; or `prefer` as given, which cannot be combined with `wait`."""
    if not isinstance(prefer, NotGiven) and prefer is not None:
        if not isinstance(wait, NotGiven):
            raise TypeError("Pass either wait= or prefer=, not both (wait=N sends `Prefer: wait=N`)")
        return str(prefer)
    if isinstance(wait, NotGiven) or wait is True:
        return "wait"
    if wait is False:
        return None
    if not isinstance(wait, int):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"wait must be True, False or a number of seconds from 1 to 60, not {wait!r}")
    if not 1 <= wait <= 60:
        raise ValueError(f"wait must be a number of seconds from 1 to 60 (or True/False), got {wait}")
    return f"wait={wait}"


def wait_timeout(timeout: Any, window: float) -> Any:
    """`timeout` with a read timeout that outlasts a `Prefer: wait` window of `window` seconds."""
    if timeout is None:
        return None
    timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
    if timeout.read is None or timeout.read > window + 10:
        return timeout
    return _timeout(timeout.connect, window + 10, timeout.write, timeout.pool)


@lru_cache(maxsize=64)  # the same few (a client's timeout, a wait window) on every run()
def _timeout(
    connect: Optional[float], read: Optional[float], write: Optional[float], pool: Optional[float]
) -> httpx.Timeout:
    return httpx.Timeout(connect=connect, read=read, write=write, pool=pool)


def _window(prefer: str) -> float:
    _, _, seconds = prefer.partition("=")
    return float(seconds) if seconds.strip().isdigit() else SERVER_WAIT_WINDOW


@dataclass
class RunPlan:
    """A run, checked and ready: what to create, how to wait, how to read the output."""

    client: _ClientBase[Any]
    target: ModelRef
    files: FileInputs
    create_params: Dict[str, Any]
    use_file_output: bool
    watch: Optional[ProgressWatch] = None
    """The `progress=` callback, if any."""

    def create(self) -> Steps[Prediction]:
        """Upload the input's files, then create the prediction (shown to the `watch`)."""
        uploaded: List[str] = []
        if self.files.uploads:
            uploaded = upload_urls((yield Gather(list(self.files.uploads.values()))))
        prediction: Prediction = yield self._create_call(self.files.fill(uploaded))
        if self.watch is not None:
            self.watch(prediction)
        return prediction

    def _create_call(self, input: Dict[str, Any]) -> Call[Prediction]:
        target = self.target
        if target.version:
            call = Predictions.create.build(None, version=target.version, input=input, **self.create_params)
        else:
            assert target.owner and target.name
            call = ModelPredictions.create.build(
                None, model_owner=target.owner, model_name=target.name, input=input, **self.create_params
            )
        check_options(call.options, "run")
        return call

    def finish(self, prediction: Prediction) -> Steps[Prediction]:
        """Wait for the prediction to end (cancelled if the caller gives up); raise unless it succeeded."""
        if not has_ended(prediction.status, prediction.completed_at):
            yield running(prediction)
            prediction = yield from wait_steps(prediction, self.watch)
            yield Running(None)
        raise_unless_succeeded(prediction)
        return prediction

    def output(self, prediction: Prediction) -> Any:
        """The output as `run()` returns it: file URLs and data: URIs as `FileOutput`s (unless
        `use_file_output=False`), in lists and dicts too; a list holding files an `OutputList`."""
        output: Any = prediction.output
        if self.use_file_output:
            output = transform_output(output, self.client)
        return OutputList.if_files(output)


def raise_unless_succeeded(prediction: Prediction) -> None:
    """Raise `PredictionCanceledError` or `ModelError` for a prediction that ended without succeeding."""
    if prediction.status == "canceled":
        raise PredictionCanceledError(prediction)
    if prediction.status != "succeeded":
        raise ModelError(prediction)


def prepare_run(
    client: _ClientBase[Any],
    ref: Any,
    *,
    input: Optional[Mapping[str, Any]] = None,
    wait: Wait = NOT_GIVEN,
    use_file_output: bool = True,
    file_encoding_strategy: Optional[str] = None,
    progress: Optional[Progress] = None,
    **params: Any,
) -> RunPlan:
    """Check everything that can be checked before a request, and plan the run."""
    target = parse_ref(ref)
    if input is None:
        input = {}
    if not isinstance(input, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"input must be a dict of the model's inputs, not {type(input).__name__}")
    watch = progress_watch(progress)
    watching = progress is not None and isinstance(wait, NotGiven) and params.get("prefer") is None
    prefer = prefer_header(False if watching else wait, params.pop("prefer", NOT_GIVEN))
    if prefer is not None:
        params["prefer"] = prefer
        if "timeout" not in params:
            params["timeout"] = wait_timeout(client.timeout, _window(prefer))
    files = find_files(input, file_encoding_strategy)
    return RunPlan(client, target, files, params, use_file_output, watch)


def running(prediction: Prediction) -> Running:
    """The step that marks `prediction` ours: canceled (best effort, bounded) if the caller gives up."""
    cancel = Predictions.cancel.build(
        None, prediction_id=prediction.id, timeout=CANCEL_TIMEOUT, max_retries=0
    )
    # Read as a response: the answer is looked at tolerantly, for whether it had already ended.
    return Running(replace(cancel, cast_to=httpx.Response), f"prediction {prediction.id}")


def wait_steps(prediction: Prediction, watch: Optional[ProgressWatch] = None) -> Steps[Prediction]:
    """Wait for a prediction to end and return it: its event stream to `done` (unless a `watch`
    wants each state), then polls. A stream that breaks or fails is not fatal: the final state
    comes from `GET` either way."""
    get = Predictions.get.build(None, prediction_id=prediction.id)
    cap = poll_interval_cap()
    try:
        if watch is None:
            prediction = yield from _follow_stream(prediction, get)
        prediction = yield from poll_steps(prediction, get, cap, grace=DEADLINE_GRACE, watch=watch)
    except APIError as error:
        note = (
            f" This happened while waiting for prediction {prediction.id}, which was created and may"
            f" still be running: follow it with client.predictions.get(prediction_id={prediction.id!r})."
        )
        raise note_may_have_been_created(error, note) from None
    if not has_ended(prediction.status, prediction.completed_at):
        yield from unless_past_deadline(prediction)  # polling stopped at the deadline: give up
    return prediction


def _follow_stream(prediction: Prediction, get: Call[Prediction]) -> Steps[Prediction]:
    """Read the event stream to its `done`, then get the prediction; a stream that breaks off is
    opened again, `STREAM_ATTEMPTS` times in all, before polling takes over."""
    for _ in range(STREAM_ATTEMPTS):
        url = prediction.urls.stream
        ended = has_ended(prediction.status, prediction.completed_at)
        if url is None or ended or past_deadline(prediction, DEADLINE_GRACE):
            break
        try:
            final = yield from _until_done(prediction, url, get)
        except (httpx.RequestError, APIError):
            final = None  # fall back to the prediction itself (and polling if the stream keeps failing)
        if final is None:
            final = yield get
        prediction = final
    return prediction


def _until_done(running: Prediction, url: str, get: Call[Prediction]) -> Steps[Optional[Prediction]]:
    """Read the event stream to its `done` or its end (None). A stream sending only keep-alives
    has its prediction fetched now and then: once that has ended, it is returned."""
    reader = EventReader(url)
    while True:
        yield from unless_past_deadline(running)
        events = yield from reader.read()
        if events is None:
            return None
        if not events:
            prediction: Prediction = yield get
            if has_ended(prediction.status, prediction.completed_at):
                return prediction
        elif any(event.event == "done" for event in events):
            return None


def unless_past_deadline(prediction: Prediction) -> Steps[None]:
    """Cancel `prediction` and raise `PredictionDeadlineError` if it is `DEADLINE_GRACE` seconds
    past its deadline (module docstring); a prediction without one may run as long as it runs."""
    deadline = prediction.deadline
    if deadline is None or not past_deadline(prediction, DEADLINE_GRACE):
        return
    last = prediction
    try:
        last = yield Predictions.cancel.build(None, prediction_id=prediction.id)
    except APIError:
        pass  # best effort: the error names the prediction, to be canceled by hand
    raise PredictionDeadlineError(
        last,
        f"Prediction {prediction.id} was still {prediction.status} {DEADLINE_GRACE:g}s past its"
        f" deadline ({deadline.isoformat()}, from cancel_after): the client canceled it and stopped"
        " waiting",
    )


def run_steps(plan: RunPlan) -> Steps[Any]:
    """The whole of `run()` (see the module docstring)."""
    prediction = yield from plan.create()
    prediction = yield from plan.finish(prediction)
    return plan.output(prediction)


def run(client: Replicate, ref: Any, **options: Any) -> Any:
    """Run a model and return its output (`Replicate.run`; see the module docstring)."""
    return complete(client, run_steps(prepare_run(client, ref, **options)))


async def async_run(client: AsyncReplicate, ref: Any, **options: Any) -> Any:
    """Run a model with the async client; cancelling the task cancels the prediction too.

    The cancel is best effort and bounded (`_http/steps.CANCEL_TIMEOUT`). A task cancelled while the
    `Prefer: wait` create itself is still in flight, before the API has said which prediction
    it made, has that prediction found and cancelled too, unless the client was made with
    `reconcile_creates=False` (see the README's "Retries").
    """
    return await async_complete(client, run_steps(prepare_run(client, ref, **options)))


# -- output ------------------------------------------------------------------------------------------


def transform_output(value: Any, client: _ClientBase[Any]) -> Any:
    """`value` with every file URL (http, https, data:) made a `FileOutput` (`AsyncFileOutput` for
    an async `client`), recursively."""
    if isinstance(value, str) and is_file_url(value):
        return AsyncFileOutput(value, client) if client._is_async else FileOutput(value, client)  # pyright: ignore[reportArgumentType]
    if isinstance(value, list):
        return [transform_output(item, client) for item in value]  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, dict):
        return {key: transform_output(item, client) for key, item in value.items()}  # pyright: ignore[reportUnknownVariableType]
    return value


def output_schema(schema: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """The `Output` component of a version's OpenAPI schema, or {}."""
    try:
        found = schema["components"]["schemas"]["Output"]  # type: ignore[index]
    except (KeyError, TypeError):
        return {}
    return found if isinstance(found, dict) else {}  # pyright: ignore[reportUnknownVariableType]


def is_iterator(output: Mapping[str, Any]) -> bool:
    """Whether an output schema is a Cog iterator (the model yields its output piece by piece)."""
    return output.get("type") == "array" and output.get("x-cog-array-type") == "iterator"
