"""`client.trainings`: fine-tune a model version into a destination model."""

from __future__ import annotations

from typing import List, Mapping, Union

from typing_extensions import Unpack

from .._base.options import NOT_GIVEN, NotGiven, RequestOptions
from .._http.call import Call, PageCall, check_json, expand_path
from .._http.endpoint import E, Raw, Resource, Streamed, V, endpoint
from ..types import (
    TrainingCancelResponse,
    TrainingCreateResponse,
    TrainingGetResponse,
    TrainingListResponse,
    WebhookEvent,
)


class Trainings(Resource[E, V]):
    with_raw_response: Trainings[E, Raw]
    with_streaming_response: Trainings[E, Streamed]

    @endpoint
    def create(
        self,
        *,
        model_owner: str,
        model_name: str,
        version_id: str,
        destination: str,
        input: Mapping[str, object],
        webhook: Union[str, NotGiven] = NOT_GIVEN,
        webhook_events_filter: Union[List[WebhookEvent], NotGiven] = NOT_GIVEN,
        **options: Unpack[RequestOptions],
    ) -> Call[TrainingCreateResponse]:
        """Start a training: `POST /models/{model_owner}/{model_name}/versions/{version_id}/trainings`.

        `destination` is an existing model of yours, `owner/name`, that receives the new version.
        Like prediction creates, not retried once the request may have reached the server.
        """
        path = expand_path(
            "/models/{model_owner}/{model_name}/versions/{version_id}/trainings",
            model_owner=model_owner,
            model_name=model_name,
            version_id=version_id,
        )
        if destination.count("/") != 1 or not all(destination.split("/")):
            raise ValueError(f"destination must be 'owner/name' of an existing model, got {destination!r}")
        check_json(input, "input")
        body = {
            "destination": destination,
            "input": input,
            "webhook": webhook,
            "webhook_events_filter": webhook_events_filter,
        }
        return Call("POST", path, TrainingCreateResponse, body=body, options=options, billable=True)

    @endpoint
    def list(self, **options: Unpack[RequestOptions]) -> PageCall[TrainingListResponse]:
        """Your trainings, newest first: `GET /trainings`."""
        return PageCall("GET", "/trainings", TrainingListResponse, options=options)

    @endpoint
    def cancel(self, *, training_id: str, **options: Unpack[RequestOptions]) -> Call[TrainingCancelResponse]:
        """Stop a training: `POST /trainings/{training_id}/cancel`."""
        path = expand_path("/trainings/{training_id}/cancel", training_id=training_id)
        return Call("POST", path, TrainingCancelResponse, options=options)

    @endpoint
    def get(self, *, training_id: str, **options: Unpack[RequestOptions]) -> Call[TrainingGetResponse]:
        """A training's current state: `GET /trainings/{training_id}`."""
        path = expand_path("/trainings/{training_id}", training_id=training_id)
        return Call("GET", path, TrainingGetResponse, options=options)
