"""Types of the `client.models` sub-resources: versions, README, examples, predictions."""

from ..model import ModelPredictionCreateParams as PredictionCreateParams
from ..version import Version

VersionListResponse = Version
VersionGetResponse = Version
ReadmeGetResponse = str
"""`GET /models/{model_owner}/{model_name}/readme` answers with the README as markdown text."""

__all__ = ["PredictionCreateParams", "ReadmeGetResponse", "VersionGetResponse", "VersionListResponse"]
