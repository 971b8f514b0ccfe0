"""The retry policy, exercised through real HTTP against a scripted loopback server."""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any, Dict

import httpx
import pytest

import replicate
from replicate import APIConnectionError, APITimeoutError, InternalServerError, RateLimitError
from replicate._http.retry import RetryPolicy, retry_after_seconds

from .scripted_server import Drop, Reply, ScriptedServer

PREDICTION = json.dumps(
    {
        "id": "p1",
        "status": "starting",
        "version": "v",
        "input": {},
        "created_at": "2025-01-01T00:00:00Z",
        "urls": {
            "get": "https://api.replicate.com/v1/predictions/p1",
            "cancel": "https://x/c",
            "web": "https://x/w",
        },
    }
)


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # Real waits would only slow the suite; the schedule itself is tested in test_backoff_*.
    monkeypatch.setattr("replicate._http.retry.INITIAL_RETRY_DELAY", 0.001)


def client_for(server: ScriptedServer, **kwargs: Any) -> replicate.Replicate:
    return replicate.Replicate(base_url=server.base_url, bearer_token="r8_test", **kwargs)


def create_prediction(client: replicate.Replicate) -> Any:
    return client.predictions.create(version="a" * 64, input={"text": "hi"})


def test_429_with_retry_after_is_retried_then_succeeds(server: ScriptedServer) -> None:
    server.queue(Reply(429, '{"detail": "slow down"}', {"Retry-After": "0"}), Reply(200, '{"ok": true}'))
    assert client_for(server).get("/account") == {"ok": True}
    assert len(server.requests) == 2


def test_503_is_retried_max_retries_times_then_raises(server: ScriptedServer) -> None:
    server.default = Reply(503, '{"detail": "overloaded"}')
    with pytest.raises(InternalServerError) as info:
        client_for(server, max_retries=2).get("/account")
    assert len(server.requests) == 3
    assert info.value.status_code == 503
    assert "overloaded" in str(info.value)


def test_dropped_connection_on_a_read_is_retried(server: ScriptedServer) -> None:
    server.queue(Drop(), Reply(200, '{"ok": 1}'))
    assert client_for(server).get("/account") == {"ok": 1}
    assert len(server.requests) == 2


def test_max_retries_zero_means_one_attempt(server: ScriptedServer) -> None:
    server.queue(Reply(503), Reply(200))
    with pytest.raises(InternalServerError):
        client_for(server, max_retries=0).get("/account")
    assert len(server.requests) == 1


def test_per_request_max_retries_via_with_options(server: ScriptedServer) -> None:
    server.default = Reply(500, "{}")
    with pytest.raises(InternalServerError):
        client_for(server, max_retries=0).with_options(max_retries=3).get("/account")
    assert len(server.requests) == 4


def test_max_retries_per_call_on_a_resource_method(server: ScriptedServer) -> None:
    server.default = Reply(500, "{}")
    with pytest.raises(InternalServerError):
        client_for(server, max_retries=0).account.get(max_retries=1)
    assert len(server.requests) == 2
    with pytest.raises(InternalServerError):
        client_for(server, max_retries=3).account.get(max_retries=0)
    assert len(server.requests) == 3


def test_x_should_retry_false_stops_retries(server: ScriptedServer) -> None:
    server.queue(Reply(503, "{}", {"x-should-retry": "false"}), Reply(200))
    with pytest.raises(InternalServerError):
        client_for(server).get("/account")
    assert len(server.requests) == 1


def test_x_should_retry_true_retries_a_400(server: ScriptedServer) -> None:
    server.queue(Reply(400, "{}", {"x-should-retry": "true"}), Reply(200, '{"ok": 2}'))
    assert client_for(server).get("/account") == {"ok": 2}


def test_billable_create_is_not_retried_after_a_dropped_connection(server: ScriptedServer) -> None:
    server.queue(Drop(), Reply(201, PREDICTION))
    with pytest.raises(APIConnectionError) as info:
        create_prediction(client_for(server, reconcile_creates=False))
    assert len(server.requests) == 1
    assert info.value.may_have_been_created
    assert "may have created a prediction" in str(info.value)


def test_billable_create_is_not_retried_after_a_503(server: ScriptedServer) -> None:
    server.queue(Reply(503, '{"detail": "busy"}'), Reply(201, PREDICTION))
    with pytest.raises(InternalServerError) as info:
        create_prediction(client_for(server, reconcile_creates=False))
    assert len(server.requests) == 1
    assert info.value.may_have_been_created


def test_billable_create_is_retried_after_a_429(server: ScriptedServer) -> None:
    server.queue(Reply(429, '{"detail": "throttled", "retry_after": 0}'), Reply(201, PREDICTION))
    prediction = create_prediction(client_for(server))
    assert prediction.id == "p1"
    assert len(server.requests) == 2


def test_billable_create_is_retried_when_the_server_says_so(server: ScriptedServer) -> None:
    server.queue(Reply(503, "{}", {"x-should-retry": "true"}), Reply(201, PREDICTION))
    assert create_prediction(client_for(server)).id == "p1"
    assert len(server.requests) == 2


def test_billable_create_the_server_said_to_retry_says_nothing_was_created(server: ScriptedServer) -> None:
    # `x-should-retry: true` says the server did not act: out of retries, nothing may have been made.
    server.queue(*[Reply(503, "{}", {"x-should-retry": "true"})] * 3)
    with pytest.raises(InternalServerError) as info:
        create_prediction(client_for(server, max_retries=2))
    assert len(server.requests) == 3
    assert not info.value.may_have_been_created


def test_billable_create_refused_with_a_4xx_says_nothing_was_created(server: ScriptedServer) -> None:
    server.queue(Reply(422, '{"detail": "bad input"}'))
    with pytest.raises(replicate.UnprocessableEntityError) as info:
        create_prediction(client_for(server))
    assert not info.value.may_have_been_created


def test_billable_create_is_retried_when_the_connection_was_never_made() -> None:
    # Nothing listens on this port: the request provably never reached a server.
    with socket_port() as port:
        client = replicate.Replicate(
            base_url=f"http://127.0.0.1:{port}/v1", bearer_token="r8_test", max_retries=2
        )
    started = time.monotonic()
    with pytest.raises(APIConnectionError) as info:
        create_prediction(client)
    assert not info.value.may_have_been_created
    assert time.monotonic() - started < 5


def test_read_timeout_on_a_get_is_retried(server: ScriptedServer) -> None:
    server.queue(Reply(200, '{"slow": true}', delay=0.5), Reply(200, '{"fast": true}'))
    assert client_for(server, timeout=0.2).get("/account") == {"fast": True}


def test_read_timeout_on_a_billable_create_raises_may_have_been_created(server: ScriptedServer) -> None:
    server.queue(Reply(201, PREDICTION, delay=0.5))
    with pytest.raises(APITimeoutError) as info:
        create_prediction(client_for(server, timeout=0.2, reconcile_creates=False))
    assert info.value.may_have_been_created
    assert len(server.requests) == 1


def test_rate_limit_waits_are_bounded_by_time_not_count(server: ScriptedServer) -> None:
    throttled = Reply(429, '{"detail": "throttled", "retry_after": 0.01}')
    server.queue(*[throttled] * 6, Reply(200, '{"ok": 3}'))
    assert client_for(server, max_retries=2).get("/account") == {"ok": 3}
    assert len(server.requests) == 7


def test_rate_limit_beyond_the_budget_raises(server: ScriptedServer) -> None:
    server.default = Reply(429, '{"detail": "throttled"}', {"Retry-After": "1000"})
    with pytest.raises(RateLimitError):
        client_for(server).get("/account")
    assert len(server.requests) == 1


@pytest.mark.anyio
async def test_async_client_retries_the_same_way(server: ScriptedServer) -> None:
    server.queue(Drop(), Reply(503), Reply(429, "{}", {"retry-after-ms": "1"}), Reply(200, '{"ok": 4}'))
    async with replicate.AsyncReplicate(
        base_url=server.base_url, bearer_token="r8_test", max_retries=3
    ) as client:
        assert await client.get("/account") == {"ok": 4}
    assert len(server.requests) == 4


@pytest.mark.anyio
async def test_async_billable_create_is_not_retried_after_a_dropped_connection(
    server: ScriptedServer,
) -> None:
    server.queue(Drop(), Reply(201, PREDICTION))
    async with replicate.AsyncReplicate(
        base_url=server.base_url, bearer_token="r8_test", reconcile_creates=False
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.predictions.create(version="a" * 64, input={})
    assert info.value.may_have_been_created
    assert len(server.requests) == 1


def test_retry_after_seconds_reads_every_form() -> None:
    def headers(**values: str) -> httpx.Headers:
        return httpx.Headers({k.replace("_", "-"): v for k, v in values.items()})

    assert retry_after_seconds(headers(retry_after_ms="1500")) == 1.5
    assert retry_after_seconds(headers(retry_after="3")) == 3.0
    in_ten = email.utils.formatdate(time.time() + 10, usegmt=True)
    value = retry_after_seconds(headers(retry_after=in_ten))
    assert value is not None and 8 <= value <= 10
    body: Dict[str, object] = {"detail": "x", "retry_after": 5}
    assert retry_after_seconds(httpx.Headers(), body) == 5.0
    assert retry_after_seconds(httpx.Headers(), {"retry_after": True}) is None
    assert retry_after_seconds(headers(retry_after="soon")) is None


def test_backoff_doubles_from_half_a_second_up_to_eight(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("replicate._http.retry.INITIAL_RETRY_DELAY", 0.5)
    monkeypatch.setattr("replicate._http.retry.random.random", lambda: 0.0)
    policy = RetryPolicy(max_retries=10)
    assert [policy.backoff(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    monkeypatch.setattr("replicate._http.retry.random.random", lambda: 1.0)
    assert policy.backoff(0) == 0.375  # jitter takes off at most a quarter


class socket_port:
    """A loopback port with nothing listening on it."""

    def __enter__(self) -> int:
        import socket

        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        port = self._sock.getsockname()[1]
        self._sock.close()
        return port

    def __exit__(self, *exc: object) -> None:
        pass


@pytest.mark.anyio
async def test_async_billable_create_is_retried_when_the_connection_was_never_made() -> None:
    with socket_port() as port:
        client = replicate.AsyncReplicate(base_url=f"http://127.0.0.1:{port}/v1", bearer_token="r8_test")
    with pytest.raises(APIConnectionError) as info:
        await client.predictions.create(version="a" * 64, input={})
    # A refused connection is no timeout, and nothing can have been created.
    assert not isinstance(info.value, APITimeoutError)
    assert not info.value.may_have_been_created
    await client.close()


@pytest.mark.anyio
async def test_async_read_timeout_on_a_billable_create_raises_may_have_been_created(
    server: ScriptedServer,
) -> None:
    server.queue(Reply(201, PREDICTION, delay=0.5))
    async with replicate.AsyncReplicate(
        base_url=server.base_url, bearer_token="r8_test", timeout=0.2, reconcile_creates=False
    ) as client:
        with pytest.raises(APITimeoutError) as info:
            await client.predictions.create(version="a" * 64, input={})
    assert info.value.may_have_been_created
    assert len(server.requests) == 1
