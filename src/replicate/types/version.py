"""A model version: one pushed build of a model, with the OpenAPI schema of its inputs and outputs."""

from typing import Any, Dict, Iterator, Optional, Tuple

from .._base.models import Abbreviated, BaseModel, Timestamp


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
