"""A deployment: a named, scalable endpoint for one model version on chosen hardware.

Deployment
  └── current_release: DeploymentRelease
        ├── configuration: DeploymentConfiguration   hardware, min/max instances
        └── created_by: Account
"""

from typing import ClassVar, Optional, Tuple

from typing_extensions import NotRequired, Required, TypedDict

from .._base.models import BaseModel, Timestamp
from .account import Account
from .prediction import _PredictionRequest


class DeploymentConfiguration(BaseModel):
    """The hardware and scaling of a release."""

    hardware: Optional[str] = None
    min_instances: Optional[int] = None
    max_instances: Optional[int] = None


class DeploymentRelease(BaseModel):
    """One configuration of a deployment; every update makes a new release with the next `number`."""

    number: Optional[int] = None
    model: Optional[str] = None
    version: Optional[str] = None
    created_at: Optional[Timestamp] = None
    created_by: Optional[Account] = None
    configuration: Optional[DeploymentConfiguration] = None


class Deployment(BaseModel):
    """A deployment, as `GET /deployments/{deployment_owner}/{deployment_name}` returns it."""

    _needed_fields: ClassVar[Tuple[str, ...]] = ("owner", "name")

    owner: Optional[str] = None
    name: Optional[str] = None
    current_release: Optional[DeploymentRelease] = None


class DeploymentCreateParams(TypedDict, total=False):
    """`deployments.create`: `POST /deployments` (body)."""

    name: Required[str]
    model: Required[str]
    version: Required[str]
    hardware: Required[str]
    min_instances: Required[int]
    max_instances: Required[int]


class DeploymentUpdateParams(TypedDict, total=False):
    """`deployments.update`: `PATCH /deployments/{deployment_owner}/{deployment_name}` (body)."""

    deployment_owner: Required[str]
    deployment_name: Required[str]
    hardware: NotRequired[str]
    min_instances: NotRequired[int]
    max_instances: NotRequired[int]
    version: NotRequired[str]


class DeploymentPredictionCreateParams(_PredictionRequest, total=False):
    """`deployments.predictions.create`: `POST /deployments/{deployment_owner}/{deployment_name}/predictions`.
    Exported as `replicate.types.deployments.PredictionCreateParams`."""

    deployment_owner: Required[str]
    deployment_name: Required[str]
