"""Pages and auto-pagination, sync and async, over real loopback HTTP."""

from __future__ import annotations

import json
import weakref
from typing import Any, Dict, List, Optional

import pytest

import replicate
from replicate.pagination import (
    AsyncCursorURLPage,
    AsyncCursorURLPageWithCreatedFilters,
    SyncCursorURLPage,
    SyncCursorURLPageWithCreatedFilters,
)

from .scripted_server import Reply, ScriptedServer


def page(server: ScriptedServer, names: List[str], next_cursor: Optional[str]) -> Reply:
    next_url = f"{server.base_url}/models?cursor={next_cursor}" if next_cursor else None
    results = [{"owner": "acme", "name": name, "url": f"https://replicate.com/acme/{name}"} for name in names]
    return Reply(200, json.dumps({"results": results, "next": next_url, "previous": None}))


def prediction_item(server: ScriptedServer, pid: str) -> Dict[str, Any]:
    urls = {
        "get": f"{server.base_url}/predictions/{pid}",
        "cancel": f"{server.base_url}/predictions/{pid}/cancel",
    }
    return {"id": pid, "status": "succeeded", "version": "v", "input": {}, "urls": urls,
            "created_at": "2025-01-01T00:00:00Z"}  # fmt: skip


def prediction_page(server: ScriptedServer, ids: List[str], next_cursor: Optional[str]) -> Reply:
    next_url = f"{server.base_url}/predictions?cursor={next_cursor}" if next_cursor else None
    results = [prediction_item(server, pid) for pid in ids]
    return Reply(200, json.dumps({"results": results, "next": next_url, "previous": None}))


def queue_three_pages(server: ScriptedServer) -> None:
    server.queue(page(server, ["a", "b"], "c2"), page(server, ["c", "d"], "c3"), page(server, ["e"], None))


def test_iterating_a_page_walks_every_item_of_every_page(server: ScriptedServer) -> None:
    queue_three_pages(server)
    client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
    first = client.models.list(sort_by="model_created_at")
    assert isinstance(first, SyncCursorURLPage)
    assert [m.name for m in first.results] == ["a", "b"]
    assert [m.name for m in first] == ["a", "b", "c", "d", "e"]
    paths = [r.path for r in server.requests]
    assert paths == ["/v1/models?sort_by=model_created_at", "/v1/models?cursor=c2", "/v1/models?cursor=c3"]


def test_next_page_requests_keep_auth_and_per_request_headers(server: ScriptedServer) -> None:
    queue_three_pages(server)
    client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
    list(client.models.list(extra_headers={"X-Trace": "t"}))
    assert all(r.headers["X-Trace"] == "t" for r in server.requests)
    assert all(r.headers["Authorization"] == "Bearer r8_test" for r in server.requests)


def test_has_next_page_get_next_page_and_iter_pages(server: ScriptedServer) -> None:
    queue_three_pages(server)
    client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
    first = client.models.list()
    assert first.has_next_page()
    second = first.get_next_page()
    assert [m.name for m in second.results] == ["c", "d"]
    pages = list(second.iter_pages())
    assert [len(p.results) for p in pages] == [2, 1]
    assert not pages[-1].has_next_page()
    with pytest.raises(RuntimeError, match="last page"):
        pages[-1].get_next_page()


@pytest.mark.parametrize(
    ("kind", "alive"),
    [
        # typed in one pass: the first page (which the caller may hold) keeps its items
        ("predictions", [True, True, False, True]),
        # read as JSON and typed one at a time: no page holds a typed item
        ("models", [False, False, False, True]),
    ],
)
def test_walking_lets_go_of_each_item_of_the_pages_it_fetched(
    server: ScriptedServer, kind: str, alive: List[bool]
) -> None:
    if kind == "predictions":
        server.queue(
            prediction_page(server, ["a", "b"], "c2"),
            prediction_page(server, ["c", "d"], "c3"),
            prediction_page(server, ["e"], None),
        )
    else:
        queue_three_pages(server)
    client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
    first = getattr(client, kind).list()
    walk = iter(first)
    seen = [weakref.ref(next(walk)) for _ in range(4)]  # a, b (first page), c, d (second page)
    assert [ref() is not None for ref in seen] == alive  # d: the one being handed over
    next(walk)
    assert seen[3]() is None
    assert len(first.results) == 2


def test_prediction_list_pages_carry_created_filters(server: ScriptedServer) -> None:
    server.queue(Reply(200, json.dumps({"results": [], "next": None, "previous": None})))
    client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
    result = client.predictions.list(created_after="2025-01-01T00:00:00Z")
    assert isinstance(result, SyncCursorURLPageWithCreatedFilters)
    assert server.requests[0].path == "/v1/predictions?created_after=2025-01-01T00%3A00%3A00Z"


def test_a_failing_page_surfaces_the_error_after_the_items_already_yielded(server: ScriptedServer) -> None:
    server.queue(page(server, ["a", "b"], "c2"), Reply(404, '{"detail": "cursor expired"}'))
    client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
    seen: List[str] = []
    with pytest.raises(replicate.NotFoundError, match="cursor expired"):
        for model in client.models.list():
            seen.append(model.name)
    assert seen == ["a", "b"]


def test_an_item_that_does_not_match_its_type_fails_when_reached_naming_it(server: ScriptedServer) -> None:
    results = [
        {"owner": "acme", "name": "a", "url": "https://replicate.com/acme/a"},
        {"owner": "acme", "name": 7, "url": "https://replicate.com/acme/7"},
    ]
    body = json.dumps({"results": results, "next": None, "previous": None})
    server.queue(Reply(200, body), Reply(200, body))
    client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
    seen: List[str] = []
    with pytest.raises(replicate.APIResponseValidationError, match=r"GET /v1/models .*results\[1\]: name"):
        for model in client.models.list():
            seen.append(model.name)
    assert seen == ["a"]
    first = client.models.list()  # the page itself reads; its typed results fail alike
    assert first.has_next_page() is False
    with pytest.raises(replicate.APIResponseValidationError, match=r"results\[1\]: name"):
        _ = first.results


def test_a_prediction_with_malformed_urls_fails_when_reached_after_the_good_ones(
    server: ScriptedServer,
) -> None:
    good = [prediction_item(server, pid) for pid in ("a", "c")]
    broken = {**prediction_item(server, "b"), "urls": {"cancel": "c"}}
    server.queue(Reply(200, json.dumps({"results": [good[0], broken, good[1]], "next": None})))
    # strictly: by default, a missing `urls.get` reads as None (tests/reliability/test_lenient_reading.py)
    client = replicate.Replicate(
        base_url=server.base_url, bearer_token="r8_test", strict_response_validation=True
    )
    seen: List[str] = []
    with pytest.raises(replicate.APIResponseValidationError, match=r"results\[1\]: urls.get"):
        for prediction in client.predictions.list():
            seen.append(prediction.urls.get)
    assert seen == [f"{server.base_url}/predictions/a"]


def test_a_malformed_page_fails_when_it_arrives(server: ScriptedServer) -> None:
    server.queue(Reply(200, json.dumps({"results": {"not": "a list"}, "next": None})))
    client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
    with pytest.raises(replicate.APIResponseValidationError, match="GET /v1/models"):
        client.models.list()


@pytest.mark.anyio
async def test_async_list_is_awaitable_and_async_iterable(server: ScriptedServer) -> None:
    queue_three_pages(server)
    queue_three_pages(server)
    async with replicate.AsyncReplicate(base_url=server.base_url, bearer_token="r8_test") as client:
        first = await client.models.list()
        assert isinstance(first, AsyncCursorURLPage)
        assert [m.name for m in first.results] == ["a", "b"]
        assert [m.name async for m in first] == ["a", "b", "c", "d", "e"]
        names = [m.name async for m in client.models.list()]
        assert names == ["a", "b", "c", "d", "e"]


@pytest.mark.anyio
async def test_async_prediction_list_page_type(server: ScriptedServer) -> None:
    server.queue(Reply(200, json.dumps({"results": [], "next": None, "previous": None})))
    async with replicate.AsyncReplicate(base_url=server.base_url, bearer_token="r8_test") as client:
        assert isinstance(await client.predictions.list(), AsyncCursorURLPageWithCreatedFilters)
