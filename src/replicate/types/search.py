"""Search results: the models, collections and documentation pages matching a query
(`GET /search`).

    SearchResponse
      ├── models: [SearchModelResult]     model + metadata (score, tags, description)
      ├── collections: [SearchCollection]
      └── pages: [SearchPage]
"""

from typing import List, Optional

from typing_extensions import NotRequired, Required, TypedDict

from .._base.models import BaseModel
from .model import Model


class SearchModelMetadata(BaseModel):
    """What search knows about a matching model beyond the model itself."""

    generated_description: Optional[str] = None
    score: Optional[float] = None
    tags: Optional[List[str]] = None


class SearchModelResult(BaseModel):
    """A matching model and its search metadata."""

    model: Model
    metadata: SearchModelMetadata


class SearchCollection(BaseModel):
    """A matching collection; `models` are `owner/name` strings."""

    name: str
    slug: str
    description: str
    models: Optional[List[str]] = None


class SearchPage(BaseModel):
    """A matching page of Replicate's documentation."""

    name: str
    href: str


class SearchResponse(BaseModel):
    """`GET /search`: everything matching `query`."""

    query: str
    models: List[SearchModelResult]
    collections: List[SearchCollection]
    pages: List[SearchPage]


class SearchParams(TypedDict, total=False):
    """`client.search`: `GET /search` (query)."""

    query: Required[str]
    limit: NotRequired[int]
