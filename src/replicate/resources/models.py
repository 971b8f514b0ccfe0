"""`client.models`: models, their versions, examples, README, and official-model predictions."""

from __future__ import annotations

from functools import cached_property
from typing import List, Mapping, Union

from typing_extensions import Literal, Unpack

from .._base.options import NOT_GIVEN, NotGiven, RequestOptions
from .._http.call import Call, PageCall, expand_path
from .._http.endpoint import E, Raw, Resource, Streamed, V, endpoint
from ..types import (
    ModelCreateResponse,
    ModelGetResponse,
    ModelListResponse,
    ModelSearchResponse,
    ModelUpdateResponse,
    Prediction,
    WebhookEvent,
)
from ..types.models import VersionGetResponse, VersionListResponse
from .predictions import prediction_create_call


def _model_path(suffix: str, model_owner: str, model_name: str, **more: str) -> str:
    return expand_path(
        "/models/{model_owner}/{model_name}" + suffix, model_owner=model_owner, model_name=model_name, **more
    )


class Models(Resource[E, V]):
    with_raw_response: Models[E, Raw]
    with_streaming_response: Models[E, Streamed]

    @cached_property
    def examples(self) -> Examples[E, V]:
        return Examples(self._client, self._view)

    @cached_property
    def predictions(self) -> ModelPredictions[E, V]:
        return ModelPredictions(self._client, self._view)

    @cached_property
    def readme(self) -> Readme[E, V]:
        return Readme(self._client, self._view)

    @cached_property
    def versions(self) -> Versions[E, V]:
        return Versions(self._client, self._view)

    @endpoint
    def create(
        self,
        *,
        hardware: str,
        name: str,
        owner: str,
        visibility: Literal["public", "private"],
        cover_image_url: Union[str, NotGiven] = NOT_GIVEN,
        description: Union[str, NotGiven] = NOT_GIVEN,
        github_url: Union[str, NotGiven] = NOT_GIVEN,
        license_url: Union[str, NotGiven] = NOT_GIVEN,
        paper_url: Union[str, NotGiven] = NOT_GIVEN,
        **options: Unpack[RequestOptions],
    ) -> Call[ModelCreateResponse]:
        """Create a model: `POST /models`. `hardware` is a SKU from `client.hardware.list()`."""
        body = {
            "hardware": hardware,
            "name": name,
            "owner": owner,
            "visibility": visibility,
            "cover_image_url": cover_image_url,
            "description": description,
            "github_url": github_url,
            "license_url": license_url,
            "paper_url": paper_url,
        }
        return Call("POST", "/models", ModelCreateResponse, body=body, options=options)

    @endpoint
    def update(
        self,
        *,
        model_owner: str,
        model_name: str,
        description: Union[str, NotGiven] = NOT_GIVEN,
        github_url: Union[str, NotGiven] = NOT_GIVEN,
        license_url: Union[str, NotGiven] = NOT_GIVEN,
        paper_url: Union[str, NotGiven] = NOT_GIVEN,
        readme: Union[str, NotGiven] = NOT_GIVEN,
        weights_url: Union[str, NotGiven] = NOT_GIVEN,
        **options: Unpack[RequestOptions],
    ) -> Call[ModelUpdateResponse]:
        """Change a model's metadata: `PATCH /models/{model_owner}/{model_name}`."""
        body = {
            "description": description,
            "github_url": github_url,
            "license_url": license_url,
            "paper_url": paper_url,
            "readme": readme,
            "weights_url": weights_url,
        }
        path = _model_path("", model_owner, model_name)
        return Call("PATCH", path, ModelUpdateResponse, body=body, options=options)

    @endpoint
    def list(
        self,
        *,
        sort_by: Union[Literal["model_created_at", "latest_version_created_at"], NotGiven] = NOT_GIVEN,
        sort_direction: Union[Literal["asc", "desc"], NotGiven] = NOT_GIVEN,
        **options: Unpack[RequestOptions],
    ) -> PageCall[ModelListResponse]:
        """Public models, a page at a time: `GET /models`."""
        query = {"sort_by": sort_by, "sort_direction": sort_direction}
        return PageCall("GET", "/models", ModelListResponse, query=query, options=options)

    @endpoint
    def delete(self, *, model_owner: str, model_name: str, **options: Unpack[RequestOptions]) -> Call[None]:
        """Delete a private model with no versions: `DELETE /models/{model_owner}/{model_name}`."""
        return Call("DELETE", _model_path("", model_owner, model_name), None, options=options)

    @endpoint
    def get(
        self, *, model_owner: str, model_name: str, **options: Unpack[RequestOptions]
    ) -> Call[ModelGetResponse]:
        """A model, with its latest version: `GET /models/{model_owner}/{model_name}`."""
        return Call("GET", _model_path("", model_owner, model_name), ModelGetResponse, options=options)

    @endpoint
    def search(self, *, body: str, **options: Unpack[RequestOptions]) -> PageCall[ModelSearchResponse]:
        """Search public models by text: `QUERY /models` with the query as the body."""
        if not isinstance(body, str) or not body.strip():  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValueError(f"body must be the non-empty search text, got {body!r}")
        headers = {"Content-Type": "text/plain"}
        return PageCall("QUERY", "/models", ModelSearchResponse, body=body, headers=headers, options=options)


class Examples(Resource[E, V]):
    with_raw_response: Examples[E, Raw]
    with_streaming_response: Examples[E, Streamed]

    @endpoint
    def list(
        self, *, model_owner: str, model_name: str, **options: Unpack[RequestOptions]
    ) -> PageCall[Prediction]:
        """The author's example predictions: `GET /models/{model_owner}/{model_name}/examples`."""
        return PageCall("GET", _model_path("/examples", model_owner, model_name), Prediction, options=options)


class ModelPredictions(Resource[E, V]):
    with_raw_response: ModelPredictions[E, Raw]
    with_streaming_response: ModelPredictions[E, Streamed]

    @endpoint
    def create(
        self,
        *,
        model_owner: str,
        model_name: str,
        input: Mapping[str, object],
        stream: Union[bool, NotGiven] = NOT_GIVEN,
        webhook: Union[str, NotGiven] = NOT_GIVEN,
        webhook_events_filter: Union[List[WebhookEvent], NotGiven] = NOT_GIVEN,
        cancel_after: Union[str, NotGiven] = NOT_GIVEN,
        prefer: Union[str, NotGiven] = NOT_GIVEN,
        **options: Unpack[RequestOptions],
    ) -> Call[Prediction]:
        """Run an official model: `POST /models/{model_owner}/{model_name}/predictions`.

        See `predictions.create` for `prefer`, `cancel_after` and the webhook options.
        """
        return prediction_create_call(
            _model_path("/predictions", model_owner, model_name),
            {},
            input=input,
            stream=stream,
            webhook=webhook,
            webhook_events_filter=webhook_events_filter,
            cancel_after=cancel_after,
            prefer=prefer,
            options=options,
        )


class Readme(Resource[E, V]):
    with_raw_response: Readme[E, Raw]
    with_streaming_response: Readme[E, Streamed]

    @endpoint
    def get(self, *, model_owner: str, model_name: str, **options: Unpack[RequestOptions]) -> Call[str]:
        """The model's README as Markdown: `GET /models/{model_owner}/{model_name}/readme`."""
        path = _model_path("/readme", model_owner, model_name)
        return Call("GET", path, str, headers={"Accept": "text/plain"}, options=options)


class Versions(Resource[E, V]):
    with_raw_response: Versions[E, Raw]
    with_streaming_response: Versions[E, Streamed]

    @endpoint
    def list(
        self, *, model_owner: str, model_name: str, **options: Unpack[RequestOptions]
    ) -> PageCall[VersionListResponse]:
        """A model's versions, newest first: `GET /models/{model_owner}/{model_name}/versions`."""
        path = _model_path("/versions", model_owner, model_name)
        return PageCall("GET", path, VersionListResponse, options=options)

    @endpoint
    def delete(
        self, *, model_owner: str, model_name: str, version_id: str, **options: Unpack[RequestOptions]
    ) -> Call[None]:
        """Delete a version: `DELETE /models/{model_owner}/{model_name}/versions/{version_id}`."""
        path = _model_path("/versions/{version_id}", model_owner, model_name, version_id=version_id)
        return Call("DELETE", path, None, options=options)

    @endpoint
    def get(
        self, *, model_owner: str, model_name: str, version_id: str, **options: Unpack[RequestOptions]
    ) -> Call[VersionGetResponse]:
        """A version and its OpenAPI schema: `GET /models/{model_owner}/{model_name}/versions/{version_id}`."""
        path = _model_path("/versions/{version_id}", model_owner, model_name, version_id=version_id)
        return Call("GET", path, VersionGetResponse, options=options)
