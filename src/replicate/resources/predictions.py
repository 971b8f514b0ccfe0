"""`client.predictions`: create, get, list, cancel and wait for predictions."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Callable, Dict, Generator, List, Optional, Union

from typing_extensions import Literal, Unpack

from .._base.constants import has_ended
from .._base.options import NOT_GIVEN, NotGiven, RequestOptions
from .._http.call import Call, CreatedPageCall, check_json, drop_unset, expand_path
from .._http.endpoint import E, Raw, Resource, Sleep, Step, Streamed, V, endpoint, procedure
from ..types import Prediction, WebhookEvent

_PREFER = re.compile(r"^wait(=([1-9]|[1-5][0-9]|60))?$")


class Predictions(Resource[E, V]):
    with_raw_response: Predictions[E, Raw]
    with_streaming_response: Predictions[E, Streamed]

    @endpoint
    def create(
        self,
        *,
        version: str,
        input: Mapping[str, object],
        stream: Union[bool, NotGiven] = NOT_GIVEN,
        webhook: Union[str, NotGiven] = NOT_GIVEN,
        webhook_events_filter: Union[List[WebhookEvent], NotGiven] = NOT_GIVEN,
        cancel_after: Union[str, NotGiven] = NOT_GIVEN,
        prefer: Union[str, NotGiven] = NOT_GIVEN,
        **options: Unpack[RequestOptions],
    ) -> Call[Prediction]:
        """Run a model version: `POST /predictions`.

        `version` is a 64-character version id, `owner/name:version_id`, or `owner/name` for an
        official model. `prefer="wait"` (or `"wait=N"`, N in 1..60) holds the request open until
        the prediction finishes or N seconds pass. Not retried after the request may have
        reached the server (see "Retries" in the README), so a model never runs twice.
        """
        if not version:
            raise ValueError("Expected a non-empty value for `version` but received ''")
        return prediction_create_call(
            "/predictions",
            {"version": version},
            input=input,
            stream=stream,
            webhook=webhook,
            webhook_events_filter=webhook_events_filter,
            cancel_after=cancel_after,
            prefer=prefer,
            options=options,
        )

    @endpoint
    def get(self, *, prediction_id: str, **options: Unpack[RequestOptions]) -> Call[Prediction]:
        """A prediction's current state: `GET /predictions/{prediction_id}`."""
        path = expand_path("/predictions/{prediction_id}", prediction_id=prediction_id)
        return Call("GET", path, Prediction, options=options)

    @endpoint
    def list(
        self,
        *,
        created_after: Union[str, datetime, NotGiven] = NOT_GIVEN,
        created_before: Union[str, datetime, NotGiven] = NOT_GIVEN,
        source: Union[Literal["web"], NotGiven] = NOT_GIVEN,
        **options: Unpack[RequestOptions],
    ) -> CreatedPageCall[Prediction]:
        """Your predictions, newest first, a page at a time: `GET /predictions`."""
        query = {"created_after": created_after, "created_before": created_before, "source": source}
        return CreatedPageCall("GET", "/predictions", Prediction, query=query, options=options)

    @endpoint
    def cancel(self, *, prediction_id: str, **options: Unpack[RequestOptions]) -> Call[Prediction]:
        """Stop a prediction (it stops billing): `POST /predictions/{prediction_id}/cancel`."""
        path = expand_path("/predictions/{prediction_id}/cancel", prediction_id=prediction_id)
        return Call("POST", path, Prediction, options=options)

    @procedure
    def wait(
        self, *, prediction_id: str, poll_interval: float = 0.5, **options: Unpack[RequestOptions]
    ) -> Generator[Step, Any, Prediction]:
        """Poll `GET /predictions/{prediction_id}` until the prediction succeeds, fails or is canceled.

        Returns the final prediction; it does not raise when the prediction failed (check
        `.status`). Polls quickly at first, then every `poll_interval` seconds. A status this
        client does not know ends the wait once the prediction reports `completed_at`.
        """
        path = expand_path("/predictions/{prediction_id}", prediction_id=prediction_id)
        if not 0 < poll_interval < math.inf:  # NaN fails both comparisons
            raise ValueError(
                f"poll_interval must be a positive, finite number of seconds, got {poll_interval!r}"
            )
        get: Call[Prediction] = Call("GET", path, Prediction, options=options)
        prediction: Prediction = yield get
        return (yield from poll_steps(prediction, get, poll_interval))


FIRST_POLL = 0.02
POLL_GROWTH = 1.5


def poll_steps(
    prediction: Prediction,
    get: Call[Prediction],
    poll_interval: float,
    *,
    grace: Optional[float] = None,
    watch: Optional[Callable[[Prediction], object]] = None,
) -> Generator[Step, Any, Prediction]:
    """Poll with `get` until the prediction has ended, at a pause growing to `poll_interval`: every
    wait for a prediction (`predictions.wait`, and `run()`'s past its event stream) ends here.

    `watch` sees each state polled. With a `grace`, polling stops too once the prediction is
    `grace` seconds past its `deadline` (`run()` then cancels it).
    """
    delay = min(FIRST_POLL, poll_interval)
    while not has_ended(prediction.status, prediction.completed_at) and not past_deadline(prediction, grace):
        yield Sleep(delay)
        delay = min(delay * POLL_GROWTH, poll_interval)
        prediction = yield get
        if watch is not None:
            watch(prediction)
    return prediction


def past_deadline(prediction: Prediction, grace: Optional[float]) -> bool:
    """Whether `prediction` is more than `grace` seconds past its `deadline` (never without either)."""
    deadline = prediction.deadline
    return grace is not None and deadline is not None and time.time() > deadline.timestamp() + grace


def prediction_create_call(
    path: str,
    fields: Dict[str, object],
    *,
    input: Mapping[str, object],
    stream: Union[bool, NotGiven],
    webhook: Union[str, NotGiven],
    webhook_events_filter: Union[List[WebhookEvent], NotGiven],
    cancel_after: Union[str, NotGiven],
    prefer: Union[str, NotGiven],
    options: RequestOptions,
) -> Call[Prediction]:
    """The one description of a prediction create, shared by predictions, models and deployments."""
    if not isinstance(input, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"input must be a dict of the model's inputs, not {type(input).__name__}")
    check_json(input, "input")
    if isinstance(prefer, str) and not _PREFER.match(prefer):
        raise ValueError(f'prefer must be "wait" or "wait=N" with N from 1 to 60, got {prefer!r}')
    body = drop_unset(
        {
            **fields,
            "input": input,
            "stream": stream,
            "webhook": webhook,
            "webhook_events_filter": webhook_events_filter,
        }
    )
    headers = drop_unset({"Prefer": prefer, "Cancel-After": cancel_after})
    return Call("POST", path, Prediction, body=body, headers=headers, options=options, billable=True)
