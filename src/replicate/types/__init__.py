"""Response types and request parameters of Replicate's API.

One module per concept; the v2 SDK's per-endpoint names are aliases of the concept shapes:

    Prediction                                                   prediction.py
    Model        = ModelGetResponse = ModelListResponse = ...    model.py
    Version      (replicate.types.models.Version*Response)       version.py
    Deployment   = Deployment{Create,Update,List,Get}Response    deployment.py
    Training     = Training{Create,List,Cancel,Get}Response      training.py
    File         = File{Create,List,Get}Response                 file.py
    Collection   = CollectionGetResponse                         collection.py
    CollectionSummary = CollectionListResponse
    Account      = AccountGetResponse                            account.py
    Hardware     (HardwareListResponse = List[Hardware])         hardware.py
    SearchResponse                                               search.py
    WebhookSecret (replicate.types.webhooks.default.SecretGetResponse)  webhook_secret.py

Request parameters are TypedDicts named `<Resource><Method>Params`, beside their concept.
Importing this package loads pydantic; `import replicate` alone does not.

The modules here do not use `from __future__ import annotations`: the TypedDicts must see
`Required[...]` as a type, not a string, for `__required_keys__` to be right at run time, and
pydantic evaluates field annotations anyway (so `Optional[...]`, not `X | None`, for 3.9).
"""

from .account import Account as Account
from .account import AccountType as AccountType
from .collection import Collection as Collection
from .collection import CollectionSummary as CollectionSummary
from .deployment import Deployment as Deployment
from .deployment import DeploymentConfiguration as DeploymentConfiguration
from .deployment import DeploymentCreateParams as DeploymentCreateParams
from .deployment import DeploymentRelease as DeploymentRelease
from .deployment import DeploymentUpdateParams as DeploymentUpdateParams
from .file import File as File
from .file import FileChecksums as FileChecksums
from .file import FileContent as FileContent
from .file import FileCreateParams as FileCreateParams
from .file import FileDownloadParams as FileDownloadParams
from .file import FileURLs as FileURLs
from .hardware import Hardware as Hardware
from .hardware import HardwareListResponse as HardwareListResponse
from .model import Model as Model
from .model import ModelCreateParams as ModelCreateParams
from .model import ModelListParams as ModelListParams
from .model import ModelSearchParams as ModelSearchParams
from .model import ModelUpdateParams as ModelUpdateParams
from .model import ModelVisibility as ModelVisibility
from .prediction import Prediction as Prediction
from .prediction import PredictionCreateParams as PredictionCreateParams
from .prediction import PredictionListParams as PredictionListParams
from .prediction import PredictionMetrics as PredictionMetrics
from .prediction import PredictionSource as PredictionSource
from .prediction import PredictionStatus as PredictionStatus
from .prediction import PredictionURLs as PredictionURLs
from .prediction import WebhookEvent as WebhookEvent
from .search import SearchCollection as SearchCollection
from .search import SearchModelMetadata as SearchModelMetadata
from .search import SearchModelResult as SearchModelResult
from .search import SearchPage as SearchPage
from .search import SearchParams as SearchParams
from .search import SearchResponse as SearchResponse
from .training import Training as Training
from .training import TrainingCreateParams as TrainingCreateParams
from .training import TrainingMetrics as TrainingMetrics
from .training import TrainingOutput as TrainingOutput
from .training import TrainingStatus as TrainingStatus
from .training import TrainingURLs as TrainingURLs
from .version import Version as Version
from .webhook_secret import WebhookSecret as WebhookSecret

# The v2 SDK's per-endpoint names: the same classes, not copies.
AccountGetResponse = Account
CollectionListResponse = CollectionSummary
CollectionGetResponse = Collection
DeploymentCreateResponse = Deployment
DeploymentUpdateResponse = Deployment
DeploymentListResponse = Deployment
DeploymentGetResponse = Deployment
ModelCreateResponse = Model
ModelUpdateResponse = Model
ModelListResponse = Model
ModelGetResponse = Model
ModelSearchResponse = Model
FileCreateResponse = File
FileListResponse = File
FileGetResponse = File
TrainingCreateResponse = Training
TrainingListResponse = Training
TrainingCancelResponse = Training
TrainingGetResponse = Training
ClientSearchParams = SearchParams
"""The v2 SDK's name for the parameters of `client.search` (a method of the client itself)."""

__all__ = [
    # docs/api-surface.md "Types"
    "Prediction",
    "SearchResponse",
    "AccountGetResponse",
    "CollectionListResponse",
    "CollectionGetResponse",
    "DeploymentCreateResponse",
    "DeploymentUpdateResponse",
    "DeploymentListResponse",
    "DeploymentGetResponse",
    "HardwareListResponse",
    "ModelCreateResponse",
    "ModelUpdateResponse",
    "ModelListResponse",
    "ModelGetResponse",
    "ModelSearchResponse",
    "FileCreateResponse",
    "FileListResponse",
    "FileGetResponse",
    "TrainingCreateResponse",
    "TrainingListResponse",
    "TrainingCancelResponse",
    "TrainingGetResponse",
    # concepts and their parts
    "Account",
    "AccountType",
    "Collection",
    "CollectionSummary",
    "Deployment",
    "DeploymentConfiguration",
    "DeploymentRelease",
    "File",
    "FileChecksums",
    "FileContent",
    "FileURLs",
    "Hardware",
    "Model",
    "ModelVisibility",
    "PredictionMetrics",
    "PredictionSource",
    "PredictionStatus",
    "PredictionURLs",
    "SearchCollection",
    "SearchModelMetadata",
    "SearchModelResult",
    "SearchPage",
    "Training",
    "TrainingMetrics",
    "TrainingOutput",
    "TrainingStatus",
    "TrainingURLs",
    "Version",
    "WebhookEvent",
    "WebhookSecret",
    # request parameters
    "DeploymentCreateParams",
    "DeploymentUpdateParams",
    "FileCreateParams",
    "FileDownloadParams",
    "ModelCreateParams",
    "ModelListParams",
    "ModelSearchParams",
    "ModelUpdateParams",
    "PredictionCreateParams",
    "PredictionListParams",
    "SearchParams",
    "ClientSearchParams",
    "TrainingCreateParams",
]
