"""The public-surface contract (docs/api-surface.md), name for name and call shape for call shape.

Table-driven introspection: every export, error, constructor option, operation (its keyword-only
parameters, optional ones, per-request options, return and page types, raw and streamed forms at
every level, async coroutine functions) and request-param TypedDict. A rename, a lost option or
a parameter that turns positional fails here. Behaviour lives in the other tests and in the
contract tests against Prism (tests/prism).
"""

from __future__ import annotations

import inspect
import json
from typing import Any, Dict, List, Optional, Tuple, get_args, get_origin, get_type_hints

import httpx
import pytest

import replicate
import replicate.exceptions
import replicate.pagination
import replicate.types
import replicate.types.deployments
import replicate.types.models
import replicate.types.webhooks.default
from replicate import NOT_GIVEN, AsyncReplicate, Replicate
from replicate._http.response import APIResponse, AsyncAPIResponse

from .scripted_server import Reply, ScriptedServer

KW = inspect.Parameter.KEYWORD_ONLY
EMPTY = inspect.Parameter.empty

# -- module level ------------------------------------------------------------------------------------

EXPORTS = [
    "Replicate", "AsyncReplicate", "Client", "AsyncClient", "DEFAULT_TIMEOUT", "DEFAULT_MAX_RETRIES",
    "DEFAULT_CONNECTION_LIMITS", "DefaultHttpxClient", "DefaultAsyncHttpxClient", "DefaultAioHttpClient", "FileOutput",
    "AsyncFileOutput", "Model", "Version", "ModelVersionIdentifier", "NOT_GIVEN", "NotGiven", "Omit",
    "omit", "BaseModel", "Timeout", "__version__", "run", "use", "stream", "search", "bearer_token",
    "base_url", "timeout", "max_retries", "default_headers", "default_query", "http_client",
]  # fmt: skip
NAMESPACES = ["predictions", "models", "deployments", "trainings", "files", "collections", "hardware", "account", "webhooks"]  # fmt: skip

# name -> (parent, status code of the class or None)
ERRORS: Dict[str, Tuple[str, Optional[int]]] = {
    "ReplicateError": ("Exception", None),
    "APIError": ("ReplicateError", None),
    "APIConnectionError": ("APIError", None),
    "APITimeoutError": ("APIConnectionError", None),
    "APIResponseValidationError": ("APIError", None),
    "APIStatusError": ("APIError", None),
    "BadRequestError": ("APIStatusError", 400),
    "AuthenticationError": ("APIStatusError", 401),
    "PermissionDeniedError": ("APIStatusError", 403),
    "NotFoundError": ("APIStatusError", 404),
    "ConflictError": ("APIStatusError", 409),
    "UnprocessableEntityError": ("APIStatusError", 422),
    "RateLimitError": ("APIStatusError", 429),
    "InternalServerError": ("APIStatusError", None),
    "ModelError": ("ReplicateError", None),
}

# function -> (positional, {keyword-only: default}); `...` means required, `NOT_GIVEN` "not passed".
MODULE_FUNCTIONS: Dict[str, Tuple[List[str], Dict[str, Any]]] = {
    "run": (["ref"], {"input": None, "wait": NOT_GIVEN, "use_file_output": True, "file_encoding_strategy": None}),
    "use": (["ref"], {"hint": None, "streaming": False}),
    "stream": (["ref"], {"input": None}),
}  # fmt: skip

CONSTRUCTOR: Dict[str, Any] = {
    "bearer_token": None,
    "base_url": None,
    "timeout": NOT_GIVEN,
    "max_retries": 2,
    "default_headers": None,
    "default_query": None,
    "http_client": None,
    "strict_response_validation": False,
    "reconcile_creates": True,
}

# low-level methods; each takes, after `path`, the keywords docs/api-surface.md calls them with
# (cast_to, body, options) and httpx's (url, json, content, params, headers)
LOW_LEVEL = ["get", "post", "patch", "put", "delete", "request"]
LOW_LEVEL_KEYWORDS = {"body", "options", "url", "json", "content", "params", "headers", "files"}

# -- the operations ------------------------------------------------------------------------------------

MODEL = ["model_owner", "model_name"]
DEPLOYMENT = ["deployment_owner", "deployment_name"]
CREATE = ["stream", "webhook", "webhook_events_filter", "cancel_after", "prefer"]
OPTIONS = {
    "extra_headers": None,
    "extra_query": None,
    "extra_body": None,
    "timeout": NOT_GIVEN,
    "max_retries": NOT_GIVEN,
}

# (path from the client, required, optional, what the sync form returns), as docs/api-surface.md lists them
OPERATIONS: List[Tuple[str, List[str], List[str], str]] = [
    ("search", ["query"], ["limit"], "SearchResponse"),
    ("collections.list", [], [], "SyncCursorURLPage[CollectionListResponse]"),
    ("collections.get", ["collection_slug"], [], "CollectionGetResponse"),
    ("deployments.create", ["hardware", "max_instances", "min_instances", "model", "name", "version"], [], "DeploymentCreateResponse"),
    ("deployments.update", DEPLOYMENT, ["hardware", "max_instances", "min_instances", "version"], "DeploymentUpdateResponse"),
    ("deployments.list", [], [], "SyncCursorURLPage[DeploymentListResponse]"),
    ("deployments.delete", DEPLOYMENT, [], "None"),
    ("deployments.get", DEPLOYMENT, [], "DeploymentGetResponse"),
    ("deployments.predictions.create", [*DEPLOYMENT, "input"], CREATE, "Prediction"),
    ("hardware.list", [], [], "HardwareListResponse"),
    ("account.get", [], [], "AccountGetResponse"),
    ("models.create", ["hardware", "name", "owner", "visibility"], ["cover_image_url", "description", "github_url", "license_url", "paper_url"], "ModelCreateResponse"),
    ("models.update", MODEL, ["description", "github_url", "license_url", "paper_url", "readme", "weights_url"], "ModelUpdateResponse"),
    ("models.list", [], ["sort_by", "sort_direction"], "SyncCursorURLPage[ModelListResponse]"),
    ("models.delete", MODEL, [], "None"),
    ("models.get", MODEL, [], "ModelGetResponse"),
    ("models.search", ["body"], [], "SyncCursorURLPage[ModelSearchResponse]"),
    ("models.examples.list", MODEL, [], "SyncCursorURLPage[Prediction]"),
    ("models.predictions.create", [*MODEL, "input"], CREATE, "Prediction"),
    ("models.readme.get", MODEL, [], "str"),
    ("models.versions.list", MODEL, [], "SyncCursorURLPage[VersionListResponse]"),
    ("models.versions.delete", [*MODEL, "version_id"], [], "None"),
    ("models.versions.get", [*MODEL, "version_id"], [], "VersionGetResponse"),
    ("predictions.create", ["version", "input"], CREATE, "Prediction"),
    ("predictions.list", [], ["created_after", "created_before"], "SyncCursorURLPageWithCreatedFilters[Prediction]"),
    ("predictions.cancel", ["prediction_id"], [], "Prediction"),
    ("predictions.get", ["prediction_id"], [], "Prediction"),
    ("predictions.wait", ["prediction_id"], [], "Prediction"),
    ("trainings.create", [*MODEL, "version_id", "destination", "input"], ["webhook", "webhook_events_filter"], "TrainingCreateResponse"),
    ("trainings.list", [], [], "SyncCursorURLPage[TrainingListResponse]"),
    ("trainings.cancel", ["training_id"], [], "TrainingCancelResponse"),
    ("trainings.get", ["training_id"], [], "TrainingGetResponse"),
    ("webhooks.default.secret.get", [], [], "SecretGetResponse"),
    ("files.create", ["content"], ["filename", "metadata", "type"], "FileCreateResponse"),
    ("files.list", [], [], "SyncCursorURLPage[FileListResponse]"),
    ("files.delete", ["file_id"], [], "None"),
    ("files.get", ["file_id"], [], "FileGetResponse"),
    ("files.download", ["file_id", "expiry", "owner", "signature"], [], "BinaryAPIResponse"),
]  # fmt: skip

# Optional parameters we have beyond the contract (allowed, but listed so that none slips in unseen).
EXTRA_OPTIONAL = {"predictions.list": ["source"], "predictions.wait": ["poll_interval"]}

SPEC_TYPES = [
    "Prediction", "SearchResponse", "AccountGetResponse", "CollectionListResponse", "CollectionGetResponse",
    "DeploymentCreateResponse", "DeploymentUpdateResponse", "DeploymentListResponse", "DeploymentGetResponse",
    "ModelCreateResponse", "ModelUpdateResponse", "ModelListResponse", "ModelGetResponse", "ModelSearchResponse",
    "FileCreateResponse", "FileListResponse", "FileGetResponse", "TrainingCreateResponse", "TrainingListResponse",
    "TrainingCancelResponse", "TrainingGetResponse",
]  # fmt: skip


def ids(rows: List[Any]) -> List[str]:
    return [row[0] for row in rows]


@pytest.fixture(scope="module")
def clients() -> Any:
    sync = Replicate(bearer_token="r8_surface", base_url="http://127.0.0.1:9/v1")
    async_ = AsyncReplicate(bearer_token="r8_surface", base_url="http://127.0.0.1:9/v1")
    yield sync, async_
    sync.close()


def resolve(root: Any, path: str, view: Optional[str] = None, at: int = 0) -> Any:
    """`root.<path>`, with `with_raw_response` / `with_streaming_response` inserted at depth `at`."""
    parts = path.split(".")
    if view is not None:
        parts.insert(at, view)
    for part in parts:
        root = getattr(root, part)
    return root


def own_parameters(fn: Any) -> Dict[str, inspect.Parameter]:
    return {name: p for name, p in inspect.signature(fn).parameters.items() if name not in OPTIONS}


# -- tests -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXPORTS)
def test_module_exports(name: str) -> None:
    assert hasattr(replicate, name)
    assert name in replicate.__all__


@pytest.mark.parametrize("name", NAMESPACES)
def test_module_namespaces_are_the_default_clients(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replicate, "bearer_token", "r8_module")
    assert type(getattr(replicate, name)) is type(getattr(replicate.default_client(), name))
    assert name in replicate.__all__


def test_exported_values() -> None:
    assert replicate.Client is replicate.Replicate and replicate.AsyncClient is replicate.AsyncReplicate
    assert httpx.Timeout(60.0, connect=5.0) == replicate.DEFAULT_TIMEOUT
    assert replicate.DEFAULT_MAX_RETRIES == 2
    assert (
        httpx.Limits(max_connections=100, max_keepalive_connections=20) == replicate.DEFAULT_CONNECTION_LIMITS
    )
    assert issubclass(replicate.DefaultHttpxClient, httpx.Client)
    assert issubclass(replicate.DefaultAsyncHttpxClient, httpx.AsyncClient)
    assert issubclass(replicate.DefaultAioHttpClient, replicate.DefaultAsyncHttpxClient)
    assert replicate.Timeout is httpx.Timeout
    assert isinstance(replicate.NOT_GIVEN, replicate.NotGiven) and not replicate.NOT_GIVEN
    assert isinstance(replicate.omit, replicate.Omit)
    assert replicate.Model is replicate.types.Model and replicate.Version is replicate.types.Version
    assert isinstance(replicate.__version__, str)
    import pydantic

    assert issubclass(replicate.BaseModel, pydantic.BaseModel)
    assert replicate.exceptions.ModelError is replicate.ModelError


@pytest.mark.parametrize("name", list(ERRORS))
def test_error_hierarchy(name: str) -> None:
    parent, status = ERRORS[name]
    cls = getattr(replicate, name)
    assert cls is getattr(replicate.exceptions, name) and name in replicate.__all__
    assert cls.__bases__ == ((Exception,) if parent == "Exception" else (getattr(replicate, parent),))
    if status is not None:
        assert cls.status_code == status


@pytest.mark.parametrize("name", list(MODULE_FUNCTIONS))
def test_module_function_signatures(name: str) -> None:
    positional, keyword_only = MODULE_FUNCTIONS[name]
    for fn in (getattr(replicate, name), getattr(Replicate, name), getattr(AsyncReplicate, name)):
        params = inspect.signature(fn).parameters
        assert [
            p for p in params if params[p].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and p != "self"
        ] == positional
        for param, default in keyword_only.items():
            assert params[param].kind is KW and params[param].default == default, (fn, param)
    assert inspect.signature(replicate.search).parameters["query"].kind is KW


@pytest.mark.parametrize("cls", [Replicate, AsyncReplicate])
def test_constructor_is_keyword_only_with_the_documented_defaults(cls: type) -> None:
    params = inspect.signature(cls).parameters
    # *legacy_args and **legacy_options only turn 1.x arguments into errors (test_upgrading.py)
    assert [p.kind for p in params.values() if p.kind not in (KW, p.POSITIONAL_OR_KEYWORD)] == [
        inspect.Parameter.VAR_POSITIONAL,
        inspect.Parameter.VAR_KEYWORD,
    ]
    assert {name: (p.kind, p.default) for name, p in params.items() if p.kind is KW} == {
        name: (KW, default) for name, default in CONSTRUCTOR.items()
    }
    for method in ("close", "copy", "with_options", "run", "use", "stream", *LOW_LEVEL):
        assert callable(getattr(cls, method)), method
    assert hasattr(cls, "__aenter__" if cls is AsyncReplicate else "__enter__")
    assert set(inspect.signature(cls.copy).parameters) >= {"self", *CONSTRUCTOR}


def test_client_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPLICATE_BASE_URL", raising=False)
    client = Replicate(bearer_token="r8_x")
    assert client.timeout == httpx.Timeout(60.0, connect=5.0)
    assert client.max_retries == 2
    assert str(client.base_url) == "https://api.replicate.com/v1"
    monkeypatch.setenv("REPLICATE_BASE_URL", "http://127.0.0.1:9/v9")
    assert str(Replicate(bearer_token="r8_x").base_url) == "http://127.0.0.1:9/v9"
    other = client.with_options(timeout=3.0, max_retries=0)
    assert (other.timeout, other.max_retries, client.max_retries) == (3.0, 0, 2)


@pytest.mark.parametrize("method", LOW_LEVEL)
def test_low_level_methods(method: str) -> None:
    from replicate._http.low_level import LowLevelRequest

    assert set(LowLevelRequest.__annotations__) == LOW_LEVEL_KEYWORDS
    for cls in (Replicate, AsyncReplicate):
        params = inspect.signature(getattr(cls, method)).parameters
        assert "path" in params and params["path"].kind is not KW
        assert params["cast_to"].kind is KW
        assert params["request"].kind is inspect.Parameter.VAR_KEYWORD
        assert params["request"].annotation == "Unpack[LowLevelRequest]"
        assert inspect.iscoroutinefunction(getattr(cls, method)) == (cls is AsyncReplicate)


def async_returns(returns: str) -> str:
    if returns.startswith("SyncCursorURLPage"):
        page = returns.replace("Sync", "Async", 1)
        return f"AsyncPaginator[{page[page.index('[') + 1 : -1]}, {page}]"
    return returns.replace("BinaryAPIResponse", "AsyncBinaryAPIResponse")


def evaluate(annotation: str) -> Any:
    namespace: Dict[str, Any] = {"None": None, "str": str}
    for module in (
        replicate.types,
        replicate.types.models,
        replicate.types.webhooks.default,
        replicate.pagination,
    ):
        namespace.update(vars(module))
    namespace.update(vars(replicate._http.response))
    return eval(annotation, namespace)


@pytest.mark.parametrize(("path", "required", "optional", "returns"), OPERATIONS, ids=ids(OPERATIONS))
def test_operation_call_shapes(
    path: str,
    required: List[str],
    optional: List[str],
    returns: str,
    clients: Tuple[Replicate, AsyncReplicate],
) -> None:
    sync, async_ = clients
    expected_optional = set(optional) | set(EXTRA_OPTIONAL.get(path, []))
    is_page = returns.startswith("SyncCursorURLPage")
    for client in (sync, async_):
        fn = resolve(client, path)
        signature = inspect.signature(fn)
        params = signature.parameters
        assert all(p.kind is KW for p in params.values()), signature
        for name, default in OPTIONS.items():
            assert params[name].default == default, (path, name)
        own = own_parameters(fn)
        assert {n for n, p in own.items() if p.default is EMPTY} == set(required)
        assert {n for n, p in own.items() if p.default is not EMPTY} == expected_optional
        assert all(own[name].default is NOT_GIVEN for name in optional)
        is_async = client is async_
        assert signature.return_annotation == (async_returns(returns) if is_async else returns)
        evaluate(signature.return_annotation)
        get_type_hints(fn)  # does not raise
        assert inspect.iscoroutinefunction(fn) == (is_async and not is_page)
        # with_raw_response / with_streaming_response at every level of the path, same parameters
        for view in ("with_raw_response", "with_streaming_response"):
            for at in range(path.count(".") + 1):
                form = resolve(client, path, view, at)
                assert inspect.signature(form).parameters == params, (view, at)
            parsed = returns.replace("Sync", "Async", 1) if is_async else returns
            response = f"{'Async' if is_async else ''}APIResponse[{parsed}]"
            if returns == "BinaryAPIResponse":
                response = "AsyncBinaryAPIResponse" if is_async else "BinaryAPIResponse"
            if view == "with_raw_response":
                assert inspect.signature(form).return_annotation == response
                assert inspect.iscoroutinefunction(form) == is_async
            else:
                if returns == "BinaryAPIResponse":  # v2's name for a download not yet read
                    response = response.replace("BinaryAPIResponse", "StreamedBinaryAPIResponse")
                manager = "AsyncContextManager" if is_async else "ContextManager"
                assert inspect.signature(form).return_annotation == f"{manager}[{response}]"
                assert not inspect.iscoroutinefunction(form)


def params_typeddict(path: str) -> Any:
    """`<Resource><Method>Params` in replicate.types, or replicate.types.<resource> for sub-resources."""
    *namespaces, method = path.split(".")
    if not namespaces:
        return replicate.types.SearchParams
    singular = namespaces[-1] if namespaces[-1] == "readme" else namespaces[-1].rstrip("s")
    module = replicate.types if len(namespaces) == 1 else getattr(replicate.types, namespaces[0])
    return getattr(module, f"{singular.capitalize()}{method.capitalize()}Params")


# Parameters that only fill in the URL's path: an endpoint taking nothing else has no TypedDict
# (docs/api-surface.md names the request-param TypedDicts; a path-only one would add nothing).
PATH_PARAMETERS = {
    "collection_slug",
    "deployment_owner",
    "deployment_name",
    "file_id",
    "model_owner",
    "model_name",
    "prediction_id",
    "training_id",
    "version_id",
}
WITH_PARAMS = [(p, r, o) for p, r, o, _ in OPERATIONS if (set(r) | set(o)) - PATH_PARAMETERS]
PATH_ONLY = [p for p, r, o, _ in OPERATIONS if (r or o) and not (set(r) | set(o)) - PATH_PARAMETERS]


def test_path_only_endpoints_have_no_params_typeddict() -> None:
    assert len(PATH_ONLY) == 17
    for path in PATH_ONLY:
        with pytest.raises(AttributeError):
            params_typeddict(path)


@pytest.mark.parametrize(("path", "required", "optional"), WITH_PARAMS, ids=[p for p, _, _ in WITH_PARAMS])
def test_request_params_typeddicts(path: str, required: List[str], optional: List[str]) -> None:
    params = params_typeddict(path)
    assert set(params.__required_keys__) == set(required)
    assert set(params.__optional_keys__) == set(optional) | set(EXTRA_OPTIONAL.get(path, []))
    if "." not in path:
        assert replicate.types.ClientSearchParams is params


@pytest.mark.parametrize("name", SPEC_TYPES)
def test_response_types(name: str) -> None:
    cls = getattr(replicate.types, name)
    assert name in replicate.types.__all__
    assert issubclass(cls, replicate.BaseModel)
    assert callable(cls.to_dict) and callable(cls.to_json)


def test_nested_response_types() -> None:
    hardware = replicate.types.HardwareListResponse
    assert get_origin(hardware) is list and issubclass(get_args(hardware)[0], replicate.BaseModel)
    assert issubclass(replicate.types.models.VersionListResponse, replicate.BaseModel)
    assert issubclass(replicate.types.models.VersionGetResponse, replicate.BaseModel)
    assert replicate.types.models.ReadmeGetResponse is str
    assert issubclass(replicate.types.webhooks.default.SecretGetResponse, replicate.BaseModel)
    for module in (replicate.types.models, replicate.types.webhooks.default):
        assert all(hasattr(module, name) for name in module.__all__)


def test_pagination_exports_and_page_api() -> None:
    pages = replicate.pagination
    for name in ("SyncCursorURLPage", "AsyncCursorURLPage"):
        assert name in pages.__all__ and f"{name}WithCreatedFilters" in pages.__all__
        assert issubclass(getattr(pages, f"{name}WithCreatedFilters"), getattr(pages, name))
    for method in ("has_next_page", "get_next_page", "iter_pages", "__iter__"):
        assert callable(getattr(pages.SyncCursorURLPage, method))
    for method in ("has_next_page", "get_next_page", "iter_pages", "__aiter__"):
        assert callable(getattr(pages.AsyncCursorURLPage, method))
    assert inspect.iscoroutinefunction(pages.AsyncCursorURLPage.get_next_page)
    declared = set(pages.SyncCursorURLPage.__annotations__) | set(
        pages.SyncCursorURLPage.__mro__[1].__annotations__
    )
    assert "next" in declared
    # results are typed as they are first read (pagination.py), so they are a property
    assert "results" in declared or isinstance(getattr(pages.SyncCursorURLPage, "results", None), property)


@pytest.mark.parametrize("cls", [APIResponse, AsyncAPIResponse])
def test_response_objects(cls: type) -> None:
    for attribute in ("headers", "status_code", "http_request", "http_response", "is_closed"):
        assert hasattr(cls, attribute) or attribute in cls.__mro__[1].__annotations__
    for method in ("parse", "read", "iter_bytes", "iter_lines"):
        assert callable(getattr(cls, method))
    assert inspect.iscoroutinefunction(cls.parse) == (cls is AsyncAPIResponse)


# (module attribute, value, how the default client shows it)
MODULE_ATTRIBUTES: List[Tuple[str, Any, Any]] = [
    ("bearer_token", "r8_module_attr", lambda c: c.bearer_token),
    ("base_url", "http://127.0.0.1:9/v7", lambda c: str(c.base_url)),
    ("timeout", 7.5, lambda c: c.timeout),
    ("max_retries", 5, lambda c: c.max_retries),
    ("default_headers", {"X-Team": "a"}, lambda c: {"X-Team": c.default_headers["X-Team"]}),
    ("default_query", {"team": "a"}, lambda c: c.default_query),
]


@pytest.mark.parametrize(("name", "value", "shown"), MODULE_ATTRIBUTES, ids=ids(MODULE_ATTRIBUTES))
def test_module_attributes_configure_the_default_client(
    name: str, value: Any, shown: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_env")
    monkeypatch.setattr(replicate, "_default", None)
    monkeypatch.setattr(replicate, name, value)  # before first use
    first = replicate.default_client()
    assert shown(first) == value
    other = {"bearer_token": "r8_later", "base_url": "http://127.0.0.1:9/v8", "timeout": 9.0,
             "max_retries": 0, "default_headers": {"X-Team": "b"}, "default_query": {"team": "b"}}[name]  # fmt: skip
    monkeypatch.setattr(replicate, name, other)  # after first use: the next use gets a new client
    assert replicate.default_client() is not first and shown(replicate.default_client()) == other


def test_module_http_client_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_env")
    with httpx.Client() as http:
        monkeypatch.setattr(replicate, "http_client", http)
        assert replicate.default_client()._http is http


PROBLEM_STATUSES = [
    (400, "BadRequestError"),
    (401, "AuthenticationError"),
    (403, "PermissionDeniedError"),
    (404, "NotFoundError"),
    (409, "ConflictError"),
    (422, "UnprocessableEntityError"),
    (429, "RateLimitError"),
    (500, "InternalServerError"),
    (503, "InternalServerError"),
    (418, "APIStatusError"),
]


@pytest.mark.parametrize(("status", "name"), PROBLEM_STATUSES)
def test_status_errors_carry_the_problem_details(status: int, name: str, server: ScriptedServer) -> None:
    problem = {"title": "Nope", "detail": f"the detail of a {status}", "status": status}
    server.queue(Reply(status, json.dumps(problem)))
    client = Replicate(bearer_token="r8_x", base_url=server.base_url, max_retries=0)
    with pytest.raises(replicate.APIStatusError) as info:
        client.predictions.get(prediction_id="p1")
    error = info.value
    assert type(error) is getattr(replicate, name)
    assert error.status_code == status and error.response.status_code == status
    assert error.request.url.path == "/v1/predictions/p1" and error.body == problem
    assert f"the detail of a {status}" in str(error)


def test_model_error_carries_the_prediction() -> None:
    prediction = replicate.types.Prediction.model_validate(
        {
            "id": "p1",
            "status": "failed",
            "error": "boom",
            "input": {},
            "version": "v",
            "created_at": "2025-01-01T00:00:00Z",
            "urls": {"get": "https://x/p1", "cancel": "https://x/p1/cancel"},
        }
    )
    error = replicate.exceptions.ModelError(prediction)
    assert error.prediction is prediction and "boom" in str(error)


def test_module_search_uses_the_default_client(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.queue(Reply(200, '{"query": "flux", "models": [], "collections": [], "pages": []}'))
    monkeypatch.setattr(replicate, "bearer_token", "r8_module")
    monkeypatch.setattr(replicate, "base_url", server.base_url)
    assert replicate.search(query="flux", limit=3).query == "flux"
    assert server.requests[0].path == "/v1/search?query=flux&limit=3"
    assert server.requests[0].headers["Authorization"] == "Bearer r8_module"
