"""A model: its metadata, latest version and default example, as the `/models` endpoints,
collections and search return it.

    Model
      ├── latest_version: Version
      └── default_example: Prediction
"""

from typing import Any, ClassVar, Dict, Iterator, Optional, Tuple, Union

from pydantic import Field
from typing_extensions import Annotated, Literal, NotRequired, Required, TypedDict

from .._base.models import BaseModel, Timestamp
from .prediction import Prediction, _PredictionRequest
from .version import Version

ModelVisibility = Literal["public", "private"]


class Model(BaseModel):
    """A model, as `GET /models/{model_owner}/{model_name}` returns it.

    The spec declares `latest_version` and `default_example` as bare objects; real responses
    carry a `Version` and a `Prediction`, parsed as such. A `default_example` that is not a
    whole prediction (the spec allows `{}`) stays a plain dict rather than failing the model.
    """

    _needed_fields: ClassVar[Tuple[str, ...]] = ("owner", "name")

    _typed_from_json = False  # carries OpenAPI schemas: see BaseModel

    owner: Optional[str] = None
    name: Optional[str] = None
    description: Optional[str] = None
    visibility: Optional[Union[ModelVisibility, str]] = None
    url: Optional[str] = None
    github_url: Optional[str] = None
    paper_url: Optional[str] = None
    license_url: Optional[str] = None
    cover_image_url: Optional[str] = None
    run_count: Optional[int] = None
    is_official: Optional[bool] = None
    latest_version: Optional[Version] = None
    default_example: Optional[
        Annotated[Union[Prediction, Dict[str, object]], Field(union_mode="left_to_right")]
    ] = None
    # Not in the spec; most real responses carry it.
    created_at: Optional[Timestamp] = None

    def __repr_args__(self) -> Iterator[Tuple[Optional[str], Any]]:
        # what the model has (its latest version's schema cut short: see Version)
        return ((name, value) for name, value in super().__repr_args__() if value is not None)


class ModelCreateParams(TypedDict, total=False):
    """`models.create`: `POST /models` (body)."""

    owner: Required[str]
    name: Required[str]
    visibility: Required[ModelVisibility]
    hardware: Required[str]
    description: NotRequired[str]
    cover_image_url: NotRequired[str]
    github_url: NotRequired[str]
    license_url: NotRequired[str]
    paper_url: NotRequired[str]


class ModelUpdateParams(TypedDict, total=False):
    """`models.update`: `PATCH /models/{model_owner}/{model_name}` (body)."""

    model_owner: Required[str]
    model_name: Required[str]
    description: NotRequired[str]
    github_url: NotRequired[str]
    license_url: NotRequired[str]
    paper_url: NotRequired[str]
    readme: NotRequired[str]
    weights_url: NotRequired[str]


class ModelListParams(TypedDict, total=False):
    """`models.list`: `GET /models` (query)."""

    sort_by: NotRequired[Literal["model_created_at", "latest_version_created_at"]]
    sort_direction: NotRequired[Literal["asc", "desc"]]


class ModelSearchParams(TypedDict, total=False):
    """`models.search`: `QUERY /models`, the body being the search text."""

    body: Required[str]


class ModelPredictionCreateParams(_PredictionRequest, total=False):
    """`models.predictions.create`: `POST /models/{model_owner}/{model_name}/predictions`.
    Exported as `replicate.types.models.PredictionCreateParams`."""

    model_owner: Required[str]
    model_name: Required[str]
