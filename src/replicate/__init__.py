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

import functools
import os
import sys
import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, Mapping, Optional, Tuple, TypeVar, Union

from ._base import defaults as _defaults
from ._base.sentinels import NOT_GIVEN as _NOT_GIVEN
from ._version import __version__

if TYPE_CHECKING:
    import httpx
    from typing_extensions import Concatenate, ParamSpec, Unpack

    from . import pagination as pagination
    from . import types as types
    from ._base.constants import DEFAULT_CONNECTION_LIMITS as DEFAULT_CONNECTION_LIMITS
    from ._base.constants import DEFAULT_MAX_RETRIES as DEFAULT_MAX_RETRIES
    from ._base.constants import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
    from ._base.errors import *  # noqa: F403  (the error classes, its __all__)
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
    from ._http.httpx_clients import DefaultAsyncHttpxClient as DefaultAsyncHttpxClient
    from ._http.httpx_clients import DefaultHttpxClient as DefaultHttpxClient
    from ._running.batch import BatchProgress as BatchProgress
    from ._running.batch import BatchResult as BatchResult
    from ._running.file_output import AsyncFileOutput as AsyncFileOutput
    from ._running.file_output import FileOutput as FileOutput
    from ._running.file_output import get_path_url as get_path_url
    from ._running.refs import ModelVersionIdentifier as ModelVersionIdentifier
    from ._running.use import use as use
    from .types import Model as Model
    from .types import SearchResponse
    from .types import Version as Version

    Client = Replicate
    AsyncClient = AsyncReplicate
    P = ParamSpec("P")
    R = TypeVar("R")


# Configuration of the module-level client; None means "the default".
bearer_token: Optional[str] = None
base_url: Union[str, httpx.URL, None] = None
timeout: Union[float, httpx.Timeout, None] = None
max_retries: Optional[int] = None
default_headers: Optional[Mapping[str, str]] = None
default_query: Optional[Mapping[str, object]] = None
http_client: Optional[httpx.Client] = None

# Where each public name lives: imported on first access, so `import replicate` stays cheap.
# (Type checkers read the imports above; `__all__` is made from this table below.)
_EXPORTS: Dict[str, Tuple[str, ...]] = {
    "._client": ("Replicate", "AsyncReplicate"),
    "._http.httpx_clients": ("DefaultHttpxClient", "DefaultAsyncHttpxClient"),
    "._http.aiohttp": ("DefaultAioHttpClient",),
    "._base.constants": ("DEFAULT_TIMEOUT", "DEFAULT_MAX_RETRIES", "DEFAULT_CONNECTION_LIMITS"),
    "._base.sentinels": ("NOT_GIVEN", "NotGiven", "Omit", "omit"),
    "._base.options": ("Timeout",),
    "._base.models": ("BaseModel",),
    ".types": ("Model", "Version"),
    "._running.refs": ("ModelVersionIdentifier",),
    "._running.file_output": ("FileOutput", "AsyncFileOutput", "get_path_url"),
    "._running.use": ("use",),
    "._running.batch": ("BatchResult", "BatchProgress"),
    "._base.webhooks": ("WebhookVerificationError",),
    "._base.errors": (
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
    ),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
_ALIASES = {"Client": "Replicate", "AsyncClient": "AsyncReplicate"}
_ON_DEFAULT_CLIENT = ("run", "run_many", "stream")
"""`Replicate` methods that are also module functions, on the module-level client."""
_SUBMODULES = ("types", "pagination")
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
if not TYPE_CHECKING:  # type checkers see the public names by their `X as X` imports above
    __all__ = [
        "__version__",
        "bearer_token",
        "base_url",
        "timeout",
        "max_retries",
        "default_headers",
        "default_query",
        "http_client",
        *_ON_DEFAULT_CLIENT,
        "search",
        "default_client",
        *_MODULE_OF,
        *_ALIASES,
        *_NAMESPACES,
    ]

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(__all__))


def __getattr__(name: str) -> Any:
    if name in _NAMESPACES:
        return getattr(default_client(), name)
    import importlib

    if name in _SUBMODULES:  # `replicate.types.Prediction` right after `import replicate`
        return importlib.import_module(f".{name}", __name__)
    if name in _ON_DEFAULT_CLIENT:
        from ._client import Replicate

        value: Any = _on_default_client(getattr(Replicate, name))
    elif name in _ALIASES:
        value = __getattr__(_ALIASES[name])
    elif name in _MODULE_OF:
        value = getattr(importlib.import_module(_MODULE_OF[name], __name__), name)
    else:
        raise AttributeError(f"module 'replicate' has no attribute {name!r}")
    globals()[name] = value
    return value


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


def _on_default_client(method: Callable[Concatenate[Replicate, P], R]) -> Callable[P, R]:
    """`Replicate.<method>` as a module function: called on the module-level client as it is then."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        return method(default_client(), *args, **kwargs)

    import inspect  # here, not above: `import replicate` stays cheap

    signature = inspect.signature(method)
    call.__signature__ = signature.replace(parameters=list(signature.parameters.values())[1:])  # type: ignore[attr-defined]
    return call


if TYPE_CHECKING:  # what `__getattr__` serves, as type checkers see it
    run = _on_default_client(Replicate.run)
    run_many = _on_default_client(Replicate.run_many)
    stream = _on_default_client(Replicate.stream)
    predictions = default_client().predictions
    models = default_client().models
    deployments = default_client().deployments
    trainings = default_client().trainings
    files = default_client().files
    collections = default_client().collections
    hardware = default_client().hardware
    account = default_client().account
    webhooks = default_client().webhooks


def search(
    *, query: str, limit: Union[int, NotGiven] = _NOT_GIVEN, **options: Unpack[RequestOptions]
) -> SearchResponse:
    """Search models, collections and docs: `Replicate().search(...)` on the module-level client."""
    return default_client().search(query=query, limit=limit, **options)
