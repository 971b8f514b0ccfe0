"""A collection: a curated list of models. `GET /collections` lists summaries (name, slug,
description); `GET /collections/{collection_slug}` returns the collection with its models."""

from typing import List, Optional

from .._base.models import BaseModel
from .model import Model


class CollectionSummary(BaseModel):
    """One item of `GET /collections`."""

    name: str
    slug: str
    description: str


class Collection(BaseModel):
    """A collection and its models, as `GET /collections/{collection_slug}` returns it."""

    name: str
    slug: str
    description: str
    models: List[Model]
    full_description: Optional[str] = None
