"""A model version: one pushed build of a model, with the OpenAPI schema of its inputs and outputs.

Also the request parameters of `models.versions.list`, `.get` and `.delete`.
"""

from typing import Any, Dict, Iterator, Optional, Tuple

from typing_extensions import Required, TypedDict

from .._base.models import Abbreviated, BaseModel, Timestamp

__all__ = ["Version", "VersionDeleteParams", "VersionGetParams", "VersionListParams"]


class Version(BaseModel):
    """A version, as `GET /models/{model_owner}/{model_name}/versions/{version_id}` returns it."""

    _typed_from_json = False  # carries OpenAPI schemas: see BaseModel

    id: Optional[str] = None
    created_at: Optional[Timestamp] = None
    cog_version: Optional[str] = None
    openapi_schema: Optional[Dict[str, object]] = None

    def __repr_args__(self) -> Iterator[Tuple[Optional[str], Any]]:
        # the schema runs to thousands of lines: a model's repr would be all schema
        for name, value in super().__repr_args__():
            yield (name, Abbreviated(value, 40)) if name == "openapi_schema" and value else (name, value)


class VersionListParams(TypedDict, total=False):
    """`models.versions.list`: `GET /models/{model_owner}/{model_name}/versions`."""

    model_owner: Required[str]
    model_name: Required[str]


class VersionGetParams(TypedDict, total=False):
    """`models.versions.get`: `GET /models/{model_owner}/{model_name}/versions/{version_id}`."""

    model_owner: Required[str]
    model_name: Required[str]
    version_id: Required[str]


class VersionDeleteParams(TypedDict, total=False):
    """`models.versions.delete`: `DELETE /models/{model_owner}/{model_name}/versions/{version_id}`."""

    model_owner: Required[str]
    model_name: Required[str]
    version_id: Required[str]
