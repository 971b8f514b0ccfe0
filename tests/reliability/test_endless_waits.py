"""Waits that must end: a stream that never says `done`, a status the client does not know."""

from __future__ import annotations

import time
from typing import Any, Dict, Iterator, List

import httpx
import pytest
from misbehaving_server import JSONHandler, LoopbackServer

import replicate
from replicate._http.events import SSEDecoder, StreamInterruptedError
from replicate.testing import Emulator


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def quick_idle_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("replicate._http.events.STREAM_IDLE_CHECK", 0.2)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    em = Emulator(wait_window=0.2)
    with em.serve():
        yield em


# -- a stream that sends only keep-alives ----------------------------------------------------------
# The emulator's stalled stream pings for a minute: without a watch on the prediction, each of
# these calls would take that minute.


@pytest.mark.usefixtures("quick_idle_check")
def test_run_leaves_a_stream_that_never_says_done_once_the_prediction_has_ended(emulator: Emulator) -> None:
    emulator.faults.stall_stream(after_events=0)
    started = time.monotonic()
    output = emulator.client().run("replicate/sleep", input={"seconds": 0.5})
    assert output == "slept 0.5s"
    assert time.monotonic() - started < 20
    assert any(entry.startswith("stall") for entry in emulator.faults.injected)


@pytest.mark.usefixtures("quick_idle_check")
def test_use_streaming_ends_when_a_stalled_streams_prediction_has_ended(emulator: Emulator) -> None:
    emulator.faults.stall_stream(after_events=2)
    tokens = emulator.client().use("replicate/stream-tokens", streaming=True)
    received: List[Any] = []
    started = time.monotonic()
    with pytest.raises(StreamInterruptedError, match="sent no `done`"):
        for chunk in tokens(max_tokens=5, delay=0):
            received.append(chunk)
    assert time.monotonic() - started < 20
    assert len(received) == 2


@pytest.mark.usefixtures("quick_idle_check")
def test_a_stalled_stream_of_a_failed_prediction_raises_its_model_error(emulator: Emulator) -> None:
    emulator.faults.stall_stream(after_events=0)
    model = emulator.client().use("replicate/fail", streaming=True)
    with pytest.raises(replicate.ModelError, match="this model always fails"):
        list(model())


@pytest.mark.anyio
@pytest.mark.usefixtures("quick_idle_check")
async def test_async_run_leaves_a_stalled_stream_too(emulator: Emulator) -> None:
    emulator.faults.stall_stream(after_events=0)
    async with replicate.AsyncReplicate(base_url=emulator.base_url, bearer_token=emulator.token) as client:
        started = time.monotonic()
        assert await client.run("replicate/sleep", input={"seconds": 0.5}) == "slept 0.5s"
        assert time.monotonic() - started < 20


# -- a status the client does not know --------------------------------------------------------------


class PredictionServer(LoopbackServer):
    """Creates one prediction (no event stream) and answers its polls with `statuses`, then the last."""

    def __init__(self, statuses: List[Dict[str, Any]]) -> None:
        self.polls = 0
        outer = self

        class Handler(JSONHandler):
            def _answer(self, state: Dict[str, Any], status: int = 200) -> None:
                self.send_json(
                    status,
                    {
                        "id": "p1",
                        "version": "hidden",
                        "model": "acme/new",
                        "input": {},
                        "created_at": "2026-11-26T10:00:00Z",
                        "urls": {"get": f"{outer.base_url}/predictions/p1", "cancel": "x"},
                        "status": "starting",
                        **state,
                    },
                )

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer({}, 201)

            def do_GET(self) -> None:
                outer.polls += 1
                self._answer(statuses[min(outer.polls, len(statuses)) - 1])

        self.serve(Handler)

    def client(self) -> replicate.Replicate:
        return replicate.Replicate(base_url=self.base_url, bearer_token="r8_test")


DONE = "2026-11-26T10:00:05Z"


def unknown_then_succeeded(polls_of_unknown: int, **unknown: Any) -> List[Dict[str, Any]]:
    # Without the rule, a client polling an unknown status sees `succeeded` in the end and
    # returns the output: the tests below would fail rather than hang.
    return [{"status": "archived", **unknown}] * polls_of_unknown + [
        {"status": "succeeded", "output": "late", "completed_at": DONE}
    ]


def test_run_ends_on_an_unknown_status_once_completed_at_is_set() -> None:
    with PredictionServer(unknown_then_succeeded(40, completed_at=DONE)) as server:
        with pytest.raises(replicate.ModelError, match="archived"):
            server.client().run("acme/new", input={})
    assert server.polls == 1


def test_predictions_wait_returns_an_unknown_status_once_completed_at_is_set() -> None:
    with PredictionServer(unknown_then_succeeded(40, completed_at=DONE)) as server:
        prediction = server.client().predictions.wait(prediction_id="p1")
    assert prediction.status == "archived"
    assert server.polls == 1


def test_an_unknown_status_without_completed_at_is_waited_on() -> None:
    with PredictionServer(unknown_then_succeeded(3)) as server:
        assert server.client().run("acme/new", input={}) == "late"
    assert server.polls == 4


# -- a stream that logs on after its prediction ended ------------------------------------------------


class LoggingForeverServer(LoopbackServer):
    """A prediction that has succeeded (once created) whose event stream sends `logs` for a minute."""

    def __init__(self) -> None:
        self.log_events = 0
        outer = self

        class Handler(JSONHandler):
            def _prediction(self, status: str) -> Dict[str, Any]:
                ended = {"output": ["a", "b"], "completed_at": DONE} if status == "succeeded" else {}
                urls = {"get": "g", "cancel": "c", "stream": f"{outer.base_url}/stream"}
                return {"id": "p1", "version": "v", "model": "acme/talk", "input": {}, "status": status,
                        "created_at": DONE, "urls": urls, **ended}  # fmt: skip

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_json(201, self._prediction("starting"))

            def do_GET(self) -> None:
                if self.path == "/v1/stream":
                    return self._log_forever()
                if self.path.startswith("/v1/models/"):
                    output = {"type": "array", "items": {"type": "string"}, "x-cog-array-type": "iterator"}
                    schema = {"components": {"schemas": {"Output": output}}}
                    version = {"id": "v", "openapi_schema": schema, "created_at": DONE, "cog_version": "0.9"}
                    return self.send_json(200, {"owner": "acme", "name": "talk", "latest_version": version})
                self.send_json(200, self._prediction("succeeded"))

            def _log_forever(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                ends = time.monotonic() + 60
                try:
                    while time.monotonic() < ends:
                        self.wfile.write(b"event: logs\ndata: still here\n\n")
                        self.wfile.flush()
                        outer.log_events += 1
                        time.sleep(0.02)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client left, as it should

        self.serve(Handler)


# Each call below took the server's whole minute before streams were watched through logs.


@pytest.mark.usefixtures("quick_idle_check")
def test_run_leaves_a_stream_that_logs_on_after_its_prediction_ended() -> None:
    with LoggingForeverServer() as server:
        client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
        started = time.monotonic()
        assert list(client.run("acme/talk", input={})) == ["a", "b"]
        assert time.monotonic() - started < 20
        assert server.log_events > 0


@pytest.mark.usefixtures("quick_idle_check")
def test_use_streaming_leaves_a_stream_that_logs_on_after_its_prediction_ended() -> None:
    with LoggingForeverServer() as server:
        client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
        started = time.monotonic()
        with pytest.raises(StreamInterruptedError, match="has succeeded, and its stream sent no `done`"):
            list(client.use("acme/talk", streaming=True)())
        assert time.monotonic() - started < 20


@pytest.mark.anyio
@pytest.mark.usefixtures("quick_idle_check")
async def test_async_run_leaves_a_stream_that_logs_on_after_its_prediction_ended() -> None:
    with LoggingForeverServer() as server:
        async with replicate.AsyncReplicate(base_url=server.base_url, bearer_token="r8_test") as client:
            started = time.monotonic()
            assert list(await client.run("acme/talk", input={})) == ["a", "b"]
            assert time.monotonic() - started < 20


# -- an event that never ends (a gzip bomb inflating one endless line) -------------------------------


@pytest.mark.parametrize(
    "chunks",
    [
        [b"a" * 300] * 10,
        [b"data: " + b"a" * 300 + b"\n"] * 10,
        [b"event: output\n"] + [b"data: " + b"a" * 300 + b"\n"] * 10,
    ],
    ids=["one endless line", "endless data lines", "an event that never closes"],
)
def test_an_event_larger_than_the_cap_is_a_decoding_error(
    monkeypatch: pytest.MonkeyPatch, chunks: List[bytes]
) -> None:
    monkeypatch.setattr("replicate._http.events.MAX_EVENT_CHARS", 1000)
    decoder = SSEDecoder()
    for _ in range(100):  # keep-alives and whole events hold nothing
        assert decoder.feed(b": ping\n\nevent: output\ndata: " + b"x" * 500 + b"\n\n")
    with pytest.raises(httpx.DecodingError, match="larger than 1,000 characters"):
        for chunk in chunks:
            decoder.feed(chunk)


# -- a prediction that runs on past its deadline ------------------------------------------------------

LONG_AGO = {"created_at": "2000-01-01T00:00:00Z", "deadline": "2000-01-01T00:05:00Z"}  # cancel_after="5m"


class RunningForeverServer(LoopbackServer):
    """A prediction that says `status` (never ended) past its `deadline`, until `polls_until_done`
    polls: then it succeeds, so a client without the deadline rule fails the tests, not hangs.
    With `stream`, its event stream sends `output` events for 10 s and never `done`."""

    def __init__(
        self, status: str = "processing", *, stream: bool = False, polls_until_done: int = 40
    ) -> None:
        self.polls = 0
        self.cancels: List[str] = []
        outer = self

        class Handler(JSONHandler):
            def _prediction(self, state: str) -> Dict[str, Any]:
                urls = {
                    "get": "g",
                    "cancel": "c",
                    **({"stream": f"{outer.base_url}/stream"} if stream else {}),
                }
                ended = {"output": "late", "completed_at": DONE} if state in ("succeeded", "canceled") else {}
                return {"id": "p1", "version": "v", "model": "acme/new", "input": {}, "status": state,
                        "urls": urls, **LONG_AGO, **ended}  # fmt: skip

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.endswith("/cancel"):
                    outer.cancels.append(self.path)
                    return self.send_json(200, self._prediction("canceled"))
                self.send_json(201, self._prediction(status))

            def do_GET(self) -> None:
                if self.path == "/v1/stream":
                    return self._output_forever()
                if self.path.startswith("/v1/models/"):
                    version: Dict[str, Any] = {
                        "id": "v",
                        "openapi_schema": {},
                        "created_at": DONE,
                        "cog_version": "0.9",
                    }
                    return self.send_json(200, {"owner": "acme", "name": "new", "latest_version": version})
                outer.polls += 1
                self.send_json(
                    200, self._prediction(status if outer.polls < polls_until_done else "succeeded")
                )

            def _output_forever(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                ends = time.monotonic() + 10
                try:
                    while time.monotonic() < ends:
                        self.wfile.write(b"event: output\ndata: more\n\n")
                        self.wfile.flush()
                        time.sleep(0.02)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client left, as it should

        self.serve(Handler)

    def client(self) -> replicate.Replicate:
        return replicate.Replicate(base_url=self.base_url, bearer_token="r8_test")


@pytest.mark.parametrize("status", ["processing", "archived"])  # archived: unknown, no completed_at
def test_run_cancels_and_gives_up_on_a_prediction_running_past_its_deadline(status: str) -> None:
    with RunningForeverServer(status) as server:
        with pytest.raises(replicate.PredictionDeadlineError, match="Prediction p1 was still") as caught:
            server.client().run("acme/new", input={}, cancel_after="5m")
    assert server.cancels == ["/v1/predictions/p1/cancel"]
    assert caught.value.prediction.status == "canceled"
    assert isinstance(caught.value, replicate.PredictionCanceledError)
    assert server.polls == 0  # the created prediction was already past it


def test_a_prediction_within_the_grace_period_is_waited_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("replicate._running.run.DEADLINE_GRACE", 1e12)
    with RunningForeverServer(polls_until_done=3) as server:
        assert server.client().run("acme/new", input={}) == "late"
    assert server.cancels == []


def test_run_leaves_a_stream_that_never_ends_past_the_deadline() -> None:
    with RunningForeverServer(stream=True) as server:
        with pytest.raises(replicate.PredictionDeadlineError, match="p1"):
            server.client().run("acme/new", input={})
    assert server.cancels == ["/v1/predictions/p1/cancel"]


def test_stream_and_use_streaming_leave_a_stream_that_never_ends_past_the_deadline() -> None:
    with RunningForeverServer(stream=True) as server:
        client = server.client()
        with pytest.raises(replicate.PredictionDeadlineError, match="p1"), pytest.warns(DeprecationWarning):
            list(client.stream("acme/new", input={}))
        with pytest.raises(replicate.PredictionDeadlineError, match="p1"):
            list(client.use("acme/new", streaming=True)())
    assert len(server.cancels) == 2


@pytest.mark.anyio
async def test_async_run_gives_up_past_the_deadline_too() -> None:
    with RunningForeverServer(stream=True) as server:
        async with replicate.AsyncReplicate(base_url=server.base_url, bearer_token="r8_test") as client:
            with pytest.raises(replicate.PredictionDeadlineError, match="p1"):
                await client.run("acme/new", input={})
    assert server.cancels == ["/v1/predictions/p1/cancel"]
