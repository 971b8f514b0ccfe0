"""Types of the `client.deployments` sub-resources: predictions."""

from ..deployment import DeploymentPredictionCreateParams as PredictionCreateParams

__all__ = ["PredictionCreateParams"]
