"""`predictions.wait`: a procedure polling until the prediction ends, sync and async."""

from __future__ import annotations

import json

import pytest

import replicate

from .scripted_server import Reply, ScriptedServer


def prediction(status: str) -> Reply:
    body = {
        "id": "p1",
        "status": status,
        "version": "v",
        "input": {},
        "created_at": "2025-01-01T00:00:00Z",
        "urls": {"get": "https://x/p1", "cancel": "https://x/p1/cancel"},
        "output": "done" if status == "succeeded" else None,
    }
    return Reply(200, json.dumps(body))


def test_wait_polls_until_a_terminal_status(server: ScriptedServer) -> None:
    server.queue(prediction("starting"), prediction("processing"), prediction("succeeded"))
    client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
    result = client.predictions.wait(prediction_id="p1")
    assert result.status == "succeeded" and result.output == "done"
    assert [r.path for r in server.requests] == ["/v1/predictions/p1"] * 3


def test_wait_returns_a_failed_prediction_without_raising(server: ScriptedServer) -> None:
    server.queue(prediction("failed"))
    client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
    assert client.predictions.wait(prediction_id="p1").status == "failed"


def test_wait_raw_and_streamed_forms_give_the_last_response(server: ScriptedServer) -> None:
    server.queue(prediction("processing"), prediction("succeeded"), prediction("processing"))
    server.queue(prediction("failed"))
    client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
    raw = client.predictions.with_raw_response.wait(prediction_id="p1")
    assert raw.status_code == 200 and raw.is_closed
    assert raw.http_request.url.path == "/v1/predictions/p1"
    assert raw.parse().status == "succeeded" and raw.parse().output == "done"
    with client.predictions.with_streaming_response.wait(prediction_id="p1") as streamed:
        assert streamed.parse().status == "failed"
    assert len(server.requests) == 4


@pytest.mark.anyio
async def test_async_wait_raw_and_streamed_forms(server: ScriptedServer) -> None:
    server.queue(prediction("starting"), prediction("succeeded"), prediction("canceled"))
    async with replicate.AsyncReplicate(base_url=server.base_url, bearer_token="r8_test") as client:
        raw = await client.predictions.with_raw_response.wait(prediction_id="p1")
        assert (await raw.parse()).status == "succeeded"
        async with client.predictions.with_streaming_response.wait(prediction_id="p1") as streamed:
            assert (await streamed.parse()).status == "canceled"
    assert len(server.requests) == 3


@pytest.mark.anyio
async def test_async_wait_polls_until_a_terminal_status(server: ScriptedServer) -> None:
    server.queue(prediction("starting"), prediction("canceled"))
    async with replicate.AsyncReplicate(base_url=server.base_url, bearer_token="r8_test") as client:
        assert (await client.predictions.wait(prediction_id="p1")).status == "canceled"
    assert len(server.requests) == 2
