"""Answers are read tolerantly: a field the call can do without that comes back null (or in an
unexpected shape), an unknown enum value or an extra field does not fail the call. A field it
needs does, naming it; `strict_response_validation=True` fails on any mismatch, naming it too."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Dict, List

import pytest
from misbehaving_server import MisbehavingServer, answer

import replicate

STAMP = "2026-11-26T10:00:00Z"


def file_json(base_url: str, **changes: Any) -> Dict[str, Any]:
    return {
        "id": "f1",
        "name": "big.bin",
        "content_type": "application/octet-stream",
        "size": 300_000,
        "checksums": {"sha256": "0" * 64},
        "metadata": {},
        "urls": {"get": f"{base_url}/files/f1"},
        "created_at": STAMP,
        "expires_at": None,  # what the issue saw: a file that does not expire
        **changes,
    }


def prediction_json(base_url: str, **changes: Any) -> Dict[str, Any]:
    return {
        "id": "p1",
        "model": "acme/echo",
        "version": "hidden",
        "input": {},
        "status": "succeeded",
        "output": "done",
        "created_at": STAMP,
        "completed_at": STAMP,
        "urls": {"get": f"{base_url}/predictions/p1", "cancel": f"{base_url}/predictions/p1/cancel"},
        **changes,
    }


def serve(routes: Dict[str, Any]) -> MisbehavingServer:
    """Answers `METHOD /path` with the JSON in `routes` (a callable gets the base URL)."""

    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        route = f"{handler.command} {handler.path.split('?')[0]}"
        body = routes[route](server.base_url) if route in routes else {"detail": "no"}
        answer(handler, 200 if route in routes else 404, json.dumps(body).encode())

    server = MisbehavingServer(behaviour)
    return server


@pytest.mark.parametrize("strict", [False, True])
def test_a_file_whose_expires_at_is_null_is_created(strict: bool) -> None:
    # null is what the API sends for a file that does not expire: the type says so
    with serve({"POST /v1/files": file_json}) as server:
        created = server.client(strict_response_validation=strict).files.create(content=b"x" * 10)
    assert created.id == "f1"
    assert created.expires_at is None
    assert created.urls.get is not None and created.urls.get.endswith("/files/f1")


def test_run_with_a_large_file_whose_upload_comes_back_without_expiry(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 300_000)  # over 256 KiB: uploaded, not inlined
    with serve(
        {"POST /v1/files": file_json, "POST /v1/models/acme/echo/predictions": prediction_json}
    ) as server:
        assert server.client().run("acme/echo", input={"file": big}) == "done"
    assert server.requests[0] == "POST /v1/files"


def test_nulls_unknown_enum_values_and_extra_fields_do_not_fail_a_prediction() -> None:
    def odd(base_url: str) -> Dict[str, Any]:
        return prediction_json(
            base_url,
            created_at=None,
            source="cli",
            metrics={"predict_time": "fast"},
            urls={"get": None, "cancel": "c"},
            brand_new={"nested": [1, 2]},
        )

    with serve({"GET /v1/predictions/p1": odd}) as server:
        prediction = server.client().predictions.get(prediction_id="p1")
    assert isinstance(prediction, replicate.types.Prediction)
    assert (prediction.id, prediction.status, prediction.output) == ("p1", "succeeded", "done")
    assert prediction.created_at is None
    assert prediction.source == "cli"
    assert prediction.metrics is not None and prediction.metrics.predict_time is None
    assert prediction.urls.get is None and prediction.urls.cancel == "c"
    assert prediction.to_dict()["brand_new"] == {"nested": [1, 2]}


@pytest.mark.parametrize(("field", "value"), [("status", None), ("id", 7)])
def test_a_field_the_call_needs_fails_it_naming_the_field(field: str, value: object) -> None:
    def broken(base_url: str) -> Dict[str, Any]:
        return prediction_json(base_url, **{field: value})

    with serve({"GET /v1/predictions/p1": broken}) as server:
        with pytest.raises(replicate.APIResponseValidationError, match=f"as Prediction: {field}:"):
            server.client().predictions.get(prediction_id="p1")


def test_strict_reading_fails_on_any_mismatch_naming_the_field() -> None:
    def undated(base_url: str) -> Dict[str, Any]:
        return file_json(base_url, created_at=None)

    with serve({"POST /v1/files": undated}) as server:
        client = server.client(strict_response_validation=True)
        with pytest.raises(replicate.APIResponseValidationError, match="as File: created_at Input should be"):
            client.files.create(content=b"x")
        # with_options keeps it, and can turn it off
        assert client.with_options(max_retries=0).strict_response_validation
        assert client.with_options(strict_response_validation=False).files.create(content=b"x").id == "f1"


def test_a_page_item_with_a_null_field_is_read_with_the_others() -> None:
    def page(base_url: str) -> Dict[str, Any]:
        items = [prediction_json(base_url, id=pid) for pid in ("a", "b", "c")]
        items[1]["created_at"] = None
        return {"results": items, "next": None, "previous": None}

    with serve({"GET /v1/predictions": page}) as server:
        seen: List[Any] = [(p.id, p.created_at) for p in server.client().predictions.list()]
    assert [pid for pid, _ in seen] == ["a", "b", "c"]
    assert seen[1][1] is None


@pytest.mark.anyio
async def test_the_async_client_reads_leniently_too() -> None:
    with serve({"POST /v1/files": file_json}) as server:
        async with server.async_client() as client:
            created = await client.files.create(content=b"x")
    assert created.expires_at is None


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
