"""Run machine learning models on Replicate from Python.

    import replicate

    output = replicate.run("replicate/hello-world", input={"text": "world"})
    hello = replicate.use("replicate/hello-world")
    hello(text="world")

    client = replicate.Replicate()            # or AsyncReplicate() for asyncio
    client.predictions.get(prediction_id="...")

`import replicate` is cheap: the client, resources and pydantic types load on first use.
Setting `replicate.bearer_token`, `base_url`, `timeout`, `max_retries`, `default_headers`,
`default_query` or `http_client` configures the module-level client behind `replicate.run`,
`replicate.use` and `replicate.predictions` (and friends); it is rebuilt when they change.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, Mapping, Optional, Union

from ._base import defaults as _defaults
from ._base.sentinels import NOT_GIVEN as _NOT_GIVEN
from ._version import __version__

if TYPE_CHECKING:
    import httpx
    from typing_extensions import Unpack

    from . import pagination as pagination
    from . import types as types
    from ._base.constants import DEFAULT_CONNECTION_LIMITS as DEFAULT_CONNECTION_LIMITS
    from ._base.constants import DEFAULT_MAX_RETRIES as DEFAULT_MAX_RETRIES
    from ._base.constants import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
    from ._base.errors import APIConnectionError as APIConnectionError
    from ._base.errors import APIError as APIError
    from ._base.errors import APIResponseValidationError as APIResponseValidationError
    from ._base.errors import APIStatusError as APIStatusError
    from ._base.errors import APITimeoutError as APITimeoutError
    from ._base.errors import AuthenticationError as AuthenticationError
    from ._base.errors import BadRequestError as BadRequestError
    from ._base.errors import ClientClosedError as ClientClosedError
    from ._base.errors import ConflictError as ConflictError
    from ._base.errors import InternalServerError as InternalServerError
    from ._base.errors import ModelError as ModelError
    from ._base.errors import NotFoundError as NotFoundError
    from ._base.errors import PermissionDeniedError as PermissionDeniedError
    from ._base.errors import PredictionCanceledError as PredictionCanceledError
    from ._base.errors import PredictionDeadlineError as PredictionDeadlineError
    from ._base.errors import RateLimitError as RateLimitError
    from ._base.errors import ReplicateError as ReplicateError
    from ._base.errors import ResponseTooLargeError as ResponseTooLargeError
    from ._base.errors import UnprocessableEntityError as UnprocessableEntityError
    from ._base.models import BaseModel as BaseModel
    from ._base.options import RequestOptions
    from ._base.options import Timeout as Timeout
    from ._base.sentinels import NOT_GIVEN as NOT_GIVEN
    from ._base.sentinels import NotGiven as NotGiven
    from ._base.sentinels import Omit as Omit
    from ._base.sentinels import omit as omit
    from ._base.webhooks import WebhookVerificationError as WebhookVerificationError
    from ._client import AsyncReplicate as AsyncReplicate
    from ._client import Replicate as Replicate
    from ._http.aiohttp import DefaultAioHttpClient as DefaultAioHttpClient
    from ._http.endpoint import Plain, Sync
    from ._http.httpx_clients import DefaultAsyncHttpxClient as DefaultAsyncHttpxClient
    from ._http.httpx_clients import DefaultHttpxClient as DefaultHttpxClient
    from ._running.batch import BatchProgress as BatchProgress
    from ._running.batch import BatchResult as BatchResult
    from ._running.file_output import AsyncFileOutput as AsyncFileOutput
    from ._running.file_output import FileOutput as FileOutput
    from ._running.file_output import get_path_url as get_path_url
    from ._running.refs import ModelVersionIdentifier as ModelVersionIdentifier
    from ._running.use import use as use
    from .resources.account import Account
    from .resources.collections import Collections
    from .resources.deployments import Deployments
    from .resources.files import Files
    from .resources.hardware import Hardware
    from .resources.models import Models
    from .resources.predictions import Predictions
    from .resources.trainings import Trainings
    from .resources.webhooks import Webhooks
    from .types import Model as Model
    from .types import Prediction, SearchResponse
    from .types import Version as Version

    Client = Replicate
    AsyncClient = AsyncReplicate

    predictions: Predictions[Sync, Plain]
    models: Models[Sync, Plain]
    deployments: Deployments[Sync, Plain]
    trainings: Trainings[Sync, Plain]
    files: Files[Sync, Plain]
    collections: Collections[Sync, Plain]
    hardware: Hardware[Sync, Plain]
    account: Account[Sync, Plain]
    webhooks: Webhooks[Sync, Plain]

# Configuration of the module-level client; None means "the default".
bearer_token: Optional[str] = None
base_url: Union[str, httpx.URL, None] = None
timeout: Union[float, httpx.Timeout, None] = None
max_retries: Optional[int] = None
default_headers: Optional[Mapping[str, str]] = None
default_query: Optional[Mapping[str, object]] = None
http_client: Optional[httpx.Client] = None

# name -> (module, attribute): loaded on first access, so `import replicate` stays cheap.
_LAZY: Dict[str, tuple[str, str]] = {
    "Replicate": ("._client", "Replicate"),
    "AsyncReplicate": ("._client", "AsyncReplicate"),
    "Client": ("._client", "Replicate"),
    "AsyncClient": ("._client", "AsyncReplicate"),
    "DefaultHttpxClient": ("._http.httpx_clients", "DefaultHttpxClient"),
    "DefaultAsyncHttpxClient": ("._http.httpx_clients", "DefaultAsyncHttpxClient"),
    "DefaultAioHttpClient": ("._http.aiohttp", "DefaultAioHttpClient"),
    "DEFAULT_TIMEOUT": ("._base.constants", "DEFAULT_TIMEOUT"),
    "DEFAULT_MAX_RETRIES": ("._base.constants", "DEFAULT_MAX_RETRIES"),
    "DEFAULT_CONNECTION_LIMITS": ("._base.constants", "DEFAULT_CONNECTION_LIMITS"),
    "NOT_GIVEN": ("._base.sentinels", "NOT_GIVEN"),
    "NotGiven": ("._base.sentinels", "NotGiven"),
    "Omit": ("._base.sentinels", "Omit"),
    "omit": ("._base.sentinels", "omit"),
    "Timeout": ("._base.options", "Timeout"),
    "BaseModel": ("._base.models", "BaseModel"),
    "Model": (".types", "Model"),
    "Version": (".types", "Version"),
    "ModelVersionIdentifier": ("._running.refs", "ModelVersionIdentifier"),
    "FileOutput": ("._running.file_output", "FileOutput"),
    "AsyncFileOutput": ("._running.file_output", "AsyncFileOutput"),
    "get_path_url": ("._running.file_output", "get_path_url"),
    "use": ("._running.use", "use"),
    "BatchResult": ("._running.batch", "BatchResult"),
    "BatchProgress": ("._running.batch", "BatchProgress"),
    "WebhookVerificationError": ("._base.webhooks", "WebhookVerificationError"),
}
_ERRORS = [
    "ReplicateError",
    "APIError",
    "APIConnectionError",
    "APITimeoutError",
    "APIResponseValidationError",
    "ResponseTooLargeError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "ClientClosedError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "ModelError",
    "PredictionCanceledError",
    "PredictionDeadlineError",
]
_LAZY.update({name: ("._base.errors", name) for name in _ERRORS})
_SUBMODULES = frozenset({"types", "pagination"})
"""Public submodules, imported on first access (importing one binds it here as well)."""
_NAMESPACES = frozenset(
    {
        "predictions",
        "models",
        "deployments",
        "trainings",
        "files",
        "collections",
        "hardware",
        "account",
        "webhooks",
    }
)

__all__ = [
    "__version__",
    "bearer_token",
    "base_url",
    "timeout",
    "max_retries",
    "default_headers",
    "default_query",
    "http_client",
    "run",
    "run_many",
    "use",
    "stream",
    "search",
    "BatchResult",
    "BatchProgress",
    "default_client",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncFileOutput",
    "AsyncReplicate",
    "AuthenticationError",
    "BadRequestError",
    "BaseModel",
    "ClientClosedError",
    "Client",
    "ConflictError",
    "DEFAULT_CONNECTION_LIMITS",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "DefaultAioHttpClient",
    "DefaultAsyncHttpxClient",
    "DefaultHttpxClient",
    "FileOutput",
    "InternalServerError",
    "Model",
    "ModelError",
    "ModelVersionIdentifier",
    "NOT_GIVEN",
    "NotFoundError",
    "NotGiven",
    "Omit",
    "PermissionDeniedError",
    "PredictionCanceledError",
    "PredictionDeadlineError",
    "RateLimitError",
    "Replicate",
    "ReplicateError",
    "ResponseTooLargeError",
    "Timeout",
    "UnprocessableEntityError",
    "Version",
    "WebhookVerificationError",
    "get_path_url",
    "omit",
    "predictions",
    "models",
    "deployments",
    "trainings",
    "files",
    "collections",
    "hardware",
    "account",
    "webhooks",
]


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is not None or name in _SUBMODULES:
        import importlib

        if target is None:  # `replicate.types.Prediction` right after `import replicate`
            return importlib.import_module(f".{name}", __name__)
        value = getattr(importlib.import_module(target[0], __name__), target[1])
        globals()[name] = value
        return value
    if name in _NAMESPACES:
        return getattr(default_client(), name)
    raise AttributeError(f"module 'replicate' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


_default: Optional[Replicate] = None
_default_key: Any = None
_default_lock = threading.Lock()


def default_client() -> Replicate:
    """The client behind `replicate.run`, `replicate.predictions`, ...: built from the module
    attributes above and the environment, and rebuilt when any of them changes."""
    global _default, _default_key
    key = _default_client_key()
    client = _default
    if client is not None and key == _default_key:
        return client
    with _default_lock:
        if _default is None or key != _default_key:
            from ._client import Replicate

            _default = Replicate(**_client_options(), http_client=http_client)
            _default_key = key
        return _default


def _async_default(made: Optional[tuple[Any, AsyncReplicate]]) -> tuple[Any, AsyncReplicate]:
    """`_base.defaults.async_client`: the module-level async client of one `use(..., use_async=True)`
    function, and the settings it was made with; `made` again while those are unchanged."""
    key = _default_client_key()
    if made is not None and made[0] == key:
        return made
    from ._client import AsyncReplicate

    options = _client_options()
    if made is not None:  # new settings (in Cog, each prediction's token): same connections
        options["http_client"] = made[1]._http  # pyright: ignore[reportPrivateUsage]
    return key, AsyncReplicate(**options)


_defaults.sync_client = default_client
_defaults.async_client = _async_default


def _default_client_key() -> Any:
    """What the module-level client is made from: the module attributes and the environment
    (inside a Cog model, the current prediction's token, which changes with each prediction)."""
    return (
        bearer_token,
        str(base_url) if base_url is not None else None,
        repr(timeout),
        max_retries,
        tuple(sorted((default_headers or {}).items())),
        tuple(sorted((default_query or {}).items())),
        id(http_client),
        os.environ.get("REPLICATE_API_TOKEN"),
        os.environ.get("REPLICATE_BASE_URL"),
        _cog_scope_token() if "cog" in sys.modules else None,  # outside Cog, no cost
    )


def _cog_scope_token() -> Optional[str]:
    from ._base.platform import cog_scope_token

    return cog_scope_token()


def _client_options() -> Dict[str, Any]:
    """The module attributes, as client options (those left None take the client's defaults)."""
    options: Dict[str, Any] = {
        "bearer_token": bearer_token,
        "base_url": base_url,
        "default_headers": default_headers,
        "default_query": default_query,
    }
    if timeout is not None:
        options["timeout"] = timeout
    if max_retries is not None:
        options["max_retries"] = max_retries
    return options


def run(
    ref: Any,
    *,
    input: Optional[Mapping[str, Any]] = None,
    wait: Union[bool, int, NotGiven] = _NOT_GIVEN,
    use_file_output: bool = True,
    file_encoding_strategy: Optional[str] = None,
    progress: Optional[Callable[[Prediction], object]] = None,
    **params: Any,
) -> Any:
    """Run a model and return its output: `Replicate().run(...)` on the module-level client.

    See `Replicate.run` for the arguments.
    """
    return default_client().run(
        ref,
        input=input,
        wait=wait,
        use_file_output=use_file_output,
        file_encoding_strategy=file_encoding_strategy,
        progress=progress,
        **params,
    )


def run_many(
    ref: Any,
    inputs: Iterable[Mapping[str, Any]],
    *,
    concurrency: int = 10,
    journal: Union[str, os.PathLike[str], None] = None,
    ordered: bool = True,
    progress: Optional[Callable[[BatchProgress], object]] = None,
    **options: Any,
) -> Iterator[BatchResult]:
    """Run a model once per input: `Replicate().run_many(...)` on the module-level client."""
    return default_client().run_many(
        ref, inputs, concurrency=concurrency, journal=journal, ordered=ordered, progress=progress, **options
    )


def stream(ref: Any, *, input: Optional[Mapping[str, Any]] = None, **params: Any) -> Iterator[str]:
    """Deprecated: iterate a model's output as text chunks; use `use(ref, streaming=True)` instead."""
    return default_client().stream(ref, input=input, **params)


def search(
    *, query: str, limit: Union[int, NotGiven] = _NOT_GIVEN, **options: Unpack[RequestOptions]
) -> SearchResponse:
    """Search models, collections and docs: `Replicate().search(...)` on the module-level client."""
    return default_client().search(query=query, limit=limit, **options)
