"""Types of the `client.models` sub-resources: versions, README, examples, predictions."""

from ..model import ExampleListParams as ExampleListParams
from ..model import ModelPredictionCreateParams as PredictionCreateParams
from ..model import ReadmeGetParams as ReadmeGetParams
from ..version import Version
from ..version import VersionDeleteParams as VersionDeleteParams
from ..version import VersionGetParams as VersionGetParams
from ..version import VersionListParams as VersionListParams

VersionListResponse = Version
VersionGetResponse = Version
ReadmeGetResponse = str
"""`GET /models/{model_owner}/{model_name}/readme` answers with the README as markdown text."""

__all__ = [
    "ExampleListParams",
    "PredictionCreateParams",
    "ReadmeGetParams",
    "ReadmeGetResponse",
    "VersionDeleteParams",
    "VersionGetParams",
    "VersionGetResponse",
    "VersionListParams",
    "VersionListResponse",
]
