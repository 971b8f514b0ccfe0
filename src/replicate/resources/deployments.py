"""`client.deployments`: deployments and the predictions they run."""

from __future__ import annotations

from functools import cached_property
from typing import List, Mapping, Union

from typing_extensions import Unpack

from .._base.options import NOT_GIVEN, NotGiven, RequestOptions
from .._http.call import Call, PageCall, expand_path
from .._http.endpoint import E, Raw, Resource, Streamed, V, endpoint
from ..types import (
    DeploymentCreateResponse,
    DeploymentGetResponse,
    DeploymentListResponse,
    DeploymentUpdateResponse,
    Prediction,
    WebhookEvent,
)
from .predictions import prediction_create_call


def _deployment_path(suffix: str, deployment_owner: str, deployment_name: str) -> str:
    return expand_path(
        "/deployments/{deployment_owner}/{deployment_name}" + suffix,
        deployment_owner=deployment_owner,
        deployment_name=deployment_name,
    )


class Deployments(Resource[E, V]):
    with_raw_response: Deployments[E, Raw]
    with_streaming_response: Deployments[E, Streamed]

    @cached_property
    def predictions(self) -> DeploymentPredictions[E, V]:
        return DeploymentPredictions(self._client, self._view)

    @endpoint
    def create(
        self,
        *,
        hardware: str,
        max_instances: int,
        min_instances: int,
        model: str,
        name: str,
        version: str,
        **options: Unpack[RequestOptions],
    ) -> Call[DeploymentCreateResponse]:
        """Create a deployment of a model version: `POST /deployments`."""
        body = {
            "hardware": hardware,
            "max_instances": max_instances,
            "min_instances": min_instances,
            "model": model,
            "name": name,
            "version": version,
        }
        return Call("POST", "/deployments", DeploymentCreateResponse, body=body, options=options)

    @endpoint
    def update(
        self,
        *,
        deployment_owner: str,
        deployment_name: str,
        hardware: Union[str, NotGiven] = NOT_GIVEN,
        max_instances: Union[int, NotGiven] = NOT_GIVEN,
        min_instances: Union[int, NotGiven] = NOT_GIVEN,
        version: Union[str, NotGiven] = NOT_GIVEN,
        **options: Unpack[RequestOptions],
    ) -> Call[DeploymentUpdateResponse]:
        """Change hardware, scaling or version: `PATCH /deployments/{deployment_owner}/{deployment_name}`."""
        body = {
            "hardware": hardware,
            "max_instances": max_instances,
            "min_instances": min_instances,
            "version": version,
        }
        path = _deployment_path("", deployment_owner, deployment_name)
        return Call("PATCH", path, DeploymentUpdateResponse, body=body, options=options)

    @endpoint
    def list(self, **options: Unpack[RequestOptions]) -> PageCall[DeploymentListResponse]:
        """Your deployments, a page at a time: `GET /deployments`."""
        return PageCall("GET", "/deployments", DeploymentListResponse, options=options)

    @endpoint
    def delete(
        self, *, deployment_owner: str, deployment_name: str, **options: Unpack[RequestOptions]
    ) -> Call[None]:
        """Delete an idle deployment: `DELETE /deployments/{deployment_owner}/{deployment_name}`."""
        return Call("DELETE", _deployment_path("", deployment_owner, deployment_name), None, options=options)

    @endpoint
    def get(
        self, *, deployment_owner: str, deployment_name: str, **options: Unpack[RequestOptions]
    ) -> Call[DeploymentGetResponse]:
        """A deployment and its current release: `GET /deployments/{deployment_owner}/{deployment_name}`."""
        path = _deployment_path("", deployment_owner, deployment_name)
        return Call("GET", path, DeploymentGetResponse, options=options)


class DeploymentPredictions(Resource[E, V]):
    with_raw_response: DeploymentPredictions[E, Raw]
    with_streaming_response: DeploymentPredictions[E, Streamed]

    @endpoint
    def create(
        self,
        *,
        deployment_owner: str,
        deployment_name: str,
        input: Mapping[str, object],
        stream: Union[bool, NotGiven] = NOT_GIVEN,
        webhook: Union[str, NotGiven] = NOT_GIVEN,
        webhook_events_filter: Union[List[WebhookEvent], NotGiven] = NOT_GIVEN,
        cancel_after: Union[str, NotGiven] = NOT_GIVEN,
        prefer: Union[str, NotGiven] = NOT_GIVEN,
        **options: Unpack[RequestOptions],
    ) -> Call[Prediction]:
        """Run a deployment: `POST /deployments/{deployment_owner}/{deployment_name}/predictions`.

        See `predictions.create` for `prefer`, `cancel_after` and the webhook options.
        """
        return prediction_create_call(
            _deployment_path("/predictions", deployment_owner, deployment_name),
            {},
            input=input,
            stream=stream,
            webhook=webhook,
            webhook_events_filter=webhook_events_filter,
            cancel_after=cancel_after,
            prefer=prefer,
            options=options,
        )
