"""Every operation of docs/api-surface.md, against Prism serving Replicate's own OpenAPI spec.

Each operation runs sync and async, plain, raw (`with_raw_response`) and streamed
(`with_streaming_response`); each path parameter given as "" must raise ValueError naming it
before any request. `models.search` uses the HTTP method QUERY, which the spec file does not
declare, so Prism cannot serve it: the emulator tests cover it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

import replicate
from replicate._http.response import APIResponse, AsyncAPIResponse, AsyncBinaryAPIResponse, BinaryAPIResponse
from replicate.pagination import (
    AsyncCursorURLPage,
    AsyncCursorURLPageWithCreatedFilters,
    SyncCursorURLPage,
    SyncCursorURLPageWithCreatedFilters,
)
from replicate.types import (
    Account,
    Collection,
    Deployment,
    File,
    Hardware,
    Model,
    Prediction,
    SearchResponse,
    Training,
)
from replicate.types.models import Version
from replicate.types.webhooks.default import SecretGetResponse

VERSION_ID = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"
MODEL = {"model_owner": "acme", "model_name": "echo"}
DEPLOYMENT = {"deployment_owner": "acme", "deployment_name": "echo-prod"}


@dataclass
class Op:
    path: str  # attribute path from the client, e.g. "models.versions.get"
    kwargs: Dict[str, Any]
    check: Callable[[Any], bool]
    path_params: Tuple[str, ...] = ()
    parsed_check: Optional[Callable[[Any], bool]] = None
    """What `.parse()` of a raw or streamed response gives, when not what `check` expects."""

    def check_parsed(self, result: Any) -> bool:
        return (self.parsed_check or self.check)(result)


def is_(cls: type) -> Callable[[Any], bool]:
    return lambda result: isinstance(result, cls)


def page_of(page: type, item: type) -> Callable[[Any], bool]:
    return lambda result: isinstance(result, page) and all(isinstance(x, item) for x in result.results)


def list_of(item: type) -> Callable[[Any], bool]:
    return lambda result: isinstance(result, list) and all(isinstance(x, item) for x in result)


OPERATIONS: List[Op] = [
    Op("search", {"query": "flux", "limit": 5}, is_(SearchResponse)),
    Op("collections.list", {}, page_of(SyncCursorURLPage, replicate.types.CollectionListResponse)),
    Op("collections.get", {"collection_slug": "super-resolution"}, is_(Collection), ("collection_slug",)),
    Op(
        "deployments.create",
        {
            "hardware": "gpu-t4",
            "max_instances": 3,
            "min_instances": 0,
            "model": "acme/echo",
            "name": "p",
            "version": VERSION_ID,
        },
        is_(Deployment),
    ),
    Op("deployments.update", {**DEPLOYMENT, "min_instances": 1}, is_(Deployment), tuple(DEPLOYMENT)),
    Op("deployments.list", {}, page_of(SyncCursorURLPage, Deployment)),
    Op("deployments.delete", DEPLOYMENT, lambda r: r is None, tuple(DEPLOYMENT)),
    Op("deployments.get", DEPLOYMENT, is_(Deployment), tuple(DEPLOYMENT)),
    Op(
        "deployments.predictions.create",
        {**DEPLOYMENT, "input": {"prompt": "hi"}, "prefer": "wait=5", "cancel_after": "5m"},
        is_(Prediction),
        tuple(DEPLOYMENT),
    ),
    Op("hardware.list", {}, list_of(Hardware)),
    Op("account.get", {}, is_(Account)),
    Op(
        "models.create",
        {"hardware": "cpu", "name": "echo", "owner": "acme", "visibility": "private", "description": "d"},
        is_(Model),
    ),
    Op("models.update", {**MODEL, "description": "new", "readme": "# hi"}, is_(Model), tuple(MODEL)),
    Op(
        "models.list",
        {"sort_by": "model_created_at", "sort_direction": "asc"},
        page_of(SyncCursorURLPage, Model),
    ),
    Op("models.delete", MODEL, lambda r: r is None, tuple(MODEL)),
    Op("models.get", MODEL, is_(Model), tuple(MODEL)),
    Op("models.examples.list", MODEL, page_of(SyncCursorURLPage, Prediction), tuple(MODEL)),
    Op(
        "models.predictions.create",
        {**MODEL, "input": {"prompt": "hi"}, "prefer": "wait"},
        is_(Prediction),
        tuple(MODEL),
    ),
    Op("models.readme.get", MODEL, is_(str), tuple(MODEL)),
    Op("models.versions.list", MODEL, page_of(SyncCursorURLPage, Version), tuple(MODEL)),
    Op(
        "models.versions.delete",
        {**MODEL, "version_id": VERSION_ID},
        lambda r: r is None,
        (*MODEL, "version_id"),
    ),
    Op("models.versions.get", {**MODEL, "version_id": VERSION_ID}, is_(Version), (*MODEL, "version_id")),
    Op(
        "predictions.create",
        {
            "version": VERSION_ID,
            "input": {"text": "Alice"},
            "webhook": "https://example.com/hook",
            "webhook_events_filter": ["start", "completed"],
        },
        is_(Prediction),
    ),
    Op(
        "predictions.list",
        {"created_after": "2025-01-01T00:00:00Z", "created_before": "2025-02-01T00:00:00Z"},
        page_of(SyncCursorURLPageWithCreatedFilters, Prediction),
    ),
    Op("predictions.cancel", {"prediction_id": "p1"}, is_(Prediction), ("prediction_id",)),
    Op("predictions.get", {"prediction_id": "p1"}, is_(Prediction), ("prediction_id",)),
    Op(
        "trainings.create",
        {**MODEL, "version_id": VERSION_ID, "destination": "acme/echo-tuned", "input": {"steps": 10}},
        is_(Training),
        (*MODEL, "version_id"),
    ),
    Op("trainings.list", {}, page_of(SyncCursorURLPage, Training)),
    Op("trainings.cancel", {"training_id": "t1"}, is_(Training), ("training_id",)),
    Op("trainings.get", {"training_id": "t1"}, is_(Training), ("training_id",)),
    Op("webhooks.default.secret.get", {}, is_(SecretGetResponse)),
    # No `metadata` here: Prism reads multipart fields as strings and rejects the JSON object the
    # real API accepts (tests/testing covers metadata against the emulator).
    Op("files.create", {"content": b"hello", "filename": "hello.txt", "type": "text/plain"}, is_(File)),
    Op("files.list", {}, page_of(SyncCursorURLPage, File)),
    Op("files.delete", {"file_id": "f1"}, lambda r: r is None, ("file_id",)),
    Op("files.get", {"file_id": "f1"}, is_(File), ("file_id",)),
    Op(
        "files.download",
        {"file_id": "f1", "expiry": 1708515345, "owner": "acme", "signature": "c2ln"},
        lambda r: isinstance(r, (BinaryAPIResponse, AsyncBinaryAPIResponse)),
        ("file_id",),
        parsed_check=is_(bytes),
    ),
]

ASYNC_PAGES = {
    SyncCursorURLPage: AsyncCursorURLPage,
    SyncCursorURLPageWithCreatedFilters: AsyncCursorURLPageWithCreatedFilters,
}


def resolve(root: Any, path: str) -> Any:
    for part in path.split("."):
        root = getattr(root, part)
    return root


def view(client: Any, path: str, kind: str) -> Any:
    """`client.models.versions.get` → `client.models.versions.with_raw_response.get` for kind='raw'."""
    *namespace, method = path.split(".")
    owner = resolve(client, ".".join(namespace)) if namespace else client
    if kind != "plain":
        owner = getattr(owner, f"with_{kind}_response")
    return getattr(owner, method)


def sync_client(url: str) -> replicate.Replicate:
    return replicate.Replicate(base_url=url, bearer_token="r8_test", max_retries=0)


def async_client(url: str) -> replicate.AsyncReplicate:
    return replicate.AsyncReplicate(base_url=url, bearer_token="r8_test", max_retries=0)


def check_async(op: Op, result: Any, *, parsed: bool = False) -> bool:
    """The async result has the async twin of the sync type (pages differ; models don't)."""
    check = op.check_parsed if parsed else op.check
    if isinstance(result, (AsyncCursorURLPage, AsyncCursorURLPageWithCreatedFilters)):
        sync_type = next(s for s, a in ASYNC_PAGES.items() if type(result) is a)
        return check(_as_sync_page(result, sync_type))
    return check(result)


def _as_sync_page(page: Any, sync_type: type) -> Any:
    clone = sync_type.__new__(sync_type)
    clone.__dict__.update(page.__dict__)  # the same items, read the same way
    return clone


ids = [op.path for op in OPERATIONS]


@pytest.mark.parametrize("op", OPERATIONS, ids=ids)
def test_sync_plain(prism_url: str, op: Op) -> None:
    with sync_client(prism_url) as client:
        assert op.check(view(client, op.path, "plain")(**op.kwargs))


@pytest.mark.parametrize("op", OPERATIONS, ids=ids)
def test_sync_raw(prism_url: str, op: Op) -> None:
    with sync_client(prism_url) as client:
        response = view(client, op.path, "raw")(**op.kwargs)
        assert isinstance(response, APIResponse)
        assert 200 <= response.status_code < 300
        assert response.is_closed
        assert op.check_parsed(response.parse())


@pytest.mark.parametrize("op", OPERATIONS, ids=ids)
def test_sync_streamed(prism_url: str, op: Op) -> None:
    with sync_client(prism_url) as client:
        with view(client, op.path, "streaming")(**op.kwargs) as response:
            assert isinstance(response, APIResponse)
            assert 200 <= response.status_code < 300
            parsed = response.parse()
        assert response.is_closed
        assert op.check_parsed(parsed)


@pytest.mark.anyio
@pytest.mark.parametrize("op", OPERATIONS, ids=ids)
async def test_async_plain(prism_url: str, op: Op) -> None:
    async with async_client(prism_url) as client:
        assert check_async(op, await view(client, op.path, "plain")(**op.kwargs))


@pytest.mark.anyio
@pytest.mark.parametrize("op", OPERATIONS, ids=ids)
async def test_async_raw(prism_url: str, op: Op) -> None:
    async with async_client(prism_url) as client:
        response = await view(client, op.path, "raw")(**op.kwargs)
        assert isinstance(response, AsyncAPIResponse)
        assert 200 <= response.status_code < 300
        assert check_async(op, await response.parse(), parsed=True)


@pytest.mark.anyio
@pytest.mark.parametrize("op", OPERATIONS, ids=ids)
async def test_async_streamed(prism_url: str, op: Op) -> None:
    async with async_client(prism_url) as client:
        async with view(client, op.path, "streaming")(**op.kwargs) as response:
            assert isinstance(response, AsyncAPIResponse)
            parsed = await response.parse()
        assert response.is_closed
        assert check_async(op, parsed, parsed=True)


PATH_PARAMS = [(op, name) for op in OPERATIONS for name in op.path_params]


@pytest.mark.parametrize(("op", "name"), PATH_PARAMS, ids=[f"{op.path}-{name}" for op, name in PATH_PARAMS])
def test_empty_path_parameter_raises_before_any_request(op: Op, name: str) -> None:
    # Nothing listens on port 9: a request would be a connection error, not a ValueError.
    client = replicate.Replicate(base_url="http://127.0.0.1:9", bearer_token="r8_test", max_retries=0)
    with pytest.raises(ValueError, match=name):
        view(client, op.path, "plain")(**{**op.kwargs, name: ""})


@pytest.mark.anyio
@pytest.mark.parametrize(("op", "name"), PATH_PARAMS, ids=[f"{op.path}-{name}" for op, name in PATH_PARAMS])
async def test_async_empty_path_parameter_raises_before_any_request(op: Op, name: str) -> None:
    client = replicate.AsyncReplicate(base_url="http://127.0.0.1:9", bearer_token="r8_test", max_retries=0)
    with pytest.raises(ValueError, match=name):
        await view(client, op.path, "plain")(**{**op.kwargs, name: ""})


def test_every_operation_of_the_surface_is_in_the_table() -> None:
    declared = {op.path for op in OPERATIONS} | {"models.search"}
    assert len(declared) == 37
